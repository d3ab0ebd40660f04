"""The min-Delta R HH pairing baseline (hsieh_spanet2's "min-ΔR" pairing).

Over the three pairings of four chosen jets, take the one whose *leading* candidate (larger dijet pT) has the
smallest Delta R = sqrt(Delta eta^2 + Delta phi^2) between its two jets; the subleading candidate is the other
two jets. It is neither min(max Delta R) nor the smallest Delta R of any pair. Seed 003 names the method
without defining it; this is the usual HH -> 4b reading (ATLAS-style min-Delta R pairing), motivated by the
collimated decay products of the harder Higgs boson. Another reading of "leading", the pair holding the
hardest jet, differs from ours only when that pair has the smaller dijet pT.
"""

from __future__ import annotations

import numpy as np

from multihiggs.baselines.candidates import HiggsCandidates
from multihiggs.baselines.hh_pairings import choose_pairing, hh_pairings
from multihiggs.jets import Jets


def min_delta_r_pairing(jets: Jets, four_jets: np.ndarray) -> HiggsCandidates:
    """Pair ``four_jets`` (int (N, 4), -1 = none) so that the leading candidate's jets are closest in Delta R.

    Returns:
        Candidates (leading first) with ``objective`` = the leading candidate's Delta R; events without four
        jets get empty slots and NaN. Ties go to the first pairing of
        :func:`~multihiggs.baselines.hh_pairings.hh_pairings`.
    """
    pairings = hh_pairings(jets, four_jets)
    momenta = jets.take(pairings.leading_pairs.reshape(jets.n_events, -1)).four_momenta()
    momenta = momenta.reshape(pairings.leading_pairs.shape)
    leading_delta_r = momenta[..., 0].deltaR(momenta[..., 1])
    return choose_pairing(jets, pairings, leading_delta_r)
