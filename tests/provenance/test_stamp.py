"""The provenance stamp: what it holds, that it is deterministic, how the workflow's variables reach it."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest

from multihiggs.provenance import (
    ENV_CONFIG_SHA256,
    ENV_REPOSITORY,
    ENV_SEED,
    PACKAGES,
    UNKNOWN,
    Stamp,
    config_sha256,
    current_stamp,
    git_state,
    split_stamp_comment,
    stamp_comment,
    workflow_environment,
)
from multihiggs.report.provenance import INDEX_FORMAT, provenance_index

REPO = Path(__file__).resolve().parents[2]
CONFIG = {"seed": 7, "samples": {"hh": {"kappa_lambdas": [1, 5]}}, "stats": {"bins": {"n": 4}}}
STAMP_KEYS = {"format", "version", "git_commit", "git_dirty", "config_sha256", "seed", "python", "packages"}
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


@pytest.fixture
def environ(tmp_path):
    return workflow_environment(CONFIG, tmp_path)


def _git(directory: Path, *arguments: str) -> None:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", *identity, "-C", str(directory), *arguments], check=True, capture_output=True)


def test_two_stamps_of_the_same_state_are_equal(environ):
    first, second = current_stamp(environ), current_stamp(environ)
    assert first == second and first.to_json() == second.to_json()


def test_stamp_holds_no_time_host_or_user(environ, monkeypatch):
    stamp = current_stamp(environ)
    assert set(stamp.as_dict()) == STAMP_KEYS  # a new key must be judged for determinism here first
    later = time.time() + 400 * 86400.0
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(time, "time_ns", lambda: int(later * 1e9))
    monkeypatch.setattr(socket, "gethostname", lambda: "another-host")
    assert current_stamp(environ) == stamp
    text = stamp.to_json()
    for varying in {socket.gethostname(), getpass.getuser(), str(os.getpid()), str(Path.cwd())} - {""}:
        assert f'"{varying}"' not in text and f"/{varying}" not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}|\b1[6-9]\d{8}\b", text), text


def test_workflow_variables_reach_the_stamp(environ, tmp_path):
    stamp = current_stamp(environ)
    expected = hashlib.sha256(json.dumps(CONFIG, sort_keys=True).encode()).hexdigest()
    assert stamp.config_sha256 == expected == environ[ENV_CONFIG_SHA256]
    assert stamp.seed == 7 and environ[ENV_SEED] == "7"
    assert environ[ENV_REPOSITORY] == str(tmp_path.resolve())


def test_config_hash_ignores_key_order_and_sees_every_value():
    reordered = {"stats": {"bins": {"n": 4}}, "samples": {"hh": {"kappa_lambdas": [1, 5]}}, "seed": 7}
    assert config_sha256(reordered) == config_sha256(CONFIG)
    changed = json.loads(json.dumps(CONFIG))
    changed["stats"]["bins"]["n"] = 5
    assert config_sha256(changed) != config_sha256(CONFIG)
    assert re.fullmatch(r"[0-9a-f]{64}", config_sha256(CONFIG))


def test_outside_the_workflow_hash_and_seed_are_unknown(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_SEED, "not-a-number")
    stamp = current_stamp({ENV_REPOSITORY: str(tmp_path)})
    assert (stamp.config_sha256, stamp.seed, stamp.git_commit, stamp.git_dirty) == (UNKNOWN, UNKNOWN, UNKNOWN, None)
    assert current_stamp({ENV_SEED: "x", ENV_REPOSITORY: str(tmp_path)}).seed == UNKNOWN


def test_git_state_is_unknown_outside_a_checkout_or_without_git(tmp_path, monkeypatch):
    assert git_state(tmp_path) == (UNKNOWN, None)
    assert git_state(tmp_path / "missing") == (UNKNOWN, None)
    monkeypatch.setenv("PATH", str(tmp_path))  # no git on the path: still no error
    assert git_state(REPO) == (UNKNOWN, None)


@needs_git
def test_git_state_reports_commit_and_dirty_flag(tmp_path):
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_text("one\n")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "commit", "-q", "-m", "first")
    commit, dirty = git_state(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{40}", commit) and dirty is False
    (tmp_path / "untracked.txt").write_text("scratch\n")
    assert git_state(tmp_path) == (commit, False)  # as git describe --dirty: untracked files do not count
    (tmp_path / "a.txt").write_text("two\n")
    assert git_state(tmp_path) == (commit, True)
    (tmp_path / "sub").mkdir()
    assert git_state(tmp_path / "sub") == (UNKNOWN, None)  # a copy inside another repository is not a checkout
    assert current_stamp({ENV_REPOSITORY: str(tmp_path)}).git_commit == commit


def test_packages_cover_the_declared_dependencies():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["onnx"]
    names = {re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower() for requirement in declared}
    assert names <= set(PACKAGES)
    versions = current_stamp({}).packages
    assert versions["numpy"] == np.__version__
    assert ("xgboost-cpu" in versions) != ("xgboost" in versions)


def test_stamp_round_trips_through_json_and_is_compact(environ):
    stamp = current_stamp(environ)
    text = stamp.to_json()
    assert "\n" not in text and text.isascii() and len(text) < 1000
    assert Stamp.from_content(text) == Stamp.from_content(stamp.as_dict()) == stamp
    assert Stamp.from_content(text.encode()) == stamp
    for bad in ("{", '{"format": "other"}', json.dumps({**stamp.as_dict(), "extra": 1})):
        with pytest.raises(ValueError):
            Stamp.from_content(bad)


@pytest.mark.parametrize("suffix", [".md", ".tex", ".html"])
def test_text_comment_round_trip(environ, suffix):
    stamp = current_stamp(environ)
    body = "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    text = body + stamp_comment(suffix, stamp) + "\n"
    assert split_stamp_comment(suffix, text) == (body, stamp)
    assert split_stamp_comment(suffix, body) == (body, None)
    assert stamp_comment(".json", stamp) is None


def test_comment_lines_are_comments():
    stamp = current_stamp({})
    assert re.fullmatch(r"<!-- provenance: \{[^\n]*\} -->", stamp_comment(".md", stamp))
    assert "--" not in stamp_comment(".md", stamp)[4:-3]  # nothing inside ends the HTML comment early
    assert re.fullmatch(r"% provenance: \{[^\n]*\}", stamp_comment(".tex", stamp))


def test_index_lists_every_output_and_flags_missing_or_other_stamps(environ):
    stamp = current_stamp(environ)
    other = Stamp.from_content({**stamp.as_dict(), "seed": 8})
    index = provenance_index({"b.pdf": stamp, "a.md": None, "c.h5": other}, stamp)
    assert list(index["outputs"]) == ["a.md", "b.pdf", "c.h5"]
    assert index["outputs"]["b.pdf"] == stamp.as_dict() and index["outputs"]["a.md"] is None
    assert index["unstamped"] == ["a.md"] and index["differing"] == ["c.h5"]
    assert index["collected_by"] == stamp.as_dict() and index["format"] == INDEX_FORMAT
