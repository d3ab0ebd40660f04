"""Markdown and LaTeX tables from rows of values: one writer for every table of the workflow."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from multihiggs.provenance import TEXT_COMMENTS, current_stamp, stamp_comment


def _cell(value: object, precision: int) -> str:
    if isinstance(value, float):
        return f"{value:.{precision}f}"
    return str(value)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]], precision: int = 3) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(value, precision) for value in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# Unicode symbols of our cells and headers and their LaTeX spelling (after escaping LaTeX's special characters).
_LATEX_SYMBOLS = {"±": r"$\pm$", "≥": r"$\geq$", "–": "--", "κλ": r"$\kappa_\lambda$", "^-1": r"$^{-1}$"}


def _latex_text(text: str) -> str:
    """``text`` for LaTeX: the special characters _ % & # escaped, then our Unicode symbols spelt in LaTeX."""
    text = text.replace("_", r"\_").replace("%", r"\%").replace("&", r"\&").replace("#", r"\#")
    for symbol, latex in _LATEX_SYMBOLS.items():
        text = text.replace(symbol, latex)
    return text


def latex_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    precision: int = 3,
    caption: str = "",
    columns: str = "",
) -> str:
    """A booktabs LaTeX table (``tabular`` inside ``table``); cells, header and caption escaped for LaTeX.

    Args:
        columns: the ``tabular`` column alignment, e.g. ``"lllr"``; default: the first column left, the others right.
    """
    body = [" & ".join(_latex_text(_cell(value, precision)) for value in row) + r" \\" for row in rows]
    lines = [
        r"\begin{table}[htb]",
        r"\centering",
        r"\begin{tabular}{" + (columns or "l" + "r" * (len(header) - 1)) + "}",
        r"\toprule",
        " & ".join(_latex_text(h) for h in header) + r" \\",
        r"\midrule",
        *body,
        r"\bottomrule",
        r"\end{tabular}",
    ]
    if caption:
        lines.append(r"\caption{" + _latex_text(caption) + "}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` atomically (UTF-8) to ``path``; Markdown and LaTeX end with the provenance comment line.

    The stamp line (:func:`multihiggs.provenance.stamp_comment`) is ``<!-- provenance: {…} -->`` in ``.md`` and
    ``% provenance: {…}`` in ``.tex`` files; other files are written as given.
    """
    path = Path(path)
    comment = stamp_comment(path.suffix, current_stamp()) if path.suffix.lower() in TEXT_COMMENTS else None
    if comment is not None:
        text = text + ("" if text.endswith("\n") or not text else "\n") + comment + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
