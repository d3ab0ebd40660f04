"""Read what the evaluation needs from a SPANet-layout test file and a prediction file (names from the layout).

The jet readers of :mod:`multihiggs.io.readers` are reused, so AK5/AK8 inputs are read in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from multihiggs.evaluate.candidates import BoostedJets
from multihiggs.evaluate.matching import HiggsTargets
from multihiggs.io import spanet_layout as layout
from multihiggs.io.hdf5 import read_datasets
from multihiggs.io.predictions import Predictions, read_predictions
from multihiggs.io.readers import read_boosted_features, read_jets, read_selection_weight, read_signal_labels
from multihiggs.jets import Jets


@dataclass(frozen=True)
class EventInputs:
    """Per-event information of N test events.

    Attributes:
        jets: AK5 jets (N, J); boosted_jets: AK8 jets (N, B).
        n_jets: int64 (N,), number of selected AK5 jets (may exceed the J stored ones).
        event_weight: float64 (N,), cross-section weight (pb).
        signal: int64 (N,), 1 for signal, 0 for background.
        kl: the κλ of the file if all its events share one (``INPUTS/Event/kl``), else None.
        selection_weight: float64 (N,), each event's probability to pass the tag requirement for a file converted
            with tag-rate weights; None where the requirement was a cut (every event counts once).
    """

    jets: Jets
    boosted_jets: BoostedJets
    n_jets: np.ndarray
    event_weight: np.ndarray
    signal: np.ndarray
    kl: float | None
    selection_weight: np.ndarray | None = None

    @property
    def n_events(self) -> int:
        return len(self.n_jets)


@dataclass(frozen=True)
class TruthHiggs:
    """Truth Higgs information of N events and H Higgs bosons: targets and truth pT (GeV, (N, H), NaN if absent)."""

    targets: HiggsTargets
    pt: np.ndarray


def read_event_inputs(path: str | Path, *, btag_working_point: str = "CSV") -> EventInputs:
    """Jets, AK8 jets, jet multiplicity, weights, labels and κλ of every event of ``path``."""
    jets = read_jets(path, btag_working_point=btag_working_point)
    fatjet_features, fatjet_mask = read_boosted_features(path, ("pt", "mass"))
    scalars = read_datasets(
        path,
        {
            "n_jets": layout.truth_event_key("n_jets"),
            "event_weight": layout.event_weight_key(),
            "kl": layout.input_key(layout.EVENT, "kl"),
        },
    )
    inputs = EventInputs(
        jets=jets,
        boosted_jets=BoostedJets(pt=fatjet_features["pt"], mass=fatjet_features["mass"], mask=fatjet_mask),
        n_jets=scalars["n_jets"].astype(np.int64),
        event_weight=scalars["event_weight"].astype(np.float64),
        signal=read_signal_labels(path),
        kl=_common_value(scalars["kl"]),
        selection_weight=read_selection_weight(path),
    )
    counts = {"jets": jets.n_events, "AK8 jets": len(fatjet_mask), "labels": len(inputs.signal)}
    if len({*counts.values(), inputs.n_events}) > 1:
        raise ValueError(f"test file {path} has datasets of different event counts: {counts}")
    return inputs


def read_truth_higgs(path: str | Path, n_higgs: int) -> TruthHiggs:
    """Targets ``TARGETS/h{i}``, ``TARGETS/bh{i}`` and truth pT ``TRUTH/h{i}/pt`` for i = 1..n_higgs."""
    keys = {}
    for higgs in range(1, n_higgs + 1):
        keys[f"b1_{higgs}"] = layout.resolved_target_key(higgs, "b1")
        keys[f"b2_{higgs}"] = layout.resolved_target_key(higgs, "b2")
        keys[f"bb_{higgs}"] = layout.boosted_target_key(higgs)
        keys[f"pt_{higgs}"] = layout.truth_higgs_key(higgs, "pt")
    arrays = read_datasets(path, keys)
    higgs_numbers = range(1, n_higgs + 1)
    resolved = np.stack([np.stack([arrays[f"b1_{i}"], arrays[f"b2_{i}"]], axis=-1) for i in higgs_numbers], axis=1)
    boosted = np.stack([arrays[f"bb_{i}"] for i in higgs_numbers], axis=1)
    truth_pt = np.stack([arrays[f"pt_{i}"] for i in higgs_numbers], axis=1).astype(np.float64)
    return TruthHiggs(targets=HiggsTargets(resolved=resolved, boosted=boosted), pt=truth_pt)


def read_matching_predictions(
    predictions_path: str | Path, test_path: str | Path, n_events: int, n_higgs: int | None = None
) -> Predictions:
    """The predictions of ``predictions_path``, checked against the ``n_events`` events of ``test_path``."""
    predictions = read_predictions(predictions_path)
    if predictions.n_events != n_events:
        raise ValueError(
            f"prediction file {predictions_path} holds {predictions.n_events} events but test file {test_path} "
            f"holds {n_events}: predictions must cover the test file event by event"
        )
    if n_higgs is not None and predictions.n_higgs != n_higgs:
        raise ValueError(
            f"prediction file {predictions_path} has {predictions.n_higgs} Higgs slots, expected {n_higgs} (--n-higgs)"
        )
    return predictions


def _common_value(values: np.ndarray) -> float | None:
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0 or not np.all(values == values[0]):
        return None
    return float(values[0])
