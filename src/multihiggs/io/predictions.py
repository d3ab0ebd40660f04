"""Prediction files: the one layout every reconstruction method (SPA-Net and baselines) writes.

A prediction file holds, for the N events of one test file (same order) and H Higgs slots:

- ``PREDICTIONS/resolved_assignments``          int64 (N, H, 2): AK5 jet indices of each reconstructed resolved
  Higgs (-1, -1 where the slot is not reconstructed as resolved).
- ``PREDICTIONS/boosted_assignments``           int64 (N, H): AK8 jet index of each boosted Higgs (-1 if none).
- ``PREDICTIONS/resolved_assignment_probability``, ``PREDICTIONS/resolved_detection_probability``,
  ``PREDICTIONS/boosted_assignment_probability``, ``PREDICTIONS/boosted_detection_probability``  float32 (N, H)
  (NaN where a method has no such notion).
- ``PREDICTIONS/signal_score``                  float32 (N,): classifier score (NaN if the method has none).
- attribute ``method`` on the root: the method's name; attribute ``provenance``: the stamp of
  :mod:`multihiggs.provenance` (JSON).

Slots are unordered: evaluation matches them to targets irrespective of slot order.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import h5py
import numpy as np

from multihiggs.io.atomic import atomic_output
from multihiggs.io.hdf5 import open_hdf5, read_dataset
from multihiggs.provenance import STAMP_KEY, current_stamp
from multihiggs.spanet.decoding import ReconstructedHiggs

GROUP = "PREDICTIONS"
_FIELDS = tuple(field.name for field in fields(ReconstructedHiggs))


@dataclass(frozen=True)
class Predictions(ReconstructedHiggs):
    """Reconstructed Higgs candidates of one method on one test file (shapes in the module docstring).

    The arrays and their shape checks are those of :class:`multihiggs.spanet.decoding.ReconstructedHiggs`, the
    dependency-free result the ONNX export ships; build with keywords.
    """

    method: str

    @classmethod
    def empty(cls, method: str, n_events: int, n_higgs: int) -> Predictions:
        """Predictions with no reconstructed Higgs and NaN probabilities/scores."""
        return cls(method=method, **ReconstructedHiggs.unfilled(n_events, n_higgs).arrays())


def write_predictions(path: str | Path, predictions: Predictions) -> None:
    """Write predictions atomically: a partial file is never left under ``path``."""
    with atomic_output(path) as partial, h5py.File(partial, "w") as handle:
        handle.attrs["method"] = predictions.method
        handle.attrs[STAMP_KEY] = current_stamp().to_json()
        group = handle.create_group(GROUP)
        for name in _FIELDS:
            values = np.asarray(getattr(predictions, name))
            dtype = np.int64 if name.endswith("assignments") else np.float32
            group.create_dataset(name, data=values.astype(dtype), compression="gzip", compression_opts=4)


def read_predictions(path: str | Path) -> Predictions:
    """Read a prediction file written by :func:`write_predictions`."""
    path = Path(path)
    with open_hdf5(path) as handle:
        arrays = {name: read_dataset(handle, f"{GROUP}/{name}") for name in _FIELDS}
        method = str(handle.attrs.get("method", path.stem))
    return Predictions(method=method, **arrays)
