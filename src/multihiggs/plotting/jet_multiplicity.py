"""Event or H purity vs jet multiplicity (li2023hhh tables as a figure): a panel per reconstructable-Higgs category.

Input: metrics documents of several methods on one sample. The last point ("all") is the inclusive value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from multihiggs.io.jsonio import as_array
from multihiggs.plotting.draw import finish_legend, label_panels, panels, ratio_axis
from multihiggs.plotting.methods import common_sample_label, method_colors, method_label

QUANTITY_LABELS = {"higgs_purity": "H purity", "event_purity": "Event purity", "event_fraction": "Event fraction"}
DEFAULT_CATEGORIES: tuple[str, ...] = ("partial", "complete")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def purity_vs_njets(
    documents: Sequence[Mapping[str, Any]],
    *,
    quantity: str = "higgs_purity",
    categories: Sequence[str] = DEFAULT_CATEGORIES,
    energy_tev: float | None = None,
) -> Figure:
    """``quantity`` per jet-multiplicity bin, markers with interval error bars, methods side by side."""
    if quantity not in QUANTITY_LABELS:
        raise ValueError(f"quantity must be one of {sorted(QUANTITY_LABELS)}, got {quantity!r}")
    colors = method_colors([document["method"] for document in documents])
    figure, axes = panels(len(categories))
    bin_labels = [jet_bin["label"] for jet_bin in documents[0]["events"]["jet_bins"]]
    positions = np.arange(len(bin_labels), dtype=float)
    offsets = np.linspace(-0.2, 0.2, len(documents)) if len(documents) > 1 else np.zeros(1)
    for ax, category in zip(axes, categories, strict=True):
        for index, document in enumerate(documents):
            cells = document["events"]["categories"][category][quantity]
            value = as_array([cell["value"] for cell in cells])
            lower = as_array([cell["lower"] for cell in cells])
            upper = as_array([cell["upper"] for cell in cells])
            ax.errorbar(
                positions[: len(value)] + offsets[index],
                value,
                yerr=[value - lower, upper - value],
                color=colors[document["method"]],
                marker=_MARKERS[index % len(_MARKERS)],
                linestyle="none",
                markersize=10,
                label=method_label(document),
            )
        ax.axvline(positions[-1] - 0.5, color="grey", linestyle=":", linewidth=1)
        ax.set_xticks(positions, [("Full" if label == "all" else label) for label in bin_labels])
        ax.set_xlim(positions[0] - 0.5, positions[-1] + 0.5)
        ratio_axis(ax)
        ax.set_xlabel("Number of AK5 jets")
        ax.set_ylabel(QUANTITY_LABELS[quantity])
        ax.minorticks_off()
        title = documents[0]["events"]["categories"][category]["label"] + " events"
        finish_legend(ax, title=title)
    label_panels(axes, energy_tev, common_sample_label(list(documents)))
    return figure
