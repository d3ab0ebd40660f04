"""One-loop scalar integrals C0 and D0 with equal internal masses (LoopTools normalisation).

Both are computed from the Feynman-parameter representation

    C0 = -int_simplex dx 1 / (D(x) - i eps),   D0 = +int_simplex dx 1 / (D(x) - i eps)^2,
    D(x) = m^2 - sum_{i<j} x_i x_j s_ij = x^T Y x  (Y_ii = m^2, Y_ij = m^2 - s_ij / 2),

where s_ij = (k_i - k_j)^2 are the invariants between the loop-momentum offsets k_0 = 0, k_1 = p1,
k_2 = p1 + p2, ... The -i eps prescription is realised by the contour deformation
z_k = x_k - i lambda x_k (dD/dx_k - sum_j x_j dD/dx_j), which keeps z on the complexified simplex and,
because D is quadratic, gives Im D(z) = -lambda sum_k x_k (dD/dx_k - sum_j x_j dD/dx_j)^2 <= 0 exactly.
The simplex is mapped to the unit cube by stick breaking and integrated with tensor-product Gauss-Legendre
rules after a smoothing map that makes the integrand vanish on the cube faces. Near a normal threshold
(largest invariant < 6 m^2) the variables are ordered so that the threshold pair spans one cube edge, the
rule clusters nodes at the Landau point on it, and the deformation is stronger. Everything is vectorised
over kinematic points; the invariants may be above thresholds (s > 4 m^2). Relative accuracy of the
gg -> HH box D0 at order 24 (m = m_t = 173 GeV): < 1e-4 for sqrt(s) in 0.36-1 TeV, ~3e-3 within 0.5 GeV
above sqrt(s) = 2 m_t, ~7e-3 at 2.5 TeV; C0 at twice the order is 10-100 times better.
"""

import numpy as np
import numpy.typing as npt

DEFAULT_C0_ORDER = 48
DEFAULT_D0_ORDER = 32
# Deformation strength lambda = scale / sqrt(largest s_ij / m^2) above threshold (0 below); the scales
# were chosen from convergence studies (test_parton_loop_integrals.py checks convergence in the order).
FAR_DEFORMATION = 0.5
NEAR_THRESHOLD_DEFORMATION = 2.0
# Largest invariant (in units of m^2) below which a point counts as near the threshold at 4 m^2.
NEAR_THRESHOLD_MAX_INVARIANT = 6.0
# Number of (kinematic point x quadrature node) pairs evaluated at once: bounds the memory (~ 16 B each).
CHUNK_ELEMENTS = 2_000_000

ArrayLike = npt.ArrayLike


