"""The reproduction table as Markdown (headline of the report), LaTeX (longtable) and JSON (pure: text out)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from itertools import groupby

from multihiggs.provenance import STAMP_KEY
from multihiggs.reproduction.catalogue import NUMERIC_KINDS
from multihiggs.reproduction.judge import Item, Row
from multihiggs.reproduction.verdict import VERDICTS
from multihiggs.tables import latex_escape, markdown_table

JSON_FORMAT_VERSION = 1
VERDICT_MEANINGS = {
    "reproduced": "our value lies within the stated tolerance of the seed's (orderings: the claimed order, > 2σ)",
    "qualitatively reproduced": "outside the tolerance but within the wider qualitative one (or on the seed's side, "
    "e.g. SPA-Net better than χ²)",
    "not reproduced": "outside both",
    "inconclusive": "our ±2σ band spans several verdicts and is wider than the tolerance: more events needed",
    "not measured": "our workflow has no value with the seed's definition (the reason is given)",
    "out of scope": "a claim about something we do not simulate (the reason is given)",
}


def format_value(value: float, unit: str, sigma: float | None = None) -> str:
    """A value (and ±σ) in the claim's unit: % (fractions ×100), gain (ratio as ±%), fb^-1, count, plain."""
    if unit == "%":
        text, error = f"{100 * value:.1f}", None if sigma is None else f"{100 * sigma:.1f}"
        return f"{text} ± {error} %" if error else f"{text} %"
    if unit == "gain":
        text = f"{100 * (value - 1):+.0f}"
        return f"{text} ± {100 * sigma:.0f} %" if sigma is not None else f"{text} %"
    if unit in ("fb^-1", "count"):
        suffix = " fb^-1" if unit == "fb^-1" else ""
        return f"{value:.0f} ± {sigma:.0f}{suffix}" if sigma is not None else f"{value:.0f}{suffix}"
    text = f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    return f"{text} ± {sigma:.2g}" if sigma is not None else text


def seed_cell(row: Row) -> str:
    claim = row.claim
    if claim.seed is None:
        return claim.seed_text or "–"
    return format_value(claim.seed, claim.unit, claim.seed_uncertainty)


def _item_text(item: Item, unit: str) -> str:
    text = format_value(item.value, unit, item.sigma)
    return f"{item.label} {text}" if item.label else text


def spread_text(row: Row) -> str:
    """ " (seeds: ±σ over n)": the training-seed standard deviation of a row in its unit, "" without one ("over n of
    N" when N − n trainings gave no value)."""
    if row.spread is None or row.spread.std is None:
        return ""
    sigma = 100 * row.spread.std if row.claim.unit in ("%", "gain") else row.spread.std
    trainings = row.spread.n + row.spread.n_missing
    over = f"{row.spread.n} of {trainings}" if row.spread.n_missing else f"{row.spread.n}"
    return f" (seeds: ±{sigma:.2g}{' %' if row.claim.unit == '%' else ''} over {over})"


def ours_cell(row: Row) -> str:
    if row.items:
        return "; ".join(_item_text(item, row.claim.unit) for item in row.items) + spread_text(row)
    if row.binned:
        return row.verdict.detail
    return "–"


def difference_cell(row: Row) -> str:
    """ours − seed (absolute claims) or ours / seed (relative claims)."""
    comparison, verdict = row.claim.comparison, row.verdict
    if comparison is None or comparison.kind not in NUMERIC_KINDS or verdict.difference is None:
        return ""
    if comparison.kind == "relative" and verdict.ratio is not None:
        return f"×{verdict.ratio:.2f}"
    if row.claim.unit == "%":
        return f"{100 * verdict.difference:+.1f} pts"
    return f"{verdict.difference:+.3g}"


def tolerance_cell(row: Row) -> str:
    comparison = row.claim.comparison
    return comparison.describe(row.claim.unit) if comparison is not None and not row.reason else ""


def verdict_cell(row: Row) -> str:
    detail = row.reason or row.verdict.detail
    return f"**{row.verdict.status}**" + (f": {detail}" if detail else "")


def verdict_counts(rows: Sequence[Row], sources: Mapping[str, str]) -> dict[str, dict[str, int]]:
    """{bib key, then "all": {"claims": n, verdict: n, …}}."""
    counts = {}
    for key in [*sources, "all"]:
        selected = [row for row in rows if key == "all" or row.claim.source == key]
        per_verdict = Counter(row.verdict.status for row in selected)
        counts[key] = {"claims": len(selected), **{verdict: per_verdict.get(verdict, 0) for verdict in VERDICTS}}
    return counts


def summary_counts(rows: Sequence[Row], sources: Mapping[str, str]) -> list[list[object]]:
    """Rows of the summary table: per seed document (and all seeds) the number of claims per verdict."""
    return [
        ["all seeds" if key == "all" else f"{sources[key]} (`{key}`)", *counts.values()]
        for key, counts in verdict_counts(rows, sources).items()
    ]


