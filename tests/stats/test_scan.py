import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import ndtr

from multihiggs.stats.cross_sections import BR_H_BB, sigma_hh_fb
from multihiggs.stats.scan import Q_95, allowed_interval, asymptotic_cls, intervals_by_luminosity, scan_curves
from multihiggs.stats.synthetic import lo_cross_section_fb
from multihiggs.stats.templates import SignalTemplate, Templates

EFFICIENCY = 0.05
BACKGROUND_PB = 0.2
LUMI = 300.0


def one_bin_templates() -> Templates:
    """One bin, a flat efficiency: s(κλ) = L σ_NNLO(κλ) BR² ε exactly; known background, no MC statistics."""
    signals = tuple(
        SignalTemplate(
            kl=kl,
            fiducial_pb=np.array([EFFICIENCY * float(lo_cross_section_fb(kl)) / 1000]),
            variance_pb2=np.array([1e-12]),
            counts=np.array([1000]),
            lo_cross_section_pb=float(lo_cross_section_fb(kl)) / 1000,
        )
        for kl in (-1.0, 1.0, 5.0)
    )
    return Templates(
        method="one_bin",
        observable="mhh",
        edges=np.array([250.0, 1000.0]),
        threshold=None,
        basis_kl=np.array([-1.0, 1.0, 5.0]),
        signals=signals,
        background_pb=np.array([BACKGROUND_PB]),
        background_variance_pb2=np.array([1e-6]),
        background_counts=np.array([1000]),
    )


def signal(kl):
    return LUMI * float(sigma_hh_fb(kl)) * BR_H_BB**2 * EFFICIENCY


BACKGROUND = LUMI * BACKGROUND_PB * 1000
OBSERVED = signal(1.0) + BACKGROUND


def analytic_q(kl):
    """Asimov −2ΔlnL of a one-bin Poisson counting experiment with known background."""
    expected = signal(kl) + BACKGROUND
    return 2 * (expected - OBSERVED - OBSERVED * np.log(expected / OBSERVED))


def analytic_cls(kl):
    s = signal(kl)
    q = 0.0 if signal(1.0) / s > 1 else analytic_q(kl)
    q_asimov = 2 * (s - BACKGROUND * np.log((s + BACKGROUND) / BACKGROUND))
    if q <= q_asimov:
        return (1 - ndtr(np.sqrt(q))) / ndtr(np.sqrt(q_asimov) - np.sqrt(q))
    statistic = (q - q_asimov) / (2 * np.sqrt(q_asimov))
    return ndtr(-(statistic + np.sqrt(q_asimov))) / ndtr(-statistic)


@pytest.fixture(scope="module")
def curves():
    return scan_curves(one_bin_templates(), np.arange(-8, 14.001, 0.01), [LUMI], background_mc_stat=False)


def test_one_bin_profile_scan_is_the_analytic_curve(curves):
    expected = np.array([analytic_q(kl) for kl in curves.kl])
    np.testing.assert_allclose(curves.delta_nll2[0], expected, rtol=1e-6, atol=1e-8)
    lower = brentq(lambda kl: analytic_q(kl) - Q_95, -8, 1)
    upper = brentq(lambda kl: analytic_q(kl) - Q_95, 1, 14)
    interval = curves.profile_interval(0)
    assert interval.lower == pytest.approx(lower, abs=2e-4)
    assert interval.upper == pytest.approx(upper, abs=2e-4)
    assert len(interval.segments) in (1, 2)


def test_one_bin_cls_is_the_analytic_value(curves):
    for kl in (-4.0, -2.0, 0.5, 3.0, 9.0, 12.0):
        index = int(np.argmin(np.abs(curves.kl - kl)))
        assert curves.cls[0, index] == pytest.approx(analytic_cls(curves.kl[index]), rel=1e-5, abs=1e-9)
    row = intervals_by_luminosity(curves)[0]
    assert row["cls_95"]["lower"] == pytest.approx(brentq(lambda k: analytic_cls(k) - 0.05, -8, 1), abs=1e-3)


def test_intervals_shrink_with_luminosity():
    curves = scan_curves(one_bin_templates(), np.arange(-8, 14.001, 0.05), [139, 3000], background_mc_stat=False)
    low, high = curves.profile_interval(0), curves.profile_interval(1)
    assert low.lower < high.lower < 1 < high.upper < low.upper


def test_allowed_interval_segments_and_open_edges():
    kl = np.arange(0.0, 10.0, 1.0)
    margin = np.array([-1, 1, 1, -1, -1, 1, 1, -1, -1, -1], dtype=float)
    interval = allowed_interval(kl, margin)
    assert interval.segments == ((0.5, 2.5), (4.5, 6.5))
    assert (interval.lower, interval.upper) == (0.5, 6.5)
    open_interval = allowed_interval(kl, np.ones(10))
    assert np.isnan(open_interval.lower) and np.isnan(open_interval.upper)
    assert np.isnan(allowed_interval(kl, -np.ones(10)).lower)
    with pytest.raises(ValueError, match="increasing"):
        allowed_interval(kl[::-1], margin)


def test_asymptotic_cls_limits():
    # q = 0: CLs = 0.5 / Φ(√q_A); no sensitivity (q_A = 0) gives CLs = 1
    assert asymptotic_cls(0.0, 4.0) == pytest.approx(0.5 / ndtr(2.0))
    assert asymptotic_cls(3.0, 0.0) == 1.0
    assert asymptotic_cls(9.0, 9.0) == pytest.approx((1 - ndtr(3.0)) / 0.5)
