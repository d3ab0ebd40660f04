"""ROC curves of the signal-vs-background classification, one per method, AUC in the legend.

Input: classification documents (``python -m multihiggs.evaluate.classification``) or metrics documents with a
``classification`` block.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from multihiggs.io.jsonio import as_array
from multihiggs.plotting.draw import finish_legend, label_panels, panels
from multihiggs.plotting.methods import method_colors, method_label


def classification_block(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The classification results of a classification document, or of a metrics document's block."""
    if document.get("kind") == "metrics":
        if not document.get("classification"):
            raise ValueError(f"metrics of {document['method']} on {document.get('sample')} hold no classification")
        return document["classification"]
    return document


def roc_classification(documents: Sequence[Mapping[str, Any]], *, energy_tev: float | None = None) -> Figure:
    """Signal efficiency vs background efficiency per method, with the no-skill diagonal."""
    colors = method_colors([document["method"] for document in documents])
    figure, (ax,) = panels(1)
    for document in documents:
        block = classification_block(document)
        ax.plot(
            as_array(block["roc"]["background_efficiency"]),
            as_array(block["roc"]["signal_efficiency"]),
            color=colors[document["method"]],
            linewidth=2,
            label=f"{method_label(document)} (AUC = {block['auc']:.3f})",
        )
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1.5, label="Random")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.05)
    ax.set_xlabel("Background efficiency")
    ax.set_ylabel("Signal efficiency")
    finish_legend(ax, loc="lower right")
    label_panels([ax], energy_tev)
    return figure
