"""Helpers for the workflow tests: run Snakemake from the repository with the project's interpreter."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _snakemake(*args: str, cwd: Path = REPO, timeout_s: float = 300) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        CONDOR_CONFIG=os.environ.get("CONDOR_CONFIG", os.devnull),
    )
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout_s
    )


def _planned_jobs(output: str) -> dict[str, int]:
    """Job counts from the table Snakemake prints for a dry run."""
    counts = {}
    for line in output.splitlines():
        match = re.fullmatch(r"\s*(\w+)\s+(\d+)\s*", line)
        if match and match.group(1) != "total":
            counts[match.group(1)] = int(match.group(2))
    return counts


def _report_results(report: Path) -> dict[str, dict]:
    """{path: entry (mime_type, caption HTML, data_uri, …)} of the results a Snakemake HTML report embeds."""
    match = re.search(r'<script id="results">\s*var results = (\{.*?\});?\s*</script>', report.read_text(), re.S)
    assert match, f"no results in {report}"
    return json.loads(match.group(1))


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def snakemake():
    return _snakemake


@pytest.fixture
def planned_jobs():
    return _planned_jobs


@pytest.fixture
def report_results():
    return _report_results
