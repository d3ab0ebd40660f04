"""Which jets a baseline pairs: index arrays (N, n) into the original jet slots, -1 where there is no jet."""

from __future__ import annotations

import numpy as np

from multihiggs.jets import Jets

FOUR_TAG_PT_MIN_GEV = 40.0
FOUR_TAG_ABS_ETA_MAX = 2.5


def leading_by_btag_then_pt(jets: Jets, n_jets: int) -> np.ndarray:
    """The ``n_jets`` leading real jets, b-tagged jets first, each group by decreasing pT (li2023hhh,
    spanet_hh_hhh_2024).

    Returns:
        int64 (N, n_jets): original jet indices in that order; -1 in the trailing slots of events with fewer
        than ``n_jets`` real jets. Exact pT ties keep the original (pT-ordered) slot order.
    """
    if n_jets < 1:
        raise ValueError(f"n_jets must be positive, got {n_jets}")
    # np.lexsort sorts by the last key first: real jets, then b-tagged, then hardest.
    order = np.lexsort((-jets.pt, -jets.btag, ~jets.mask), axis=1)
    return _first_columns(order, np.take_along_axis(jets.mask, order, axis=1), n_jets)


def leading_by_pt(jets: Jets, n_jets: int) -> np.ndarray:
    """The ``n_jets`` hardest real jets, whatever their b tag (li2023hhh's HH chi^2: "top 4 jets").

    Returns:
        int64 (N, n_jets): original jet indices by decreasing pT; -1 in the trailing slots of events with fewer
        than ``n_jets`` real jets. Exact pT ties keep the original slot order.
    """
    if n_jets < 1:
        raise ValueError(f"n_jets must be positive, got {n_jets}")
    order = np.lexsort((-jets.pt, ~jets.mask), axis=1)
    return _first_columns(order, np.take_along_axis(jets.mask, order, axis=1), n_jets)


def four_tag_jets(
    jets: Jets,
    pt_min_gev: float = FOUR_TAG_PT_MIN_GEV,
    abs_eta_max: float = FOUR_TAG_ABS_ETA_MAX,
) -> np.ndarray:
    """The four leading-pT b-tagged jets with pT > ``pt_min_gev`` and |eta| < ``abs_eta_max`` (hsieh_spanet2).

    Seed 003's "four tag cut" keeps events with at least four such jets; those four jets (the hardest ones when
    there are more) form the two Higgs candidates.

    Returns:
        int64 (N, 4): original jet indices by decreasing pT; the whole row is -1 for events failing the cut.
    """
    eligible = jets.mask & (jets.btag == 1) & (jets.pt > pt_min_gev) & (np.abs(jets.eta) < abs_eta_max)
    order = np.lexsort((-jets.pt, ~eligible), axis=1)
    selected = _first_columns(order, np.take_along_axis(eligible, order, axis=1), 4)
    passes = eligible.sum(axis=1) >= 4
    return np.where(passes[:, None], selected, -1)


def _first_columns(order: np.ndarray, present: np.ndarray, n_columns: int) -> np.ndarray:
    """First ``n_columns`` of ``order`` with -1 where ``present`` is False, padded with -1 if too narrow."""
    n_events, n_slots = order.shape
    index = np.full((n_events, n_columns), -1, dtype=np.int64)
    width = min(n_columns, n_slots)
    index[:, :width] = np.where(present[:, :width], order[:, :width], -1)
    return index
