"""C0 and D0 with equal internal masses: closed forms, symmetries, convergence in the quadrature order."""

import numpy as np
import pytest

from multihiggs.generate.parton import c0_equal_mass, c0_massless_pair_closed_form, d0_equal_mass

TOP_MASS_SQ = 173.0**2
HIGGS_MASS_SQ = 125.0**2


@pytest.mark.parametrize(
    "s_gev2",
    [
        pytest.param(np.array([1.0e3, 5.0e4, 1.0e5]), id="below-threshold"),
        pytest.param(np.array([1.25e5, 2.0e5, 1.0e6, 4.0e6]), id="above-threshold"),
    ],
)
def test_c0_massless_pair_matches_closed_form(s_gev2):
    numeric = c0_equal_mass(0.0, 0.0, s_gev2, TOP_MASS_SQ)
    exact = c0_massless_pair_closed_form(s_gev2, 173.0)
    np.testing.assert_allclose(numeric, exact, rtol=2e-4)


def test_c0_closed_form_has_the_physical_imaginary_part():
    # -i eps prescription: Im C0 = -pi int delta(D) < 0 above threshold, 0 below.
    below, above = c0_massless_pair_closed_form(np.array([1.0e5, 2.0e5]), 173.0)
    assert below.imag == 0.0
    assert above.imag < 0.0


def test_c0_at_zero_momenta_is_minus_half_inverse_mass_squared():
    np.testing.assert_allclose(c0_equal_mass(0.0, 0.0, 0.0, TOP_MASS_SQ), -0.5 / TOP_MASS_SQ, rtol=1e-12)


def test_c0_is_symmetric_under_permutations_of_its_legs():
    legs = (HIGGS_MASS_SQ, -3.0e4, 2.5e5)
    reference = c0_equal_mass(*legs, TOP_MASS_SQ)
    for permuted in [(legs[1], legs[2], legs[0]), (legs[2], legs[1], legs[0])]:
        np.testing.assert_allclose(c0_equal_mass(*permuted, TOP_MASS_SQ), reference, rtol=1e-6)


def test_d0_at_zero_momenta_is_one_sixth_inverse_mass_to_the_fourth():
    value = d0_equal_mass(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, TOP_MASS_SQ)
    np.testing.assert_allclose(value, 1.0 / (6.0 * TOP_MASS_SQ**2), rtol=1e-12)


def test_d0_is_symmetric_under_cyclic_shift_and_reflection():
    s, u = 4.0e5, -1.5e5
    reference = d0_equal_mass(0.0, 0.0, HIGGS_MASS_SQ, HIGGS_MASS_SQ, s, u, TOP_MASS_SQ)
    cyclic = d0_equal_mass(0.0, HIGGS_MASS_SQ, HIGGS_MASS_SQ, 0.0, u, s, TOP_MASS_SQ)
    reflected = d0_equal_mass(HIGGS_MASS_SQ, HIGGS_MASS_SQ, 0.0, 0.0, s, u, TOP_MASS_SQ)
    np.testing.assert_allclose(cyclic, reference, rtol=1e-5)
    np.testing.assert_allclose(reflected, reference, rtol=1e-5)


def test_d0_converges_in_the_quadrature_order_above_threshold():
    mass = np.array([350.0, 400.0, 700.0, 1500.0])
    s = mass**2
    u = HIGGS_MASS_SQ - 0.5 * s * (1.0 + 0.5 * np.sqrt(1.0 - 4.0 * HIGGS_MASS_SQ / s))

    def d0(order):
        return d0_equal_mass(0.0, 0.0, HIGGS_MASS_SQ, HIGGS_MASS_SQ, s, u, TOP_MASS_SQ, order=order)

    reference = d0(40)
    error_12 = np.abs(d0(12) / reference - 1.0)
    error_24 = np.abs(d0(24) / reference - 1.0)
    assert np.all(error_24 < 2e-3)
    assert error_24.max() < error_12.max()
    assert np.all(reference.imag != 0.0)  # above the top-pair threshold D0 is complex


def test_loop_integrals_broadcast_and_reject_bad_input():
    s = np.linspace(1.0e4, 1.0e6, 6).reshape(2, 3)
    assert c0_equal_mass(0.0, 0.0, s, TOP_MASS_SQ, order=8).shape == (2, 3)
    with pytest.raises(ValueError, match="mass"):
        c0_equal_mass(0.0, 0.0, 1.0e5, -1.0)
    with pytest.raises(ValueError, match="finite"):
        d0_equal_mass(0.0, 0.0, 0.0, 0.0, np.nan, 0.0, TOP_MASS_SQ)
    with pytest.raises(ValueError, match="order"):
        c0_equal_mass(0.0, 0.0, 1.0e5, TOP_MASS_SQ, order=1)
