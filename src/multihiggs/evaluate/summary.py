"""Every reconstruction metric of one (method, sample) as one JSON-ready dict (arrays in, dict out, no I/O).

Layout of the dict (ratios are {"value", "lower", "upper", "numerator", "denominator"}, bounds not distances):

- ``pt_edges``: GeV; ``vs_pt``: {"purity" | "efficiency": {topology: ratio per pT bin}} — purity in reconstructed
  candidate pT, efficiency in truth Higgs pT (see :mod:`multihiggs.evaluate.metrics`).
- ``inclusive``: {"purity" | "efficiency": {topology: ratio}}.
- ``events``: {"jet_bins": [{"label", "minimum", "maximum"}], "categories": {key: {"label", "event_fraction",
  "event_purity", "higgs_purity": [ratio per jet bin]}}}.
- ``masses``: {"resolved" | "boosted" | "all" | "correct": 1D histogram}; ``mass_plane``: 2D histogram of
  (m_H1, m_H2) (see :func:`multihiggs.io.jsonio.histogram_dict`).
- ``resolved_only`` (:func:`resolved_only_summary`): the resolved-only view of li2023hhh and hsieh_spanet2, whose
  networks had no AK8 targets: {"events", "inclusive": {"efficiency"}, "vs_pt": {"efficiency"}} with the layouts above.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from multihiggs.evaluate import metrics
from multihiggs.evaluate.binomial import ONE_SIGMA, IntervalMethod
from multihiggs.evaluate.candidates import CandidateKinematics
from multihiggs.evaluate.masses import DEFAULT_MASS_EDGES, DEFAULT_PLANE_EDGES, mass_histogram, mass_plane
from multihiggs.evaluate.matching import CandidateMatch, HiggsTargets, match_candidates
from multihiggs.io.jsonio import histogram_dict

DEFAULT_PT_EDGES = np.array([0, 50, 100, 150, 200, 250, 300, 350, 400, 500, 600, 800, 1000], dtype=np.float64)


def reconstruction_summary(
    match: CandidateMatch,
    kinematics: CandidateKinematics,
    truth_pt: np.ndarray,
    n_jets: np.ndarray,
    *,
    event_weight: np.ndarray | None = None,
    pt_edges: np.ndarray = DEFAULT_PT_EDGES,
    mass_edges: np.ndarray = DEFAULT_MASS_EDGES,
    plane_edges: np.ndarray = DEFAULT_PLANE_EDGES,
    confidence: float = ONE_SIGMA,
    interval: IntervalMethod = "clopper_pearson",
) -> dict[str, Any]:
    """Metrics of one prediction (see the module docstring for the layout).

    Args:
        match: candidates matched to the truth targets (N events, C candidates, H Higgs).
        kinematics: candidate pT and mass (GeV, (N, C)).
        truth_pt: truth Higgs pT (GeV, (N, H)).
        n_jets: selected AK5 jets per event (N,).
        event_weight: per-event weights (N,), None for unit weights.
    """
    options = {"confidence": confidence, "interval": interval}
    n_higgs = match.targets.n_higgs
    jet_bins = metrics.jet_multiplicity_bins(n_higgs)
    categories = metrics.reconstructable_categories(n_higgs)
    events = metrics.event_metrics(match, n_jets, jet_bins, categories, event_weight, **options)
    resolved = match.present & ~match.is_boosted
    boosted = match.present & match.is_boosted
    return {
        "n_events": len(n_jets),
        "n_higgs": n_higgs,
        "weighted": event_weight is not None,
        "confidence": confidence,
        "interval": interval,
        "pt_edges": np.asarray(pt_edges, dtype=np.float64),
        "vs_pt": {
            "purity": metrics.purity_vs_pt(match, kinematics.pt, pt_edges, event_weight, **options),
            "efficiency": metrics.efficiency_vs_pt(match, truth_pt, pt_edges, event_weight, **options),
        },
        "inclusive": {
            "purity": metrics.inclusive_purity(match, event_weight, **options),
            "efficiency": metrics.inclusive_efficiency(match, event_weight, **options),
        },
        "events": {
            "jet_bins": [{"label": b.label, "minimum": b.minimum, "maximum": b.maximum} for b in jet_bins],
            "categories": {c.key: {"label": c.label, **events[c.key]} for c in categories},
        },
        "masses": {
            name: histogram_dict(mass_histogram(kinematics.mass, selected, mass_edges, event_weight))
            for name, selected in (
                ("resolved", resolved),
                ("boosted", boosted),
                ("all", match.present),
                ("correct", match.correct),
            )
        },
        "mass_plane": histogram_dict(mass_plane(kinematics, plane_edges, event_weight)),
    }


def resolved_only_match(resolved_assignments: np.ndarray, targets: HiggsTargets) -> CandidateMatch:
    """Seeds 000/003: a Higgs is a target when both b quarks match AK5 jets (AK8 matches ignored), and only the
    method's jet pairs can find it (its AK8 candidates are dropped). resolved_assignments: int (N, Hr, 2)."""
    resolved_only_targets = HiggsTargets(targets.resolved, np.full_like(targets.boosted, -1))
    no_boosted = np.full((len(targets.boosted), 0), -1, dtype=np.int64)
    return match_candidates(resolved_assignments, no_boosted, resolved_only_targets)


def resolved_only_summary(
    match: CandidateMatch,
    truth_pt: np.ndarray,
    n_jets: np.ndarray,
    *,
    event_weight: np.ndarray | None = None,
    pt_edges: np.ndarray = DEFAULT_PT_EDGES,
    confidence: float = ONE_SIGMA,
    interval: IntervalMethod = "clopper_pearson",
) -> dict[str, Any]:
    """Event/H purity by jet multiplicity and matching efficiency of a :func:`resolved_only_match` (layouts of
    :func:`reconstruction_summary`: ``events``, ``inclusive.efficiency``, ``vs_pt.efficiency``)."""
    options = {"confidence": confidence, "interval": interval}
    n_higgs = match.targets.n_higgs
    jet_bins = metrics.jet_multiplicity_bins(n_higgs)
    categories = metrics.reconstructable_categories(n_higgs)
    events = metrics.event_metrics(match, n_jets, jet_bins, categories, event_weight, **options)
    target, found = metrics.topology_targets(match, "resolved")
    return {
        "events": {
            "jet_bins": [{"label": b.label, "minimum": b.minimum, "maximum": b.maximum} for b in jet_bins],
            "categories": {c.key: {"label": c.label, **events[c.key]} for c in categories},
        },
        "inclusive": {"efficiency": {"resolved": metrics.fraction(found, target, event_weight, **options)}},
        "vs_pt": {
            "efficiency": {
                "resolved": metrics.binned_fraction(truth_pt, found, target, pt_edges, event_weight, **options)
            }
        },
    }
