"""Read jets, boosted (AK8) features and targets, signal labels and selection weights from a SPANet-layout HDF5 file
(dataset names come from ``spanet_layout``): the inputs baselines, evaluation and statistics share."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from multihiggs.io import spanet_layout as layout
from multihiggs.io.hdf5 import open_hdf5, read_datasets, selection_weight_of
from multihiggs.jets import Jets


def read_jets(path: str | Path, *, btag_working_point: str = "CSV") -> Jets:
    """The AK5 jets of every event of ``path``, with the b-tag of the given working point ("CSV" or "UParT")."""
    if btag_working_point not in layout.BTAG_FEATURE_BY_WORKING_POINT:
        raise ValueError(
            f"b-tag working point must be one of {sorted(layout.BTAG_FEATURE_BY_WORKING_POINT)}, "
            f"got {btag_working_point!r}"
        )
    btag_feature = layout.BTAG_FEATURE_BY_WORKING_POINT[btag_working_point]
    keys = {
        "pt": layout.input_key(layout.JETS, "pt"),
        "eta": layout.input_key(layout.JETS, "eta"),
        "sinphi": layout.input_key(layout.JETS, "sinphi"),
        "cosphi": layout.input_key(layout.JETS, "cosphi"),
        "mass": layout.input_key(layout.JETS, "mass"),
        "btag": layout.input_key(layout.JETS, btag_feature),
        "mask": layout.mask_key(layout.JETS),
    }
    arrays = read_datasets(path, keys)
    arrays["mask"] = arrays["mask"].astype(bool)
    return Jets.from_sincos(**arrays)


def read_boosted_features(path: str | Path, features: Sequence[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The AK8-jet ``features`` (layout names, each (N, B)) and the AK8 padding mask (bool (N, B))."""
    unknown = [name for name in features if name not in layout.BOOSTED_FEATURES]
    if unknown:
        raise ValueError(f"unknown BoostedJets features {unknown}; the layout has {layout.BOOSTED_FEATURES}")
    keys = {name: layout.input_key(layout.BOOSTED_JETS, name) for name in features}
    keys[layout.MASK] = layout.mask_key(layout.BOOSTED_JETS)
    arrays = read_datasets(path, keys)
    mask = arrays.pop(layout.MASK).astype(bool)
    return arrays, mask


def read_boosted_targets(path: str | Path, n_higgs: int) -> np.ndarray:
    """AK8 jet index of each boosted target ``TARGETS/bh{i}/bb``, i = 1..n_higgs: int64 (N, n_higgs), -1 = none."""
    keys = {str(i): layout.boosted_target_key(i) for i in range(1, n_higgs + 1)}
    arrays = read_datasets(path, keys)
    return np.stack([arrays[str(i)] for i in range(1, n_higgs + 1)], axis=1).astype(np.int64)


def read_signal_labels(path: str | Path) -> np.ndarray:
    """The signal (1) / background (0) label of every event: int64 (N,)."""
    return read_datasets(path, {"signal": layout.classification_key()})["signal"].astype(np.int64)


def read_selection_weight(path: str | Path) -> np.ndarray | None:
    """(N,) ``WEIGHTS/EVENT/selection_weight`` of a converted file, or None if absent or 1 everywhere (a cut)."""
    with open_hdf5(path) as handle:
        return selection_weight_of(handle)
