"""Hand-made SPANet-layout test files and prediction files for the evaluation tests."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from multihiggs.io import spanet_layout as layout
from multihiggs.io.predictions import Predictions, write_predictions

N_JETS = 10
N_FATJETS = 3


@dataclass
class Sample:
    """Arrays of a small test file: N events, H Higgs (shapes as in ``spanet_layout``)."""

    jet_pt: np.ndarray
    jet_eta: np.ndarray
    jet_phi: np.ndarray
    jet_mass: np.ndarray
    jet_mask: np.ndarray
    fatjet_pt: np.ndarray
    fatjet_mass: np.ndarray
    fatjet_mask: np.ndarray
    resolved_targets: np.ndarray
    boosted_targets: np.ndarray
    truth_pt: np.ndarray
    n_jets: np.ndarray
    event_weight: np.ndarray
    signal: np.ndarray
    kl: float = 1.0

    @property
    def n_events(self) -> int:
        return len(self.n_jets)


def random_sample(
    n_events: int, n_higgs: int, *, seed: int = 0, n_real_jets: int | None = None, signal: int = 1
) -> Sample:
    """Random kinematics; Higgs i targets jets (2i, 2i+1), no boosted targets; every jet real unless limited."""
    rng = np.random.default_rng(seed)
    n_real = N_JETS if n_real_jets is None else n_real_jets
    mask = np.zeros((n_events, N_JETS), dtype=bool)
    mask[:, :n_real] = True
    pt = np.sort(rng.exponential(60.0, (n_events, N_JETS)) + 20.0, axis=1)[:, ::-1]
    resolved = np.stack([np.arange(n_higgs) * 2, np.arange(n_higgs) * 2 + 1], axis=-1)
    return Sample(
        jet_pt=np.where(mask, pt, 0.0),
        jet_eta=np.where(mask, rng.uniform(-2.5, 2.5, mask.shape), 0.0),
        jet_phi=np.where(mask, rng.uniform(-np.pi, np.pi, mask.shape), 0.0),
        jet_mass=np.where(mask, rng.uniform(2.0, 20.0, mask.shape), 0.0),
        jet_mask=mask,
        fatjet_pt=np.zeros((n_events, N_FATJETS)),
        fatjet_mass=np.zeros((n_events, N_FATJETS)),
        fatjet_mask=np.zeros((n_events, N_FATJETS), dtype=bool),
        resolved_targets=np.broadcast_to(resolved, (n_events, n_higgs, 2)).copy(),
        boosted_targets=np.full((n_events, n_higgs), -1, dtype=np.int64),
        truth_pt=rng.uniform(50.0, 450.0, (n_events, n_higgs)),
        n_jets=np.full(n_events, n_real, dtype=np.int64),
        event_weight=np.full(n_events, 0.01),
        signal=np.full(n_events, signal, dtype=np.int64),
    )


def write_sample(path: Path, sample: Sample, *, skip: str | None = None) -> Path:
    """Write ``sample`` in the SPANet layout (leave out the dataset ``skip``)."""
    n_events, n_higgs = sample.truth_pt.shape
    datasets = {
        layout.input_key(layout.JETS, "pt"): sample.jet_pt,
        layout.input_key(layout.JETS, "eta"): sample.jet_eta,
        layout.input_key(layout.JETS, "sinphi"): np.sin(sample.jet_phi),
        layout.input_key(layout.JETS, "cosphi"): np.cos(sample.jet_phi),
        layout.input_key(layout.JETS, "mass"): sample.jet_mass,
        layout.input_key(layout.JETS, "btag"): np.ones_like(sample.jet_pt),
        layout.input_key(layout.JETS, "btag_upart"): np.ones_like(sample.jet_pt),
        layout.mask_key(layout.JETS): sample.jet_mask,
        layout.input_key(layout.BOOSTED_JETS, "pt"): sample.fatjet_pt,
        layout.input_key(layout.BOOSTED_JETS, "mass"): sample.fatjet_mass,
        layout.mask_key(layout.BOOSTED_JETS): sample.fatjet_mask,
        layout.input_key(layout.EVENT, "kl"): np.full(n_events, sample.kl, dtype=np.float32),
        layout.classification_key(): sample.signal,
        layout.event_weight_key(): sample.event_weight,
        layout.truth_event_key("n_jets"): sample.n_jets,
    }
    for i in range(1, n_higgs + 1):
        datasets[layout.resolved_target_key(i, "b1")] = sample.resolved_targets[:, i - 1, 0]
        datasets[layout.resolved_target_key(i, "b2")] = sample.resolved_targets[:, i - 1, 1]
        datasets[layout.boosted_target_key(i)] = sample.boosted_targets[:, i - 1]
        datasets[layout.truth_higgs_key(i, "pt")] = sample.truth_pt[:, i - 1]
    with h5py.File(path, "w") as handle:
        for key, values in datasets.items():
            if key != skip:
                handle.create_dataset(key, data=values)
    return path


def write_prediction(
    path: Path,
    resolved: np.ndarray,
    boosted: np.ndarray | None = None,
    *,
    method: str = "test_method",
    signal_score: np.ndarray | None = None,
) -> Path:
    """A prediction file with the given resolved (N, H, 2) and boosted (N, H) assignments."""
    resolved = np.asarray(resolved, dtype=np.int64)
    n_events, n_higgs, _ = resolved.shape
    predictions = dataclasses.replace(Predictions.empty(method, n_events, n_higgs), resolved_assignments=resolved)
    if boosted is not None:
        predictions = dataclasses.replace(predictions, boosted_assignments=np.asarray(boosted, dtype=np.int64))
    if signal_score is not None:
        predictions = dataclasses.replace(predictions, signal_score=np.asarray(signal_score, dtype=np.float32))
    write_predictions(path, predictions)
    return path
