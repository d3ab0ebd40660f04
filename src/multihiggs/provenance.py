"""Provenance stamp of every output: which code, configuration and environment made it.

A :class:`Stamp` holds the project version, the git commit of the repository the workflow runs from with a dirty
flag (tracked files changed since that commit, as ``git describe --dirty``), the SHA-256 of the resolved
configuration, the master seed, the Python version and the versions of the installed packages that shape the
results (:data:`PACKAGES`). It holds nothing that changes between two runs of the same commit and configuration (no
time, host, user or path), so the same configuration still gives byte-identical outputs.

How a job learns the configuration: the workflow computes the hash and the seed once, when Snakemake reads the
Snakefile (``workflow/rules/common.smk`` puts :func:`workflow_environment` into ``os.environ``), as the environment
variables ``MULTIHIGGS_CONFIG_SHA256`` (SHA-256 of ``json.dumps(config, sort_keys=True)``), ``MULTIHIGGS_SEED``
and ``MULTIHIGGS_REPOSITORY`` (the directory of the Snakefile, whose git state the stamp reports). Local jobs
inherit Snakemake's environment; cluster jobs run Snakemake on the node, which reads the same Snakefile and
configuration and sets the same values. Outside the workflow the variables are unset: the stamp says ``"unknown"``
for the hash and the seed and reports the git state of the checkout holding this package. Outside a git checkout
(or without git) the commit is ``"unknown"`` and the dirty flag ``null``: never an error.

Every output carries the stamp under the name ``provenance`` (docs/provenance.md lists where, per kind);
:mod:`multihiggs.io.stamps` reads it back; :mod:`multihiggs.report.provenance` collects them
(``python -m multihiggs.report.provenance collect OUTPUT… -o provenance.json``). This module imports nothing of the
package: every stage can stamp its outputs.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STAMP_FORMAT = "multihiggs-provenance-1"
#: The attribute, key or comment tag under which every output carries its stamp.
STAMP_KEY = "provenance"
UNKNOWN = "unknown"

ENV_CONFIG_SHA256 = "MULTIHIGGS_CONFIG_SHA256"
ENV_SEED = "MULTIHIGGS_SEED"
ENV_REPOSITORY = "MULTIHIGGS_REPOSITORY"

#: Distributions whose versions can change a result: pyproject's dependencies, the ONNX extra and joblib.
PACKAGES: tuple[str, ...] = (
    "numpy",
    "scipy",
    "torch",
    "awkward",
    "uproot",
    "vector",
    "h5py",
    "hist",
    "pyhf",
    "xgboost-cpu",
    "scikit-learn",
    "joblib",
    "snakemake",
    "pythia8mc",
    "fastjet",
    "matplotlib",
    "mplhep",
    "onnx",
    "onnxruntime",
    "jsonschema",
    "pyyaml",
    "tqdm",
    "hepdata-lib",
    "hepdata-validator",
)
#: Another distribution of the same module, recorded under its own name when the first is not installed.
ALTERNATIVES = {"xgboost-cpu": "xgboost"}

#: The checkout this module lives in when the package is installed in development mode (src/multihiggs/..).
SOURCE_CHECKOUT = Path(__file__).resolve().parents[2]
GIT_TIMEOUT_S = 30.0

#: How text outputs end: one comment line (prefix, JSON stamp, suffix) per file suffix.
TEXT_COMMENTS = {
    ".md": ("<!-- provenance: ", " -->"),
    ".html": ("<!-- provenance: ", " -->"),
    ".tex": ("% provenance: ", ""),
}


@dataclass(frozen=True)
class Stamp:
    """What made an output. ``git_dirty`` is None and the other fields ``"unknown"`` when not known."""

    version: str
    git_commit: str
    git_dirty: bool | None
    config_sha256: str
    seed: int | str
    python: str
    packages: dict[str, str | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready content, tagged with :data:`STAMP_FORMAT`."""
        return {"format": STAMP_FORMAT, **asdict(self)}

    def to_json(self) -> str:
        """Compact, key-sorted, ASCII JSON on one line (the same stamp always gives the same text)."""
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_content(cls, content: Mapping[str, Any] | str | bytes) -> Stamp:
        """The stamp of :meth:`as_dict` content or :meth:`to_json` text; ValueError if it is not one."""
        if isinstance(content, bytes | str):
            try:
                content = json.loads(content)
            except json.JSONDecodeError as error:
                raise ValueError(f"provenance stamp is not JSON: {error}") from error
        if not isinstance(content, Mapping) or content.get("format") != STAMP_FORMAT:
            raise ValueError(f"not a provenance stamp of format {STAMP_FORMAT}: {str(content)[:200]}")
        values = {key: value for key, value in content.items() if key != "format"}
        try:
            return cls(**values)
        except TypeError as error:
            raise ValueError(f"provenance stamp with unexpected or missing keys: {error}") from error


