"""Pruning of the Pythia generator record into Delphes ``Particle`` records.

A full Pythia record holds ~1000–2000 particles per event; the truth matching needs only the hard process, the
Higgs bosons (every copy) and the b quarks from their decays (every shower copy). Keeping just those makes files
> 100× smaller. Mother/daughter indices are remapped to the pruned list, with −1 for "none or not kept", which is
the Delphes convention (there the index counts from the first stored particle).
"""

from __future__ import annotations

import awkward as ak
import numpy as np
import vector

from multihiggs.constants import B_QUARK_PID, HIGGS_PID

#: Pythia status codes (absolute value) of the incoming partons of the hardest process.
_HARD_INCOMING_STATUS = 21

vector.register_awkward()
_MAX_COPY_CHAIN = 64  # a b quark is copied by the shower at most a few dozen times


def _take(values: ak.Array, indices: ak.Array) -> ak.Array:
    """``values[event][index]`` for jagged ``indices`` (negative or out-of-range indices give False/0)."""
    counts = ak.num(values)
    valid = (indices >= 0) & (indices < counts)
    safe = ak.where(valid, indices, 0)
    return ak.where(valid, values[safe], ak.zeros_like(values[safe]))


def higgs_decay_products_mask(pid: ak.Array, mother1: ak.Array) -> ak.Array:
    """Mask of b quarks descending from a Higgs boson through b-quark copies (jagged bool, per particle).

    A b quark qualifies if its first mother is a Higgs, or is a qualifying b quark of the same PDG id
    (a shower copy). Pythia indices are positions in the event record (entry 0 is the system).
    """
    is_b = abs(pid) == B_QUARK_PID
    from_higgs = is_b & (_take(pid, mother1) == HIGGS_PID)
    for _ in range(_MAX_COPY_CHAIN):
        extended = from_higgs | (is_b & _take(from_higgs, mother1) & (_take(pid, mother1) == pid))
        if ak.all(extended == from_higgs):
            return extended
        from_higgs = extended
    raise ValueError(f"b-quark copy chain longer than {_MAX_COPY_CHAIN} steps: corrupt generator record?")


def prune_generator_record(prt: ak.Array) -> ak.Array:
    """Pruned generator record as Delphes ``Particle`` records, per event.

    Args:
        prt: Pythia particles per event (as from ``Pythia.nextBatch``: fields id, status, mother1, mother2,
            daughter1, daughter2, p (Momentum4D, GeV), m).

    Returns:
        Jagged records with fields PID, Status (|Pythia status|), M1, M2, D1, D2 (indices into the pruned list,
        −1 for none), PT, Eta, Phi, Mass (GeV, rad; Eta = ±999.9 for particles along the beam).
    """
    pid = prt.id
    keep = (
        (abs(prt.status) == _HARD_INCOMING_STATUS)
        | (abs(pid) == HIGGS_PID)
        | higgs_decay_products_mask(pid, prt.mother1)
    )
    new_index = ak.where(keep, _running_count(keep) - 1, -1)

    def remap(old: ak.Array) -> ak.Array:
        # Pythia uses 0 for "no mother/daughter"; the system entry 0 is never kept.
        return ak.where(old > 0, _take(new_index, old), -1)[keep]

    momentum = prt.p[keep]
    pt = momentum.pt
    eta = ak.where(pt > 0, momentum.eta, ak.where(momentum.pz >= 0, 999.9, -999.9))
    return ak.zip(
        {
            "PID": ak.values_astype(pid[keep], np.int32),
            "Status": ak.values_astype(abs(prt.status[keep]), np.int32),
            "M1": ak.values_astype(remap(prt.mother1), np.int32),
            "M2": ak.values_astype(remap(prt.mother2), np.int32),
            "D1": ak.values_astype(remap(prt.daughter1), np.int32),
            "D2": ak.values_astype(remap(prt.daughter2), np.int32),
            "PT": ak.values_astype(pt, np.float32),
            "Eta": ak.values_astype(eta, np.float32),
            "Phi": ak.values_astype(momentum.phi, np.float32),
            "Mass": ak.values_astype(prt.m[keep], np.float32),
        }
    )


def _running_count(mask: ak.Array) -> ak.Array:
    """Per-event cumulative count of True entries (1-based at each True)."""
    counts = ak.num(mask)
    flat = np.cumsum(ak.to_numpy(ak.flatten(mask)).astype(np.int64))
    offsets = np.concatenate([[0], np.cumsum(ak.to_numpy(counts))])
    before_event = np.concatenate([[0], flat])[offsets[:-1]]
    per_event_start = np.repeat(before_event, ak.to_numpy(counts))
    return ak.unflatten(flat - per_event_start, counts)
