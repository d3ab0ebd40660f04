"""The three ways to pair four chosen jets into two Higgs candidates, shared by the HH pairing baselines.

Within each pairing the *leading* candidate is the one with the larger dijet pT (the usual convention of the
HH -> 4b analyses the seeds follow; hsieh_spanet2 itself does not spell it out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import vector

from multihiggs.baselines.assignments import unique_assignments
from multihiggs.baselines.candidates import HiggsCandidates, canonical_candidates
from multihiggs.jets import Jets, check_distinct_jets, dijet_momenta

N_PAIRINGS = 3


@dataclass(frozen=True)
class HHPairings:
    """The three pairings of four jets per event, in the fixed order of :func:`unique_assignments` (4, 2).

    Attributes:
        leading_pairs, subleading_pairs: int64 (N, 3, 2) original jet indices of each pairing's leading and
            subleading candidates; for an equal dijet pT the candidate holding the first chosen jet leads.
        leading, subleading: their dijet four-momenta (GeV), shape (N, 3).
        has_four_jets: bool (N,), False where fewer than four real jets were chosen (pairings meaningless).
    """

    leading_pairs: np.ndarray
    subleading_pairs: np.ndarray
    leading: vector.MomentumNumpy4D
    subleading: vector.MomentumNumpy4D
    has_four_jets: np.ndarray


def hh_pairings(jets: Jets, four_jets: np.ndarray) -> HHPairings:
    """All pairings of the jets ``four_jets`` (int (N, 4) original indices, -1 = none) into two candidates."""
    four_jets = np.asarray(four_jets, dtype=np.int64)
    if four_jets.shape != (jets.n_events, 4):
        raise ValueError(f"four_jets must have shape ({jets.n_events}, 4), got {four_jets.shape}")
    check_distinct_jets(four_jets, "four_jets")
    has_four_jets = jets.take(four_jets).mask.all(axis=1)
    table = unique_assignments(4, 2)  # (3, 2 candidates, 2 jets) positions within four_jets
    pairs = four_jets[:, table]  # (N, 3, 2, 2) original indices
    momenta = dijet_momenta(jets, pairs)  # (N, 3, 2)
    first_leads = momenta[..., 0].pt >= momenta[..., 1].pt  # (N, 3)
    leading_slot = np.where(first_leads, 0, 1)[..., None, None]
    leading_pairs = np.take_along_axis(pairs, leading_slot, axis=2)[:, :, 0]
    subleading_pairs = np.take_along_axis(pairs, 1 - leading_slot, axis=2)[:, :, 0]
    return HHPairings(
        leading_pairs=leading_pairs,
        subleading_pairs=subleading_pairs,
        leading=dijet_momenta(jets, leading_pairs),
        subleading=dijet_momenta(jets, subleading_pairs),
        has_four_jets=has_four_jets,
    )


def choose_pairing(jets: Jets, pairings: HHPairings, objective: np.ndarray) -> HiggsCandidates:
    """Candidates of the pairing minimising ``objective`` (N, 3); the first pairing wins a tie.

    Events without four chosen jets get two empty slots and a NaN objective.
    """
    best = np.argmin(objective, axis=1)[:, None]
    minimum = np.take_along_axis(objective, best, axis=1)[:, 0]
    chosen = np.stack(
        [
            np.take_along_axis(pairings.leading_pairs, best[..., None], axis=1)[:, 0],
            np.take_along_axis(pairings.subleading_pairs, best[..., None], axis=1)[:, 0],
        ],
        axis=1,
    )
    chosen[~pairings.has_four_jets] = -1
    minimum = np.where(pairings.has_four_jets, minimum, np.nan)
    return canonical_candidates(jets, chosen, minimum)
