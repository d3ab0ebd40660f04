"""Submit workflow targets to a real (local, one-node) SLURM through workflow/profiles/slurm and check the result.

    python tests/cluster/run_slurm_test.py [--target FILE ...] [--configfile config/ci.yaml] [--workdir DIR]
                                           [--keep] [--no-gpu-check] [--no-generic]

Needs root (it installs Debian's slurm-wlm and munge if missing and starts munged, slurmctld and slurmd; see
local_slurm.py). It stops the daemons it started, by PID, whatever happens. Steps:

1. plan the targets with the slurm profile (dry run) to know how many jobs of each rule to expect;
2. run them with ``snakemake --profile workflow/profiles/slurm`` in a scratch directory, with ``sbatch`` and
   ``srun`` wrapped by logging shims (they record each call and run the real program) — the only change to the
   profile is ``--slurm-status-command squeue``, because the test cluster has no accounting database for sacct;
3. check that every planned job went through exactly one ``sbatch`` call, that SLURM (``scontrol show job`` and the
   job-completion log) saw each of them COMPLETED with exit code 0, that no CPU rule asked for a GPU, that the
   targets exist and are readable, and that each job's SLURM log is under results/logs/slurm/;
4. run tests/cluster/gpu_check.smk through the same profile: the rule with ``resources: gpu=1`` must be submitted
   with ``--gpus=1``, get the fake GPU (CUDA_VISIBLE_DEVICES=0, SLURM_GPUS_ON_NODE=1) and — no CUDA behind it —
   fall back to the CPU with the training code's one-line notice; the CPU rule must get no GPU;
5. run one small target through workflow/profiles/cluster-generic (its submit.py on SLURM, status.py polling).

Targets default to one QCD conversion of the given config (three simulated shards + one conversion); set
``MULTIHIGGS_CLUSTER_TARGETS`` (space-separated) or ``--target`` for others. Exit status 0 when every check passed;
a JSON report is written to WORKDIR/report.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    from .local_slurm import LocalSlurm
except ImportError:  # run as a script
    from local_slurm import LocalSlurm

REPO = Path(__file__).resolve().parents[2]
DEFAULT_TARGETS = ["results/h5/hh/qcd/train.h5"]
GENERIC_TARGET = "results/samples/qcd/shard0.root"
FALLBACK_NOTICE = "GPU(s) requested but CUDA is not available; training on the CPU"


class ClusterTestFailure(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise ClusterTestFailure(message)


def default_targets() -> list[str]:
    return os.environ.get("MULTIHIGGS_CLUSTER_TARGETS", "").split() or list(DEFAULT_TARGETS)


# -- shims -----------------------------------------------------------------------------------------------------

SHIM = """#!{python}
# Logging shim written by tests/cluster/run_slurm_test.py: record the call, then run the real {tool}.
import json, os, subprocess, sys
os.environ["SLURM_CONF"] = {conf!r}  # the jobstep plugin drops SLURM_* before its inner srun
result = subprocess.run([{real!r}, *sys.argv[1:]], stdout=subprocess.PIPE if {capture} else None)
record = {{"tool": {tool!r}, "argv": sys.argv[1:], "returncode": result.returncode,
          "stdout": result.stdout.decode() if {capture} else None, "job_id": os.environ.get("SLURM_JOB_ID")}}
with open({log!r}, "a") as log:
    log.write(json.dumps(record) + "\\n")
if {capture}:
    sys.stdout.write(record["stdout"])
