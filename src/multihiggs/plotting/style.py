"""Figure style and saving shared by every plot: mplhep's CMS-like style, atomic PDF output with a PNG preview.

Every PDF gets a PNG preview beside it (same name, ``.png``): Snakemake's HTML report shows images inline but a
PDF only as a download link. The preview is small (:data:`PREVIEW_DPI`); the PDF is the publication version.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import mplhep

from multihiggs.io.atomic import atomic_output
from multihiggs.provenance import STAMP_KEY, Stamp, current_stamp

EXPERIMENT_LABEL = "multihiggs simulation"
#: Resolution of the PNG previews: a 10-inch figure is 720 pixels wide, tens of kB.
PREVIEW_DPI = 72


def use_style() -> None:
    """Activate the CMS-like style (fonts, ticks) for subsequent figures."""
    plt.style.use(mplhep.style.CMS)


def label_axes(axes, energy_tev: float | None = None, extra: str = "") -> None:
    """Label above ``axes``: our simulation on the left (never an experiment's name), √s and a note on the right."""
    axes.set_title(EXPERIMENT_LABEL, loc="left", fontsize="small", style="italic")
    right = ", ".join(part for part in (extra, f"√s = {energy_tev:g} TeV" if energy_tev is not None else "") if part)
    if right:
        axes.set_title(right, loc="right", fontsize="small")


def preview_path(path: str | Path) -> Path:
    """The PNG preview written beside the PDF figure ``path``."""
    return Path(path).with_suffix(".png")


def save_figure(figure, path: str | Path) -> None:
    """Save ``figure`` to ``path`` atomically (PDF or PNG by suffix), a PDF with its PNG preview, and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        _save_atomically(figure, path)
        if path.suffix.lower() == ".pdf":
            _save_atomically(figure, preview_path(path), dpi=PREVIEW_DPI)
    finally:
        plt.close(figure)


def figure_metadata(suffix: str, stamp: Stamp) -> dict[str, str | None] | None:
    """File metadata of a figure: its provenance stamp (PDF ``Keywords``, PNG text chunk ``provenance``) and, in a
    PDF, no ``CreationDate``, so that the same figure gives the same bytes; None for other formats."""
    if suffix.lower() == ".pdf":
        return {"Keywords": stamp.to_json(), "CreationDate": None}
    if suffix.lower() == ".png":
        return {STAMP_KEY: stamp.to_json()}
    return None


def _save_atomically(figure, path: Path, **options) -> None:
    with atomic_output(path, keep_suffix=True) as partial:
        figure.savefig(partial, bbox_inches="tight", metadata=figure_metadata(path.suffix, current_stamp()), **options)
