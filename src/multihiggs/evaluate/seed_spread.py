"""Training-seed spread: the same quantity measured with networks trained from several seeds.

A variant with ``spanet.training_seeds`` > 1 is trained again from other seeds (its replicas ``spanet_v_seed<k>``,
:mod:`multihiggs.methods`). :func:`aggregate_seeds` gives mean and standard deviation over the seeds,
:func:`total_sigma` adds the standard deviation to a statistical σ (the reproduction table), and
:func:`spread_rows` builds the table of every replicated method's headline numbers:

    python -m multihiggs.evaluate.seed_spread METRICS.json … [CLASSIFICATION.json …] --output-md T.md
        --output-tex T.tex --output-json T.json

Inputs: the metrics files (``multihiggs.evaluate``) of a method and its replicas on one sample, for any number of
(method, sample) groups, and classification files likewise. Pure functions apart from :func:`main`.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from multihiggs.cli import run_main
from multihiggs.io.atomic import write_text
from multihiggs.io.jsonio import read_documents
from multihiggs.methods import split_replica
from multihiggs.provenance import STAMP_KEY, current_stamp
from multihiggs.tables import latex_table, markdown_table


@dataclass(frozen=True)
class SeedSpread:
    """Mean and sample standard deviation (n − 1) of one quantity over n training seeds (std None if n < 2);
    ``n_missing`` more trainings gave no value (e.g. an open κλ interval) and are left out."""

    n: int
    mean: float
    std: float | None
    values: tuple[float, ...]
    n_missing: int = 0

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "mean": self.mean,
            "std": self.std,
            "values": list(self.values),
            "n_missing": self.n_missing,
        }


def aggregate_seeds(values: Sequence[float | None]) -> SeedSpread | None:
    """The spread of ``values`` (one per training seed); missing (None, NaN) values are left out, None if none."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return None
    mean = sum(finite) / len(finite)
    std = None
    if len(finite) > 1:
        std = math.sqrt(sum((v - mean) ** 2 for v in finite) / (len(finite) - 1))
    return SeedSpread(len(finite), mean, std, tuple(finite), len(values) - len(finite))


def total_sigma(statistical: float | None, spread: SeedSpread | None) -> float | None:
    """Statistical σ and the training-seed std added in quadrature (None when neither is known)."""
    parts = [part for part in (statistical, None if spread is None else spread.std) if part is not None]
    return math.sqrt(sum(part**2 for part in parts)) if parts else None


#: (label, path into a metrics document) of the quantities tabulated: event and H purity of events with 1 to H and
#: with all H reconstructable Higgs bosons (every jet multiplicity), and the combined matching efficiency.
METRIC_QUANTITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("event purity (1–H h)", ("events", "categories", "partial", "event_purity")),
    ("H purity (1–H h)", ("events", "categories", "partial", "higgs_purity")),
    ("event purity (H h)", ("events", "categories", "complete", "event_purity")),
    ("H purity (H h)", ("events", "categories", "complete", "higgs_purity")),
    ("matching efficiency", ("inclusive", "efficiency", "combined")),
)
CLASSIFICATION_QUANTITIES: tuple[tuple[str, tuple[str, ...]], ...] = (("AUC", ("auc",)), ("accuracy", ("accuracy",)))


@dataclass(frozen=True)
class SpreadRow:
    """One quantity of one method on one sample over its training seeds."""

    method: str
    sample: str
    quantity: str
    spread: SeedSpread

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "sample": self.sample, "quantity": self.quantity, **self.spread.as_dict()}


def quantity_value(document: Mapping[str, Any], path: Sequence[str]) -> float | None:
    """The scalar at ``path`` of a metrics or classification document (ratio cells: their value; per-jet-bin lists:
    the "all" bin); None where absent."""
    node: Any = document
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    if isinstance(node, list):  # per jet bin: the inclusive one
        labels = [jet_bin["label"] for jet_bin in document["events"]["jet_bins"]]
        node = node[labels.index("all")] if "all" in labels else None
    if isinstance(node, Mapping):
        node = node.get("value")
    return None if node is None else float(node)


def spread_rows(documents: Sequence[Mapping[str, Any]]) -> list[SpreadRow]:
    """Rows of every (method, sample, quantity) over the documents of a method and its seed replicas.

    Documents are grouped by (method without its replica suffix, sample); a group needs at least two seeds.
    Classification documents (with ``auc``) give AUC and accuracy, metrics documents the purities and efficiency.
    """
    groups: dict[tuple[str, str], dict[int, Mapping[str, Any]]] = {}
    for document in documents:
        method, replica = split_replica(str(document["method"]))
        group = groups.setdefault((method, str(document.get("sample", ""))), {})
        if replica in group:
            raise ValueError(f"two documents of {document['method']} on sample {document.get('sample')!r}")
        group[replica] = document
    rows = []
    for (method, sample), replicas in groups.items():
        if len(replicas) < 2:
            raise ValueError(
                f"{method} on {sample!r}: one training seed only ({sorted(replicas)}); the spread needs two"
            )
        ordered = [replicas[index] for index in sorted(replicas)]
        quantities = CLASSIFICATION_QUANTITIES if "auc" in ordered[0] else METRIC_QUANTITIES
        for label, path in quantities:
            spread = aggregate_seeds([quantity_value(document, path) for document in ordered])
            if spread is not None:
                rows.append(SpreadRow(method, sample, label, spread))
    return rows


def _table(rows: Sequence[SpreadRow]) -> tuple[list[str], list[list[str]]]:
    header = ["Method", "Sample", "Quantity", "Seeds", "Values", "Mean", "Std"]
    body = [
        [row.method, row.sample, row.quantity, str(row.spread.n), " / ".join(f"{v:.3f}" for v in row.spread.values),
         f"{row.spread.mean:.3f}", "–" if row.spread.std is None else f"{row.spread.std:.3f}"]
        for row in rows
    ]  # fmt: skip
    return header, body


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m multihiggs.evaluate.seed_spread", description=__doc__.splitlines()[0]
    )
    parser.add_argument("inputs", nargs="+", help="metrics or classification JSON of methods and their seed replicas")
    parser.add_argument("--output-md", required=True)
    parser.add_argument("--output-tex", required=True)
    parser.add_argument("--output-json", required=True)
    args = parser.parse_args(argv)
    return run_main(lambda: _write(args))


def _write(args: argparse.Namespace) -> None:
    rows = spread_rows(read_documents(args.inputs, ("metrics", "classification")))
    header, body = _table(rows)
    write_text(args.output_md, markdown_table(header, body))
    caption = "Training-seed spread: mean and sample standard deviation over the trainings of each method."
    write_text(args.output_tex, latex_table(header, body, caption=caption))
    document = {"rows": [row.as_dict() for row in rows], STAMP_KEY: current_stamp().as_dict()}
    write_text(args.output_json, json.dumps(document, indent=1) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
