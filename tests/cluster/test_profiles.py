"""The cluster profiles without a cluster: their settings, the GPU mapping, and the generic profile's submit,
status and cancel commands for every batch system it supports (fast; part of the default suite)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yte

REPO = Path(__file__).resolve().parents[2]
PROFILES = REPO / "workflow" / "profiles"
GENERIC = PROFILES / "cluster-generic"


def load_profile(name: str) -> dict:
    with open(PROFILES / name / "config.yaml") as handle:
        return yte.process_yaml(handle, require_use_yte=True)


def load_batch_systems():
    spec = importlib.util.spec_from_file_location("batch_systems", GENERIC / "batch_systems.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


batch = load_batch_systems()


def gpu_rules() -> set[str]:
    """Rules whose resources ask for a GPU (``gpu=N``), from workflow/rules/*.smk."""
    names = set()
    for path in (REPO / "workflow" / "rules").glob("*.smk"):
        for block in re.split(r"(?m)^(?=rule )", path.read_text()):
            match = re.match(r"rule (\w+):", block)
            if match and re.search(r"(?m)^\s+gpu\s*=", block):
                names.add(match.group(1))
    return names


# -- profile settings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,executor", [("slurm", "slurm"), ("htcondor", "htcondor"), ("cluster-generic", "cluster-generic")]
)
def test_profile_settings(name, executor):
    profile = load_profile(name)
    assert profile["executor"] == executor
    assert profile["jobs"] >= 1 and profile["latency-wait"] >= 10 and isinstance(profile["cores"], int)
    resources = profile["default-resources"]
    if executor == "htcondor":
        assert resources["htcondor_request_mem_mb"] > 0
    else:
        assert resources["runtime"] > 0 and resources["mem_mb"] > 0
        assert "gpu" not in resources  # CPU rules request no GPU


def test_slurm_account_and_partition_from_environment(monkeypatch):
    assert "slurm_account" not in load_profile("slurm")["default-resources"]
    monkeypatch.setenv("MULTIHIGGS_SLURM_ACCOUNT", "hep123")
    monkeypatch.setenv("MULTIHIGGS_SLURM_PARTITION", "gpu")
    resources = load_profile("slurm")["default-resources"]
    assert resources["slurm_account"] == "hep123" and resources["slurm_partition"] == "gpu"


def test_htcondor_requests_gpus_for_every_gpu_rule():
    rules = gpu_rules()
    assert rules, "no rule with resources gpu=N found"
    set_resources = load_profile("htcondor").get("set-resources", {})
    missing = {rule for rule in rules if set_resources.get(rule, {}).get("request_gpus", 0) < 1}
    assert not missing, f"add request_gpus to set-resources in workflow/profiles/htcondor/config.yaml: {missing}"
    extra = {rule for rule, values in set_resources.items() if "request_gpus" in values} - rules
    assert not extra, f"set-resources asks GPUs for rules without gpu=N (renamed?): {extra}"


def test_generic_profile_scripts_are_executable_files_beside_it():
    profile = load_profile("cluster-generic")
    for key in ("cluster-generic-submit-cmd", "cluster-generic-status-cmd", "cluster-generic-cancel-cmd"):
        script = GENERIC / profile[key]
        assert script.is_file() and os.access(script, os.X_OK), script


@pytest.mark.parametrize("name", ["slurm", "htcondor", "cluster-generic"])
def test_profile_plans_the_ci_workflow(name, tmp_path):
    """Snakemake accepts every key of the profile (plugin options included) and plans with it."""
    plugin = {
        "slurm": "snakemake_executor_plugin_slurm",
        "htcondor": "snakemake_executor_plugin_htcondor",
        "cluster-generic": "snakemake_executor_plugin_cluster_generic",
    }[name]
    if importlib.util.find_spec(plugin) is None:
        pytest.skip(f"{plugin} not installed (pip install -e '.[cluster]')")
    env = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        CONDOR_CONFIG=os.environ.get("CONDOR_CONFIG", "/dev/null"),
    )
    env.pop("SNAKEMAKE_PROFILE", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-n",
            "--profile",
            str(PROFILES / name),
            "--snakefile",
            str(REPO / "Snakefile"),
            "results/samples/qcd/shard0.root",
            "--configfile",
            str(REPO / "config/ci.yaml"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Using profile {PROFILES / name}" in result.stderr


# -- generic profile: submit / status / cancel ------------------------------------------------------------------

PROPERTIES = {
    "type": "single",
    "rule": "train_spanet",
    "threads": 4,
    "jobid": 7,
    "resources": {"mem_mb": 16000, "runtime": 90},
}


def with_gpus(count: int) -> dict:
    return dict(PROPERTIES, resources=dict(PROPERTIES["resources"], gpu=count))


@pytest.mark.parametrize(
    "system,gpu_option",
    [
        ("slurm", ["--gpus=2"]),
        ("pbs", ["select=1:ncpus=4:mem=16000mb:ngpus=2"]),
        ("sge", ["h_vmem=4000M,h_rt=5400,gpu=2"]),
        ("lsf", ["-gpu", "num=2"]),
    ],
)
def test_submit_command_requests_gpus_only_for_gpu_rules(system, gpu_option):
    gpu_job = batch.submit_command(system, "job.sh", with_gpus(2), environ={})
    cpu_job = batch.submit_command(system, "job.sh", PROPERTIES, environ={})
    zero_job = batch.submit_command(system, "job.sh", with_gpus(0), environ={})
    assert gpu_job[-1] == cpu_job[-1] == "job.sh"
    assert all(option in gpu_job for option in gpu_option)
    assert cpu_job == zero_job
    assert not any("gpu" in arg for arg in cpu_job[1:])


def test_submit_command_resources_account_queue():
    env = {"MULTIHIGGS_BATCH_ACCOUNT": "hep", "MULTIHIGGS_BATCH_QUEUE": "long", "MULTIHIGGS_BATCH_ARGS": "--qos=x"}
    slurm = batch.submit_command("slurm", "job.sh", PROPERTIES, environ=env)
    assert {"--cpus-per-task=4", "--mem=16000", "--time=90", "--account=hep", "--partition=long", "--qos=x"} <= set(
        slurm
    )
    assert "--output=results/logs/cluster/train_spanet/%j.log" in slurm
    pbs = batch.submit_command("pbs", "job.sh", PROPERTIES, environ=env)
    assert "walltime=01:30:00" in pbs and pbs[pbs.index("-A") + 1] == "hep" and pbs[pbs.index("-q") + 1] == "long"
    sge = batch.submit_command("sge", "job.sh", PROPERTIES, environ=env)
    assert sge[sge.index("-pe") + 1 : sge.index("-pe") + 3] == ["smp", "4"] and sge[sge.index("-P") + 1] == "hep"
    lsf = batch.submit_command("lsf", "job.sh", PROPERTIES, environ=env)
    assert lsf[lsf.index("-n") + 1] == "4" and lsf[lsf.index("-W") + 1] == "90" and "rusage[mem=16000]" in lsf


def test_detect_system():
    assert batch.detect_system({"MULTIHIGGS_BATCH_SYSTEM": "PBS"}, which=lambda name: None) == "pbs"
    assert batch.detect_system({}, which=lambda name: name == "sbatch") == "slurm"
    assert batch.detect_system({}, which=lambda name: name == "bsub") == "lsf"
    assert batch.detect_system({"SGE_ROOT": "/opt/sge"}, which=lambda name: name == "qsub") == "sge"
    assert batch.detect_system({}, which=lambda name: name == "qsub") == "pbs"
    with pytest.raises(batch.BatchError, match="MULTIHIGGS_BATCH_SYSTEM"):
        batch.detect_system({}, which=lambda name: None)
    with pytest.raises(batch.BatchError, match="expected one of"):
        batch.detect_system({"MULTIHIGGS_BATCH_SYSTEM": "torque"})


def test_parse_job_id():
    assert batch.parse_job_id("slurm", "1234;cluster\n") == "1234"
    assert batch.parse_job_id("pbs", "5678.pbs-server\n") == "5678.pbs-server"
    assert batch.parse_job_id("sge", "91\n") == "91"
    assert batch.parse_job_id("lsf", "Job <4321> is submitted to queue <normal>.\n") == "4321"


def fake_run(outputs: dict):
    """A stand-in for the batch system's query commands: argv[0] -> (returncode, stdout)."""

    def run(command):
        returncode, stdout = outputs.get(command[0], (1, ""))
        return subprocess.CompletedProcess(command, returncode, stdout, "")

    return run


@pytest.mark.parametrize(
    "system,outputs,expected",
    [
        ("slurm", {"sacct": (0, "COMPLETED\n")}, "success"),
        ("slurm", {"sacct": (0, "RUNNING\n")}, "running"),
        ("slurm", {"sacct": (0, "OUT_OF_MEMORY\n")}, "failed"),
        ("slurm", {"sacct": (0, "CANCELLED by 0\n")}, "failed"),
        ("slurm", {"sacct": (1, ""), "scontrol": (0, "JobId=3 JobState=PENDING Reason=None")}, "running"),
        ("slurm", {"sacct": (0, ""), "scontrol": (0, "JobId=3 JobState=TIMEOUT Reason=None")}, "failed"),
        ("pbs", {"qstat": (0, "    job_state = R\n")}, "running"),
        ("pbs", {"qstat": (0, "    job_state = F\n    Exit_status = 0\n")}, "success"),
        ("pbs", {"qstat": (0, "    job_state = F\n    Exit_status = 271\n")}, "failed"),
        ("sge", {"qstat": (0, "job_number: 9\n")}, "running"),
        ("sge", {"qstat": (1, ""), "qacct": (0, "failed       0\nexit_status  0\n")}, "success"),
        ("sge", {"qstat": (1, ""), "qacct": (0, "failed       0\nexit_status  1\n")}, "failed"),
        ("lsf", {"bjobs": (0, "RUN\n")}, "running"),
        ("lsf", {"bjobs": (0, "DONE\n")}, "success"),
        ("lsf", {"bjobs": (0, "EXIT\n")}, "failed"),
    ],
)
def test_status(system, outputs, expected):
    assert batch.status("3", environ={"MULTIHIGGS_BATCH_SYSTEM": system}, run=fake_run(outputs)) == expected


def test_cancel_command():
    assert batch.cancel_command("slurm", ["1", "2"]) == ["scancel", "1", "2"]
    assert batch.cancel_command("lsf", ["1"]) == ["bkill", "1"]


def test_submit_script_dry_run(tmp_path):
    """submit.py as Snakemake calls it: the jobscript path as last argument; dry run prints the command."""
    jobscript = tmp_path / "snakejob.train_spanet.7.sh"
    jobscript.write_text(f"#!/bin/sh\n# properties = {json.dumps(with_gpus(1))}\necho run\n")
    env = dict(os.environ, MULTIHIGGS_BATCH_SYSTEM="slurm", MULTIHIGGS_SUBMIT_DRY_RUN="1")
    result = subprocess.run(
        [str(GENERIC / "submit.py"), str(jobscript)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sbatch --parsable") and "--gpus=1" in result.stdout
    assert result.stdout.strip().endswith(str(jobscript))
    env["MULTIHIGGS_BATCH_SYSTEM"] = "nope"
    result = subprocess.run(
        [str(GENERIC / "submit.py"), str(jobscript)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and "MULTIHIGGS_BATCH_SYSTEM" in result.stderr


def planned_resources(output: str) -> dict[str, set[str]]:
    """Rule -> the resources lines of its jobs, from a dry run's job listing."""
    rules: dict[str, set[str]] = {}
    rule = None
    for line in output.splitlines():
        match = re.match(r"(?:local)?rule (\w+):", line)
        if match:
            rule = match.group(1)
        elif rule and line.strip().startswith("resources:"):
            rules.setdefault(rule, set()).add(line.strip())
    return rules


def test_htcondor_profile_gives_gpu_jobs_request_gpus(tmp_path):
    """In the planned ci DAG, exactly the jobs with gpu=N carry request_gpus (what HTCondor's plugin submits)."""
    if importlib.util.find_spec("snakemake_executor_plugin_htcondor") is None:
        pytest.skip("snakemake-executor-plugin-htcondor not installed (pip install -e '.[cluster]')")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.setdefault("CONDOR_CONFIG", "/dev/null")
    env.pop("SNAKEMAKE_PROFILE", None)
    command = [sys.executable, "-m", "snakemake", "-n", "--profile", str(PROFILES / "htcondor")]
    command += ["--snakefile", str(REPO / "Snakefile"), "--configfile", str(REPO / "config/ci.yaml")]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    planned = planned_resources(result.stdout + result.stderr)
    gpu = {rule for rule, lines in planned.items() if any(re.search(r"\bgpu=[1-9]", line) for line in lines)}
    request = {rule for rule, lines in planned.items() if any("request_gpus=1" in line for line in lines)}
    assert gpu and gpu == request
