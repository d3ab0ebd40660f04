"""Electric charge of particles from their PDG id, through a lookup table built once from Pythia's particle data.

Pythia's event record (``Pythia.nextBatch``) carries no charge field; ``particleData.charge(pid)`` knows it.
The table is built once (a few hundred entries) and the per-particle mapping is a vectorised binary search.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import awkward as ak
import numpy as np


class ParticleDataLike(Protocol):
    """The part of ``pythia8mc.ParticleData`` the table needs."""

    def charge(self, pid: int) -> float: ...

    def isParticle(self, pid: int) -> bool: ...

    def hasAnti(self, pid: int) -> bool: ...

    def nextId(self, pid: int) -> int: ...


@dataclass(frozen=True, eq=False)
class ChargeTable:
    """Electric charge (units of e) per PDG id: ``pids`` sorted ascending and unique, ``charges`` aligned."""

    pids: np.ndarray
    charges: np.ndarray

    def __post_init__(self) -> None:
        pids = np.asarray(self.pids, dtype=np.int64)
        charges = np.asarray(self.charges, dtype=np.float64)
        object.__setattr__(self, "pids", pids)  # frozen: store the validated arrays once
        object.__setattr__(self, "charges", charges)
        if pids.ndim != 1 or pids.shape != charges.shape:
            raise ValueError(
                f"charge table needs 1-d pids and charges of equal length, got {pids.shape}, {charges.shape}"
            )
        if pids.size and np.any(np.diff(pids) <= 0):
            raise ValueError("charge table pids must be sorted ascending without duplicates")


def _all_known_pids(particle_data: ParticleDataLike) -> list[int]:
    """Every PDG id in Pythia's particle table and, where it exists, its antiparticle."""
    pids = []
    pid = 1  # nextId(0) returns 0 in Pythia, so the walk starts from the d quark
    while pid != 0:
        pids.append(pid)
        if particle_data.hasAnti(pid):
            pids.append(-pid)
        pid = particle_data.nextId(pid)
    return pids


def pid_charge_table(particle_data: ParticleDataLike, pids: Iterable[int] | None = None) -> ChargeTable:
    """Charge table from Pythia's particle data (``pythia.particleData``).

    Args:
        particle_data: Pythia's ``ParticleData``.
        pids: PDG ids to include; ``None`` means every particle Pythia knows, with antiparticles.
    """
    wanted = _all_known_pids(particle_data) if pids is None else [int(pid) for pid in pids]
    unknown = sorted({pid for pid in wanted if not particle_data.isParticle(pid)})
    if unknown:
        raise ValueError(f"PDG ids unknown to Pythia's particle data: {unknown[:20]}")
    unique_pids = np.unique(np.asarray(wanted, dtype=np.int64))
    charges = np.array([particle_data.charge(int(pid)) for pid in unique_pids], dtype=np.float64)
    return ChargeTable(pids=unique_pids, charges=charges)


def _lookup(flat_pid: np.ndarray, table: ChargeTable) -> np.ndarray:
    """Charges of a flat array of PDG ids (binary search in the sorted table)."""
    flat_pid = np.asarray(flat_pid, dtype=np.int64)
    position = np.minimum(np.searchsorted(table.pids, flat_pid), max(table.pids.size - 1, 0))
    found = table.pids[position] == flat_pid if table.pids.size else np.zeros(flat_pid.shape, dtype=bool)
    if not np.all(found):
        missing = np.unique(flat_pid[~found])
        raise ValueError(f"PDG ids not in the charge table: {missing[:20].tolist()}")
    return table.charges[position]


def particle_charge(pid: ak.Array | np.ndarray, table: ChargeTable) -> ak.Array | np.ndarray:
    """Electric charge (e) of each particle, with the same (possibly jagged) shape as ``pid``."""
    if not isinstance(pid, ak.Array):
        return _lookup(pid, table)

    def charge_of_leaf(layout, **_):
        if layout.is_numpy:
            return ak.contents.NumpyArray(_lookup(layout.data, table))
        return None

    return ak.transform(charge_of_leaf, pid)
