"""Hand-built Delphes-schema events for the conversion tests (imported by the test modules of this folder)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import awkward as ak
import numpy as np

JET = {
    "PT": 50.0,
    "Eta": 0.0,
    "Phi": 0.0,
    "Mass": 10.0,
    "BTag": 0,
    "Flavor": 0,
    "NCharged": 10,
    "NNeutrals": 5,
    "ChargedEnergyFraction": 0.6,
    "NeutralEnergyFraction": 0.4,
}
FATJET = {**JET, "PT": 300.0, "Mass": 120.0, "SoftDroppedMass": 110.0}
FATJET.update({f"Tau{i}": 0.5 / i for i in range(1, 6)})
PARTICLE = {
    "PID": 21,
    "Status": 1,
    "M1": -1,
    "M2": -1,
    "D1": -1,
    "D2": -1,
    "PT": 0.0,
    "Eta": 0.0,
    "Phi": 0.0,
    "Mass": 0.0,
}
_INTEGER_FIELDS = {"BTag", "Flavor", "NCharged", "NNeutrals", "PID", "Status", "M1", "M2", "D1", "D2"}

Event = Mapping[str, Any]  # {"jets": [...], "fatjets": [...], "particles": [...], "number": int, "weight": float}


def _collection(objects_per_event: Sequence[Sequence[Mapping[str, Any]]], defaults: Mapping[str, Any]) -> ak.Array:
    counts = np.array([len(objects) for objects in objects_per_event], dtype=np.int64)
    columns = {}
    for name, default in defaults.items():
        values = [obj.get(name, default) for objects in objects_per_event for obj in objects]
        columns[name] = np.array(values, dtype=np.int32 if name in _INTEGER_FIELDS else np.float32)
    return ak.unflatten(ak.zip(columns), counts)


def collections_from_events(events: Sequence[Event]) -> dict[str, ak.Array]:
    """Collections for write_delphes from per-event dicts (missing fields take the defaults above)."""
    event_records = ak.zip(
        {
            "Number": np.array([event.get("number", index) for index, event in enumerate(events)], dtype=np.int64),
            "Weight": np.array([event.get("weight", 1.0) for event in events], dtype=np.float32),
        }
    )
    return {
        "Event": ak.unflatten(event_records, np.ones(len(events), dtype=np.int64)),
        "Jet": _collection([event.get("jets", []) for event in events], JET),
        "FatJet": _collection([event.get("fatjets", []) for event in events], FATJET),
        "Particle": _collection([event.get("particles", []) for event in events], PARTICLE),
    }


def chunk_from_events(events: Sequence[Event]) -> dict[str, ak.Array]:
    """{logical branch: array} as iterate_delphes yields it, without a file."""
    collections = collections_from_events(events)
    chunk = {f"Event.{field}": ak.firsts(collections["Event"][field]) for field in ("Number", "Weight")}
    for name in ("Jet", "FatJet", "Particle"):
        chunk.update({f"{name}.{field}": collections[name][field] for field in collections[name].fields})
    return chunk


def pruned_record(higgs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A generator record like our pruned one: 2 gluons, then per Higgs a first and a last copy, and per b quark a
    first copy (mother: last Higgs) and a last copy. Each Higgs: {"pt", "eta", "phi", "mass", "b": [(pt, eta, phi),
    (pt, eta, phi)]}; first copies get 10 % more pT so that picking the wrong copy shows."""
    n = len(higgs)
    particles: list[dict[str, Any]] = [{"PID": 21, "D1": 2, "D2": 1 + n}, {"PID": 21, "D1": 2, "D2": 1 + n}]
    for i, h in enumerate(higgs):
        particles.append(
            {"PID": 25, "M1": 0, "M2": 1, "D1": 2 + n + i, "D2": 2 + n + i, "PT": 1.1 * h["pt"], "Eta": h["eta"],
             "Phi": h["phi"], "Mass": h["mass"]}
        )  # fmt: skip
    first_b = 2 + 2 * n
    for i, h in enumerate(higgs):
        particles.append(
            {"PID": 25, "M1": 2 + i, "M2": 2 + i, "D1": first_b + 2 * i, "D2": first_b + 2 * i + 1, "PT": h["pt"],
             "Eta": h["eta"], "Phi": h["phi"], "Mass": h["mass"]}
        )  # fmt: skip
    for i, h in enumerate(higgs):
        for k, (pt, eta, phi) in enumerate(h["b"]):
            last = first_b + 2 * n + 2 * i + k
            particles.append(
                {"PID": 5 * (1 - 2 * k), "M1": 2 + n + i, "D1": last, "D2": last, "PT": 1.05 * pt, "Eta": eta + 0.3,
                 "Phi": phi, "Mass": 4.8}
            )  # fmt: skip
    for i, h in enumerate(higgs):
        for k, (pt, eta, phi) in enumerate(h["b"]):
            first = first_b + 2 * i + k
            particles.append(
                {"PID": 5 * (1 - 2 * k), "M1": first, "M2": first, "PT": pt, "Eta": eta, "Phi": phi, "Mass": 4.8}
            )
    return particles
