"""Submit, query and cancel Snakemake jobs on SLURM, PBS Pro/OpenPBS, Grid Engine or LSF (cluster-generic profile).

Used by submit.py, status.py and cancel.py beside this file; standard library only (runs with any python3 >= 3.8).

Which system: ``MULTIHIGGS_BATCH_SYSTEM`` (slurm, pbs, sge or lsf), else the first found of ``sbatch`` (slurm),
``bsub`` (lsf), ``qsub`` (sge when ``SGE_ROOT`` is set, else pbs).
What a job asks for comes from the job properties Snakemake writes into each jobscript: ``threads``, and the
resources ``mem_mb`` (MB, whole job), ``runtime`` (minutes) and ``gpu`` (count; 0 or absent: no GPU request).
Site settings, all optional: ``MULTIHIGGS_BATCH_ACCOUNT`` (account / project), ``MULTIHIGGS_BATCH_QUEUE``
(partition / queue), ``MULTIHIGGS_BATCH_ARGS`` (extra options, split like a shell would), ``MULTIHIGGS_SGE_PE``
(Grid Engine parallel environment for multi-threaded jobs, default ``smp``).
Batch-system output goes to ``results/logs/cluster/<rule>/`` (relative to the working directory).
``MULTIHIGGS_SUBMIT_DRY_RUN=1`` makes submit.py print the command instead of running it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys

SYSTEMS = ("slurm", "pbs", "sge", "lsf")
LOG_ROOT = os.path.join("results", "logs", "cluster")


class BatchError(RuntimeError):
    pass


def detect_system(environ=None, which=shutil.which) -> str:
    environ = os.environ if environ is None else environ
    chosen = environ.get("MULTIHIGGS_BATCH_SYSTEM", "").strip().lower()
    if chosen:
        if chosen not in SYSTEMS:
            raise BatchError(f"MULTIHIGGS_BATCH_SYSTEM={chosen!r}: expected one of {', '.join(SYSTEMS)}")
        return chosen
    if which("sbatch"):
        return "slurm"
    if which("bsub"):
        return "lsf"
    if which("qsub"):
        return "sge" if environ.get("SGE_ROOT") else "pbs"
    raise BatchError("no batch system found (sbatch, bsub, qsub); set MULTIHIGGS_BATCH_SYSTEM")


def read_job_properties(jobscript: str) -> dict:
    """The ``# properties = {...}`` line Snakemake writes into every jobscript."""
    with open(jobscript) as handle:
        for line in handle:
            match = re.match(r"# properties = (.*)", line)
            if match:
                return json.loads(match.group(1))
    raise BatchError(f"{jobscript}: no '# properties = ' line")


def _job_name(properties: dict) -> str:
    name = properties.get("rule") or properties.get("groupid") or "job"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"multihiggs-{name}")


def _log_dir(properties: dict) -> str:
    return os.path.join(LOG_ROOT, properties.get("rule") or properties.get("groupid") or "group")


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def submit_command(system: str, jobscript: str, properties: dict, environ=None) -> list[str]:
    """The argv that submits ``jobscript`` with the job's threads, memory, runtime and GPUs."""
    environ = os.environ if environ is None else environ
    resources = properties.get("resources", {})
    threads = max(1, _int(properties.get("threads"), 1))
    mem_mb = _int(resources.get("mem_mb"))
    runtime = _int(resources.get("runtime"))
    gpus = _int(resources.get("gpu"))
    account = environ.get("MULTIHIGGS_BATCH_ACCOUNT", "")
    queue = environ.get("MULTIHIGGS_BATCH_QUEUE", "")
    extra = shlex.split(environ.get("MULTIHIGGS_BATCH_ARGS", ""))
    name, logs = _job_name(properties), _log_dir(properties)
    if system == "slurm":
        command = [
            "sbatch",
            "--parsable",
            f"--job-name={name}",
            f"--output={logs}/%j.log",
            f"--cpus-per-task={threads}",
        ]
        command += [f"--mem={mem_mb}"] if mem_mb else []
        command += [f"--time={runtime}"] if runtime else []
        command += [f"--gpus={gpus}"] if gpus else []
        command += [f"--account={account}"] if account else []
        command += [f"--partition={queue}"] if queue else []
    elif system == "pbs":
        select = (
            f"select=1:ncpus={threads}" + (f":mem={mem_mb}mb" if mem_mb else "") + (f":ngpus={gpus}" if gpus else "")
        )
        command = ["qsub", "-N", name, "-V", "-j", "oe", "-o", f"{logs}/", "-l", select]
        command += ["-l", f"walltime={runtime // 60:02d}:{runtime % 60:02d}:00"] if runtime else []
        command += ["-A", account] if account else []
        command += ["-q", queue] if queue else []
    elif system == "sge":
        command = ["qsub", "-terse", "-cwd", "-V", "-N", name, "-j", "y", "-o", f"{logs}/"]
        command += ["-pe", environ.get("MULTIHIGGS_SGE_PE", "smp"), str(threads)] if threads > 1 else []
        limits = (
            ([f"h_vmem={max(1, mem_mb // threads)}M"] if mem_mb else [])
            + ([f"h_rt={runtime * 60}"] if runtime else [])
            + ([f"gpu={gpus}"] if gpus else [])
        )
        command += ["-l", ",".join(limits)] if limits else []
        command += ["-P", account] if account else []
        command += ["-q", queue] if queue else []
    elif system == "lsf":
        command = ["bsub", "-J", name, "-o", f"{logs}/%J.log", "-n", str(threads), "-R", "span[hosts=1]"]
        command += ["-R", f"rusage[mem={mem_mb}]", "-M", str(mem_mb)] if mem_mb else []
        command += ["-W", str(runtime)] if runtime else []
        command += ["-gpu", f"num={gpus}"] if gpus else []
        command += ["-P", account] if account else []
        command += ["-q", queue] if queue else []
    else:
        raise BatchError(f"unknown batch system {system!r}")
    return command + extra + [jobscript]


