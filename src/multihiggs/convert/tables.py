"""Truth-matching statistics: fraction of events with 0…H reconstructable Higgs bosons (li2023hhh table shape).

``python -m multihiggs.convert.tables --input SAMPLE_test.h5 … --output-md X.md --output-tex X.tex``

Per sample (``TRUTH/EVENT/sample_id``) and jet multiplicity (= N, = N+1, ≥ N+2 and inclusive ≥ N, with N the
conversion's minimum jet count), for three definitions of a reconstructable Higgs: *resolved* (both b quarks matched
to stored AK5 jets), *boosted* (matched to a stored AK8 jet) and *resolved or boosted*. Fractions are of unweighted
event counts, or, for a sample converted with tag-rate weights, of events weighted by their probability to pass the
tag requirement (``WEIGHTS/EVENT/selection_weight``): the population the cut selects. The events column counts
events either way.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from multihiggs.cli import run_main
from multihiggs.convert.convert import stacked_targets
from multihiggs.convert.matching import boosted_reconstructable, resolved_reconstructable
from multihiggs.io import spanet_layout as layout
from multihiggs.io.atomic import write_text
from multihiggs.io.hdf5 import open_hdf5, read_dataset, selection_weight_of
from multihiggs.io.spanet_layout import ATTR_MIN_JETS, ATTR_N_HIGGS, ATTR_SAMPLE_NAMES
from multihiggs.tables import latex_table, markdown_table

CATEGORIES = ("resolved", "boosted", "resolved or boosted")
MAX_HIGGS_COLUMNS = 3


@dataclass(frozen=True)
class TableRow:
    """One line of the table: fractions[k] = fraction of events with k reconstructable Higgs (NaN if k > H)."""

    sample: str
    jets: str
    category: str
    n_events: int
    fractions: tuple[float, ...]


def reconstructable_counts(resolved_targets: np.ndarray, boosted_targets: np.ndarray) -> dict[str, np.ndarray]:
    """Per event number of reconstructable Higgs for each category; targets (N, H, 2) and (N, H)."""
    resolved = resolved_reconstructable(resolved_targets)
    boosted = boosted_reconstructable(boosted_targets)
    return {
        "resolved": resolved.sum(axis=1),
        "boosted": boosted.sum(axis=1),
        "resolved or boosted": (resolved | boosted).sum(axis=1),
    }


def jet_multiplicity_bins(n_jets: np.ndarray, min_jets: int) -> dict[str, np.ndarray]:
    """Event masks for = N, = N+1, ≥ N+2 jets and the inclusive ≥ N."""
    return {
        f"= {min_jets}": n_jets == min_jets,
        f"= {min_jets + 1}": n_jets == min_jets + 1,
        f"≥ {min_jets + 2}": n_jets >= min_jets + 2,
        f"≥ {min_jets}": n_jets >= min_jets,
    }


def fraction_rows(
    sample: str,
    counts: dict[str, np.ndarray],
    n_jets: np.ndarray,
    min_jets: int,
    n_higgs: int,
    weights: np.ndarray | None = None,
) -> list[TableRow]:
    """Rows for one sample: every jet bin x category, fractions of 0 … MAX_HIGGS_COLUMNS reconstructable Higgs
    (events weighted by ``weights`` (N,) when given)."""
    rows = []
    for jets, in_bin in jet_multiplicity_bins(n_jets, min_jets).items():
        n_events = int(in_bin.sum())
        bin_weights = None if weights is None else weights[in_bin]
        total = n_events if weights is None else float(np.sum(bin_weights))
        for category in CATEGORIES:
            histogram = np.bincount(counts[category][in_bin], bin_weights, minlength=MAX_HIGGS_COLUMNS + 1)
            fractions = histogram.astype(float) / total if total else np.full(MAX_HIGGS_COLUMNS + 1, np.nan)
            fractions[n_higgs + 1 :] = np.nan
            rows.append(TableRow(sample, jets, category, n_events, tuple(float(f) for f in fractions)))
    return rows


def rows_from_file(path: str | Path) -> list[TableRow]:
    """Rows of every sample in one converted (or merged) file."""
    with open_hdf5(path) as handle:
        n_higgs = int(handle.attrs[ATTR_N_HIGGS])
        min_jets = int(handle.attrs[ATTR_MIN_JETS])
        names = json.loads(handle.attrs[ATTR_SAMPLE_NAMES])
        resolved, boosted = stacked_targets(handle, n_higgs)
        n_jets = read_dataset(handle, layout.truth_event_key("n_jets"))
        sample_ids = read_dataset(handle, layout.truth_event_key("sample_id"))
        weights = selection_weight_of(handle)
    counts = reconstructable_counts(resolved, boosted)
    rows = []
    for identifier in np.unique(sample_ids):
        selected = sample_ids == identifier
        rows += fraction_rows(
            names.get(str(identifier), str(identifier)),
            {category: values[selected] for category, values in counts.items()},
            n_jets[selected],
            min_jets,
            n_higgs,
            None if weights is None or np.all(weights[selected] == 1.0) else weights[selected],
        )
    return rows


def _percent(value: float) -> str:
    return "–" if np.isnan(value) else f"{100 * value:.1f}"


HEADER = ("sample", "AK5 jets", "reconstructable as", "events", *(f"{k}h (%)" for k in range(MAX_HIGGS_COLUMNS + 1)))
LATEX_COLUMNS = "lllr" + "r" * (MAX_HIGGS_COLUMNS + 1)


def _cells(rows: Sequence[TableRow]) -> list[list[str]]:
    return [[row.sample, row.jets, row.category, str(row.n_events), *map(_percent, row.fractions)] for row in rows]


def to_markdown(rows: Sequence[TableRow]) -> str:
    """Markdown table: sample | jets | category | events | 0h … 3h (percent)."""
    return markdown_table(HEADER, _cells(rows))


def to_latex(rows: Sequence[TableRow]) -> str:
    """LaTeX table (booktabs) with the same columns as :func:`to_markdown`."""
    return latex_table(HEADER, _cells(rows), columns=LATEX_COLUMNS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.convert.tables", description=__doc__.splitlines()[0])
    parser.add_argument("--input", nargs="+", required=True, help="converted HDF5 files (e.g. each sample's test.h5)")
    parser.add_argument("--output-md", required=True)
    parser.add_argument("--output-tex", required=True)
    args = parser.parse_args(argv)
    return run_main(lambda: _write_tables(args))


def _write_tables(args: argparse.Namespace) -> None:
    rows = [row for path in args.input for row in rows_from_file(path)]
    write_text(args.output_md, to_markdown(rows))
    write_text(args.output_tex, to_latex(rows))


if __name__ == "__main__":
    sys.exit(main())
