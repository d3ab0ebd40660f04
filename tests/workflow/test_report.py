"""The HTML report (`snakemake --report`) builds from a few workflow outputs and shows images, not PDF links."""

from __future__ import annotations

import json

import pytest

HISTORY = [
    {"epoch": 1, "train_loss": 2.0, "val_loss": 1.8, "val_purity": 0.2},
    {"epoch": 2, "train_loss": 1.5, "val_loss": 1.2, "val_purity": 0.4},
]
TARGETS = ("results/figures/training/hh_spanet_sm.png", "results/report/overview.html", "results/report/rulegraph.svg")
#: Our workflow plus a stand-in rule `reproduction_table` (unless the workflow has one): the overview's hook.
WRAPPER = """include: "{snakefile}"


if not workflow.is_rule("reproduction_table"):

    rule reproduction_table:
        output:
            "results/tables/reproduction.md",
        shell:
            "exit 1"
"""


@pytest.mark.slow
def test_report_builds_with_images_captions_and_the_reproduction_hook(tmp_path, snakemake, repo, report_results):
    # The wrapper's directory stands in for the repository (REPO_DIR is the Snakefile's directory).
    workflow_dir, work = tmp_path / "workflow", tmp_path / "work"
    workflow_dir.mkdir()
    for name in ("config", "docs", "workflow"):
        (workflow_dir / name).symlink_to(repo / name)
    (workflow_dir / "Snakefile").write_text(WRAPPER.format(snakefile=repo / "Snakefile"))
    # Inputs of the rules under test, as training and the κλ scan (and the reproduction rule) would leave them.
    metrics = work / "results/models/hh/spanet_sm/metrics.json"
    metrics.parent.mkdir(parents=True)
    metrics.write_text(json.dumps(HISTORY))
    tables = work / "results/tables"
    tables.mkdir(parents=True)
    (tables / "kl_limits.md").write_text("| Method | PL 95% lower |\n|---|---|\n| chi2 | -1.50 |\n", encoding="utf-8")
    (tables / "reproduction.md").write_text("| Quantity | ours | published |\n|---|---|---|\n| purity | 0.5 | 0.6 |\n")
    common = [
        "--snakefile", str(workflow_dir / "Snakefile"), "--directory", str(work),
        "--configfile", str(repo / "config/ci.yaml"),
        "--allowed-rules", "training_curves", "report_overview", "report_rulegraph",
    ]  # fmt: skip
    run = snakemake(*common, "--cores", "1", *TARGETS, timeout_s=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    built = snakemake(*common, "--report", str(tmp_path / "report.html"), *TARGETS, timeout_s=120)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]

    results = report_results(tmp_path / "report.html")
    assert set(results) == set(TARGETS)
    curves = results["results/figures/training/hh_spanet_sm.png"]
    assert curves["mime_type"] == "image/png" and curves["data_uri"].startswith("data:image/png")
    assert "marks the kept" in curves["caption"] and "spanet_sm" in curves["caption"]
    assert results["results/report/rulegraph.svg"]["mime_type"] == "image/svg+xml"
    overview = (work / "results/report/overview.html").read_text(encoding="utf-8")
    assert "<td>chi2</td>" in overview and "<td>purity</td><td>0.5</td><td>0.6</td>" in overview
    page = (tmp_path / "report.html").read_text()
    assert '"1 Overview": {' in page and '"4 Training": {' in page
    assert "system-message" not in page  # captions and the workflow description are clean reStructuredText