sys.exit(result.returncode)
"""


def write_shims(directory: Path, log: Path, conf: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for tool, capture in (("sbatch", True), ("srun", False)):
        real = shutil.which(tool)
        check(real is not None, f"{tool} not found")
        path = directory / tool
        path.write_text(
            SHIM.format(python=sys.executable, tool=tool, real=real, conf=str(conf), log=str(log), capture=capture)
        )
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return directory


def read_calls(log: Path, tool: str) -> list[dict]:
    if not log.exists():
        return []
    return [call for call in map(json.loads, log.read_text().splitlines()) if call["tool"] == tool]


def option(argv: list[str], name: str) -> str | None:
    """The value of ``--name value`` or ``--name=value`` in an argv list."""
    for index, arg in enumerate(argv):
        if arg == name and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


# -- snakemake -------------------------------------------------------------------------------------------------


def snakemake(
    args: list[str], cwd: Path, env: dict[str, str], log: Path, timeout: float
) -> subprocess.CompletedProcess:
    cwd.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "snakemake", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as error:
        result = subprocess.CompletedProcess(error.cmd, -1, error.stdout or "", f"timed out after {timeout} s")
    result.seconds = time.monotonic() - start
    log.write_text(f"$ snakemake {' '.join(args)}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}")
    return result


def planned_jobs(output: str) -> dict[str, int]:
    """Job counts from the table Snakemake prints for a (dry) run."""
    counts = {}
    in_table = False
    for line in output.splitlines():
        if line.startswith("Job stats:"):
            in_table, counts = True, {}
            continue
        match = re.fullmatch(r"\s*(\w+)\s+(\d+)\s*", line)
        if in_table and match:
            if match.group(1) != "total":
                counts[match.group(1)] = int(match.group(2))
        elif in_table and counts and not line.strip():
            in_table = False
    return counts


def profile_run(
    name: str,
    profile: Path,
    snakefile: Path,
    targets: list[str],
    extra: list[str],
    run_dir: Path,
    env: dict[str, str],
    workdir: Path,
    timeout: float,
) -> tuple[dict[str, int], subprocess.CompletedProcess]:
    # Targets before the options: --configfile takes several values.
    common = ["--profile", str(profile), "--snakefile", str(snakefile), *targets, *extra]
    plan = snakemake(["-n", *common], run_dir, env, workdir / f"{name}-plan.log", 600)
    check(plan.returncode == 0, f"{name}: dry run failed:\n{plan.stderr[-3000:]}")
    expected = {rule: count for rule, count in planned_jobs(plan.stdout + plan.stderr).items() if rule != "all"}
    check(sum(expected.values()) > 0, f"{name}: nothing to do for {targets} (outputs already exist in {run_dir}?)")
    result = snakemake(common, run_dir, env, workdir / f"{name}-run.log", timeout)
    check(
        result.returncode == 0,
        f"{name}: snakemake failed (log {workdir / f'{name}-run.log'}):\n{result.stderr[-4000:]}",
    )
    return expected, result


# -- checks ----------------------------------------------------------------------------------------------------


def check_sbatch_jobs(cluster: LocalSlurm, calls: list[dict], expected: dict[str, int], name: str) -> dict[str, str]:
    """Every planned job went through one successful sbatch call and SLURM saw it complete. Returns id -> rule."""
    jobs = {}
    for call in calls:
        check(call["returncode"] == 0, f"{name}: sbatch failed: {call}")
        job_id = call["stdout"].strip().split(";")[0]
        comment = option(call["argv"], "--comment") or ""
        match = re.match(r"rule_(\w+?)(_wildcards_.*)?$", comment)
        check(match is not None, f"{name}: sbatch call without a rule comment: {call['argv']}")
        jobs[job_id] = match.group(1)
    submitted = {rule: list(jobs.values()).count(rule) for rule in set(jobs.values())}
    check(submitted == expected, f"{name}: sbatch submissions per rule {submitted} != planned {expected}")
    completed = cluster.completed_jobs()
    for job_id, rule in jobs.items():
        record = completed.get(job_id, {})
        check(
            record.get("JobState") == "COMPLETED" and record.get("ExitCode") == "0:0",
            f"{name}: SLURM job {job_id} ({rule}) not completed cleanly: {record or 'missing from jobcomp.log'}",
        )
        shown = cluster.scontrol_job(job_id)
        check(shown.get("JobState") == "COMPLETED", f"{name}: scontrol shows job {job_id}: {shown}")
    return jobs


def profile_defaults(path: Path) -> dict:
    import yte

    with open(path) as handle:
        return yte.process_yaml(handle, require_use_yte=True)["default-resources"]


def gpu_requests(argv: list[str]) -> list[str]:
    return [arg for arg in argv if arg.startswith(("--gpus", "--gres", "--gpus-per", "-G"))]


def check_outputs(run_dir: Path, targets: list[str]) -> dict[str, int]:
    sizes = {}
    for target in targets:
        path = run_dir / target
        check(path.is_file() and path.stat().st_size > 0, f"target missing or empty: {path}")
        if path.suffix == ".h5":
            import h5py

            with h5py.File(path) as handle:
                check(len(handle.keys()) > 0, f"{path}: no groups")
        elif path.suffix == ".root":
            import uproot

            with uproot.open(path) as handle:
                check("Delphes" in [key.split(";")[0] for key in handle.keys()], f"{path}: no Delphes tree")
        sizes[target] = path.stat().st_size
    return sizes


def check_slurm_logs(run_dir: Path, job_ids: list[str]) -> None:
    logs = {path.stem for path in (run_dir / "results" / "logs" / "slurm").rglob("*.log")}
    missing = sorted(set(job_ids) - logs)
    check(not missing, f"no SLURM log under results/logs/slurm for jobs {missing}")


# -- the test --------------------------------------------------------------------------------------------------


def run(
    targets: list[str],
    configfile: Path,
    workdir: Path,
    gpu_check: bool = True,
    generic: bool = True,
    timeout: float = 1800,
) -> dict:
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    report: dict = {"targets": targets, "configfile": str(configfile), "workdir": str(workdir)}
    started = time.monotonic()
    calls_log = workdir / "calls.jsonl"
    with LocalSlurm(workdir / "slurm") as cluster:
        report["cluster_start_seconds"] = round(time.monotonic() - started, 1)
        report["daemons"] = dict(cluster.started)
        shims = write_shims(workdir / "shims", calls_log, cluster.conf)
        env = cluster.env()
        env["PATH"] = os.pathsep.join([str(shims), str(Path(sys.executable).parent), env.get("PATH", "")])
        env.pop("SNAKEMAKE_PROFILE", None)
        # The test cluster keeps no accounting database, so job states come from squeue (MinJobAge=3600).
        slurm_extra = ["--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "2"]

        # 1-3: the workflow's targets through the slurm profile, on the non-default partition "batch".
        run_dir = workdir / "workflow"
        defaults = profile_defaults(REPO / "workflow/profiles/slurm/config.yaml")
        expected, result = profile_run(
            "workflow",
            REPO / "workflow/profiles/slurm",
            REPO / "Snakefile",
            targets,
            [*slurm_extra, "--configfile", str(configfile)],
            run_dir,
            dict(env, MULTIHIGGS_SLURM_PARTITION="batch"),
            workdir,
            timeout,
        )
        sbatch = read_calls(calls_log, "sbatch")
        jobs = check_sbatch_jobs(cluster, sbatch, expected, "workflow")
        for call in sbatch:
            argv = call["argv"]
            check(not gpu_requests(argv), f"a CPU-only rule asked for a GPU: {argv}")
            check(
                option(argv, "-t") == str(defaults["runtime"]) and option(argv, "--mem") == str(defaults["mem_mb"]),
                f"profile default-resources {defaults} not in sbatch call: {argv}",
            )
            check(option(argv, "-p") == "batch", f"MULTIHIGGS_SLURM_PARTITION=batch not used: {argv}")
        check(
            {cluster.scontrol_job(job_id).get("Partition") for job_id in jobs} == {"batch"},
            "jobs did not run in partition batch",
        )
        check(len(read_calls(calls_log, "srun")) == len(jobs), "not every job ran its step through srun")
        report["workflow"] = {
            "planned": expected,
            "sbatch_calls": len(sbatch),
            "slurm_jobs": jobs,
            "outputs": check_outputs(run_dir, targets),
            "snakemake_seconds": round(result.seconds, 1),
            "example_sbatch": sbatch[0]["argv"][:-1] if sbatch else None,  # without the long --wrap command
        }
        check_slurm_logs(run_dir, list(jobs))
        calls_log.rename(workdir / "calls-workflow.jsonl")

        # 4: a GPU rule and a CPU rule.
        if gpu_check:
            gpu_dir = workdir / "gpu"
            expected, result = profile_run(
                "gpu",
                REPO / "workflow/profiles/slurm",
                REPO / "tests/cluster/gpu_check.smk",
                [],
                slurm_extra,
                gpu_dir,
                env,
                workdir,
                600,
            )
            sbatch = read_calls(calls_log, "sbatch")
            jobs = check_sbatch_jobs(cluster, sbatch, expected, "gpu")
            by_rule = {jobs[call["stdout"].strip().split(";")[0]]: call for call in sbatch}
            check(
                gpu_requests(by_rule["gpu_job"]["argv"]) == ["--gpus=1"],
                f"GPU rule: sbatch GPU options {gpu_requests(by_rule['gpu_job']['argv'])}, expected ['--gpus=1']",
            )
            check(not gpu_requests(by_rule["cpu_job"]["argv"]), "CPU rule asked sbatch for a GPU")
            srun = {call["job_id"]: call for call in read_calls(calls_log, "srun")}
            gpu_id = next(job_id for job_id, rule in jobs.items() if rule == "gpu_job")
            cpu_id = next(job_id for job_id, rule in jobs.items() if rule == "cpu_job")
            check("--gpus=1" in srun[gpu_id]["argv"], f"GPU rule: job step without --gpus=1: {srun[gpu_id]['argv']}")
            check(not gpu_requests(srun[cpu_id]["argv"]), "CPU rule: job step asked for a GPU")
            check("gpu:1" in cluster.scontrol_job(gpu_id).get("TresPerJob", ""), "SLURM did not record a GPU request")
            gpu = json.loads((gpu_dir / "gpu_check/gpu_job.json").read_text())
            cpu = json.loads((gpu_dir / "gpu_check/cpu_job.json").read_text())
            gpu_log = (gpu_dir / "gpu_check/gpu_job.log").read_text()
            check(
                gpu["SLURM_GPUS_ON_NODE"] == "1" and gpu["CUDA_VISIBLE_DEVICES"] == "0",
                f"GPU job did not see its allocated GPU: {gpu}",
            )
            check(cpu["SLURM_GPUS_ON_NODE"] is None, f"CPU job got a GPU: {cpu}")
            if gpu["cuda_available"]:
                check(gpu["device"].startswith("cuda"), f"CUDA available but not used: {gpu}")
            else:
                check(
                    gpu["device"] == "cpu" and FALLBACK_NOTICE in gpu_log,
                    f"no CPU fallback with notice: {gpu}, log: {gpu_log!r}",
                )
            check(
                cpu["device"] == "cpu" and FALLBACK_NOTICE not in (gpu_dir / "gpu_check/cpu_job.log").read_text(),
                f"CPU job: {cpu}",
            )
            report["gpu"] = {
                "sbatch_gpu_options": gpu_requests(by_rule["gpu_job"]["argv"]),
                "srun_gpu_options": gpu_requests(srun[gpu_id]["argv"]),
                "tres_per_job": cluster.scontrol_job(gpu_id).get("TresPerJob"),
                "gpu_job": gpu,
                "gpu_job_log": gpu_log.strip(),
                "cpu_job": cpu,
                "snakemake_seconds": round(result.seconds, 1),
            }
            calls_log.rename(workdir / "calls-gpu.jsonl")

        # 5: the generic profile, with SLURM as the batch system behind its submit script.
        if generic:
            generic_dir = workdir / "generic"
            generic_env = dict(env, MULTIHIGGS_BATCH_SYSTEM="slurm", MULTIHIGGS_BATCH_QUEUE="batch")
            expected, result = profile_run(
                "generic",
                REPO / "workflow/profiles/cluster-generic",
                REPO / "Snakefile",
                [GENERIC_TARGET],
                ["--configfile", str(configfile)],
                generic_dir,
                generic_env,
                workdir,
                timeout,
            )
            sbatch = read_calls(calls_log, "sbatch")
            check(len(sbatch) == sum(expected.values()), f"generic: {len(sbatch)} sbatch calls for {expected}")
            for call in sbatch:
                check(call["returncode"] == 0, f"generic: sbatch failed: {call}")
                job_id = call["stdout"].strip()
                record = cluster.completed_jobs().get(job_id, {})
                check(record.get("JobState") == "COMPLETED", f"generic: job {job_id}: {record}")
                check(not gpu_requests(call["argv"]), f"generic: CPU rule asked for a GPU: {call['argv']}")
                check("--partition=batch" in call["argv"], f"generic: MULTIHIGGS_BATCH_QUEUE not used: {call['argv']}")
                check(cluster.scontrol_job(job_id).get("Partition") == "batch", f"generic: job {job_id} not in batch")
            report["generic"] = {
                "planned": expected,
                "sbatch_calls": len(sbatch),
                "example_sbatch": sbatch[0]["argv"] if sbatch else None,
                "outputs": check_outputs(generic_dir, [GENERIC_TARGET]),
                "snakemake_seconds": round(result.seconds, 1),
            }
            calls_log.rename(workdir / "calls-generic.jsonl")
    check(not cluster.running_pids(), f"daemons still running: {cluster.running_pids()}")
    report["total_seconds"] = round(time.monotonic() - started, 1)
    (workdir / "report.json").write_text(json.dumps(report, indent=1))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--target",
        action="append",
        help=f"workflow target (repeatable); default: $MULTIHIGGS_CLUSTER_TARGETS or {DEFAULT_TARGETS}",
    )
    parser.add_argument("--configfile", type=Path, default=REPO / "config/ci.yaml")
    parser.add_argument("--workdir", type=Path, help="scratch directory (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--no-gpu-check", action="store_true")
    parser.add_argument("--no-generic", action="store_true", help="skip the cluster-generic profile run")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="multihiggs-slurm-"))
    try:
        report = run(
            args.target or default_targets(),
            args.configfile.resolve(),
            workdir,
            gpu_check=not args.no_gpu_check,
            generic=not args.no_generic,
        )
    except ClusterTestFailure as failure:
        print(f"FAILED: {failure}\n(scratch directory kept: {workdir})", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=1))
    print(f"1 passed, 0 failed: SLURM profile test in {report['total_seconds']} s")
    if not args.keep and args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
