"""CSV vs UParT b tagging (spanet_hh_hhh_2024 backup): efficiency and purity vs pT of methods with both working points.

Input: metrics documents whose ``btag`` field says the working point of the method's inputs. A method and its
b-tag-upgrade variant share a colour (``spanet_btag_upgrade`` goes with ``spanet_sm``); CSV solid, UParT dashed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from multihiggs.plotting.draw import draw_binned_ratio, finish_legend, label_panels, panels, ratio_axis
from multihiggs.plotting.methods import common_sample_label, method_colors, method_label
from multihiggs.plotting.pt_dependence import TOPOLOGY_TITLES

LINESTYLES = {"CSV": "-", "UParT": "--"}
_AXES = {
    "efficiency": ("Matching efficiency", r"Truth Higgs $p_T$ [GeV]"),
    "purity": ("Reconstruction purity", r"Reconstructed Higgs $p_T$ [GeV]"),
}


def btag_upgrade(
    documents: Sequence[Mapping[str, Any]],
    *,
    quantities: Sequence[str] = ("efficiency", "purity"),
    topology: str = "combined",
    energy_tev: float | None = None,
) -> Figure:
    """A panel per quantity vs pT for ``topology``; every input drawn in its method colour and b-tag line style."""
    colors = method_colors([document["method"] for document in documents])
    figure, axes = panels(len(quantities))
    for ax, quantity in zip(axes, quantities, strict=True):
        for document in documents:
            btag = document.get("btag", "CSV")
            label = method_label(document)
            if btag not in label:
                label = f"{label}, {btag}"
            draw_binned_ratio(
                ax,
                document["pt_edges"],
                document["vs_pt"][quantity][topology],
                color=colors[document["method"]],
                label=label,
                linestyle=LINESTYLES.get(btag, ":"),
            )
        y_label, x_label = _AXES[quantity]
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ratio_axis(ax)
        ax.set_xlim(min(d["pt_edges"][0] for d in documents), max(d["pt_edges"][-1] for d in documents))
        finish_legend(ax, title=TOPOLOGY_TITLES.get(topology, topology) + ": CSV vs UParT")
    label_panels(axes, energy_tev, common_sample_label(list(documents)))
    return figure
