"""Closure tests: two weighted estimates of the same distributions compared bin by bin (pure, numpy).

A closure test fills the same observable from two samples (or two weightings) that must describe the same
physics — a tag-rate-weighted sample against the cut it replaces, a stitched sample against the inclusive one —
and asks whether they agree within their Monte Carlo uncertainties. Each side is a weighted histogram (Σw and Σw²
per bin, the last bin collecting the overflow). Shapes a_i, b_i (unit area) are compared with the two-sample χ²

    χ² = Σ_i (a_i − b_i)² / (p_i (k_a,i / T_a + k_b,i / T_b)),   p_i = (n_a a_i + n_b b_i) / (n_a + n_b),

over the bins either side fills, ndf = filled bins − 1 (the unit-area constraint). T is a side's total Σw, n its
Kish n_eff and k_i = Σw²_i / Σw_i its mean weight per unit weight in bin i (the whole side's Σw² / Σw where the bin
is empty): p_i k_i / T is the variance of a side's unit-area content under the hypothesis that both sides share
the shape p. For unit weights this is Pearson's two-sample test. Unlike a variance from each side's own Σw², it
does not call a bin that one side happens to leave empty (its variance would be 0) a discrepancy measured with
the other side's tiny error. For independent samples this is the usual test; for two weightings of the same events
it overestimates the variance of the difference (their fluctuations are positively correlated), so a small χ² is
then conservative. Totals (normalisations) are compared
separately as a pull (a − b) / sqrt(σ_a² + σ_b²).

Absolute yields of two independent samples normalised to the same quantity (both in pb, say) are compared with the
same χ² on Σw itself, over the bins populated (Σw² > 0) in both, ndf = their number (no constraint). The Kish
effective number of events of weights w is n_eff = (Σw)² / Σw².
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def kish_n_eff(weights: np.ndarray) -> float:
    """Kish effective number of events (Σw)² / Σw² of per-event weights (any unit; 0 for no weight)."""
    weights = np.asarray(weights, dtype=np.float64)
    return kish_n_eff_from_sums(float(weights.sum()), float(np.square(weights).sum()))


def kish_n_eff_from_sums(sum_w: float, sum_w2: float) -> float:
    """Kish effective number of events from Σw and Σw² of the weights: (Σw)² / Σw² (0 when Σw² is 0)."""
    return sum_w**2 / sum_w2 if sum_w2 > 0 else 0.0


@dataclass(frozen=True)
class WeightedHistogram:
    """Σw and Σw² per bin of ``edges`` (the last bin includes the overflow, the first the underflow); Σw in the
    unit of the weights (pb for event weights), Σw² in its square."""

    edges: np.ndarray
    sumw: np.ndarray
    sumw2: np.ndarray

    @classmethod
    def fill(cls, values: np.ndarray, weights: np.ndarray, edges: Sequence[float]) -> WeightedHistogram:
        """Histogram of ``values`` (N,) with ``weights`` (N,); under- and overflow (±inf too) go to the outer bins,
        NaN values nowhere. Bins are [e_i, e_i+1); each bin's sums are accumulated in event order."""
        edges = np.asarray(edges, dtype=np.float64)
        values = np.asarray(values, dtype=np.float64)
        weights = np.asarray(weights, dtype=np.float64)
        known = ~np.isnan(values)
        clipped = np.clip(values[known], edges[0], np.nextafter(edges[-1], edges[0]))
        index = np.searchsorted(edges, clipped, side="right") - 1
        n_bins = len(edges) - 1
        # direct sums per bin (np.histogram differences cumulative sums, which loses digits in the small bins)
        sumw = np.bincount(index, weights=weights[known], minlength=n_bins)
        sumw2 = np.bincount(index, weights=np.square(weights[known]), minlength=n_bins)
        return cls(edges, sumw, sumw2)

    @classmethod
    def empty(cls, edges: Sequence[float]) -> WeightedHistogram:
        """An unfilled histogram of ``edges`` (to add chunks to)."""
        edges = np.asarray(edges, dtype=np.float64)
        return cls(edges, np.zeros(len(edges) - 1), np.zeros(len(edges) - 1))

    def __add__(self, other: WeightedHistogram) -> WeightedHistogram:
        """Bin-wise sum of two fills of the same binning (e.g. two chunks of a sample)."""
        if not np.array_equal(self.edges, other.edges):
            raise ValueError("the two histograms have different binnings")
        return replace(self, sumw=self.sumw + other.sumw, sumw2=self.sumw2 + other.sumw2)

    def scaled(self, factor: float) -> WeightedHistogram:
        """The histogram of the weights × ``factor`` (Σw × factor, Σw² × factor²)."""
        return replace(self, sumw=factor * self.sumw, sumw2=factor**2 * self.sumw2)

    @property
    def total(self) -> float:
        """Σw over all bins (unit of the weights)."""
        return float(self.sumw.sum())

    @property
    def total_error(self) -> float:
        """√Σw² over all bins, the MC uncertainty of :attr:`total`."""
        return float(np.sqrt(self.sumw2.sum()))

    @property
    def n_eff(self) -> float:
        """Kish effective number of entries (Σw)² / Σw² of the filled events (0 when empty)."""
        return kish_n_eff_from_sums(self.total, float(self.sumw2.sum()))

    def shape(self) -> tuple[np.ndarray, np.ndarray]:
        """(fraction per bin, its MC uncertainty) at unit area; NaN when the histogram is empty."""
        total = self.total
        if total == 0:
            return np.full(self.sumw.shape, np.nan), np.full(self.sumw.shape, np.nan)
        return self.sumw / total, np.sqrt(self.sumw2) / total


