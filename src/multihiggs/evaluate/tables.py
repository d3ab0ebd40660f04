"""Result tables (Markdown and LaTeX) from evaluation JSON files.

    python -m multihiggs.evaluate.tables KIND --inputs A.json [B.json …] [--markdown T.md] [--latex T.tex]

KIND:

- ``event_purity`` (li2023hhh): per method and sample, event purity and H purity for "1–H h" and "H h" events.
- ``purity_by_njets`` (li2023hhh): H purity per jet multiplicity (= 2H, = 2H+1, ≥ 2H+2, full), a column per
  method and category (inputs: one sample).
- ``efficiency_by_njets`` (hsieh_spanet2): per method and sample and jet multiplicity, for complete ("H h") events:
  event fraction, event efficiency, Higgs efficiency.
- ``classification``: ACC and AUC per method (classification files or metrics files with a classification block).
- ``sculpting``: Jensen–Shannon distances to the random re-pairing and to random jet pairs per method.

Ratios are written "value ± half the interval width" (±1σ by default).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from multihiggs.cli import run_main
from multihiggs.io.atomic import write_text
from multihiggs.io.jsonio import read_documents
from multihiggs.tables import latex_table, markdown_table

Row = list[str]
Table = tuple[list[str], list[Row]]


def format_ratio(cell: Mapping[str, Any], precision: int = 3) -> str:
    """ "value ± half-width" of a ratio cell ({"value", "lower", "upper"}; None = NaN); "–" if empty."""
    value, lower, upper = (cell.get(name) for name in ("value", "lower", "upper"))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if lower is None or upper is None:
        return f"{value:.{precision}f}"
    return f"{value:.{precision}f} ± {(upper - lower) / 2:.{precision}f}"


def _name(document: Mapping[str, Any]) -> str:
    return str(document.get("label") or document["method"])


def _jet_bin_index(document: Mapping[str, Any], label: str = "all") -> int:
    return [jet_bin["label"] for jet_bin in document["events"]["jet_bins"]].index(label)


def event_purity_table(documents: Sequence[Mapping[str, Any]]) -> Table:
    """Seed 000's event/H purity table, inclusive in jet multiplicity."""
    first = documents[0]["events"]["categories"]
    partial, complete = first["partial"]["label"], first["complete"]["label"]
    header = ["Method", "Sample", f"Event purity ({partial})", f"H purity ({partial})",
              f"Event purity ({complete})", f"H purity ({complete})"]  # fmt: skip
    rows = []
    for document in documents:
        categories, every = document["events"]["categories"], _jet_bin_index(document)
        rows.append(
            [_name(document), str(document.get("sample", ""))]
            + [
                format_ratio(categories[category][quantity][every])
                for category in ("partial", "complete")
                for quantity in ("event_purity", "higgs_purity")
            ]
        )
    return header, rows


def purity_by_njets_table(documents: Sequence[Mapping[str, Any]]) -> Table:
    """Seed 000's H purity per jet multiplicity: a column per (category, method)."""
    samples = {document.get("sample") for document in documents}
    if len(samples) > 1:
        raise ValueError(f"purity_by_njets compares methods on one sample, got samples {sorted(map(str, samples))}")
    bins = [jet_bin["label"] for jet_bin in documents[0]["events"]["jet_bins"]]
    header = ["N jets"]
    for category in ("partial", "complete"):
        header += [f"{_name(d)} ({d['events']['categories'][category]['label']})" for d in documents]
    rows = []
    for index, label in enumerate(bins):
        row = ["Full" if label == "all" else label]
        for category in ("partial", "complete"):
            row += [format_ratio(d["events"]["categories"][category]["higgs_purity"][index]) for d in documents]
        rows.append(row)
    return header, rows


def efficiency_by_njets_table(documents: Sequence[Mapping[str, Any]]) -> Table:
    """Seed 003's table for complete events: event fraction, event and Higgs efficiency per jet multiplicity."""
    header = ["Method", "Sample", "N jets", "Event fraction", "Event efficiency", "Higgs efficiency"]
    rows = []
    for document in documents:
        complete = document["events"]["categories"]["complete"]
        for index, jet_bin in enumerate(document["events"]["jet_bins"]):
            rows.append(
                [_name(document), str(document.get("sample", "")), "Total" if jet_bin["label"] == "all" else
                 jet_bin["label"]]
                + [format_ratio(complete[q][index]) for q in ("event_fraction", "event_purity", "higgs_purity")]
            )  # fmt: skip
    return header, rows


def classification_table(documents: Sequence[Mapping[str, Any]]) -> Table:
    """ACC and AUC per method (hsieh_spanet2 Tables 8, 10)."""
    rows = []
    for document in documents:
        block = document.get("classification") if document.get("kind") == "metrics" else document
        if not block:
            raise ValueError(f"{_name(document)} on {document.get('sample')} holds no classification results")
        rows.append([_name(document), str(document.get("sample", "")), f"{block['accuracy']:.3f}",
                     f"{block['auc']:.3f}"])  # fmt: skip
    return ["Method", "Sample", "ACC", "AUC"], rows


def sculpting_table(documents: Sequence[Mapping[str, Any]]) -> Table:
    """The mass-sculpting measure per method."""

    def distance(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    rows = [
        [
            _name(d),
            str(d.get("sample", "")),
            distance(d.get("js_distance")),
            distance(d.get("js_distance_random_jets")),
        ]
        for d in documents
    ]
    return ["Method", "Sample", "JS distance (re-paired jets)", "JS distance (random jets)"], rows


TABLES: dict[str, tuple[Callable[[Sequence[Mapping[str, Any]]], Table], tuple[str, ...]]] = {
    "event_purity": (event_purity_table, ("metrics",)),
    "purity_by_njets": (purity_by_njets_table, ("metrics",)),
    "efficiency_by_njets": (efficiency_by_njets_table, ("metrics",)),
    "classification": (classification_table, ("classification", "metrics")),
    "sculpting": (sculpting_table, ("sculpting",)),
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.evaluate.tables", description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=sorted(TABLES))
    parser.add_argument("--inputs", nargs="+", required=True, help="evaluation JSON files")
    parser.add_argument("--labels", nargs="+", help="method name per input (default: the method)")
    parser.add_argument("--markdown", help="Markdown file to write")
    parser.add_argument("--latex", help="LaTeX file to write")
    parser.add_argument("--caption", default="", help="LaTeX caption")
    args = parser.parse_args(argv)
    if not args.markdown and not args.latex:
        parser.error("give --markdown and/or --latex")
    run_main(lambda: _write_table(args), raise_exit=True)


def _write_table(args: argparse.Namespace) -> None:
    build, kinds = TABLES[args.kind]
    header, rows = build(read_documents(args.inputs, kinds, args.labels))
    if args.markdown:
        write_text(args.markdown, markdown_table(header, rows))
    if args.latex:
        write_text(args.latex, latex_table(header, rows, caption=args.caption))


if __name__ == "__main__":
    main()
