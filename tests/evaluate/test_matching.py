import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multihiggs.evaluate.matching import HiggsTargets, match_candidates

NONE = [-1, -1]


def targets(resolved, boosted) -> HiggsTargets:
    return HiggsTargets(resolved=np.array(resolved), boosted=np.array(boosted))


def test_resolved_candidates_match_unordered_pairs_in_any_slot():
    truth = targets([[[0, 1], [2, 3], [4, 5]]], [[-1, -1, -1]])
    # slot 0 holds Higgs 3 with swapped jets, slot 1 a wrong pair, slot 2 Higgs 1
    match = match_candidates(np.array([[[5, 4], [1, 2], [0, 1]]]), np.full((1, 3), -1), truth)
    n_boosted = 3
    np.testing.assert_array_equal(match.correct[0, n_boosted:], [True, False, True])
    np.testing.assert_array_equal(match.matched_higgs[0, n_boosted:], [2, -1, 0])
    np.testing.assert_array_equal(match.reconstructed[0], [True, False, True])
    np.testing.assert_array_equal(match.claimed_by[0], [5, -1, 3])
    assert not match.present[0, :n_boosted].any() and match.present[0, n_boosted:].all()


def test_partial_targets_cannot_be_matched():
    # Higgs 2 has one b quark unmatched (-1): not reconstructable, no pair can match it.
    truth = targets([[[0, 1], [2, -1]]], [[-1, -1]])
    match = match_candidates(np.array([[[2, 3], [1, 0]]]), np.full((1, 2), -1), truth)
    np.testing.assert_array_equal(match.targets.reconstructable[0], [True, False])
    np.testing.assert_array_equal(match.correct[0, 2:], [False, True])
    # a candidate with a missing jet is no candidate
    match = match_candidates(np.array([[[2, -1], NONE]]), np.full((1, 2), -1), truth)
    assert not match.present.any() and not match.correct.any()


def test_boosted_candidates_match_the_fatjet_target():
    truth = targets([[NONE, [0, 1]]], [[1, -1]])
    match = match_candidates(np.array([[NONE, NONE]]), np.array([[-1, 1]]), truth)
    np.testing.assert_array_equal(match.correct[0], [False, True, False, False])
    np.testing.assert_array_equal(match.reconstructed_boosted[0], [True, False])
    np.testing.assert_array_equal(match.reconstructed_resolved[0], [False, False])


def test_a_higgs_reconstructed_boosted_and_resolved_counts_once_for_the_boosted_candidate():
    truth = targets([[[0, 1], [2, 3]]], [[0, -1]])  # Higgs 1 reconstructable both ways
    match = match_candidates(np.array([[[1, 0], [2, 3]]]), np.array([[0, -1]]), truth)
    # candidates: boosted slot 0, boosted slot 1 (empty), resolved slot 0, resolved slot 1
    np.testing.assert_array_equal(match.present[0], [True, False, True, True])
    np.testing.assert_array_equal(match.correct[0], [True, False, False, True])
    assert match.correct.sum() == match.reconstructed.sum() == 2
    np.testing.assert_array_equal(match.reconstructed_boosted[0], [True, False])
    np.testing.assert_array_equal(match.reconstructed_resolved[0], [False, True])


def test_a_pair_listed_twice_is_correct_once():
    truth = targets([[[0, 1], [2, 3]]], [[-1, -1]])
    match = match_candidates(np.array([[[0, 1], [1, 0]]]), np.full((1, 2), -1), truth)
    assert match.correct.sum() == 1 and match.reconstructed.sum() == 1


def test_targets_sharing_a_jet_are_refused():
    with pytest.raises(ValueError, match="same jet twice"):
        targets([[[0, 1], [1, 2]]], [[-1, -1]])
    with pytest.raises(ValueError, match="shape"):
        HiggsTargets(resolved=np.zeros((2, 3)), boosted=np.zeros((2, 3)))


def test_event_count_mismatch_is_refused():
    truth = targets([[[0, 1]]], [[-1]])
    with pytest.raises(ValueError, match="events"):
        match_candidates(np.zeros((2, 1, 2), dtype=int), np.full((2, 1), -1), truth)


@st.composite
def events_with_predictions(draw):
    """One event: H truth Higgs on disjoint jets (some partial, some boosted), and a prediction mixing right and
    wrong candidates (possibly duplicated, possibly both topologies for one Higgs)."""
    n_higgs = draw(st.integers(1, 3))
    jets = draw(st.permutations(list(range(10))))
    resolved_targets = [[jets[2 * h], jets[2 * h + 1]] for h in range(n_higgs)]
    for h in range(n_higgs):
        if draw(st.booleans()) and draw(st.booleans()):
            resolved_targets[h][draw(st.integers(0, 1))] = -1
    fatjets = draw(st.permutations(list(range(3))))
    boosted_targets = [fatjets[h] if draw(st.booleans()) else -1 for h in range(n_higgs)]
    pair = st.one_of(
        st.just([-1, -1]),
        st.sampled_from(resolved_targets).map(lambda p: p[::-1]),
        st.lists(st.integers(0, 9), min_size=2, max_size=2, unique=True),
    )
    resolved = draw(st.lists(pair, min_size=n_higgs, max_size=n_higgs))
    boosted = draw(st.lists(st.integers(-1, 2), min_size=n_higgs, max_size=n_higgs))
    return resolved_targets, boosted_targets, resolved, boosted, draw(st.randoms())


@settings(max_examples=200, deadline=None)
@given(events_with_predictions())
def test_matching_is_independent_of_slot_order(case):
    resolved_targets, boosted_targets, resolved, boosted, random = case
    truth = targets([resolved_targets], [boosted_targets])
    reference = match_candidates(np.array([resolved]), np.array([boosted]), truth)

    resolved_order = list(range(len(resolved)))
    boosted_order = list(range(len(boosted)))
    random.shuffle(resolved_order)
    random.shuffle(boosted_order)
    permuted = match_candidates(
        np.array([[resolved[i][::-1] if i % 2 else resolved[i] for i in resolved_order]]),
        np.array([[boosted[i] for i in boosted_order]]),
        truth,
    )
    np.testing.assert_array_equal(permuted.reconstructed, reference.reconstructed)
    np.testing.assert_array_equal(permuted.reconstructed_boosted, reference.reconstructed_boosted)
    for match in (reference, permuted):
        assert match.correct.sum() == match.reconstructed.sum()  # a truth Higgs is credited once
        assert (match.correct <= match.present).all()
        assert (match.reconstructed <= match.targets.reconstructable).all()
    for topology_mask in (reference.is_boosted, ~reference.is_boosted):
        assert (permuted.correct & topology_mask).sum() == (reference.correct & topology_mask).sum()
