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
    assert jobs["tag_rate_closure"] == 1  # the HH four-tag QCD uses the inclusive tag-rate model
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


def test_one_figure_plans_only_what_it_needs(snakemake, planned_jobs, repo, tmp_path):
    """`snakemake results/figures/purity_vs_pt.pdf` on a clean checkout: HHH chain only, no HH, no statistics."""
    result = snakemake(
        "results/figures/purity_vs_pt.pdf", "-n", "--directory", str(tmp_path), "--snakefile", str(repo / "Snakefile"),
        "--configfile", str(repo / "config/ci.yaml"), "--quiet", "rules",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    jobs = planned_jobs(result.stdout + result.stderr)
    assert jobs["figure"] == 1
    assert {"generate_shard", "convert_sample", "train_spanet", "predict_spanet", "baseline_predict"} <= set(jobs)
    for unrelated in (
        "kl_scan",
        "kl_templates",
        "train_selection_dnn",
        "validate_generator",
        "matching_table",
        "table",
    ):
        assert unrelated not in jobs
    assert "all" not in jobs
    # Only HHH signal is simulated: no HH or flat-mass HH sample, and the form-factor tables are gg -> HH only.
    assert "form_factor_table" not in jobs
    config = yaml.safe_load((repo / "config/ci.yaml").read_text())
    specs = sample_specs(config)
    hhh_chain = [name for name, spec in specs.items() if spec.process in ("hhh", "qcd")]
    assert jobs["generate_shard"] == sum(specs[name].n_shards for name in hhh_chain)


def test_training_commands_carry_the_per_analysis_options_and_background_cap(snakemake, repo, tmp_path):
    """spanet.analysis_options.<analysis> overrides spanet.options; background_per_signal reaches the merge."""
    config = yaml.safe_load((repo / "config/ci.yaml").read_text())
    config["spanet"]["options"]["epochs"] = 7
    config["spanet"]["analysis_options"] = {"hh": {"epochs": 31}}
    config["spanet"]["background_per_signal"] = {"sm": 0.5}
    path = tmp_path / "options.yaml"
    path.write_text(yaml.safe_dump(config))
    result = snakemake(
        "results/models/hh/spanet_sm/model.pt", "results/models/hhh/spanet_sm/model.pt", "-n", "-p",
        "--directory", str(tmp_path), "--snakefile", str(repo / "Snakefile"), "--configfile", str(path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    commands = [line for line in result.stdout.splitlines() if "multihiggs." in line]
    train = {analysis: next(c for c in commands if "spanet.train" in c and f"datasets/{analysis}/" in c)
             for analysis in ("hh", "hhh")}  # fmt: skip
    assert "--set epochs=31" in train["hh"] and "--set epochs=7" not in train["hh"]
    assert "--set epochs=7" in train["hhh"]
    merges = [c for c in commands if "convert.merge" in c]
    assert merges and all("--max-background-ratio 0.5" in c for c in merges)
