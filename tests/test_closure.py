import math

import numpy as np
import pytest

from multihiggs.closure import WeightedHistogram, compare_shapes, compare_yields, kish_n_eff

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


def _bare(sumw, sumw2):
    return WeightedHistogram(np.arange(len(sumw) + 1.0), np.asarray(sumw, float), np.asarray(sumw2, float))


def test_yield_chi2_counts_only_bins_populated_in_both():
    comparison = compare_yields(
        _bare([1.0, 2.0, 0.0, 5.0], [1.0, 1.0, 0.0, 0.0]), _bare([3.0, 2.0, 1.0, 5.0], [1.0] * 4)
    )
    assert (comparison.chi2, comparison.ndf) == (2.0, 2) and comparison.p_value == pytest.approx(math.exp(-1.0))
    assert math.isnan(compare_yields(_bare([1.0], [0.0]), _bare([1.0], [1.0])).p_value)


def test_kish_n_eff():
    assert kish_n_eff(np.ones(7)) == pytest.approx(7.0)
    assert kish_n_eff(np.array([1.0, 0.0, 0.0])) == pytest.approx(1.0)
    assert kish_n_eff(np.array([3.0, 1.0])) == pytest.approx(16 / 10)
    assert kish_n_eff(np.zeros(3)) == 0.0


def test_a_rare_bin_one_small_sample_leaves_empty_is_not_a_discrepancy():
    # 0.05 % of the events in the first bin: 1,000 unit-weight events expect 0.5 there and have none; 200,000
    # events of weight 0.01 have their expected 100 (the old per-side variance made this a 10σ effect)
    small = _bare([0.0, 497.0, 503.0], [0.0, 497.0, 503.0])
    large = _bare([1.0, 999.0, 1000.0], [0.01, 9.99, 10.0])
    assert compare_shapes(small, large).p_value > 0.5


def test_shape_p_values_are_calibrated_for_weighted_samples():
    # two samples of one distribution: the second drawn from a wider exponential and weighted back (w = f / g)
    rng = np.random.default_rng(6)
    edges = np.array([0.0, 0.2, 0.5, 1.0, 2.0, 3.0, 50.0])
    p_values = []
    for _ in range(400):
        a = rng.exponential(1.0, 800)
        b = rng.exponential(2.0, 5000)
        p_values.append(compare_shapes(
            WeightedHistogram.fill(a, np.ones(a.size), edges),
            WeightedHistogram.fill(b, 2.0 * np.exp(-b / 2.0), edges),
        ).p_value)  # fmt: skip
    assert 0.02 < np.mean(np.array(p_values) < 0.05) < 0.09
