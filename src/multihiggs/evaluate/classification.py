"""Signal-vs-background classification metrics from a method's ``signal_score``: ROC curve, AUC, accuracy.

    python -m multihiggs.evaluate.classification --test S.h5 B.h5 --predictions PS.h5 PB.h5 -o CLASS.json

Test files and prediction files pair up in order; their events are pooled. Labels come from
``CLASSIFICATIONS/EVENT/signal``. By default every event counts once (as hsieh_spanet2's ACC/AUC); ``--weights
class-balanced`` uses the event weights rescaled so that signal and background carry equal totals. Events without
a score (NaN: a selection that cannot score them) are rejected at every threshold and counted as ``n_unscored``; a
prediction file without any finite score is an error (the method has no classifier). ``auc_sigma`` is the AUC's
bootstrap standard deviation (``--bootstrap`` resamplings seeded with ``--seed``): with class-balanced physical
weights the QCD test events count as their Kish n_eff (a few hundred of thousands), not as their number.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, roc_auc_score, roc_curve

from multihiggs.cli import run_main
from multihiggs.closure import kish_n_eff
from multihiggs.evaluate.inputs import read_matching_predictions
from multihiggs.io import spanet_layout as layout
from multihiggs.io.hdf5 import read_datasets
from multihiggs.io.jsonio import write_json
from multihiggs.io.readers import read_signal_labels

DEFAULT_THRESHOLD = 0.5
ROC_POINTS = 201
#: Resamplings of the AUC's bootstrap uncertainty (~2 s for 15k events).
DEFAULT_BOOTSTRAP = 200
WEIGHTINGS: tuple[str, ...] = ("none", "class-balanced")


def classification_summary(
    labels: np.ndarray,
    scores: np.ndarray,
    *,
    sample_weight: np.ndarray | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    n_points: int = ROC_POINTS,
    n_bootstrap: int = 0,
    seed: int = 0,
) -> dict[str, Any]:
    """AUC, accuracy of ``score > threshold``, and the ROC curve on a grid of signal efficiencies.

    Args:
        labels: int (N,), 1 for signal and 0 for background; both classes must be present.
        scores: float (N,), larger = more signal-like; all finite.
        sample_weight: optional non-negative weights (N,).
        n_bootstrap: if > 0, also ``auc_sigma``: the standard deviation of the AUC over this many resamplings of
            the events with replacement (generator seeded with ``seed``), which holds for any weights.
    Returns:
        {"auc", "accuracy", "threshold", "n_signal", "n_background", "n_eff_signal", "n_eff_background", "n_eff",
        "roc": {"signal_efficiency", "background_efficiency"}} with the background efficiency (false-positive rate)
        interpolated at ``n_points`` signal efficiencies (true-positive rates) from 0 to 1. The ``n_eff`` are the
        Kish effective numbers of events of the weights (per class, and of all events), which set the statistical
        precision of the weighted AUC and accuracy; without weights they are the counts.
    """
    labels = np.asarray(labels).astype(np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    if labels.shape != scores.shape or labels.ndim != 1:
        raise ValueError(f"labels {labels.shape} and scores {scores.shape} must be two arrays of one length")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 (background) or 1 (signal)")
    if not np.isfinite(scores).all():
        raise ValueError("signal scores must be finite (a method without a classifier has NaN scores)")
    n_signal, n_background = int((labels == 1).sum()), int((labels == 0).sum())
    if n_signal == 0 or n_background == 0:
        raise ValueError(f"ROC needs signal and background events, got {n_signal} signal and {n_background} background")

    weights = np.ones(len(labels)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    false_positive, true_positive, _ = roc_curve(labels, scores, sample_weight=sample_weight)
    signal_efficiency = np.linspace(0.0, 1.0, n_points)
    # roc_curve returns both rates non-decreasing: linear interpolation between its vertices.
    background_efficiency = np.interp(signal_efficiency, true_positive, false_positive)
    predicted = (scores > threshold).astype(np.int64)
    bootstrap = {"auc_sigma": bootstrap_auc_sigma(labels, scores, weights, n_bootstrap, seed)} if n_bootstrap else {}
    return {
        "auc": float(roc_auc_score(labels, scores, sample_weight=sample_weight)),
        **bootstrap,
        "accuracy": float(accuracy_score(labels, predicted, sample_weight=sample_weight)),
        "threshold": float(threshold),
        "n_signal": n_signal,
        "n_background": n_background,
        "n_eff_signal": kish_n_eff(weights[labels == 1]),
        "n_eff_background": kish_n_eff(weights[labels == 0]),
        "n_eff": kish_n_eff(weights),
        "roc": {"signal_efficiency": signal_efficiency, "background_efficiency": background_efficiency},
    }


def bootstrap_auc_sigma(
    labels: np.ndarray, scores: np.ndarray, weights: np.ndarray, n_resamples: int, seed: int
) -> float:
    """Standard deviation of the weighted AUC over ``n_resamples`` resamplings of the events with replacement."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_resamples):
        chosen = rng.integers(0, len(labels), len(labels))
        if np.unique(labels[chosen]).size == 2:
            values.append(roc_auc_score(labels[chosen], scores[chosen], sample_weight=weights[chosen]))
    return float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")


