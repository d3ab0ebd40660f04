"""Markdown of our tables as HTML: tables, headings, paragraphs, lists; everything escaped."""

from __future__ import annotations

from multihiggs.report.markdown import markdown_to_html
from multihiggs.tables import markdown_table


def test_table_heading_and_paragraph():
    text = "## Expected κλ constraints\n\n" + markdown_table(["Method", "PL 95% lower"], [["chi2", -1.5]], 2)
    text += "\nSettings: {'a': 1} <b>\n"
    html = markdown_to_html(text)
    assert "<h2>Expected κλ constraints</h2>" in html
    assert "<th>Method</th><th>PL 95% lower</th>" in html
    assert "<tr><td>chi2</td><td>-1.50</td></tr>" in html
    assert "<p>Settings: {&#x27;a&#x27;: 1} &lt;b&gt;</p>" in html


def test_lists_inline_markup_and_lines_joined_into_paragraphs():
    html = markdown_to_html("- **bold** item\n- `a|b` code\n\nfirst line\nsecond line\n| not a table\n")
    assert "<ul>\n<li><strong>bold</strong> item</li>\n<li><code>a|b</code> code</li>\n</ul>" in html
    assert "<p>first line second line | not a table</p>" in html
    assert "<table>" not in html


def test_table_right_after_a_paragraph_line_starts_a_table():
    html = markdown_to_html("Note:\n| a | b |\n|:---|---:|\n| 1 | 2 |\n")
    assert html.startswith("<p>Note:</p>\n<table>")
    assert "<td>1</td><td>2</td>" in html


def test_headings_move_down_and_comment_lines_stay_comments():
    html = markdown_to_html('# Title\n\n#### Deep\n\ntext\n<!-- provenance: {"a": 1} -->\n', heading_offset=2)
    assert "<h3>Title</h3>" in html and "<h6>Deep</h6>" in html
    assert '<p>text</p>\n<!-- provenance: {"a": 1} -->' in html
