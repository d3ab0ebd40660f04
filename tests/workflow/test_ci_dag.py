"""The whole DAG on config/ci.yaml, in a scratch working directory: every final target is built."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from multihiggs.io.delphes import read_delphes, read_metadata
from multihiggs.io.stamps import READERS
from multihiggs.publish.hepdata_submission import validation_messages


@pytest.mark.dag
def test_ci_dag_builds_every_target(tmp_path, snakemake, repo, report_results):
    workflow = ["--snakefile", str(repo / "Snakefile"), "--directory", str(tmp_path),
                "--configfile", str(repo / "config/ci.yaml")]  # fmt: skip
    # The timeout is a safety net, not the budget: this DAG took 6 min on 2026-12-06 and 14 on 2026-12-07 (same code).
    result = snakemake(
        *workflow, "--workflow-profile", str(repo / "workflow/profiles/default"), "--cores", "2",
        "--resources", "gpu=1", timeout_s=1800,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    # The HTML report: every PDF figure is shown through its PNG preview; it opens with the overview.
    report = snakemake(*workflow, "--report", str(tmp_path / "report.html"), timeout_s=300)
    assert report.returncode == 0, report.stdout[-4000:] + report.stderr[-4000:]
    results = report_results(tmp_path / "report.html")
    pdfs = sorted(path.relative_to(tmp_path) for path in (tmp_path / "results").rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        preview = str(pdf.with_suffix(".png"))
        assert preview in results and results[preview]["mime_type"] == "image/png", f"{pdf}: no PNG in the report"
    assert {"results/report/overview.html", "results/report/rulegraph.svg"} <= set(results)
    assert not any(path.endswith(".pdf") for path in results)
    config = yaml.safe_load((repo / "config/ci.yaml").read_text())
    shard = tmp_path / "results/samples/hhh/shard0.root"
    metadata = read_metadata(shard)
    assert metadata["sample"] == "hhh" and metadata["n_events"] == config["generation"]["events_per_shard"]
    arrays = read_delphes(shard, ["Jet.PT", "FatJet.SoftDroppedMass", "Particle.PID", "Event.Weight"])
    assert len(arrays["Jet.PT"]) == metadata["n_events"]
    for name in ["hh_cross_section_ratios.pdf", "hh_cross_section_ratios.md", "jet_multiplicities.md"]:
        assert (tmp_path / "results/validation" / name).stat().st_size > 0
    for name in ["purity_vs_pt.pdf", "efficiency_vs_pt.pdf", "mass_sculpting_qcd.pdf", "kl_scan.pdf", "kl_cls.pdf"]:
        assert (tmp_path / "results/figures" / name).stat().st_size > 0
    for name in ["event_purity.md", "kl_limits.md", "matching_hhh.md"]:
        assert "|" in (tmp_path / "results/tables" / name).read_text()
    index = json.loads((tmp_path / "results/provenance.json").read_text())  # every output stamped by this config
    assert [path for path in index["unstamped"] if Path(path).suffix in READERS] == []  # e.g. not the copied svg
    stamps = [stamp for stamp in index["outputs"].values() if stamp is not None]
    assert len(stamps) > 100 and {(stamp["config_sha256"], stamp["seed"]) for stamp in stamps} == {
        (index["collected_by"]["config_sha256"], config["seed"])
    }
    assert any(path.endswith(".json.provenance") for path in map(str, (tmp_path / "results/stats").rglob("*")))
    # The HEPData record (validated when written) and the paper's numbers as LaTeX macros.
    assert validation_messages(archive=tmp_path / "results/hepdata/submission.tar.gz") == []
    assert "\\newcommand{\\mhTestEventsHhh}" in (tmp_path / "results/tables/numbers.tex").read_text()
