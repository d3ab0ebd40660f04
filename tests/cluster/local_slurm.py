"""A throw-away one-node SLURM cluster on localhost, for testing the Snakemake cluster profiles.

``LocalSlurm(directory)`` installs Debian's ``slurm-wlm`` and ``munge`` when they are missing (root and apt-get
needed), writes a minimal ``slurm.conf`` declaring ``gpus`` fake GPUs (``gres.conf`` maps them to ``/dev/null``:
SLURM allocates and advertises them, nothing computes on them), starts its own ``munged`` (own key and socket),
``slurmctld`` and ``slurmd`` on free loopback ports, and stops exactly those daemons by the PIDs in its own pid
files. Nothing is written outside ``directory`` but munged's key, socket and log, in a ``/tmp/multihiggs-munge-*``
directory (user munge must reach it) removed on stop; clients find the cluster through ``SLURM_CONF`` (``env()``).

Facts this relies on (Slurm 22.05, Debian 12): no cgroups needed (``proctrack/linuxproc``, ``task/none``);
accounting is off, so ``sacct`` has nothing to show — job states come from ``squeue``/``scontrol`` (``MinJobAge``
keeps finished jobs visible for an hour) and from the job-completion log ``jobcomp.log`` (``jobcomp/filetxt``),
one line per finished job, which ``completed_jobs()`` parses.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "srun", "squeue", "scontrol", "sinfo", "scancel")


class SlurmUnavailable(RuntimeError):
    """SLURM cannot be installed or started here; the message says why."""


def ensure_installed(install: bool = True) -> None:
    """Install slurm-wlm and munge with apt-get unless their programs are already there."""
    missing = [name for name in (*DAEMONS, *CLIENTS) if shutil.which(name, path=_sbin_path()) is None]
    if not missing:
        return
    if not install:
        raise SlurmUnavailable(f"SLURM programs missing: {missing} (apt-get install slurm-wlm munge)")
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SlurmUnavailable(f"SLURM programs missing: {missing}, and apt-get as root is not available")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "slurm-wlm", "munge"]):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            raise SlurmUnavailable(f"{' '.join(command)} failed: {result.stderr[-2000:]}")


def _sbin_path() -> str:
    return os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _memory_mb() -> int:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    raise SlurmUnavailable("cannot read MemTotal from /proc/meminfo")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


class LocalSlurm:
    """Context manager: a running one-node SLURM with ``gpus`` fake GPUs, stopped (by PID) on exit."""

    def __init__(self, directory: Path, gpus: int = 1, min_job_age: int = 3600, install: bool = True):
        self.directory = Path(directory).resolve()
        self.gpus = gpus
        self.min_job_age = min_job_age
        self.install = install
        self.hostname = socket.gethostname().split(".")[0]
        self.conf = self.directory / "etc" / "slurm.conf"
        self.jobcomp = self.directory / "log" / "jobcomp.log"
        # munged runs as user munge, which must reach its directory: /tmp, not below a private (0700) test directory.
        self.munge_dir = Path(tempfile.mkdtemp(prefix="multihiggs-munge-"))
        self.munge_socket = self.munge_dir / "munge.socket"
        self.pid_files = {
            "munged": self.munge_dir / "munged.pid",
            "slurmctld": self.directory / "run" / "slurmctld.pid",
            "slurmd": self.directory / "run" / "slurmd.pid",
        }
        self.started: dict[str, int] = {}

    # -- lifecycle -------------------------------------------------------------------------------------------

    def __enter__(self) -> LocalSlurm:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        if os.geteuid() != 0:
            raise SlurmUnavailable("a local SLURM needs root (slurmd launches jobs as the submitting user)")
        ensure_installed(self.install)
        self._write_config()
        self._start_munge()
        self._start_daemon("slurmctld", ["slurmctld", "-f", str(self.conf)])
        self._wait(lambda: self._run("scontrol", "ping").returncode == 0, 30, "slurmctld does not answer ping")
        self._start_daemon("slurmd", ["slurmd", "-f", str(self.conf)])
        self._wait(self._node_idle, 60, "the node does not become idle")

    def stop(self) -> None:
        """Cancel remaining jobs, then stop the daemons this object started, by PID (slurmd first)."""
        if "slurmctld" in self.started and _pid_alive(self.started["slurmctld"]):
            self._run("scancel", "--full", "--quiet", f"--user={pwd.getpwuid(os.geteuid()).pw_name}")
        for name in ("slurmd", "slurmctld", "munged"):
            pid = self.started.pop(name, None)
            if pid is None or not _pid_alive(pid):
                continue
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 20
            while _pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
        if not self.running_pids():
            shutil.rmtree(self.munge_dir, ignore_errors=True)

    def running_pids(self) -> dict[str, int]:
        return {name: pid for name, pid in self.started.items() if _pid_alive(pid)}

    # -- clients ---------------------------------------------------------------------------------------------

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment whose SLURM clients talk to this cluster."""
        env = dict(os.environ if base is None else base)
        env["SLURM_CONF"] = str(self.conf)
        return env

    def _run(self, *command: str, timeout: float = 30) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(command, env=self.env(), capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as error:
            return subprocess.CompletedProcess(command, 124, "", str(error))

    def scontrol_job(self, job_id: str) -> dict[str, str]:
        """``scontrol show job -o`` as a dict (empty once the job has aged out)."""
        result = self._run("scontrol", "show", "job", "-o", "-d", job_id)
        if result.returncode != 0:
            return {}
        return _key_values(result.stdout)

    def completed_jobs(self) -> dict[str, dict[str, str]]:
        """The job-completion log: JobId -> its fields (JobState, Name, ...), one entry per finished job."""
        if not self.jobcomp.exists():
            return {}
        jobs = {}
        for line in self.jobcomp.read_text().splitlines():
            fields = _key_values(line)
            if "JobId" in fields:
                jobs[fields["JobId"]] = fields
        return jobs

    # -- internals -------------------------------------------------------------------------------------------

    def _node_idle(self) -> bool:
        result = self._run("sinfo", "--noheader", "--Node", "--format=%T")
        return result.returncode == 0 and {state.rstrip("*") for state in result.stdout.split()} == {"idle"}

    def _wait(self, condition, seconds: float, message: str) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.5)
        raise SlurmUnavailable(f"{message} after {seconds:.0f} s; logs in {self.directory / 'log'}:\n{self.logs()}")

    def logs(self) -> str:
        parts = []
        for path in [*sorted((self.directory / "log").glob("*.log")), self.munge_dir / "munged.log"]:
            if path.exists() and path != self.jobcomp:
                parts.append(f"--- {path.name}\n{path.read_text()[-3000:]}")
        return "\n".join(parts)

    def _write_config(self) -> None:
        for sub in ("etc", "run", "log", "state", "spool"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        cpus = os.cpu_count() or 1
        memory = max(256, _memory_mb() - 1024)
        ctld_port, slurmd_port = _free_port(), _free_port()
        user = pwd.getpwuid(os.geteuid()).pw_name
        d = self.directory
        lines = [
            "# Written by tests/cluster/local_slurm.py: a one-node test cluster on localhost.",
            "ClusterName=multihiggs-test",
            f"SlurmctldHost={self.hostname}(127.0.0.1)",
            f"SlurmctldPort={ctld_port}",
            f"SlurmdPort={slurmd_port}",
            f"SlurmUser={user}",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={self.munge_socket}",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core_Memory",
            "GresTypes=gpu",
            "MpiDefault=none",
            "ReturnToService=2",
            f"MinJobAge={self.min_job_age}",
            "DefMemPerCPU=1000",
            "AccountingStorageType=accounting_storage/none",
            "JobAcctGatherType=jobacct_gather/none",
            "JobCompType=jobcomp/filetxt",
            f"JobCompLoc={self.jobcomp}",
            f"StateSaveLocation={d / 'state'}",
            f"SlurmdSpoolDir={d / 'spool'}",
            f"SlurmctldPidFile={self.pid_files['slurmctld']}",
            f"SlurmdPidFile={self.pid_files['slurmd']}",
            f"SlurmctldLogFile={d / 'log' / 'slurmctld.log'}",
            f"SlurmdLogFile={d / 'log' / 'slurmd.log'}",
            "SlurmctldTimeout=30",
            "SlurmdTimeout=60",
            f"NodeName={self.hostname} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory} "
            f"Gres=gpu:{self.gpus} State=UNKNOWN",
            f"PartitionName=debug Nodes={self.hostname} Default=YES MaxTime=INFINITE State=UP",
            # A second, non-default partition: lets a test check that a requested partition is used.
            f"PartitionName=batch Nodes={self.hostname} Default=NO MaxTime=INFINITE State=UP",
        ]
        self.conf.write_text("\n".join(lines) + "\n")
        gres = (
            [f"NodeName={self.hostname} Name=gpu File=/dev/null"]
            if self.gpus == 1
            else [f"NodeName={self.hostname} Name=gpu Count={self.gpus}"]
        )
        (self.conf.parent / "gres.conf").write_text("\n".join(gres) + "\n")

    def _start_munge(self) -> None:
        munge_dir = self.munge_dir
        account = pwd.getpwnam("munge")
        key = munge_dir / "munge.key"
        key.write_bytes(os.urandom(1024))
        for path in (munge_dir, key):
            os.chown(path, account.pw_uid, account.pw_gid)
        key.chmod(0o400)
        munge_dir.chmod(0o755)  # clients must reach the socket; munged refuses group/other-writable dirs
        command = [
            "munged",
            f"--socket={self.munge_socket}",
            f"--key-file={key}",
            f"--pid-file={self.pid_files['munged']}",
            f"--log-file={munge_dir / 'munged.log'}",
            f"--seed-file={munge_dir / 'munged.seed'}",
            "--force",
        ]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "munge", "--", *command]
        self._start_daemon("munged", command)
        check = subprocess.run(
            f"munge -n --socket={self.munge_socket} | unmunge --socket={self.munge_socket}",
            shell=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        if check.returncode != 0:
            raise SlurmUnavailable(f"munge does not work: {check.stderr}")

    def _start_daemon(self, name: str, command: list[str]) -> None:
        pid_file = self.pid_files[name]
        pid_file.unlink(missing_ok=True)
        env = dict(os.environ, PATH=_sbin_path())
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise SlurmUnavailable(f"{name} did not start ({result.returncode}): {result.stderr}\n{self.logs()}")
        self._wait(lambda: pid_file.exists() and pid_file.read_text().strip().isdigit(), 30, f"{name}: no pid file")
        pid = int(pid_file.read_text().strip())
        self.started[name] = pid
        if not _pid_alive(pid):
            raise SlurmUnavailable(f"{name} exited right after starting:\n{self.logs()}")


def _key_values(text: str) -> dict[str, str]:
    """``Key=Value Key2=Value2`` (scontrol -o, jobcomp/filetxt) as a dict; values hold no spaces there."""
    fields = {}
    for token in text.split():
        key, sep, value = token.partition("=")
        if sep:
            fields[key] = value
    return fields
