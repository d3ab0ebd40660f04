"""Boosted + resolved post-processing: Higgs count, ranking, overlap removal and slot filling."""

from __future__ import annotations

import numpy as np
import pytest
import vector

from multihiggs.spanet.postprocess import (
    HiggsCandidates,
    combine_boosted_resolved,
    delta_r,
    keep_top,
    most_likely_count,
)


def test_most_likely_count():
    probabilities = np.array([[0.9, 0.9, 0.1], [0.6, 0.6, 0.0], [0.1, 0.2, 0.3], [1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(most_likely_count(probabilities), [2, 1, 0, 3])
    # Not the same as counting p > 0.5: three 0.4s most likely give one.
    assert most_likely_count(np.array([[0.4, 0.4, 0.4]]))[0] == 1


def test_keep_top_and_delta_r():
    scores = np.array([[0.2, 0.9, 0.5], [0.1, 0.1, 0.1]])
    np.testing.assert_array_equal(keep_top(scores, np.array([2, 1])), [[False, True, True], [True, False, False]])
    assert delta_r(0.0, 3.1, 0.0, -3.1) == pytest.approx(2 * np.pi - 6.2)


def test_delta_r_equals_vectors_to_the_last_bit():
    # The dependency-free delta_r replaced vector's deltaR in the overlap removal: same formula, same bits.
    rng = np.random.default_rng(3)
    eta, phi = rng.uniform(-3, 3, (2, 2000)), rng.uniform(-7, 7, (2, 2000))
    first, second = (vector.array({"rho": np.ones(2000), "eta": eta[i], "phi": phi[i]}) for i in (0, 1))
    np.testing.assert_array_equal(delta_r(eta[0], phi[0], eta[1], phi[1]), first.deltaR(second))


def _event(boosted_dp, resolved_dp, fat_eta):
    """One event, two Higgs slots: AK5 jets 0..3 at eta 0, 1, 2, 3 (phi 0); AK8 jets at fat_eta (phi 0)."""
    resolved = HiggsCandidates(
        np.array([[[0, 1], [2, 3]]]), np.array([[0.9, 0.8]]), np.array([resolved_dp], dtype=float)
    )
    boosted = HiggsCandidates(np.array([[0, 1]]), np.array([[0.95, 0.7]]), np.array([boosted_dp], dtype=float))
    jets = np.array([[0.0, 1.0, 2.0, 3.0]])
    fat = np.array([fat_eta], dtype=float)
    return resolved, boosted, jets, np.zeros_like(jets), fat, np.zeros_like(fat)


def test_overlapping_resolved_higgs_is_dropped():
    resolved, boosted, *directions = _event([0.9, 0.1], [0.9, 0.9], fat_eta=[2.3, -2.0])
    predictions = combine_boosted_resolved(resolved, boosted, *directions, method="test")
    # The boosted Higgs (AK8 jet 0 at eta 2.3) overlaps jet 2 of the resolved pair (2, 3): that pair goes.
    assert predictions.boosted_assignments[0].tolist() == [0, -1]
    assert predictions.resolved_assignments[0].tolist() == [[-1, -1], [0, 1]]
    assert predictions.boosted_detection_probability[0, 0] == pytest.approx(0.9)
    assert np.isnan(predictions.resolved_assignment_probability[0, 0])


def test_no_overlap_keeps_both_and_caps_at_the_slot_count():
    resolved, boosted, *directions = _event([0.9, 0.1], [0.9, 0.9], fat_eta=[-2.0, -2.0])
    predictions = combine_boosted_resolved(resolved, boosted, *directions, method="test")
    # Three candidates survive (one boosted, two resolved) but only two Higgs fit: keep the best two scores.
    assert predictions.boosted_assignments[0].tolist() == [0, -1]
    assert predictions.resolved_assignments[0].tolist() == [[-1, -1], [0, 1]]


def test_low_detection_gives_no_higgs_and_nan_counts_as_certain():
    resolved, boosted, *directions = _event([0.1, 0.1], [0.2, 0.1], fat_eta=[-2.0, -2.0])
    predictions = combine_boosted_resolved(
        resolved, boosted, *directions, method="test", signal_score=np.array([0.3]), resolved_count="detection"
    )
    assert (predictions.resolved_assignments == -1).all() and (predictions.boosted_assignments == -1).all()
    assert predictions.signal_score[0] == pytest.approx(0.3)
    no_detection = HiggsCandidates(resolved.assignments, resolved.assignment_probability, np.full((1, 2), np.nan))
    no_boosted = HiggsCandidates(np.full((1, 2), -1), np.full((1, 2), np.nan), np.full((1, 2), np.nan))
    predictions = combine_boosted_resolved(no_detection, no_boosted, *directions, method="chi2")
    assert predictions.resolved_assignments[0].tolist() == [[0, 1], [2, 3]]
    assert predictions.method == "chi2"


def test_fill_gives_every_free_slot_a_resolved_higgs_whatever_their_detection():
    resolved, boosted, *directions = _event([0.1, 0.1], [0.2, 0.1], fat_eta=[-2.0, -2.0])
    predictions = combine_boosted_resolved(resolved, boosted, *directions, method="test")
    assert (predictions.boosted_assignments == -1).all()
    assert predictions.resolved_assignments[0].tolist() == [[0, 1], [2, 3]]
    # one detected boosted Higgs takes a slot; the best resolved pair that does not overlap it takes the other
    resolved, boosted, *directions = _event([0.9, 0.1], [0.01, 0.01], fat_eta=[2.3, -2.0])
    predictions = combine_boosted_resolved(resolved, boosted, *directions, method="test")
    assert predictions.boosted_assignments[0].tolist() == [0, -1]
    assert predictions.resolved_assignments[0].tolist() == [[-1, -1], [0, 1]]


def test_unknown_resolved_count_is_refused():
    resolved, boosted, *directions = _event([0.9, 0.1], [0.9, 0.9], fat_eta=[-2.0, -2.0])
    with pytest.raises(ValueError, match="resolved_count"):
        combine_boosted_resolved(resolved, boosted, *directions, method="test", resolved_count="all")


def test_detection_rule_drops_an_overlapping_pair_without_replacing_it():
    """Seed 002: the top N_hat resolved pairs are chosen first; one overlapping a boosted Higgs is then dropped."""
    resolved, boosted, *directions = _event([0.9, 0.1], [0.6, 0.3], fat_eta=[0.3, -2.0])
    # N_hat(resolved) = 1 picks pair (0, 1) (score 0.54 > 0.24); AK8 jet 0 at eta 0.3 overlaps it: no resolved Higgs
    predictions = combine_boosted_resolved(resolved, boosted, *directions, method="test", resolved_count="detection")
    assert predictions.boosted_assignments[0].tolist() == [0, -1]
    assert (predictions.resolved_assignments == -1).all()
    # "fill" takes the next pair instead
    predictions = combine_boosted_resolved(resolved, boosted, *directions, method="test")
    assert predictions.resolved_assignments[0].tolist() == [[-1, -1], [2, 3]]
