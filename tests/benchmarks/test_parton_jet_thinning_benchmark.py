"""The early-thinning benchmark's paired n_eff and candidate rule (no generation)."""

import numpy as np
import pytest

from multihiggs.closure import kish_n_eff
from multihiggs.samples import PartonJetThinning

from .test_benchmark_scripts import load_script


def test_expected_n_eff_is_kish_without_thinning_and_ignores_empty_events():
    benchmark = load_script("qcd_parton_jet_thinning")
    weights = np.array([1.0, 2.0, 0.5, 0.0, 3.0])
    assert benchmark.expected_n_eff(weights, np.ones(5)) == pytest.approx(kish_n_eff(weights))
    thinned_empty = np.array([1.0, 1.0, 1.0, 0.1, 1.0])  # only the zero-weight event is thinned
    assert benchmark.expected_n_eff(weights, thinned_empty) == pytest.approx(kish_n_eff(weights))
    # thinning a weighted event at p costs it a factor 1/p in Σw²
    keep = np.array([1.0, 0.5, 1.0, 1.0, 1.0])
    assert benchmark.expected_n_eff(weights, keep) == pytest.approx(6.5**2 / (1 + 8 + 0.25 + 9))


def test_candidates_agree_with_the_generator_rule():
    benchmark = load_script("qcd_parton_jet_thinning")
    rng = np.random.default_rng(3)
    pts = -np.sort(-rng.exponential(30.0, size=(200, 8)), axis=1)
    thinning = PartonJetThinning()
    expected = [thinning.is_candidate(row) for row in pts]
    assert list(benchmark.candidates(pts, thinning.requirements)) == expected
    assert 0 < np.mean(expected) < 1
