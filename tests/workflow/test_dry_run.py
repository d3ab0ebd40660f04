"""Planning the DAG: the default config plans every final target; bad configs fail naming the key."""

from __future__ import annotations

import shutil

import pytest
import yaml

from multihiggs.samples import sample_specs


def test_default_config_plans_every_sample_shard(snakemake, planned_jobs, repo):
    result = snakemake("-n", "--quiet", "rules")
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((repo / "config/config.yaml").read_text())
    specs = sample_specs(config)
    jobs = planned_jobs(result.stdout + result.stderr)
    assert jobs["generate_shard"] == sum(spec.n_shards for spec in specs.values())
    n_hh_masses = len({spec.higgs_mass_gev for spec in specs.values() if spec.process == "hh"})
    assert jobs["form_factor_table"] == n_hh_masses
    assert jobs["validate_generator"] == 1
    assert jobs["all"] == 1


def test_bad_config_names_the_key(tmp_path, snakemake, repo):
    config = yaml.safe_load((repo / "config/ci.yaml").read_text())
    config["samples"]["hhh"]["n_events"] = -3
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config))
    result = snakemake("-n", "--configfile", str(bad))
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "['samples']['hhh']['n_events']" in message and "-3 is less than the minimum" in message


def test_user_delphes_files_replace_generation(tmp_path, snakemake, planned_jobs, repo):
    config = yaml.safe_load((repo / "config/ci.yaml").read_text())
    user_file = tmp_path / "user_hhh.root"
    user_file.write_bytes(b"placeholder: only planned, never read in a dry run")
    config["inputs"]["delphes"] = {"hhh": [str(user_file)]}
    path = tmp_path / "user.yaml"
    path.write_text(yaml.safe_dump(config))
    result = snakemake("-n", "--configfile", str(path), "--quiet", "rules")
    assert result.returncode == 0, result.stderr
    jobs = planned_jobs(result.stdout + result.stderr)
    specs = sample_specs(config)
    assert jobs["generate_shard"] == sum(spec.n_shards for name, spec in specs.items() if name != "hhh")


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")
def test_rulegraph_renders(snakemake):
    result = snakemake("--rulegraph")
    assert result.returncode == 0 and "digraph" in result.stdout
