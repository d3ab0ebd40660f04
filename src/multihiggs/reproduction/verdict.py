"""Verdicts: does our measurement reproduce a seed's claim, within the claim's stated tolerance? (pure functions)

Numeric claims (``absolute``, ``relative``): "reproduced" if our central value lies within the tolerance of the
seed's value, "qualitatively reproduced" within the wider qualitative tolerance (or, for ``same_side``, on the
seed's side of the pivot, e.g. a SPA-Net/χ² gain above 1), else "not reproduced". The uncertainty σ (ours, the
seed's if stated, and the training-seed spread, in quadrature) decides only one thing: when the ±2σ band of our
value reaches into another verdict and 2σ exceeds the tolerance, the data cannot tell, and the verdict is
"inconclusive" (the central verdict is named in the detail).

``ordering``: every adjacent pair in the claimed order → reproduced; a pair reversed by more than 2σ → not
reproduced (qualitatively reproduced if the first and last item still keep their order by more than 2σ); otherwise
(a pair within 2σ) → inconclusive. Items without σ count by their sign alone. ``dominance`` (first binned item
above the second in ``all`` or ``most`` bins): bins without both values are skipped; see :func:`dominance_verdict`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from multihiggs.reproduction.catalogue import Comparison

REPRODUCED = "reproduced"
QUALITATIVE = "qualitatively reproduced"
NOT_REPRODUCED = "not reproduced"
INCONCLUSIVE = "inconclusive"
NOT_MEASURED = "not measured"
OUT_OF_SCOPE = "out of scope"
VERDICTS: tuple[str, ...] = (REPRODUCED, QUALITATIVE, NOT_REPRODUCED, INCONCLUSIVE, NOT_MEASURED, OUT_OF_SCOPE)
Z = 2.0  # the band (in σ) within which a difference counts as not established


@dataclass(frozen=True)
class Verdict:
    """The outcome for one claim: status (one of :data:`VERDICTS`), a detail sentence, ours − seed and ours/seed."""

    status: str
    detail: str = ""
    difference: float | None = None
    ratio: float | None = None


def _quadrature(*parts: float | None) -> float:
    return math.sqrt(sum(part**2 for part in parts if part is not None))


def _region(comparison: Comparison, seed: float) -> Callable[[float], str]:
    scale = 1.0 if comparison.kind == "absolute" else abs(seed)
    tolerance = comparison.tolerance * scale

    def region(value: float) -> str:
        if abs(value - seed) <= tolerance * (1 + 1e-12):
            return REPRODUCED
        if comparison.qualitative == "same_side":
            pivot = comparison.pivot
            return QUALITATIVE if (value - pivot) * (seed - pivot) > 0 else NOT_REPRODUCED
        if comparison.qualitative is not None and abs(value - seed) <= comparison.qualitative * scale:
            return QUALITATIVE
        return NOT_REPRODUCED

    return region


def _boundaries(comparison: Comparison, seed: float) -> list[float]:
    scale = 1.0 if comparison.kind == "absolute" else abs(seed)
    widths = [comparison.tolerance * scale]
    if isinstance(comparison.qualitative, int | float):
        widths.append(comparison.qualitative * scale)
    points = [seed + sign * width for width in widths for sign in (-1, 1)]
    if comparison.qualitative == "same_side":
        points.append(comparison.pivot)
    return points


def numeric_verdict(
    ours: float, sigma: float | None, seed: float, comparison: Comparison, seed_sigma: float | None = None
) -> Verdict:
    """Verdict of a numeric claim (``absolute`` or ``relative``; ``exact`` compares integers)."""
    difference = ours - seed
    ratio = ours / seed if seed != 0 else None
    if comparison.kind == "exact":
        same = round(ours) == round(seed)
        return Verdict(REPRODUCED if same else NOT_REPRODUCED, "equal" if same else "differs", difference, ratio)
    region = _region(comparison, seed)
    central = region(ours)
    total = _quadrature(sigma, seed_sigma)
    tolerance = comparison.tolerance * (1.0 if comparison.kind == "absolute" else abs(seed))
    if total > 0 and Z * total > tolerance:
        low, high = ours - Z * total, ours + Z * total
        probes = [low, high, *(p for p in _boundaries(comparison, seed) if low < p < high)]
        probes += [p + d for p in probes for d in (-1e-9, 1e-9) if low <= p + d <= high]
        if len({region(p) for p in probes}) > 1:
            detail = f"±2σ (σ = {total:.2g}) spans several verdicts; central: {central}"
            return Verdict(INCONCLUSIVE, detail, difference, ratio)
    return Verdict(central, "", difference, ratio)


def ordering_verdict(
    values: Sequence[float], sigmas: Sequence[float | None], labels: Sequence[str], direction: str = "decreasing"
) -> Verdict:
    """Verdict of "items in this order" (``decreasing``: the first is the largest)."""
    if len(values) < 2 or len(values) != len(labels) or len(sigmas) != len(values):
        raise ValueError("an ordering needs at least two items, each with a value, a σ and a label")
    sign = 1.0 if direction == "decreasing" else -1.0

    def gap(i: int, j: int) -> tuple[float, float]:
        return sign * (values[i] - values[j]), _quadrature(sigmas[i], sigmas[j])

    pairs = [gap(i, i + 1) for i in range(len(values) - 1)]
    reversed_pairs = [d < -Z * s if s > 0 else d <= 0 for d, s in pairs]
    if any(reversed_pairs):
        ends, ends_sigma = gap(0, len(values) - 1)
        if len(values) > 2 and ends > Z * ends_sigma:
            return Verdict(QUALITATIVE, "first and last in order, a neighbouring pair reversed")
        return Verdict(NOT_REPRODUCED, "order reversed")
    if all(d > Z * s for d, s in pairs):
        return Verdict(REPRODUCED, "in the claimed order")
    return Verdict(INCONCLUSIVE, "a difference within 2σ")


def dominance_verdict(
    first: np.ndarray,
    first_sigma: np.ndarray | None,
    second: np.ndarray,
    second_sigma: np.ndarray | None,
    require: str = "all",
    unit: str = "bins",
) -> Verdict:
    """Verdict of "``first`` above ``second`` in all (or most) bins".

    ``all``: reproduced if below in no bin (ties allowed) and above in one at least; inconclusive if below only
    within 2σ; qualitatively reproduced if above in most bins; else not reproduced. ``most``: reproduced if above
    in more than half of the bins and never reversed by more than 2σ; qualitatively reproduced if above in more than
    half; inconclusive if never reversed by more than 2σ; else not reproduced.
    """
    first, second = np.asarray(first, np.float64), np.asarray(second, np.float64)
    zeros = np.zeros_like(first)
    sigma = np.hypot(zeros if first_sigma is None else first_sigma, zeros if second_sigma is None else second_sigma)
    valid = np.isfinite(first) & np.isfinite(second)
    n = int(valid.sum())
    if n == 0:
        return Verdict(NOT_MEASURED, f"no {unit} with both values")
    gap, sigma = (first - second)[valid], np.nan_to_num(sigma[valid])
    above, below = int((gap > 0).sum()), int((gap < 0).sum())
    significantly_reversed = int((gap < -Z * sigma).sum()) if sigma.any() else below
    detail = f"above in {above} of {n} {unit} (below in {below}, by more than 2σ in {significantly_reversed})"
    majority = above > n / 2
    if require == "all":
        if below == 0 and above > 0:
            return Verdict(REPRODUCED, detail)
        if significantly_reversed == 0:
            return Verdict(INCONCLUSIVE, detail)
        return Verdict(QUALITATIVE if majority else NOT_REPRODUCED, detail)
    if majority:
        return Verdict(REPRODUCED if significantly_reversed == 0 else QUALITATIVE, detail)
    return Verdict(INCONCLUSIVE if significantly_reversed == 0 else NOT_REPRODUCED, detail)
