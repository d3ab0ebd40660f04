"""Reconstruction metrics (the definitions of spanet_hh_hhh_2024 and li2023hhh) from a
:class:`~multihiggs.evaluate.matching.CandidateMatch` (pure functions).

Definitions (topology t = resolved, boosted or combined):

- **Reconstruction purity** (t) = correct candidates of topology t / candidates of topology t. Binned in the
  **reconstructed** pT of the candidate (dijet pT, or AK8 jet pT), as spanet_hh_hhh_2024 does: a wrong candidate has no
  truth Higgs, so the candidate's own pT is the only pT every candidate has.
- **Matching efficiency** (t) = target Higgs of topology t credited to a candidate of topology t / target Higgs of
  topology t, binned in **truth** Higgs pT. Each reconstructable truth Higgs has one target topology, boosted
  taking priority (spanet_hh_hhh_2024: "bh_i is selected if detected, else h_i"; as in its analysis code): boosted
  if it has an AK8 target, else resolved. Combined: credited to any candidate / reconstructable either way — so a
  boosted-target Higgs found as a jet pair counts in the combined efficiency only.
- **Event purity** = events whose reconstructable Higgs are all reconstructed correctly / events; **H purity** =
  correctly reconstructed Higgs / reconstructable Higgs (hsieh_spanet2 calls these event and Higgs efficiency). Extra
  candidates for non-reconstructable Higgs do not spoil an event. Given per jet-multiplicity bin and per category
  of the number of reconstructable Higgs; the **event fraction** is the share of all events in that cell.

Weights are per event (N,) and apply to every object of the event; None means unit weights (the seeds' choice for
reconstruction metrics). Empty bins give NaN (see :mod:`multihiggs.evaluate.binomial`).
"""

from __future__ import annotations

from dataclasses import dataclass

import hist
import numpy as np

from multihiggs.evaluate.binomial import ONE_SIGMA, IntervalMethod, Ratio, binomial_ratio
from multihiggs.evaluate.matching import CandidateMatch
from multihiggs.evaluate.weights import per_object_weights

TOPOLOGIES: tuple[str, ...] = ("resolved", "boosted", "combined")


@dataclass(frozen=True)
class JetBin:
    """Events with ``minimum`` <= n_jets <= ``maximum`` (None = unbounded); ``label`` for tables and axes."""

    label: str
    minimum: int | None
    maximum: int | None

    def contains(self, n_jets: np.ndarray) -> np.ndarray:
        n_jets = np.asarray(n_jets)
        inside = np.ones(n_jets.shape, dtype=bool)
        if self.minimum is not None:
            inside &= n_jets >= self.minimum
        if self.maximum is not None:
            inside &= n_jets <= self.maximum
        return inside


@dataclass(frozen=True)
class EventCategory:
    """Events by number of reconstructable Higgs: ``minimum`` <= n <= ``maximum``; ``key`` names it in JSON."""

    key: str
    label: str
    minimum: int
    maximum: int

    def contains(self, n_reconstructable: np.ndarray) -> np.ndarray:
        n_reconstructable = np.asarray(n_reconstructable)
        return (n_reconstructable >= self.minimum) & (n_reconstructable <= self.maximum)


def jet_multiplicity_bins(n_higgs: int) -> tuple[JetBin, ...]:
    """= 2H, = 2H + 1, >= 2H + 2 jets (6, 7, >= 8 for HHH; 4, 5, >= 6 for HH), then every event ("all").

    Events with fewer than 2H jets enter only the "all" bin.
    """
    first = 2 * n_higgs
    return (
        JetBin(f"= {first}", first, first),
        JetBin(f"= {first + 1}", first + 1, first + 1),
        JetBin(f"≥ {first + 2}", first + 2, None),
        JetBin("all", None, None),
    )


def reconstructable_categories(n_higgs: int) -> tuple[EventCategory, ...]:
    """Seed 000's "1–H h" (at least one reconstructable Higgs) and "H h" (all reconstructable), then each count."""
    return (
        EventCategory("partial", f"1–{n_higgs} h", 1, n_higgs),
        EventCategory("complete", f"{n_higgs} h", n_higgs, n_higgs),
        *(EventCategory(f"{count}h", f"{count} h", count, count) for count in range(1, n_higgs)),
    )


def fraction(
    passed: np.ndarray,
    selected: np.ndarray,
    event_weight: np.ndarray | None = None,
    *,
    confidence: float = ONE_SIGMA,
    interval: IntervalMethod = "clopper_pearson",
) -> Ratio:
    """Weighted fraction of ``selected`` objects that ``passed`` (bool (N, ...) each); weights (N,) per event."""
    weights = per_object_weights(event_weight, np.shape(selected))
    selected_weights = np.where(selected, weights, 0.0)
    return binomial_ratio(
        np.sum(selected_weights, where=np.asarray(passed, bool)),
        np.sum(selected_weights),
        np.sum(selected_weights**2),
        confidence=confidence,
        method=interval,
    )


