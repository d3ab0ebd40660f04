"""Truth Higgs bosons and their b-quark daughters from a generator record (pure; GeV, rad).

Works on our pruned record and on a full Delphes ``Particle`` record alike: both give, per particle, ``PID`` and the
Delphes links ``M1, M2, D1, D2`` (index of a mother/daughter within the event's record, -1 for none).

Definitions (those of spanet_hh_hhh_2024):

- a *copy* of a particle is a daughter with the same PID (a shower recoil or a re-emission keeps the parton);
  copy chains are followed through ``M1``/``M2`` (child side) and ``D1``/``D2`` (parent side);
- the *last copy* is the one no copy follows; the truth Higgs kinematics are those of the last-copy Higgs;
- the Higgs daughters are the last-copy b quarks whose copy chain starts from a particle whose mother is a Higgs.

Everything is done on the flattened record, restricted to Higgs bosons and b quarks (the only particles such copy
chains pass through; a full record has ~1000 others), so there is no loop over events, only over the depth of copy
chains (pointer jumping: a few iterations even for a full record).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import awkward as ak
import numpy as np

from multihiggs.constants import B_QUARK_PID, HIGGS_PID

#: Daughters per Higgs kept in the output (H -> b bbar).
N_DAUGHTERS = 2
_MAX_POINTER_JUMPS = 64  # 2**64 steps: enough for any record; guards against corrupted, cyclic links


@dataclass(frozen=True)
class TruthHiggs:
    """Truth Higgs bosons of N events in H slots, ordered by decreasing Higgs pT.

    Every array is NaN where an event has fewer Higgs bosons than slots, or a Higgs has fewer than two b-quark
    daughters. Shapes: Higgs quantities (N, H); quark quantities (N, H, 2), daughters ordered by decreasing pT.
    """

    pt: np.ndarray  # GeV
    eta: np.ndarray
    phi: np.ndarray  # rad
    mass: np.ndarray  # GeV
    b_pt: np.ndarray  # GeV
    b_eta: np.ndarray
    b_phi: np.ndarray  # rad

    @property
    def n_events(self) -> int:
        return int(self.pt.shape[0])

    @property
    def n_higgs(self) -> int:
        return int(self.pt.shape[1])

    def take_events(self, rows: np.ndarray) -> TruthHiggs:
        """The same Higgs bosons for a subset of events (boolean mask or indices)."""
        return TruthHiggs(*(getattr(self, f.name)[rows] for f in fields(self)))

    @classmethod
    def absent(cls, n_events: int, n_higgs: int) -> TruthHiggs:
        """No Higgs bosons at all (background samples)."""
        higgs = np.full((n_events, n_higgs), np.nan, dtype=np.float64)
        quarks = np.full((n_events, n_higgs, N_DAUGHTERS), np.nan, dtype=np.float64)
        return cls(higgs, higgs.copy(), higgs.copy(), higgs.copy(), quarks, quarks.copy(), quarks.copy())


def _flat(array: ak.Array) -> np.ndarray:
    return np.asarray(ak.to_numpy(ak.flatten(array, axis=1)))


def _rank_in_sorted_groups(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Rank (0 = smallest ``key``, ties by position) of each element within its group; groups are contiguous runs."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    sizes = np.diff(np.r_[starts, n])
    which = np.repeat(np.arange(len(starts)), sizes)
    position = np.arange(n) - starts[which]
    table = np.full((len(starts), int(sizes.max())), np.inf)
    table[which, position] = key
    order = np.argsort(table, axis=1, kind="stable")
    rank_table = np.empty_like(order)
    np.put_along_axis(rank_table, order, np.arange(order.shape[1])[None, :], axis=1)
    return rank_table[which, position]


class RecordLinkError(ValueError):
    """The generator record's mother/daughter indices do not point within it (e.g. a filtered ``Particle`` branch)."""


