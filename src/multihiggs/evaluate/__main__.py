"""Evaluate one method on one test sample: ``python -m multihiggs.evaluate --test T.h5 --predictions P.h5 -o M.json``.

Writes every reconstruction metric (purity and efficiency vs pT, inclusive, event/H purity by jet multiplicity and
by number of reconstructable Higgs, candidate-mass histograms, m_H1–m_H2 plane; the same event metrics in the
resolved-only view of li2023hhh/hsieh_spanet2) as JSON with bin edges, values and
interval bounds (layout in :mod:`multihiggs.evaluate.summary`). When the test file holds signal and background
and the method has a finite ``signal_score``, a ``classification`` block is added. Exit status 2 on bad input.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from multihiggs.cli import run_main
from multihiggs.evaluate.binomial import INTERVAL_METHODS, ONE_SIGMA
from multihiggs.evaluate.candidates import candidate_kinematics
from multihiggs.evaluate.classification import classification_summary
from multihiggs.evaluate.inputs import read_event_inputs, read_matching_predictions, read_truth_higgs
from multihiggs.evaluate.masses import DEFAULT_MASS_EDGES
from multihiggs.evaluate.matching import match_candidates
from multihiggs.evaluate.summary import (
    DEFAULT_PT_EDGES,
    reconstruction_summary,
    resolved_only_match,
    resolved_only_summary,
)
from multihiggs.io.jsonio import write_json


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--test", required=True, help="SPANet-layout test file")
    parser.add_argument("--predictions", required=True, help="prediction file of one method on that test file")
    parser.add_argument("--n-higgs", type=int, choices=(2, 3), help="Higgs targets (default: prediction slots)")
    parser.add_argument("--method", help="method label (default: the prediction file's 'method' attribute)")
    parser.add_argument("--sample", help="sample label (default: the test file's name)")
    parser.add_argument(
        "--btag", default="CSV", choices=("CSV", "UParT"), help="b-tag working point of the method's inputs (recorded)"
    )
    parser.add_argument(
        "--weighted",
        action="store_true",
        help="weight by the cross-section event weight (default: each event once, or by its probability to pass the "
        "tag requirement when the file was converted with tag-rate weights)",
    )
    parser.add_argument("--pt-edges", type=float, nargs="+", default=list(DEFAULT_PT_EDGES), help="GeV")
    parser.add_argument(
        "--mass-range", type=float, nargs=3, metavar=("LOW", "HIGH", "NBINS"), help="candidate-mass binning (GeV)"
    )
    parser.add_argument("--interval", choices=INTERVAL_METHODS, default="clopper_pearson")
    parser.add_argument("--confidence", type=float, default=ONE_SIGMA, help="interval coverage (default ±1σ)")
    parser.add_argument("--threshold", type=float, default=0.5, help="signal-score cut for the accuracy")
    parser.add_argument("-o", "--output", required=True, help="metrics JSON to write")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run_main(lambda: write_json(args.output, "metrics", evaluate(args)), raise_exit=True)


def evaluate(args: argparse.Namespace) -> dict:
    """The metrics document of the files named in ``args`` (I/O at this edge only)."""
    pt_edges = np.asarray(args.pt_edges, dtype=np.float64)
    if pt_edges.size < 2 or (np.diff(pt_edges) <= 0).any():
        raise ValueError(f"--pt-edges must be at least two increasing values, got {args.pt_edges}")
    mass_edges = DEFAULT_MASS_EDGES
    if args.mass_range is not None:
        low, high, n_bins = args.mass_range
        mass_edges = np.linspace(low, high, int(n_bins) + 1)
    inputs = read_event_inputs(args.test, btag_working_point=args.btag)
    predictions = read_matching_predictions(args.predictions, args.test, inputs.n_events, args.n_higgs)
    truth = read_truth_higgs(args.test, predictions.n_higgs)
    if len(truth.pt) != inputs.n_events:
        raise ValueError(f"test file {args.test}: targets hold {len(truth.pt)} events, inputs {inputs.n_events}")

    # The selected population: a tag-rate-weighted sample counts each event with its probability to pass the cut.
    metric_weights = inputs.event_weight if args.weighted else inputs.selection_weight
    match = match_candidates(predictions.resolved_assignments, predictions.boosted_assignments, truth.targets)
    kinematics = candidate_kinematics(
        inputs.jets, inputs.boosted_jets, predictions.resolved_assignments, predictions.boosted_assignments
    )
    document = {
        "method": args.method or predictions.method,
        "sample": args.sample or Path(args.test).stem,
        "btag": args.btag,
        "kl": inputs.kl,
        **reconstruction_summary(
            match,
            kinematics,
            truth.pt,
            inputs.n_jets,
            event_weight=metric_weights,
            pt_edges=pt_edges,
            mass_edges=mass_edges,
            confidence=args.confidence,
            interval=args.interval,
        ),
        "resolved_only": resolved_only_summary(
            resolved_only_match(predictions.resolved_assignments, truth.targets),
            truth.pt,
            inputs.n_jets,
            event_weight=metric_weights,
            pt_edges=pt_edges,
            confidence=args.confidence,
            interval=args.interval,
        ),
        "classification": None,
    }
    has_both_classes = np.unique(inputs.signal).size == 2
    if has_both_classes and np.isfinite(predictions.signal_score).all():
        document["classification"] = classification_summary(
            inputs.signal, predictions.signal_score, threshold=args.threshold
        )
    return document


if __name__ == "__main__":
    main()
