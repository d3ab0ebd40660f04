"""Compare two results directories output by output, the provenance stamps set aside.

Two runs of the same configuration must give the same outputs; two commits that should change nothing (a
refactoring) must too, apart from the stamp, which names the commit. This compares the content of every output
both directories have, by kind: HDF5 (every dataset and attribute), JSON (documents, xgboost models), Markdown,
LaTeX and HTML text, torch checkpoints and joblib models (their unpickled state, not the pickle bytes), ROOT files
(every branch) and PNG previews (their pixels). PDFs are not compared (their PNG previews are); logs and benchmark
timings are skipped.
"""

from __future__ import annotations

import json
import pickle
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from multihiggs.provenance import STAMP_KEY, split_stamp_comment

#: Directories of a results tree that hold run records (timings, logs), not outputs.
RECORD_DIRECTORIES = ("logs", "benchmarks", ".snakemake")


def _equal(a: Any, b: Any) -> bool:
    """Deep equality of nested containers, numpy arrays and torch tensors (NaN equal to NaN)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[key], b[key]) for key in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "detach") and hasattr(b, "detach"):  # torch tensors
        a, b = a.detach().cpu().numpy(), b.detach().cpu().numpy()
    if isinstance(a, np.ndarray | np.generic) or isinstance(b, np.ndarray | np.generic):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype == object:  # jagged ROOT branches: one array per event
            return all(_equal(x, y) for x, y in zip(a.flat, b.flat, strict=True))
        numeric = a.dtype.kind in "fc"
        return bool(np.array_equal(a, b, equal_nan=numeric))
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _without_stamp(content: Any) -> Any:
    """``content`` without its provenance entry (top-level key; an xgboost model's booster attribute)."""
    if not isinstance(content, dict):
        return content
    content = {key: value for key, value in content.items() if key != STAMP_KEY}
    learner = content.get("learner")
    if isinstance(learner, dict) and isinstance(learner.get("attributes"), dict):
        attributes = {key: value for key, value in learner["attributes"].items() if key != STAMP_KEY}
        content["learner"] = {**learner, "attributes": attributes}
    return content


def _hdf5(path: Path) -> dict[str, Any]:
    import h5py

    content: dict[str, Any] = {}
    with h5py.File(path, "r") as handle:
        content["/"] = {key: value for key, value in handle.attrs.items() if key != STAMP_KEY}

        def visit(name: str, item: Any) -> None:
            attributes = dict(item.attrs)
            content[name] = (item[()], attributes) if isinstance(item, h5py.Dataset) else attributes

        handle.visititems(visit)
    return content


def _json(path: Path) -> Any:
    return _without_stamp(json.loads(path.read_text(encoding="utf-8")))


def _text(path: Path) -> str:
    return split_stamp_comment(path.suffix, path.read_text(encoding="utf-8"))[0]


def _torch(path: Path) -> Any:
    import torch

    return _without_stamp(torch.load(path, map_location="cpu", weights_only=True))


def _object_state(value: Any, depth: int = 0) -> Any:
    """``value`` as nested dicts, lists and arrays: an object becomes (its class, the state it pickles).

    Pickle bytes are not canonical: whether an equal string or array is written again or referenced through the memo
    depends on object identity (string interning), which varies between processes. Comparing the unpickled state
    compares what the model holds.
    """
    if depth > 200:
        raise ValueError("object graph deeper than 200 levels")
    if isinstance(value, dict):
        return {key: _object_state(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_object_state(item, depth + 1) for item in value)
    if isinstance(value, np.random.RandomState):
        return ("RandomState", _object_state(list(value.get_state()), depth + 1))
    if isinstance(value, np.ndarray | np.generic | str | bytes | int | float | complex | bool) or value is None:
        return value
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    state = value.__getstate__() if hasattr(value, "__getstate__") else getattr(value, "__dict__", repr(value))
    return (f"{type(value).__module__}.{type(value).__qualname__}", _object_state(state, depth + 1))


def _joblib(path: Path) -> Any:
    import joblib

    return _object_state(_without_stamp(joblib.load(path)))


def _root(path: Path) -> dict[str, Any]:
    import uproot

    from multihiggs.io.delphes import PROVENANCE_KEY

    content: dict[str, Any] = {}
    with uproot.open(path) as root_file:
        for key, classname in root_file.classnames().items():
            name = key.split(";")[0]
            if name == PROVENANCE_KEY:
                continue
            if classname == "TTree":
                tree = root_file[key]
                content[name] = {branch: tree[branch].array(library="np") for branch in tree.keys()}
            elif classname == "ROOT::RNTuple":
                content[name] = root_file[key].arrays().to_list()
            else:  # other objects by their description, without the memory address
                content[name] = re.sub(r" at 0x[0-9a-f]+", "", str(root_file[key]))
    return content


def _png(path: Path) -> np.ndarray:
    from matplotlib import image

    return image.imread(path)


#: Content reader per file suffix: what is compared.
READERS: dict[str, Callable[[Path], Any]] = {
    ".h5": _hdf5,
    ".hdf5": _hdf5,
    ".json": _json,
    ".md": _text,
    ".tex": _text,
    ".html": _text,
    ".pt": _torch,
    ".joblib": _joblib,
    ".root": _root,
    ".png": _png,
}


def same_content(first: str | Path, second: str | Path) -> bool | None:
    """True when two outputs of one kind hold the same content apart from their stamps; None for a kind not compared.

    Raises:
        ValueError: a file cannot be read as its kind.
    """
    first, second = Path(first), Path(second)
    reader = READERS.get(first.suffix.lower())
    if reader is None:
        return None
    try:
        return _equal(reader(first), reader(second))
    except (OSError, ValueError, KeyError, TypeError, pickle.PickleError) as error:
        raise ValueError(f"cannot compare {first} with {second}: {error}") from error


@dataclass
class Comparison:
    """Outcome of comparing two results trees, by relative path."""

    identical: list[str] = field(default_factory=list)
    different: list[str] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)
    only_first: list[str] = field(default_factory=list)
    only_second: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not (self.different or self.only_first or self.only_second)

    def summary(self) -> str:
        lines = [
            f"{len(self.identical)} identical, {len(self.different)} different, {len(self.not_compared)} not "
            f"compared (kinds: {sorted({Path(path).suffix or path for path in self.not_compared})}), "
            f"{len(self.only_first)} only in the first, {len(self.only_second)} only in the second"
        ]
        for title, paths in (("different", self.different), ("only in the first", self.only_first),
                             ("only in the second", self.only_second)):  # fmt: skip
            lines += [f"{title}: {path}" for path in paths]
        return "\n".join(lines)


def output_files(root: Path) -> set[str]:
    """Relative paths of the outputs under ``root``: no run records, stamp sidecars or partial writes."""
    files = set()
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if not path.is_file() or relative.parts[0] in RECORD_DIRECTORIES:
            continue
        if path.suffix == "." + STAMP_KEY or ".partial" in path.name:
            continue
        files.add(relative.as_posix())
    return files


def compare_trees(first: str | Path, second: str | Path, only: Iterable[str] = ()) -> Comparison:
    """Compare every output of two results directories (``only``: relative paths under these prefixes)."""
    first, second = Path(first), Path(second)
    for root in (first, second):
        if not root.is_dir():
            raise ValueError(f"{root} is not a directory")
    prefixes = tuple(only)
    keep = (lambda path: path.startswith(prefixes)) if prefixes else (lambda path: True)
    first_files = {path for path in output_files(first) if keep(path)}
    second_files = {path for path in output_files(second) if keep(path)}
    comparison = Comparison(
        only_first=sorted(first_files - second_files), only_second=sorted(second_files - first_files)
    )
    for path in sorted(first_files & second_files):
        outcome = same_content(first / path, second / path)
        if outcome is None:
            comparison.not_compared.append(path)
        else:
            (comparison.identical if outcome else comparison.different).append(path)
    return comparison


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="scripts/compare_results.py", description=__doc__.split("\n")[0])
    parser.add_argument("first", help="a results directory")
    parser.add_argument("second", help="another results directory")
    parser.add_argument("--only", nargs="+", default=[], help="compare only paths under these (e.g. h5 metrics)")
    args = parser.parse_args(argv)
    try:
        comparison = compare_trees(args.first, args.second, args.only)
    except ValueError as error:
        print(f"error: {error}")
        return 2
    print(comparison.summary())
    return 0 if comparison.same else 1
