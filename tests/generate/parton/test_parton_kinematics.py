"""Momentum construction: rotations, two- and three-body final states."""

import numpy as np
import pytest

from multihiggs.generate.parton.kinematics import random_rotations, three_body_momenta, two_body_momenta


def _minkowski_square(p):
    return p[..., 3] ** 2 - np.sum(p[..., :3] ** 2, axis=-1)


def test_random_rotations_are_proper_and_isotropic():
    rotations = random_rotations(4000, np.random.default_rng(1))
    np.testing.assert_allclose(
        rotations @ np.swapaxes(rotations, 1, 2), np.broadcast_to(np.eye(3), (4000, 3, 3)), atol=1e-12
    )
    np.testing.assert_allclose(np.linalg.det(rotations), 1.0, atol=1e-12)
    z_images = rotations[:, :, 2]
    assert np.all(np.abs(z_images.mean(axis=0)) < 0.05)


def test_three_body_momenta_reproduce_their_invariants():
    rng = np.random.default_rng(2)
    mass = np.array([600.0, 900.0])
    m12_sq = np.array([300.0**2, 500.0**2])
    m23_sq = np.array([320.0**2, 420.0**2])
    rapidity = np.array([0.3, -1.1])
    momenta = three_body_momenta(mass, m12_sq, m23_sq, random_rotations(2, rng), rapidity, 125.0)
    np.testing.assert_allclose(_minkowski_square(momenta), 125.0**2, rtol=1e-9)
    np.testing.assert_allclose(_minkowski_square(momenta[:, 0] + momenta[:, 1]), m12_sq, rtol=1e-9)
    np.testing.assert_allclose(_minkowski_square(momenta[:, 1] + momenta[:, 2]), m23_sq, rtol=1e-9)
    total = momenta.sum(axis=1)
    np.testing.assert_allclose(_minkowski_square(total), mass**2, rtol=1e-9)
    np.testing.assert_allclose(0.5 * np.log((total[:, 3] + total[:, 2]) / (total[:, 3] - total[:, 2])), rapidity)


def test_two_body_momenta_are_back_to_back_in_the_rest_frame():
    momenta = two_body_momenta(np.array([400.0]), np.array([0.2]), np.array([1.0]), np.array([0.0]), 125.0)
    np.testing.assert_allclose(momenta[0, 0, :3], -momenta[0, 1, :3])
    assert momenta[0, 0, 2] / np.linalg.norm(momenta[0, 0, :3]) == pytest.approx(0.2)
