from typing import ClassVar

import awkward as ak
import numpy as np
import pytest

from multihiggs.generate.reco.charge import ChargeTable, particle_charge, pid_charge_table


class FakeParticleData:
    """Three particles: e- (11), pi+ (211, with antiparticle) and the photon (22, its own antiparticle)."""

    _charges: ClassVar[dict[int, float]] = {11: -1.0, 22: 0.0, 211: 1.0}

    def charge(self, pid: int) -> float:
        return np.sign(pid) * self._charges[abs(pid)]

    def isParticle(self, pid: int) -> bool:
        return abs(pid) in self._charges and (pid > 0 or self.hasAnti(-pid))

    def hasAnti(self, pid: int) -> bool:
        return pid in (11, 211)

    def nextId(self, pid: int) -> int:
        later = [known for known in (1, 11, 22, 211) if known > pid]
        return later[0] if later and pid > 0 else 0


class FakeWithQuark(FakeParticleData):
    _charges: ClassVar[dict[int, float]] = {1: -1 / 3, 11: -1.0, 22: 0.0, 211: 1.0}

    def hasAnti(self, pid: int) -> bool:
        return pid in (1, 11, 211)


def test_table_from_every_known_particle_includes_antiparticles():
    table = pid_charge_table(FakeWithQuark())
    assert table.pids.tolist() == [-211, -11, -1, 1, 11, 22, 211]
    assert table.charges.tolist() == pytest.approx([-1, 1, 1 / 3, -1 / 3, -1, 0, 1])


def test_table_rejects_unknown_pids():
    with pytest.raises(ValueError, match="unknown to Pythia"):
        pid_charge_table(FakeParticleData(), [11, 999])


def test_charge_maps_jagged_and_flat_pids():
    table = pid_charge_table(FakeParticleData(), [11, -11, 22, 211, -211])
    charges = particle_charge(ak.Array([[11, -211, 22], [], [211, -11]]), table)
    assert charges.tolist() == [[-1, -1, 0], [], [1, 1]]
    assert particle_charge(np.array([22, 211]), table).tolist() == [0, 1]


def test_charge_names_missing_pids():
    table = pid_charge_table(FakeParticleData(), [11, 22])
    with pytest.raises(ValueError, match=r"not in the charge table: \[211\]"):
        particle_charge(ak.Array([[11, 211]]), table)


def test_table_must_be_sorted():
    with pytest.raises(ValueError, match="sorted"):
        ChargeTable(pids=np.array([22, 11]), charges=np.array([0.0, -1.0]))


def test_real_pythia_charges(pythia_batch):
    pythia, _ = pythia_batch
    table = pid_charge_table(pythia.particleData)
    pids = np.array([11, -211, 2212, 22, 511, -521, 4122, 2])
    assert particle_charge(pids, table).tolist() == pytest.approx([-1, -1, 1, 0, 0, -1, 1, 2 / 3])
