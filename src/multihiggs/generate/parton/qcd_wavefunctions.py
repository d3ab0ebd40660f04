"""Dirac algebra and external wavefunctions of massless quarks and gluons (numpy, batched).

Conventions: metric (+, -, -, -); four-vectors are (E, px, py, pz) in GeV; Dirac matrices in the Weyl
(chiral) basis of Peskin & Schroeder. The two spinor states of a massless momentum p are the chirality
eigenstates w_L = sqrt(2E) (chi_-, 0), w_R = sqrt(2E) (0, chi_+) with chi_+- the helicity eigenstates of the
direction of p; they solve p-slash w = 0 and sum_h w_h w-bar_h = p-slash, so they serve as u and v alike in a
helicity sum. The two gluon states are the real linear transverse polarisations (sum = physical projector).
"""

import numpy as np

#: Minkowski metric diag(+1, -1, -1, -1).
METRIC = np.diag([1.0, -1.0, -1.0, -1.0])

_PAULI = np.array(
    [[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]],
    dtype=complex,
)
_ZERO2 = np.zeros((2, 2), dtype=complex)
_ONE2 = np.eye(2, dtype=complex)

#: gamma^mu (4, 4, 4) in the Weyl basis: gamma^0 = [[0, 1], [1, 0]], gamma^i = [[0, sigma^i], [-sigma^i, 0]].
GAMMA = np.stack(
    [np.block([[_ZERO2, _ONE2], [_ONE2, _ZERO2]])]
    + [np.block([[_ZERO2, _PAULI[i]], [-_PAULI[i], _ZERO2]]) for i in range(3)]
)
#: gamma_mu = g_mu_nu gamma^nu: contracting a contravariant vector with it gives the slash.
GAMMA_LOWER = np.einsum("mn,nab->mab", METRIC, GAMMA)

#: Number of spin states of an external massless quark or gluon.
N_SPIN_STATES = 2


def minkowski_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a.b = a^0 b^0 - a.b over the last axis (complex or real, broadcastable)."""
    return a[..., 0] * b[..., 0] - a[..., 1] * b[..., 1] - a[..., 2] * b[..., 2] - a[..., 3] * b[..., 3]


def slash(vector: np.ndarray) -> np.ndarray:
    """gamma^mu v_mu (..., 4, 4) of contravariant vectors (..., 4)."""
    return np.einsum("...m,mab->...ab", vector, GAMMA_LOWER)


def _pauli_blocks(vector: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Entries (v0 - v3, v1 - i v2, v1 + i v2, v0 + v3) of v.sigma-bar = [[v0 + v3, v1 - i v2], [v1 + i v2, v0 - v3]];
    v.sigma = v0 - v.sigma-vec has the same entries with the off-diagonal signs flipped and the diagonal swapped."""
    v0, v1, v2, v3 = (vector[..., i] for i in range(4))
    return v0 - v3, v1 - 1j * v2, v1 + 1j * v2, v0 + v3


def slash_times_spinor(vector: np.ndarray, spinor: np.ndarray) -> np.ndarray:
    """v-slash psi (..., 4) for vectors and column spinors (..., 4), broadcast; Weyl-basis blocks written out."""
    minus, down, up, plus = _pauli_blocks(vector)
    s0, s1, s2, s3 = (spinor[..., i] for i in range(4))
    # v-slash = [[0, v.sigma], [v.sigma-bar, 0]], v.sigma = [[v0 - v3, -(v1 - i v2)], [-(v1 + i v2), v0 + v3]]
    return np.stack(
        [minus * s2 - down * s3, -up * s2 + plus * s3, plus * s0 + down * s1, up * s0 + minus * s1], axis=-1
    )


def spinor_times_slash(spinor: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """psi-bar v-slash (..., 4) for row spinors and vectors (..., 4), broadcast."""
    minus, down, up, plus = _pauli_blocks(vector)
    s0, s1, s2, s3 = (spinor[..., i] for i in range(4))
    return np.stack(
        [s2 * plus + s3 * up, s2 * down + s3 * minus, s0 * minus - s1 * up, -s0 * down + s1 * plus], axis=-1
    )


def vector_current(row: np.ndarray, column: np.ndarray) -> np.ndarray:
    """psi-bar gamma^mu psi (..., 4) (contravariant) of row and column spinors (..., 4), broadcast."""
    a0, a1, a2, a3 = (row[..., i] for i in range(4))
    b0, b1, b2, b3 = (column[..., i] for i in range(4))
    # gamma^mu = [[0, sigma^mu], [sigma-bar^mu, 0]]: upper row block x sigma^mu x lower column block, and so on.
    upper = (a0 * b2 + a1 * b3, a0 * b3 + a1 * b2, -1j * a0 * b3 + 1j * a1 * b2, a0 * b2 - a1 * b3)
    lower = (a2 * b0 + a3 * b1, -(a2 * b1 + a3 * b0), 1j * a2 * b1 - 1j * a3 * b0, -(a2 * b0 - a3 * b1))
    return np.stack([u + w for u, w in zip(upper, lower, strict=True)], axis=-1)


def _direction_angles(momenta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polar angle theta and azimuth phi (rad) of the three-momentum of massless momenta (..., 4)."""
    px, py, pz = momenta[..., 1], momenta[..., 2], momenta[..., 3]
    p = np.sqrt(px**2 + py**2 + pz**2)
    return np.arccos(np.clip(pz / p, -1.0, 1.0)), np.arctan2(py, px)


def massless_spinors(momenta: np.ndarray) -> np.ndarray:
    """Column spinors (..., 2, 4): state 0 = w_L (left-handed), state 1 = w_R, for massless momenta (..., 4)."""
    theta, phi = _direction_angles(momenta)
    norm = np.sqrt(2.0 * momenta[..., 0])
    cos, sin = np.cos(theta / 2), np.sin(theta / 2)
    phase = np.exp(1j * phi)
    chi_plus = np.stack([cos + 0j, phase * sin], axis=-1)
    chi_minus = np.stack([-np.conj(phase) * sin, cos + 0j], axis=-1)
    zero = np.zeros_like(chi_plus)
    left = np.concatenate([chi_minus, zero], axis=-1)
    right = np.concatenate([zero, chi_plus], axis=-1)
    return norm[..., None, None] * np.stack([left, right], axis=-2)


def dirac_adjoint(spinors: np.ndarray) -> np.ndarray:
    """Row spinors w-bar = w^dagger gamma^0 of column spinors (..., 4)."""
    return np.einsum("...a,ab->...b", np.conj(spinors), GAMMA[0])


def gluon_polarisations(momenta: np.ndarray) -> np.ndarray:
    """Real transverse polarisation vectors (..., 2, 4) of massless momenta: e_theta and e_phi."""
    theta, phi = _direction_angles(momenta)
    zero = np.zeros_like(theta)
    e_theta = np.stack([zero, np.cos(theta) * np.cos(phi), np.cos(theta) * np.sin(phi), -np.sin(theta)], axis=-1)
    e_phi = np.stack([zero, -np.sin(phi), np.cos(phi), zero], axis=-1)
    return np.stack([e_theta, e_phi], axis=-2).astype(complex)
