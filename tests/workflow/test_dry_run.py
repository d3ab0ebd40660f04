"""Planning the DAG: the default config plans every final target; bad configs fail naming the key."""

from __future__ import annotations

import re
import shutil
import subprocess
from xml.etree import ElementTree

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
    assert jobs["reproduction_classification"] == 4  # κλ-mixed head; DNN on min-ΔR, SM and κλ-mixed SPA-Net
    assert {"evaluate_method", "evaluate_sculpting", "baseline_predict", "predict_spanet"} <= set(jobs)
    unrelated = {"figure", "table", "matching_table", "validate_generator", "kl_outputs", "tag_rate_closure", "all"}
    assert not unrelated & set(jobs)
    assert not [rule for rule in jobs if rule.startswith(("report", "publish", "provenance", "preview"))]
