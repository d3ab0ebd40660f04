"""LaTeX macros for numbers a paper quotes: names made of letters only, values formatted for text and math mode.

A name is built from parts such as ``("Kl", "spanet_kl_mixed", "profile_95", "Lumi", 139)``: every run of letters
starts upper-case (``spanet_kl_mixed`` -> ``SpanetKlMixed``), every digit becomes its English word (``139`` ->
``OneThreeNine``), a minus sign before a digit ``Minus`` and a decimal point ``Point``; the name is prefixed by
:data:`PREFIX` so that no macro of LaTeX or of a package is redefined. Anything else separates words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

PREFIX = "mh"
DIGIT_WORDS = ("Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")
#: The text of a bound that the scan leaves open (the allowed region continues past the scanned κλ range).
OPEN_BOUND = r"\textrm{open}"
_TOKEN = re.compile(r"[A-Za-z]+|\d|-(?=\d)|\.(?=\d)")
_NAME = re.compile(r"[A-Za-z]+")


def _words(part: str) -> list[str]:
    words = []
    for token in _TOKEN.findall(part):
        if token.isdigit():
            words.append(DIGIT_WORDS[int(token)])
        elif token == "-":
            words.append("Minus")
        elif token == ".":
            words.append("Point")
        else:
            words.append(token[0].upper() + token[1:])
    return words


def macro_name(*parts: str | float) -> str:
    """The macro name (without backslash) of ``parts``: letters only, prefixed by :data:`PREFIX`.

    Numbers are written with ``:g`` (139.0 -> ``139``) before their digits become words.
    """
    words = [word for part in parts for word in _words(f"{part:g}" if isinstance(part, float) else str(part))]
    if not words:
        raise ValueError(f"macro name parts {parts!r} contain no letter or digit")
    name = PREFIX + "".join(words)
    if not _NAME.fullmatch(name):
        raise ValueError(f"macro name {name!r} is not letters only")
    return name


def _signed(text: str) -> str:
    """A formatted number with its minus sign typeset as a minus in text and in math mode."""
    return r"\ensuremath{-}" + text[1:] if text.startswith("-") else text


def format_fixed(value: float | None, decimals: int) -> str:
    """``value`` with ``decimals`` decimals (no negative zero); None or non-finite -> :data:`OPEN_BOUND`."""
    if value is None or not math.isfinite(value):
        return OPEN_BOUND
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return _signed(text)


def format_count(value: int) -> str:
    """An integer count with thousands separated by ``{,}`` (1234567 -> ``1{,}234{,}567``)."""
    return _signed(f"{int(value):,}".replace(",", "{,}"))


def newcommand(name: str, value: str) -> str:
    r"""One line ``\newcommand{\name}{value}``."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"macro name {name!r} is not letters only")
    return f"\\newcommand{{\\{name}}}{{{value}}}"


def macro_file(macros: Iterable[tuple[str, str]], header: Iterable[str] = ()) -> str:
    """The text of a macro file: ``%`` comment lines (``header``), then one ``\\newcommand`` per (name, value).

    Raises:
        ValueError: if two macros share a name.
    """
    lines = [f"% {line}" for line in header]
    seen: set[str] = set()
    for name, value in macros:
        if name in seen:
            raise ValueError(f"macro \\{name} is defined twice")
        seen.add(name)
        lines.append(newcommand(name, value))
    return "\n".join(lines) + "\n"
