"""The JSON files of the evaluation: strict JSON (NaN written as null), atomic writes, a ``kind`` tag checked on read.

Kinds: ``metrics`` (reconstruction metrics of one method on one sample), ``sculpting`` (QCD candidate masses of one
method), ``classification`` (ROC/AUC/accuracy of one method). Every file carries ``method`` and ``sample``, and
the provenance stamp (:mod:`multihiggs.provenance`) under ``provenance``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hist
import numpy as np

from multihiggs.io.atomic import write_text
from multihiggs.io.json_file import load_json_file
from multihiggs.provenance import STAMP_KEY, current_stamp

KINDS: tuple[str, ...] = ("metrics", "sculpting", "classification")
SCHEMA_VERSION = 1


def to_jsonable(value: Any) -> Any:
    """Nested dicts/lists of numpy arrays, scalars and objects with ``as_dict()`` (a binomial ``Ratio``) -> plain
    JSON values (NaN and inf -> None)."""
    if callable(getattr(value, "as_dict", None)):
        return to_jsonable(value.as_dict())
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def histogram_dict(histogram: hist.Hist) -> dict[str, Any]:
    """A weighted histogram as {"edges": [per axis], "values", "variances", and for 1D "underflow", "overflow"}."""
    content: dict[str, Any] = {
        "edges": [np.asarray(axis.edges) for axis in histogram.axes],
        "values": histogram.values(),
        "variances": histogram.variances(),
    }
    if histogram.ndim == 1:
        with_flow = histogram.values(flow=True)
        content["underflow"], content["overflow"] = float(with_flow[0]), float(with_flow[-1])
    return content


def write_json(path: str | Path, kind: str, content: dict[str, Any]) -> None:
    """Write ``content`` tagged with ``kind`` atomically to ``path``."""
    if kind not in KINDS:
        raise ValueError(f"JSON kind must be one of {KINDS}, got {kind!r}")
    document = {"kind": kind, "schema_version": SCHEMA_VERSION, **to_jsonable(content)}
    document[STAMP_KEY] = current_stamp().as_dict()
    write_text(path, json.dumps(document, indent=1, allow_nan=False) + "\n")


def read_json(path: str | Path, kinds: str | Sequence[str]) -> dict[str, Any]:
    """Read an evaluation JSON file and check that its kind is ``kinds`` (or one of them)."""
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    path = Path(path)
    document = load_json_file(path, "evaluation JSON")
    found = document.get("kind") if isinstance(document, dict) else None
    if found not in kinds:
        raise ValueError(f"{path} is a {found!r} JSON file, expected one of {list(kinds)}")
    return document


def read_documents(paths: Sequence[str], kinds: Sequence[str], labels: Sequence[str] | None = None) -> list[dict]:
    """Read the evaluation JSON files ``paths`` (each of one of ``kinds``); ``labels`` set each one's ``label``."""
    if labels and len(labels) != len(paths):
        raise ValueError(f"give one label per input: {len(labels)} labels for {len(paths)} inputs")
    documents = [read_json(path, kinds) for path in paths]
    for document, label in zip(documents, labels or [], strict=False):
        document["label"] = label
    return documents


def as_array(values: Any) -> np.ndarray:
    """A JSON list (null = NaN) as a float64 array."""
    return np.asarray(values, dtype=np.float64)
