"""The HEPData record from hand-made inputs: hepdata_lib's directory and tarball, valid for hepdata-validator."""

from __future__ import annotations

import json
import shutil
import tarfile

import pytest
import yaml

from multihiggs.publish.hepdata import main
from multihiggs.publish.hepdata_submission import validation_messages

from .documents import metrics_document, scan_results, write_inputs


def _run(paths, out, extra=()):
    metrics = [str(path) for path in paths["hhh"] + paths["hh"]]
    main(
        ["--purity-vs-pt", *metrics, "--purity-vs-njets", *metrics, "--scan", str(paths["scan"]),
         "--workspaces", str(paths["workspaces"]), "--sqrt-s-gev", "13000",
         "--output-dir", str(out / "submission"), "--tarball", str(out / "submission.tar.gz"), *extra]
    )  # fmt: skip


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    directory = tmp_path_factory.mktemp("hepdata")
    paths = write_inputs(directory)
    out = directory / "hepdata"
    _run(paths, out)
    return paths, out


def _table(out, name):
    return yaml.safe_load((out / "submission" / name).read_text())


def _submission_documents(out):
    return list(yaml.safe_load_all((out / "submission/submission.yaml").read_text()))


def test_record_is_valid_hepdata(record):
    _, out = record
    assert validation_messages(directory=out / "submission") == []
    assert validation_messages(archive=out / "submission.tar.gz") == []


def test_tarball_is_flat_and_holds_tables_and_workspaces(record):
    _, out = record
    with tarfile.open(out / "submission.tar.gz") as tar:
        members = sorted(tar.getnames())
    assert members == sorted(path.name for path in (out / "submission").iterdir())
    assert "submission.yaml" in members and "spanet_kl_mixed_lumi139.json" in members and "chi2_lumi139.json" in members
    tables = [doc for doc in _submission_documents(out) if "data_file" in doc]
    names = [doc["name"] for doc in tables]
    assert names == [
        "Purity vs Higgs pT hhh", "Purity vs Higgs pT hh_kl1", "H purity vs jet multiplicity hhh",
        "H purity vs jet multiplicity hh_kl1", "Kappa-lambda intervals", "Kappa-lambda scan spanet_kl_mixed",
        "Kappa-lambda scan chi2",
    ]  # fmt: skip
    resources = _submission_documents(out)[0]["additional_resources"]
    workspaces = [item for item in resources if item.get("type") == "HistFactory"]
    assert {item["location"] for item in workspaces} == {"spanet_kl_mixed_lumi139.json", "chi2_lumi139.json"}


def test_purity_vs_pt_values_and_intervals(record):
    paths, out = record
    document = json.loads(paths["hhh"][1].read_text())
    table = _table(out, "purity_vs_higgs_pt_hhh.yaml")
    (pt,) = table["independent_variables"]
    assert [(v["low"], v["high"]) for v in pt["values"]] == [(0.0, 100.0), (100.0, 200.0), (200.0, 400.0)]
    # two methods, resolved only: no method builds a boosted candidate in these inputs
    assert len(table["dependent_variables"]) == 2
    chi2 = table["dependent_variables"][1]
    assert {q["name"]: q["value"] for q in chi2["qualifiers"]}["Topology"] == "Resolved (2 AK5 jets)"
    resolved = document["vs_pt"]["purity"]["resolved"]
    for index, entry in enumerate(chi2["values"]):
        assert entry["value"] == pytest.approx(resolved["value"][index], rel=1e-4)
        error = entry["errors"][0]["asymerror"]
        assert error["minus"] == pytest.approx(resolved["lower"][index] - resolved["value"][index], abs=1e-6)
        assert error["plus"] == pytest.approx(resolved["upper"][index] - resolved["value"][index], abs=1e-6)


def test_purity_vs_njets_rows_are_jet_bins(record):
    paths, out = record
    table = _table(out, "h_purity_vs_jet_multiplicity_hh_kl1.yaml")
    assert [v["value"] for v in table["independent_variables"][0]["values"]] == ["= 4", "= 5", "≥ 6", "all"]
    assert len(table["dependent_variables"]) == 4  # two methods x (partial, complete)
    document = json.loads(paths["hh"][0].read_text())
    expected = [cell["value"] for cell in document["events"]["categories"]["complete"]["higgs_purity"]]
    complete = table["dependent_variables"][1]
    assert [entry["value"] for entry in complete["values"]] == pytest.approx(expected, rel=1e-4)


