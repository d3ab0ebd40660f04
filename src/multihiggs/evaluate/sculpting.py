"""Mass sculpting on QCD: how much a method's pairing makes background candidate masses peak.

    python -m multihiggs.evaluate.sculpting --test QCD_TEST.h5 --predictions P.h5 [--seed 0] -o SCULPT.json

Measure (``js_distance``). For each event, the jets the method put into its resolved candidates are re-paired at
random (seeded): same jets, same number of pairs, pairing-independent. The Jensen–Shannon distance (base 2, in
[0, 1]) between the method's resolved-candidate mass distribution and that of the random re-pairing is the scalar:
0 when the pairing does not shape the mass at all, larger when it sculpts a peak. It is blind to sculpting by the
*choice of jets* (a method keeping a single pair has nothing to re-pair), so ``js_distance_random_jets`` also
compares with as many pairs of jets drawn at random from all the event's jets. Histograms include under/overflow.
QCD events are weighted by their event weights unless ``--unweighted``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import hist
import numpy as np
from scipy.spatial.distance import jensenshannon

from multihiggs.cli import run_main
from multihiggs.evaluate.candidates import BoostedJets, candidate_kinematics
from multihiggs.evaluate.inputs import read_event_inputs, read_matching_predictions
from multihiggs.evaluate.masses import DEFAULT_MASS_EDGES, DEFAULT_PLANE_EDGES, mass_histogram, mass_plane
from multihiggs.evaluate.matching import resolved_present
from multihiggs.io.jsonio import histogram_dict, write_json
from multihiggs.jets import Jets


def random_repairing(resolved_assignments: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The jets of each event's resolved candidates (int (N, H, 2), -1 = none) paired again at random.

    Returns int64 (N, H, 2): as many pairs as the event had, built from the same jets, empty slots last.
    """
    resolved_assignments = np.asarray(resolved_assignments, dtype=np.int64)
    n_events, n_slots, _ = resolved_assignments.shape
    used = np.where(resolved_present(resolved_assignments)[..., None], resolved_assignments, -1)
    used = used.reshape(n_events, 2 * n_slots)
    keys = np.where(used >= 0, rng.random(used.shape), 2.0)  # absent jets sort last
    shuffled = np.take_along_axis(used, np.argsort(keys, axis=1), axis=1)
    return shuffled.reshape(n_events, n_slots, 2)


