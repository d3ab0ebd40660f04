"""Planning the DAG: the default config plans every final target; bad configs fail naming the key."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from multihiggs.samples import sample_specs

REPO = Path(__file__).resolve().parents[2]


def snakemake(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def planned_jobs(output: str) -> dict[str, int]:
    """Job counts from the table Snakemake prints for a dry run."""
    counts = {}
    for line in output.splitlines():
        match = re.fullmatch(r"\s*(\w+)\s+(\d+)\s*", line)
        if match and match.group(1) != "total":
            counts[match.group(1)] = int(match.group(2))
    return counts


def test_default_config_plans_every_sample_shard():
    result = snakemake("-n", "--quiet", "rules")
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    specs = sample_specs(config)
    jobs = planned_jobs(result.stdout + result.stderr)
    assert jobs["generate_shard"] == sum(spec.n_shards for spec in specs.values())
    n_hh_masses = len({spec.higgs_mass_gev for spec in specs.values() if spec.process == "hh"})
    assert jobs["form_factor_table"] == n_hh_masses
    assert jobs["validate_generator"] == 1
    assert jobs["all"] == 1


def test_bad_config_names_the_key(tmp_path):
    config = yaml.safe_load((REPO / "config/ci.yaml").read_text())
    config["samples"]["hhh"]["n_events"] = -3
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config))
    result = snakemake("-n", "--configfile", str(bad))
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "['samples']['hhh']['n_events']" in message and "-3 is less than the minimum" in message


def test_user_delphes_files_replace_generation(tmp_path):
    config = yaml.safe_load((REPO / "config/ci.yaml").read_text())
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
def test_rulegraph_renders():
    result = snakemake("--rulegraph")
    assert result.returncode == 0 and "digraph" in result.stdout
