"""Equivalent luminosity (hsieh_spanet2, Table 17): the luminosity a reference method (min-ΔR) needs to match a bound.

The reference method is scanned on a luminosity grid; each of its interval bounds (lower, upper, and the width
upper − lower) is a smooth monotonic function of the luminosity. For a target value (another method's bound at its
luminosity) the equivalent luminosity is where the reference's bound crosses the target, interpolated in
ln L (shape-preserving cubic through the grid; the first crossing from low luminosity). Outside the grid it is NaN
(reported as "out of range" by the tables).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.interpolate import PchipInterpolator
from scipy.optimize import brentq

BOUNDS: tuple[str, ...] = ("lower", "upper", "width")


def equivalent_luminosity(reference_luminosity_fb: np.ndarray, reference_bound: np.ndarray, target: float) -> float:
    """Luminosity (fb⁻¹) at which ``reference_bound`` (L,), given on the increasing grid (L,), equals ``target``.

    The bound is interpolated as a shape-preserving cubic (PCHIP) in ln L through the finite grid points, and the
    first crossing from low luminosity is returned; NaN if the grid does not bracket the target.
    """
    luminosity = np.asarray(reference_luminosity_fb, dtype=np.float64)
    bound = np.asarray(reference_bound, dtype=np.float64)
    if luminosity.shape != bound.shape or luminosity.ndim != 1 or (np.diff(luminosity) <= 0).any():
        raise ValueError("reference luminosities must be an increasing grid matching the bounds")
    if (luminosity <= 0).any():
        raise ValueError("luminosities must be positive (fb⁻¹)")
    finite = np.isfinite(bound)
    if not np.isfinite(target) or finite.sum() < 2:
        return float("nan")
    log_lumi, difference = np.log(luminosity[finite]), bound[finite] - target
    exact = np.flatnonzero(difference == 0)
    brackets = np.flatnonzero(difference[:-1] * difference[1:] < 0)
    if exact.size and (not brackets.size or exact[0] <= brackets[0]):
        return float(np.exp(log_lumi[exact[0]]))
    if not brackets.size:
        return float("nan")
    i = int(brackets[0])
    curve = PchipInterpolator(log_lumi, difference)
    return float(np.exp(brentq(curve, log_lumi[i], log_lumi[i + 1], xtol=1e-12)))


def bound_values(intervals: Sequence[dict], key: str, bound: str) -> np.ndarray:
    """The ``bound`` ("lower", "upper" or "width") of interval ``key`` (e.g. "profile_95") per luminosity row."""
    if bound not in BOUNDS:
        raise ValueError(f"bound must be one of {BOUNDS}, got {bound!r}")
    values = []
    for row in intervals:
        interval = row.get(key)
        if interval is None:
            values.append(np.nan)
            continue
        lower = np.nan if interval["lower"] is None else interval["lower"]
        upper = np.nan if interval["upper"] is None else interval["upper"]
        values.append({"lower": lower, "upper": upper, "width": upper - lower}[bound])
    return np.array(values, dtype=np.float64)


def equivalent_luminosities(
    reference_intervals: Sequence[dict],
    method_intervals: Sequence[dict],
    keys: Sequence[str] = ("profile_95", "cls_95"),
) -> list[dict]:
    """For each luminosity row of a method: the reference's equivalent luminosity of every bound of every interval.

    Both arguments are lists of rows as written by :func:`multihiggs.stats.scan.intervals_by_luminosity`.
    Returns rows ``{"luminosity_fb": L, key: {bound: L_equivalent or None}}``.
    """
    reference_luminosity = np.array([row["luminosity_fb"] for row in reference_intervals], dtype=np.float64)
    rows = []
    for index, row in enumerate(method_intervals):
        result: dict = {"luminosity_fb": row["luminosity_fb"]}
        for key in keys:
            result[key] = {}
            for bound in BOUNDS:
                target = bound_values(method_intervals, key, bound)[index]
                value = equivalent_luminosity(
                    reference_luminosity, bound_values(reference_intervals, key, bound), float(target)
                )
                result[key][bound] = value if np.isfinite(value) else None
        rows.append(result)
    return rows
