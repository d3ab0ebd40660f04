"""The method tables: names, b-tag suffixes, the config check naming its key, and tables matching implementations."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from baselines.events import build_events

from multihiggs import methods
from multihiggs.baselines.predict import resolved_candidates
from multihiggs.methods import (
    BASELINES,
    SPANET_VARIANTS,
    SpanetVariant,
    check_config_methods,
    merge_arguments,
    method_btag,
    method_family,
    method_label,
    method_with_btag,
    split_btag,
    split_stats_selection,
)

REPO = Path(__file__).resolve().parents[1]
CONFIGS = sorted((REPO / "config").glob("*.yaml"))


def _config(name: str = "ci.yaml") -> dict:
    return yaml.safe_load((REPO / "config" / name).read_text())


@pytest.mark.parametrize("path", [path for path in CONFIGS if path.name != "seed_claims.yaml"], ids=lambda p: p.name)
def test_shipped_configs_choose_declared_methods(path):
    check_config_methods(yaml.safe_load(path.read_text()))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["spanet"]["variants"]["hh"].append("sm_v2"), r"spanet\.variants\.hh: unknown name"),
        (lambda c: c["spanet"]["variants"]["hhh"].append("kl_mixed"), r"spanet\.variants\.hhh: \['kl_mixed'\] cannot"),
        (lambda c: c["baselines"]["methods"]["hhh"].append("min_delta_r"), r"methods\.hhh: \['min_delta_r'\]"),
        (lambda c: c["baselines"]["methods"]["hh"].append("chi3"), r"baselines\.methods\.hh: unknown name"),
        (lambda c: c["stats"]["methods"].append("spanet_chi2"), r"stats\.methods: unknown method"),
        (lambda c: c["stats"]["methods"].append("spanet_sm_dnn"), r"stats\.methods: unknown method"),  # no head
        (lambda c: c["spanet"].update(background_per_signal={"btag_upgrade": 1.0}), r"spanet\.background_per_signal"),
    ],
)
def test_config_check_names_the_key(edit, message):
    config = copy.deepcopy(_config())
    edit(config)
    with pytest.raises(ValueError, match=message):
        check_config_methods(config)


def test_method_names_and_btag_suffixes():
    assert method_with_btag("chi2", "UParT") == "chi2_upart"
    assert split_btag("chi2_upart") == ("chi2", "UParT") and split_btag("chi2") == ("chi2", "")
    assert method_btag("chi2_upart", "CSV") == "UParT" and method_btag("chi2", "CSV") == "CSV"
    assert method_btag("spanet_btag_upgrade", "CSV") == "UParT" and method_btag("spanet_sm", "CSV") == "CSV"
    assert method_family("spanet_btag_upgrade") == "spanet_sm" and method_family("chi2_upart") == "chi2"
    assert method_family("reference_spanet") == "reference_spanet"
    assert method_label("spanet_sm") == "SPA-Net (SM)" and method_label("reference_spanet") == ""
    assert SPANET_VARIANTS["btag_upgrade"].comparison_baseline() == "chi2_upart"
    assert SPANET_VARIANTS["sm"].comparison_baseline() == ""


def test_a_head_variant_selected_by_a_dnn_in_the_fit():
    assert SPANET_VARIANTS["kl_mixed"].classification_head and not SPANET_VARIANTS["sm"].classification_head
    assert split_stats_selection("spanet_kl_mixed_dnn") == ("spanet_kl_mixed", True)
    assert split_stats_selection("spanet_kl_mixed") == ("spanet_kl_mixed", False)
    assert split_stats_selection("spanet_sm_dnn") == ("spanet_sm_dnn", False)  # no head to replace
    assert split_stats_selection("chi2") == ("chi2", False)
    assert method_label("spanet_kl_mixed_dnn") == method_label("spanet_kl_mixed") + " + DNN"


def test_variants_are_consistent():
    for variant in SPANET_VARIANTS.values():
        assert variant.dataset_variant in SPANET_VARIANTS
        assert SPANET_VARIANTS[variant.dataset_variant].dataset_variant == variant.dataset_variant
        assert set(variant.analyses) <= set(SPANET_VARIANTS[variant.dataset_variant].analyses)
        for analysis in variant.analyses:
            assert (REPO / "config" / "event_files" / f"{variant.event_file_name(analysis)}.yaml").is_file()
        if variant.compared_with:
            assert variant.compared_with in BASELINES
        if variant.upgrade_of:
            assert variant.upgrade_of in SPANET_VARIANTS
    assert [name for name, v in SPANET_VARIANTS.items() if v.classification_head] == ["kl_mixed"]
    assert [name for name, v in SPANET_VARIANTS.items() if v.kl_input] == ["kl_mixed"]
    with pytest.raises(ValueError, match="signal"):
        SpanetVariant("new", "New", analyses=("hh",), signal="ttbar")


def test_merge_arguments_follow_the_signal_kind():
    assert merge_arguments(SPANET_VARIANTS["sm"], [1.0, 5.0]) == []
    assert merge_arguments(SPANET_VARIANTS["kl_mixed"], [1.0, 5.0]) == ["--balance", "--kl-random-from", "1.0", "5.0"]
    assert merge_arguments(SPANET_VARIANTS["flat_mass"], []) == ["--flatten-mass"]


@pytest.mark.parametrize("name", [name for name, baseline in BASELINES.items() if not baseline.uses_bdt])
def test_every_resolved_baseline_of_the_table_is_implemented(name):
    events = build_events(6, (125.0, 125.0), n_extra=1, seed=3)
    candidates = resolved_candidates(name, events.jets, 2)
    assert candidates.jet_pairs.shape[:2] == (6, 2)
    if "hhh" in BASELINES[name].analyses:
        three = build_events(6, (125.0, 125.0, 125.0), seed=3)
        assert resolved_candidates(name, three.jets, 3).jet_pairs.shape[:2] == (6, 3)


def test_module_imports_nothing_of_the_package():
    source = Path(methods.__file__).read_text()
    assert "from multihiggs" not in source and "import multihiggs" not in source
