"""The SLURM profile against a real one-node SLURM (opt-in: ``MULTIHIGGS_CLUSTER_TESTS=1 pytest -m cluster``).

Needs root; installs Debian's slurm-wlm and munge when missing, starts and stops its own daemons (by PID). About two
minutes on 2 cores. What it checks: run_slurm_test.py.
"""

from __future__ import annotations

import os

import pytest

from .run_slurm_test import FALLBACK_NOTICE, default_targets, run

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        os.environ.get("MULTIHIGGS_CLUSTER_TESTS") != "1", reason="opt-in: set MULTIHIGGS_CLUSTER_TESTS=1"
    ),
]


def test_slurm_profile_end_to_end(tmp_path, repo_root):
    if os.geteuid() != 0:
        pytest.skip("a local SLURM needs root (it installs slurm-wlm/munge and starts slurmctld/slurmd)")
    targets = default_targets()
    report = run(targets, repo_root / "config/ci.yaml", tmp_path)
    workflow = report["workflow"]
    assert workflow["sbatch_calls"] == sum(workflow["planned"].values()) == len(workflow["slurm_jobs"])
    assert set(workflow["outputs"]) == set(targets)
    gpu = report["gpu"]
    assert gpu["sbatch_gpu_options"] == ["--gpus=1"] and gpu["srun_gpu_options"] == ["--gpus=1"]
    assert gpu["gpu_job"]["SLURM_GPUS_ON_NODE"] == "1"
    if not gpu["gpu_job"]["cuda_available"]:
        assert gpu["gpu_job"]["device"] == "cpu" and FALLBACK_NOTICE in gpu["gpu_job_log"]
    assert report["generic"]["sbatch_calls"] == sum(report["generic"]["planned"].values())


@pytest.fixture
def repo_root():
    from .run_slurm_test import REPO

    return REPO
