"""Reading HDF5 files with errors that name the file, the dataset and what the file holds instead.

Every reader of the workflow's HDF5 files (converted samples, prediction files) opens them here, so a missing or
unreadable input is reported the same way everywhere: as a ``ValueError`` that the command lines turn into one
``error: …`` line (:func:`multihiggs.cli.run_main`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import h5py
import numpy as np


def open_hdf5(path: str | Path) -> h5py.File:
    """Open ``path`` read-only; use it as a context manager (``with open_hdf5(path) as handle:``).

    Raises:
        ValueError: ``cannot open HDF5 input file …`` if ``path`` is missing or not a readable HDF5 file.
    """
    try:
        return h5py.File(path, "r")
    except OSError as error:
        raise ValueError(f"cannot open HDF5 input file {path}: {error}") from error


def read_dataset(handle: h5py.File, key: str, expected_shape: tuple[int, ...] | None = None) -> np.ndarray:
    """The whole dataset ``key`` (e.g. ``INPUTS/Jets/pt``) of an open file, optionally checked against a shape.

    Raises:
        ValueError: naming the file and ``key``, and listing what exists under the key's parent group if it is
            missing; or giving both shapes if ``expected_shape`` differs.
    """
    if key not in handle:
        parent = key.rpartition("/")[0] or "/"
        found = sorted(handle[parent].keys()) if parent in handle else []
        raise ValueError(f"HDF5 file {handle.filename} lacks dataset '{key}' (found under '{parent}': {found})")
    values = handle[key][...]
    if expected_shape is not None and values.shape != tuple(expected_shape):
        raise ValueError(
            f"dataset '{key}' in HDF5 file {handle.filename} has shape {values.shape}, expected {tuple(expected_shape)}"
        )
    return values


def read_datasets(path: str | Path, keys: Mapping[str, str]) -> dict[str, np.ndarray]:
    """Read the datasets ``keys`` (name -> HDF5 key) of one file, all with the same number of events (rows).

    Returns:
        name -> the whole dataset, in the order of ``keys``.
    Raises:
        ValueError: if the file cannot be opened, a dataset is missing (see :func:`read_dataset`) or the datasets
            differ in length.
    """
    with open_hdf5(path) as handle:
        arrays = {name: read_dataset(handle, key) for name, key in keys.items()}
    lengths = {name: len(values) for name, values in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"HDF5 file {path} has datasets of different event counts: {lengths}")
    return arrays


def selection_weight_of(handle: h5py.File) -> np.ndarray | None:
    """(N,) float64 ``WEIGHTS/EVENT/selection_weight`` of an open SPANet-layout file (each event's probability to
    pass the tag requirement under tag-rate weights), or None if absent or 1 everywhere (the requirement was a cut)."""
    from multihiggs.io.spanet_layout import selection_weight_key

    if selection_weight_key() not in handle:
        return None
    weights = read_dataset(handle, selection_weight_key()).astype(np.float64)
    return None if np.all(weights == 1.0) else weights
