"""Reconstructed Higgs-candidate mass distributions: signal (reco_higgs_mass) and QCD sculpting (mass_sculpting_qcd).

Inputs: metrics documents (signal) or sculpting documents (QCD, ``python -m multihiggs.evaluate.sculpting``).
All distributions are normalised to unit area over the plotted range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from multihiggs.constants import HIGGS_MASS_GEV
from multihiggs.plotting.draw import draw_normalised_histogram, finish_legend, label_panels, panels
from multihiggs.plotting.methods import common_sample_label, method_colors, method_label, method_linestyle

MASS_LABEL = r"Higgs-candidate mass $m_{H}$ [GeV]"
DENSITY_LABEL = r"Normalised to unit area [GeV$^{-1}$]"
TOPOLOGY_TITLES = {"resolved": "Resolved candidates", "boosted": "Boosted candidates", "all": "All candidates",
                   "correct": "Correct candidates"}  # fmt: skip


def reco_higgs_mass(
    documents: Sequence[Mapping[str, Any]],
    *,
    topologies: Sequence[str] = ("resolved", "boosted"),
    energy_tev: float | None = None,
) -> Figure:
    """Candidate-mass distributions of each method on a signal sample, a panel per candidate topology."""
    colors = method_colors([document["method"] for document in documents])
    figure, axes = panels(len(topologies))
    for ax, topology in zip(axes, topologies, strict=True):
        for document in documents:
            draw_normalised_histogram(
                ax,
                document["masses"][topology],
                color=colors[document["method"]],
                label=method_label(document),
                linestyle=method_linestyle(document["method"]),
            )
        _decorate(ax, TOPOLOGY_TITLES.get(topology, topology))
    label_panels(axes, energy_tev, common_sample_label(list(documents)))
    return figure


def mass_sculpting_qcd(
    documents: Sequence[Mapping[str, Any]], *, n_columns: int = 3, energy_tev: float | None = None
) -> Figure:
    """QCD resolved-candidate masses of each method (solid) against the random re-pairing of the same jets (dashed)
    and random pairs of the event's jets (dotted), a panel per method, the JS distances in the legend."""
    colors = method_colors([document["method"] for document in documents])
    figure, axes = panels(len(documents), n_columns, sharey=True)
    for ax, document in zip(axes, documents, strict=True):
        masses = document["masses"]
        draw_normalised_histogram(
            ax, masses["method"]["resolved"], color=colors[document["method"]], label=method_label(document)
        )
        draw_normalised_histogram(
            ax,
            masses["reference"]["resolved"],
            color="black",
            linestyle="--",
            label=f"Same jets re-paired (JS = {_distance(document.get('js_distance'))})",
        )
        if "random_jets" in masses:
            draw_normalised_histogram(
                ax,
                masses["random_jets"]["resolved"],
                color="grey",
                linestyle=":",
                label=f"Random jet pairs (JS = {_distance(document.get('js_distance_random_jets'))})",
            )
        _decorate(ax, None)
        ax.tick_params(labelleft=True)
    axes[0].set_ylim(0.0, 1.6 * max(ax.dataLim.y1 for ax in axes))  # shared y: room for the legends
    label_panels(axes, energy_tev, common_sample_label(list(documents)))
    return figure


def _distance(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _decorate(ax, title: str | None) -> None:
    ax.axvline(HIGGS_MASS_GEV, color="grey", linestyle=":", linewidth=1.5)
    ax.set_xlabel(MASS_LABEL)
    ax.set_ylabel(DENSITY_LABEL)
    ax.set_ylim(bottom=0.0)
    ax.margins(y=0.35)
    finish_legend(ax, title=title)