def test_intervals_table_marks_open_and_missing_bounds(record):
    _, out = record
    table = _table(out, "kappa-lambda_intervals.yaml")
    methods, luminosities = table["independent_variables"]
    assert len(methods["values"]) == 4 and [v["value"] for v in luminosities["values"]] == [139, 3000, 139, 3000]
    columns = {var["header"]["name"]: [v["value"] for v in var["values"]] for var in table["dependent_variables"]}
    lower = columns[r"95% CL profile-likelihood lower bound on $\kappa_\lambda$"]
    assert lower == [pytest.approx(-1.234), pytest.approx(-0.5), "open", pytest.approx(-1.0)]
    assert columns[r"95% CL CLs upper bound on $\kappa_\lambda$"][1] == "-"  # no CLs interval at 3000 fb^-1
    assert columns["95% CL profile-likelihood allowed region"][1] == "[-0.50, 0.25] U [0.75, 3.25]"


def test_scan_table_has_a_curve_per_luminosity(record):
    _, out = record
    table = _table(out, "kappa-lambda_scan_spanet_kl_mixed.yaml")
    assert [v["value"] for v in table["independent_variables"][0]["values"]] == scan_results().kl
    curves = table["dependent_variables"]
    assert len(curves) == 4  # (-2ΔlnL, CLs) x (139, 3000) fb^-1
    assert [v["value"] for v in curves[0]["values"]] == [4.1, 1.2, 0.0, 2.5, "-"]


def test_validator_catches_a_broken_submission(record, tmp_path):
    _, out = record
    broken = tmp_path / "broken"
    shutil.copytree(out / "submission", broken)
    (broken / "kappa-lambda_intervals.yaml").unlink()
    (broken / "stray.txt").write_text("not referenced")
    messages = " ".join(validation_messages(directory=broken))
    assert "Missing data_file" in messages and "stray.txt is not referenced" in messages


def test_mixed_pt_bins_are_an_input_error(tmp_path, capsys):
    paths = write_inputs(tmp_path)
    other = metrics_document("chi2")
    other["pt_edges"] = [0.0, 50.0, 100.0, 200.0]
    paths["hhh"][1].write_text(json.dumps(other))
    with pytest.raises(SystemExit) as exit_info:
        _run(paths, tmp_path / "out")
    assert exit_info.value.code == 2
    assert "different pT bins" in capsys.readouterr().err
    assert not (tmp_path / "out/submission.tar.gz").exists()


def test_rebuild_replaces_the_record_but_never_a_foreign_directory(record, tmp_path, capsys):
    paths, out = record
    _run(paths, out)  # a second build replaces the first
    assert validation_messages(archive=out / "submission.tar.gz") == []
    foreign = tmp_path / "elsewhere"
    (foreign / "submission").mkdir(parents=True)
    (foreign / "submission/notes.txt").write_text("keep me")
    with pytest.raises(SystemExit):
        _run(paths, foreign)
    assert (foreign / "submission/notes.txt").read_text() == "keep me"
    assert "holds no HEPData submission" in capsys.readouterr().err


def test_relative_paths_from_the_working_directory(tmp_path, monkeypatch):
    """As Snakemake runs it: inputs and outputs relative to the working directory (hepdata_lib copies late)."""
    write_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    metrics = [path.name for path in sorted(tmp_path.glob("metrics_*.json"))]
    main(
        ["--purity-vs-pt", *metrics, "--scan", "kl_scan.json", "--workspaces", "workspaces", "--sqrt-s-gev", "13000",
         "--output-dir", "results/hepdata/submission", "--tarball", "results/hepdata/submission.tar.gz"]
    )  # fmt: skip
    assert (tmp_path / "results/hepdata/submission/chi2_lumi139.json").is_file()
    assert validation_messages(archive=tmp_path / "results/hepdata/submission.tar.gz") == []
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(("submission", ".hepdata"))) == []
