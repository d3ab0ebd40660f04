"""Reconstruction purity and matching efficiency vs Higgs pT (spanet_hh_hhh_2024): one panel per topology, methods
overlaid.

Purity is binned in reconstructed candidate pT, efficiency in truth Higgs pT (see ``multihiggs.evaluate.metrics``).
Input: metrics documents (``python -m multihiggs.evaluate``) of several methods on one sample.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from multihiggs.plotting.draw import (
    draw_binned_ratio,
    draw_seed_envelope,
    finish_legend,
    label_panels,
    panels,
    ratio_axis,
)
from multihiggs.plotting.methods import (
    common_sample_label,
    method_colors,
    method_label,
    method_linestyle,
    split_seed_replicas,
)

DEFAULT_TOPOLOGIES: tuple[str, ...] = ("resolved", "boosted")
TOPOLOGY_TITLES = {"resolved": "Resolved (2 AK5 jets)", "boosted": "Boosted (1 AK8 jet)", "combined": "Combined"}
_AXIS_TEXT = {
    "purity": ("Reconstruction purity", r"Reconstructed Higgs $p_T$ [GeV]"),
    "efficiency": ("Matching efficiency", r"Truth Higgs $p_T$ [GeV]"),
}


def pt_dependence(
    documents: Sequence[Mapping[str, Any]],
    quantity: str,
    *,
    topologies: Sequence[str] = DEFAULT_TOPOLOGIES,
    energy_tev: float | None = None,
) -> Figure:
    """``quantity`` ("purity" or "efficiency") vs pT, a panel per topology, a step line and band per method.

    A method with no candidate of a topology (every bin empty) is left out of that panel. Documents of a method's
    seed replicas (``spanet_sm_seed1``, …) add a hatched envelope: the range over its trainings in each bin.
    """
    if quantity not in _AXIS_TEXT:
        raise ValueError(f"quantity must be one of {sorted(_AXIS_TEXT)}, got {quantity!r}")
    y_label, x_label = _AXIS_TEXT[quantity]
    documents, trainings = split_seed_replicas(documents)
    colors = method_colors([document["method"] for document in documents])
    figure, axes = panels(len(topologies))
    for ax, topology in zip(axes, topologies, strict=True):
        for document in documents:
            drawn = draw_binned_ratio(
                ax,
                document["pt_edges"],
                document["vs_pt"][quantity][topology],
                color=colors[document["method"]],
                label=method_label(document),
                linestyle=method_linestyle(document["method"]),
            )
            if drawn and document["method"] in trainings:
                seeds = [training["vs_pt"][quantity][topology]["value"] for training in trainings[document["method"]]]
                draw_seed_envelope(ax, document["pt_edges"], seeds, color=colors[document["method"]])
        ax.set_xlim(min(d["pt_edges"][0] for d in documents), max(d["pt_edges"][-1] for d in documents))
        ratio_axis(ax)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        finish_legend(ax, title=TOPOLOGY_TITLES.get(topology, topology))
    label_panels(axes, energy_tev, common_sample_label(list(documents)))
    return figure


def purity_vs_pt(documents: Sequence[Mapping[str, Any]], **kwargs) -> Figure:
    """Reconstruction purity vs reconstructed Higgs pT (see :func:`pt_dependence`)."""
    return pt_dependence(documents, "purity", **kwargs)


def efficiency_vs_pt(documents: Sequence[Mapping[str, Any]], **kwargs) -> Figure:
    """Matching efficiency vs truth Higgs pT (see :func:`pt_dependence`)."""
    return pt_dependence(documents, "efficiency", **kwargs)
