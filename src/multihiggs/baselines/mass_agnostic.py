"""The mass-agnostic HH pairing baseline (li2023hhh): the two candidates whose masses are most alike.

Over the three pairings of four chosen jets, minimise the distance of the point (m_lead, m_sub) to the line
m_lead = k m_sub in the mass plane,

    D = |m_lead - k m_sub| / sqrt(1 + k^2),   k = 125 / 120,

where "lead" is the candidate with the larger dijet pT (the subleading candidate's mass is expected slightly
lower, hence k > 1: the CMS HH -> 4b convention the seed quotes). No Higgs-mass hypothesis enters, which limits
the sculpting of background mass distributions.
"""

from __future__ import annotations

import numpy as np

from multihiggs.baselines.candidates import HiggsCandidates
from multihiggs.baselines.hh_pairings import choose_pairing, hh_pairings
from multihiggs.jets import Jets

DEFAULT_MASS_RATIO = 125.0 / 120.0


def mass_agnostic_pairing(
    jets: Jets, four_jets: np.ndarray, *, mass_ratio: float = DEFAULT_MASS_RATIO
) -> HiggsCandidates:
    """Pair ``four_jets`` (int (N, 4), -1 = none) into two candidates minimising D (GeV).

    Args:
        jets: the events' AK5 jets, (N, J).
        four_jets: original indices of the four jets to pair, e.g. from
            :func:`~multihiggs.baselines.jet_selection.four_tag_jets` (hsieh_spanet2) or
            :func:`~multihiggs.baselines.jet_selection.leading_by_btag_then_pt` (li2023hhh, "top 4 jets").
        mass_ratio: k, the expected ratio m_lead / m_sub.

    Returns:
        Candidates (leading first) with ``objective`` = the minimal D (GeV); events without four jets get
        empty slots and NaN. Ties go to the first pairing of :func:`~multihiggs.baselines.hh_pairings.hh_pairings`.
    """
    if not mass_ratio > 0:
        raise ValueError(f"mass_ratio must be positive, got {mass_ratio}")
    pairings = hh_pairings(jets, four_jets)
    distance = np.abs(pairings.leading.mass - mass_ratio * pairings.subleading.mass) / np.sqrt(1 + mass_ratio**2)
    return choose_pairing(jets, pairings, distance)
