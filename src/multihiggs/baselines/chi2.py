"""The chi^2 pairing baseline (li2023hhh, spanet_hh_hhh_2024): Higgs candidates with dijet masses closest to m_H.

chi^2 = sum over candidates of (m_bb - m_H)^2 (GeV^2) is minimised over every unique assignment of the pooled
jets to ``n_higgs`` unordered pairs. The pool is either the top 2 n_higgs jets by b-tag then pT (the seeds'
baseline: 15 assignments for HHH, 3 for HH) or all real jets (up to 3150 assignments for HHH with 10 jets).

Dijet masses are computed once per event for all jet pairs; each assignment's chi^2 is then a sum of gathered
per-pair terms through the precomputed tables of :mod:`multihiggs.baselines.assignments`.
"""

from __future__ import annotations

import numpy as np

from multihiggs.baselines.assignments import assignment_pair_indices, jet_pairs, unique_assignments
from multihiggs.baselines.candidates import HiggsCandidates, canonical_candidates
from multihiggs.constants import HIGGS_MASS_GEV
from multihiggs.jets import Jets, check_distinct_jets

# Events per block are chosen so that one block's (events, assignments) chi^2 sums hold ~2^19 numbers (4 MB):
# large enough to amortise numpy call overhead, small enough to stay in cache.
BLOCK_ENTRIES = 1 << 19


def chi2_pairing(
    jets: Jets,
    n_higgs: int,
    *,
    candidate_jets: np.ndarray | None = None,
    higgs_mass_gev: float = HIGGS_MASS_GEV,
    chunk_events: int | None = None,
) -> HiggsCandidates:
    """Pair jets into ``n_higgs`` Higgs candidates minimising chi^2 = sum (m_bb - m_H)^2.

    Args:
        jets: the events' AK5 jets, (N, J).
        n_higgs: number of Higgs candidates (2 for HH, 3 for HHH).
        candidate_jets: int (N, n) original indices of the jets to pair (-1 = none), e.g. from
            :func:`~multihiggs.baselines.jet_selection.leading_by_btag_then_pt`; None pools every real jet.
        higgs_mass_gev: m_H (GeV).
        chunk_events: events processed at once (memory ~16 * chunk_events * n_assignments bytes); None picks
            ``BLOCK_ENTRIES // n_assignments``.

    Returns:
        Candidates in the original jet indexing; ``objective`` is the minimal chi^2 (GeV^2). An event with
        fewer than 2 n_higgs pooled jets gets as many candidates as its jets allow (floor(n / 2), chi^2 summed
        over those), the remaining slots empty; below 2 jets it gets none and a NaN chi^2. Ties go to the first
        assignment in the pool order (b-tag then pT for the top-jets pool, slot order for all jets).
    """
    if n_higgs < 1:
        raise ValueError(f"n_higgs must be positive, got {n_higgs}")
    if chunk_events is not None and chunk_events < 1:
        raise ValueError(f"chunk_events must be positive, got {chunk_events}")
    if candidate_jets is None:
        pool_index = np.broadcast_to(np.arange(jets.n_slots), (jets.n_events, jets.n_slots))
    else:
        pool_index = np.asarray(candidate_jets, dtype=np.int64)
        check_distinct_jets(pool_index, "candidate_jets")
    pool = jets.take(pool_index)

    chosen_pairs = np.full((jets.n_events, n_higgs, 2), -1, dtype=np.int64)
    chi2 = np.full(jets.n_events, np.nan)
    n_possible = np.minimum(n_higgs, pool.n_jets() // 2)
    if n_possible.max(initial=0) == 0:
        return canonical_candidates(jets, chosen_pairs, chi2)

    pair_cost = _pair_chi2_terms(pool, higgs_mass_gev)
    for n_candidates in range(1, n_higgs + 1):
        events = np.flatnonzero(n_possible == n_candidates)
        if events.size == 0:
            continue
        best, chi2[events] = _minimise_over_assignments(
            pair_cost[events], assignment_pair_indices(pool.n_slots, n_candidates), chunk_events
        )
        pool_pairs = unique_assignments(pool.n_slots, n_candidates)[best]
        original = np.take_along_axis(pool_index[events], pool_pairs.reshape(events.size, -1), axis=1)
        chosen_pairs[events, :n_candidates] = original.reshape(events.size, n_candidates, 2)
    return canonical_candidates(jets, chosen_pairs, chi2)


def _pair_chi2_terms(pool: Jets, higgs_mass_gev: float) -> np.ndarray:
    """(m_ij - m_H)^2 (GeV^2) for every jet pair of :func:`jet_pairs`, +inf if a jet is padding: (N, P)."""
    pairs = jet_pairs(pool.n_slots)
    momenta = pool.four_momenta()
    pair_mass = (momenta[:, pairs[:, 0]] + momenta[:, pairs[:, 1]]).mass
    both_real = pool.mask[:, pairs[:, 0]] & pool.mask[:, pairs[:, 1]]
    return np.where(both_real, np.square(pair_mass - higgs_mass_gev), np.inf)


def _minimise_over_assignments(
    pair_cost: np.ndarray, assignment_pairs: np.ndarray, chunk_events: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Index and value of the smallest summed pair cost over assignments (rows of ``assignment_pairs``)."""
    n_events = len(pair_cost)
    if chunk_events is None:
        chunk_events = max(1, BLOCK_ENTRIES // len(assignment_pairs))
    best = np.empty(n_events, dtype=np.int64)
    minimum = np.empty(n_events)
    for start in range(0, n_events, chunk_events):
        block = pair_cost[start : start + chunk_events]
        # np.take along axis 1 is several times faster than fancy indexing for these small tables.
        total = np.take(block, assignment_pairs[:, 0], axis=1)
        for slot in range(1, assignment_pairs.shape[1]):
            total += np.take(block, assignment_pairs[:, slot], axis=1)
        block_best = np.argmin(total, axis=1)
        best[start : start + len(block)] = block_best
        minimum[start : start + len(block)] = np.take_along_axis(total, block_best[:, None], axis=1)[:, 0]
    return best, minimum