def histogram_fields(prefix: str, histogram: WeightedHistogram) -> dict[str, list[float]]:
    """JSON fields ``{prefix}_sumw`` and ``{prefix}_sumw2`` of one histogram (its edges are written separately)."""
    return {f"{prefix}_sumw": histogram.sumw.tolist(), f"{prefix}_sumw2": histogram.sumw2.tolist()}


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


def _weight_per_unit_weight(histogram: WeightedHistogram) -> np.ndarray:
    """k_i = Σw²_i / Σw_i per bin (the mean event weight, weighted by weight); the whole histogram's where Σw_i ≤ 0."""
    overall = float(histogram.sumw2.sum()) / histogram.total if histogram.total > 0 else 0.0
    return np.divide(histogram.sumw2, histogram.sumw, out=np.full(histogram.sumw.shape, overall),
                     where=histogram.sumw > 0)  # fmt: skip


def _nonzero(total: float) -> float:
    return total if total > 0 else math.inf


def compare_shapes(reference: WeightedHistogram, test: WeightedHistogram) -> ShapeComparison:
    """Unit-area χ² over the bins either side fills, its p-value, and the pull of the totals (module docstring)."""
    if not np.array_equal(reference.edges, test.edges):
        raise ValueError("the two histograms have different binnings")
    a, b = np.nan_to_num(reference.shape()[0]), np.nan_to_num(test.shape()[0])
    n_a, n_b = reference.n_eff, test.n_eff
    pooled = np.clip((n_a * a + n_b * b) / (n_a + n_b), 0.0, None) if n_a + n_b > 0 else np.zeros(a.shape)
    variance = pooled * (_weight_per_unit_weight(reference) / _nonzero(reference.total)
                         + _weight_per_unit_weight(test) / _nonzero(test.total))  # fmt: skip
    filled = variance > 0
    chi2 = float((((a - b) ** 2)[filled] / variance[filled]).sum()) if filled.any() else 0.0
    ndf = max(int(filled.sum()) - 1, 0)
    p_value = float(stats.chi2.sf(chi2, ndf)) if ndf > 0 else 1.0
    total_variance = reference.total_error**2 + test.total_error**2
    pull = (test.total - reference.total) / np.sqrt(total_variance) if total_variance > 0 else 0.0
    return ShapeComparison(chi2, ndf, p_value, float(pull))


