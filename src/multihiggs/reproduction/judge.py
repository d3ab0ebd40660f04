"""One row of the reproduction table per claim: our measurement beside the seed's value, and the verdict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from multihiggs.evaluate.seed_spread import SeedSpread, total_sigma
from multihiggs.reproduction.catalogue import NUMERIC_KINDS, Claim
from multihiggs.reproduction.expressions import Lookup, SampleSets, evaluate
from multihiggs.reproduction.measurement import Measurement, NotMeasured
from multihiggs.reproduction.verdict import (
    NOT_MEASURED,
    OUT_OF_SCOPE,
    Verdict,
    dominance_verdict,
    numeric_verdict,
    ordering_verdict,
)


@dataclass(frozen=True)
class Item:
    """One measured item of an ordering (or the single value of a numeric claim): label, value, ±1σ."""

    label: str
    value: float
    sigma: float | None


@dataclass(frozen=True)
class Row:
    """A claim, what we measured for it, and the verdict."""

    claim: Claim
    verdict: Verdict
    items: tuple[Item, ...] = ()
    files: tuple[str, ...] = ()
    spread: SeedSpread | None = None
    reason: str = ""
    binned: dict = field(default_factory=dict)

    @property
    def value(self) -> Item | None:
        """Our value of a numeric claim."""
        numeric = self.claim.comparison is not None and self.claim.comparison.kind in NUMERIC_KINDS
        return self.items[0] if numeric and self.items else None


def judge(claim: Claim, lookup: Lookup, sample_sets: SampleSets, spread: SeedSpread | None = None) -> Row:
    """The row of ``claim``; a missing input gives a "not measured" row with the reason, never an exception."""
    if claim.out_of_scope:
        return Row(claim, Verdict(OUT_OF_SCOPE), reason=claim.out_of_scope)
    if claim.not_measured:
        return Row(claim, Verdict(NOT_MEASURED), reason=claim.not_measured)
    comparison = claim.comparison
    try:
        if comparison.kind in NUMERIC_KINDS:
            measured = evaluate(claim.ours, lookup, sample_sets)
            value, sigma = measured.scalar()
            verdict = numeric_verdict(value, total_sigma(sigma, spread), claim.seed, comparison, claim.seed_uncertainty)
            return Row(claim, verdict, (Item("", value, sigma),), measured.files, spread)
        measured_items = [evaluate(expression, lookup, sample_sets) for expression in claim.ours]
        files = tuple(dict.fromkeys(f for item in measured_items for f in item.files))
        if comparison.kind == "ordering":
            return _ordering_row(claim, measured_items, files)
        return _dominance_row(claim, measured_items, files)
    except NotMeasured as missing:
        return Row(claim, Verdict(NOT_MEASURED), reason=str(missing))


def _ordering_row(claim: Claim, measured: list[Measurement], files: tuple[str, ...]) -> Row:
    labels = claim.comparison.labels or tuple(f"item {i + 1}" for i in range(len(measured)))
    if len(labels) != len(measured):
        raise ValueError(f"claim {claim.id}: {len(labels)} labels for {len(measured)} items")
    items = tuple(Item(label, *m.scalar()) for label, m in zip(labels, measured, strict=True))
    verdict = ordering_verdict([i.value for i in items], [i.sigma for i in items], labels, claim.comparison.direction)
    return Row(claim, verdict, items, files)


def _dominance_row(claim: Claim, measured: list[Measurement], files: tuple[str, ...]) -> Row:
    if len(measured) != 2:
        raise ValueError(f"claim {claim.id}: a dominance compares two binned measurements, got {len(measured)}")
    first, second = measured
    if np.shape(first.value) != np.shape(second.value):
        raise NotMeasured(f"binnings differ: {np.shape(first.value)} vs {np.shape(second.value)}")
    labels = claim.comparison.labels or ("first", "second")
    verdict = dominance_verdict(first.value, first.sigma, second.value, second.sigma, claim.comparison.require)
    binned = {
        label: {"value": _listed(m.value), "sigma": None if m.sigma is None else _listed(m.sigma)}
        for label, m in zip(labels, measured, strict=True)
    }
    return Row(claim, verdict, files=files, binned=binned)


def _listed(values: np.ndarray) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in np.atleast_1d(values)]


def judge_all(
    claims: tuple[Claim, ...],
    lookup: Lookup,
    sample_sets: SampleSets,
    spreads: Mapping[str, SeedSpread] | None = None,
) -> list[Row]:
    """Rows of every claim, in catalogue order; ``spreads`` by claim id (training-seed spread, when available)."""
    spreads = spreads or {}
    return [judge(claim, lookup, sample_sets, spreads.get(claim.id)) for claim in claims]
