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
    """The experiment-style label on ``axes``: our simulation (never 'CMS'), √s, and an optional note."""
    right = f"(√s = {energy_tev:g} TeV)" if energy_tev is not None else ""
    mplhep.label.exp_label(
        exp="", text=EXPERIMENT_LABEL + (f" — {extra}" if extra else ""), rlabel=right, ax=axes, loc=0
    )


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
