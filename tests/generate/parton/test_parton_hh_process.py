"""gg -> HH at LO: published kappa_lambda ratios, SM cross section and m_HH peak, unweighted events."""

import numpy as np
import pytest

from multihiggs.generate.parton import (
    generate_hh_events,
    hh_cross_section_coefficients,
    hh_cross_section_pb,
    hh_cross_section_ratios,
    hh_mass_spectrum_terms,
)

KAPPA_LAMBDAS = np.array([-5.0, -3.0, -1.0, 0.0, 1.0, 2.0, 2.45, 3.0, 5.0, 7.0, 9.0, 12.0])
PUBLISHED_LO_RATIO = (2.09, -1.37, 0.28)  # sigma(kl) / sigma(1) at 13 TeV, LO with full m_t dependence


def test_kappa_lambda_ratios_match_published_lo(coarse_table, gluon_pdf):
    ratios, fit = hh_cross_section_ratios(coarse_table, KAPPA_LAMBDAS, pdf=gluon_pdf)
    published = np.polynomial.polynomial.polyval(KAPPA_LAMBDAS, PUBLISHED_LO_RATIO)
    np.testing.assert_allclose(ratios, published, rtol=0.05)
    np.testing.assert_allclose(fit, PUBLISHED_LO_RATIO, rtol=0.05)
    assert ratios[KAPPA_LAMBDAS == 1.0] == pytest.approx(1.0)


def test_sm_cross_section_and_mass_peak(coarse_table, gluon_pdf):
    sigma_fb = 1e3 * hh_cross_section_pb(coarse_table, 1.0, pdf=gluon_pdf)
    assert sigma_fb == pytest.approx(19.6, rel=0.05)  # LO, Pythia's LO PDF, mu = m_HH / 2
    masses = np.linspace(255.0, 1000.0, 150)
    spectrum = hh_mass_spectrum_terms(coarse_table, masses, pdf=gluon_pdf).sum(axis=0)
    assert 350.0 <= masses[np.argmax(spectrum)] <= 450.0


def test_cross_section_is_quadratic_in_kappa_lambda(coarse_table, gluon_pdf):
    a, b, c = hh_cross_section_coefficients(coarse_table, pdf=gluon_pdf)
    assert hh_cross_section_pb(coarse_table, 3.0, pdf=gluon_pdf) == pytest.approx(a + 3 * b + 9 * c)
    assert c > 0.0 and b < 0.0  # destructive box-triangle interference


@pytest.fixture(scope="module")
def sm_events(coarse_table, gluon_pdf):
    return generate_hh_events(coarse_table, 1.0, 1.0, 20_000, 13000.0, gluon_pdf, np.random.default_rng(11))


def _invariant_mass(momenta):
    total = momenta.sum(axis=1)
    return np.sqrt(total[:, 3] ** 2 - np.sum(total[:, :3] ** 2, axis=1))


def test_events_are_physical(sm_events):
    np.testing.assert_allclose(sm_events.incoming.sum(axis=1), sm_events.scalars.sum(axis=1), atol=1e-8)
    higgs_mass = np.sqrt(sm_events.scalars[..., 3] ** 2 - np.sum(sm_events.scalars[..., :3] ** 2, axis=-1))
    np.testing.assert_allclose(higgs_mass, 125.0, rtol=1e-9)
    np.testing.assert_allclose(sm_events.scale_gev, 0.5 * _invariant_mass(sm_events.scalars))
    assert np.all(sm_events.incoming[:, 0, 2] > 0) and np.all(sm_events.incoming[:, 1, 2] < 0)
    assert sm_events.weights_pb.sum() == pytest.approx(sm_events.cross_section_pb)


def test_event_mass_distribution_follows_the_cross_section(sm_events, coarse_table, gluon_pdf):
    edges = np.array([250.0, 300.0, 350.0, 400.0, 450.0, 500.0, 600.0, 800.0, 2000.0])
    counts, _ = np.histogram(_invariant_mass(sm_events.scalars), bins=edges)
    fine = np.linspace(250.0, 2000.0, 3501)
    density = hh_mass_spectrum_terms(coarse_table, fine, pdf=gluon_pdf).sum(axis=0)
    cumulative = np.concatenate([[0.0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(fine))])
    expected = np.diff(np.interp(edges, fine, cumulative)) / cumulative[-1] * counts.sum()
    pulls = (counts - expected) / np.sqrt(expected)
    assert np.all(np.abs(pulls) < 5.0), pulls


def test_event_angles_are_symmetric(sm_events):
    cos_lab = sm_events.scalars[:, 0, 2] / np.linalg.norm(sm_events.scalars[:, 0, :3], axis=1)
    assert abs(np.mean(np.sign(cos_lab))) < 0.03
    phi = np.arctan2(sm_events.scalars[:, 0, 1], sm_events.scalars[:, 0, 0])
    assert abs(np.mean(np.cos(phi))) < 0.03


def test_same_seed_gives_identical_events(coarse_table, gluon_pdf):
    first = generate_hh_events(coarse_table, 2.0, 1.0, 200, 13000.0, gluon_pdf, np.random.default_rng(5))
    second = generate_hh_events(coarse_table, 2.0, 1.0, 200, 13000.0, gluon_pdf, np.random.default_rng(5))
    np.testing.assert_array_equal(first.scalars, second.scalars)
    np.testing.assert_array_equal(first.incoming, second.incoming)


def test_generator_rejects_bad_input(coarse_table, gluon_pdf):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n_events"):
        generate_hh_events(coarse_table, 1.0, 1.0, 0, 13000.0, gluon_pdf, rng)
    with pytest.raises(ValueError, match="sqrt_s"):
        generate_hh_events(coarse_table, 1.0, 1.0, 10, 1500.0, gluon_pdf, rng)
