"""Four-momenta of gg -> n scalars in the lab frame from sampled invariants (px, py, pz, E in GeV)."""

import numpy as np


def incoming_gluons(mass_gev: np.ndarray, rapidity: np.ndarray, sqrt_s_gev: float) -> np.ndarray:
    """Gluon four-momenta (n, 2, 4) with x1,2 = (m / sqrt(s)) exp(+-y): beam 1 along +z, beam 2 along -z."""
    beam_energy = 0.5 * sqrt_s_gev
    x1 = mass_gev / sqrt_s_gev * np.exp(rapidity)
    x2 = mass_gev / sqrt_s_gev * np.exp(-rapidity)
    momenta = np.zeros((mass_gev.size, 2, 4))
    momenta[:, 0, 2] = momenta[:, 0, 3] = x1 * beam_energy
    momenta[:, 1, 2] = -x2 * beam_energy
    momenta[:, 1, 3] = x2 * beam_energy
    return momenta


def boost_along_z(momenta: np.ndarray, rapidity: np.ndarray) -> np.ndarray:
    """Boost four-momenta (n, k, 4) from the partonic rest frame to the lab by rapidity (n,)."""
    cosh = np.cosh(rapidity)[:, None]
    sinh = np.sinh(rapidity)[:, None]
    boosted = momenta.copy()
    boosted[..., 2] = cosh * momenta[..., 2] + sinh * momenta[..., 3]
    boosted[..., 3] = sinh * momenta[..., 2] + cosh * momenta[..., 3]
    return boosted


def two_body_momenta(
    mass_gev: np.ndarray, cos_theta: np.ndarray, phi: np.ndarray, rapidity: np.ndarray, scalar_mass_gev: float
) -> np.ndarray:
    """Lab momenta (n, 2, 4) of two scalars of mass m_H with pair mass m, CM polar angle theta* (to +z), phi."""
    energy = 0.5 * mass_gev
    momentum = np.sqrt(np.clip(energy**2 - scalar_mass_gev**2, 0.0, None))
    sin_theta = np.sqrt(np.clip(1.0 - cos_theta**2, 0.0, None))
    direction = np.stack([sin_theta * np.cos(phi), sin_theta * np.sin(phi), cos_theta], axis=1)
    rest = np.empty((mass_gev.size, 2, 4))
    rest[:, 0, :3] = momentum[:, None] * direction
    rest[:, 1, :3] = -rest[:, 0, :3]
    rest[:, :, 3] = energy[:, None]
    return boost_along_z(rest, rapidity)


def random_rotations(n: int, rng: np.random.Generator) -> np.ndarray:
    """Uniformly distributed (Haar) rotation matrices (n, 3, 3) from normalised Gaussian quaternions."""
    quaternion = rng.standard_normal((n, 4))
    w, x, y, z = (quaternion / np.linalg.norm(quaternion, axis=1, keepdims=True)).T
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], axis=1),
            np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], axis=1),
            np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], axis=1),
        ],
        axis=1,
    )


def three_body_momenta(
    mass_gev: np.ndarray,
    m12_sq: np.ndarray,
    m23_sq: np.ndarray,
    rotation: np.ndarray,
    rapidity: np.ndarray,
    scalar_mass_gev: float,
) -> np.ndarray:
    """Lab momenta (n, 3, 4) of three equal-mass scalars from the Dalitz invariants m12^2, m23^2 (GeV^2),
    an orientation (n, 3, 3) in the rest frame of total mass m, and the rapidity of the system."""
    s = mass_gev**2
    m2 = scalar_mass_gev**2
    m13_sq = s + 3.0 * m2 - m12_sq - m23_sq
    # E_i = (s + m^2 - m_jk^2) / (2 sqrt(s)) in the rest frame.
    energies = np.stack([s + m2 - m23_sq, s + m2 - m13_sq, s + m2 - m12_sq], axis=1) / (2.0 * mass_gev[:, None])
    momenta = np.sqrt(np.clip(energies**2 - m2, 0.0, None))
    # p1 along z', p2 in the x'z' plane: p1.p2 = E1 E2 - (m12^2 - 2 m^2) / 2.
    dot12 = energies[:, 0] * energies[:, 1] - 0.5 * (m12_sq - 2.0 * m2)
    product = momenta[:, 0] * momenta[:, 1]
    cos12 = np.clip(np.divide(dot12, product, out=np.ones_like(dot12), where=product > 0), -1.0, 1.0)
    rest = np.zeros((mass_gev.size, 3, 4))
    rest[:, 0, 2] = momenta[:, 0]
    rest[:, 1, 0] = momenta[:, 1] * np.sqrt(1.0 - cos12**2)
    rest[:, 1, 2] = momenta[:, 1] * cos12
    rest[:, 2, :3] = -rest[:, 0, :3] - rest[:, 1, :3]
    rest[:, :, 3] = energies
    rest[:, :, :3] = np.einsum("nij,nkj->nki", rotation, rest[:, :, :3])
    return boost_along_z(rest, rapidity)
