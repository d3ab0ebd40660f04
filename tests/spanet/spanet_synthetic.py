"""Synthetic SPANet HDF5 files with a learnable pairing signature, written through the layout's key functions.

Each Higgs boson i gets a direction (eta_i, phi_i). A resolved-reconstructable Higgs places its two b-tagged
AK5 jets close to that direction; a boosted-reconstructable one places an AK8 jet there with mass near
125 GeV. Other jets are random, untagged and soft, so the right pairs are easy to learn.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from multihiggs.io import spanet_layout as layout


def write_synthetic_file(
    path: Path,
    n_events: int,
    n_higgs: int = 2,
    seed: int = 0,
    resolved_fraction: float = 0.8,
    boosted_fraction: float = 0.3,
    min_jets: int | None = None,
) -> Path:
    """Write ``n_events`` events with ``n_higgs`` Higgs targets (h1.., bh1..) and return ``path``."""
    rng = np.random.default_rng(seed)
    n_jets_max, n_fat_max = layout.MAX_JETS, layout.MAX_BOOSTED
    min_jets = 2 * n_higgs if min_jets is None else min_jets
    n_jets = rng.integers(min_jets, n_jets_max + 1, size=n_events)
    n_fat = rng.integers(0, n_fat_max + 1, size=n_events)
    jet = {
        "pt": rng.uniform(20, 60, (n_events, n_jets_max)),
        "eta": rng.uniform(-2.5, 2.5, (n_events, n_jets_max)),
        "phi": rng.uniform(-np.pi, np.pi, (n_events, n_jets_max)),
        "btag": np.zeros((n_events, n_jets_max)),
        "mass": rng.uniform(2, 15, (n_events, n_jets_max)),
    }
    fat = {
        "pt": rng.uniform(250, 400, (n_events, n_fat_max)),
        "eta": rng.uniform(-2.5, 2.5, (n_events, n_fat_max)),
        "phi": rng.uniform(-np.pi, np.pi, (n_events, n_fat_max)),
        "mass": rng.uniform(20, 60, (n_events, n_fat_max)),
    }
    resolved_targets = np.full((n_events, n_higgs, 2), -1)
    boosted_targets = np.full((n_events, n_higgs), -1)
    signal = np.zeros(n_events, dtype=np.int64)
    for event in range(n_events):
        free_jets = list(rng.permutation(n_jets[event]))
        free_fat = list(rng.permutation(n_fat[event]))
        phis = rng.uniform(-np.pi, np.pi) + 2 * np.pi * np.arange(n_higgs) / n_higgs
        for higgs in range(n_higgs):
            eta_h, phi_h = rng.uniform(-1.5, 1.5), np.angle(np.exp(1j * phis[higgs]))
            if len(free_jets) >= 2 and rng.random() < resolved_fraction:
                pair = [free_jets.pop(), free_jets.pop()]
                resolved_targets[event, higgs] = pair
                for position in pair:
                    jet["eta"][event, position] = eta_h + rng.normal(0, 0.05)
                    jet["phi"][event, position] = phi_h + rng.normal(0, 0.05)
                    jet["btag"][event, position] = 1.0
                    jet["pt"][event, position] = rng.uniform(80, 200)
                signal[event] = 1
            if free_fat and rng.random() < boosted_fraction:
                position = free_fat.pop()
                boosted_targets[event, higgs] = position
                fat["eta"][event, position], fat["phi"][event, position] = eta_h, phi_h
                fat["mass"][event, position] = rng.normal(125, 5)
                signal[event] = 1
    jet_mask = np.arange(n_jets_max)[None, :] < n_jets[:, None]
    fat_mask = np.arange(n_fat_max)[None, :] < n_fat[:, None]
    with h5py.File(path, "w") as handle:
        _write_vectors(handle, layout.JETS, jet, jet_mask, extra={"btag_upart": jet["btag"]})
        _write_vectors(handle, layout.BOOSTED_JETS, fat, fat_mask, extra={})
        handle[layout.input_key(layout.EVENT, "kl")] = rng.choice([-1.0, 1.0, 5.0], n_events)
        for higgs in range(1, n_higgs + 1):
            handle[layout.resolved_target_key(higgs, "b1")] = resolved_targets[:, higgs - 1, 0]
            handle[layout.resolved_target_key(higgs, "b2")] = resolved_targets[:, higgs - 1, 1]
            handle[layout.boosted_target_key(higgs)] = boosted_targets[:, higgs - 1]
            handle[layout.mass_weight_key(higgs)] = rng.uniform(0.5, 2.0, n_events)
        handle[layout.classification_key()] = signal
        handle[layout.event_weight_key()] = rng.uniform(0.1, 1.0, n_events) * 1e-3
    return path


def _write_vectors(handle, source, values, mask, extra) -> None:
    handle[layout.mask_key(source)] = mask
    columns = {
        "pt": values["pt"],
        "eta": values["eta"],
        "sinphi": np.sin(values["phi"]),
        "cosphi": np.cos(values["phi"]),
        "mass": values["mass"],
        **({"btag": values["btag"]} if "btag" in values else {}),
        **extra,
    }
    for name, column in columns.items():
        handle[layout.input_key(source, name)] = np.where(mask, column, 0.0).astype(np.float32)


def event_yaml(n_higgs: int = 2, boosted: bool = True, classification: bool = False, kl: bool = False) -> dict:
    """An event-file mapping matching :func:`write_synthetic_file`."""
    jets = {
        "pt": "log_normalize",
        "eta": "normalize",
        "sinphi": "none",
        "cosphi": "none",
        "btag": "none",
        "mass": "log_normalize",
    }
    fat = {"pt": "log_normalize", "eta": "normalize", "sinphi": "none", "cosphi": "none", "mass": "log_normalize"}
    inputs: dict = {"SEQUENTIAL": {"Jets": jets, **({"BoostedJets": fat} if boosted else {})}}
    if kl:
        inputs["GLOBAL"] = {"Event": {"kl": "normalize"}}
    event = {f"h{i}": [{"b1": "Jets"}, {"b2": "Jets"}] for i in range(1, n_higgs + 1)}
    if boosted:
        event.update({f"bh{i}": [{"bb": "BoostedJets"}] for i in range(1, n_higgs + 1)})
    generators = []
    for i in range(1, n_higgs + 1):
        for j in range(i + 1, n_higgs + 1):
            generators.append([[f"h{i}", f"h{j}"], [f"bh{i}", f"bh{j}"]] if boosted else [[f"h{i}", f"h{j}"]])
    permutations = {"EVENT": generators, **{f"h{i}": [["b1", "b2"]] for i in range(1, n_higgs + 1)}}
    mapping = {"INPUTS": inputs, "EVENT": event, "PERMUTATIONS": permutations}
    if classification:
        mapping["CLASSIFICATIONS"] = {"EVENT": ["signal"]}
    return mapping
