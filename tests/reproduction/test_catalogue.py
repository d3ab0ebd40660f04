"""The claims catalogue: group defaults, variables, checks; the shipped catalogue covers every seed document."""

import re
from pathlib import Path

import pytest

from multihiggs.reproduction.catalogue import Comparison, load_catalogue, parse_catalogue
from multihiggs.reproduction.expressions import required_sources

REPO = Path(__file__).resolve().parents[2]
SOURCES = {"doc": "A seed document"}


def catalogue(*groups, comparisons=None):
    return {"sources": SOURCES, "comparisons": comparisons or {"purity": {"kind": "absolute", "tolerance": 0.05}},
            "groups": list(groups)}  # fmt: skip


def test_groups_give_defaults_and_claims_fill_variables():
    group = {
        "id": "g", "source": "doc", "where": "Table 1", "note": "setup", "compare": "purity", "unit": "%",
        "ours": {"metric": {"analysis": "hh", "method": "{method}", "sample": "s", "path": "x[{bin}]"}},
        "claims": [
            {"id": "a", "quantity": "{method} in bin {bin}", "seed": 0.5, "vars": {"method": "chi2", "bin": 0}},
            {"id": "b", "quantity": "b", "seed": {"value": 0.4, "uncertainty": 0.01}, "note": "own remark",
             "compare": {"use": "purity", "tolerance": 0.1}, "vars": {"method": "spanet_sm", "bin": 1}},
        ],
    }  # fmt: skip
    first, second = parse_catalogue(catalogue(group)).claims
    assert (first.id, first.group, first.quantity, first.unit) == ("g-a", "g", "chi2 in bin 0", "%")
    assert first.ours["metric"] == {"analysis": "hh", "method": "chi2", "sample": "s", "path": "x[0]"}
    assert first.comparison.tolerance == 0.05 and second.comparison.tolerance == 0.1
    assert (second.seed, second.seed_uncertainty) == (0.4, 0.01)
    assert (second.note, second.remark, second.full_note) == ("setup", "own remark", "setup own remark")


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        ({"id": "x", "source": "other", "out_of_scope": "r"}, "source must be one of"),
        ({"id": "x", "source": "doc", "seed": 1.0}, "exactly one of"),
        ({"id": "x", "source": "doc", "out_of_scope": "r", "not_measured": "r"}, "exactly one of"),
        ({"id": "x", "source": "doc", "ours": {"scan": {"path": "p"}}, "seed": 1.0}, "needs compare"),
        ({"id": "x", "source": "doc", "ours": {"scan": {"path": "p"}}, "compare": "purity"}, "numeric seed"),
        (
            {"id": "x", "source": "doc", "ours": {"scan": {"path": "p"}}, "compare": "median", "seed": 1},
            "unknown comparison",
        ),
        ({"id": "x", "source": "doc", "out_of_scope": "r", "colour": "red"}, "unknown keys"),
        ({"id": "x", "source": "doc", "out_of_scope": "r", "unit": "GeV"}, "unit must be"),
    ],
)
def test_inconsistent_claims_are_refused_by_id(claim, message):
    with pytest.raises(ValueError, match=message):
        parse_catalogue(catalogue(claim))


def test_comparison_settings_are_checked():
    bad = {"kind": "absolute", "tolerance": 0.1, "qualitative": 0.05}
    with pytest.raises(ValueError, match="qualitative tolerance"):
        parse_catalogue(
            catalogue({"id": "x", "source": "doc", "seed": 1, "compare": bad, "ours": {"scan": {"path": "p"}}})
        )
    with pytest.raises(ValueError, match="pivot"):
        same_side = {"kind": "relative", "tolerance": 0.1, "qualitative": "same_side"}
        parse_catalogue(
            catalogue({"id": "x", "source": "doc", "seed": 1, "compare": same_side, "ours": {"scan": {"path": "p"}}})
        )


def test_duplicate_ids_are_refused():
    claim = {"id": "x", "source": "doc", "out_of_scope": "r"}
    with pytest.raises(ValueError, match="duplicate claim ids"):
        parse_catalogue(catalogue(claim, claim))


def test_the_shipped_catalogue_covers_every_seed_document():
    shipped = load_catalogue(REPO / "config/seed_claims.yaml")
    assert set(shipped.sources) == {
        "li2023hhh",
        "fenton2021spanet",
        "spanet_hh_hhh_2024",
        "hsieh_spanet2",
        "leyva2025nuflows",
    }
    by_source = {key: [claim for claim in shipped.claims if claim.source == key] for key in shipped.sources}
    assert all(by_source.values())
    # fenton2021spanet and leyva2025nuflows are about processes we do not simulate: every claim out of scope, with
    # its reason
    assert all(claim.out_of_scope for key in ("fenton2021spanet", "leyva2025nuflows") for claim in by_source[key])
    tables = {int(n) for claim in by_source["hsieh_spanet2"] for n in re.findall(r"\d+", claim.where)}
    assert {1, 2, 7, 8, 10, 11, 13, 14, 15, 16, 17} <= tables
    sets = {"kl_mixed": ["hh_kl1", "hh_kl5"], "hh_kl": ["hh_kl1", "hh_kl5"]}
    paths = {ref.path for ref in required_sources(shipped.claims, sets)}
    assert "metrics/hh/chi2_leading_pt/hh_kl1.json" in paths and "stats/hh/kl_scan.json" in paths


def test_tolerances_are_described_in_the_claims_unit():
    assert Comparison("absolute", 0.05, 0.15).describe("%") == "±5 pts; qual.: ±15 pts"
    assert Comparison("absolute", 1.0, 3.0).describe() == "±1; qual.: ±3"
    assert Comparison("relative", 0.25, "same_side", pivot=1.0).describe("gain") == "±25 % rel.; qual.: same side of 1"
    assert Comparison("ordering").describe() == "order as claimed (±2σ)"
