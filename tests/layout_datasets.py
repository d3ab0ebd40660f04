"""SPANet-layout datasets of hand-built jets, shared by the baseline and the statistics tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import h5py
import numpy as np

from multihiggs.io import spanet_layout as layout
from multihiggs.jets import Jets


def jet_datasets(jets: Jets, *, btag_upart: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """``INPUTS/Jets/*`` of ``jets`` with their MASK; the UParT-like tags default to the CSV-like ones."""
    return {
        layout.input_key(layout.JETS, "pt"): jets.pt,
        layout.input_key(layout.JETS, "eta"): jets.eta,
        layout.input_key(layout.JETS, "sinphi"): np.sin(jets.phi),
        layout.input_key(layout.JETS, "cosphi"): np.cos(jets.phi),
        layout.input_key(layout.JETS, "mass"): jets.mass,
        layout.input_key(layout.JETS, "btag"): jets.btag,
        layout.input_key(layout.JETS, "btag_upart"): jets.btag if btag_upart is None else btag_upart,
        layout.mask_key(layout.JETS): jets.mask,
    }


def no_fatjet_datasets(n_events: int) -> dict[str, np.ndarray]:
    """``INPUTS/BoostedJets/*`` of events without AK8 jets: zeros, every slot masked."""
    datasets = {
        layout.input_key(layout.BOOSTED_JETS, name): np.zeros((n_events, layout.MAX_BOOSTED))
        for name in layout.BOOSTED_FEATURES
    }
    datasets[layout.mask_key(layout.BOOSTED_JETS)] = np.zeros((n_events, layout.MAX_BOOSTED), dtype=bool)
    return datasets


def write_datasets(
    path: Path,
    datasets: Mapping[str, np.ndarray],
    *,
    skip: str | None = None,
    attributes: Mapping[str, object] | None = None,
) -> None:
    """Write ``datasets`` (all but ``skip``) and the file ``attributes`` to a new HDF5 file."""
    with h5py.File(path, "w") as handle:
        for key, values in datasets.items():
            if key != skip:
                handle.create_dataset(key, data=values)
        handle.attrs.update(attributes or {})