def random_jet_pairs(jet_mask: np.ndarray, n_pairs: np.ndarray, n_slots: int, rng: np.random.Generator) -> np.ndarray:
    """``n_pairs`` (int (N,)) pairs of distinct jets drawn at random among each event's real jets (mask (N, J)).

    Returns int64 (N, n_slots, 2), pairs in the first slots, -1 elsewhere; at most n_real // 2 pairs per event.
    """
    jet_mask = np.asarray(jet_mask, bool)
    n_events, n_jets = jet_mask.shape
    keys = np.where(jet_mask, rng.random(jet_mask.shape), 2.0)  # padding sorts last
    order = np.argsort(keys, axis=1)
    width = 2 * n_slots
    if width > n_jets:
        order = np.concatenate([order, np.full((n_events, width - n_jets), -1)], axis=1)
    pairs = order[:, :width].reshape(n_events, n_slots, 2)
    n_pairs = np.minimum(np.asarray(n_pairs), jet_mask.sum(axis=1) // 2)
    keep = np.arange(n_slots)[None, :] < n_pairs[:, None]
    return np.where(keep[..., None], pairs, -1).astype(np.int64)


def js_distance(first: hist.Hist, second: hist.Hist) -> float:
    """Jensen–Shannon distance (base 2) between the shapes of two 1D histograms of equal binning (flow included);
    NaN if either is empty."""
    p, q = first.values(flow=True), second.values(flow=True)
    if p.shape != q.shape:
        raise ValueError(f"histograms of different binning: {p.shape} vs {q.shape}")
    if p.sum() <= 0 or q.sum() <= 0:
        return float("nan")
    return float(jensenshannon(p, q, base=2))


def sculpting_summary(
    jets: Jets,
    boosted_jets: BoostedJets,
    resolved_assignments: np.ndarray,
    boosted_assignments: np.ndarray,
    *,
    event_weight: np.ndarray | None = None,
    seed: int = 0,
    mass_edges: np.ndarray = DEFAULT_MASS_EDGES,
    plane_edges: np.ndarray = DEFAULT_PLANE_EDGES,
) -> dict[str, Any]:
    """Candidate-mass histograms of a method and of its two random references, and the JS distances to them.

    Returns {"js_distance", "js_distance_random_jets", "masses": {"method": {"resolved", "boosted", "all"},
    "reference": {"resolved"}, "random_jets": {"resolved"}} (histograms), "mass_plane", ...}.
    """
    rng = np.random.default_rng(seed)
    resolved_assignments = np.asarray(resolved_assignments)
    method = candidate_kinematics(jets, boosted_jets, resolved_assignments, boosted_assignments)
    references = {
        "reference": random_repairing(resolved_assignments, rng),
        "random_jets": random_jet_pairs(
            jets.mask, resolved_present(resolved_assignments).sum(axis=1), resolved_assignments.shape[1], rng
        ),
    }
    reference_masses = {
        name: candidate_kinematics(jets, boosted_jets, pairs, boosted_assignments).mass
        for name, pairs in references.items()
    }
    n_boosted = np.shape(boosted_assignments)[1]
    resolved_part = np.zeros(method.mass.shape, dtype=bool)
    resolved_part[:, n_boosted:] = True

    histograms = {
        "method": {
            "resolved": mass_histogram(method.mass, resolved_part, mass_edges, event_weight),
            "boosted": mass_histogram(method.mass, ~resolved_part, mass_edges, event_weight),
            "all": mass_histogram(method.mass, np.ones_like(resolved_part), mass_edges, event_weight),
        },
        **{
            name: {"resolved": mass_histogram(masses, resolved_part, mass_edges, event_weight)}
            for name, masses in reference_masses.items()
        },
    }
    return {
        "n_events": len(method.mass),
        "weighted": event_weight is not None,
        "seed": seed,
        "js_distance": js_distance(histograms["method"]["resolved"], histograms["reference"]["resolved"]),
        "js_distance_random_jets": js_distance(histograms["method"]["resolved"], histograms["random_jets"]["resolved"]),
        "masses": {group: {name: histogram_dict(h) for name, h in hs.items()} for group, hs in histograms.items()},
        "mass_plane": histogram_dict(mass_plane(method, plane_edges, event_weight)),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m multihiggs.evaluate.sculpting", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--test", required=True, help="SPANet-layout QCD test file")
    parser.add_argument("--predictions", required=True, help="the method's prediction file on that test file")
    parser.add_argument("--method", help="method label (default: the prediction file's 'method' attribute)")
    parser.add_argument("--sample", default="qcd", help="sample label recorded in the JSON")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random re-pairing")
    parser.add_argument("--unweighted", action="store_true", help="count events once instead of by event weight")
    parser.add_argument("--btag", default="CSV", choices=("CSV", "UParT"), help="b-tag working point of the inputs")
    parser.add_argument("--mass-range", type=float, nargs=3, metavar=("LOW", "HIGH", "NBINS"), help="GeV")
    parser.add_argument("-o", "--output", required=True, help="sculpting JSON to write")
    args = parser.parse_args(argv)
    run_main(lambda: _write_sculpting(args), raise_exit=True)


def _write_sculpting(args: argparse.Namespace) -> None:
    edges = DEFAULT_MASS_EDGES if args.mass_range is None else _edges(*args.mass_range)
    inputs = read_event_inputs(args.test, btag_working_point=args.btag)
    predictions = read_matching_predictions(args.predictions, args.test, inputs.n_events)
    summary = sculpting_summary(
        inputs.jets,
        inputs.boosted_jets,
        predictions.resolved_assignments,
        predictions.boosted_assignments,
        event_weight=None if args.unweighted else inputs.event_weight,
        seed=args.seed,
        mass_edges=edges,
    )
    write_json(
        args.output,
        "sculpting",
        {"method": args.method or predictions.method, "sample": args.sample, "btag": args.btag, **summary},
    )


def _edges(low: float, high: float, n_bins: float) -> np.ndarray:
    return np.linspace(low, high, int(n_bins) + 1)


if __name__ == "__main__":
    main()
