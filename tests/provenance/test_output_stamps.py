"""Every kind of output carries the stamp where it is written, and it reads back unchanged; figures are byte-stable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import awkward as ak
import numpy as np
import pytest
import yaml

from multihiggs.io.stamps import pdf_literal_string, read_stamp, read_stamps
from multihiggs.provenance import current_stamp, sidecar_path, split_stamp_comment, workflow_environment
from multihiggs.report.provenance import main

REPO = Path(__file__).resolve().parents[2]
CONFIG = {"seed": 11, "stats": {"bins": {"n": 3}}}


@pytest.fixture
def stamp(tmp_path, monkeypatch):
    """The stamp every writer uses in these tests: the workflow's variables set as common.smk sets them."""
    for key, value in workflow_environment(CONFIG, tmp_path).items():
        monkeypatch.setenv(key, value)
    stamp = current_stamp()
    assert stamp.seed == 11
    return stamp


def _figure():
    import matplotlib.pyplot as plt

    from multihiggs.plotting.style import label_axes, use_style

    use_style()
    figure, axes = plt.subplots()
    axes.plot([0.0, 1.0, 2.0], [1.0, 3.0, 2.0], label="κλ ≥ 1 (a) \\ b")
    axes.set_xlabel(r"$m_{HH}$ [GeV]")
    axes.legend()
    label_axes(axes, 13.0)
    return figure


@pytest.mark.parametrize("suffix", [".pdf", ".png"])
def test_figure_round_trip(tmp_path, stamp, suffix):
    from multihiggs.plotting.style import save_figure

    path = tmp_path / f"figure{suffix}"
    save_figure(_figure(), path)
    assert read_stamp(path) == stamp


def test_pdf_rendered_twice_is_byte_identical(tmp_path, stamp):
    from multihiggs.plotting.style import save_figure

    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    save_figure(_figure(), first)
    save_figure(_figure(), second)
    data = first.read_bytes()
    assert b"/CreationDate" not in data and b"/Keywords" in data
    assert data == second.read_bytes()


def test_pdf_literal_strings_unescape():
    data = b"/Keywords (a\\(b\\) (nested) \\\\ \\101\\12 x\\\ny) >>"
    assert pdf_literal_string(data, data.index(b"(")) == b"a(b) (nested) \\ A\n xy"
    with pytest.raises(ValueError, match="unterminated"):
        pdf_literal_string(b"(open", 0)


@pytest.mark.parametrize("suffix", [".md", ".tex"])
def test_table_round_trip_keeps_the_table(tmp_path, stamp, suffix):
    from multihiggs.io.atomic import write_text
    from multihiggs.tables import latex_table, markdown_table

    text = (markdown_table if suffix == ".md" else latex_table)(["method", "purity"], [["chi2", 0.5]])
    path = tmp_path / f"table{suffix}"
    write_text(path, text)
    written = path.read_text()
    assert split_stamp_comment(suffix, written) == (text, stamp)
    assert written.count("\n") == text.count("\n") + 1  # one line added, the last
    assert read_stamp(path) == stamp


def test_other_text_is_written_as_given(tmp_path, stamp):
    from multihiggs.io.atomic import write_text

    write_text(tmp_path / "plain.json", '{"a": 1}\n')
    assert (tmp_path / "plain.json").read_text() == '{"a": 1}\n'
    assert read_stamp(tmp_path / "plain.json") is None
    write_text(tmp_path / "page.html", "<html><body>x</body></html>")
    assert read_stamp(tmp_path / "page.html") == stamp


def test_report_markdown_keeps_the_stamp_as_an_invisible_comment(stamp):
    from multihiggs.report.markdown import markdown_to_html

    line = f"<!-- provenance: {stamp.to_json()} -->"
    html = markdown_to_html(f"| a |\n|---|\n| 1 |\n{line}\n")
    assert line in html and "&lt;!--" not in html and html.count("<td>") == 1


def test_converted_hdf5_round_trip(tmp_path, stamp):
    from multihiggs.convert.h5append import AppendableH5

    path = tmp_path / "test.h5"
    with AppendableH5(path) as writer:
        writer.append({"x": np.arange(5.0)})
        writer.commit()
    assert read_stamp(path) == stamp


def test_prediction_round_trip(tmp_path, stamp):
    from multihiggs.io.predictions import Predictions, read_predictions, write_predictions

    path = tmp_path / "predictions.h5"
    write_predictions(path, Predictions.empty("chi2", n_events=4, n_higgs=2))
    assert read_stamp(path) == stamp
    assert read_predictions(path).method == "chi2"


