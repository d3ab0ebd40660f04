"""Exact quadratic morphing in κλ: any gg -> HH template from templates at three basis κλ values.

The gg -> HH amplitude is linear in κλ (A = A_box + κλ A_tri), so every yield, bin by bin, is a quadratic form
T(κλ) = a + b κλ + c κλ². Three templates T_j at distinct basis values κλ_j fix (a, b, c) exactly: with the
Vandermonde matrix M_jk = κλ_j^k, (a, b, c) = M⁻¹ T and T(κλ) = Σ_j c_j(κλ) T_j with the basis weights
c(κλ) = [1, κλ, κλ²] M⁻¹. The 3×3 system is solved once; everything is vectorised over bins and κλ points.
Independent basis samples propagate their per-bin variances as Var T(κλ) = Σ_j c_j(κλ)² Var T_j.

Physical yields are |A_box + κλ A_tri|² integrated over a bin, a non-negative quadratic form in (1, κλ): the
matrix [[a, b/2], [b/2, c]] is positive semi-definite (a, c ≥ 0 and b² ≤ 4ac, Cauchy–Schwarz). Basis templates
with MC fluctuations can violate this and morph to negative yields at some κλ, which a Poisson likelihood cannot
take. :func:`physical_basis_templates` replaces, in those bins only, the form by its nearest (Frobenius)
positive semi-definite one (negative eigenvalues set to 0) and returns basis templates that morph to it.
"""

from __future__ import annotations

import numpy as np

N_BASIS = 3


def _check_basis(basis_kl: np.ndarray) -> np.ndarray:
    basis_kl = np.asarray(basis_kl, dtype=np.float64)
    if basis_kl.shape != (N_BASIS,):
        raise ValueError(f"quadratic morphing needs exactly {N_BASIS} basis κλ values, got {basis_kl.tolist()}")
    if not np.isfinite(basis_kl).all():
        raise ValueError(f"basis κλ values must be finite, got {basis_kl.tolist()}")
    if len(np.unique(basis_kl)) != N_BASIS:
        raise ValueError(f"basis κλ values must be distinct, got {basis_kl.tolist()}")
    return basis_kl


def kl_grid_with_sm(kl: np.ndarray, decimals: int = 9) -> np.ndarray:
    """Sorted unique κλ values including the SM point κλ = 1, rounded so that 0.1 * 10 and 1.0 coincide."""
    return np.unique(np.round(np.append(np.asarray(kl, dtype=np.float64), 1.0), decimals))


def powers(kl: np.ndarray) -> np.ndarray:
    """[1, κλ, κλ²] for each κλ: shape (..., 3)."""
    kl = np.asarray(kl, dtype=np.float64)
    return np.stack([np.ones_like(kl), kl, kl**2], axis=-1)


def basis_weights(basis_kl: np.ndarray, kl: np.ndarray) -> np.ndarray:
    """Weights c_j(κλ) (shape (..., 3) for κλ of shape (...)) with T(κλ) = Σ_j c_j(κλ) T_j exactly.

    At a basis point the weights are the unit vector of that basis template.
    """
    basis_kl = _check_basis(basis_kl)
    vandermonde = powers(basis_kl)  # (3 basis, 3 powers)
    # c(κλ) = v(κλ) M⁻¹  <=>  Mᵀ cᵀ = vᵀ: one solve for all κλ points.
    flat = powers(np.ravel(kl))
    weights = np.linalg.solve(vandermonde.T, flat.T).T
    return weights.reshape(*np.shape(kl), N_BASIS)


def quadratic_coefficients(basis_kl: np.ndarray, basis_templates: np.ndarray) -> np.ndarray:
    """Coefficient templates (a, b, c), shape (3, ...), of T(κλ) = a + b κλ + c κλ² through the basis templates.

    Args:
        basis_kl: (3,) distinct κλ values.
        basis_templates: (3, ...) templates (any units, e.g. events or pb per bin) at those κλ.
    """
    basis_kl = _check_basis(basis_kl)
    basis_templates = np.asarray(basis_templates, dtype=np.float64)
    if basis_templates.shape[:1] != (N_BASIS,):
        raise ValueError(f"basis templates must have a leading axis of {N_BASIS}, got shape {basis_templates.shape}")
    flat = basis_templates.reshape(N_BASIS, -1)
    return np.linalg.solve(powers(basis_kl), flat).reshape(basis_templates.shape)


def morph(basis_kl: np.ndarray, basis_templates: np.ndarray, kl: np.ndarray) -> np.ndarray:
    """Templates at κλ (shape (...,) -> (..., *bins)) from the basis templates (3, *bins)."""
    weights = basis_weights(basis_kl, kl)
    basis_templates = np.asarray(basis_templates, dtype=np.float64)
    if basis_templates.shape[:1] != (N_BASIS,):
        raise ValueError(f"basis templates must have a leading axis of {N_BASIS}, got shape {basis_templates.shape}")
    return np.tensordot(weights, basis_templates, axes=([-1], [0]))


def morph_variance(basis_kl: np.ndarray, basis_variances: np.ndarray, kl: np.ndarray) -> np.ndarray:
    """Per-bin variance of the morphed template from independent basis templates' variances (3, *bins)."""
    weights = basis_weights(basis_kl, kl)
    return np.tensordot(weights**2, np.asarray(basis_variances, dtype=np.float64), axes=([-1], [0]))


def physical_basis_templates(basis_kl: np.ndarray, basis_templates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Basis templates (3, B) whose morphed yields are ≥ 0 at every κλ, and the (B,) mask of bins changed.

    A bin changes only when its quadratic form [[a, b/2], [b/2, c]] has a negative eigenvalue; it is replaced by
    the nearest positive semi-definite form (module docstring). Other bins are returned unchanged, bit for bit.
    """
    basis_kl = _check_basis(basis_kl)
    basis_templates = np.asarray(basis_templates, dtype=np.float64)
    if basis_templates.ndim != 2 or basis_templates.shape[0] != N_BASIS:
        raise ValueError(f"basis templates must have shape ({N_BASIS}, bins), got {basis_templates.shape}")
    a, b, c = quadratic_coefficients(basis_kl, basis_templates)
    forms = np.stack([np.stack([a, b / 2], axis=-1), np.stack([b / 2, c], axis=-1)], axis=-2)  # (B, 2, 2)
    eigenvalues, eigenvectors = np.linalg.eigh(forms)
    scale = np.abs(eigenvalues).max(axis=-1, initial=0.0)
    changed = (eigenvalues < -1e-12 * scale[:, None]).any(axis=-1)
    projected = eigenvectors @ (np.maximum(eigenvalues, 0.0)[..., None] * np.swapaxes(eigenvectors, -1, -2))
    coefficients = np.stack([projected[:, 0, 0], 2 * projected[:, 0, 1], projected[:, 1, 1]])  # (3, B)
    result = basis_templates.copy()
    result[:, changed] = (powers(basis_kl) @ coefficients)[:, changed]
    return result, changed
