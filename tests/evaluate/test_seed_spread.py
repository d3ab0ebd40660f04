"""Training-seed spread: aggregation over seeds and its combination with the statistical uncertainty."""

import json
import math

import pytest

from multihiggs.evaluate.seed_spread import aggregate_seeds, main, spread_rows, total_sigma
from multihiggs.io.stamps import read_stamp


def test_mean_and_sample_standard_deviation():
    spread = aggregate_seeds([0.80, 0.82, 0.84])
    assert spread.n == 3 and spread.mean == pytest.approx(0.82)
    assert spread.std == pytest.approx(0.02)  # n - 1 in the denominator
    assert spread.as_dict()["values"] == [0.80, 0.82, 0.84]


def test_missing_values_are_left_out():
    spread = aggregate_seeds([0.5, None, math.nan, 0.7])
    assert spread.n == 2 and spread.mean == pytest.approx(0.6) and spread.std == pytest.approx(math.sqrt(0.02))
    assert spread.n_missing == 2 and aggregate_seeds([0.5, 0.7]).n_missing == 0
    assert aggregate_seeds([None, math.nan]) is None
    assert aggregate_seeds([0.4]).std is None  # one seed: no spread


def test_total_sigma_adds_in_quadrature():
    assert total_sigma(0.03, aggregate_seeds([0.5, 0.54])) == pytest.approx(math.hypot(0.03, math.sqrt(0.0008)))
    assert total_sigma(0.03, None) == 0.03
    assert total_sigma(None, aggregate_seeds([0.4])) is None


def _metrics(method, sample, partial_event_purity, efficiency=0.5):
    ratio = lambda value: {"value": value, "lower": value - 0.01, "upper": value + 0.01}  # noqa: E731
    categories = {
        category: {
            "label": category,
            "event_purity": [ratio(0.1), ratio(value)],
            "higgs_purity": [ratio(0.2), ratio(value)],
        }
        for category, value in (("partial", partial_event_purity), ("complete", partial_event_purity + 0.1))
    }
    return {
        "kind": "metrics",
        "method": method,
        "sample": sample,
        "events": {"jet_bins": [{"label": "=6"}, {"label": "all"}], "categories": categories},
        "inclusive": {"efficiency": {} if efficiency is None else {"combined": ratio(efficiency)}},
    }


def test_spread_rows_group_a_method_with_its_replicas_on_each_sample():
    documents = [
        _metrics("spanet_sm", "hhh", 0.30),
        _metrics("spanet_sm_seed1", "hhh", 0.32),
        _metrics("spanet_sm_seed2", "hhh", 0.34),
        _metrics("spanet_sm", "hh_kl1", 0.80, efficiency=None),
        _metrics("spanet_sm_seed1", "hh_kl1", 0.84, efficiency=None),
        {"kind": "classification", "method": "spanet_kl_mixed_seed1", "sample": "s", "auc": 0.9, "accuracy": 0.8},
        {"kind": "classification", "method": "spanet_kl_mixed", "sample": "s", "auc": 0.88, "accuracy": 0.8},
    ]
    rows = {(row.method, row.sample, row.quantity): row.spread for row in spread_rows(documents)}
    hhh = rows["spanet_sm", "hhh", "event purity (1–H h)"]
    assert hhh.n == 3 and hhh.values == (0.30, 0.32, 0.34) and hhh.std == pytest.approx(0.02)
    assert rows["spanet_sm", "hhh", "H purity (H h)"].mean == pytest.approx(0.42)  # the "all" jet bin
    assert ("spanet_sm", "hh_kl1", "matching efficiency") not in rows  # no value: no row
    assert rows["spanet_kl_mixed", "s", "AUC"].values == (0.88, 0.9)  # replicas in seed order


def test_spread_rows_refuse_a_single_seed_and_duplicates():
    with pytest.raises(ValueError, match="one training seed"):
        spread_rows([_metrics("spanet_sm", "hhh", 0.3)])
    with pytest.raises(ValueError, match="two documents"):
        spread_rows([_metrics("spanet_sm", "hhh", 0.3), _metrics("spanet_sm", "hhh", 0.3)])


def test_cli_writes_the_three_tables(tmp_path):
    paths = []
    for index, (method, value) in enumerate((("spanet_sm", 0.3), ("spanet_sm_seed1", 0.36))):
        path = tmp_path / f"m{index}.json"
        path.write_text(json.dumps({**_metrics(method, "hhh", value), "schema_version": 1}))
        paths.append(str(path))
    out = {ext: tmp_path / f"spread.{ext}" for ext in ("md", "tex", "json")}
    assert (
        main(
            [*paths, "--output-md", str(out["md"]), "--output-tex", str(out["tex"]), "--output-json", str(out["json"])]
        )
        == 0
    )
    assert "0.300 / 0.360" in out["md"].read_text() and "0.330" in out["md"].read_text()
    document = json.loads(out["json"].read_text())
    assert document["rows"][0]["n"] == 2 and read_stamp(out["json"]) is not None  # stamped like every output
