"""Markdown and LaTeX tables from rows of values: one writer for every table of the workflow."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def _cell(value: object, precision: int) -> str:
    if isinstance(value, float):
        return f"{value:.{precision}f}"
    return str(value)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]], precision: int = 3) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(value, precision) for value in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def latex_table(header: Sequence[str], rows: Sequence[Sequence[object]], precision: int = 3, caption: str = "") -> str:
    """A booktabs LaTeX table (``tabular`` inside ``table``)."""

    def escape(text: str) -> str:
        return text.replace("_", r"\_").replace("%", r"\%").replace("&", r"\&").replace("#", r"\#")

    body = [" & ".join(escape(_cell(value, precision)) for value in row) + r" \\" for row in rows]
    lines = [
        r"\begin{table}[htb]",
        r"\centering",
        r"\begin{tabular}{" + "l" + "r" * (len(header) - 1) + "}",
        r"\toprule",
        " & ".join(escape(h) for h in header) + r" \\",
        r"\midrule",
        *body,
        r"\bottomrule",
        r"\end{tabular}",
    ]
    if caption:
        lines.append(r"\caption{" + escape(caption) + "}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` atomically to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
