"""Accept-reject under a cell envelope on densities with known answers."""

import numpy as np
import pytest

from multihiggs.generate.parton import sample_with_envelope


def test_samples_follow_a_known_density_and_estimate_its_integral():
    def density(points):
        return 6.0 * points[:, 0] ** 2 * points[:, 1]  # integral 1 on [0, 1]^2, marginals 3x^2, 2y

    edges = [np.linspace(0.0, 1.0, 5), np.linspace(0.0, 1.0, 3)]
    sample = sample_with_envelope(density, edges, 20_000, np.random.default_rng(1))
    assert sample.points.shape == (20_000, 2)
    assert sample.integral == pytest.approx(1.0, abs=5 * sample.integral_error)
    assert 0.0 < sample.integral_error < 0.02
    assert np.mean(sample.points[:, 0]) == pytest.approx(0.75, abs=0.01)  # E[x] for 3x^2
    assert np.mean(sample.points[:, 1]) == pytest.approx(2.0 / 3.0, abs=0.01)  # E[y] for 2y


def test_envelope_is_raised_when_probes_miss_a_peak():
    def density(points):
        # A narrow spike between the probe points of the single cell, on a flat floor.
        return 0.1 + 50.0 * np.exp(-0.5 * ((points[:, 0] - 0.3) / 0.02) ** 2)

    sample = sample_with_envelope(density, [np.array([0.0, 1.0])], 5_000, np.random.default_rng(2))
    exact = 0.1 + 50.0 * 0.02 * np.sqrt(2 * np.pi)
    assert sample.integral == pytest.approx(exact, rel=0.05)
    in_spike = np.mean(np.abs(sample.points[:, 0] - 0.3) < 0.06)
    assert in_spike == pytest.approx((exact - 0.1) / exact, abs=0.03)


def test_sampler_is_deterministic_and_validates_input():
    def density(points):
        return 1.0 + points[:, 0]

    edges = [np.linspace(0.0, 2.0, 4)]
    first = sample_with_envelope(density, edges, 100, np.random.default_rng(3))
    second = sample_with_envelope(density, edges, 100, np.random.default_rng(3))
    np.testing.assert_array_equal(first.points, second.points)
    with pytest.raises(ValueError, match="n_samples"):
        sample_with_envelope(density, edges, 0, np.random.default_rng(3))
    with pytest.raises(ValueError, match="ascending"):
        sample_with_envelope(density, [np.array([1.0, 0.0])], 10, np.random.default_rng(3))
    with pytest.raises(ValueError, match="vanishes"):
        sample_with_envelope(lambda p: np.zeros(len(p)), edges, 10, np.random.default_rng(3))
