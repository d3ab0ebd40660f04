"""How many effective QCD events each κλ fit rests on: the background before and after each method's selection.

Read from the templates' metadata (``background_statistics``, ``tag_rate_region``): raw events, the Kish n_eff of
the template weights (flavour-inclusive tag rates for the four-tag QCD) and of the truth-flavour tag-rate weights
that normalise the selected region (their 1/√n_eff is the region's normalisation uncertainty in the fit).
"""

from __future__ import annotations

from collections.abc import Sequence

from multihiggs.stats.templates import Templates
from multihiggs.tables import latex_table, markdown_table

HEADER = (
    "method",
    "QCD events before",
    "after",
    "template n_eff before",
    "after",
    "truth-flavour n_eff before",
    "after",
    "normalisation uncertainty",
)


def background_rows(templates: Sequence[Templates]) -> list[list[object]]:
    """One row per method (templates without ``background_statistics`` metadata are refused)."""
    rows = []
    for template in templates:
        statistics = template.metadata.get("background_statistics")
        if statistics is None:
            raise ValueError(f"templates of {template.method!r} carry no background_statistics: rerun 'templates'")
        before, after = statistics["before"], statistics["after"]
        region = template.metadata.get("tag_rate_region")
        rows.append(
            [
                template.method,
                before["events"],
                after["events"],
                f"{before['n_eff']:.0f}",
                f"{after['n_eff']:.0f}",
                f"{before['truth_n_eff']:.1f}" if "truth_n_eff" in before else "–",
                f"{after['truth_n_eff']:.1f}" if "truth_n_eff" in after else "–",
                f"{100 * region['relative_uncertainty']:.0f} %" if region else "–",
            ]
        )
    return rows


def background_markdown(templates: Sequence[Templates]) -> str:
    intro = (
        "QCD background of the κλ fits, before and after each method's selection (test split): raw events, Kish "
        "n_eff of the template weights and of the truth-flavour tag-rate weights normalising the selected region.\n\n"
    )
    return intro + markdown_table(HEADER, background_rows(templates))


def background_latex(templates: Sequence[Templates]) -> str:
    return latex_table(HEADER, background_rows(templates))
