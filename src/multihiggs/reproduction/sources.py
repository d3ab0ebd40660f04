"""Which of our result files a claim reads (:class:`SourceRef`), and reading them (the I/O edge of the package).

Kinds and files (relative to the results directory):

- ``metric`` (analysis, method, sample): ``metrics/<analysis>/<method>/<sample>.json`` (``multihiggs.evaluate``);
- ``sculpting`` (analysis, method): ``metrics/<analysis>/<method>/qcd_sculpting.json``;
- ``scan``: ``stats/hh/kl_scan.json`` (κλ intervals and equivalent luminosities);
- ``interval`` (method): ``stats/hh/interval_spread_<method>.json``, read as {``lower``, ``upper``, ``width``:
  {value: nominal 95 % PL bound, sigma: half the QCD bootstrap replicas' 16th–84th percentile range}}
  (:mod:`multihiggs.stats.interval_spread`);
- ``classification`` (method, selection ``head`` or ``dnn``): ``reproduction/classification/<selection>/<method>.json``
  (every method scored on one test set: the κλ-mixed signal samples and QCD);
- ``matching`` (analysis, sample): ``h5/<analysis>/<sample>/test.h5``, read as {view: {jet bin: [ratio of events
  with 0, 1, … reconstructable Higgs]}} with the views ``resolved``, ``boosted``, ``resolved or boosted``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from multihiggs.io.json_file import load_json_file
from multihiggs.reproduction.measurement import accuracy_sigma, auc_sigma

SOURCE_KINDS: dict[str, tuple[str, ...]] = {
    "metric": ("analysis", "method", "sample"),
    "sculpting": ("analysis", "method"),
    "scan": (),
    "interval": ("method",),
    "classification": ("method", "selection"),
    "matching": ("analysis", "sample"),
}
SELECTIONS: tuple[str, ...] = ("head", "dnn")


@dataclass(frozen=True)
class SourceRef:
    """One result file: its kind and the parameters that name it (sorted (key, value) pairs)."""

    kind: str
    params: tuple[tuple[str, str], ...]

    @classmethod
    def make(cls, kind: str, params: Mapping[str, Any]) -> SourceRef:
        if kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {kind!r} (known: {sorted(SOURCE_KINDS)})")
        missing = [name for name in SOURCE_KINDS[kind] if name not in params]
        if missing:
            raise ValueError(f"source {kind!r} needs {missing}")
        if kind == "classification" and params["selection"] not in SELECTIONS:
            raise ValueError(f"classification selection must be one of {SELECTIONS}, got {params['selection']!r}")
        return cls(kind, tuple((name, str(params[name])) for name in SOURCE_KINDS[kind]))

    @property
    def values(self) -> dict[str, str]:
        return dict(self.params)

    @property
    def path(self) -> str:
        """The file, relative to the results directory."""
        p = self.values
        if self.kind == "metric":
            return f"metrics/{p['analysis']}/{p['method']}/{p['sample']}.json"
        if self.kind == "sculpting":
            return f"metrics/{p['analysis']}/{p['method']}/qcd_sculpting.json"
        if self.kind == "classification":
            return f"reproduction/classification/{p['selection']}/{p['method']}.json"
        if self.kind == "matching":
            return f"h5/{p['analysis']}/{p['sample']}/test.h5"
        if self.kind == "interval":
            return f"stats/hh/interval_spread_{p['method']}.json"
        return "stats/hh/kl_scan.json"

    def describe(self) -> str:
        """Words for a "not measured" reason: what the configuration would have to evaluate."""
        p = self.values
        if self.kind in ("metric", "sculpting"):
            return f"method {p['method']} in the {p['analysis']} analysis"
        if self.kind == "classification":
            return f"method {p['method']} with a {p['selection']} selection (analysis hh)"
        if self.kind == "matching":
            return f"sample {p['sample']} in the {p['analysis']} analysis"
        if self.kind == "interval":
            return f"the interval spread of method {p['method']} (stats.methods, stats.interval_spread.replicas > 0)"
        return "the κλ scan (stats.methods)"


def read_source(ref: SourceRef, path: Path) -> Any:
    """The document of ``ref`` read from ``path`` (JSON, or the matching fractions of a converted file)."""
    if ref.kind == "matching":
        return matching_document(path, ref.values["sample"])
    document = load_json_file(path, f"{ref.kind} results")
    if ref.kind == "classification":
        return classification_document(document)
    if ref.kind == "interval":
        return interval_document(document)
    return document


def classification_document(document: dict) -> dict:
    """The classification JSON with σ on ``auc`` (its bootstrap ``auc_sigma``, else Hanley–McNeil) and ``accuracy``
    (binomial) from the Kish effective event counts of its weights (``n_eff_*``; the raw counts in files written
    without them)."""
    n_signal = float(document.get("n_eff_signal", document["n_signal"]))
    n_background = float(document.get("n_eff_background", document["n_background"]))
    n_events = float(document.get("n_eff", int(document["n_signal"]) + int(document["n_background"])))
    auc, accuracy = float(document["auc"]), float(document["accuracy"])
    return {
        **document,
        "auc": {"value": auc, "sigma": float(document.get("auc_sigma", auc_sigma(auc, n_signal, n_background)))},
        "accuracy": {"value": accuracy, "sigma": accuracy_sigma(accuracy, n_events)},
    }


def interval_document(document: dict) -> dict:
    """{lower, upper, width: {"value": the nominal value (None: open), "sigma": half the replicas' 16th–84th
    percentile range (None without closed replicas)}} of an interval-spread JSON."""

    def with_sigma(name: str) -> dict:
        described = document[name]
        closed = described["p16"] is not None and described["p84"] is not None
        return {
            "value": document["nominal"][name],
            "sigma": (described["p84"] - described["p16"]) / 2 if closed else None,
        }

    return {name: with_sigma(name) for name in ("lower", "upper", "width")}


def matching_document(path: Path, sample: str) -> dict:
    """{view: {jet bin label: [{"numerator", "denominator"} per number of reconstructable Higgs]}} of ``sample``."""
    from multihiggs.convert.tables import rows_from_file  # HDF5 reading only where a matching source is used

    document: dict[str, dict[str, list]] = {}
    rows = [row for row in rows_from_file(path) if row.sample == sample]
    if not rows:
        raise ValueError(f"{path} holds no events of sample {sample!r}")
    for row in rows:
        fractions = np.nan_to_num(np.asarray(row.fractions, dtype=np.float64))
        document.setdefault(row.category, {})[row.jets] = [
            {"numerator": round(f * row.n_events), "denominator": row.n_events} for f in fractions
        ]
    return document
