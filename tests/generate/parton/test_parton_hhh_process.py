"""gg -> HHH damped-HEFT model: amplitude properties, events, MC cross section."""

import numpy as np
import pytest

from multihiggs.generate.parton import generate_hhh_events, hhh_damping, hhh_eft_amplitude

HIGGS_MASS = 125.0


def test_amplitude_is_symmetric_in_the_three_scalars():
    s, pairs = 700.0**2, (300.0**2, 350.0**2, 400.0**2)
    reference = hhh_eft_amplitude(s, *pairs, 1.0, 1.0, HIGGS_MASS)
    assert hhh_eft_amplitude(s, pairs[2], pairs[0], pairs[1], 1.0, 1.0, HIGGS_MASS) == pytest.approx(reference)


def test_amplitude_depends_on_both_self_couplings():
    args = (700.0**2, 300.0**2, 350.0**2, 400.0**2)
    sm = hhh_eft_amplitude(*args, 1.0, 1.0, HIGGS_MASS)
    assert hhh_eft_amplitude(*args, 2.0, 1.0, HIGGS_MASS) != pytest.approx(sm)
    assert hhh_eft_amplitude(*args, 1.0, 5.0, HIGGS_MASS) != pytest.approx(sm)


def test_damping_tends_to_one_for_a_heavy_top():
    np.testing.assert_allclose(hhh_damping(np.array([500.0**2, 900.0**2]), 20000.0), 1.0, atol=2e-3)
    assert abs(hhh_damping(np.array([3000.0**2]), 173.0)[0]) < 0.1


@pytest.fixture(scope="module")
def hhh_events(gluon_pdf):
    return generate_hhh_events(1.0, 1.0, HIGGS_MASS, 5_000, 14000.0, gluon_pdf, np.random.default_rng(3))


def test_hhh_events_are_physical(hhh_events):
    assert hhh_events.scalars.shape == (5_000, 3, 4)
    np.testing.assert_allclose(hhh_events.incoming.sum(axis=1), hhh_events.scalars.sum(axis=1), atol=1e-8)
    masses = np.sqrt(hhh_events.scalars[..., 3] ** 2 - np.sum(hhh_events.scalars[..., :3] ** 2, axis=-1))
    np.testing.assert_allclose(masses, HIGGS_MASS, rtol=1e-9)
    total = hhh_events.scalars.sum(axis=1)
    m_hhh = np.sqrt(total[:, 3] ** 2 - np.sum(total[:, :3] ** 2, axis=1))
    assert np.all(m_hhh > 3.0 * HIGGS_MASS)
    assert 500.0 < np.median(m_hhh) < 900.0  # damped model: no longer the HEFT tail (median ~1.8 TeV)
    assert 0.0 < hhh_events.cross_section_error_pb < 0.05 * hhh_events.cross_section_pb


def test_damping_softens_the_spectrum(gluon_pdf):
    rng = np.random.default_rng(4)
    heft = generate_hhh_events(1.0, 1.0, HIGGS_MASS, 2_000, 14000.0, gluon_pdf, rng, damping_power=0)
    damped = generate_hhh_events(1.0, 1.0, HIGGS_MASS, 2_000, 14000.0, gluon_pdf, rng, damping_power=3)

    def median_mass(events):
        total = events.scalars.sum(axis=1)
        return np.median(np.sqrt(total[:, 3] ** 2 - np.sum(total[:, :3] ** 2, axis=1)))

    assert median_mass(heft) > 1.5 * median_mass(damped)


def test_hhh_generator_is_deterministic_and_validates(gluon_pdf):
    first = generate_hhh_events(1.0, 1.0, HIGGS_MASS, 50, 14000.0, gluon_pdf, np.random.default_rng(9))
    second = generate_hhh_events(1.0, 1.0, HIGGS_MASS, 50, 14000.0, gluon_pdf, np.random.default_rng(9))
    np.testing.assert_array_equal(first.scalars, second.scalars)
    with pytest.raises(ValueError, match="mass_max"):
        generate_hhh_events(1.0, 1.0, HIGGS_MASS, 10, 14000.0, gluon_pdf, np.random.default_rng(9), mass_max_gev=300.0)
    with pytest.raises(ValueError, match="damping_power"):
        generate_hhh_events(1.0, 1.0, HIGGS_MASS, 10, 14000.0, gluon_pdf, np.random.default_rng(9), damping_power=-1)
