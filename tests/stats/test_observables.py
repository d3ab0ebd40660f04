import dataclasses

import numpy as np
import pytest

from multihiggs.jets import Jets
from multihiggs.stats.observables import higgs_candidates, selection_feature_names, selection_features

from .events import hh_events, resolved_predictions


def test_true_pairs_give_the_higgs_masses_and_m_hh():
    mhh = np.array([260.0, 400.0, 750.0, 1500.0])
    events = hh_events(np.random.default_rng(2), mhh)
    candidates = higgs_candidates(events.jets, resolved_predictions("truth", events.true_pairs))
    np.testing.assert_allclose(candidates.system_mass(), mhh, rtol=1e-9)
    np.testing.assert_allclose(candidates.momenta().mass, 125.0, rtol=1e-9)
    assert (np.diff(candidates.momenta().pt, axis=1) <= 0).all()  # pT-ordered
    features = selection_features(candidates)
    assert features.shape == (4, len(selection_feature_names(2)))
    np.testing.assert_allclose(features[:, -1], mhh, rtol=1e-9)
    # boosted decay: ΔR between the b jets shrinks with the Higgs pT
    dr = features[:, selection_feature_names(2).index("h1_delta_r_jets")]
    assert dr[-1] < dr[0]


def test_incomplete_events_are_not_reconstructed():
    events = hh_events(np.random.default_rng(3), np.array([400.0, 500.0]))
    pairs = events.true_pairs.copy()
    pairs[1, 1] = -1
    candidates = higgs_candidates(events.jets, resolved_predictions("m", pairs))
    assert candidates.reconstructed.tolist() == [True, False]
    assert np.isnan(candidates.system_mass()[1]) and np.isnan(selection_features(candidates)[1]).all()


def test_boosted_candidates_use_the_ak8_four_vector():
    events = hh_events(np.random.default_rng(4), np.array([600.0]))
    higgs = events.higgs
    fatjets = Jets(
        pt=np.array([[float(higgs.pt[0, 0])]]),
        eta=np.array([[float(higgs.eta[0, 0])]]),
        phi=np.array([[float(higgs.phi[0, 0])]]),
        mass=np.array([[125.0]]),
        btag=np.zeros((1, 1)),
        mask=np.ones((1, 1), dtype=bool),
    )
    pairs = events.true_pairs.copy()
    pairs[0, 0] = -1  # the first Higgs is found as an AK8 jet instead
    predictions = dataclasses.replace(resolved_predictions("b", pairs), boosted_assignments=np.array([[0, -1]]))
    candidates = higgs_candidates(events.jets, predictions, fatjets)
    assert candidates.system_mass()[0] == pytest.approx(600.0, rel=1e-9)
    assert candidates.boosted.sum() == 1
    with pytest.raises(ValueError, match="pass the AK8 jets"):
        higgs_candidates(events.jets, predictions)


def test_bad_indices_are_rejected():
    events = hh_events(np.random.default_rng(5), np.array([400.0]))
    with pytest.raises(ValueError, match="padded"):
        higgs_candidates(events.jets, resolved_predictions("m", np.array([[[0, 1], [2, 7]]])))
    with pytest.raises(ValueError, match="events"):
        higgs_candidates(events.jets, resolved_predictions("m", np.zeros((2, 2, 2), dtype=int)))
