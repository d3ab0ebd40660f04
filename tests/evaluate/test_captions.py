"""Report captions: every figure kind has one, and it is valid reStructuredText."""

from __future__ import annotations

import pytest
from docutils.core import publish_parts

from multihiggs.plotting.captions import FIGURE_CAPTIONS, figure_caption
from multihiggs.plotting.figures import FIGURES


def test_every_figure_kind_has_a_caption():
    assert set(FIGURE_CAPTIONS) == set(FIGURES)


@pytest.mark.parametrize("kind", sorted(FIGURE_CAPTIONS))
def test_caption_is_clean_restructuredtext(kind):
    # halt on warnings: a broken emphasis or reference would show as an error box in the report
    html = publish_parts(figure_caption(kind), writer="html", settings_overrides={"halt_level": 2})["body"]
    assert "<strong>" in html and "system-message" not in html


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="no report caption"):
        figure_caption("nonexistent")
