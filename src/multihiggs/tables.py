"""Markdown and LaTeX tables from rows of values: one writer for every table of the workflow."""

from __future__ import annotations

from collections.abc import Sequence


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
