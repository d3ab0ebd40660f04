"""The m_H1 vs m_H2 plane of the two highest-pT Higgs candidates, a panel per method (hsieh_spanet2 Fig. 2–3).

Input: metrics documents (signal) or sculpting documents (QCD); each carries a ``mass_plane`` 2D histogram.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from multihiggs.constants import HIGGS_MASS_GEV
from multihiggs.io.jsonio import as_array
from multihiggs.plotting.draw import label_panels, panels
from multihiggs.plotting.methods import method_label, sample_label


def mass_plane(
    documents: Sequence[Mapping[str, Any]], *, n_columns: int = 3, energy_tev: float | None = None
) -> Figure:
    """Fraction of events per (m_H1, m_H2) cell for each method, on one shared colour scale."""
    figure, axes = panels(len(documents), n_columns)
    fractions = []
    for document in documents:
        values = as_array(document["mass_plane"]["values"])
        total = values.sum()
        fractions.append(values / total if total > 0 else np.zeros_like(values))
    norm = Normalize(vmin=0.0, vmax=max(float(f.max()) for f in fractions) or 1.0)
    mesh = None
    for ax, document, fraction in zip(axes, documents, fractions, strict=True):
        x_edges, y_edges = (as_array(edges) for edges in document["mass_plane"]["edges"])
        mesh = ax.pcolormesh(x_edges, y_edges, fraction.T, cmap="viridis", norm=norm, rasterized=True)
        ax.axvline(HIGGS_MASS_GEV, color="white", linestyle=":", linewidth=1.5)
        ax.axhline(HIGGS_MASS_GEV, color="white", linestyle=":", linewidth=1.5)
        ax.set_xlabel(r"$m_{H_1}$ [GeV]")
        ax.set_ylabel(r"$m_{H_2}$ [GeV]")
        text = "\n".join(part for part in (method_label(document), sample_label(document.get("sample", ""))) if part)
        ax.text(0.04, 0.96, text, transform=ax.transAxes, color="white", va="top", fontsize="small")
    if mesh is not None:
        figure.colorbar(mesh, ax=axes, label="Fraction of events", pad=0.02, fraction=0.03)
    label_panels(axes, energy_tev)
    return figure
