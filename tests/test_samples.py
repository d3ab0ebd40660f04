"""The sample catalogue derived from a configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from multihiggs.samples import SampleSpec, format_number, hh_sample_name, sample_specs

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
