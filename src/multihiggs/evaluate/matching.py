"""Compare reconstructed Higgs candidates to the truth targets of each event, independently of slot order.

Candidates. A method's prediction has Hb boosted slots (AK8 jet index, -1 = none) and Hr resolved slots (AK5 jet
pair, -1 = none; a pair with any -1 is no candidate). Every per-candidate array of this package lays the
candidates of an event on one axis of C = Hb + Hr entries: **the boosted slots first, then the resolved slots**
(:func:`stack_candidates`).

Targets. Truth Higgs i is resolved-reconstructable when both ``TARGETS/h{i}/{b1,b2}`` are jets (>= 0), and
boosted-reconstructable when ``TARGETS/bh{i}/bb`` is an AK8 jet (>= 0); it is reconstructable when either holds.

Correctness. A resolved candidate matches truth Higgs i if its unordered jet pair equals the unordered target pair
of a resolved-reconstructable Higgs i; a boosted candidate matches if its AK8 jet equals the ``bh{i}`` target.
Each truth Higgs is credited to **one** candidate only: when several candidates match it (e.g. a method
reconstructs the same Higgs both as an AK8 jet and as a jet pair, or lists the same pair twice), the first one in
candidate order claims it — boosted before resolved, then lower slot — and counts as correct; the others count as
wrong. Hence the number of correct candidates equals the number of correctly reconstructed truth Higgs, and
neither depends on the slot order of the prediction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from multihiggs.jets import check_distinct_jets

NO_MATCH = -1


@dataclass(frozen=True)
class HiggsTargets:
    """Truth targets of N events and H Higgs bosons (layout ``TARGETS``), -1 for "not matched".

    Attributes:
        resolved: int (N, H, 2), AK5 jet index of each b quark of Higgs i.
        boosted: int (N, H), AK8 jet index of Higgs i.
    """

    resolved: np.ndarray
    boosted: np.ndarray

    def __post_init__(self) -> None:
        resolved, boosted = np.asarray(self.resolved), np.asarray(self.boosted)
        if resolved.ndim != 3 or resolved.shape[2] != 2:
            raise ValueError(f"resolved targets must have shape (N, H, 2), got {resolved.shape}")
        if boosted.shape != resolved.shape[:2]:
            raise ValueError(f"boosted targets must have shape {resolved.shape[:2]}, got {boosted.shape}")
        # Distinct target jets make every candidate match at most one truth Higgs.
        check_distinct_jets(resolved.reshape(len(resolved), -1), "the resolved targets")
        check_distinct_jets(boosted, "the boosted targets")
        object.__setattr__(self, "resolved", resolved.astype(np.int64))
        object.__setattr__(self, "boosted", boosted.astype(np.int64))

    @property
    def n_higgs(self) -> int:
        return int(self.boosted.shape[1])

    @property
    def resolved_reconstructable(self) -> np.ndarray:
        """(N, H) bool: both b quarks matched to AK5 jets."""
        return (self.resolved >= 0).all(axis=-1)

    @property
    def boosted_reconstructable(self) -> np.ndarray:
        """(N, H) bool: the Higgs matched to an AK8 jet."""
        return self.boosted >= 0

    @property
    def reconstructable(self) -> np.ndarray:
        """(N, H) bool: reconstructable as resolved or as boosted."""
        return self.resolved_reconstructable | self.boosted_reconstructable


@dataclass(frozen=True)
class CandidateMatch:
    """Outcome of :func:`match_candidates` for N events, C candidates, H truth Higgs bosons.

    Attributes:
        present: bool (N, C), the candidate slot holds a candidate.
        is_boosted: bool (N, C), the candidate is an AK8 jet (else a jet pair).
        correct: bool (N, C), the candidate was credited with a truth Higgs.
        matched_higgs: int64 (N, C), index (0-based) of that truth Higgs; -1 for wrong or absent candidates.
        claimed_by: int64 (N, H), candidate index credited with truth Higgs h; -1 if none.
        targets: the truth targets compared with.
    """

    present: np.ndarray
    is_boosted: np.ndarray
    correct: np.ndarray
    matched_higgs: np.ndarray
    claimed_by: np.ndarray
    targets: HiggsTargets

    @property
    def reconstructed(self) -> np.ndarray:
        """(N, H) bool: the truth Higgs was reconstructed correctly (by any candidate)."""
        return self.claimed_by >= 0

    @property
    def reconstructed_boosted(self) -> np.ndarray:
        """(N, H) bool: the truth Higgs was credited to a boosted candidate."""
        return self.reconstructed & np.take_along_axis(self.is_boosted, np.maximum(self.claimed_by, 0), axis=1)

    @property
    def reconstructed_resolved(self) -> np.ndarray:
        """(N, H) bool: the truth Higgs was credited to a resolved candidate."""
        return self.reconstructed & ~self.reconstructed_boosted


def stack_candidates(boosted_values: np.ndarray, resolved_values: np.ndarray) -> np.ndarray:
    """Per-candidate values on the candidate axis: boosted (N, Hb, ...) then resolved (N, Hr, ...) -> (N, C, ...)."""
    return np.concatenate([np.asarray(boosted_values), np.asarray(resolved_values)], axis=1)


def resolved_present(resolved_assignments: np.ndarray) -> np.ndarray:
    """(N, Hr) bool: a resolved slot (N, Hr, 2) holds a candidate (both jets given)."""
    return (np.asarray(resolved_assignments) >= 0).all(axis=-1)


def candidate_topology(n_events: int, n_boosted_slots: int, n_resolved_slots: int) -> np.ndarray:
    """(N, C) bool: True on the boosted entries of the candidate axis."""
    row = np.concatenate([np.ones(n_boosted_slots, dtype=bool), np.zeros(n_resolved_slots, dtype=bool)])
    return np.broadcast_to(row, (n_events, row.size)).copy()


def match_candidates(
    resolved_assignments: np.ndarray, boosted_assignments: np.ndarray, targets: HiggsTargets
) -> CandidateMatch:
    """Match the candidates of a prediction to the truth targets (rules in the module docstring).

    Args:
        resolved_assignments: int (N, Hr, 2) AK5 jet pairs, -1 = none.
        boosted_assignments: int (N, Hb) AK8 jets, -1 = none.
        targets: truth targets of the same N events.
    """
    resolved_assignments = np.asarray(resolved_assignments)
    boosted_assignments = np.asarray(boosted_assignments)
    n_events = len(targets.boosted)
    if resolved_assignments.ndim != 3 or resolved_assignments.shape[2] != 2:
        raise ValueError(f"resolved assignments must have shape (N, Hr, 2), got {resolved_assignments.shape}")
    if boosted_assignments.ndim != 2:
        raise ValueError(f"boosted assignments must have shape (N, Hb), got {boosted_assignments.shape}")
    if len(resolved_assignments) != n_events or len(boosted_assignments) != n_events:
        raise ValueError(
            f"predictions hold {len(resolved_assignments)} (resolved) / {len(boosted_assignments)} (boosted) events, "
            f"the targets {n_events}"
        )

    resolved_is_candidate = resolved_present(resolved_assignments)
    boosted_is_candidate = boosted_assignments >= 0
    # (N, Hr, H): unordered pair equality via sorted pairs.
    resolved_matches = (
        (
            np.sort(resolved_assignments, axis=-1)[:, :, None, :] == np.sort(targets.resolved, axis=-1)[:, None, :, :]
        ).all(axis=-1)
        & resolved_is_candidate[:, :, None]
        & targets.resolved_reconstructable[:, None, :]
    )
    boosted_matches = (
        (boosted_assignments[:, :, None] == targets.boosted[:, None, :])
        & boosted_is_candidate[:, :, None]
        & targets.boosted_reconstructable[:, None, :]
    )
    matches = stack_candidates(boosted_matches, resolved_matches)  # (N, C, H)
    n_candidates = matches.shape[1]

    claimed_by = np.where(matches.any(axis=1), np.argmax(matches, axis=1), NO_MATCH)  # first candidate per Higgs
    credited = claimed_by[:, None, :] == np.arange(n_candidates)[None, :, None]  # (N, C, H)
    correct = credited.any(axis=2)
    return CandidateMatch(
        present=stack_candidates(boosted_is_candidate, resolved_is_candidate),
        is_boosted=candidate_topology(n_events, boosted_assignments.shape[1], resolved_assignments.shape[1]),
        correct=correct,
        matched_higgs=np.where(correct, np.argmax(credited, axis=2), NO_MATCH).astype(np.int64),
        claimed_by=claimed_by.astype(np.int64),
        targets=targets,
    )
