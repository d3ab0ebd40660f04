"""Train the AK8 H→bb̄ vs QCD BDT from converted HDF5 files, choose its working point, draw its ROC.

``python -m multihiggs.baselines.train_bdt --train S.h5 … Q.h5 --validation S_val.h5 … Q_val.h5 --n-higgs 3
--seed 7 --target-efficiency 0.8 -o model.json --roc roc.pdf``

Signal AK8 jets are the boosted targets of signal events; background AK8 jets are every AK8 jet of QCD events.
The working point is the score cut keeping ``target_efficiency`` of the signal jets of the validation files. Signal
jets of files converted with tag-rate weights count with their event's probability to pass the tag requirement
(``WEIGHTS/EVENT/selection_weight``) in the training and in the working point, as in the selected population; QCD
jets count once (as in SPA-Net's training).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from multihiggs.baselines.fatjet_bdt import (
    FATJET_FEATURES,
    fatjet_training_table,
    save_fatjet_bdt,
    train_fatjet_bdt,
    training_jets,
    working_point,
)
from multihiggs.cli import run_main
from multihiggs.io.readers import (
    read_boosted_features,
    read_boosted_targets,
    read_selection_weight,
    read_signal_labels,
)
from multihiggs.training_weights import signal_selection_weights


def labelled_fatjets(paths: Sequence[str | Path], n_higgs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """BDT inputs (M, 8), labels (M,) and jet weights (M,) from several converted files, concatenated; the weights
    are None when every event counts once (no file with tag-rate weights)."""
    inputs, labels, weights, weighted = [], [], [], False
    for path in paths:
        features, mask = read_boosted_features(path, FATJET_FEATURES)
        targets, is_signal = read_boosted_targets(path, n_higgs), read_signal_labels(path).astype(bool)
        table = fatjet_training_table(features, mask, targets, is_signal)
        inputs.append(table[0])
        labels.append(table[1])
        event_weight = read_selection_weight(path)
        weighted |= event_weight is not None
        event_weight = np.ones(len(is_signal)) if event_weight is None else np.where(is_signal, event_weight, 1.0)
        selected, _ = training_jets(mask, targets, is_signal)
        weights.append(np.broadcast_to(event_weight[:, None], mask.shape)[selected])
    return np.concatenate(inputs), np.concatenate(labels), np.concatenate(weights) if weighted else None


def _train(args: argparse.Namespace) -> None:
    train_inputs, train_labels, train_weights = labelled_fatjets(args.train, args.n_higgs)
    if len(np.unique(train_labels)) != 2:
        raise ValueError(
            f"the training files hold {int(train_labels.sum())} signal and {int((1 - train_labels).sum())} background "
            "AK8 jets: both classes are needed (more events, or a lower AK8 pT cut)"
        )
    if train_weights is not None:  # signal jets: mean 1, as the unweighted training
        train_weights = signal_selection_weights(train_weights, train_labels == 1)
    model = train_fatjet_bdt(
        train_inputs, train_labels, seed=args.seed, n_estimators=args.n_estimators, sample_weight=train_weights
    )
    valid_inputs, valid_labels, valid_weights = labelled_fatjets(args.validation, args.n_higgs)
    scores = model.predict_proba(valid_inputs)[:, 1]
    if len(np.unique(valid_labels)) != 2:
        raise ValueError("the validation files need both signal and background AK8 jets to set the working point")
    signal_weights = None if valid_weights is None else valid_weights[valid_labels == 1]
    threshold = working_point(scores[valid_labels == 1], args.target_efficiency, signal_weights)
    save_fatjet_bdt(model, args.output, threshold=threshold)
    false_positive, true_positive, _ = roc_curve(valid_labels, scores)
    summary = {
        "auc": float(roc_auc_score(valid_labels, scores)),
        "threshold": threshold,
        "signal_efficiency": float(np.average(scores[valid_labels == 1] >= threshold, weights=signal_weights)),
        "background_efficiency": float(np.mean(scores[valid_labels == 0] >= threshold)),
        "n_train_jets": {"signal": int(train_labels.sum()), "background": int((1 - train_labels).sum())},
    }
    Path(args.summary).write_text(json.dumps(summary, indent=2))
    _draw_roc(false_positive, true_positive, summary, args.roc)


def _draw_roc(false_positive: np.ndarray, true_positive: np.ndarray, summary: dict, path: Path) -> None:
    import matplotlib.pyplot as plt

    from multihiggs.plotting.style import label_axes, save_figure, use_style

    use_style()
    figure, axes = plt.subplots(figsize=(8, 8))
    axes.plot(true_positive, np.maximum(false_positive, 1e-5), label=f"AK8 BDT (AUC = {summary['auc']:.3f})")
    axes.plot(summary["signal_efficiency"], max(summary["background_efficiency"], 1e-5), "o", label="working point")
    axes.set_yscale("log")
    axes.set_xlabel(r"$H\to b\bar{b}$ AK8 jet efficiency")
    axes.set_ylabel("QCD AK8 jet efficiency")
    axes.legend()
    label_axes(axes, extra="AK8 BDT")
    save_figure(figure, path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m multihiggs.baselines.train_bdt", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--train", nargs="+", required=True, help="converted training files (signal and QCD)")
    parser.add_argument("--validation", nargs="+", required=True, help="converted validation files")
    parser.add_argument("--n-higgs", type=int, choices=(2, 3), required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--target-efficiency", type=float, required=True, help="signal AK8 efficiency of the WP")
    parser.add_argument("--n-estimators", type=int, default=300)
    parser.add_argument("-o", "--output", type=Path, required=True, help="model (xgboost JSON)")
    parser.add_argument("--summary", type=Path, required=True, help="JSON with AUC and working point")
    parser.add_argument("--roc", type=Path, required=True, help="ROC figure (PDF)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_main(lambda: _train(args))


if __name__ == "__main__":
    sys.exit(main())
