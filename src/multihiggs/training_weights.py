"""Training weights from the selection weights of tag-rate-weighted files (``WEIGHTS/EVENT/selection_weight``).

A signal sample converted with tag-rate weights keeps every event with its probability to pass the b-tag
requirement; a network or BDT trained on it weights each signal event by that probability, normalised to mean 1
over the signal, so that it learns the population the cut selects at the same overall signal weight as an
unweighted file. Background events keep weight 1. One function for SPA-Net, the AK8 BDT and any later trainer.
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
