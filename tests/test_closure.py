import numpy as np
import pytest

from multihiggs.closure import WeightedHistogram, compare_shapes

EDGES = [0.0, 1.0, 2.0, 3.0]


def test_fill_puts_under_and_overflow_in_the_outer_bins_and_skips_nan():
    histogram = WeightedHistogram.fill(np.array([-5.0, 0.5, 2.5, 99.0, np.nan]), np.array([1, 2, 3, 4, 5.0]), EDGES)
    np.testing.assert_allclose(histogram.sumw, [3.0, 0.0, 7.0])
    np.testing.assert_allclose(histogram.sumw2, [5.0, 0.0, 25.0])
    assert histogram.n_eff == pytest.approx(100.0 / 30.0)


def test_identical_histograms_close_and_a_shifted_one_does_not():
    rng = np.random.default_rng(3)
    values = rng.normal(1.5, 0.6, 20_000)
    reference = WeightedHistogram.fill(values, np.ones(values.size), EDGES)
    same = compare_shapes(reference, reference)
    assert same.chi2 == 0.0 and same.ndf == 2 and same.p_value == 1.0 and same.normalisation_pull == 0.0
    shifted = WeightedHistogram.fill(values + 0.3, np.full(values.size, 2.0), EDGES)
    comparison = compare_shapes(reference, shifted)
    assert comparison.p_value < 1e-6
    assert comparison.normalisation_pull > 50  # twice the total


def test_independent_samples_of_one_distribution_agree():
    rng = np.random.default_rng(4)
    a = WeightedHistogram.fill(rng.exponential(1.0, 5000), rng.uniform(0.5, 1.5, 5000), EDGES)
    b = WeightedHistogram.fill(rng.exponential(1.0, 5000), rng.uniform(0.5, 1.5, 5000), EDGES)
    assert compare_shapes(a, b).p_value > 1e-3


def test_different_binnings_are_refused():
    a = WeightedHistogram.fill(np.ones(3), np.ones(3), EDGES)
    with pytest.raises(ValueError, match="binnings"):
        compare_shapes(a, WeightedHistogram.fill(np.ones(3), np.ones(3), [0.0, 2.0, 3.0]))