def config_sha256(config: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the resolved configuration: ``json.dumps(config, sort_keys=True)`` in UTF-8."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def workflow_environment(config: Mapping[str, Any], repository: str | Path) -> dict[str, str]:
    """The environment variables through which the workflow tells its jobs the stamp's configuration fields."""
    return {
        ENV_CONFIG_SHA256: config_sha256(config),
        ENV_SEED: str(config["seed"]),
        ENV_REPOSITORY: str(Path(repository).resolve()),
    }


def project_version() -> str:
    """The installed multihiggs version (package metadata), or ``"unknown"``."""
    try:
        return importlib.metadata.version("multihiggs")
    except importlib.metadata.PackageNotFoundError:
        return UNKNOWN


@functools.cache
def package_versions() -> dict[str, str | None]:
    """Installed version of each of :data:`PACKAGES` (None if absent; an installed alternative under its name)."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        for candidate in (name, ALTERNATIVES.get(name)):
            if candidate is None:
                continue
            try:
                versions[candidate] = importlib.metadata.version(candidate)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
        else:
            versions[name] = None
    return versions


def _git(directory: Path, *arguments: str) -> str:
    """Standard output of one git command in ``directory``; never takes the index lock (``--no-optional-locks``)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    result = subprocess.run(
        ["git", "--no-optional-locks", "-C", str(directory), *arguments],
        capture_output=True,
        text=True,
        check=True,
        timeout=GIT_TIMEOUT_S,
        env=environment,
    )
    return result.stdout.strip()


def git_state(directory: str | Path) -> tuple[str, bool | None]:
    """(commit, dirty) of the git checkout whose top level is ``directory``; ``("unknown", None)`` otherwise."""
    directory = Path(directory).resolve()
    try:
        if Path(_git(directory, "rev-parse", "--show-toplevel")).resolve() != directory:
            return UNKNOWN, None  # a plain copy inside some other repository: that commit is not ours
        commit = _git(directory, "rev-parse", "--verify", "HEAD")
        dirty = bool(_git(directory, "status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN, None
    return commit, dirty


def _seed(value: str | None) -> int | str:
    try:
        return int(value) if value is not None else UNKNOWN
    except ValueError:
        return UNKNOWN


def current_stamp(environ: Mapping[str, str] | None = None) -> Stamp:
    """The stamp of this process: the workflow's variables from ``environ`` (default ``os.environ``)."""
    environ = os.environ if environ is None else environ
    commit, dirty = git_state(environ.get(ENV_REPOSITORY) or SOURCE_CHECKOUT)
    return Stamp(
        version=project_version(),
        git_commit=commit,
        git_dirty=dirty,
        config_sha256=environ.get(ENV_CONFIG_SHA256) or UNKNOWN,
        seed=_seed(environ.get(ENV_SEED)),
        python=platform.python_version(),
        packages=dict(package_versions()),
    )


# --------------------------------------------------------------------------------------------- text outputs


def stamp_comment(suffix: str, stamp: Stamp) -> str | None:
    """The comment line (no newline) ending a text output with ``suffix`` (.md, .tex); None for other files."""
    if suffix.lower() not in TEXT_COMMENTS:
        return None
    prefix, end = TEXT_COMMENTS[suffix.lower()]
    return f"{prefix}{stamp.to_json()}{end}"


def split_stamp_comment(suffix: str, text: str) -> tuple[str, Stamp | None]:
    """``text`` without its final stamp comment line, and the stamp (None when the text ends without one)."""
    if suffix.lower() not in TEXT_COMMENTS:
        return text, None
    prefix, end = TEXT_COMMENTS[suffix.lower()]
    body, _, last = text.rstrip("\n").rpartition("\n")
    if not (last.startswith(prefix) and last.endswith(end)):
        return text, None
    return body + "\n", Stamp.from_content(last[len(prefix) : len(last) - len(end)])


def sidecar_path(path: str | Path) -> Path:
    """The stamp file beside an output whose format has no room for one (pyhf workspaces): ``NAME.provenance``."""
    path = Path(path)
    return path.with_name(path.name + "." + STAMP_KEY)


if __name__ == "__main__":
    raise SystemExit("the provenance index command is python -m multihiggs.report.provenance (collect | show)")
