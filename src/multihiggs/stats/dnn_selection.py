"""Event-selection DNN of hsieh_spanet2: signal (κλ-mixed gg -> HH) versus QCD on the paired Higgs candidates.

One classifier per pairing method: the inputs are the kinematics of the method's Higgs candidates
(:func:`multihiggs.stats.observables.selection_features`: per pT-ordered candidate its mass, pT, η and the ΔR of
its jets; ΔR between candidates; m_HH), standardised, into a scikit-learn multilayer perceptron (ReLU, Adam,
early stopping), seeded. Events the method did not fully reconstruct are not used and get a NaN score.

Training weights: every signal sample (one κλ) gets the same total weight, uniform within the sample (hsieh_spanet2:
the κλ samples are mixed with equal counts) or, for a sample converted with tag-rate weights, following each
event's probability to pass the b-tag requirement (``WEIGHTS/EVENT/selection_weight``); the background keeps its
cross-section weights (QCD generator and tag-rate weights) and gets the same total weight as the signal. A seeded,
stratified fraction of the events is held out to report the weighted accuracy and ROC AUC (hsieh_spanet2 Table 13).

    python -m multihiggs.stats.dnn_selection train --signal S1.h5 S2.h5 --signal-predictions P1.h5 P2.h5
        --background Q.h5 --background-predictions PQ.h5 -o dnn.joblib [--seed 1] [--summary summary.json]
    python -m multihiggs.stats.dnn_selection score -i TEST.h5 --predictions PRED.h5 --model dnn.joblib
        -o PRED_DNN.h5 [--method NAME]

The workflow trains it on the validation split (the method's predictions on ``val.h5`` of the κλ-mixed signal
samples and QCD: the SPA-Net variants trained on the train split) and scores the test split: ``score`` writes a copy
of the prediction file whose ``signal_score`` is the DNN output, ready for ``python -m multihiggs.stats templates
--threshold``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from multihiggs.cli import run_main
from multihiggs.io.predictions import write_predictions
from multihiggs.provenance import STAMP_KEY, current_stamp
from multihiggs.stats.inputs import MethodEvents, read_method_events
from multihiggs.stats.observables import higgs_candidates, selection_feature_names, selection_features

DEFAULT_HIDDEN: tuple[int, ...] = (64, 64)
MODEL_FORMAT = "multihiggs-selection-dnn-1"


@dataclass(frozen=True)
class SelectionDNN:
    """A trained selection classifier with the names of its input features and free-form metadata."""

    pipeline: Pipeline
    feature_names: tuple[str, ...]
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TrainingTable:
    """Features (n, F), labels (n,) and training weights (n,) of the reconstructed events."""

    features: np.ndarray
    labels: np.ndarray
    weights: np.ndarray


def training_table(
    signal_features: Sequence[np.ndarray],
    background_features: Sequence[np.ndarray],
    background_weights: Sequence[np.ndarray],
    signal_weights: Sequence[np.ndarray | None] | None = None,
) -> TrainingTable:
    """Stack the samples' feature rows (NaN rows, i.e. unreconstructed events, dropped) with balanced weights.

    Each signal sample with reconstructed events totals 1 / (number of such samples), uniform inside or following
    its ``signal_weights`` entry when one is given (a tag-rate-weighted sample: each event's probability to pass);
    a κλ sample in which the pairing reconstructs nothing contributes nothing. The background totals 1 following its
    event weights; the weights are then scaled to a mean of 1.
    """
    if not signal_features or not background_features:
        raise ValueError("training needs at least one signal and one background sample")
    if len(background_features) != len(background_weights):
        raise ValueError("give one weight array per background sample")
    rows, labels, weights = [], [], []
    if signal_weights is None:
        signal_weights = [None] * len(signal_features)
    if len(signal_weights) != len(signal_features):
        raise ValueError("give one weight array (or None) per signal sample")
    usable_signal = []
    for features, sample_weights in zip(signal_features, signal_weights, strict=True):
        usable = np.isfinite(features).all(axis=1)
        if sample_weights is not None:
            usable &= np.asarray(sample_weights) > 0
        if usable.any():
            usable_signal.append((features[usable], None if sample_weights is None else sample_weights[usable]))
    if not usable_signal:
        raise ValueError("no signal sample has a reconstructed event")
    for features, sample_weights in usable_signal:
        rows.append(features)
        labels.append(np.ones(len(features), dtype=np.int64))
        if sample_weights is None:
            weights.append(np.full(len(features), 1.0 / (len(usable_signal) * len(features))))
        else:
            share = np.asarray(sample_weights, np.float64) / float(np.sum(sample_weights))
            weights.append(share / len(usable_signal))
    background_rows, background_w = [], []
    for features, event_weights in zip(background_features, background_weights, strict=True):
        if len(event_weights) != len(features):
            raise ValueError(f"background weights have {len(event_weights)} entries, the features {len(features)}")
        usable = np.isfinite(features).all(axis=1) & (np.asarray(event_weights) > 0)
        background_rows.append(features[usable])
        background_w.append(np.asarray(event_weights, dtype=np.float64)[usable])
    total_background = sum(float(w.sum()) for w in background_w)
    if total_background <= 0:
        raise ValueError("the background samples have no reconstructed event with positive weight")
    rows += background_rows
    labels += [np.zeros(len(w), dtype=np.int64) for w in background_w]
    weights += [w / total_background for w in background_w]
    stacked_weights = np.concatenate(weights)
    return TrainingTable(
        features=np.concatenate(rows),
        labels=np.concatenate(labels),
        weights=stacked_weights / stacked_weights.mean(),
    )


def train_selection_dnn(
    table: TrainingTable,
    feature_names: Sequence[str],
    *,
    seed: int,
    hidden: Sequence[int] = DEFAULT_HIDDEN,
    max_epochs: int = 100,
    held_out_fraction: float = 0.2,
) -> tuple[SelectionDNN, dict[str, float]]:
    """Train on a seeded stratified split of ``table``; return the classifier and held-out weighted ACC and AUC."""
    if table.features.shape[1] != len(feature_names):
        raise ValueError(f"table has {table.features.shape[1]} features, {len(feature_names)} names given")
    train_index, test_index = train_test_split(
        np.arange(len(table.labels)), test_size=held_out_fraction, random_state=seed, stratify=table.labels
    )
    pipeline = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "mlp",
                MLPClassifier(
                    hidden_layer_sizes=tuple(hidden),
                    activation="relu",
                    solver="adam",
                    alpha=1e-4,
                    batch_size=256,
                    learning_rate_init=1e-3,
                    max_iter=max_epochs,
                    early_stopping=True,
                    validation_fraction=0.1,
                    n_iter_no_change=8,
                    random_state=seed,
                ),
            ),
        ]
    )
    pipeline.fit(table.features[train_index], table.labels[train_index], mlp__sample_weight=table.weights[train_index])
    metrics = evaluate(pipeline, table.features[test_index], table.labels[test_index], table.weights[test_index])
    metadata = {"seed": seed, "hidden": list(hidden), "epochs": int(pipeline[-1].n_iter_), **metrics}
    return SelectionDNN(pipeline=pipeline, feature_names=tuple(feature_names), metadata=metadata), metrics


def evaluate(pipeline: Pipeline, features: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> dict[str, float]:
    """Weighted accuracy (score > 0.5) and ROC AUC."""
    scores = pipeline.predict_proba(features)[:, 1]
    return {
        "accuracy": float(accuracy_score(labels, scores > 0.5, sample_weight=weights)),
        "auc": float(roc_auc_score(labels, scores, sample_weight=weights)),
    }


def selection_scores(dnn: SelectionDNN, features: np.ndarray) -> np.ndarray:
    """Signal probability per event (N,), NaN where the features are not finite (event not reconstructed)."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or features.shape[1] != len(dnn.feature_names):
        raise ValueError(f"features must have shape (N, {len(dnn.feature_names)}), got {features.shape}")
    usable = np.isfinite(features).all(axis=1)
    scores = np.full(len(features), np.nan)
    if usable.any():
        scores[usable] = dnn.pipeline.predict_proba(features[usable])[:, 1]
    return scores


def save_selection_dnn(dnn: SelectionDNN, path: str | Path) -> None:
    """Save with joblib (scikit-learn objects: load with the same scikit-learn version), with the provenance stamp."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "format": MODEL_FORMAT,
        "pipeline": dnn.pipeline,
        "features": list(dnn.feature_names),
        "metadata": dnn.metadata,
        STAMP_KEY: current_stamp().as_dict(),
    }
    joblib.dump(content, path)


def load_selection_dnn(path: str | Path) -> SelectionDNN:
    """Load a classifier written by :func:`save_selection_dnn`."""
    try:
        content = joblib.load(path)
    except Exception as error:  # unpickling garbage raises anything from KeyError to UnpicklingError
        raise ValueError(f"cannot load selection DNN {path}: {error}") from error
    if not isinstance(content, dict) or content.get("format") != MODEL_FORMAT:
        raise ValueError(f"{path} is not a selection DNN saved by multihiggs ({MODEL_FORMAT})")
    return SelectionDNN(content["pipeline"], tuple(content["features"]), content["metadata"])


def event_features(events: MethodEvents) -> np.ndarray:
    """Selection features (N, F) of a method's events."""
    return selection_features(higgs_candidates(events.jets, events.predictions, events.fatjets))


def _train(args: argparse.Namespace) -> None:
    if len(args.signal) != len(args.signal_predictions) or len(args.background) != len(args.background_predictions):
        raise ValueError("each sample file needs its prediction file (same number and order)")
    signals = [read_method_events(s, p) for s, p in zip(args.signal, args.signal_predictions, strict=True)]
    backgrounds = [read_method_events(s, p) for s, p in zip(args.background, args.background_predictions, strict=True)]
    n_higgs = {events.predictions.n_higgs for events in signals + backgrounds}
    if len(n_higgs) != 1:
        raise ValueError(f"prediction files disagree on the number of Higgs slots: {sorted(n_higgs)}")
    table = training_table(
        [event_features(events) for events in signals],
        [event_features(events) for events in backgrounds],
        [events.sample.event_weight_pb for events in backgrounds],
        [events.sample.selection_weight for events in signals],
    )
    names = selection_feature_names(n_higgs.pop())
    dnn, metrics = train_selection_dnn(table, names, seed=args.seed, hidden=args.hidden, max_epochs=args.max_epochs)
    method = signals[0].predictions.method
    dnn = dataclasses.replace(
        dnn, metadata={**dnn.metadata, "pairing_method": method, "signal_kl": [e.sample.kl for e in signals]}
    )
    save_selection_dnn(dnn, args.output)
    summary = {
        "pairing_method": method,
        "n_signal": int(table.labels.sum()),
        "n_background": int((table.labels == 0).sum()),
        **metrics,
        "epochs": dnn.metadata["epochs"],
    }
    if args.summary:
        from multihiggs.io.atomic import write_text

        write_text(args.summary, json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary, indent=1))