def count_bad_links(
    links: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    candidates: np.ndarray,
    event_size: np.ndarray,
    first_in_event: np.ndarray,
) -> int:
    """Links of the record's ``candidates`` (flat positions) that cannot be right.

    ``links`` are the flattened ``M1, M2, D1, D2`` (per-event indices, -1 for none); ``event_size`` and
    ``first_in_event`` are per candidate. A link is wrong if it points past the end of its event's record, or if the
    candidate's first mother ``M1`` lists daughters ``D1 … D2`` that do not include the candidate (checked where both
    D1 and D2 are set). A full record has none; a filtered ``Particle`` branch whose indices point into the
    unfiltered record (as Delphes Phase-II cards write) has many.
    """
    beyond = sum(int((link[candidates].astype(np.int64) >= event_size).sum()) for link in links)
    own = candidates - first_in_event
    mother = links[0][candidates].astype(np.int64)
    checked = (mother >= 0) & (mother < event_size)
    mother_flat = np.where(checked, first_in_event + mother, 0)
    low, high = (daughter.astype(np.int64)[mother_flat] for daughter in links[2:])
    checked &= (low >= 0) & (high >= 0)
    listed = ((np.minimum(low, high) <= own) & (own <= np.maximum(low, high))) | (own == low) | (own == high)
    return beyond + int((checked & ~listed).sum())


class _CandidateRecord:
    """Higgs bosons and b quarks of a flattened record (the only particles copy chains can pass through).

    Links are kept as positions among the candidates (-1 for none, or for a particle of another kind), except
    ``mother1``/``mother2``, which stay indices into the full flattened record (a Higgs mother is looked up there).
    """

    def __init__(self, pid: ak.Array, links: tuple[ak.Array, ak.Array, ak.Array, ak.Array]) -> None:
        event_size = np.asarray(ak.to_numpy(ak.num(pid, axis=1)), dtype=np.int64)
        self.n_events = len(event_size)
        pid_all = _flat(pid).astype(np.int64)
        self.abs_pid_all = np.abs(pid_all)
        self.index = np.flatnonzero((self.abs_pid_all == B_QUARK_PID) | (self.abs_pid_all == HIGGS_PID))
        self.event = np.searchsorted(np.cumsum(event_size), self.index, side="right")
        self.pid = pid_all[self.index]
        first_in_event = (np.cumsum(event_size) - event_size)[self.event]
        self.position = np.full(len(self.abs_pid_all), -1, dtype=np.int64)
        self.position[self.index] = np.arange(len(self.index))
        flat_links = tuple(_flat(link) for link in links)
        n_bad = count_bad_links(flat_links, self.index, event_size[self.event], first_in_event)  # type: ignore[arg-type]
        if n_bad:
            raise RecordLinkError(
                f"{n_bad} mother/daughter links of Higgs bosons and b quarks in the Particle record point outside "
                "their event or to particles that do not list them: the record is filtered (as Delphes Phase-II "
                "cards write it, with indices into the unfiltered record) or corrupt, and truth matching would be "
                "wrong; write the full generator record (e.g. the card's 'Delphes/allParticles' as Particle)"
            )
        mother1, mother2, daughter1, daughter2 = (
            self._global(link[self.index], first_in_event, event_size[self.event]) for link in flat_links
        )
        self.mother1, self.mother2 = mother1, mother2
        self.same_pid_mother1, self.same_pid_mother2 = self._same_pid(mother1), self._same_pid(mother2)
        self.same_pid_daughter1, self.same_pid_daughter2 = self._same_pid(daughter1), self._same_pid(daughter2)

    @staticmethod
    def _global(links: np.ndarray, first_in_event: np.ndarray, event_size: np.ndarray) -> np.ndarray:
        """Per-event record indices -> indices into the flattened record (-1 where none or out of range)."""
        links = links.astype(np.int64)
        return np.where((links >= 0) & (links < event_size), first_in_event + links, -1)

    def _same_pid(self, links: np.ndarray) -> np.ndarray:
        """Candidate position of the linked particle if it has the same PID, else -1."""
        target = np.where(links >= 0, self.position[np.maximum(links, 0)], -1)
        return np.where((target >= 0) & (self.pid[np.maximum(target, 0)] == self.pid), target, -1)

    def copy_chain_roots(self) -> np.ndarray:
        """Candidate position of the first copy of each candidate (itself if no copy precedes it).

        The preceding copy is a same-PID mother (``M1``, else ``M2``) or, where neither is, a same-PID particle that
        lists the candidate as a daughter: Pythia's recombination of nearby partons (status 73) makes a gluon the
        first mother of a b quark, and Delphes keeps only that one as ``M1`` (seen in a Delphes 3.4.2 record).
        """
        root = np.arange(len(self.pid))
        for daughter in (self.same_pid_daughter2, self.same_pid_daughter1):
            listed = daughter >= 0
            root[daughter[listed]] = np.flatnonzero(listed)
        root = np.where(self.same_pid_mother2 >= 0, self.same_pid_mother2, root)
        root = np.where(self.same_pid_mother1 >= 0, self.same_pid_mother1, root)
        for _ in range(_MAX_POINTER_JUMPS):
            jumped = root[root]
            if np.array_equal(jumped, root):
                break
            root = jumped
        return root

    def is_last_copy(self) -> np.ndarray:
        """False for candidates followed by a copy (same-PID daughter), seen from either side of the links."""
        has_copy = (self.same_pid_daughter1 >= 0) | (self.same_pid_daughter2 >= 0)
        for mother in (self.same_pid_mother1, self.same_pid_mother2):
            has_copy[mother[mother >= 0]] = True
        return ~has_copy

    def higgs_mother(self, candidates: np.ndarray) -> np.ndarray:
        """Candidate position of a Higgs among the mothers of ``candidates`` (M1 first), else -1."""
        found = np.full(len(candidates), -1, dtype=np.int64)
        for mother in (self.mother2[candidates], self.mother1[candidates]):
            is_higgs = (mother >= 0) & (self.abs_pid_all[np.maximum(mother, 0)] == HIGGS_PID)
            found = np.where(is_higgs, self.position[np.maximum(mother, 0)], found)
        return found


