"""HDF5 files grown chunk by chunk (resizable, gzip), written under a ``.partial`` name and renamed when complete."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import h5py
import numpy as np

from multihiggs.provenance import STAMP_KEY, current_stamp

#: Rows per HDF5 chunk: large enough for fast gzip, small enough for cheap random reads of a batch.
CHUNK_ROWS = 4096
COMPRESSION_LEVEL = 1


def _storage(values: np.ndarray) -> dict[str, Any]:
    """Chunking and compression options of a dataset shaped like ``values`` (rows along axis 0)."""
    return {
        "maxshape": (None, *values.shape[1:]),
        "chunks": (CHUNK_ROWS, *values.shape[1:]),
        "compression": "gzip",
        "compression_opts": COMPRESSION_LEVEL,
        "shuffle": False,  # measured: byte shuffling makes these files larger and slower to write
    }


class AppendableH5:
    """One HDF5 file whose datasets grow along axis 0; appears under ``path`` only after :meth:`commit`.

    Appended rows are buffered and written in whole HDF5 chunks, so no compressed chunk is ever rewritten
    (at most ``CHUNK_ROWS`` rows wait in memory). Use as a context manager: leaving the block without
    ``commit()`` (e.g. on an error) deletes the partial file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # No chunk cache: rows are written in whole chunks, and 1 MiB per dataset x ~50 datasets x 3 files adds up.
        self._file: h5py.File | None = h5py.File(self.partial, "w", rdcc_nbytes=0)
        self._pending: dict[str, list[np.ndarray]] = {}
        self._n_pending = 0
        self.n_rows = 0  # rows appended so far (written or pending)

    def append(self, columns: Mapping[str, np.ndarray]) -> None:
        """Append rows; every column has the same length; the first call fixes names, dtypes and inner shapes."""
        assert self._file is not None, "file already committed or closed"
        lengths = {name: len(values) for name, values in columns.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"columns of different lengths: {lengths}")
        if self._pending and set(columns) != set(self._pending):
            raise ValueError(f"columns changed: {sorted(set(columns) ^ set(self._pending))}")
        for name, values in columns.items():
            values = np.asarray(values)
            if name not in self._file:
                self._file.create_dataset(name, shape=(0, *values.shape[1:]), dtype=values.dtype, **_storage(values))
            self._pending.setdefault(name, []).append(values)
        n_new = next(iter(lengths.values()), 0)
        self._n_pending += n_new
        self.n_rows += n_new
        if self._n_pending >= CHUNK_ROWS:
            self._flush(self._n_pending - self._n_pending % CHUNK_ROWS)

    def _flush(self, n_rows: int) -> None:
        """Write the first ``n_rows`` pending rows of every column; keep the rest pending."""
        assert self._file is not None
        for name, parts in self._pending.items():
            values = np.concatenate(parts) if len(parts) > 1 else parts[0]
            dataset = self._file[name]
            start = dataset.shape[0]
            dataset.resize(start + n_rows, axis=0)
            dataset[start:] = values[:n_rows]
            self._pending[name] = [values[n_rows:]]
        self._n_pending -= n_rows

    def write(self, name: str, values: np.ndarray) -> None:
        """Write one complete dataset at once (same storage options as appended ones)."""
        assert self._file is not None, "file already committed or closed"
        values = np.asarray(values)
        self._file.create_dataset(name, data=values, **_storage(values))

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        """File-level attributes (bookkeeping): str, numbers or arrays."""
        assert self._file is not None, "file already committed or closed"
        for key, value in attributes.items():
            self._file.attrs[key] = value

    def commit(self) -> None:
        """Write pending rows and the provenance stamp (root attribute ``provenance``), close, rename to ``path``."""
        assert self._file is not None, "file already committed or closed"
        if self._n_pending:
            self._flush(self._n_pending)
        self._file.attrs[STAMP_KEY] = current_stamp().to_json()
        self._file.close()
        self._file = None
        self.partial.replace(self.path)

    def discard(self) -> None:
        """Close and delete the partial file (no-op after commit)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self.partial.unlink(missing_ok=True)

    def __enter__(self) -> AppendableH5:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.discard()
