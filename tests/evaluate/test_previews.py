"""PNG previews: every PDF figure gets a small PNG beside it (the HTML report shows images, not PDFs)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from PIL import Image

from multihiggs.plotting.style import PREVIEW_DPI, preview_path, save_figure


def test_pdf_figure_gets_a_modest_png_preview(tmp_path):
    figure, ax = plt.subplots(figsize=(20, 9))
    ax.plot([0, 1], [0, 1])
    save_figure(figure, tmp_path / "wide.pdf")
    png = preview_path(tmp_path / "wide.pdf")
    assert png == tmp_path / "wide.png"
    with Image.open(png) as image:
        assert image.format == "PNG" and image.width <= 20 * PREVIEW_DPI and image.width > 800
    assert png.stat().st_size < 200_000
    assert sorted(path.name for path in tmp_path.iterdir()) == ["wide.pdf", "wide.png"]  # no partial files left


def test_png_figure_gets_no_second_file(tmp_path):
    figure, _ = plt.subplots()
    save_figure(figure, tmp_path / "only.png")
    assert [path.name for path in tmp_path.iterdir()] == ["only.png"]
