"""Planning the DAG: the default config plans every final target; bad configs fail naming the key."""

from __future__ import annotations

import re
import shutil
import subprocess
from xml.etree import ElementTree

import pytest
import yaml

from multihiggs.samples import HH_CLOSURE_SAMPLE, analysis_samples, sample_specs


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


def _dot_graph(dot: str) -> tuple[set[str], set[tuple[str, str]]]:
    """(rule names, (rule, dependent rule) edges) of ``snakemake --rulegraph`` output."""
    labels = dict(re.findall(r'^\s*(\d+)\[label = "([^"]+)"', dot, flags=re.MULTILINE))
    edges = re.findall(r"^\s*(\d+) -> (\d+)", dot, flags=re.MULTILINE)
    return set(labels.values()), {(labels[a], labels[b]) for a, b in edges}


def _svg_graph(svg: str) -> tuple[set[str], set[tuple[str, str]]]:
    """(rule names, edges) of the rule graph drawn by Graphviz: node titles are ids, their text the rule names."""
    namespace = {"svg": "http://www.w3.org/2000/svg"}
    groups = ElementTree.fromstring(svg).iterfind(".//svg:g", namespace)
    labels, edges = {}, []
    for group in groups:
        title = group.findtext("svg:title", namespaces=namespace)
        if group.get("class") == "node":
            labels[title] = group.findtext("svg:text", namespaces=namespace)
        elif group.get("class") == "edge":
            edges.append(title.split("->"))
    return set(labels.values()), {(labels[a], labels[b]) for a, b in edges}


@pytest.fixture
def rulegraph(snakemake) -> str:
    """``snakemake --rulegraph`` of the default configuration (what ``make dag`` draws)."""
    result = snakemake("--rulegraph")
    assert result.returncode == 0 and "digraph" in result.stdout, result.stderr
    return result.stdout


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed (.ci/run installs it)")
def test_rulegraph_renders(rulegraph):
    svg = subprocess.run(["dot", "-Tsvg"], input=rulegraph, capture_output=True, text=True, check=True).stdout
    rules, edges = _svg_graph(svg)
    assert (rules, edges) == _dot_graph(rulegraph) and "all" in rules and edges


def test_committed_rulegraph_shows_the_rules_of_the_workflow(rulegraph, repo):
    """docs/rulegraph.svg has exactly the rules and dependencies of the workflow: after adding a rule, `make dag`."""
    committed_rules, committed_edges = _svg_graph((repo / "docs/rulegraph.svg").read_text())
    rules, edges = _dot_graph(rulegraph)
    assert committed_rules == rules, f"`make dag`: missing {rules - committed_rules}, stale {committed_rules - rules}"
    assert committed_edges == edges, f"`make dag`: missing {edges - committed_edges}, stale {committed_edges - edges}"


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
    hhh_chain = analysis_samples(specs)["hhh"]  # HHH signal and QCD; not qcd_inclusive (the stitching closure's)
    assert jobs["generate_shard"] == sum(specs[name].n_shards for name in hhh_chain)


