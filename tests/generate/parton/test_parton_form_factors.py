"""Top-loop form factors: heavy-top limits, t <-> u symmetry, p_T = 0 behaviour."""

import numpy as np
import pytest

from multihiggs.generate.parton import box_form_factors, triangle_form_factor, triangle_function

HIGGS_MASS = 125.0


def _mandelstam_t(mass_gev, cos_theta):
    s = mass_gev**2
    beta = np.sqrt(1.0 - 4.0 * HIGGS_MASS**2 / s)
    return s, HIGGS_MASS**2 - 0.5 * s * (1.0 - beta * cos_theta)


def test_heavy_top_limit():
    mass = np.array([260.0, 400.0, 800.0])[:, None]
    s, t = _mandelstam_t(mass, np.array([0.0, 0.4, 0.9])[None, :])
    f_box, g_box = box_form_factors(s, t, HIGGS_MASS, 5000.0, c0_order=16, d0_order=12)
    np.testing.assert_allclose(triangle_form_factor(s, 5000.0), 2.0 / 3.0, atol=2e-3)
    np.testing.assert_allclose(f_box, -2.0 / 3.0, atol=2e-3)
    np.testing.assert_allclose(g_box, 0.0, atol=2e-3)


def test_triangle_function_is_continuous_at_threshold():
    below, above = triangle_function(np.array([1.0 + 1e-9, 1.0 - 1e-9]))
    np.testing.assert_allclose(below, np.pi**2 / 4.0, rtol=1e-4)
    np.testing.assert_allclose(above, np.pi**2 / 4.0, rtol=1e-4, atol=1e-3)


def test_box_form_factors_are_symmetric_under_t_u_exchange():
    s, t = _mandelstam_t(500.0, 0.6)
    u = 2.0 * HIGGS_MASS**2 - s - t
    forward = box_form_factors(s, t, HIGGS_MASS, 173.0, c0_order=32, d0_order=16)
    backward = box_form_factors(s, u, HIGGS_MASS, 173.0, c0_order=32, d0_order=16)
    np.testing.assert_allclose(forward, backward, rtol=1e-4)  # equal up to quadrature error


def test_spin_two_form_factor_vanishes_at_zero_transverse_momentum():
    s, t = _mandelstam_t(np.array([600.0, 600.0, 2.0 * HIGGS_MASS]), np.array([1.0, 0.5, 0.3]))
    f_box, g_box = box_form_factors(s, t, HIGGS_MASS, 173.0, c0_order=24, d0_order=12)
    assert g_box[0] == 0.0 and g_box[2] == 0.0
    assert abs(g_box[1]) > 1e-2
    assert np.all(np.isfinite(f_box))


def test_box_form_factors_reject_points_below_the_pair_threshold():
    with pytest.raises(ValueError, match="4 m_H"):
        box_form_factors(200.0**2, -1.0e4, HIGGS_MASS, 173.0)
