"""Pairing efficiency vs κλ (hsieh_spanet2 Fig. 1): event and Higgs efficiency of complete events per method.

Input: metrics documents of several methods on HH samples at several κλ; the κλ of each comes from its ``kl``
field (read from the test file's ``INPUTS/Event/kl``). Values are inclusive in jet multiplicity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from multihiggs.plotting.draw import finish_legend, label_panels, panels, ratio_axis
from multihiggs.plotting.methods import method_colors, method_label

QUANTITY_LABELS = {"event_purity": "Event efficiency", "higgs_purity": "Higgs efficiency"}
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def kl_dependence(
    documents: Sequence[Mapping[str, Any]],
    *,
    category: str = "complete",
    quantities: Sequence[str] = ("event_purity", "higgs_purity"),
    energy_tev: float | None = None,
) -> Figure:
    """A panel per quantity (event / Higgs efficiency of ``category`` events), a line of points per method."""
    missing = [f"{d['method']}/{d.get('sample')}" for d in documents if d.get("kl") is None]
    if missing:
        raise ValueError(f"kl_dependence needs the κλ of every input; none recorded for {missing}")
    by_method: dict[str, list[Mapping[str, Any]]] = {}
    for document in documents:
        by_method.setdefault(document["method"], []).append(document)
    colors = method_colors(list(by_method))
    figure, axes = panels(len(quantities))
    for ax, quantity in zip(axes, quantities, strict=True):
        for index, (method, method_documents) in enumerate(by_method.items()):
            ordered = sorted(method_documents, key=lambda document: document["kl"])
            kl = np.array([document["kl"] for document in ordered], dtype=float)
            cells = [_inclusive_cell(document, category, quantity) for document in ordered]
            value, lower, upper = (np.array([cell[name] for cell in cells], dtype=float) for name in
                                   ("value", "lower", "upper"))  # fmt: skip
            ax.errorbar(
                kl, value, yerr=[value - lower, upper - value], color=colors[method],
                marker=_MARKERS[index % len(_MARKERS)], markersize=9, linestyle="-", linewidth=1.5,
                label=method_label(ordered[0]),
            )  # fmt: skip
        ax.set_xlabel(r"$\kappa_\lambda$")
        ax.set_ylabel(QUANTITY_LABELS.get(quantity, quantity))
        ratio_axis(ax)
        title = documents[0]["events"]["categories"][category]["label"] + " events"
        finish_legend(ax, title=title)
    label_panels(axes, energy_tev, r"$HH \to 4b$")
    return figure


def _inclusive_cell(document: Mapping[str, Any], category: str, quantity: str) -> Mapping[str, Any]:
    """The ratio of ``quantity`` in the "all" jet bin of ``category`` (None values read as NaN)."""
    labels = [jet_bin["label"] for jet_bin in document["events"]["jet_bins"]]
    cell = document["events"]["categories"][category][quantity][labels.index("all")]
    return {name: np.nan if cell[name] is None else cell[name] for name in ("value", "lower", "upper")}