def test_training_commands_carry_the_per_analysis_options_and_background_cap(snakemake, repo, tmp_path):
    """spanet.analysis_options.<analysis> overrides spanet.options, which override the variant's own options;
    background_per_signal reaches the merge."""
    config = yaml.safe_load((repo / "config/ci.yaml").read_text())
    config["spanet"]["options"]["epochs"] = 7
    config["spanet"]["analysis_options"] = {"hh": {"epochs": 31}}
    config["spanet"]["background_per_signal"] = {"sm": 0.5}
    path = tmp_path / "options.yaml"
    path.write_text(yaml.safe_dump(config))
    result = snakemake(
        "results/models/hh/spanet_sm/model.pt", "results/models/hhh/spanet_sm/model.pt",
        "results/models/hh/spanet_kl_mixed/model.pt", "-n", "-p",
        "--directory", str(tmp_path), "--snakefile", str(repo / "Snakefile"), "--configfile", str(path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    commands = [line for line in result.stdout.splitlines() if "multihiggs." in line]
    train = {analysis: next(c for c in commands if "spanet.train" in c and f"datasets/{analysis}/sm/" in c)
             for analysis in ("hh", "hhh")}  # fmt: skip
    assert "--set epochs=31" in train["hh"] and "--set epochs=7" not in train["hh"]
    assert "--set epochs=7" in train["hhh"]
    # every variant starts from the base options; a variant's own overrides (multihiggs.methods) come before config's
    kl_mixed = next(c for c in commands if "spanet.train" in c and "datasets/hh/kl_mixed/" in c)
    assert all("config/options/base.json" in c for c in (kl_mixed, *train.values()))
    assert "--set epochs=31" in kl_mixed
    assert "--set classification_loss_scale=1.0 --set " in kl_mixed.split("--restart-changed")[1][:50]
    assert "classification_loss_scale" not in train["hh"]
    merges = [c for c in commands if "convert.merge" in c and "datasets/hh/kl_mixed/" not in c]
    assert merges and all("--background-per-signal 0.5" in c for c in merges)
    kl_merges = [c for c in commands if "convert.merge" in c and "datasets/hh/kl_mixed/" in c]
    assert kl_merges and all("--balance --kl-random-from" in c for c in kl_merges)


def test_reproduction_table_plans_only_what_its_claims_read(snakemake, planned_jobs, repo, tmp_path):
    """`snakemake results/tables/reproduction.md`: the claims' result files (metrics, sculpting, κλ scan, one-split
    classification, the HHH matching fractions) and nothing else: no figure, table, validation or report."""
    result = snakemake(
        "results/tables/reproduction.md", "-n", "--directory", str(tmp_path), "--snakefile", str(repo / "Snakefile"),
        "--configfile", str(repo / "config/ci.yaml"), "--quiet", "rules",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    jobs = planned_jobs(result.stdout + result.stderr)
    assert jobs["reproduction_table"] == 1 and jobs["kl_scan"] == 1
    # κλ-mixed head; DNN on min-ΔR, SM and κλ-mixed SPA-Net; and on the SM replica (ci trains spanet_sm twice)
    assert jobs["reproduction_classification"] == 5
    # hh: sm, kl_mixed, resolved (hsieh_spanet2 Table 1), sm_seed1; hhh: sm, flat_mass, btag_upgrade, resolved
    # (li2023hhh), sm_seed1
    assert jobs["train_spanet"] == 9
    assert {"evaluate_method", "evaluate_sculpting", "baseline_predict", "predict_spanet"} <= set(jobs)
    unrelated = {"figure", "table", "matching_table", "validate_generator", "kl_outputs", "tag_rate_closure", "all"}
    assert not unrelated & set(jobs)
    assert not [rule for rule in jobs if rule.startswith(("report", "publish", "provenance", "preview"))]


def _planned_rules(snakemake, planned_jobs, repo, tmp_path, name, config) -> dict[str, int]:
    """Jobs per rule of a dry run of ``config`` (written as ``tmp_path/name.yaml``)."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    result = snakemake(
        "-n", "--quiet", "rules", "--directory", str(tmp_path), "--snakefile", str(repo / "Snakefile"),
        "--configfile", str(path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return planned_jobs(result.stdout + result.stderr)


def test_qcd_closure_sample_feeds_the_closure_test_only(snakemake, planned_jobs, repo, tmp_path):
    """qcd_inclusive (samples.qcd.closure_n_events > 0) is simulated for rule qcd_stitching_closure and converted for
    no analysis; without it there is no closure job and no such sample."""
    config = yaml.safe_load((repo / "config/ci.yaml").read_text())
    config["samples"]["hh"]["closure_n_events"] = 0  # the signal closure's own sample: test_signal_closure_sample…
    counts = {}
    for closure_n_events in (400, 0):
        config["samples"]["qcd"]["closure_n_events"] = closure_n_events
        counts[closure_n_events] = _planned_rules(
            snakemake, planned_jobs, repo, tmp_path, f"closure{closure_n_events}", config
        )
        specs = sample_specs(config)
        assert counts[closure_n_events]["generate_shard"] == sum(spec.n_shards for spec in specs.values())
        converted = sum(len(names) for names in analysis_samples(specs).values())
        assert counts[closure_n_events]["convert_sample"] == converted
    assert counts[400]["qcd_stitching_closure"] == 1 and "qcd_stitching_closure" not in counts[0]
    assert counts[400]["generate_shard"] == counts[0]["generate_shard"] + 1  # one shard of 400 events
    assert counts[400]["convert_sample"] == counts[0]["convert_sample"]


def test_signal_closure_sample_is_converted_with_the_cut_for_the_closure_only(snakemake, planned_jobs, repo, tmp_path):
    """hh_closure (samples.hh.closure_n_events > 0, signal tag-rate weights on) is simulated and converted (with the
    b-tag cut) for rule signal_tag_rate_closure only; without it, or without signal tag-rate weights, no such job."""
    config = yaml.safe_load((repo / "config/ci.yaml").read_text())
    config["samples"]["qcd"]["closure_n_events"] = 0
    counts = {}
    for name, n_events, tag_rate in (("on", 800, True), ("off", 0, True), ("cut", 800, False)):
        config["samples"]["hh"]["closure_n_events"] = n_events
        config["conversion"]["signal_tag_rate_weights"] = tag_rate
        counts[name] = _planned_rules(snakemake, planned_jobs, repo, tmp_path, f"closure_{name}", config)
    assert counts["on"]["signal_tag_rate_closure"] == 1
    assert "signal_tag_rate_closure" not in counts["off"] and "signal_tag_rate_closure" not in counts["cut"]
    assert counts["on"]["convert_sample"] == counts["off"]["convert_sample"] + 1
    assert counts["cut"]["generate_shard"] == counts["off"]["generate_shard"]
    result = snakemake(
        "-n", "-p", f"results/h5/hh/{HH_CLOSURE_SAMPLE}/test.h5", "--directory", str(tmp_path), "--snakefile",
        str(repo / "Snakefile"), "--configfile", str(tmp_path / "closure_on.yaml"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "--four-tag" in result.stdout and "--tag-rate-weights" not in result.stdout
