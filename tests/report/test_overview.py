"""The overview page: titled sections of Markdown tables in one self-contained HTML page."""

from __future__ import annotations

import pytest

from multihiggs.report.overview import main


def test_sections_in_order_with_their_sources(tmp_path):
    limits, reproduction = tmp_path / "kl_limits.md", tmp_path / "reproduction.md"
    limits.write_text("| Method | PL 95% lower |\n|---|---|\n| chi2 | -1.50 |\n", encoding="utf-8")
    reproduction.write_text("| Quantity | ours | published |\n|---|---|---|\n| purity | 0.5 | 0.6 |\n")
    output = tmp_path / "overview.html"
    main(["--section", "Expected κλ intervals", str(limits), "--section", "Reproduction", str(reproduction),
          "-o", str(output)])  # fmt: skip
    page = output.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert page.index("Expected κλ intervals") < page.index("<td>chi2</td>") < page.index("Reproduction")
    assert "<td>purity</td><td>0.5</td><td>0.6</td>" in page
    assert f"<code>{reproduction}</code>" in page


def test_missing_table_is_an_input_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--section", "Limits", str(tmp_path / "absent.md"), "-o", str(tmp_path / "overview.html")])
    assert exit_info.value.code == 2
    assert "absent.md" in capsys.readouterr().err
    assert not (tmp_path / "overview.html").exists()
