"""Figure style and saving shared by every plot: mplhep's CMS-like style, atomic PDF output."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import mplhep

EXPERIMENT_LABEL = "multihiggs simulation"


def use_style() -> None:
    """Activate the CMS-like style (fonts, ticks) for subsequent figures."""
    plt.style.use(mplhep.style.CMS)


def label_axes(axes, energy_tev: float | None = None, extra: str = "") -> None:
    """Label above ``axes``: our simulation on the left (never an experiment's name), √s and a note on the right."""
    axes.set_title(EXPERIMENT_LABEL, loc="left", fontsize="small", style="italic")
    right = ", ".join(part for part in (extra, f"√s = {energy_tev:g} TeV" if energy_tev is not None else "") if part)
    if right:
        axes.set_title(right, loc="right", fontsize="small")


def save_figure(figure, path: str | Path) -> None:
    """Save ``figure`` to ``path`` atomically (PDF or PNG by suffix) and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.stem + ".partial" + path.suffix)
    try:
        figure.savefig(partial, bbox_inches="tight")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
        plt.close(figure)
