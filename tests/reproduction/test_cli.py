"""``python -m multihiggs.reproduction`` on hand-made result files: rows, verdicts, reasons, three outputs."""

import json

import pytest
import yaml

from multihiggs.reproduction.__main__ import main, parse_sample_sets

CATALOGUE = {
    "sources": {"doc": "A seed document"},
    "comparisons": {"purity": {"kind": "absolute", "tolerance": 0.05, "qualitative": 0.15}},
    "groups": [
        {
            "id": "purity", "title": "Event purity", "source": "doc", "where": "Table 1", "definition": "events right",
            "note": "our sample differs", "compare": "purity", "unit": "%",
            "ours": {"metric": {"analysis": "hh", "method": "{method}", "sample": "hh_kl1", "path": "purity"}},
            "claims": [
                {"id": "close", "quantity": "chi2 purity", "seed": 0.62, "vars": {"method": "chi2"}},
                {"id": "far", "quantity": "chi2 purity", "seed": 0.95, "vars": {"method": "chi2"}},
                {"id": "absent", "quantity": "spanet purity", "seed": 0.7, "vars": {"method": "spanet_sm"}},
            ],
        },
        {
            "id": "order", "source": "doc", "where": "Figure 2", "quantity": "chi2 above spanet", "seed": "a > b",
            "compare": {"kind": "ordering", "labels": ["chi2", "stale"]},
            "ours": [
                {"metric": {"analysis": "hh", "method": "chi2", "sample": "hh_kl1", "path": "purity"}},
                {"metric": {"analysis": "hh", "method": "stale", "sample": "hh_kl1", "path": "purity"}},
            ],
        },
        {"id": "other", "source": "doc", "where": "slide 3", "quantity": "tt̄ efficiency", "out_of_scope": "no tt̄"},
    ],
}  # fmt: skip


@pytest.fixture
def results(tmp_path):
    for method in ("chi2", "stale"):
        path = tmp_path / "results" / "metrics" / "hh" / method / "hh_kl1.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"purity": {"value": 0.6, "lower": 0.59, "upper": 0.61}}))
    claims = tmp_path / "claims.yaml"
    claims.write_text(yaml.safe_dump(CATALOGUE, allow_unicode=True))
    return tmp_path, claims


def run(tmp_path, claims, *extra):
    outputs = {ext: tmp_path / f"reproduction.{ext}" for ext in ("md", "tex", "json")}
    main(["--claims", str(claims), "--results-dir", str(tmp_path / "results"), *extra,
          *(arg for ext, path in outputs.items() for arg in (f"--output-{ext}", str(path)))])  # fmt: skip
    return {ext: path.read_text() for ext, path in outputs.items()}


def test_rows_carry_verdicts_reasons_and_an_empty_seed_spread(results):
    tmp_path, claims = results
    produced = str(tmp_path / "results/metrics/hh/chi2/hh_kl1.json")
    written = run(tmp_path, claims, "--inputs", produced, "--setup", "√s = 13 TeV")
    rows = {row["id"]: row for row in json.loads(written["json"])["rows"]}
    assert rows["purity-close"]["verdict"] == "reproduced"
    assert rows["purity-close"]["ours"]["value"] == 0.6
    assert rows["purity-close"]["ours"]["statistical_uncertainty"] == pytest.approx(0.01)
    assert rows["purity-close"]["ours"]["training_seed_spread"] is None
    assert rows["purity-far"]["verdict"] == "not reproduced"
    assert rows["purity-absent"]["verdict"] == "not measured"
    assert "metrics/hh/spanet_sm/hh_kl1.json" in rows["purity-absent"]["reason"]
    # a file on disk that this configuration did not produce is not read
    assert rows["order"]["verdict"] == "not measured" and "stale" in rows["order"]["reason"]
    assert rows["other"]["verdict"] == "out of scope" and rows["other"]["reason"] == "no tt̄"
    summary = json.loads(written["json"])["summary"]["all"]
    assert summary["claims"] == 5 and summary["not measured"] == 2
    assert "| `purity-close` | chi2 purity | 62.0 % | 60.0 ± 1.0 % | -2.0 pts |" in written["md"]
    assert "√s = 13 TeV" in written["md"] and "\\begin{longtable}" in written["tex"]
    assert "provenance" in json.loads(written["json"])


