"""Our measured values with their statistical uncertainty, and the arithmetic the claims need (pure functions).

A :class:`Measurement` holds a value (a scalar, or one value per bin), its ±1σ statistical uncertainty (None when
the quantity has none, e.g. an expected interval bound on Asimov data) and, for binomial ratios, the numerator and
denominator so that bins and samples can be pooled exactly. Combining measurements propagates uncertainties as if
they were independent; they are not always (two methods on the same events), so the propagated σ is conservative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from multihiggs.evaluate.binomial import ONE_SIGMA, binomial_ratio


class NotMeasured(Exception):
    """Our workflow has no value for a claim; the message says what is missing."""


@dataclass(frozen=True)
class Measurement:
    """value ± sigma (arrays of one shape, 0-d for scalars); counts for binomial ratios; the files read."""

    value: np.ndarray
    sigma: np.ndarray | None = None
    numerator: np.ndarray | None = None
    denominator: np.ndarray | None = None
    files: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_scalar(self) -> bool:
        return np.ndim(self.value) == 0

    def scalar(self) -> tuple[float, float | None]:
        """(value, sigma) of a scalar measurement; NotMeasured if it is NaN."""
        if not self.is_scalar:
            raise NotMeasured(f"expected one value, got {np.size(self.value)} (a binned quantity)")
        value = float(self.value)
        if not math.isfinite(value):
            raise NotMeasured(f"no value (empty selection) in {', '.join(self.files) or 'the inputs'}")
        sigma = None if self.sigma is None or not math.isfinite(float(self.sigma)) else float(self.sigma)
        return value, sigma


def _array(values: object) -> np.ndarray:
    """JSON numbers or nested lists with None -> float array with NaN."""
    if isinstance(values, list):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return np.asarray(np.nan if values is None else values, dtype=np.float64)


def from_node(node: object, where: str, files: tuple[str, ...] = ()) -> Measurement:
    """A measurement from a JSON node: a number, a list of numbers, or a ratio dict ({"value", "lower", "upper",
    "numerator", "denominator"} as the evaluation writes, {"value", "sigma"}, or counts without an interval, whose
    σ is then the binomial one). ``where`` names it in errors."""
    if node is None:
        raise NotMeasured(f"no value at {where} (null: empty selection or open interval)")
    if isinstance(node, bool) or not isinstance(node, int | float | list | dict):
        raise NotMeasured(f"{where} is not a number or a ratio: {node!r}")
    if not isinstance(node, dict):
        return Measurement(_array(node), files=files)
    has_interval = ("lower" in node and "upper" in node) or node.get("sigma") is not None
    if not has_interval and "numerator" in node and "denominator" in node:
        return binomial(_array(node["numerator"]), _array(node["denominator"]), files)
    if "value" not in node:
        raise NotMeasured(f"{where} has no 'value'")
    value = _array(node["value"])
    sigma = None
    if "lower" in node and "upper" in node:
        sigma = (_array(node["upper"]) - _array(node["lower"])) / 2
    elif node.get("sigma") is not None:
        sigma = _array(node["sigma"])
    counts = {name: _array(node[name]) if name in node else None for name in ("numerator", "denominator")}
    return Measurement(value, sigma, counts["numerator"], counts["denominator"], files)


def binomial(numerator: np.ndarray, denominator: np.ndarray, files: tuple[str, ...] = ()) -> Measurement:
    """numerator / denominator with the Clopper–Pearson ±1σ interval's half-width as σ (NaN where empty)."""
    numerator, denominator = np.asarray(numerator, np.float64), np.asarray(denominator, np.float64)
    ratio = binomial_ratio(numerator, denominator, denominator, confidence=ONE_SIGMA, method="clopper_pearson")
    return Measurement(ratio.value, (ratio.upper - ratio.lower) / 2, numerator, denominator, files)


def _counts(measurement: Measurement, what: str) -> tuple[np.ndarray, np.ndarray]:
    if measurement.numerator is None or measurement.denominator is None:
        raise NotMeasured(f"{what} needs a ratio with numerator and denominator")
    return measurement.numerator, measurement.denominator


def bins_in_range(edges: Sequence[float], low: float | None, high: float | None) -> np.ndarray:
    """bool per bin of ``edges``: the bin lies inside [low, high) (None: unbounded)."""
    edges = np.asarray(edges, dtype=np.float64)
    inside = np.ones(len(edges) - 1, dtype=bool)
    if low is not None:
        inside &= edges[:-1] >= low - 1e-9
    if high is not None:
        inside &= edges[1:] <= high + 1e-9
    return inside


