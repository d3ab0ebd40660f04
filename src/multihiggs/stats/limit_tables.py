"""Tables of the κλ constraints in the shape of hsieh_spanet2: Table 16 (expected profile-likelihood and CLs intervals
per method) and Table 17 (per luminosity, with the reference method's equivalent luminosity)."""

from __future__ import annotations

from multihiggs.stats.results import ScanResults
from multihiggs.tables import latex_table, markdown_table

OPEN = "open"
OUT_OF_RANGE = "out of range"

CONSTRAINT_HEADER = (
    "Method",
    "Selection",
    "L (fb^-1)",
    "PL 95% lower",
    "PL 95% upper",
    "CLs 95% lower",
    "CLs 95% upper",
    "PL 68% lower",
    "PL 68% upper",
)


def _bound(interval: dict | None, which: str) -> object:
    if interval is None:
        return "-"
    value = interval[which]
    return OPEN if value is None else float(value)


def _bounds(row: dict, intervals: tuple[str, ...]) -> list[object]:
    """Lower and upper bound of each of the ``intervals`` (e.g. ``profile_95``) of one luminosity row."""
    return [_bound(row[interval], which) for interval in intervals for which in ("lower", "upper")]


def constraint_rows(results: ScanResults) -> list[list[object]]:
    """Rows of the Table-16-like table: every method at every luminosity."""
    rows = []
    for method in results.methods:
        for row in method.intervals:
            rows.append(
                [
                    method.label,
                    method.selection,
                    f"{row['luminosity_fb']:g}",
                    *_bounds(row, ("profile_95", "cls_95", "profile_68")),
                ]
            )
    return rows


def equivalent_luminosity_header(reference_label: str) -> tuple[str, ...]:
    return (
        "Method",
        "L (fb^-1)",
        "PL lower",
        "PL upper",
        "CLs lower",
        "CLs upper",
        f"L_eq({reference_label}) PL lower",
        "PL upper",
        "CLs lower",
        "CLs upper",
    )


def equivalent_luminosity_rows(results: ScanResults) -> list[list[object]]:
    """Rows of the Table-17-like table: intervals and the reference's equivalent luminosities (fb⁻¹)."""
    rows = []
    for method in results.methods:
        if method.equivalent_luminosity is None:
            continue
        for row, equivalent in zip(method.intervals, method.equivalent_luminosity, strict=True):
            luminosities = [
                OUT_OF_RANGE if equivalent[key][which] is None else f"{equivalent[key][which]:.0f}"
                for key in ("profile_95", "cls_95")
                for which in ("lower", "upper")
            ]
            rows.append(
                [method.label, f"{row['luminosity_fb']:g}", *_bounds(row, ("profile_95", "cls_95")), *luminosities]
            )
    return rows


def limits_markdown(results: ScanResults) -> str:
    """Both tables as Markdown, with a short note on the setup."""
    parts = [
        "## Expected κλ constraints (Asimov data at κλ = 1)\n",
        markdown_table(CONSTRAINT_HEADER, constraint_rows(results), precision=2),
    ]
    if results.reference is not None:
        parts += [
            f"\n## Equivalent luminosity of {results.reference.label}\n",
            markdown_table(
                equivalent_luminosity_header(results.reference.label), equivalent_luminosity_rows(results), precision=2
            ),
        ]
    parts.append(f"\nSettings: {results.settings}\n")
    return "".join(parts)


def limits_latex(results: ScanResults) -> str:
    """Both tables as LaTeX ``table`` environments."""
    text = latex_table(
        CONSTRAINT_HEADER,
        constraint_rows(results),
        precision=2,
        caption="Expected 95% CL kappa_lambda constraints (profile likelihood, CLs), Asimov data at kappa_lambda = 1.",
    )
    if results.reference is not None:
        text += latex_table(
            equivalent_luminosity_header(results.reference.label),
            equivalent_luminosity_rows(results),
            precision=2,
            caption=f"Expected constraints and the luminosity (fb^-1) {results.reference.label} needs to reach them.",
        )
    return text