def test_spanet_model_round_trip(tmp_path, stamp):
    import torch

    from multihiggs.spanet.checkpoint import MODEL_FORMAT, load_payload, save_trained_model
    from multihiggs.spanet.data import FeatureStatistics
    from multihiggs.spanet.event_info import EventInfo
    from multihiggs.spanet.options import SpanetOptions

    event_info = EventInfo.from_mapping(yaml.safe_load((REPO / "config/event_files/hh.yaml").read_text()))
    path = tmp_path / "model.pt"
    options, statistics = SpanetOptions.from_dict({}), FeatureStatistics({}, {})
    save_trained_model(path, {"w": torch.zeros(2)}, options, event_info, statistics, {})
    assert read_stamp(path) == stamp
    assert load_payload(path)["format"] == MODEL_FORMAT


def test_xgboost_model_round_trip(tmp_path, stamp):
    from multihiggs.baselines.fatjet_bdt import load_fatjet_bdt, save_fatjet_bdt, stored_threshold, train_fatjet_bdt

    rng = np.random.default_rng(3)
    inputs, labels = rng.normal(size=(40, 8)), np.arange(40) % 2
    path = tmp_path / "bdt.json"
    save_fatjet_bdt(train_fatjet_bdt(inputs, labels, seed=1, n_estimators=3), path, threshold=0.5)
    assert read_stamp(path) == stamp
    assert stored_threshold(load_fatjet_bdt(path)) == 0.5


def test_selection_dnn_round_trip(tmp_path, stamp):
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from multihiggs.stats.dnn_selection import SelectionDNN, load_selection_dnn, save_selection_dnn

    path = tmp_path / "dnn.joblib"
    save_selection_dnn(SelectionDNN(Pipeline([("scale", StandardScaler())]), ("a", "b"), {"auc": 0.5}), path)
    assert read_stamp(path) == stamp
    assert load_selection_dnn(path).feature_names == ("a", "b")


def test_workspace_sidecar_round_trip(tmp_path, stamp):
    import pyhf

    from multihiggs.stats.model import build_workspace, write_workspace
    from multihiggs.stats.synthetic import synthetic_templates

    directory = tmp_path / "workspaces"
    path = directory / "chi2_lumi300.json"
    write_workspace(path, build_workspace(synthetic_templates(edges=np.linspace(250, 1000, 4)), 300.0, np.array([5.0])))
    assert read_stamp(path) == stamp and sidecar_path(path).is_file()
    assert list(directory.glob("*.json")) == [path]  # globbing workspaces finds no sidecar
    pyhf.Workspace(json.loads(path.read_text()))
    assert read_stamps([directory]) == {path.as_posix(): stamp}


def test_evaluation_json_round_trip(tmp_path, stamp):
    from multihiggs.io.jsonio import read_json, write_json

    path = tmp_path / "metrics.json"
    write_json(path, "metrics", {"method": "chi2", "sample": "hhh", "purity": np.float64(0.5)})
    assert read_stamp(path) == stamp
    assert read_json(path, "metrics")["purity"] == 0.5


def test_root_round_trip(tmp_path, stamp):
    from multihiggs.io.delphes import read_metadata, write_delphes

    path = tmp_path / "shard0.root"
    events = {"Event": ak.Array([[{"Number": np.int64(i), "Weight": 0.5}] for i in range(3)])}
    write_delphes(path, events, {"sample": "hhh"})
    assert read_stamp(path) == stamp
    assert read_metadata(path) == {"sample": "hhh"}


def test_collect_writes_every_output_with_its_stamp(tmp_path, stamp, capsys):
    from multihiggs.io.atomic import write_text

    write_text(tmp_path / "a.md", "| a |\n|---|\n")
    (tmp_path / "old.md").write_text("| made before stamps |\n")
    output = tmp_path / "provenance.json"
    assert main(["collect", str(tmp_path / "a.md"), str(tmp_path / "old.md"), "-o", str(output)]) == 0
    index = json.loads(output.read_text())
    assert index["outputs"] == {(tmp_path / "a.md").as_posix(): stamp.as_dict(), (tmp_path / "old.md").as_posix(): None}
    assert index["unstamped"] == [(tmp_path / "old.md").as_posix()] and index["differing"] == []
    assert main(["collect", str(tmp_path / "missing.md"), "-o", str(output)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["show", str(tmp_path / "a.md")]) == 0
    assert json.loads(capsys.readouterr().out) == stamp.as_dict()


def test_command_line_module_compares_stamps_of_its_own_kind(tmp_path, stamp):
    from multihiggs.io.atomic import write_text

    write_text(tmp_path / "a.tex", "x\n")
    output = tmp_path / "provenance.json"
    command = [sys.executable, "-m", "multihiggs.report.provenance", "collect", str(tmp_path / "a.tex")]
    command += ["-o", str(output)]
    subprocess.run(command, check=True, capture_output=True)
    index = json.loads(output.read_text())
    assert index["differing"] == [] and index["collected_by"] == stamp.as_dict()
