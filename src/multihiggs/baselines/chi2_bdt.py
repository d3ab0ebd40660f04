"""The boosted + resolved "chi^2 + BDT" baseline of spanet_hh_hhh_2024.

1. Boosted Higgs: the AK8 jets whose BDT score passes the working point, at most ``n_higgs``, by decreasing
   score (:func:`~multihiggs.baselines.fatjet_bdt.boosted_higgs_jets`).
2. Overlap removal: AK5 jets within Delta R <= ``overlap_delta_r`` (default 0.5, the same rule as SPA-Net's
   boosted + resolved post-processing of spanet_hh_hhh_2024) of a chosen AK8 jet are dropped.
3. Resolved Higgs: the chi^2 pairing of the remaining jets for the ``n_higgs - n_boosted`` Higgs left, from the
   top 2 (n_higgs - n_boosted) remaining jets by b-tag then pT (or all remaining jets); fewer if jets run out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import vector

from multihiggs.baselines.chi2 import chi2_pairing
from multihiggs.baselines.jet_selection import leading_by_btag_then_pt
from multihiggs.constants import HIGGS_MASS_GEV
from multihiggs.jets import Jets

#: Overlap radius between a chosen AK8 jet and AK5 jets (ΔR <= 0.5, as in SPA-Net's post-processing of
#: spanet_hh_hhh_2024).
OVERLAP_DELTA_R = 0.5


@dataclass(frozen=True)
class BoostedResolvedCandidates:
    """Higgs candidates in H slots, each boosted, resolved or empty.

    Attributes:
        boosted_jets: int64 (N, H), AK8 index of the boosted Higgs in each slot (-1 if the slot is not boosted);
            boosted Higgs fill the first slots.
        resolved_pairs: int64 (N, H, 2), AK5 jet indices of the resolved Higgs in each slot ((-1, -1) if not
            resolved); resolved Higgs fill the slots after the boosted ones.
        chi2: float64 (N,), chi^2 (GeV^2) of the resolved part; NaN if no resolved Higgs.
    """

    boosted_jets: np.ndarray
    resolved_pairs: np.ndarray
    chi2: np.ndarray


def chi2_bdt_candidates(
    jets: Jets,
    fatjet_eta: np.ndarray,
    fatjet_phi: np.ndarray,
    boosted_jets: np.ndarray,
    *,
    use_all_jets: bool = False,
    overlap_delta_r: float = OVERLAP_DELTA_R,
    higgs_mass_gev: float = HIGGS_MASS_GEV,
) -> BoostedResolvedCandidates:
    """Combine BDT-tagged AK8 jets with the chi^2 pairing of the AK5 jets that do not overlap them.

    Args:
        jets: AK5 jets, (N, J).
        fatjet_eta, fatjet_phi: AK8 jet directions (rad), (N, B).
        boosted_jets: int (N, H) AK8 indices tagged as H -> bb (-1 = none), H = number of Higgs slots.
        use_all_jets: pool all remaining AK5 jets in the chi^2 instead of the top ones by b-tag then pT.
        overlap_delta_r: AK5 jets closer than this to a chosen AK8 jet are removed.
        higgs_mass_gev: m_H (GeV) of the chi^2.
    """
    boosted_jets = np.asarray(boosted_jets, dtype=np.int64)
    fatjet_eta, fatjet_phi = np.asarray(fatjet_eta, dtype=np.float64), np.asarray(fatjet_phi, dtype=np.float64)
    n_events, n_higgs = boosted_jets.shape
    if n_events != jets.n_events or fatjet_eta.shape != fatjet_phi.shape or len(fatjet_eta) != n_events:
        raise ValueError(
            f"inconsistent shapes: {jets.n_events} events of AK5 jets, boosted_jets {boosted_jets.shape}, "
            f"AK8 eta {fatjet_eta.shape}, AK8 phi {fatjet_phi.shape}"
        )
    if ((boosted_jets < -1) | (boosted_jets >= fatjet_eta.shape[1])).any():
        raise ValueError(f"boosted_jets must lie in [-1, {fatjet_eta.shape[1] - 1}]")
    chosen = boosted_jets >= 0
    if (np.diff(chosen.astype(int), axis=1) > 0).any():
        raise ValueError("boosted_jets must fill the first slots (no -1 before a chosen AK8 jet)")

    remaining = Jets(
        jets.pt,
        jets.eta,
        jets.phi,
        jets.mass,
        jets.btag,
        jets.mask & ~_overlaps(jets, fatjet_eta, fatjet_phi, boosted_jets, overlap_delta_r),
    )
    n_boosted = chosen.sum(axis=1)
    resolved_pairs = np.full((n_events, n_higgs, 2), -1, dtype=np.int64)
    chi2 = np.full(n_events, np.nan)
    for n_resolved in range(1, n_higgs + 1):
        events = np.flatnonzero(n_higgs - n_boosted == n_resolved)
        if events.size == 0:
            continue
        subset = remaining.select_events(events)
        candidate_jets = None if use_all_jets else leading_by_btag_then_pt(subset, 2 * n_resolved)
        result = chi2_pairing(subset, n_resolved, candidate_jets=candidate_jets, higgs_mass_gev=higgs_mass_gev)
        resolved_pairs[events, n_higgs - n_resolved :] = result.jet_pairs
        chi2[events] = result.objective
    return BoostedResolvedCandidates(boosted_jets=boosted_jets, resolved_pairs=resolved_pairs, chi2=chi2)


def _overlaps(
    jets: Jets, fatjet_eta: np.ndarray, fatjet_phi: np.ndarray, boosted_jets: np.ndarray, delta_r: float
) -> np.ndarray:
    """bool (N, J): AK5 jets within ``delta_r`` of any chosen AK8 jet."""
    chosen = boosted_jets >= 0
    safe = np.where(chosen, boosted_jets, 0)
    directions = vector.array(
        {
            "eta": np.take_along_axis(fatjet_eta, safe, axis=1),
            "phi": np.take_along_axis(fatjet_phi, safe, axis=1),
            "rho": np.ones(boosted_jets.shape),
        }
    )
    ak5 = vector.array({"eta": jets.eta, "phi": jets.phi, "rho": np.ones(jets.pt.shape)})
    close = ak5[:, :, None].deltaR(directions[:, None, :]) <= delta_r
    return (close & chosen[:, None, :]).any(axis=2)
