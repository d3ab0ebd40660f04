"""SU(3) colour algebra as numbers, and orthonormal bases of colour tensors.

The generators are T^a = lambda^a / 2 (Tr T^a T^b = delta^ab / 2) and [T^a, T^b] = i f^abc T^c. Colour tensors
of a Berends-Giele current carry one axis per external leg of the current (3 for a quark or antiquark, 8 for a
gluon) and one open axis; :func:`orthonormal_basis` reduces any set of them to an orthonormal basis of their
span, so a current is a short list of kinematic coefficients on that basis.
"""

import numpy as np

N_COLOURS = 3
N_GLUONS = N_COLOURS**2 - 1
RANK_TOLERANCE = 1e-9  # singular values below this (relative) span nothing


def _gell_mann() -> np.ndarray:
    """The eight Gell-Mann matrices (8, 3, 3)."""
    lam = np.zeros((N_GLUONS, 3, 3), dtype=complex)
    lam[0][0, 1] = lam[0][1, 0] = 1
    lam[1][0, 1], lam[1][1, 0] = -1j, 1j
    lam[2][0, 0], lam[2][1, 1] = 1, -1
    lam[3][0, 2] = lam[3][2, 0] = 1
    lam[4][0, 2], lam[4][2, 0] = -1j, 1j
    lam[5][1, 2] = lam[5][2, 1] = 1
    lam[6][1, 2], lam[6][2, 1] = -1j, 1j
    lam[7] = np.diag([1, 1, -2]) / np.sqrt(3)
    return lam


#: T^a_ij (8, 3, 3): row index i (quark colour of a psi-bar), column index j (of a psi).
GENERATORS = _gell_mann() / 2
#: f^abc (8, 8, 8), real and totally antisymmetric: f^abc = -2 i Tr([T^a, T^b] T^c).
STRUCTURE_CONSTANTS = np.real(
    -2j
    * (
        np.einsum("aij,bjk,cki->abc", GENERATORS, GENERATORS, GENERATORS)
        - np.einsum("bij,ajk,cki->abc", GENERATORS, GENERATORS, GENERATORS)
    )
)


def orthonormal_basis(tensors: np.ndarray) -> np.ndarray:
    """Orthonormal basis (r, d) (rows, Hermitian inner product) of the span of flattened tensors (m, d)."""
    if tensors.ndim != 2 or tensors.shape[0] == 0:
        raise ValueError(f"need a non-empty (m, d) stack of tensors, got shape {tensors.shape}")
    _, singular, rows = np.linalg.svd(tensors, full_matrices=False)
    rank = int(np.sum(singular > RANK_TOLERANCE * max(singular[0], 1e-300)))
    if rank == 0:
        raise ValueError("the colour tensors are all zero")
    return rows[:rank]


def coefficients_on_basis(basis: np.ndarray, tensors: np.ndarray) -> np.ndarray:
    """Coefficients (m, r) of tensors (m, d) in an orthonormal basis (r, d); exact for tensors in its span."""
    return tensors @ np.conj(basis).T