def _md_cell(value: object) -> str:
    """A cell's text with its pipes escaped and on one line (claims and notes may hold both)."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    return markdown_table(header, [[_md_cell(value) for value in row] for row in rows])


def _groups(rows: Sequence[Row]) -> list[tuple[str, list[Row]]]:
    return [(key, list(members)) for key, members in groupby(rows, key=lambda row: row.claim.group)]


def _spread_words(rows: Sequence[Row]) -> str:
    if not any(row.spread is not None for row in rows):
        return "training-seed spread: not yet measured"
    return (
        "where a SPA-Net variant was trained from several seeds, the standard deviation over the seeds, shown as "
        "“seeds: ±σ over n”, is added in quadrature for the verdict"
    )


def to_markdown(rows: Sequence[Row], sources: Mapping[str, str], setup: str = "") -> str:
    """The table: a verdict summary, then per seed document and per group of claims one table."""
    parts = [
        "# Reproduction of the seed documents' claims\n",
        "Every quantitative claim of the seed documents beside our value, measured with the seed's own definition "
        "(event selection, jets considered, what counts as reconstructable and as correct), with our statistical "
        f"uncertainty (±1σ; {_spread_words(rows)}), the difference and a verdict against the "
        "stated tolerance. Where our setup must differ, the note says so.\n",
    ]
    if setup:
        parts.append(f"Our setup: {setup}\n")
    parts.append("Verdicts: " + "; ".join(f"**{name}**: {meaning}" for name, meaning in VERDICT_MEANINGS.items()))
    parts.append("\n" + _md_table(["seed document", "claims", *VERDICTS], summary_counts(rows, sources)))
    for source, name in sources.items():
        selected = [row for row in rows if row.claim.source == source]
        if not selected:
            continue
        parts.append(f"## {name} (`{source}`)\n")
        for _, members in _groups(selected):
            first = members[0].claim
            parts.append(f"### {first.title or first.group} — {first.group_where}\n")
            shared_definition = len({row.claim.definition for row in members}) == 1
            if first.definition and shared_definition:
                parts.append(f"Definition: {first.definition}\n")
            if first.note:
                parts.append(f"Setup: {first.note}\n")
            header = ["id", "claim", "seed", "ours", "ours vs seed", "tolerance", "verdict", "remark"]
            cells = [
                [
                    f"`{row.claim.id}`",
                    row.claim.quantity + ("" if row.claim.where == first.group_where else f" ({row.claim.where})"),
                    seed_cell(row),
                    ours_cell(row),
                    difference_cell(row),
                    tolerance_cell(row),
                    verdict_cell(row),
                    " ".join(filter(None, ["" if shared_definition else row.claim.definition, row.claim.remark])),
                ]
                for row in members
            ]
            parts.append(_md_table(header, cells))
    return "\n".join(parts)


def to_latex(rows: Sequence[Row], sources: Mapping[str, str]) -> str:
    """A longtable per seed document: claim, seed, ours, tolerance, verdict (definitions and notes: the Markdown)."""
    lines = [
        "% Reproduction of the seed documents' claims; needs \\usepackage{booktabs,longtable}.",
        "% Definitions, setup notes and reasons: results/tables/reproduction.md and .json.",
    ]
    for source, name in sources.items():
        selected = [row for row in rows if row.claim.source == source]
        if not selected:
            continue
        lines += [
            r"\begin{longtable}{p{0.3\linewidth}p{0.15\linewidth}p{0.2\linewidth}p{0.13\linewidth}p{0.12\linewidth}}",
            r"\caption{" + latex_escape(f"{name}: claims and our measurement") + r"}\\",
            r"\toprule",
            r"Claim & Seed & Ours & Tolerance & Verdict \\",
            r"\midrule",
            r"\endhead",
        ]
        for _, members in _groups(selected):
            first = members[0].claim
            title = latex_escape(f"{first.title} ({first.group_where})")
            lines.append(r"\multicolumn{5}{p{0.95\linewidth}}{\textit{" + title + r"}} \\")
            for row in members:
                cells = [row.claim.quantity, seed_cell(row), ours_cell(row), tolerance_cell(row), row.verdict.status]
                lines.append(" & ".join(latex_escape(str(cell)) for cell in cells) + r" \\")
        lines += [r"\bottomrule", r"\end{longtable}", ""]
    return "\n".join(lines) + "\n"


def row_document(row: Row, sources: Mapping[str, str]) -> dict:
    """One JSON row (see :func:`to_json`)."""
    claim, comparison, value = row.claim, row.claim.comparison, row.value
    return {
        "id": claim.id,
        "group": claim.group,
        "source": claim.source,
        "document": sources.get(claim.source, claim.source),
        "location": claim.where,
        "quantity": claim.quantity,
        "definition": claim.definition,
        "setup_note": claim.full_note,
        "unit": claim.unit,
        "seed": {"value": claim.seed, "uncertainty": claim.seed_uncertainty, "text": claim.seed_text or None},
        "ours": {
            "value": None if value is None else value.value,
            "statistical_uncertainty": None if value is None else value.sigma,
            "items": [asdict(item) for item in row.items] if value is None and row.items else None,
            "binned": row.binned or None,
            "training_seed_spread": None if row.spread is None else row.spread.as_dict(),
            "files": list(row.files),
        },
        "comparison": None
        if comparison is None
        else {
            "kind": comparison.kind,
            "tolerance": comparison.tolerance,
            "qualitative": comparison.qualitative,
            "pivot": comparison.pivot,
            "description": comparison.describe(claim.unit),
            "difference": row.verdict.difference,
            "ratio": row.verdict.ratio,
        },
        "verdict": row.verdict.status,
        "detail": row.verdict.detail,
        "reason": row.reason or None,
    }


def to_json(rows: Sequence[Row], sources: Mapping[str, str], setup: str = "", stamp: dict | None = None) -> str:
    """{"format_version", "setup", "sources", "verdicts", "summary": {bib key or "all": counts per verdict}, "rows":
    [one per claim]} and, when given, the provenance ``stamp``; ``training_seed_spread`` of a row is null unless the
    methods it measures were trained from several seeds."""
    document = {
        "format_version": JSON_FORMAT_VERSION,
        "setup": setup,
        "sources": dict(sources),
        "verdicts": VERDICT_MEANINGS,
        "summary": verdict_counts(rows, sources),
        "rows": [row_document(row, sources) for row in rows],
    }
    if stamp is not None:
        document[STAMP_KEY] = stamp
    return json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
