"""Training weights from the selection weights of tag-rate-weighted files (``WEIGHTS/EVENT/selection_weight``).

A signal sample converted with tag-rate weights keeps every event with its probability to pass the b-tag
requirement; a network or BDT trained on it weights each signal event by that probability, normalised to mean 1
over the signal, so that it learns the population the cut selects at the same overall signal weight as an
unweighted file. Background events keep weight 1, or, with :func:`background_physics_weights`, a power of their
physical event weight. One module for SPA-Net, the AK8 BDT and any later trainer.
"""

from __future__ import annotations

import numpy as np


def signal_selection_weights(probability: np.ndarray, signal: np.ndarray) -> np.ndarray:
    """(N,) float64 training weights: signal events' ``probability`` to pass the selection over its signal mean, 1
    for background events (and for every event when no signal event has a positive probability)."""
    probability, signal = np.asarray(probability, dtype=np.float64), np.asarray(signal, dtype=bool)
    weights = np.ones(len(probability), dtype=np.float64)
    mean = probability[signal].mean() if signal.any() else 0.0
    if mean > 0:
        weights[signal] = probability[signal] / mean
    return weights


def background_physics_weights(event_weight: np.ndarray, signal: np.ndarray, power: float) -> np.ndarray:
    """(N,) float64 training weights: background events' physical ``event_weight`` (pb) raised to ``power`` over its
    background mean, 1 for signal events.

    Power 0 counts every background event once (the generator's population: pT-hat-biased, heavy-flavour-enhanced);
    power 1 trains on the physical background after the selection, whose few heavy events (Kish n_eff of a few
    hundred in ten thousand) then dominate the gradient; a power in between trades the two.
    """
    if power < 0:
        raise ValueError(f"background weight power must be >= 0, got {power}")
    weight, signal = np.asarray(event_weight, dtype=np.float64), np.asarray(signal, dtype=bool)
    weights = np.ones(len(weight), dtype=np.float64)
    background = ~signal
    if power == 0 or not background.any():
        return weights
    if not np.all(np.isfinite(weight[background])) or np.any(weight[background] < 0):
        raise ValueError("background event weights must be finite and non-negative")
    tempered = weight[background] ** power
    mean = tempered.mean()
    if mean > 0:
        weights[background] = tempered / mean
    return weights
