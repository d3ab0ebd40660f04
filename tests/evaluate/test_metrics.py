import numpy as np
import pytest

from multihiggs.evaluate import metrics
from multihiggs.evaluate.matching import HiggsTargets, match_candidates

NONE = [-1, -1]


@pytest.fixture
def hand_made():
    """Four HHH events with known outcome (counts worked out in the comments).

    ev0: 3 resolved targets; prediction gets H1 and H3 (one with swapped jets), one wrong pair.  6 jets.
    ev1: H1 resolved, H2 partial (one b unmatched), H3 unmatched; prediction gets H1, one wrong pair.  7 jets.
    ev2: H1 boosted only, H2 boosted and resolved, H3 resolved; prediction: both AK8 jets right, plus H2 again as a
         resolved pair (double counting -> wrong), H3 missed.  9 jets.
    ev3: nothing reconstructable; three pairs, all wrong.  6 jets.
    """
    truth = HiggsTargets(
        resolved=np.array(
            [
                [[0, 1], [2, 3], [4, 5]],
                [[0, 1], [2, -1], NONE],
                [NONE, [2, 3], [4, 5]],
                [NONE, NONE, NONE],
            ]
        ),
        boosted=np.array([[-1, -1, -1], [-1, -1, -1], [0, 1, -1], [-1, -1, -1]]),
    )
    resolved = np.array(
        [
            [[1, 0], [2, 4], [5, 4]],
            [[0, 1], [2, 3], NONE],
            [[3, 2], NONE, NONE],
            [[0, 1], [2, 3], [4, 5]],
        ]
    )
    boosted = np.array([[-1, -1, -1], [-1, -1, -1], [0, 1, -1], [-1, -1, -1]])
    truth_pt = np.array([[100.0, 200.0, 300.0], [120.0, 220.0, 320.0], [450.0, 420.0, 80.0], [90.0, 95.0, 99.0]])
    n_jets = np.array([6, 7, 9, 6])
    return match_candidates(resolved, boosted, truth), truth_pt, n_jets


def values(ratios):
    return {topology: float(ratio.value) for topology, ratio in ratios.items()}


def test_inclusive_purity_and_efficiency(hand_made):
    match, _, _ = hand_made
    assert values(metrics.inclusive_purity(match)) == pytest.approx(
        {"resolved": 3 / 9, "boosted": 1.0, "combined": 5 / 11}
    )
    # ev2's H2 is a boosted target (AK8 priority): resolved targets are ev0 x3, ev1 H1, ev2 H3
    assert values(metrics.inclusive_efficiency(match)) == pytest.approx(
        {"resolved": 3 / 5, "boosted": 1.0, "combined": 5 / 7}
    )
    ratio = metrics.inclusive_purity(match)["resolved"]
    assert (ratio.numerator, ratio.denominator) == (3, 9)


def test_a_boosted_target_found_as_a_pair_counts_in_the_combined_efficiency_only():
    truth = HiggsTargets(resolved=np.array([[[0, 1], [2, 3]]]), boosted=np.array([[0, -1]]))
    match = match_candidates(np.array([[[0, 1], [2, 3]]]), np.full((1, 2), -1), truth)
    assert values(metrics.inclusive_efficiency(match)) == pytest.approx(
        {"resolved": 1.0, "boosted": 0.0, "combined": 1.0}
    )
    assert float(metrics.inclusive_efficiency(match)["resolved"].denominator) == 1


def test_event_weights_weight_every_object_of_the_event(hand_made):
    match, _, _ = hand_made
    weights = np.array([2.0, 1.0, 1.0, 1.0])
    assert float(metrics.inclusive_efficiency(match, weights)["combined"].value) == pytest.approx(7 / 10)
    # a common scale changes nothing
    scaled = metrics.inclusive_efficiency(match, 3 * weights)["combined"]
    assert float(scaled.value) == pytest.approx(7 / 10)
    with pytest.raises(ValueError, match="event weights"):
        metrics.inclusive_efficiency(match, np.ones(3))


def test_efficiency_vs_truth_pt_with_an_empty_bin(hand_made):
    match, truth_pt, _ = hand_made
    edges = np.array([0, 100, 200, 300, 400, 500, 600.0])
    combined = metrics.efficiency_vs_pt(match, truth_pt, edges)["combined"]
    np.testing.assert_allclose(combined.value[:5], [0.0, 1.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(combined.denominator, [1, 2, 1, 1, 2, 0])
    assert np.isnan([combined.value[5], combined.lower[5], combined.upper[5]]).all()
    boosted = metrics.efficiency_vs_pt(match, truth_pt, edges)["boosted"]
    np.testing.assert_array_equal(boosted.denominator, [0, 0, 0, 0, 2, 0])


def test_purity_vs_reconstructed_pt(hand_made):
    match, _, _ = hand_made
    candidate_pt = np.where(match.is_boosted, 450.0, 150.0)
    candidate_pt = np.where(match.present, candidate_pt, np.nan)
    purity = metrics.purity_vs_pt(match, candidate_pt, np.array([0, 100, 200, 400, 500.0]))
    np.testing.assert_allclose(purity["resolved"].value, [np.nan, 3 / 9, np.nan, np.nan])
    np.testing.assert_allclose(purity["boosted"].value, [np.nan, np.nan, np.nan, 1.0])
    np.testing.assert_allclose(purity["combined"].denominator, [0, 9, 0, 2])


def test_event_and_higgs_purity_by_category_and_jet_multiplicity(hand_made):
    match, _, n_jets = hand_made
    bins = metrics.jet_multiplicity_bins(3)
    categories = metrics.reconstructable_categories(3)
    assert [b.label for b in bins] == ["= 6", "= 7", "≥ 8", "all"]
    assert [c.label for c in categories] == ["1–3 h", "3 h", "1 h", "2 h"]
    table = metrics.event_metrics(match, n_jets, bins, categories)

    def column(category, quantity):
        return [float(r.value) for r in table[category][quantity]]

    np.testing.assert_allclose(column("partial", "event_purity"), [0, 1, 0, 1 / 3])
    np.testing.assert_allclose(column("partial", "higgs_purity"), [2 / 3, 1, 2 / 3, 5 / 7])
    np.testing.assert_allclose(column("partial", "event_fraction"), [1 / 4, 1 / 4, 1 / 4, 3 / 4])
    np.testing.assert_allclose(column("complete", "event_purity"), [0, np.nan, 0, 0])
    np.testing.assert_allclose(column("complete", "higgs_purity"), [2 / 3, np.nan, 2 / 3, 4 / 6])
    np.testing.assert_allclose(column("1h", "event_purity"), [np.nan, 1, np.nan, 1])
    assert np.isnan(column("2h", "higgs_purity")).all()


def test_hh_jet_bins_and_categories():
    assert [b.label for b in metrics.jet_multiplicity_bins(2)] == ["= 4", "= 5", "≥ 6", "all"]
    assert [c.label for c in metrics.reconstructable_categories(2)] == ["1–2 h", "2 h", "1 h"]
    assert metrics.jet_multiplicity_bins(2)[2].contains(np.array([5, 6, 12])).tolist() == [False, True, True]


def test_unknown_topology_is_refused(hand_made):
    match, _, _ = hand_made
    with pytest.raises(ValueError, match="topology"):
        metrics.topology_candidates(match, "merged")
