"""The overview page the HTML report opens with: titled sections of Markdown tables as one self-contained HTML page.

    python -m multihiggs.report.overview --section "Expected κλ intervals" kl_limits.md \
        [--section "Reproduction" reproduction.md] -o overview.html

Each section is the file's Markdown rendered as HTML (:mod:`multihiggs.report.markdown`, its headings two levels
down) under its title, with the file's path beneath. Exit status 2 on a missing input.
"""

from __future__ import annotations

import argparse
import html
from collections.abc import Sequence
from pathlib import Path

from multihiggs.cli import run_main
from multihiggs.io.atomic import write_text
from multihiggs.report.markdown import markdown_to_html

STYLE = """
body { font-family: sans-serif; margin: 1.5em; max-width: 80em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead { background: #eee; }
.source { color: #666; font-size: 0.85em; }
"""


def overview_page(title: str, sections: Sequence[tuple[str, str, str]]) -> str:
    """An HTML page of ``sections``, each (title, Markdown text, source path)."""
    body = [f"<h1>{html.escape(title)}</h1>"]
    for section_title, markdown, source in sections:
        body += [
            f"<section>\n<h2>{html.escape(section_title)}</h2>",
            markdown_to_html(markdown, heading_offset=2),  # the file's headings below the section title
            f'<p class="source">Source: <code>{html.escape(source)}</code></p>\n</section>',
        ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.report.overview", description=__doc__.splitlines()[0])
    parser.add_argument("--title", default="multihiggs: overview", help="page title")
    parser.add_argument("--section", nargs=2, action="append", required=True, metavar=("TITLE", "MARKDOWN"),
                        help="a section: its title and Markdown file (repeatable, in page order)")  # fmt: skip
    parser.add_argument("-o", "--output", required=True, help="the HTML page")
    args = parser.parse_args(argv)
    run_main(lambda: _write(args), raise_exit=True)


def _write(args: argparse.Namespace) -> None:
    sections = [(title, Path(path).read_text(encoding="utf-8"), path) for title, path in args.section]
    write_text(Path(args.output), overview_page(args.title, sections))


if __name__ == "__main__":
    main()
