"""The sample catalogue derived from a configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from multihiggs.samples import (
    QCD_CLOSURE_SAMPLE,
    SampleSpec,
    analysis_samples,
    format_number,
    hh_sample_name,
    sample_specs,
)

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"


@pytest.mark.parametrize(("value", "token"), [(1, "1"), (2.45, "2p45"), (-5, "m5"), (1.0, "1"), (80, "80")])
def test_format_number(value, token):
    assert format_number(value) == token


@pytest.mark.parametrize("name", ["ci.yaml", "config.yaml", "paper.yaml"])
def test_every_config_defines_the_samples(name):
    config = yaml.safe_load((CONFIG_DIR / name).read_text())
    specs = sample_specs(config)
    assert hh_sample_name(1) in specs and "hhh" in specs and "qcd" in specs
    assert {spec.process for spec in specs.values()} == {"hh", "hhh", "qcd"}
    flat = config["samples"]["flat_mass"]
    assert sum(name.startswith(("hh_m", "hhh_m")) for name in specs) == len(flat["masses_gev"]) * len(flat["processes"])


def test_shards_cover_events_and_seeds_differ():
    spec = SampleSpec(name="hhh", process="hhh", n_events=1050, events_per_shard=500, seed=3, sqrt_s_gev=13000.0)
    assert spec.n_shards == 3
    assert [spec.shard_size(k) for k in range(3)] == [500, 500, 50]
    seeds = {spec.shard_seed(k) for k in range(3)}
    assert len(seeds) == 3
    assert spec.shard_seed(1) == SampleSpec.from_json(spec.to_json()).shard_seed(1)
    with pytest.raises(ValueError, match="shards 0..2"):
        spec.shard_size(3)


def test_spec_rejects_unknown_keys_and_process():
    with pytest.raises(ValueError, match="unknown keys"):
        SampleSpec.from_json('{"name": "x", "colour": 3}')
    with pytest.raises(ValueError, match="process must be"):
        SampleSpec(name="x", process="ttbar", n_events=1, events_per_shard=1, seed=0, sqrt_s_gev=1.0)


def _qcd(**options) -> SampleSpec:
    values = {"name": "qcd", "process": "qcd", "n_events": 2000, "events_per_shard": 400, "seed": 1, "sqrt_s_gev": 13e3}
    return SampleSpec(**(values | options))


@pytest.mark.parametrize(
    ("options", "key", "message"),
    [
        ({"g_to_bb_enhancement": 0.5}, "samples.qcd.g_to_bb_enhancement", "must be a finite number >= 1"),
        ({"g_to_bb_enhancement": float("inf")}, "samples.qcd.g_to_bb_enhancement", "must be a finite number >= 1"),
        ({"b_hard_fraction": 1.0}, "samples.qcd.b_hard_fraction", r"must be in \[0, 1\)"),
        ({"b_hard_fraction": -0.1}, "samples.qcd.b_hard_fraction", r"must be in \[0, 1\)"),
        ({"b_hard_fraction": 0.2, "n_events": 400}, "samples.qcd.b_hard_fraction", "at least one shard each"),
    ],
)
def test_qcd_enrichment_options_are_checked_naming_the_key(options, key, message):
    with pytest.raises(ValueError, match=message) as error:
        _qcd(**options)
    assert key in str(error.value)


def test_enrichment_options_are_for_qcd_only():
    with pytest.raises(ValueError, match="apply to QCD samples only"):
        SampleSpec(name="hhh", process="hhh", n_events=10, events_per_shard=10, seed=0, sqrt_s_gev=1.0,
                   b_hard_fraction=0.5)  # fmt: skip


@pytest.mark.parametrize(
    ("n_events", "fraction", "classes"),
    [
        (2000, 0.0, ["inclusive"] * 5),
        (2000, 0.2, ["light"] * 4 + ["b_hard"]),
        (2000, 0.5, ["light"] * 2 + ["b_hard"] * 3),  # 2.5 rounds half up
        (2000, 0.01, ["light"] * 4 + ["b_hard"]),  # at least one b-hard shard
        (2000, 0.99, ["light"] + ["b_hard"] * 4),  # at least one light shard
        (800, 0.3, ["light", "b_hard"]),
    ],
)
def test_shard_classes(n_events, fraction, classes):
    spec = _qcd(n_events=n_events, b_hard_fraction=fraction)
    assert [spec.hard_process_class(shard) for shard in range(spec.n_shards)] == classes
    assert spec.n_b_hard_shards == classes.count("b_hard")
    assert sum(spec.class_events(name) for name in set(classes)) == spec.n_events
    with pytest.raises(ValueError, match="shards 0.."):
        spec.hard_process_class(spec.n_shards)


def test_class_events_count_the_short_last_shard():
    spec = _qcd(n_events=1050, events_per_shard=500, b_hard_fraction=0.3)  # shards of 500, 500, 50
    assert [spec.hard_process_class(k) for k in range(3)] == ["light", "light", "b_hard"]
    assert (spec.class_events("light"), spec.class_events("b_hard")) == (1000, 50)


def test_spec_json_leaves_out_the_enrichment_options_at_their_defaults():
    """The spec of an unenriched sample is the JSON it was before the options existed (the shard jobs' parameter)."""
    plain = _qcd()
    assert "g_to_bb_enhancement" not in plain.to_json() and "b_hard_fraction" not in plain.to_json()
    assert SampleSpec.from_json(plain.to_json()) == plain
    enriched = _qcd(g_to_bb_enhancement=5.0, b_hard_fraction=0.2)
    assert '"b_hard_fraction": 0.2' in enriched.to_json()
    assert SampleSpec.from_json(enriched.to_json()) == enriched


def test_closure_sample_is_made_only_on_request_and_enters_no_analysis():
    config = yaml.safe_load((CONFIG_DIR / "ci.yaml").read_text())
    qcd = config["samples"]["qcd"]
    qcd.update(g_to_bb_enhancement=5.0, b_hard_fraction=0.2, closure_n_events=400)
    specs = sample_specs(config)
    closure = specs[QCD_CLOSURE_SAMPLE]
    assert (closure.process, closure.n_events) == ("qcd", 400)
    assert (closure.b_hard_fraction, closure.g_to_bb_enhancement) == (0, 1)
    assert (specs["qcd"].b_hard_fraction, specs["qcd"].g_to_bb_enhancement) == (0.2, 5.0)
    assert closure.bias_power == specs["qcd"].bias_power and closure.pthat_min_gev == specs["qcd"].pthat_min_gev
    assert closure.shard_seed(0) != specs["qcd"].shard_seed(0)
    assert all(QCD_CLOSURE_SAMPLE not in names for names in analysis_samples(specs).values())
    assert all(names[-1] == "qcd" for names in analysis_samples(specs).values())
    qcd.update(closure_n_events=0)
    assert QCD_CLOSURE_SAMPLE not in sample_specs(config)
    del qcd["closure_n_events"], qcd["b_hard_fraction"], qcd["g_to_bb_enhancement"]
    assert sample_specs(config)["qcd"].b_hard_fraction == 0 and QCD_CLOSURE_SAMPLE not in sample_specs(config)


def test_parton_jet_thinning_is_checked_for_qcd_only_and_left_out_of_the_json_when_off():
    with pytest.raises(ValueError, match="samples.qcd.parton_jet_thinning.keep_probability"):
        _qcd(parton_jet_thinning={"keep_probability": 0.0})
    with pytest.raises(ValueError, match="QCD samples only"):
        SampleSpec(name="hhh", process="hhh", n_events=10, events_per_shard=10, seed=0, sqrt_s_gev=1.0,
                   parton_jet_thinning={})  # fmt: skip
    assert "parton_jet_thinning" not in _qcd().to_json()
    thinned = _qcd(parton_jet_thinning={"keep_probability": 0.05})
    assert SampleSpec.from_json(thinned.to_json()) == thinned


def test_config_thinning_reaches_the_qcd_sample_with_every_field_but_not_the_closure_reference():
    config = yaml.safe_load((CONFIG_DIR / "ci.yaml").read_text())
    qcd = config["samples"]["qcd"]
    qcd.update(parton_jet_thinning={"keep_probability": 0.1}, closure_n_events=400)
    specs = sample_specs(config)
    thinning = specs["qcd"].parton_jet_thinning
    assert thinning["keep_probability"] == 0.1 and thinning["requirements"] == [[4, 35.0], [6, 20.0]]
    assert "veto_scale_gev" in thinning
    assert specs[QCD_CLOSURE_SAMPLE].parton_jet_thinning is None
    del qcd["parton_jet_thinning"]
    assert sample_specs(config)["qcd"].parton_jet_thinning is None
