"""Reference-SPANet predictions (config inputs.reference_predictions) join the evaluation as one more method."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from multihiggs.samples import analysis_samples, hh_sample_name, sample_specs

METHOD = "reference_spanet"


def ci_config(repo: Path) -> dict:
    return yaml.safe_load((repo / "config/ci.yaml").read_text())


def test_samples(config: dict, analysis: str) -> list[str]:
    """The samples every method of an analysis predicts (non-flat-mass signal and QCD), as common.smk."""
    samples = analysis_samples(sample_specs(config))[analysis]
    return [name for name in samples if not name.startswith(f"{analysis}_m")]


test_samples.__test__ = False  # a helper, not a test


def declare(config: dict, tmp_path: Path, analysis: str, **extra) -> dict:
    """Declare METHOD for ``analysis`` with a (placeholder) prediction file per test sample."""
    entry = {"analysis": analysis, "files": {}, **extra}
    for name in test_samples(config, analysis):
        entry["files"][name] = str(tmp_path / f"{name}_test_prediction.h5")
    for path in entry["files"].values():
        Path(path).write_bytes(b"placeholder: only planned, never read in a dry run")
    config["inputs"]["reference_predictions"] = {METHOD: entry}
    return config


def dry_run(snakemake, repo: Path, tmp_path: Path, config: dict, *targets: str, printshell: bool = False):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return snakemake(
        *targets, "-n", *(["-p"] if printshell else ["--quiet", "rules"]), "--directory", str(tmp_path / "work"),
        "--snakefile", str(repo / "Snakefile"), "--configfile", str(path),
    )  # fmt: skip


def test_reference_method_gets_table_rows_and_figure_lines(snakemake, planned_jobs, repo, tmp_path):
    config = declare(ci_config(repo), tmp_path, "hhh", resolved_count="detection")
    targets = ["results/tables/event_purity.md", "results/tables/sculpting.md", "results/figures/purity_vs_pt.pdf"]
    result = dry_run(snakemake, repo, tmp_path, config, *targets, printshell=True)
    assert result.returncode == 0, result.stderr
    output = result.stdout
    jobs = planned_jobs(output)
    assert jobs["import_reference_predictions"] == len(test_samples(config, "hhh")) == 2
    for sample in ("hhh", "qcd"):
        prediction = f"results/predictions/hhh/{METHOD}/test/{sample}.h5"
        command = next(line for line in output.splitlines() if f"-o {prediction}" in line)
        assert "python -m multihiggs.spanet.reference_import " in command
        assert f"{tmp_path}/{sample}_test_prediction.h5 --test results/h5/hhh/{sample}/test.h5" in command
        assert f"--method {METHOD} --n-higgs 3 --resolved-count detection" in command
    for metrics in ("hhh.json", "qcd_sculpting.json"):  # rows of event_purity / sculpting, line of purity_vs_pt
        assert f"results/metrics/hhh/{METHOD}/{metrics}" in output
    comparisons = [
        line for line in output.splitlines() if line.strip().startswith("input:") and "chi2/hhh.json" in line
    ]
    assert len(comparisons) == 2  # event_purity table, purity_vs_pt figure
    assert all(f"results/metrics/hhh/{METHOD}/hhh.json" in line for line in comparisons)


def test_hh_reference_method_joins_the_kl_figure_and_efficiency_table(snakemake, planned_jobs, repo, tmp_path):
    config = declare(ci_config(repo), tmp_path, "hh")
    targets = ["results/tables/efficiency_by_njets.md", "results/figures/kl_dependence.pdf"]
    result = dry_run(snakemake, repo, tmp_path, config, *targets, printshell=True)
    assert result.returncode == 0, result.stderr
    hh_kl_samples = [hh_sample_name(kappa) for kappa in config["samples"]["hh"]["kappa_lambdas"]]
    assert planned_jobs(result.stdout)["import_reference_predictions"] == len(hh_kl_samples)
    for sample in hh_kl_samples:
        assert f"results/metrics/hh/{METHOD}/{sample}.json" in result.stdout
    assert f"'{METHOD} on hh_kl1'" in result.stdout and f"'{METHOD} on hh_kl5'" in result.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda entry: entry["files"].pop("qcd"), "reference_spanet.files lacks the prediction files of ['qcd']"),
        (lambda entry: entry["files"].update(hh_kl1="x.h5"), "names samples that hhh does not have: ['hh_kl1']"),
        (lambda entry: entry.update(analysis="hhhh"), "'hhhh' is not one of ['hh', 'hhh']"),
        (lambda entry: entry.update(checkpoint="x"), "Additional properties are not allowed ('checkpoint'"),
    ],
)
def test_bad_reference_declarations_name_the_key(snakemake, repo, tmp_path, change, message):
    config = declare(ci_config(repo), tmp_path, "hhh")
    change(config["inputs"]["reference_predictions"][METHOD])
    result = dry_run(snakemake, repo, tmp_path, config)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "message"), [("chi2", "names a method of the workflow"), ("spanet_ref", "does not match")]
)
def test_reference_method_names_stay_free(snakemake, repo, tmp_path, name, message):
    config = declare(ci_config(repo), tmp_path, "hhh")
    config["inputs"]["reference_predictions"] = {name: config["inputs"]["reference_predictions"][METHOD]}
    result = dry_run(snakemake, repo, tmp_path, config)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