def find_truth_higgs(
    pid: ak.Array,
    mother1: ak.Array,
    mother2: ak.Array,
    daughter1: ak.Array,
    daughter2: ak.Array,
    pt: ak.Array,
    eta: ak.Array,
    phi: ak.Array,
    mass: ak.Array,
    n_higgs: int,
) -> TruthHiggs:
    """Last-copy Higgs bosons (by decreasing pT, at most ``n_higgs``) and their last-copy b-quark daughters.

    Arguments are jagged (N events x particles) ``Particle`` branches: PID, M1, M2, D1, D2 (indices within each
    event's record, -1 for none), PT (GeV), Eta, Phi (rad), Mass (GeV).
    """
    record = _CandidateRecord(pid, (mother1, mother2, daughter1, daughter2))
    kinematics = {name: _flat(values)[record.index].astype(np.float64) for name, values in
                  (("pt", pt), ("eta", eta), ("phi", phi), ("mass", mass))}  # fmt: skip
    root = record.copy_chain_roots()
    is_last_copy = record.is_last_copy()
    abs_pid = np.abs(record.pid)
    truth = TruthHiggs.absent(record.n_events, n_higgs)

    # Last-copy Higgs bosons, ranked by decreasing pT within each event (candidates are in event order).
    higgs = np.flatnonzero(is_last_copy & (abs_pid == HIGGS_PID))
    rank = _rank_in_sorted_groups(record.event[higgs], -kinematics["pt"][higgs])
    higgs, slot = higgs[rank < n_higgs], (record.event[higgs] * n_higgs + rank)[rank < n_higgs]
    for target, name in ((truth.pt, "pt"), (truth.eta, "eta"), (truth.phi, "phi"), (truth.mass, "mass")):
        target.reshape(-1)[slot] = kinematics[name][higgs]

    # Last-copy b quarks whose first copy has a Higgs mother; a Higgs is identified by its own first copy.
    slot_of_higgs_root = np.full(len(abs_pid), -1, dtype=np.int64)
    slot_of_higgs_root[root[higgs]] = slot
    quarks = np.flatnonzero(is_last_copy & (abs_pid == B_QUARK_PID))
    decayed = record.higgs_mother(root[quarks])
    quarks, decayed = quarks[decayed >= 0], decayed[decayed >= 0]
    quark_slot = slot_of_higgs_root[root[decayed]]
    quarks, quark_slot = quarks[quark_slot >= 0], quark_slot[quark_slot >= 0]
    by_slot = np.argsort(quark_slot, kind="stable")
    quarks, quark_slot = quarks[by_slot], quark_slot[by_slot]
    daughter_rank = _rank_in_sorted_groups(quark_slot, -kinematics["pt"][quarks])
    kept = daughter_rank < N_DAUGHTERS
    position = quark_slot[kept] * N_DAUGHTERS + daughter_rank[kept]
    for target, name in ((truth.b_pt, "pt"), (truth.b_eta, "eta"), (truth.b_phi, "phi")):
        target.reshape(-1)[position] = kinematics[name][quarks[kept]]
    return truth
