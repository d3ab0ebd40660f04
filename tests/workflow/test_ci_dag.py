"""The whole DAG on config/ci.yaml, in a scratch working directory: every final target is built."""

from __future__ import annotations

import pytest
import yaml

from multihiggs.io.delphes import read_delphes, read_metadata


@pytest.mark.dag
def test_ci_dag_builds_every_target(tmp_path, snakemake, repo):
    result = snakemake(
        "--snakefile", str(repo / "Snakefile"), "--directory", str(tmp_path),
        "--workflow-profile", str(repo / "workflow/profiles/default"),
        "--configfile", str(repo / "config/ci.yaml"), "--cores", "2", "--resources", "gpu=1",
        timeout_s=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
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
