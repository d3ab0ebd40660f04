"""Pruning of the Pythia generator record into Delphes ``Particle`` records.

A full Pythia record holds ~1000–2000 particles per event; the truth matching needs only the hard process (its
incoming, intermediate and outgoing partons: these also classify a QCD event by the flavours of its hard
scattering), the Higgs bosons (every copy) and the b quarks from their decays (every shower copy). Keeping just
those makes files > 100× smaller. Mother/daughter indices are remapped to the pruned list, with −1 for "none or
not kept", which is the Delphes convention (there the index counts from the first stored particle).

The work is done on the flattened record (one numpy array over all particles of the batch, indices made global
by the event offsets), so its cost is a few passes over the particles, whatever the number of events.
"""

from __future__ import annotations

import awkward as ak
import numpy as np
import vector

from multihiggs.constants import B_QUARK_PID, HIGGS_PID

#: Pythia status codes (absolute value) of the hardest process: incoming, intermediate, outgoing partons.
_HARD_PROCESS_STATUS = (21, 22, 23)
_MAX_COPY_CHAIN = 256  # a b quark is copied by the shower a few dozen times at most

vector.register_awkward()


def _flat(array: ak.Array) -> np.ndarray:
    return ak.to_numpy(ak.flatten(array))


def _global_index(local: np.ndarray, event_offsets: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Flat index of per-event ``local`` indices; −1 where the local index is ≤ 0 (Pythia's 'none') or invalid."""
    valid = (local > 0) & (local < np.repeat(counts, counts))
    return np.where(valid, local + np.repeat(event_offsets, counts), -1)


def higgs_decay_products_mask(pid: ak.Array, mother1: ak.Array, mother2: ak.Array | None = None) -> ak.Array:
    """Mask of b quarks descending from a Higgs boson through b-quark copies (jagged bool, per particle).

    A b quark qualifies if its first mother is a Higgs, or if its first or second mother is a qualifying b quark
    of the same PDG id: a shower copy (mother1), or the b of a recombination g + b → b (Pythia status 73), where
    the b may be the second mother. Pythia indices are positions in the event record (entry 0 is the system).
    """
    counts = ak.to_numpy(ak.num(pid))
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    flat_pid = _flat(pid)
    mothers = [_global_index(_flat(m), offsets, counts) for m in (mother1, mother2) if m is not None]
    return ak.unflatten(_from_higgs_flat(flat_pid, *mothers), counts)


def _from_higgs_flat(flat_pid: np.ndarray, mother1: np.ndarray, mother2: np.ndarray | None = None) -> np.ndarray:
    """Flat version of :func:`higgs_decay_products_mask` with global mother indices (−1 for none)."""
    b_index = np.flatnonzero(np.abs(flat_pid) == B_QUARK_PID)
    from_higgs = np.zeros(flat_pid.size, dtype=bool)
    first = mother1[b_index]
    from_higgs[b_index] = (first >= 0) & (flat_pid[np.maximum(first, 0)] == HIGGS_PID)
    # the Higgs origin propagates from a mother of the same PDG id (first or second mother) to the b quark
    mothers = [m[b_index] for m in (mother1, mother2) if m is not None]
    same_flavour = [(m >= 0) & (flat_pid[np.maximum(m, 0)] == flat_pid[b_index]) for m in mothers]
    for _ in range(_MAX_COPY_CHAIN):
        extended = from_higgs[b_index].copy()
        for is_copy, mother in zip(same_flavour, mothers, strict=True):
            extended |= is_copy & from_higgs[np.maximum(mother, 0)]
        if np.array_equal(extended, from_higgs[b_index]):
            return from_higgs
        from_higgs[b_index] = extended
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
    counts = ak.to_numpy(ak.num(prt.id))
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    flat_pid = _flat(prt.id)
    flat_status = np.abs(_flat(prt.status))
    mother1 = _global_index(_flat(prt.mother1), offsets, counts)
    mother2 = _global_index(_flat(prt.mother2), offsets, counts)
    in_hard_process = np.isin(flat_status, _HARD_PROCESS_STATUS)
    keep = in_hard_process | (np.abs(flat_pid) == HIGGS_PID) | _from_higgs_flat(flat_pid, mother1, mother2)
    event_of_particle = np.repeat(np.arange(counts.size), counts)
    kept_counts = np.bincount(event_of_particle[keep], minlength=counts.size)
    # New index of every kept particle within its event's pruned list (−1 for dropped particles).
    kept_before_event = np.repeat(np.concatenate([[0], np.cumsum(kept_counts)[:-1]]), counts)
    new_index = np.where(keep, np.cumsum(keep) - 1 - kept_before_event, -1)

    def remap(field: str) -> np.ndarray:
        target = _global_index(_flat(prt[field]), offsets, counts)
        return np.where(target >= 0, new_index[np.maximum(target, 0)], -1)[keep].astype(np.int32)

    momentum = ak.flatten(prt.p)[keep]
    pt = ak.to_numpy(momentum.pt)
    eta = np.where(pt > 0, ak.to_numpy(momentum.eta), np.where(ak.to_numpy(momentum.pz) >= 0, 999.9, -999.9))
    flat_records = {
        "PID": flat_pid[keep].astype(np.int32),
        "Status": flat_status[keep].astype(np.int32),
        "M1": remap("mother1"),
        "M2": remap("mother2"),
        "D1": remap("daughter1"),
        "D2": remap("daughter2"),
        "PT": pt.astype(np.float32),
        "Eta": eta.astype(np.float32),
        "Phi": ak.to_numpy(momentum.phi).astype(np.float32),
        "Mass": _flat(prt.m)[keep].astype(np.float32),
    }
    return ak.unflatten(ak.zip(flat_records), kept_counts)