def binned_fraction(
    values: np.ndarray,
    passed: np.ndarray,
    selected: np.ndarray,
    edges: np.ndarray,
    event_weight: np.ndarray | None = None,
    *,
    confidence: float = ONE_SIGMA,
    interval: IntervalMethod = "clopper_pearson",
) -> Ratio:
    """:func:`fraction` in bins of ``values`` (e.g. pT in GeV; same shape as ``passed``); values outside
    ``edges`` are dropped. Returns arrays of len(edges) - 1."""
    weights = per_object_weights(event_weight, np.shape(selected))
    selected = np.asarray(selected, bool)
    passed = np.asarray(passed, bool) & selected
    axis = hist.axis.Variable(np.asarray(edges, dtype=np.float64), flow=False)
    total = hist.Hist(axis, storage=hist.storage.Weight()).fill(values[selected], weight=weights[selected])
    good = hist.Hist(axis, storage=hist.storage.Weight()).fill(values[passed], weight=weights[passed])
    return binomial_ratio(good.values(), total.values(), total.variances(), confidence=confidence, method=interval)


def topology_candidates(match: CandidateMatch, topology: str) -> np.ndarray:
    """(N, C) bool: present candidates of ``topology`` ("resolved", "boosted" or "combined")."""
    _check_topology(topology)
    if topology == "combined":
        return match.present
    return match.present & (match.is_boosted == (topology == "boosted"))


def topology_targets(match: CandidateMatch, topology: str) -> tuple[np.ndarray, np.ndarray]:
    """((N, H) target Higgs of ``topology``, (N, H) those of them credited to a candidate of ``topology``).

    Boosted targets: AK8-matched Higgs; resolved targets: the other resolved-reconstructable Higgs; combined: all
    reconstructable Higgs (credited to any candidate).
    """
    _check_topology(topology)
    targets = match.targets
    if topology == "resolved":
        target = targets.resolved_reconstructable & ~targets.boosted_reconstructable
        return target, target & match.reconstructed_resolved
    if topology == "boosted":
        return targets.boosted_reconstructable, match.reconstructed_boosted
    return targets.reconstructable, match.reconstructed


def purity_vs_pt(
    match: CandidateMatch, candidate_pt: np.ndarray, edges: np.ndarray, event_weight: np.ndarray | None = None, **kw
) -> dict[str, Ratio]:
    """Reconstruction purity per topology in bins of reconstructed candidate pT (GeV, (N, C))."""
    return {
        topology: binned_fraction(
            candidate_pt, match.correct, topology_candidates(match, topology), edges, event_weight, **kw
        )
        for topology in TOPOLOGIES
    }


def efficiency_vs_pt(
    match: CandidateMatch, truth_pt: np.ndarray, edges: np.ndarray, event_weight: np.ndarray | None = None, **kw
) -> dict[str, Ratio]:
    """Matching efficiency per topology in bins of truth Higgs pT (GeV, (N, H))."""
    ratios = {}
    for topology in TOPOLOGIES:
        target, found = topology_targets(match, topology)
        ratios[topology] = binned_fraction(truth_pt, found, target, edges, event_weight, **kw)
    return ratios


def inclusive_purity(match: CandidateMatch, event_weight: np.ndarray | None = None, **kw) -> dict[str, Ratio]:
    """Reconstruction purity per topology over all candidates."""
    return {
        topology: fraction(match.correct, topology_candidates(match, topology), event_weight, **kw)
        for topology in TOPOLOGIES
    }


def inclusive_efficiency(match: CandidateMatch, event_weight: np.ndarray | None = None, **kw) -> dict[str, Ratio]:
    """Matching efficiency per topology over all truth Higgs."""
    ratios = {}
    for topology in TOPOLOGIES:
        target, found = topology_targets(match, topology)
        ratios[topology] = fraction(found, target, event_weight, **kw)
    return ratios


def all_reconstructable_found(match: CandidateMatch) -> np.ndarray:
    """(N,) bool: every reconstructable truth Higgs of the event was reconstructed correctly."""
    return (match.reconstructed | ~match.targets.reconstructable).all(axis=1)


def event_metrics(
    match: CandidateMatch,
    n_jets: np.ndarray,
    jet_bins: tuple[JetBin, ...],
    categories: tuple[EventCategory, ...],
    event_weight: np.ndarray | None = None,
    **kw,
) -> dict[str, dict[str, list[Ratio]]]:
    """{category key: {"event_fraction" | "event_purity" | "higgs_purity": one Ratio per jet bin}}.

    ``n_jets``: int (N,) selected AK5 jets per event.
    """
    n_events = len(n_jets)
    n_reconstructable = match.targets.reconstructable.sum(axis=1)
    all_found = all_reconstructable_found(match)
    every_event = np.ones(n_events, dtype=bool)
    results: dict[str, dict[str, list[Ratio]]] = {}
    for category in categories:
        in_category = category.contains(n_reconstructable)
        rows: dict[str, list[Ratio]] = {"event_fraction": [], "event_purity": [], "higgs_purity": []}
        for jet_bin in jet_bins:
            cell = in_category & jet_bin.contains(n_jets)
            rows["event_fraction"].append(fraction(cell, every_event, event_weight, **kw))
            rows["event_purity"].append(fraction(all_found, cell, event_weight, **kw))
            rows["higgs_purity"].append(
                fraction(match.reconstructed, match.targets.reconstructable & cell[:, None], event_weight, **kw)
            )
        results[category.key] = rows
    return results


def _check_topology(topology: str) -> None:
    if topology not in TOPOLOGIES:
        raise ValueError(f"topology must be one of {TOPOLOGIES}, got {topology!r}")
