"""Expected κλ intervals on Asimov data at κλ = 1: profile likelihood and CLs, batched over κλ and luminosity.

For each κλ of the grid the model is the workspace measurement of :mod:`multihiggs.stats.model` (signal s(κλ) ×
μ, QCD background with MC-stat γ's and optional normalisation α); the data are the Asimov counts at κλ = 1.

- Profile likelihood: −2ΔlnL(κλ) = 2 [NLL(κλ; μ = 1, θ̂̂) − min_κλ NLL], nuisances profiled at each point, relative
  to the best fit on the grid (which always contains κλ = 1, the exact minimum on Asimov data). Intervals:
  −2ΔlnL < 1 (68% CL) and < χ²₁(95%) = 3.84.
- CLs: pyhf's ``hypotest(1, data, model_κλ, test_stat="qtilde")`` reproduced in numpy: q̃ = −2 ln λ(μ = 1) with
  0 ≤ μ̂ (q̃ = 0 if μ̂ > 1), its Asimov value q̃_A on the background-only Asimov data built from the μ = 0 fit to the
  data (auxiliary data set to the fitted nuisances, as pyhf does), and the asymptotic formulae of
  arXiv:1007.1727 as pyhf's ``AsymptoticCalculator`` evaluates them. κλ is excluded where CLs < 0.05.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import log_ndtr
from scipy.stats import chi2

from multihiggs.stats.likelihood import FitResult, Observations, fit
from multihiggs.stats.model import asimov_counts, batched_model
from multihiggs.stats.morphing import kl_grid_with_sm
from multihiggs.stats.templates import Templates

Q_68 = float(chi2.ppf(0.6826894921370859, 1))  # 1.0
Q_95 = float(chi2.ppf(0.95, 1))  # 3.841
CLS_ALPHA = 0.05


@dataclass(frozen=True)
class Interval:
    """An allowed κλ region: its hull [lower, upper] and its connected segments; a bound at the grid edge is open
    (the region continues beyond the scanned range) and is reported as NaN."""

    lower: float
    upper: float
    segments: tuple[tuple[float, float], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {
            "lower": _json_float(self.lower),
            "upper": _json_float(self.upper),
            "segments": [[_json_float(a), _json_float(b)] for a, b in self.segments],
        }

    @classmethod
    def from_dict(cls, content: dict) -> Interval:
        return cls(
            lower=_from_json_float(content["lower"]),
            upper=_from_json_float(content["upper"]),
            segments=tuple((_from_json_float(a), _from_json_float(b)) for a, b in content["segments"]),
        )

    @property
    def width(self) -> float:
        return self.upper - self.lower


def _json_float(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _from_json_float(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def allowed_interval(kl: np.ndarray, margin: np.ndarray) -> Interval:
    """The region where ``margin`` (K,) > 0 on the increasing grid ``kl`` (K,), crossings linearly interpolated.

    Use margin = threshold − (−2ΔlnL) for the profile likelihood, margin = CLs − 0.05 for CLs.
    """
    kl = np.asarray(kl, dtype=np.float64)
    margin = np.asarray(margin, dtype=np.float64)
    if kl.shape != margin.shape or kl.ndim != 1 or (np.diff(kl) <= 0).any():
        raise ValueError("κλ grid must be increasing and match the curve")
    inside = margin > 0
    if not inside.any():
        return Interval(float("nan"), float("nan"), ())

    def crossing(i: int) -> float:  # between grid points i and i + 1, where the margin changes sign
        return float(kl[i] + (kl[i + 1] - kl[i]) * margin[i] / (margin[i] - margin[i + 1]))

    segments = []
    start: float | None = float("nan") if inside[0] else None
    for i in range(len(kl) - 1):
        if inside[i] != inside[i + 1]:
            if inside[i + 1]:
                start = crossing(i)
            else:
                segments.append((start, crossing(i)))
                start = None
    if start is not None:
        segments.append((start, float("nan")))
    return Interval(lower=segments[0][0], upper=segments[-1][1], segments=tuple(segments))


def asymptotic_cls(qtilde: np.ndarray, qtilde_asimov: np.ndarray) -> np.ndarray:
    """CLs = CLs+b / CLb from q̃_μ and its Asimov value (pyhf ``AsymptoticCalculator``, normal base distribution)."""
    qtilde = np.maximum(np.asarray(qtilde, dtype=np.float64), 0.0)
    qtilde_asimov = np.maximum(np.asarray(qtilde_asimov, dtype=np.float64), 0.0)
    sqrt_q, sqrt_qa = np.sqrt(qtilde), np.sqrt(qtilde_asimov)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(sqrt_q <= sqrt_qa, sqrt_q - sqrt_qa, (qtilde - qtilde_asimov) / (2 * sqrt_qa))
        # ratio of tail probabilities in log space: both underflow far in the tails
        cls = np.exp(log_ndtr(-(statistic + sqrt_qa)) - log_ndtr(-statistic))
    return np.where(sqrt_qa > 0, np.minimum(cls, 1.0), 1.0)


def _qtilde(conditional: FitResult, free: FitResult, mu_test: float) -> np.ndarray:
    return np.where(free.mu > mu_test, 0.0, np.maximum(2 * (conditional.nll - free.nll), 0.0))


@dataclass(frozen=True)
class ScanCurves:
    """−2ΔlnL and CLs of one method on a κλ grid (K,) at luminosities (L,): arrays (L, K); μ̂ of the CLs fit."""

    kl: np.ndarray
    luminosity_fb: np.ndarray
    delta_nll2: np.ndarray
    cls: np.ndarray
    mu_hat: np.ndarray

    def profile_interval(self, lumi_index: int, threshold: float = Q_95) -> Interval:
        return allowed_interval(self.kl, threshold - self.delta_nll2[lumi_index])

    def cls_interval(self, lumi_index: int, alpha: float = CLS_ALPHA) -> Interval:
        return allowed_interval(self.kl, self.cls[lumi_index] - alpha)


def scan_curves(
    templates: Templates,
    kl_grid: np.ndarray,
    luminosities_fb: np.ndarray,
    *,
    background_norm_uncertainty: float | None = None,
    background_mc_stat: bool = True,
    with_cls: bool = True,
) -> ScanCurves:
    """Profile-likelihood and CLs curves of one method at every (luminosity, κλ) in one batch of fits."""
    kl = kl_grid_with_sm(kl_grid)
    luminosities_fb = np.atleast_1d(np.asarray(luminosities_fb, dtype=np.float64))
    if (luminosities_fb <= 0).any():
        raise ValueError(f"luminosities must be positive (fb⁻¹), got {luminosities_fb.tolist()}")
    n_lumi, n_kl = len(luminosities_fb), len(kl)
    model = batched_model(
        templates, kl, luminosities_fb, background_norm_uncertainty, background_mc_stat=background_mc_stat
    )
    counts = np.concatenate([np.repeat(asimov_counts(templates, lumi)[None], n_kl, 0) for lumi in luminosities_fb])
    data = Observations.nominal(counts)
    conditional = fit(model, data, fixed_mu=1.0)
    nll = conditional.nll.reshape(n_lumi, n_kl)
    delta_nll2 = 2 * (nll - nll.min(axis=1, keepdims=True))
    if not with_cls:
        nan = np.full((n_lumi, n_kl), np.nan)
        return ScanCurves(kl, luminosities_fb, delta_nll2, nan, nan)
    free = fit(model, data)
    qtilde = _qtilde(conditional, free, 1.0)
    background_only = fit(model, data, fixed_mu=0.0)
    asimov = Observations(
        counts=model.expected(np.zeros(model.n_points), background_only.alpha, background_only.gamma),
        aux_gamma=background_only.gamma,
        aux_alpha=background_only.alpha,
    )
    qtilde_asimov = _qtilde(fit(model, asimov, fixed_mu=1.0), fit(model, asimov), 1.0)
    cls = asymptotic_cls(qtilde, qtilde_asimov).reshape(n_lumi, n_kl)
    return ScanCurves(kl, luminosities_fb, delta_nll2, cls, free.mu.reshape(n_lumi, n_kl))


def intervals_by_luminosity(curves: ScanCurves) -> list[dict]:
    """Per luminosity: the 68% and 95% profile-likelihood intervals and the 95% CLs interval (as dicts)."""
    rows = []
    for index, lumi in enumerate(curves.luminosity_fb):
        has_cls = bool(np.isfinite(curves.cls[index]).all())
        rows.append(
            {
                "luminosity_fb": float(lumi),
                "profile_68": curves.profile_interval(index, Q_68).to_dict(),
                "profile_95": curves.profile_interval(index, Q_95).to_dict(),
                "cls_95": curves.cls_interval(index).to_dict() if has_cls else None,
            }
        )
    return rows
