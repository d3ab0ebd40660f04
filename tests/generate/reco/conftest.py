"""Fixtures for the reconstruction tests: hand-built particles and records, and a few real Pythia events."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest
import vector

from multihiggs.generate.reco.charge import ChargeTable

vector.register_awkward()


def momentum(pt: float, eta: float, phi: float, mass: float = 0.0) -> dict[str, float]:
    """px, py, pz, E (GeV) of a particle given pT (GeV), η, φ (rad), mass (GeV)."""
    p4 = vector.obj(pt=pt, eta=eta, phi=phi, mass=mass)
    return {"px": p4.px, "py": p4.py, "pz": p4.pz, "E": p4.E}


def particles(events: list[list[tuple]]) -> ak.Array:
    """Per-event Momentum4D particles with ``charge`` from tuples (pt, eta, phi, mass, charge)."""
    records = [
        [{**momentum(pt, eta, phi, mass), "charge": float(charge)} for pt, eta, phi, mass, charge in event]
        for event in events
    ]
    return _typed(records, {"px": float, "py": float, "pz": float, "E": float, "charge": float})


def ghosts(events: list[list[tuple]]) -> ak.Array:
    """Per-event Momentum4D hadrons with ``flavour`` from tuples (pt, eta, phi, mass, flavour)."""
    records = [
        [{**momentum(pt, eta, phi, mass), "flavour": int(flavour)} for pt, eta, phi, mass, flavour in event]
        for event in events
    ]
    return _typed(records, {"px": float, "py": float, "pz": float, "E": float, "flavour": int})


def _typed(records: list[list[dict]], fields: dict[str, type]) -> ak.Array:
    """Jagged Momentum4D array with fixed field types even when every event is empty."""
    counts = [len(event) for event in records]
    flat = [record for event in records for record in event]
    columns = {
        name: np.array([record[name] for record in flat], dtype=np.float64 if kind is float else np.int64)
        for name, kind in fields.items()
    }
    return ak.unflatten(ak.zip(columns, with_name="Momentum4D"), counts)


def pythia_record(events: list[list[dict]]) -> ak.Array:
    """Pythia-like ``prt`` records: dicts with id, status, daughter1, daughter2 and pt, eta, phi, mass."""
    counts = [len(event) for event in events]
    flat = [particle for event in events for particle in event]
    p4 = [momentum(p["pt"], p["eta"], p["phi"], p.get("mass", 0.0)) for p in flat]
    columns = {
        name: np.array([p[name] for p in flat], dtype=np.int32) for name in ("id", "status", "daughter1", "daughter2")
    }
    columns["p"] = ak.zip(
        {
            name: np.array([q[key] for q in p4], dtype=np.float64)
            for name, key in (("px", "px"), ("py", "py"), ("pz", "pz"), ("e", "E"))
        },
        with_name="Momentum4D",
    )
    return ak.unflatten(ak.zip(columns, depth_limit=1), counts)


@pytest.fixture
def make_particles():
    """Builder of hand-made particles: ``make_particles([[(pt, eta, phi, mass, charge), ...], ...])``."""
    return particles


@pytest.fixture
def make_ghosts():
    """Builder of hand-made ghost hadrons: ``make_ghosts([[(pt, eta, phi, mass, flavour), ...], ...])``."""
    return ghosts


@pytest.fixture
def make_pythia_record():
    """Builder of Pythia-like records from per-particle dicts (id, status, daughter1, daughter2, pt, eta, phi)."""
    return pythia_record


@pytest.fixture
def small_charge_table() -> ChargeTable:
    """Charges of the few PDG ids the hand-built records use."""
    table = {
        -411: -1.0,
        -211: -1.0,
        -16: 0.0,
        -12: 0.0,
        -11: 1.0,
        11: -1.0,
        12: 0.0,
        22: 0.0,
        111: 0.0,
        130: 0.0,
        211: 1.0,
        321: 1.0,
        411: 1.0,
        511: 0.0,
        -511: 0.0,
        513: 0.0,
        2212: 1.0,
        90: 0.0,
    }
    pids = np.array(sorted(table))
    return ChargeTable(pids=pids, charges=np.array([table[pid] for pid in pids]))


@pytest.fixture(scope="session")
def pythia_batch():
    """(Pythia instance, 20 b b̄ events): 13 TeV HardQCD:hardbbbar, p̂T > 250 GeV, hadronisation on, MPI off."""
    pythia8mc = pytest.importorskip("pythia8mc")
    pythia = pythia8mc.Pythia("", False)
    for setting in (
        "Beams:eCM = 13000",
        "HardQCD:hardbbbar = on",
        "PhaseSpace:pTHatMin = 250",
        "PartonLevel:MPI = off",
        "HadronLevel:all = on",
        "Print:quiet = on",
        "Next:numberCount = 0",
        "Random:setSeed = on",
        "Random:seed = 12345",
    ):
        pythia.readString(setting)
    if not pythia.init():
        raise RuntimeError("Pythia initialisation failed")
    return pythia, pythia.nextBatch(20, errorMode="skip")
