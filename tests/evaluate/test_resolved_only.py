"""The resolved-only view of li2023hhh/hsieh_spanet2: AK8 targets and AK8 candidates are ignored."""

import numpy as np
import pytest

from multihiggs.evaluate.matching import HiggsTargets, match_candidates
from multihiggs.evaluate.summary import resolved_only_match, resolved_only_summary


def targets() -> HiggsTargets:
    """Two events, two Higgs. Event 0: H1 resolved (jets 0, 1) and boosted (AK8 0), H2 resolved (2, 3).
    Event 1: H1 boosted only (AK8 1), H2 resolved (0, 1)."""
    resolved = np.array([[[0, 1], [2, 3]], [[-1, -1], [0, 1]]])
    boosted = np.array([[0, -1], [1, -1]])
    return HiggsTargets(resolved, boosted)


def test_boosted_candidates_do_not_count_and_boosted_only_higgs_are_no_target():
    resolved_pairs = np.array([[[2, 3], [-1, -1]], [[0, 1], [-1, -1]]])
    boosted = np.array([[0, -1], [1, -1]])  # both AK8 candidates right in the combined view
    combined = match_candidates(resolved_pairs, boosted, targets())
    assert combined.reconstructed.sum() == 4

    match = resolved_only_match(resolved_pairs, targets())
    assert match.targets.reconstructable.tolist() == [[True, True], [False, True]]
    assert match.reconstructed.tolist() == [[False, True], [False, True]]  # H1 of event 0 was only found as AK8


def test_summary_counts_resolved_targets_per_jet_bin():
    resolved_pairs = np.array([[[0, 1], [2, 3]], [[0, 1], [-1, -1]]])
    match = resolved_only_match(resolved_pairs, targets())
    summary = resolved_only_summary(match, np.full((2, 2), 120.0), np.array([4, 5]), pt_edges=np.array([0.0, 500.0]))
    complete = summary["events"]["categories"]["complete"]
    assert complete["event_fraction"][3].value == pytest.approx(0.5)  # only event 0 has both Higgs resolved
    assert complete["event_purity"][0].value == 1.0
    assert summary["inclusive"]["efficiency"]["resolved"].denominator == 3
    assert summary["vs_pt"]["efficiency"]["resolved"].numerator.tolist() == [3]
