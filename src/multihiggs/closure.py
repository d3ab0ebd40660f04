"""Closure tests: two weighted estimates of the same distributions compared bin by bin (pure, numpy).

A closure test fills the same observable from two samples (or two weightings) that must describe the same
physics — a tag-rate-weighted sample against the cut it replaces, a stitched sample against the inclusive one —
and asks whether they agree within their Monte Carlo uncertainties. Each side is a weighted histogram (Σw and Σw²
per bin, the last bin collecting the overflow). Shapes are compared at unit area with

    χ² = Σ_i (a_i − b_i)² / (σ_a,i² + σ_b,i²)

over the bins either side fills, ndf = filled bins − 1 (the unit-area constraint). For independent samples this is
the usual test; for two weightings of the same events it overestimates the variance of the difference (their
fluctuations are positively correlated), so a small χ² is then conservative. Totals (normalisations) are compared
separately as a pull (a − b) / sqrt(σ_a² + σ_b²).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class WeightedHistogram:
    """Σw and Σw² per bin of ``edges`` (the last bin includes the overflow, the first the underflow)."""

    edges: np.ndarray
    sumw: np.ndarray
    sumw2: np.ndarray

    @classmethod
    def fill(cls, values: np.ndarray, weights: np.ndarray, edges: Sequence[float]) -> WeightedHistogram:
        """Histogram of ``values`` (N,) with ``weights`` (N,); under- and overflow go to the outer bins."""
        edges = np.asarray(edges, dtype=np.float64)
        values = np.asarray(values, dtype=np.float64)
        weights = np.asarray(weights, dtype=np.float64)
        finite = np.isfinite(values)
        clipped = np.clip(values[finite], edges[0], np.nextafter(edges[-1], edges[0]))
        sumw = np.histogram(clipped, bins=edges, weights=weights[finite])[0]
        sumw2 = np.histogram(clipped, bins=edges, weights=weights[finite] ** 2)[0]
        return cls(edges, sumw, sumw2)

    @property
    def total(self) -> float:
        return float(self.sumw.sum())

    @property
    def total_error(self) -> float:
        return float(np.sqrt(self.sumw2.sum()))

    @property
    def n_eff(self) -> float:
        """Kish effective number of entries, (Σw)² / Σw² (0 when empty)."""
        sumw2 = float(self.sumw2.sum())
        return self.total**2 / sumw2 if sumw2 > 0 else 0.0

    def shape(self) -> tuple[np.ndarray, np.ndarray]:
        """(fraction per bin, its MC uncertainty) at unit area; NaN when the histogram is empty."""
        total = self.total
        if total == 0:
            return np.full(self.sumw.shape, np.nan), np.full(self.sumw.shape, np.nan)
        return self.sumw / total, np.sqrt(self.sumw2) / total


@dataclass(frozen=True)
class ShapeComparison:
    """χ² of two unit-area shapes and the pull of their totals."""

    chi2: float
    ndf: int
    p_value: float
    normalisation_pull: float

    def as_dict(self) -> dict[str, float]:
        return {
            "chi2": self.chi2,
            "ndf": self.ndf,
            "p_value": self.p_value,
            "normalisation_pull": self.normalisation_pull,
        }


def compare_shapes(reference: WeightedHistogram, test: WeightedHistogram) -> ShapeComparison:
    """Unit-area χ² over the bins either side fills, its p-value, and the pull of the totals (module docstring)."""
    if not np.array_equal(reference.edges, test.edges):
        raise ValueError("the two histograms have different binnings")
    a, a_error = reference.shape()
    b, b_error = test.shape()
    variance = np.nan_to_num(a_error) ** 2 + np.nan_to_num(b_error) ** 2
    filled = variance > 0
    chi2 = float((((a - b) ** 2)[filled] / variance[filled]).sum()) if filled.any() else 0.0
    ndf = max(int(filled.sum()) - 1, 0)
    p_value = float(stats.chi2.sf(chi2, ndf)) if ndf > 0 else 1.0
    total_variance = reference.total_error**2 + test.total_error**2
    pull = (test.total - reference.total) / np.sqrt(total_variance) if total_variance > 0 else 0.0
    return ShapeComparison(chi2, ndf, p_value, float(pull))


def draw_shape_comparisons(
    panels_data: Sequence[tuple[str, WeightedHistogram, WeightedHistogram]],
    labels: tuple[str, str],
    path: str | Path,
    extra: str = "",
) -> None:
    """One panel per (x-axis label, reference, test): reference as a line with its band, test as points."""
    from multihiggs.plotting.draw import finish_legend, label_panels, panels
    from multihiggs.plotting.style import save_figure

    figure, axes = panels(len(panels_data), n_columns=min(3, len(panels_data)))
    for ax, (xlabel, reference, test) in zip(axes, panels_data, strict=True):
        ref, ref_error = reference.shape()
        values, errors = test.shape()
        edges = reference.edges.copy()
        if len(edges) > 2 and edges[-1] > 4 * edges[-2]:
            edges[-1] = 2 * edges[-2] - edges[-3]  # draw a wide overflow bin as wide as the one before
        centres = 0.5 * (edges[1:] + edges[:-1])
        ax.stairs(ref, edges, color="tab:blue", linewidth=2, label=labels[0])
        ax.stairs(ref + ref_error, edges, baseline=ref - ref_error, fill=True, color="tab:blue", alpha=0.25,
                  linewidth=0)  # fmt: skip
        ax.errorbar(centres, values, yerr=errors, fmt="o", color="black", label=labels[1])
        ax.set_xlabel(xlabel)
        ax.set_ylabel("fraction of events")
        ax.set_ylim(0.0, 1.6 * float(np.nanmax(np.concatenate([ref, values, [1e-3]]))))
        comparison = compare_shapes(reference, test)
        finish_legend(ax, title=f"χ²/ndf {comparison.chi2:.1f}/{comparison.ndf}, p = {comparison.p_value:.2f}")
    label_panels(axes, energy_tev=None, extra=extra)
    save_figure(figure, path)
