import numpy as np
import pytest

from multihiggs.evaluate.candidates import BoostedJets, candidate_kinematics, leading_pair_masses
from multihiggs.evaluate.masses import mass_histogram
from multihiggs.evaluate.sculpting import js_distance, random_jet_pairs, random_repairing, sculpting_summary
from multihiggs.jets import Jets


def back_to_back_jets(n_events: int = 2) -> Jets:
    """Four massless jets per event: (0, 1) back to back with pT 60 (mass 120), (2, 3) with pT 20 (mass 40)."""
    pt = np.tile([60.0, 60.0, 20.0, 20.0], (n_events, 1))
    phi = np.tile([0.0, np.pi, 0.5, 0.5 - np.pi], (n_events, 1))
    zeros = np.zeros_like(pt)
    return Jets(pt=pt, eta=zeros, phi=phi, mass=zeros, btag=zeros, mask=np.ones_like(pt, dtype=bool))


def no_fatjets(n_events: int) -> BoostedJets:
    return BoostedJets(pt=np.zeros((n_events, 2)), mass=np.zeros((n_events, 2)), mask=np.zeros((n_events, 2), bool))


def test_dijet_and_fatjet_kinematics_on_the_candidate_axis():
    fatjets = BoostedJets(pt=np.array([[400.0, 300.0]]), mass=np.array([[118.0, 30.0]]), mask=np.ones((1, 2), bool))
    kinematics = candidate_kinematics(
        back_to_back_jets(1), fatjets, np.array([[[1, 0], [-1, -1]]]), np.array([[-1, 0]])
    )
    # boosted slots first, then resolved slots
    np.testing.assert_allclose(kinematics.mass[0], [np.nan, 118.0, 120.0, np.nan], atol=1e-6)
    np.testing.assert_allclose(kinematics.pt[0], [np.nan, 400.0, 0.0, np.nan], atol=1e-6)
    leading, subleading = leading_pair_masses(kinematics)
    assert leading[0] == pytest.approx(118.0) and subleading[0] == pytest.approx(120.0)


def test_assignments_to_padded_or_missing_jets_are_refused():
    jets = back_to_back_jets(1)
    with pytest.raises(ValueError, match="outside"):
        candidate_kinematics(jets, no_fatjets(1), np.array([[[0, 12]]]), np.array([[-1]]))
    with pytest.raises(ValueError, match="padded"):
        candidate_kinematics(jets, no_fatjets(1), np.array([[[0, 1]]]), np.array([[1]]))


def test_random_repairing_keeps_the_jets_and_the_number_of_pairs():
    assignments = np.array([[[0, 1], [2, 3], [-1, -1]], [[4, 7], [-1, -1], [-1, 5]]])
    repaired = random_repairing(assignments, np.random.default_rng(1))
    assert sorted(repaired[0].ravel().tolist()) == [-1, -1, 0, 1, 2, 3]
    assert sorted(repaired[1].ravel().tolist()) == [-1, -1, -1, -1, 4, 7]  # (-1, 5) is no candidate
    assert ((repaired >= 0).all(axis=-1).sum(axis=1) == [2, 1]).all()
    np.testing.assert_array_equal(repaired, random_repairing(assignments, np.random.default_rng(1)))


def test_js_distance_is_zero_for_equal_shapes_and_one_for_disjoint_ones():
    edges = np.linspace(0, 200, 21)
    low = mass_histogram(np.array([[50.0], [52.0]]), np.ones((2, 1), bool), edges)
    high = mass_histogram(np.array([[150.0], [150.0]]), np.ones((2, 1), bool), edges)
    doubled = mass_histogram(np.array([[50.0], [52.0]]), np.ones((2, 1), bool), edges, np.array([2.0, 2.0]))
    assert js_distance(low, doubled) == pytest.approx(0.0)
    assert js_distance(low, high) == pytest.approx(1.0)
    empty = mass_histogram(np.array([[np.nan]]), np.ones((1, 1), bool), edges)
    assert np.isnan(js_distance(low, empty))


def random_qcd_like_jets(n_events: int, seed: int = 3) -> Jets:
    rng = np.random.default_rng(seed)
    pt = np.sort(rng.exponential(50.0, (n_events, 6)) + 20.0, axis=1)[:, ::-1]
    return Jets(pt=pt, eta=rng.uniform(-2.5, 2.5, pt.shape), phi=rng.uniform(-np.pi, np.pi, pt.shape),
                mass=np.full(pt.shape, 5.0), btag=np.zeros(pt.shape), mask=np.ones(pt.shape, bool))  # fmt: skip


PAIRINGS = np.array([[[0, 1], [2, 3], [4, 5]], [[0, 2], [1, 4], [3, 5]], [[0, 3], [1, 5], [2, 4]],
                     [[0, 4], [1, 2], [3, 5]], [[0, 5], [1, 3], [2, 4]]])  # fmt: skip


def mass_seeking_pairing(jets: Jets) -> np.ndarray:
    """Per event, the pairing (of five) whose first pair is closest to 125 GeV: (N, 3, 2)."""
    n_events = jets.n_events
    masses = [candidate_kinematics(jets, no_fatjets(n_events), np.broadcast_to(p, (n_events, 3, 2)),
                                   np.full((n_events, 0), -1)).mass[:, 0] for p in PAIRINGS]  # fmt: skip
    return PAIRINGS[np.argmin(np.abs(np.stack(masses, axis=1) - 125.0), axis=1)]


def test_a_mass_seeking_pairing_sculpts_more_than_a_random_one():
    n_events = 2000
    jets = random_qcd_like_jets(n_events)
    no_boosted = np.full((n_events, 0), -1)
    seeking = sculpting_summary(jets, no_fatjets(n_events), mass_seeking_pairing(jets), no_boosted)
    random_pairing = random_repairing(PAIRINGS[np.zeros(n_events, int)], np.random.default_rng(7))
    blind = sculpting_summary(jets, no_fatjets(n_events), random_pairing, no_boosted)
    assert blind["js_distance"] < 0.1  # the statistical floor of two random pairings
    assert seeking["js_distance"] > 2 * blind["js_distance"]
    assert seeking["masses"]["method"]["resolved"] is not None


def test_jet_choice_sculpting_needs_the_random_jets_reference():
    jets = random_qcd_like_jets(400)
    single_pair = mass_seeking_pairing(jets)[:, :1]  # the pair nearest 125 GeV only
    summary = sculpting_summary(jets, no_fatjets(400), single_pair, np.full((400, 0), -1), seed=2)
    assert summary["js_distance"] == pytest.approx(0.0)  # nothing to re-pair: blind by construction
    assert summary["js_distance_random_jets"] > 0.2


def test_random_jet_pairs_use_distinct_real_jets():
    mask = np.array([[True] * 5 + [False] * 5, [True] * 10])
    pairs = random_jet_pairs(mask, np.array([3, 1]), 3, np.random.default_rng(0))
    assert ((pairs >= 0).all(axis=-1).sum(axis=1) == [2, 1]).all()  # 5 real jets give at most 2 pairs
    used = pairs[0][pairs[0] >= 0]
    assert len(set(used.tolist())) == 4 and used.max() < 5
