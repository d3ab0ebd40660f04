"""The Markdown of our tables as HTML: headings, pipe tables, bullet lists, paragraphs; `code` and **bold** inline.

The subset :mod:`multihiggs.tables` and the table writers produce; anything else is kept as escaped text.
"""

from __future__ import annotations

import html
import re

_HEADING = re.compile(r"(#{1,6})\s+(.*)")
_TABLE_RULE = re.compile(r"\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?")
_BULLET = re.compile(r"[-*]\s+(.*)")
#: A whole-line HTML comment, e.g. a table's provenance line: passed through to the HTML unchanged (invisible).
_COMMENT = re.compile(r"<!--(?:(?!--).)*-->")


def inline_html(text: str) -> str:
    """``text`` escaped for HTML, with `code` spans and **bold** marked up."""
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for part in parts:
        if len(part) > 1 and part.startswith("`") and part.endswith("`"):
            out.append(f"<code>{html.escape(part[1:-1])}</code>")
        else:
            out.append(re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(part)))
    return "".join(out)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _table(lines: list[str]) -> str:
    header, body = _cells(lines[0]), [_cells(line) for line in lines[2:]]
    head = "".join(f"<th>{inline_html(cell)}</th>" for cell in header)
    rows = "".join("<tr>" + "".join(f"<td>{inline_html(cell)}</td>" for cell in row) + "</tr>\n" for row in body)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>"


def _is_table_start(lines: list[str], index: int) -> bool:
    return (
        lines[index].lstrip().startswith("|")
        and index + 1 < len(lines)
        and _TABLE_RULE.fullmatch(lines[index + 1].strip()) is not None
    )


def markdown_to_html(text: str, heading_offset: int = 0) -> str:
    """An HTML fragment of ``text`` (block by block; blank lines separate paragraphs).

    Args:
        heading_offset: levels added to every heading (``#`` becomes ``<h2>`` with 1), at most ``<h6>``.
    """
    lines = text.splitlines()
    blocks: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if not line:
            index += 1
        elif _COMMENT.fullmatch(line):
            blocks.append(line)
            index += 1
        elif heading := _HEADING.fullmatch(line):
            level = min(len(heading.group(1)) + heading_offset, 6)
            blocks.append(f"<h{level}>{inline_html(heading.group(2))}</h{level}>")
            index += 1
        elif _is_table_start(lines, index):
            end = index + 2
            while end < len(lines) and lines[end].lstrip().startswith("|"):
                end += 1
            blocks.append(_table(lines[index:end]))
            index = end
        elif _BULLET.fullmatch(line):
            items = []
            while index < len(lines) and (item := _BULLET.fullmatch(lines[index].strip())):
                items.append(f"<li>{inline_html(item.group(1))}</li>")
                index += 1
            blocks.append("<ul>\n" + "\n".join(items) + "\n</ul>")
        else:
            paragraph = []
            while index < len(lines) and lines[index].strip() and not _starts_block(lines, index):
                paragraph.append(lines[index].strip())
                index += 1
            blocks.append(f"<p>{inline_html(' '.join(paragraph))}</p>")
    return "\n".join(blocks) + "\n"


def _starts_block(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    return bool(
        _COMMENT.fullmatch(line) or _HEADING.fullmatch(line) or _BULLET.fullmatch(line) or _is_table_start(lines, index)
    )