def class_balanced_weights(labels: np.ndarray, event_weight: np.ndarray) -> np.ndarray:
    """Event weights rescaled so that each class sums to 1."""
    labels = np.asarray(labels)
    event_weight = np.asarray(event_weight, dtype=np.float64)
    weights = np.empty_like(event_weight)
    for label in (0, 1):
        chosen = labels == label
        total = event_weight[chosen].sum()
        if total <= 0:
            raise ValueError(f"class {label} has no positive event weight to balance")
        weights[chosen] = event_weight[chosen] / total
    return weights


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m multihiggs.evaluate.classification", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--test", nargs="+", required=True, help="SPANet-layout test files (signal and background)")
    parser.add_argument("--predictions", nargs="+", required=True, help="prediction files, one per test file")
    parser.add_argument("--method", help="method label (default: the first prediction file's 'method' attribute)")
    parser.add_argument("--sample", default="", help="sample label recorded in the JSON (e.g. hh_kl1_vs_qcd)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="score cut for the accuracy")
    parser.add_argument("--weights", choices=WEIGHTINGS, default="none")
    parser.add_argument(
        "--bootstrap", type=int, default=DEFAULT_BOOTSTRAP, help="resamplings for the AUC's uncertainty (0: none)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap resampling")
    parser.add_argument("-o", "--output", required=True, help="classification JSON to write")
    args = parser.parse_args(argv)
    if len(args.test) != len(args.predictions):
        parser.error(f"give one prediction file per test file ({len(args.test)} test, {len(args.predictions)} pred.)")
    run_main(lambda: _write_classification(args), raise_exit=True)


def _write_classification(args: argparse.Namespace) -> None:
    labels, scores, event_weights, method = [], [], [], args.method
    for test_path, prediction_path in zip(args.test, args.predictions, strict=True):
        file_labels = read_signal_labels(test_path)
        predictions = read_matching_predictions(prediction_path, test_path, len(file_labels))
        if len(file_labels) and not np.isfinite(predictions.signal_score).any():
            raise ValueError(f"{prediction_path}: method {predictions.method!r} has no finite signal_score")
        labels.append(file_labels)
        scores.append(predictions.signal_score)
        event_weights.append(read_datasets(test_path, {"w": layout.event_weight_key()})["w"])
        method = method or predictions.method
    all_labels = np.concatenate(labels)
    weights = (
        class_balanced_weights(all_labels, np.concatenate(event_weights)) if args.weights == "class-balanced" else None
    )
    all_scores, n_unscored = rejecting_unscored(np.concatenate(scores))
    summary = classification_summary(
        all_labels,
        all_scores,
        sample_weight=weights,
        threshold=args.threshold,
        n_bootstrap=args.bootstrap,
        seed=args.seed,
    )
    content = {"method": method, "sample": args.sample, "weights": args.weights, **summary}
    if n_unscored:
        content["n_unscored"] = n_unscored
    write_json(args.output, "classification", content)


def rejecting_unscored(scores: np.ndarray) -> tuple[np.ndarray, int]:
    """(scores with every NaN below all finite ones, number of NaN): an event a selection cannot score (e.g. the
    selection DNN of a method that paired fewer than two Higgs candidates) is rejected at every threshold, as the
    κλ templates do (``multihiggs.stats.templates``)."""
    scores = np.asarray(scores, dtype=np.float64)
    unscored = ~np.isfinite(scores)
    if not unscored.any():
        return scores, 0
    floor = np.min(scores[~unscored]) - 1.0 if (~unscored).any() else -1.0
    return np.where(unscored, floor, scores), int(unscored.sum())


if __name__ == "__main__":
    main()
