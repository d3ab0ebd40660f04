"""Drawing helpers shared by the figure families: panels, binned ratios with bands, normalised histograms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from multihiggs.io.jsonio import as_array
from multihiggs.plotting.style import label_axes, use_style

PANEL_SIZE = (10.0, 9.0)  # inches per panel (CMS style fonts)
RATIO_AXIS_TOP = 1.5  # room above 1 for the legend


def panels(n_panels: int, n_columns: int | None = None, **kwargs) -> tuple[Figure, list[Axes]]:
    """A figure of ``n_panels`` axes in rows of ``n_columns`` (default: one row), in the shared style."""
    use_style()
    n_columns = n_panels if n_columns is None else min(n_columns, n_panels)
    n_rows = -(-n_panels // n_columns)
    figure, axes = plt.subplots(
        n_rows, n_columns, figsize=(PANEL_SIZE[0] * n_columns, PANEL_SIZE[1] * n_rows), squeeze=False, **kwargs
    )
    flat = list(axes.ravel())
    for extra in flat[n_panels:]:
        extra.set_visible(False)
    return figure, flat[:n_panels]


def label_panels(axes: Sequence[Axes], energy_tev: float | None, extra: str = "") -> None:
    """The experiment-style label on every panel (never "CMS")."""
    for ax in axes:
        label_axes(ax, energy_tev=energy_tev, extra=extra)


def draw_binned_ratio(
    ax: Axes, edges: np.ndarray, ratio: Mapping[str, Any], *, color: str, label: str, linestyle: str = "-"
) -> bool:
    """A ratio per bin ({"value", "lower", "upper"}, JSON lists) as a step line with its interval as a band.

    Empty bins (NaN) leave gaps. Returns False (and draws nothing) when every bin is empty.
    """
    value, lower, upper = (as_array(ratio[name]) for name in ("value", "lower", "upper"))
    if np.isnan(value).all():
        return False
    edges = as_array(edges)
    ax.stairs(value, edges, baseline=None, color=color, label=label, linestyle=linestyle, linewidth=2)
    ax.stairs(upper, edges, baseline=lower, fill=True, color=color, alpha=0.25, linewidth=0)
    return True


def draw_seed_envelope(ax: Axes, edges: np.ndarray, values: Sequence[Any], *, color: str) -> bool:
    """The range (min to max per bin) of one binned quantity over trainings from several seeds, hatched.

    ``values``: one per-bin value list per training (JSON lists, None = empty bin). Bins empty in any training are
    left out. Returns False (and draws nothing) with fewer than two trainings or no common bin.
    """
    stacked = np.vstack([as_array(value) for value in values]) if len(values) > 1 else np.empty((0, 0))
    if stacked.shape[0] < 2 or np.isnan(stacked).any(axis=0).all():
        return False
    low, high = np.min(stacked, axis=0), np.max(stacked, axis=0)  # NaN where any training has no value
    ax.stairs(high, as_array(edges), baseline=low, fill=False, hatch="///", color=color, linewidth=0)
    return True


def draw_normalised_histogram(
    ax: Axes, histogram: Mapping[str, Any], *, color: str, label: str, linestyle: str = "-"
) -> bool:
    """A 1D histogram ({"edges": [edges], "values"}) normalised to unit area (in-range bins) as a step line.

    Returns False (and draws nothing) for an empty histogram.
    """
    edges, values = as_array(histogram["edges"][0]), as_array(histogram["values"])
    total = np.sum(values * np.diff(edges))
    if total <= 0:
        return False
    ax.stairs(values / total, edges, color=color, label=label, linestyle=linestyle, linewidth=2)
    return True


def ratio_axis(ax: Axes) -> None:
    """y axis of a purity/efficiency panel: 0 to 1 ticked, room above for the legend."""
    ax.set_ylim(0.0, RATIO_AXIS_TOP)
    ax.set_yticks(np.linspace(0.0, 1.0, 6))


def finish_legend(ax: Axes, title: str | None = None, **kwargs) -> None:
    """A legend naming the methods drawn (nothing if nothing was drawn)."""
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(title=title, **{"loc": "upper right", "fontsize": "small", "title_fontsize": "small", **kwargs})
    elif title:
        ax.text(0.97, 0.95, title, transform=ax.transAxes, ha="right", va="top")