def test_without_inputs_every_existing_file_is_used(results):
    tmp_path, claims = results
    rows = {row["id"]: row for row in json.loads(run(tmp_path, claims)["json"])["rows"]}
    assert rows["order"]["verdict"] == "inconclusive"  # 0.6 vs 0.6 ± 0.01: a tie within 2σ
    assert [item["label"] for item in rows["order"]["ours"]["items"]] == ["chi2", "stale"]


def test_a_bad_catalogue_is_one_error_line(tmp_path, capsys):
    claims = tmp_path / "claims.yaml"
    claims.write_text("groups: [{id: x, source: nowhere, out_of_scope: r}]\n")
    with pytest.raises(SystemExit) as exit_info:
        run(tmp_path, claims)
    assert exit_info.value.code == 2 and "source must be one of" in capsys.readouterr().err


def test_sample_sets():
    assert parse_sample_sets(["a=x,y", "b="]) == {"a": ["x", "y"], "b": []}
    with pytest.raises(ValueError, match="NAME="):
        parse_sample_sets(["novalue"])


def test_seed_replicas_give_claims_a_spread_that_widens_the_verdict(results):
    tmp_path, claims = results
    for method, value in (("spanet_sm", 0.80), ("spanet_sm_seed1", 0.70), ("spanet_sm_seed2", 0.75)):
        path = tmp_path / "results" / "metrics" / "hh" / method / "hh_kl1.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"purity": {"value": value, "lower": value - 0.01, "upper": value + 0.01}}))
    written = run(tmp_path, claims, "--trainings", "spanet_sm=3")
    rows = {row["id"]: row for row in json.loads(written["json"])["rows"]}
    spread = rows["purity-absent"]["ours"]["training_seed_spread"]
    assert spread["n"] == 3 and spread["values"] == [0.8, 0.7, 0.75] and spread["std"] == pytest.approx(0.05)
    assert rows["purity-absent"]["ours"]["value"] == 0.8  # the value stays the first training's
    assert rows["purity-close"]["ours"]["training_seed_spread"] is None  # chi2 has no replicas
    assert "(seeds: ±5 % over 3)" in written["md"] and "standard deviation over the seeds" in written["md"]
    # seed 0.7 lies 0.1 away: qualitatively reproduced on the statistical σ (0.01) alone; with the seeds' 0.05 in
    # quadrature the ±2σ band reaches the "reproduced" range: inconclusive
    assert rows["purity-absent"]["verdict"] == "inconclusive"
    alone = json.loads(run(tmp_path, claims)["json"])["rows"]
    assert next(row for row in alone if row["id"] == "purity-absent")["verdict"] == "qualitatively reproduced"
    with pytest.raises(SystemExit):
        run(tmp_path, claims, "--trainings", "spanet_sm=x")


def test_a_replica_without_a_value_is_counted_as_missing(results):
    tmp_path, claims = results
    for method, value in (("spanet_sm", 0.80), ("spanet_sm_seed1", 0.70)):  # no spanet_sm_seed2 result
        path = tmp_path / "results" / "metrics" / "hh" / method / "hh_kl1.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"purity": {"value": value, "lower": value - 0.01, "upper": value + 0.01}}))
    written = run(tmp_path, claims, "--trainings", "spanet_sm=3")
    spread = next(row for row in json.loads(written["json"])["rows"] if row["id"] == "purity-absent")
    assert spread["ours"]["training_seed_spread"]["n_missing"] == 1
    assert "(seeds: ±7.1 % over 2 of 3)" in written["md"]