def _score(args: argparse.Namespace) -> None:
    dnn = load_selection_dnn(args.model)
    events = read_method_events(args.input, args.predictions)
    features = event_features(events)
    if features.shape[1] != len(dnn.feature_names):
        raise ValueError(f"the model expects {len(dnn.feature_names)} features, the events give {features.shape[1]}")
    scores = selection_scores(dnn, features).astype(np.float32)
    method = args.method or f"{events.predictions.method}+dnn"
    write_predictions(args.output, dataclasses.replace(events.predictions, method=method, signal_score=scores))
    passed = np.isfinite(scores)
    print(
        json.dumps(
            {
                "method": method,
                "n_events": len(scores),
                "n_scored": int(passed.sum()),
                "mean_score": float(np.mean(scores[passed])) if passed.any() else None,
            }
        )
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m multihiggs.stats.dnn_selection", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train the selection DNN of one pairing method")
    train.add_argument("--signal", nargs="+", required=True, help="signal sample files (several κλ)")
    train.add_argument("--signal-predictions", nargs="+", required=True)
    train.add_argument("--background", nargs="+", required=True, help="background (QCD) sample files")
    train.add_argument("--background-predictions", nargs="+", required=True)
    train.add_argument("-o", "--output", required=True, help="model file (joblib)")
    train.add_argument("--seed", type=int, default=1)
    train.add_argument("--hidden", nargs="+", type=int, default=list(DEFAULT_HIDDEN), help="hidden layer sizes")
    train.add_argument("--max-epochs", type=int, default=100)
    train.add_argument("--summary", help="JSON file for the held-out accuracy and AUC")
    train.set_defaults(run=_train)
    score = commands.add_parser("score", help="write a prediction file whose signal_score is the DNN output")
    score.add_argument("-i", "--input", required=True, help="sample file (test split)")
    score.add_argument("--predictions", required=True, help="the pairing method's prediction file")
    score.add_argument("--model", required=True)
    score.add_argument("-o", "--output", required=True, help="prediction file to write")
    score.add_argument("--method", help="method name stored in the output (default: '<pairing>+dnn')")
    score.set_defaults(run=_score)
    args = parser.parse_args(argv)
    run_main(lambda: args.run(args), raise_exit=True)


if __name__ == "__main__":
    main()
