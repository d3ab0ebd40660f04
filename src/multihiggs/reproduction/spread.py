"""Training-seed spread: the same quantity measured with networks trained from several seeds (pure functions).

The workflow trains one network per variant today; the reproduction table keeps a field for the spread, which
:func:`aggregate_seeds` fills once trainings are repeated, and :func:`total_sigma` adds to the statistical σ.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SeedSpread:
    """Mean and sample standard deviation (n − 1) of one quantity over n training seeds (std None if n < 2)."""

    n: int
    mean: float
    std: float | None
    values: tuple[float, ...]

    def as_dict(self) -> dict:
        return {"n": self.n, "mean": self.mean, "std": self.std, "values": list(self.values)}


def aggregate_seeds(values: Sequence[float | None]) -> SeedSpread | None:
    """The spread of ``values`` (one per training seed); missing (None, NaN) values are left out, None if none."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return None
    mean = sum(finite) / len(finite)
    std = None
    if len(finite) > 1:
        std = math.sqrt(sum((v - mean) ** 2 for v in finite) / (len(finite) - 1))
    return SeedSpread(len(finite), mean, std, tuple(finite))


def total_sigma(statistical: float | None, spread: SeedSpread | None) -> float | None:
    """Statistical σ and the training-seed std added in quadrature (None when neither is known)."""
    parts = [part for part in (statistical, None if spread is None else spread.std) if part is not None]
    return math.sqrt(sum(part**2 for part in parts)) if parts else None