def pool_bins(measurement: Measurement, selected: np.ndarray) -> Measurement:
    """The binned ratio summed over the ``selected`` bins (counts added, then the ratio taken)."""
    numerator, denominator = _counts(measurement, "pooling bins")
    if not np.any(selected):
        raise NotMeasured("no bin of the measurement lies inside the requested range")
    return binomial(numerator[selected].sum(), denominator[selected].sum(), measurement.files)


def count(measurement: Measurement, selected: np.ndarray | None = None) -> Measurement:
    """The denominator (objects counted) of a ratio, summed over ``selected`` bins, with Poisson σ."""
    _, denominator = _counts(measurement, "a count")
    total = denominator if selected is None else np.asarray(denominator[selected].sum())
    return Measurement(total, np.sqrt(total), files=measurement.files)


def pool(measurements: Sequence[Measurement]) -> Measurement:
    """Ratios pooled: Σ numerators / Σ denominators (bin by bin for binned ratios)."""
    counts = [_counts(m, "pooling") for m in measurements]
    numerator = np.sum([c[0] for c in counts], axis=0)
    denominator = np.sum([c[1] for c in counts], axis=0)
    return binomial(numerator, denominator, _files(measurements))


def _sigma(measurement: Measurement) -> np.ndarray:
    return np.zeros_like(measurement.value) if measurement.sigma is None else measurement.sigma


def _any_sigma(measurements: Sequence[Measurement]) -> bool:
    return any(m.sigma is not None for m in measurements)


def _files(measurements: Sequence[Measurement]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f for m in measurements for f in m.files))


def ratio(numerator: Measurement, denominator: Measurement) -> Measurement:
    """a / b with relative uncertainties added in quadrature."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value = numerator.value / denominator.value
        relative = np.hypot(_sigma(numerator) / numerator.value, _sigma(denominator) / denominator.value)
    sigma = np.abs(value) * relative if _any_sigma([numerator, denominator]) else None
    return Measurement(value, sigma, files=_files([numerator, denominator]))


def difference(first: Measurement, second: Measurement) -> Measurement:
    """a − b with uncertainties added in quadrature."""
    sigma = np.hypot(_sigma(first), _sigma(second)) if _any_sigma([first, second]) else None
    return Measurement(first.value - second.value, sigma, files=_files([first, second]))


def scale(measurement: Measurement, factor: float) -> Measurement:
    """factor × a (a change of denominator, e.g. to the seed's test-set composition)."""
    sigma = None if measurement.sigma is None else abs(factor) * measurement.sigma
    return Measurement(factor * measurement.value, sigma, files=measurement.files)


def mean(measurements: Sequence[Measurement]) -> Measurement:
    """The plain average (each item weighs the same, as samples mixed in equal numbers)."""
    values = np.array([m.value for m in measurements], dtype=np.float64)
    sigma = None
    if _any_sigma(measurements):
        sigma = np.sqrt(np.sum([_sigma(m) ** 2 for m in measurements], axis=0)) / len(measurements)
    return Measurement(values.mean(axis=0), sigma, files=_files(measurements))


def spread(measurements: Sequence[Measurement]) -> Measurement:
    """max − min of scalar measurements, σ from the two extremes."""
    values = np.array([m.scalar()[0] for m in measurements])
    high, low = measurements[int(np.argmax(values))], measurements[int(np.argmin(values))]
    return difference(high, low)


def stack(measurements: Sequence[Measurement]) -> Measurement:
    """Scalar measurements side by side as one binned measurement (e.g. one value per κλ sample)."""
    values = np.array([float(m.value) for m in measurements])
    sigma = np.array([float(_sigma(m)) for m in measurements]) if _any_sigma(measurements) else None
    return Measurement(values, sigma, files=_files(measurements))


def auc_sigma(auc: float, n_signal: float, n_background: float) -> float:
    """Hanley–McNeil (1982) standard error of a ROC AUC from the class counts (effective counts of weighted
    events)."""
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (n_signal - 1) * (q1 - auc**2) + (n_background - 1) * (q2 - auc**2)) / (
        n_signal * n_background
    )
    return math.sqrt(max(variance, 0.0))


def accuracy_sigma(accuracy: float, n_events: float) -> float:
    """Binomial standard error of an accuracy on ``n_events`` events."""
    return math.sqrt(max(accuracy * (1 - accuracy), 0.0) / n_events)
