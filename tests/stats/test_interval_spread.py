import numpy as np
import pytest

from multihiggs.stats.interval_spread import background_replica, interval_spread
from multihiggs.stats.scan import Q_95, scan_curves
from multihiggs.stats.spread_table import spread_markdown, spread_rows
from multihiggs.stats.templates import SelectedSample, TemplateInputs, build_templates

EDGES = np.linspace(250.0, 1000.0, 6)
KL_GRID = np.arange(-10.0, 16.05, 0.1)
BASIS = (0.0, 1.0, 5.0)


def sample(rng, n, kl, total_pb, lo=None, truth_factor=None):
    weights = np.full(n, total_pb / n)
    return SelectedSample(
        kl=kl,
        observable=rng.uniform(260.0, 990.0, n),
        score=rng.uniform(0.0, 1.0, n),
        weight_pb=weights,
        split_fraction=1.0,
        lo_cross_section_pb=lo,
        truth_tag_weight_pb=None if truth_factor is None else truth_factor * weights,
    )


def signals(rng):
    # fiducial cross sections large against the background, so that the 139 fb^-1 interval closes in the grid
    return [sample(rng, 3000, kl, lo, lo=lo) for kl, lo in ((0.0, 0.04), (1.0, 0.02), (5.0, 0.044))]


def spread(background, replicas=20, seed=3):
    inputs = TemplateInputs("test", "mhh", EDGES, tuple(signals(np.random.default_rng(0))), background, BASIS)
    nominal = inputs.build(threshold=0.5)
    return interval_spread(inputs, nominal, n_replicas=replicas, seed=seed, luminosity_fb=139.0, kl_grid=KL_GRID)


def test_a_replica_draws_each_event_k_times_for_all_of_its_weights():
    rng = np.random.default_rng(1)
    background = sample(rng, 400, float("nan"), 0.5, truth_factor=0.25)
    first = background_replica(background, np.random.default_rng(7))
    again = background_replica(background, np.random.default_rng(7))
    np.testing.assert_array_equal(first.weight_pb, again.weight_pb)
    multiplicity = first.weight_pb / background.weight_pb[0]
    np.testing.assert_allclose(multiplicity, np.round(multiplicity))
    assert multiplicity.min() >= 1 and len(first.weight_pb) < 400  # k = 0 events are left out
    np.testing.assert_allclose(first.truth_tag_weight_pb, 0.25 * first.weight_pb)
    assert set(first.observable) <= set(background.observable)


def test_the_nominal_bounds_are_those_of_the_method_and_replicas_follow_the_seed():
    background = sample(np.random.default_rng(2), 2000, float("nan"), 0.2)
    result = spread(background)
    templates = build_templates("test", "mhh", EDGES, signals(np.random.default_rng(0)), background, BASIS,
                                threshold=0.5)  # fmt: skip
    curves = scan_curves(templates, KL_GRID, np.array([139.0]), with_cls=False, background_mc_stat=False)
    interval = curves.profile_interval(0, Q_95)
    assert result.nominal == pytest.approx((interval.lower, interval.upper))
    assert np.isfinite(result.nominal).all()
    np.testing.assert_array_equal(spread(background).lower, result.lower)
    assert not np.array_equal(spread(background, seed=4).lower, result.lower)
    assert len(result.lower) == len(result.upper) == 20


def test_the_spread_shrinks_as_the_background_sample_grows():
    def width_spread(n_events):
        summary = spread(sample(np.random.default_rng(5), n_events, float("nan"), 0.2), replicas=40).summary()
        return summary["width"]["p84"] - summary["width"]["p16"]

    assert width_spread(30_000) < 0.5 * width_spread(300)


def test_no_replicas_is_refused():
    with pytest.raises(ValueError, match="replicas must be positive"):
        spread(sample(np.random.default_rng(2), 100, float("nan"), 0.2), replicas=0)


def test_the_table_gives_nominal_bounds_with_their_spread_and_names_open_ones():
    document = {
        "method": "chi2",
        "threshold": 0.6,
        "luminosity_fb": 139.0,
        "replicas": 4,
        "nominal": {"lower": None, "upper": 14.0, "width": None},
        "lower": {"p16": -9.0, "p50": -8.0, "p84": -7.0, "open_fraction": 0.25},
        "upper": {"p16": 12.0, "p50": 13.0, "p84": 15.0, "open_fraction": 0.0},
        "width": {"p16": 19.0, "p50": 21.0, "p84": 22.0, "open_fraction": 0.25},
    }
    assert spread_rows([document]) == [["chi2", "0.6", "open ± 1.00", "14.00 ± 1.50", "open ± 1.50", "25 %"]]
    assert "139 fb⁻¹" in spread_markdown([document]) and "4 Poisson-bootstrap replicas" in spread_markdown([document])