def _smoothed_gauss_legendre(order: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights on [0, 1] for u = t^2 (3 - 2 t), a map that flattens the integrand at both ends."""
    if order < 2:
        raise ValueError(f"quadrature order must be >= 2, got {order}")
    nodes, weights = np.polynomial.legendre.leggauss(order)
    t = 0.5 * (nodes + 1.0)
    return t * t * (3.0 - 2.0 * t), 0.5 * weights * 6.0 * t * (1.0 - t)


def _split_smoothed_gauss_legendre(order: int) -> tuple[np.ndarray, np.ndarray]:
    """Like _smoothed_gauss_legendre, on [0, 1/2] and [1/2, 1] separately: nodes also cluster at u = 1/2."""
    half_nodes, half_weights = _smoothed_gauss_legendre(max(2, order // 2))
    return (
        np.concatenate([0.5 * half_nodes, 0.5 + 0.5 * half_nodes]),
        np.concatenate([0.5 * half_weights, 0.5 * half_weights]),
    )


def _simplex_rule(n_params: int, order: int, split_first: bool) -> tuple[np.ndarray, np.ndarray]:
    """Quadrature on the simplex {x_i >= 0, sum x = 1}: nodes (Q, n_params) and weights (Q,).

    Stick breaking x_0 = u_1, x_1 = (1 - u_1) u_2, ...; the edge between x_0 and x_{n-1} is the cube edge
    u_2 = ... = 0. With split_first the u_1 rule clusters at 1/2 as well, so nodes accumulate at the
    midpoint of that edge, where the equal-mass normal-threshold (Landau) singularity of the pair
    (0, n-1) sits.
    """
    first = _split_smoothed_gauss_legendre(order) if split_first else _smoothed_gauss_legendre(order)
    rules = [first] + [_smoothed_gauss_legendre(order)] * (n_params - 2)
    grids = np.meshgrid(*[r[0] for r in rules], indexing="ij")
    weight_grids = np.meshgrid(*[r[1] for r in rules], indexing="ij")
    u = np.stack([g.ravel() for g in grids], axis=1)
    weights = np.prod(np.stack([w.ravel() for w in weight_grids], axis=1), axis=1)
    x = np.empty((u.shape[0], n_params))
    remaining = np.ones(u.shape[0])
    for k in range(n_params - 1):
        x[:, k] = remaining * u[:, k]
        weights = weights * remaining  # stick-breaking Jacobian dx_k/du_k
        remaining = remaining * (1.0 - u[:, k])
    x[:, -1] = remaining
    return x, weights


def _threshold_pair_first_and_last(cayley: np.ndarray) -> np.ndarray:
    """Permute each Cayley matrix (K, n, n) so that its largest invariant pair becomes (0, n - 1)."""
    n_points, n_params, _ = cayley.shape
    invariants = 2.0 * (1.0 - cayley)
    upper = np.triu_indices(n_params, k=1)
    largest = np.argmax(invariants[:, upper[0], upper[1]], axis=1)
    first, last = upper[0][largest], upper[1][largest]
    indices = np.broadcast_to(np.arange(n_params), (n_points, n_params))
    is_middle = (indices != first[:, None]) & (indices != last[:, None])
    middle = indices[is_middle].reshape(n_points, n_params - 2)
    order = np.concatenate([first[:, None], middle, last[:, None]], axis=1)
    rows = np.arange(n_points)[:, None, None]
    return cayley[rows, order[:, :, None], order[:, None, :]]


def _det_identity_minus_i_lambda(matrix: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """det(1 - i lam A) for stacked real 2x2 or 3x3 matrices A (..., n, n), via its characteristic polynomial."""
    trace = np.trace(matrix, axis1=-2, axis2=-1)
    if matrix.shape[-1] == 2:
        det = matrix[..., 0, 0] * matrix[..., 1, 1] - matrix[..., 0, 1] * matrix[..., 1, 0]
        return (1.0 - lam**2 * det) - 1j * lam * trace
    a = matrix
    minors = (
        a[..., 0, 0] * a[..., 1, 1]
        - a[..., 0, 1] * a[..., 1, 0]
        + a[..., 0, 0] * a[..., 2, 2]
        - a[..., 0, 2] * a[..., 2, 0]
        + a[..., 1, 1] * a[..., 2, 2]
        - a[..., 1, 2] * a[..., 2, 1]
    )
    det = (
        a[..., 0, 0] * (a[..., 1, 1] * a[..., 2, 2] - a[..., 1, 2] * a[..., 2, 1])
        - a[..., 0, 1] * (a[..., 1, 0] * a[..., 2, 2] - a[..., 1, 2] * a[..., 2, 0])
        + a[..., 0, 2] * (a[..., 1, 0] * a[..., 2, 1] - a[..., 1, 1] * a[..., 2, 0])
    )
    return (1.0 - lam**2 * minors) + 1j * lam * (lam**2 * det - trace)


def _deformed_simplex_integral(cayley: np.ndarray, power: int, order: int) -> np.ndarray:
    """int_simplex dx J(x) / (D(z(x)) - i0)^power for dimensionless Cayley matrices Y (K, n, n), D = x^T Y x.

    Points whose largest invariant is within NEAR_THRESHOLD_MAX_INVARIANT m^2 use the rule clustered at the
    threshold singularity and a stronger deformation; the others a rule clustered on the simplex faces.
    """
    cayley = _threshold_pair_first_and_last(cayley)
    largest_invariant = np.max(2.0 * (1.0 - cayley), axis=(1, 2))
    near = largest_invariant < NEAR_THRESHOLD_MAX_INVARIANT
    result = np.empty(cayley.shape[0], dtype=complex)
    for group, split_rule, scale in (
        (near, True, NEAR_THRESHOLD_DEFORMATION),
        (~near, False, FAR_DEFORMATION),
    ):
        if np.any(group):
            # Deform only above a two-particle threshold (D > 0 on the real simplex below it);
            # the optimal strength falls like 1/sqrt(s/m^2) far above it.
            strength = np.where(
                largest_invariant[group] > 4.0, scale / np.sqrt(np.maximum(largest_invariant[group], 4.0)), 0.0
            )
            x, weights = _simplex_rule(cayley.shape[1], order, split_rule)
            result[group] = _deformed_integral_on_rule(cayley[group], strength, x, weights, power)
    return result


def _deformed_integral_on_rule(
    cayley: np.ndarray, strength: np.ndarray, x: np.ndarray, weights: np.ndarray, power: int
) -> np.ndarray:
    """Sum over nodes x (Q, n) with weights (Q,) of J / D(z)^power for Cayley matrices (K, n, n)."""
    n_points, n_params, _ = cayley.shape
    n_nodes = x.shape[0]
    # Y_kl - Y_kn: derivative of the gradient along the independent coordinates (x_n = 1 - sum x).
    cayley_reduced = cayley[:, :-1, :-1] - cayley[:, :-1, -1:]
    diagonal = np.arange(n_params - 1)
    result = np.empty(n_points, dtype=complex)
    chunk = max(1, CHUNK_ELEMENTS // n_nodes)
    for start in range(0, n_points, chunk):
        stop = min(start + chunk, n_points)
        y = cayley[start:stop]
        lam = strength[start:stop, None]
        gradient = 2.0 * np.einsum("kij,qj->kqi", y, x)  # g = 2 Y x, (K, Q, n)
        value = 0.5 * np.einsum("kqi,qi->kq", gradient, x)  # D(x), (K, Q)
        shifted = gradient - 2.0 * value[..., None]  # g_k - sum_j x_j g_j
        displacement = x * shifted  # w, with sum_k w_k = 0 so z stays on the simplex
        # D(z) = D - i lam g.w - lam^2 w.Y.w exactly (D is quadratic); g.w = sum_k x_k (g_k - 2D)^2.
        linear = np.einsum("kqi,kqi->kq", displacement, shifted)
        quadratic = np.einsum("kqi,kij,kqj->kq", displacement, y, displacement)
        deformed = (value - lam**2 * quadratic) - 1j * lam * linear
        # dw_k/dx_l = delta_kl (g_k - 2D) + x_k [2 (Y_kl - Y_kn) - 2 (g_l - g_n)] for k, l < n.
        d_value = gradient[..., :-1] - gradient[..., -1:]
        dw = 2.0 * x[None, :, :-1, None] * (cayley_reduced[start:stop, None, :, :] - d_value[:, :, None, :])
        dw[..., diagonal, diagonal] += shifted[..., :-1]
        jacobian = _det_identity_minus_i_lambda(dw, lam)
        result[start:stop] = (jacobian / deformed**power) @ weights
    return result


def _as_float_arrays(*values: ArrayLike) -> list[np.ndarray]:
    arrays = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in values])
    for array in arrays:
        if not np.all(np.isfinite(array)):
            raise ValueError("loop-integral invariants and masses must be finite")
    return arrays


def c0_equal_mass(
    p1_sq: ArrayLike, p2_sq: ArrayLike, p3_sq: ArrayLike, mass_sq: ArrayLike, order: int = DEFAULT_C0_ORDER
) -> np.ndarray:
    """Scalar three-point function C0(p1^2, p2^2, p3^2; m, m, m) in LoopTools normalisation (GeV^-2).

    Arguments broadcast against each other (GeV^2); returns a complex array of the broadcast shape.
    p3^2 = (p1 + p2)^2. ``order`` is the Gauss-Legendre order per Feynman parameter.
    """
    p1_sq, p2_sq, p3_sq, mass_sq = _as_float_arrays(p1_sq, p2_sq, p3_sq, mass_sq)
    if np.any(mass_sq <= 0.0):
        raise ValueError("internal mass squared must be positive")
    shape = mass_sq.shape
    m2 = mass_sq.ravel()
    invariants = np.zeros((m2.size, 3, 3))
    for (i, j), s in zip(((0, 1), (1, 2), (0, 2)), (p1_sq, p2_sq, p3_sq), strict=True):
        invariants[:, i, j] = invariants[:, j, i] = s.ravel() / m2
    cayley = 1.0 - 0.5 * invariants
    integral = _deformed_simplex_integral(cayley, power=1, order=order)
    return (-integral / m2).reshape(shape)


def d0_equal_mass(
    p1_sq: ArrayLike,
    p2_sq: ArrayLike,
    p3_sq: ArrayLike,
    p4_sq: ArrayLike,
    s12: ArrayLike,
    s23: ArrayLike,
    mass_sq: ArrayLike,
    order: int = DEFAULT_D0_ORDER,
) -> np.ndarray:
    """Scalar four-point function D0(p1^2, p2^2, p3^2, p4^2; (p1+p2)^2, (p2+p3)^2; m, m, m, m) (GeV^-4).

    LoopTools argument order and normalisation; arguments broadcast (GeV^2); returns a complex array.
    ``order`` is the Gauss-Legendre order per Feynman parameter (cost grows as order^3).
    """
    p1_sq, p2_sq, p3_sq, p4_sq, s12, s23, mass_sq = _as_float_arrays(p1_sq, p2_sq, p3_sq, p4_sq, s12, s23, mass_sq)
    if np.any(mass_sq <= 0.0):
        raise ValueError("internal mass squared must be positive")
    shape = mass_sq.shape
    m2 = mass_sq.ravel()
    invariants = np.zeros((m2.size, 4, 4))
    pairs = ((0, 1), (1, 2), (2, 3), (0, 3), (0, 2), (1, 3))
    for (i, j), s in zip(pairs, (p1_sq, p2_sq, p3_sq, p4_sq, s12, s23), strict=True):
        invariants[:, i, j] = invariants[:, j, i] = s.ravel() / m2
    cayley = 1.0 - 0.5 * invariants
    integral = _deformed_simplex_integral(cayley, power=2, order=order)
    return (integral / m2**2).reshape(shape)
