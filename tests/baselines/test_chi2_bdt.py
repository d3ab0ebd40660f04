import numpy as np
import pytest

from multihiggs.baselines.chi2_bdt import chi2_bdt_candidates
from multihiggs.baselines.predict import boosted_resolved_predictions
from multihiggs.jets import Jets

from .events import pairings_as_sets

# Massless jet pairs of equal pT p at equal eta with Delta phi = arccos(1 - m^2 / (2 p^2)) have mass m exactly.
DPHI_100 = np.arccos(1 - 125.0**2 / (2 * 100.0**2))
DPHI_80 = np.arccos(1 - 125.0**2 / (2 * 80.0**2))
ROWS = [  # (pt GeV, eta, phi rad): a collimated pair inside the AK8 jet, then two 125 GeV pairs far from it
    (200.0, 0.0, 0.0),
    (180.0, 0.3, 0.2),
    (100.0, 1.5, 2.0),
    (100.0, 1.5, 2.0 + DPHI_100),
    (80.0, -1.5, -2.5),
    (80.0, -1.5, -2.5 + DPHI_80),
]
FATJET_ETA = np.array([[0.15, -1.5]])
FATJET_PHI = np.array([[0.1, -2.5]])


def hand_event() -> Jets:
    pt, eta, phi = (np.array([[row[i] for row in ROWS]]) for i in range(3))
    return Jets(pt, eta, phi, np.zeros_like(pt), np.ones_like(pt), np.ones_like(pt, dtype=bool))


@pytest.mark.parametrize("use_all_jets", [False, True])
def test_tagged_fatjet_removes_its_jets_before_the_chi2(use_all_jets):
    result = chi2_bdt_candidates(
        hand_event(), FATJET_ETA, FATJET_PHI, np.array([[0, -1, -1]]), use_all_jets=use_all_jets
    )
    assert result.boosted_jets.tolist() == [[0, -1, -1]]
    np.testing.assert_array_equal(result.resolved_pairs[0, 0], [-1, -1])
    assert pairings_as_sets(result.resolved_pairs) == [{frozenset({2, 3}), frozenset({4, 5})}]
    assert result.chi2[0] == pytest.approx(0.0, abs=1e-6)


def test_without_tagged_fatjets_all_higgs_are_resolved():
    result = chi2_bdt_candidates(hand_event(), FATJET_ETA, FATJET_PHI, np.array([[-1, -1, -1]]))
    assert (result.boosted_jets == -1).all()
    assert (result.resolved_pairs >= 0).all()
    assert pairings_as_sets(result.resolved_pairs)[0] >= {frozenset({2, 3}), frozenset({4, 5})}


def test_all_boosted_and_overlap_limited_events():
    # Two tagged AK8 jets: the second sits on jet 4, leaving jets 2, 3 and 5; the top two by pT pair up.
    result = chi2_bdt_candidates(hand_event(), FATJET_ETA, FATJET_PHI, np.array([[0, 1, -1]]))
    assert pairings_as_sets(result.resolved_pairs) == [{frozenset({2, 3})}]
    np.testing.assert_array_equal(result.resolved_pairs[0, :2], -1)
    everything_boosted = chi2_bdt_candidates(hand_event(), FATJET_ETA, FATJET_PHI, np.array([[0, 1]]))
    assert (everything_boosted.resolved_pairs == -1).all() and np.isnan(everything_boosted.chi2[0])


def test_predictions_carry_boosted_slots_and_scores():
    result = chi2_bdt_candidates(hand_event(), FATJET_ETA, FATJET_PHI, np.array([[0, -1, -1]]))
    predictions = boosted_resolved_predictions("chi2_bdt", result, np.array([[0.93, 0.2]]))
    assert predictions.boosted_assignments.tolist() == [[0, -1, -1]]
    assert predictions.boosted_detection_probability[0, 0] == pytest.approx(0.93)
    assert np.isnan(predictions.boosted_detection_probability[0, 1:]).all()
    np.testing.assert_array_equal(predictions.resolved_assignments, result.resolved_pairs)


def test_bad_boosted_input_is_rejected():
    with pytest.raises(ValueError, match="fill the first slots"):
        chi2_bdt_candidates(hand_event(), FATJET_ETA, FATJET_PHI, np.array([[-1, 0, -1]]))
    with pytest.raises(ValueError, match="must lie in"):
        chi2_bdt_candidates(hand_event(), FATJET_ETA, FATJET_PHI, np.array([[2, -1, -1]]))
    with pytest.raises(ValueError, match="inconsistent shapes"):
        chi2_bdt_candidates(hand_event(), FATJET_ETA[:, :1], FATJET_PHI, np.array([[0, -1, -1]]))
