"""Batched binned likelihood of the κλ fit, profiled fast in numpy (the same model as the pyhf workspace).

For P independent points (κλ values × luminosities) with B bins each, the expected events are

    ν_pi = μ_p s_pi + γ_pi · κ_p^α_p · b_pi

with signal s, background b, signal strength μ, one MC-statistics factor γ per bin (pyhf ``staterror``: Gaussian
constraint of width σ_i = relative MC uncertainty of b_i around the auxiliary datum a_i) and a log-normal background
normalisation uncertainty (pyhf ``normsys`` with hi = κ, lo = 1/κ, i.e. κ^α, Gaussian α around a_α). The negative
log-likelihood is written in deviance form (exact differences, no large cancellations):

    NLL = Σ_i [ν_i − n_i − n_i ln(ν_i / n_i)] + Σ_i (γ_i − a_i)² / (2 σ_i²) + (α − a_α)² / 2.

Profiling: for fixed (μ, α), each γ_i solves a quadratic equation (per-bin 1-D problem, closed form). The remaining
(μ, α) are minimised for all points at once by a projected Newton method with the exact profiled Hessian (Schur
complement over the diagonal γ block) and a vectorised backtracking line search. Bounds follow pyhf's defaults:
μ ∈ [0, 10], α ∈ [−5, 5]. Points with no normalisation uncertainty (ln κ = 0) keep α at its auxiliary datum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MU_BOUNDS: tuple[float, float] = (0.0, 10.0)
ALPHA_BOUNDS: tuple[float, float] = (-5.0, 5.0)
_GAMMA_FLOOR = 1e-10
_STEP_SIZES = 0.5 ** np.arange(31)


@dataclass(frozen=True)
class BatchedModel:
    """P one-channel models of B bins.

    Attributes:
        signal: (P, B) signal events at μ = 1 (may be slightly negative in a bin from morphing fluctuations).
        background: (P, B) nominal background events, > 0.
        background_rel_unc: (P, B) relative MC-statistical uncertainty of the background (staterror width), ≥ 0;
            0 fixes γ at its auxiliary datum (no MC-statistics uncertainty).
        log_kappa: (P,) ln κ of the log-normal background normalisation uncertainty (0: none).
    """

    signal: np.ndarray
    background: np.ndarray
    background_rel_unc: np.ndarray
    log_kappa: np.ndarray

    def __post_init__(self) -> None:
        shape = np.shape(self.signal)
        if len(shape) != 2:
            raise ValueError(f"signal must have shape (P, B), got {shape}")
        for name in ("background", "background_rel_unc"):
            if np.shape(getattr(self, name)) != shape:
                raise ValueError(f"{name} has shape {np.shape(getattr(self, name))}, the signal {shape}")
        if np.shape(self.log_kappa) != shape[:1]:
            raise ValueError(f"log_kappa must have shape {shape[:1]}, got {np.shape(self.log_kappa)}")
        if not (np.asarray(self.background) > 0).all():
            raise ValueError("every bin needs a positive background")
        if not (np.asarray(self.background_rel_unc) >= 0).all():
            raise ValueError("background MC uncertainties (staterror widths) must be non-negative")
        if not np.isfinite(self.signal).all():
            raise ValueError("signal yields must be finite")

    @property
    def n_points(self) -> int:
        return int(np.shape(self.signal)[0])

    def expected(self, mu: np.ndarray, alpha: np.ndarray, gamma: np.ndarray) -> np.ndarray:
        """ν (..., P, B) for parameters μ, α (..., P) and γ (..., P, B)."""
        norm = np.exp(np.asarray(alpha) * self.log_kappa)[..., None]
        return np.asarray(mu)[..., None] * self.signal + gamma * norm * self.background


@dataclass(frozen=True)
class Observations:
    """Main counts n (P, B) and auxiliary data: a_γ (P, B) for the staterror, a_α (P,) for the normalisation."""

    counts: np.ndarray
    aux_gamma: np.ndarray
    aux_alpha: np.ndarray

    @classmethod
    def nominal(cls, counts: np.ndarray) -> Observations:
        """Counts with nominal auxiliary data (γ = 1, α = 0), as for real or Asimov-at-nominal data."""
        counts = np.asarray(counts, dtype=np.float64)
        return cls(counts, np.ones_like(counts), np.zeros(counts.shape[0]))


@dataclass(frozen=True)
class FitResult:
    """Best-fit μ (P,), α (P,), γ (P, B) and the NLL (P,) in the deviance form of the module docstring."""

    mu: np.ndarray
    alpha: np.ndarray
    gamma: np.ndarray
    nll: np.ndarray


def profiled_gamma(mu: np.ndarray, alpha: np.ndarray, model: BatchedModel, data: Observations) -> np.ndarray:
    """The γ (..., P, B) minimising the NLL at fixed μ, α (..., P): root of a per-bin quadratic.

    With S = μ s, C = κ^α b, σ² and aux a, dNLL/dγ = 0 is C γ² + (C² σ² + S − a C) γ + (C S σ² − n C σ² − a S) = 0;
    the larger root is the minimum (the NLL is convex in γ where ν > 0).
    """
    signal = np.asarray(mu)[..., None] * model.signal
    scaled_background = np.exp(np.asarray(alpha) * model.log_kappa)[..., None] * model.background
    variance = model.background_rel_unc**2
    a2 = scaled_background
    a1 = scaled_background**2 * variance + signal - data.aux_gamma * scaled_background
    a0 = scaled_background * variance * (signal - data.counts) - data.aux_gamma * signal
    root = np.sqrt(np.maximum(a1**2 - 4 * a2 * a0, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = np.where(a1 > 0, -2 * a0 / (a1 + root), (-a1 + root) / (2 * a2))
    return np.maximum(gamma, _GAMMA_FLOOR)


def negative_log_likelihood(
    mu: np.ndarray, alpha: np.ndarray, gamma: np.ndarray, model: BatchedModel, data: Observations
) -> np.ndarray:
    """NLL (..., P) in deviance form; +inf where some ν ≤ 0 with n > 0."""
    expected = model.expected(mu, alpha, gamma)
    counts = data.counts
    with np.errstate(divide="ignore", invalid="ignore"):
        # ν − n − n ln(ν/n) = n (x − ln(1 + x)) with x = (ν − n)/n: accurate even for n ~ 1e9 and ν ≈ n
        relative = (expected - counts) / counts
        poisson = np.where(counts > 0, counts * (relative - np.log1p(relative)), expected)
    poisson = np.where((expected > 0) | ((expected == 0) & (counts == 0)), poisson, np.inf)
    variance = model.background_rel_unc**2
    with np.errstate(divide="ignore", invalid="ignore"):
        constraint = np.where(variance > 0, (gamma - data.aux_gamma) ** 2 / (2 * variance), 0.0)
    return (poisson + constraint).sum(axis=-1) + 0.5 * (np.asarray(alpha) - data.aux_alpha) ** 2


def profiled_nll(mu: np.ndarray, alpha: np.ndarray, model: BatchedModel, data: Observations) -> np.ndarray:
    """NLL (..., P) with every γ profiled."""
    return negative_log_likelihood(mu, alpha, profiled_gamma(mu, alpha, model, data), model, data)


def _profiled_derivatives(mu, alpha, gamma, model: BatchedModel, data: Observations):
    """Gradient (P, 2) and Hessian (P, 2, 2) in (μ, α) of the γ-profiled NLL at γ = γ̂(μ, α)."""
    log_kappa = model.log_kappa[:, None]
    norm = np.exp(alpha[:, None] * log_kappa)
    scaled_background = norm * model.background
    expected = mu[:, None] * model.signal + gamma * scaled_background
    residual = 1 - data.counts / expected  # dNLL/dν
    curvature = data.counts / expected**2  # d²NLL/dν²
    d_mu = model.signal
    d_alpha = gamma * scaled_background * log_kappa
    d_gamma = scaled_background
    grad = np.stack([(residual * d_mu).sum(1), (residual * d_alpha).sum(1) + (alpha - data.aux_alpha)], axis=1)
    h_mu_mu = (curvature * d_mu**2).sum(1)
    h_mu_alpha = (curvature * d_mu * d_alpha).sum(1)
    h_alpha_alpha = (curvature * d_alpha**2 + residual * d_alpha * log_kappa).sum(1) + 1.0
    with np.errstate(divide="ignore"):
        h_gamma_gamma = curvature * d_gamma**2 + 1 / model.background_rel_unc**2  # inf: γ fixed, no correction
    h_mu_gamma = curvature * d_mu * d_gamma
    h_alpha_gamma = curvature * d_alpha * d_gamma + residual * scaled_background * log_kappa
    hessian = np.empty((len(mu), 2, 2))
    hessian[:, 0, 0] = h_mu_mu - (h_mu_gamma**2 / h_gamma_gamma).sum(1)
    hessian[:, 0, 1] = hessian[:, 1, 0] = h_mu_alpha - (h_mu_gamma * h_alpha_gamma / h_gamma_gamma).sum(1)
    hessian[:, 1, 1] = h_alpha_alpha - (h_alpha_gamma**2 / h_gamma_gamma).sum(1)
    return grad, hessian


def _take(model: BatchedModel, data: Observations, index: np.ndarray) -> tuple[BatchedModel, Observations]:
    """The points ``index`` of a model and its data."""
    return (
        BatchedModel(
            model.signal[index], model.background[index], model.background_rel_unc[index], model.log_kappa[index]
        ),
        Observations(data.counts[index], data.aux_gamma[index], data.aux_alpha[index]),
    )


def _newton_step(params, free, lower, upper, model: BatchedModel, data: Observations) -> np.ndarray:
    """Projected Newton step (P, 2) in (μ, α): parameters fixed or pushed against a bound do not move; a
    gradient step scaled by the diagonal where the profiled Hessian is not positive definite."""
    gamma = profiled_gamma(params[:, 0], params[:, 1], model, data)
    grad, hessian = _profiled_derivatives(params[:, 0], params[:, 1], gamma, model, data)
    at_lower = params <= lower + 1e-12
    at_upper = params >= upper - 1e-12
    moving = free & ~((at_lower & (grad > 0)) | (at_upper & (grad < 0)))
    grad = np.where(moving, grad, 0.0)
    reduced = np.where(moving[:, :, None] & moving[:, None, :], hessian, 0.0)
    reduced[:, 0, 0] = np.where(moving[:, 0], reduced[:, 0, 0], 1.0)
    reduced[:, 1, 1] = np.where(moving[:, 1], reduced[:, 1, 1], 1.0)
    det = reduced[:, 0, 0] * reduced[:, 1, 1] - reduced[:, 0, 1] ** 2
    positive = (reduced[:, 0, 0] > 0) & (reduced[:, 1, 1] > 0) & (det > 0)
    safe_det = np.where(positive, det, 1.0)
    newton = -np.stack(
        [
            (reduced[:, 1, 1] * grad[:, 0] - reduced[:, 0, 1] * grad[:, 1]) / safe_det,
            (reduced[:, 0, 0] * grad[:, 1] - reduced[:, 0, 1] * grad[:, 0]) / safe_det,
        ],
        axis=1,
    )
    scale = np.maximum(np.abs(np.stack([reduced[:, 0, 0], reduced[:, 1, 1]], axis=1)), 1.0)
    return np.where(positive[:, None], newton, -grad / scale)


def _line_search(params, step, current, lower, upper, model: BatchedModel, data: Observations):
    """Backtracking along ``step`` (full step first, then halvings for the points it does not improve):
    returns the accepted move (P, 2) (0 where nothing improves) and the new NLL (P,)."""
    full = np.clip(params + step, lower, upper)
    values = profiled_nll(full[:, 0], full[:, 1], model, data)
    accepted = np.isfinite(values) & (values <= current)
    moved = np.where(accepted[:, None], full - params, 0.0)
    values = np.where(accepted, values, current)
    retry = np.flatnonzero(~accepted)
    if retry.size:
        sub_model, sub_data = _take(model, data, retry)
        candidates = np.clip(params[retry][None] + _STEP_SIZES[1:, None, None] * step[retry][None], lower, upper)
        trial = profiled_nll(candidates[..., 0], candidates[..., 1], sub_model, sub_data)
        ok = np.isfinite(trial) & (trial <= current[retry][None])
        first = np.argmax(ok, axis=0)
        found = ok.any(axis=0)
        rows = np.arange(retry.size)
        moved[retry] = np.where(found[:, None], candidates[first, rows] - params[retry], 0.0)
        values[retry] = np.where(found, trial[first, rows], current[retry])
    return moved, values


def fit(
    model: BatchedModel,
    data: Observations,
    *,
    fixed_mu: float | np.ndarray | None = None,
    mu_bounds: tuple[float, float] = MU_BOUNDS,
    alpha_bounds: tuple[float, float] = ALPHA_BOUNDS,
    max_iterations: int = 200,
    tolerance: float = 1e-10,
) -> FitResult:
    """Maximum-likelihood fit of every point: γ profiled exactly, (μ, α) by projected Newton.

    Args:
        fixed_mu: None to fit μ within ``mu_bounds``; else μ fixed at this value (scalar or (P,)).
    """
    n_points = model.n_points
    if data.counts.shape != model.signal.shape:
        raise ValueError(f"counts have shape {data.counts.shape}, the model {model.signal.shape}")
    lower = np.array([mu_bounds[0], alpha_bounds[0]])
    upper = np.array([mu_bounds[1], alpha_bounds[1]])
    free = np.ones((n_points, 2), dtype=bool)
    free[:, 1] = model.log_kappa != 0
    params = np.empty((n_points, 2))
    if fixed_mu is None:
        params[:, 0] = np.clip(1.0, *mu_bounds)
    else:
        params[:, 0] = np.broadcast_to(np.asarray(fixed_mu, dtype=np.float64), (n_points,))
        free[:, 0] = False
    params[:, 1] = np.where(free[:, 1], np.clip(data.aux_alpha, *alpha_bounds), data.aux_alpha)
    current = profiled_nll(params[:, 0], params[:, 1], model, data)
    if not np.isfinite(current).all():
        raise ValueError("the starting point of the fit has ν ≤ 0 in a bin with data: check the signal yields")
    active = free.any(axis=1)
    for _ in range(max_iterations):
        index = np.flatnonzero(active)
        if not index.size:
            break
        sub_model, sub_data = _take(model, data, index)
        step = _newton_step(params[index], free[index], lower, upper, sub_model, sub_data)
        moved, values = _line_search(params[index], step, current[index], lower, upper, sub_model, sub_data)
        params[index] += moved
        current[index] = values
        active[index] = np.abs(moved).max(axis=1) > tolerance
    gamma = profiled_gamma(params[:, 0], params[:, 1], model, data)
    return FitResult(
        mu=params[:, 0],
        alpha=params[:, 1],
        gamma=gamma,
        nll=negative_log_likelihood(params[:, 0], params[:, 1], gamma, model, data),
    )
