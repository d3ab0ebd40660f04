import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy.stats import chi2

from multihiggs.stats.morphing import (
    basis_weights,
    morph,
    morph_variance,
    physical_basis_templates,
    powers,
    quadratic_coefficients,
)
from multihiggs.stats.synthetic import binned_components_fb, lo_cross_section_fb, sample_mhh

BASIS = np.array([0.0, 1.0, 5.0])


def test_weights_are_unit_vectors_at_the_basis_and_sum_to_one():
    np.testing.assert_allclose(basis_weights(BASIS, BASIS), np.eye(3), atol=1e-12)
    kl = np.linspace(-10, 15, 7)
    np.testing.assert_allclose(basis_weights(BASIS, kl).sum(axis=-1), 1.0, atol=1e-10)


def test_morphing_reproduces_an_independent_quadratic_template():
    rng = np.random.default_rng(3)
    coefficients = rng.normal(size=(3, 12))  # a_i + b_i κλ + c_i κλ² per bin

    def template(kl):
        return coefficients[0] + coefficients[1] * kl + coefficients[2] * kl**2

    basis = np.stack([template(kl) for kl in BASIS])
    targets = np.array([-7.3, 2.45, 11.0])
    np.testing.assert_allclose(morph(BASIS, basis, targets), np.stack([template(k) for k in targets]), rtol=1e-10)
    np.testing.assert_allclose(quadratic_coefficients(BASIS, basis), coefficients, rtol=1e-10, atol=1e-12)
    # a grid of κλ and a 2-D template shape in one call
    grid = np.linspace(-5, 5, 4).reshape(2, 2)
    assert morph(BASIS, basis.reshape(3, 3, 4), grid).shape == (2, 2, 3, 4)


def test_morphed_synthetic_spectrum_matches_the_exact_one():
    edges = np.linspace(250, 1000, 16)
    components = binned_components_fb(edges)
    exact = {kl: np.tensordot([1, kl, kl**2], components, axes=1) for kl in (*BASIS, 2.45)}
    morphed = morph(BASIS, np.stack([exact[kl] for kl in BASIS]), 2.45)
    np.testing.assert_allclose(morphed, exact[2.45], rtol=1e-10)
    # the synthetic spectrum integrates to the published LO ratios
    np.testing.assert_allclose(components.sum(axis=1), 19.6 * np.array([2.09, -1.37, 0.28]), rtol=2e-3)


def toy_histogram(kl: float, n_events: int, edges: np.ndarray, rng: np.random.Generator):
    """Weighted toy: n events at κλ, each weighing σ_LO(κλ)/n (fb); returns (Σw, Σw²) per bin."""
    values = sample_mhh(kl, n_events, rng)
    weight = float(lo_cross_section_fb(kl)) / n_events
    counts = np.histogram(np.clip(values, edges[0], edges[-1] - 1e-9), edges)[0]
    return counts * weight, counts * weight**2


def test_morphing_of_sampled_toys_agrees_within_statistical_errors():
    rng = np.random.default_rng(11)
    edges = np.linspace(250, 1000, 11)
    basis = [toy_histogram(kl, 40_000, edges, rng) for kl in BASIS]
    morphed = morph(BASIS, np.stack([b[0] for b in basis]), 2.45)
    variance = morph_variance(BASIS, np.stack([b[1] for b in basis]), 2.45)
    direct, direct_variance = toy_histogram(2.45, 40_000, edges, rng)
    pulls_chi2 = np.sum((morphed - direct) ** 2 / (variance + direct_variance))
    assert chi2.sf(pulls_chi2, len(direct)) > 1e-3
    # ... and the comparison has power: the same toys morphed to the wrong κλ are rejected
    wrong = morph(BASIS, np.stack([b[0] for b in basis]), 4.0)
    assert chi2.sf(np.sum((wrong - direct) ** 2 / (variance + direct_variance)), len(direct)) < 1e-6


@pytest.mark.parametrize("bad", [[0.0, 1.0], [0.0, 1.0, 1.0], [0.0, np.nan, 2.0]])
def test_bad_basis_is_rejected(bad):
    with pytest.raises(ValueError, match="basis"):
        basis_weights(np.array(bad), 1.0)


def test_templates_need_a_leading_basis_axis():
    with pytest.raises(ValueError, match="leading axis of 3"):
        morph(BASIS, np.ones((2, 5)), 1.0)


def test_physical_projection_removes_negative_morphed_yields_and_keeps_physical_bins():
    basis_kl = np.array([1.0, 2.45, 5.0])
    kl = np.linspace(-20, 20, 401)
    # bin 0: physical (1 - 0.3 κλ)² + 0.1; bin 1: b² > 4ac (negative near κλ = 2); bin 2: c < 0; bin 3: empty
    coefficients = np.array([[1.1, 1.0, 2.0, 0.0], [-0.6, -4.0, 1.0, 0.0], [0.09, 1.0, -0.05, 0.0]])
    templates = powers(basis_kl) @ coefficients
    assert (morph(basis_kl, templates, kl).min(axis=0)[1:3] < 0).all()
    projected, changed = physical_basis_templates(basis_kl, templates)
    assert changed.tolist() == [False, True, True, False]
    assert_array_equal(projected[:, ~changed], templates[:, ~changed])
    morphed = morph(basis_kl, projected, kl)
    assert (morphed >= -1e-12).all()
    # bin 1: [[1, -2], [-2, 1]] has eigenvalues 3 and -1; dropping the -1 leaves 1.5 (1 - κλ)²
    a, b, c = quadratic_coefficients(basis_kl, projected)
    np.testing.assert_allclose([a[1], b[1], c[1]], [1.5, -3.0, 1.5], rtol=1e-9)
    assert c[2] >= 0 and b[2] ** 2 <= 4 * a[2] * c[2] * (1 + 1e-9)