@dataclass(frozen=True)
class YieldComparison:
    """χ² of two independent histograms' absolute yields over the bins populated in both, ndf their number."""

    chi2: float
    ndf: int
    p_value: float  # NaN without a populated bin

    def as_tuple(self) -> tuple[float, int, float]:
        """(χ², ndf, p-value)."""
        return self.chi2, self.ndf, self.p_value


def compare_yields(a: WeightedHistogram, b: WeightedHistogram) -> YieldComparison:
    """χ² = Σ (Σw_a − Σw_b)² / (Σw²_a + Σw²_b) of the absolute yields over the bins with Σw² > 0 in both, ndf = their
    number, p-value NaN without such a bin (independent samples normalised alike, e.g. both in pb)."""
    if not np.array_equal(a.edges, b.edges):
        raise ValueError("the two histograms have different binnings")
    populated = (a.sumw2 > 0) & (b.sumw2 > 0)
    ndf = int(populated.sum())
    chi2 = float((np.square(a.sumw - b.sumw)[populated] / (a.sumw2 + b.sumw2)[populated]).sum())
    return YieldComparison(chi2, ndf, float(stats.chi2.sf(chi2, ndf)) if ndf > 0 else math.nan)


def draw_shape_panel(
    ax: Axes,
    reference: WeightedHistogram,
    test: WeightedHistogram,
    labels: tuple[str, str],
    xlabel: str,
    title: str,
) -> None:
    """Unit-area shapes on ``ax``: ``reference`` as a line with its MC band, ``test`` as points with errors; a wide
    overflow bin (last edge > 4 × the one before) is drawn as wide as the bin before it."""
    from multihiggs.plotting.draw import finish_legend

    ref, ref_error = reference.shape()
    values, errors = test.shape()
    edges = reference.edges.copy()
    if len(edges) > 2 and edges[-1] > 4 * edges[-2]:
        edges[-1] = 2 * edges[-2] - edges[-3]
    centres = 0.5 * (edges[1:] + edges[:-1])
    ax.stairs(ref, edges, color="tab:blue", linewidth=2, label=labels[0])
    ax.stairs(ref + ref_error, edges, baseline=ref - ref_error, fill=True, color="tab:blue", alpha=0.25,
              linewidth=0)  # fmt: skip
    ax.errorbar(centres, values, yerr=errors, fmt="o", color="black", label=labels[1])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("fraction of events")
    ax.set_ylim(0.0, 1.6 * float(np.nanmax(np.concatenate([ref, values, [1e-3]]))))
    finish_legend(ax, title=title)


def draw_shape_comparisons(
    panels_data: Sequence[tuple[str, WeightedHistogram, WeightedHistogram]],
    labels: tuple[str, str] | Sequence[tuple[str, str]],
    path: str | Path,
    extra: str = "",
) -> None:
    """One panel per (x-axis label, reference, test): reference as a line with its band, test as points.

    ``labels``: the (reference, test) legend entries of every panel, or one such pair per panel.
    """
    from multihiggs.plotting.draw import label_panels, panels
    from multihiggs.plotting.style import save_figure

    per_panel = [labels] * len(panels_data) if isinstance(labels[0], str) else list(labels)
    figure, axes = panels(len(panels_data), n_columns=min(3, len(panels_data)))
    for ax, (xlabel, reference, test), legend in zip(axes, panels_data, per_panel, strict=True):
        comparison = compare_shapes(reference, test)
        title = f"χ²/ndf {comparison.chi2:.1f}/{comparison.ndf}, p = {comparison.p_value:.2f}"
        draw_shape_panel(ax, reference, test, legend, xlabel, title)
    label_panels(axes, energy_tev=None, extra=extra)
    save_figure(figure, path)


def write_closure_outputs(document: dict, table: str, output_json: str | Path, output_md: str | Path) -> None:
    """Write a closure's JSON document (with the provenance stamp) and Markdown table, and print the table."""
    import json

    from multihiggs.io.atomic import write_text
    from multihiggs.provenance import STAMP_KEY, current_stamp

    write_text(output_json, json.dumps(document | {STAMP_KEY: current_stamp().as_dict()}, indent=1) + "\n")
    write_text(output_md, table + "\n")
    print(table)
