"""numbers.tex: every line a ``\\newcommand`` with a letters-only, unique name; values equal the JSON results."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from multihiggs.publish.latex_macros import OPEN_BOUND, format_count, format_fixed, macro_file, macro_name
from multihiggs.publish.numbers import main

from .documents import classification_document, metrics_document, scan_results, selection_dnn_summary, write_inputs

LINE = re.compile(r"\\newcommand\{\\([A-Za-z]+)\}\{(.*)\}")


def _balanced(text: str) -> bool:
    depth = 0
    for character in text:
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth < 0:
            return False
    return depth == 0


def parse_macro_file(text: str) -> dict[str, str]:
    """name -> value of a macro file; fails on any line that is not a comment or one ``\\newcommand``."""
    macros: dict[str, str] = {}
    for line in text.splitlines():
        if not line or line.startswith("%"):
            continue
        match = LINE.fullmatch(line)
        assert match is not None, f"not a \\newcommand line: {line!r}"
        name, value = match.groups()
        assert _balanced(value), f"unbalanced braces in {line!r}"
        assert name not in macros, f"\\{name} defined twice"
        macros[name] = value
    return macros


def number(value: str) -> float:
    """A macro value as a number (minus sign and thousands separators undone)."""
    return float(value.replace(r"\ensuremath{-}", "-").replace("{,}", ""))


def test_macro_names_spell_digits_and_separators():
    assert macro_name("Kl", "spanet_kl_mixed", "profile_95", "lower", "Lumi", 139.0) == (
        "mhKlSpanetKlMixedProfileNineFiveLowerLumiOneThreeNine"
    )
    assert macro_name("TestEvents", "hh_klm1") == "mhTestEventsHhKlmOne"
    assert macro_name(-2.45) == "mhMinusTwoPointFourFive"
    assert macro_name("chi2", 3000.0) == "mhChiTwoThreeZeroZeroZero"
    with pytest.raises(ValueError, match="no letter or digit"):
        macro_name("_", "")


def test_value_formats():
    assert format_fixed(-1.2345, 2) == r"\ensuremath{-}1.23"
    assert format_fixed(-0.001, 2) == "0.00"  # no negative zero
    assert format_fixed(None, 2) == OPEN_BOUND
    assert format_count(1234567) == "1{,}234{,}567"
    with pytest.raises(ValueError, match="defined twice"):
        macro_file([("mhA", "1"), ("mhA", "2")])


@pytest.fixture
def numbers(tmp_path):
    paths = write_inputs(tmp_path)
    classification = tmp_path / "classification.json"
    classification.write_text(json.dumps(classification_document()))
    selection = tmp_path / "selection_dnn_chi2.json"
    selection.write_text(json.dumps(selection_dnn_summary()))
    output = tmp_path / "tables/numbers.tex"
    metrics = [str(path) for path in paths["hhh"] + paths["hh"]]
    main(
        ["--scan", str(paths["scan"]), "--metrics", *metrics, "--classification", str(classification),
         "--selection-dnn", str(selection), "--generated", "hhh=600", "hh_kl1=800", "-o", str(output)]
    )  # fmt: skip
    return paths, output


def test_file_is_a_valid_macro_file(numbers):
    _, output = numbers
    text = output.read_text()
    assert text.isascii()
    macros = parse_macro_file(text)
    assert len(macros) > 50
    assert sum(line.startswith("\\newcommand") for line in text.splitlines()) == len(macros)


def test_kl_bounds_equal_the_scan(numbers):
    _, output = numbers
    macros = parse_macro_file(output.read_text())
    checked = 0
    for method in scan_results().methods:
        for row in method.intervals:
            for interval in ("profile_68", "profile_95", "cls_95"):
                for bound in ("lower", "upper"):
                    name = macro_name("Kl", method.label, interval, bound, "Lumi", row["luminosity_fb"])
                    if row[interval] is None:
                        assert name not in macros
                    elif row[interval][bound] is None:
                        assert macros[name] == OPEN_BOUND
                    else:
                        assert number(macros[name]) == pytest.approx(row[interval][bound], abs=0.005)
                        checked += 1
    assert checked == 17  # 2 methods x 2 luminosities x 6 bounds, less 4 without CLs and 3 open
    assert macros["mhKlSpanetKlMixedProfileNineFiveLowerLumiOneThreeNine"] == r"\ensuremath{-}1.23"


def test_purities_sizes_and_aucs_equal_the_json(numbers):
    paths, output = numbers
    macros = parse_macro_file(output.read_text())
    for path in paths["hhh"] + paths["hh"]:
        document = json.loads(path.read_text())
        prefix = (document["sample"], document["method"])
        for quantity in ("event_purity", "higgs_purity"):
            for category in ("partial", "complete"):
                cell = document["events"]["categories"][category][quantity][-1]
                assert number(macros[macro_name(*prefix, quantity, category)]) == pytest.approx(cell["value"], abs=5e-4)
                half_width = (cell["upper"] - cell["lower"]) / 2
                assert number(macros[macro_name(*prefix, quantity, category, "Err")]) == pytest.approx(
                    half_width, abs=5e-4
                )
        purity = document["inclusive"]["purity"]["combined"]["value"]
        assert number(macros[macro_name(*prefix, "purity")]) == pytest.approx(purity, abs=5e-4)
        assert number(macros[macro_name("TestEvents", document["sample"])]) == document["n_events"]
    assert macros["mhGeneratedEventsHhKlOne"] == "800"
    classification, selection = classification_document(), selection_dnn_summary()
    assert number(macros["mhAucSpanetKlMixed"]) == pytest.approx(classification["auc"], abs=5e-4)
    assert number(macros["mhClassificationBackgroundEventsSpanetKlMixed"]) == classification["n_background"]
    assert macros["mhClassificationBackgroundEventsSpanetKlMixed"] == "5{,}678"
    assert number(macros["mhSelectionDnnAucChiTwo"]) == pytest.approx(selection["auc"], abs=5e-4)


def test_methods_disagreeing_on_a_sample_size_is_an_input_error(tmp_path, capsys):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps(metrics_document("chi2", n_events=120)))
    second.write_text(json.dumps(metrics_document("spanet_sm", n_events=119)))
    with pytest.raises(SystemExit) as exit_info:
        main(["--metrics", str(first), str(second), "-o", str(tmp_path / "numbers.tex")])
    assert exit_info.value.code == 2 and "disagree on its event count" in capsys.readouterr().err
    assert not (tmp_path / "numbers.tex").exists()


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_pdflatex_compiles_the_macros(numbers, tmp_path):
    _, output = numbers
    document = tmp_path / "paper.tex"
    document.write_text(
        "\\documentclass{article}\n\\begin{document}\n\\input{" + output.as_posix() + "}\n"
        "$\\kappa_\\lambda \\in [\\mhKlChiTwoProfileNineFiveLowerLumiOneThreeNine, "
        "\\mhKlChiTwoProfileNineFiveUpperLumiOneThreeNine]$, \\mhTestEventsHhh{} events.\n\\end{document}\n"
    )
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", document.name],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:]
