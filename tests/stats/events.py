"""HH events built by hand for the statistics tests: known m_HH and Higgs pairs, and tiny SPANet-layout files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vector
from layout_datasets import jet_datasets, no_fatjet_datasets, write_datasets

from multihiggs.io import spanet_layout as layout
from multihiggs.io.predictions import Predictions
from multihiggs.io.spanet_layout import ATTR_CONFIG, ATTR_N_GENERATED, ATTR_SPLIT
from multihiggs.jets import Jets

N_SLOTS = 10


@dataclass(frozen=True)
class HHEvents:
    """Jets (four b jets per event, pT-ordered, padded) and the true pairs (N, 2, 2) of the two Higgs bosons."""

    jets: Jets
    true_pairs: np.ndarray
    higgs: vector.MomentumNumpy4D


def _isotropic_pair(rng: np.random.Generator, mass: np.ndarray, daughter_mass: np.ndarray):
    """Back-to-back daughters of a particle of ``mass`` at rest, isotropic: two (N,) vector arrays."""
    n = len(mass)
    cos_theta, phi = rng.uniform(-1, 1, n), rng.uniform(-np.pi, np.pi, n)
    sin_theta = np.sqrt(1 - cos_theta**2)
    momentum = np.sqrt(np.maximum(mass**2 / 4 - daughter_mass**2, 0.0))
    direction = np.stack([sin_theta * np.cos(phi), sin_theta * np.sin(phi), cos_theta])
    energy = mass / 2

    def daughter(sign: float):
        px, py, pz = sign * momentum * direction
        return vector.array({"px": px, "py": py, "pz": pz, "E": energy})

    return daughter(1.0), daughter(-1.0)


def hh_events(rng: np.random.Generator, mhh_gev: np.ndarray, higgs_mass_gev: float = 125.0) -> HHEvents:
    """Events with two Higgs bosons of system mass ``mhh_gev`` (N,), each decaying to two massless b jets."""
    mhh_gev = np.asarray(mhh_gev, dtype=np.float64)
    n = len(mhh_gev)
    h1, h2 = _isotropic_pair(rng, mhh_gev, np.full(n, higgs_mass_gev))
    system = vector.array(
        {
            "pt": rng.uniform(0, 80, n),
            "eta": rng.uniform(-1, 1, n),
            "phi": rng.uniform(-np.pi, np.pi, n),
            "mass": mhh_gev,
        }
    )
    h1, h2 = h1.boost_p4(system), h2.boost_p4(system)
    jets = []
    for higgs in (h1, h2):
        for b in _isotropic_pair(rng, np.full(n, higgs_mass_gev), np.zeros(n)):
            jets.append(b.boost_p4(higgs))
    pt = np.stack([np.asarray(j.pt) for j in jets], axis=1)
    order = np.argsort(-pt, axis=1)
    slot_of_jet = np.argsort(order, axis=1)  # slot of original jet k
    columns = {name: np.zeros((n, N_SLOTS)) for name in ("pt", "eta", "phi", "mass")}
    for name in ("pt", "eta", "phi"):
        values = np.stack([np.asarray(getattr(j, name)) for j in jets], axis=1)
        columns[name][:, :4] = np.take_along_axis(values, order, axis=1)
    mask = np.zeros((n, N_SLOTS), dtype=bool)
    mask[:, :4] = True
    true_pairs = np.sort(np.stack([slot_of_jet[:, [0, 1]], slot_of_jet[:, [2, 3]]], axis=1), axis=-1)
    built = Jets(mask=mask, btag=mask.astype(float), **columns)
    return HHEvents(
        jets=built,
        true_pairs=true_pairs,
        higgs=vector.array(
            {
                "px": np.stack([h1.px, h2.px], 1),
                "py": np.stack([h1.py, h2.py], 1),
                "pz": np.stack([h1.pz, h2.pz], 1),
                "E": np.stack([h1.E, h2.E], 1),
            }
        ),
    )


def resolved_predictions(method: str, pairs: np.ndarray, score: np.ndarray | None = None) -> Predictions:
    """Predictions with the given resolved pairs (N, 2, 2) and optional signal scores."""
    empty = Predictions.empty(method, len(pairs), pairs.shape[1])
    return Predictions(
        method=method,
        resolved_assignments=np.asarray(pairs, dtype=np.int64),
        boosted_assignments=empty.boosted_assignments,
        resolved_assignment_probability=empty.resolved_assignment_probability,
        resolved_detection_probability=empty.resolved_detection_probability,
        boosted_assignment_probability=empty.boosted_assignment_probability,
        boosted_detection_probability=empty.boosted_detection_probability,
        signal_score=empty.signal_score if score is None else np.asarray(score, dtype=np.float32),
    )


def write_sample_file(
    path: Path,
    jets: Jets,
    weights_pb: np.ndarray,
    *,
    kl: float,
    signal: bool,
    n_generated: int,
    split_fractions: tuple[float, float, float] = (0.7, 0.1, 0.2),
    split: str = "test",
) -> None:
    """A minimal converted split file: AK5/AK8 inputs, κλ, label, weights and the conversion attributes."""
    n = jets.n_events
    datasets = jet_datasets(jets) | no_fatjet_datasets(n)
    datasets[layout.input_key(layout.EVENT, "kl")] = np.full(n, kl, dtype=np.float32)
    datasets[layout.classification_key()] = np.full(n, int(signal), dtype=np.int64)
    datasets[layout.event_weight_key()] = np.asarray(weights_pb, dtype=np.float64)
    attributes = {
        ATTR_CONFIG: json.dumps({"split_fractions": list(split_fractions)}),
        ATTR_SPLIT: split,
        ATTR_N_GENERATED: n_generated,
    }
    write_datasets(path, datasets, attributes=attributes)
