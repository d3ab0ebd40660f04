"""Binomial ratios (purity, efficiency) with frequentist intervals.

Weighted counts use the effective number of entries of the denominator, n_eff = (Σw)² / Σw², and k_eff = ratio ·
n_eff passed entries; for unit weights these are the plain counts. An empty denominator gives NaN everywhere
(value and both bounds), never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

IntervalMethod = Literal["clopper_pearson", "wilson"]
INTERVAL_METHODS: tuple[str, ...] = ("clopper_pearson", "wilson")
ONE_SIGMA = float(stats.norm.cdf(1) - stats.norm.cdf(-1))  # 0.6827: the central "±1σ" coverage
_RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Ratio:
    """numerator / denominator with a central confidence interval; all arrays share one shape (scalars allowed).

    Attributes:
        numerator: sum of weights of the objects that pass (a count for unit weights).
        denominator: sum of weights of all objects considered.
        value: numerator / denominator; NaN where the denominator is 0.
        lower, upper: interval bounds (not distances from ``value``); NaN where the denominator is 0.
    """

    numerator: np.ndarray
    denominator: np.ndarray
    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        """The five arrays by field name (for JSON output)."""
        return {
            "value": self.value,
            "lower": self.lower,
            "upper": self.upper,
            "numerator": self.numerator,
            "denominator": self.denominator,
        }

    @classmethod
    def from_dict(cls, values: dict) -> Ratio:
        """Inverse of :meth:`as_dict` (``None`` read back as NaN)."""
        return cls(
            **{
                name: np.asarray(values[name], dtype=np.float64)
                for name in ("numerator", "denominator", "value", "lower", "upper")
            }
        )


def binomial_ratio(
    numerator: np.ndarray,
    denominator: np.ndarray,
    denominator_sumw2: np.ndarray | None = None,
    *,
    confidence: float = ONE_SIGMA,
    method: IntervalMethod = "clopper_pearson",
) -> Ratio:
    """The ratio numerator / denominator with its binomial interval.

    Args:
        numerator, denominator: sums of weights (any equal shapes); 0 <= numerator <= denominator.
        denominator_sumw2: sum of squared weights of the denominator; None for unit weights (then = denominator).
        confidence: central coverage of the interval (default ±1σ).
        method: "clopper_pearson" (exact, beta quantiles) or "wilson" (score interval).
    """
    if method not in INTERVAL_METHODS:
        raise ValueError(f"interval method must be one of {INTERVAL_METHODS}, got {method!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    if numerator.shape != denominator.shape:
        raise ValueError(f"numerator shape {numerator.shape} differs from denominator shape {denominator.shape}")
    if (numerator < 0).any() or (numerator > denominator * (1 + _RELATIVE_TOLERANCE)).any():
        raise ValueError("a binomial ratio needs 0 <= numerator <= denominator (non-negative weights)")
    sumw2 = denominator if denominator_sumw2 is None else np.asarray(denominator_sumw2, dtype=np.float64)

    filled = denominator > 0
    safe_denominator = np.where(filled, denominator, 1.0)
    value = np.where(filled, np.clip(numerator / safe_denominator, 0.0, 1.0), np.nan)
    n_eff = np.where(filled, safe_denominator**2 / np.where(filled, sumw2, 1.0), 1.0)
    k_eff = np.where(filled, value, 0.0) * n_eff
    alpha = 1.0 - confidence
    if method == "clopper_pearson":
        lower, upper = _clopper_pearson(k_eff, n_eff, alpha)
    else:
        lower, upper = _wilson(k_eff, n_eff, alpha)
    lower = np.where(filled, np.minimum(lower, value), np.nan)
    upper = np.where(filled, np.maximum(upper, value), np.nan)
    return Ratio(numerator=numerator, denominator=denominator, value=value, lower=lower, upper=upper)


def _clopper_pearson(passed: np.ndarray, total: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact interval from beta quantiles; the bound at k = 0 (k = n) is 0 (1)."""
    failed = total - passed
    has_pass, has_fail = passed > 0, failed > 0
    lower = stats.beta.ppf(alpha / 2, np.where(has_pass, passed, 1.0), failed + 1)
    upper = stats.beta.ppf(1 - alpha / 2, passed + 1, np.where(has_fail, failed, 1.0))
    return np.where(has_pass, lower, 0.0), np.where(has_fail, upper, 1.0)


def _wilson(passed: np.ndarray, total: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval."""
    z = stats.norm.ppf(1 - alpha / 2)
    proportion = passed / total
    shrink = 1 + z**2 / total
    centre = (proportion + z**2 / (2 * total)) / shrink
    half_width = z / shrink * np.sqrt(proportion * (1 - proportion) / total + z**2 / (4 * total**2))
    return np.clip(centre - half_width, 0.0, 1.0), np.clip(centre + half_width, 0.0, 1.0)
