import numpy as np
import pytest
from scipy import stats

from multihiggs.evaluate.binomial import ONE_SIGMA, Ratio, binomial_ratio


@pytest.mark.parametrize("method", ["clopper_pearson", "wilson"])
def test_interval_brackets_the_ratio_and_shrinks_with_statistics(method):
    small = binomial_ratio(np.array(3.0), np.array(10.0), method=method)
    large = binomial_ratio(np.array(300.0), np.array(1000.0), method=method)
    for ratio in (small, large):
        assert ratio.lower < ratio.value < ratio.upper
    assert small.value == pytest.approx(0.3) and large.value == pytest.approx(0.3)
    assert large.upper - large.lower < (small.upper - small.lower) / 5
    # ±1σ binomial width for large n: sqrt(p(1-p)/n)
    assert (large.upper - large.lower) / 2 == pytest.approx(np.sqrt(0.3 * 0.7 / 1000), rel=0.05)


def test_clopper_pearson_matches_beta_quantiles_and_edges():
    ratio = binomial_ratio(np.array([0.0, 4.0, 10.0]), np.array([10.0, 10.0, 10.0]))
    alpha = 1 - ONE_SIGMA
    assert ratio.lower[0] == 0.0 and ratio.upper[2] == 1.0
    assert ratio.lower[1] == pytest.approx(stats.beta.ppf(alpha / 2, 4, 7))
    assert ratio.upper[1] == pytest.approx(stats.beta.ppf(1 - alpha / 2, 5, 6))
    assert ratio.upper[0] == pytest.approx(1 - (alpha / 2) ** (1 / 10))


def test_empty_denominator_gives_nan_not_an_error():
    ratio = binomial_ratio(np.array([0.0, 2.0]), np.array([0.0, 4.0]))
    assert np.isnan([ratio.value[0], ratio.lower[0], ratio.upper[0]]).all()
    assert ratio.value[1] == 0.5


def test_unit_weights_equal_counts_and_weights_use_effective_entries():
    counts = binomial_ratio(np.array(6.0), np.array(20.0))
    unit = binomial_ratio(np.array(6.0), np.array(20.0), np.array(20.0))
    np.testing.assert_allclose([unit.lower, unit.upper], [counts.lower, counts.upper])
    # 20 entries of weight 2.5 carry the statistics of 20 entries, not of 50.
    scaled = binomial_ratio(np.array(15.0), np.array(50.0), np.array(20 * 2.5**2))
    np.testing.assert_allclose([scaled.value, scaled.lower, scaled.upper], [counts.value, counts.lower, counts.upper])


def test_bad_ratios_are_refused():
    with pytest.raises(ValueError, match="numerator <= denominator"):
        binomial_ratio(np.array(5.0), np.array(4.0))
    with pytest.raises(ValueError, match="interval method"):
        binomial_ratio(np.array(1.0), np.array(4.0), method="normal")


def test_ratio_round_trips_through_a_dict():
    ratio = binomial_ratio(np.array([1.0, 0.0]), np.array([2.0, 0.0]))
    back = Ratio.from_dict({name: list(values) for name, values in ratio.as_dict().items()})
    np.testing.assert_array_equal(back.value, ratio.value)
