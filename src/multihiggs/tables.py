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


#: LaTeX spelling of LaTeX's special characters and of the Unicode symbols of our tables (longest match first).
_LATEX_REPLACEMENTS = {
    "\\": r"\textbackslash{}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "{": r"\{", "}": r"\}",
    "~": r"\textasciitilde{}", "^-1": r"$^{-1}$", "≥": r"$\geq$", "≤": r"$\leq$", "±": r"$\pm$", "–": "--",
    "—": "---", "×": r"$\times$", "→": r"$\to$", "κλ": r"$\kappa_\lambda$", "χ²": r"$\chi^2$", "ΔR": r"$\Delta R$",
    "Δ": r"$\Delta$", "σ": r"$\sigma$", "≈": r"$\approx$", "√s": r"$\sqrt{s}$", "ν": r"$\nu$", "−": "-",
    "`": "", "*": "", "⁻¹": r"$^{-1}$", "²": r"$^2$", "λ": r"$\lambda$", "κ": r"$\kappa$", "η": r"$\eta$",
    "τ": r"$\tau$", "t̄": r"$\bar{t}$", "b̄": r"$\bar{b}$", "…": r"\ldots{}", "§": r"\S{}",
}  # fmt: skip


def latex_escape(text: str) -> str:
    """``text`` for LaTeX: the special characters escaped (\\ _ % & # $ { } ~), Markdown emphasis marks (` *)
    dropped, the Unicode symbols of our tables spelt in LaTeX (math mode)."""
    out, i = [], 0
    keys = sorted(_LATEX_REPLACEMENTS, key=len, reverse=True)
    while i < len(text):
        for key in keys:
            if text.startswith(key, i):
                out.append(_LATEX_REPLACEMENTS[key])
                i += len(key)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


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
    body = [" & ".join(latex_escape(_cell(value, precision)) for value in row) + r" \\" for row in rows]
    lines = [
        r"\begin{table}[htb]",
        r"\centering",
        r"\begin{tabular}{" + (columns or "l" + "r" * (len(header) - 1)) + "}",
        r"\toprule",
        " & ".join(latex_escape(h) for h in header) + r" \\",
        r"\midrule",
        *body,
        r"\bottomrule",
        r"\end{tabular}",
    ]
    if caption:
        lines.append(r"\caption{" + latex_escape(caption) + "}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"