def parse_job_id(system: str, output: str) -> str:
    if system == "slurm":
        return output.strip().split(";")[0]
    if system == "lsf":
        match = re.search(r"Job <(\d+)>", output)
        if not match:
            raise BatchError(f"cannot read a job id from bsub output: {output!r}")
        return match.group(1)
    return output.strip().splitlines()[0].strip() if output.strip() else ""


def submit(jobscript: str, environ=None) -> str:
    environ = os.environ if environ is None else environ
    system = detect_system(environ)
    properties = read_job_properties(jobscript)
    command = submit_command(system, jobscript, properties, environ)
    if environ.get("MULTIHIGGS_SUBMIT_DRY_RUN") == "1":
        return shlex.join(command)
    os.makedirs(_log_dir(properties), exist_ok=True)
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BatchError(f"{shlex.join(command)} failed ({result.returncode}): {result.stderr.strip()}")
    job_id = parse_job_id(system, result.stdout)
    if not job_id:
        raise BatchError(f"{command[0]} printed no job id: {result.stdout!r}")
    return job_id


# -- status ----------------------------------------------------------------------------------------------------

SLURM_RUNNING = {
    "PENDING",
    "CONFIGURING",
    "RUNNING",
    "COMPLETING",
    "SUSPENDED",
    "REQUEUED",
    "REQUEUE_HOLD",
    "REQUEUE_FED",
    "RESIZING",
    "SIGNALING",
    "STAGE_OUT",
    "STOPPED",
    "RESV_DEL_HOLD",
}


def _run(command: list[str]) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None


def slurm_state(state: str) -> str:
    state = state.split()[0].rstrip("+") if state.strip() else ""
    if state == "COMPLETED":
        return "success"
    if state in SLURM_RUNNING:
        return "running"
    return "failed"


def status(job_id: str, environ=None, run=_run) -> str:
    """'running', 'success' or 'failed' for a job id returned by submit()."""
    system = detect_system(environ)
    if system == "slurm":
        result = run(["sacct", "-j", job_id, "-X", "-n", "-P", "-o", "State"])
        if result is not None and result.returncode == 0 and result.stdout.strip():
            return slurm_state(result.stdout.strip().splitlines()[0])
        result = run(["scontrol", "show", "job", "-o", job_id])
        if result is not None and result.returncode == 0:
            match = re.search(r"JobState=(\S+)", result.stdout)
            if match:
                return slurm_state(match.group(1))
        raise BatchError(f"SLURM knows no job {job_id} (neither sacct nor scontrol)")
    if system == "pbs":
        result = run(["qstat", "-x", "-f", job_id])
        if result is None or result.returncode != 0:
            raise BatchError(f"qstat -x -f {job_id} failed")
        state = re.search(r"job_state = (\w)", result.stdout)
        if state and state.group(1) in "FX":
            exit_status = re.search(r"Exit_status = (-?\d+)", result.stdout)
            return "success" if exit_status and exit_status.group(1) == "0" else "failed"
        return "running"
    if system == "sge":
        result = run(["qstat", "-j", job_id])
        if result is not None and result.returncode == 0:
            return "failed" if re.search(r"^error reason", result.stdout, re.M) else "running"
        result = run(["qacct", "-j", job_id])
        if result is None or result.returncode != 0:
            return "running"  # accounting is written with a delay after the job left the queue
        failed = re.search(r"^failed\s+(\d+)", result.stdout, re.M)
        exit_status = re.search(r"^exit_status\s+(\d+)", result.stdout, re.M)
        ok = failed and failed.group(1) == "0" and exit_status and exit_status.group(1) == "0"
        return "success" if ok else "failed"
    if system == "lsf":
        result = run(["bjobs", "-noheader", "-o", "stat", job_id])
        if result is None or result.returncode != 0 or not result.stdout.strip():
            raise BatchError(f"bjobs knows no job {job_id}")
        state = result.stdout.split()[0]
        return "success" if state == "DONE" else "failed" if state == "EXIT" else "running"
    raise BatchError(f"unknown batch system {system!r}")


def cancel_command(system: str, job_ids: list[str]) -> list[str]:
    return {"slurm": ["scancel"], "pbs": ["qdel"], "sge": ["qdel"], "lsf": ["bkill"]}[system] + list(job_ids)


def main_submit(argv: list[str]) -> int:
    try:
        print(submit(argv[-1]))
    except BatchError as error:
        print(f"submit.py: {error}", file=sys.stderr)
        return 1
    return 0


def main_status(argv: list[str]) -> int:
    try:
        print(status(argv[-1]))
    except BatchError as error:
        print(f"status.py: {error}", file=sys.stderr)
        print("failed")
    return 0


def main_cancel(argv: list[str]) -> int:
    if not argv:
        return 0
    return subprocess.run(cancel_command(detect_system(), argv)).returncode
