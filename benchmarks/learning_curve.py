"""Learning curve of our SPA-Net: test purity against the number of training events and the epoch budget (issue 23),
so that the sample sizes and epochs of config/config.yaml are chosen by measurement.

    .venv/bin/python benchmarks/learning_curve.py --train results/datasets/hh/sm/train.h5 \\
        --val results/datasets/hh/sm/val.h5 --test results/h5/hh/hh_kl1/test.h5 \\
        --options config/options/base.json --event-file config/event_files/hh.yaml \\
        --config config/config.yaml --analysis hh \\
        --fractions 0.125 0.25 0.5 1 --epochs 5 10 25 --seeds 1 2 --threads 1 --output-dir learning_curve/hh_sm

The options are those of the workflow's rule train_spanet: ``--options`` with the ``--set`` overrides of
``--config`` (``spanet.options``, then ``spanet.analysis_options.<--analysis>``), then ``--set`` (applied by
:func:`multihiggs.spanet.train.options_from_arguments`). Every point (fraction, epoch budget, seed) is one training
from scratch with :func:`multihiggs.spanet.trainer.fit` on the CPU with the options ``dataset_limit`` = fraction,
``epochs`` = budget and ``seed`` = seed; the subset is the trainer's own seeded shuffle (``dataset_randomization``,
1 if the options leave it 0), so the subsets of one run are nested and equal for every seed and budget. Validation
events are taken as the trainer takes them: the whole ``--val`` file, else the ``train_validation_split`` of the
subset. The learning-rate schedule spans the budget, so each budget is its own training (the first epochs of a
longer run are not a shorter run); early stopping still applies (``epochs_run``).

Each model predicts every ``--test`` file (:func:`multihiggs.spanet.predict.predict_file`); event purity and Higgs
purity are those of ``python -m multihiggs.evaluate`` (jet bin "all"; events with 1–H reconstructable Higgs, and with
all H in the JSON), weighted by the test file's ``WEIGHTS/EVENT/selection_weight`` when it has one. Outputs in
``--output-dir``: ``learning_curve.json`` (every point and the seed means), ``learning_curve.md``,
``learning_curve.pdf`` with its ``.png`` preview, and the run directories ``runs/``. Ratios are against the largest
point of the same call (largest fraction and budget, seed mean).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml

from multihiggs.closure import kish_n_eff
from multihiggs.evaluate import metrics
from multihiggs.evaluate.inputs import read_truth_higgs
from multihiggs.evaluate.matching import match_candidates
from multihiggs.io.atomic import write_text
from multihiggs.io.jsonio import to_jsonable
from multihiggs.io.readers import read_selection_weight
from multihiggs.plotting.draw import finish_legend, label_panels, panels, ratio_axis
from multihiggs.plotting.style import save_figure
from multihiggs.provenance import STAMP_KEY, current_stamp
from multihiggs.spanet import train
from multihiggs.spanet.checkpoint import load_trained_model
from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.options import OptionsError, SpanetOptions
from multihiggs.spanet.predict import predict_file
from multihiggs.spanet.trainer import METRICS_FILE, fit
from multihiggs.spanet.training_data import prepare_data
from multihiggs.tables import markdown_table

NAME = "learning_curve"
QUANTITIES = ("event_purity", "higgs_purity")
LABELS = {"event_purity": "Event purity", "higgs_purity": "H purity"}


def config_overrides(config: Path, analysis: str) -> list[str]:
    """``KEY=VALUE`` texts of the workflow's spanet_option_overrides: spanet.options, analysis_options over them."""
    spanet = yaml.safe_load(config.read_text())["spanet"]
    values = {**spanet["options"], **spanet.get("analysis_options", {}).get(analysis, {})}
    return [f"{key}={value}" for key, value in values.items()]


def base_options(args: argparse.Namespace) -> SpanetOptions:
    """The options the workflow's trainer would use for these files (before the per-point changes)."""
    overrides = (config_overrides(args.config, args.analysis) if args.config else []) + args.overrides
    argv = ["-of", str(args.options), "-tf", str(args.train), "-l", str(args.output_dir), "-n", NAME]
    argv += ["-ef", str(args.event_file)] if args.event_file else []
    argv += ["-vf", str(args.val)] if args.val else []
    argv += [item for text in overrides for item in ("--set", text)]
    return train.options_from_arguments(train.build_parser().parse_args(argv))


def kish(weights: torch.Tensor) -> float | None:
    """Kish effective number of events (Σw)²/Σw² of per-event weights; None when they are all equal (or none)."""
    weights = weights.detach().cpu().double().numpy()
    if len(weights) == 0 or bool((weights == weights[0]).all()):
        return None
    return kish_n_eff(weights)


def training_counts(options: SpanetOptions, event_info: EventInfo) -> dict[str, Any]:
    """Training and validation events of ``options`` as the trainer selects them, and the Kish effective number of
    the training events' loss weights (selection and event weights; None if uniform)."""
    data = prepare_data(options, event_info)
    return {
        "n_train": len(data.train),
        "n_train_kish": kish(data.train.event_weights),
        "n_validation": len(data.validation),
    }


def purities(model_path: Path, test_file: Path, cache: dict) -> dict[str, Any]:
    """Event and Higgs purity ({"value", "lower", "upper", "numerator", "denominator"}) of the model on
    ``test_file``: "partial" (1–H reconstructable Higgs) and "complete" (H) events, every jet multiplicity."""
    trained = load_trained_model(model_path, "cpu")
    predictions = predict_file(trained, str(test_file), device="cpu")
    key = (str(test_file), predictions.n_higgs)
    if key not in cache:
        cache[key] = (read_truth_higgs(test_file, predictions.n_higgs).targets, read_selection_weight(test_file))
    targets, weights = cache[key]
    match = match_candidates(predictions.resolved_assignments, predictions.boosted_assignments, targets)
    jet_bins = metrics.jet_multiplicity_bins(predictions.n_higgs)[-1:]  # "all": ignores the multiplicity
    categories = metrics.reconstructable_categories(predictions.n_higgs)[:2]
    cells = metrics.event_metrics(match, np.zeros(predictions.n_events), jet_bins, categories, weights)
    result = {"weighted": weights is not None}
    for category in categories:
        result[category.key] = {q: to_jsonable(cells[category.key][q][0].as_dict()) for q in QUANTITIES}
    return result


def run_point(options: SpanetOptions, event_info: EventInfo, run_dir: Path, tests: Sequence[Path], cache: dict):
    """Train one point from scratch in ``run_dir`` and measure it: timing (s), epochs and purities per test file."""
    shutil.rmtree(run_dir, ignore_errors=True)  # a leftover checkpoint would resume instead of train
    start = time.perf_counter()
    model = fit(options, event_info, run_dir, "cpu", progress=False)
    train_seconds = time.perf_counter() - start
    history = json.loads((run_dir / METRICS_FILE).read_text())
    return {
        "epochs_run": len(history),
        "train_seconds": train_seconds,
        "history": history,
        "tests": {str(path): purities(model, path, cache) for path in tests},
    }


def _half_width(cell: dict) -> float:
    lower, upper = cell.get("lower"), cell.get("upper")
    return math.nan if lower is None or upper is None else (upper - lower) / 2


def _epochs(epochs: int) -> str:
    return f"{epochs} epoch" + ("" if epochs == 1 else "s")


def _value(cell: dict) -> float:
    return math.nan if cell.get("value") is None else cell["value"]


def summarise(points: list[dict]) -> list[dict]:
    """Seed means per (test file, fraction, budget): purities (mean binomial half-width and seed standard deviation),
    training time, and ratios to the largest point of each test file."""
    groups: dict[tuple, list[dict]] = {}
    for point in points:
        for test in point["tests"]:
            groups.setdefault((test, point["fraction"], point["epochs"]), []).append(point)
    rows = []
    for (test, fraction, epochs), members in groups.items():
        row = {"test": test, "fraction": fraction, "epochs": epochs, "seeds": [p["seed"] for p in members]}
        for key in ("n_train", "n_train_kish", "n_validation"):
            row[key] = members[0][key]  # the subset does not depend on the seed
        row["epochs_run"] = statistics.fmean(p["epochs_run"] for p in members)
        row["train_seconds"] = statistics.fmean(p["train_seconds"] for p in members)
        row["seconds_per_kevent_epoch"] = row["train_seconds"] / row["epochs_run"] / (row["n_train"] / 1000)
        for quantity in QUANTITIES:
            cells = [p["tests"][test]["partial"][quantity] for p in members]
            values = [_value(cell) for cell in cells]
            row[quantity] = statistics.fmean(values)
            row[f"{quantity}_binomial"] = statistics.fmean(_half_width(cell) for cell in cells)
            row[f"{quantity}_seed_sd"] = statistics.stdev(values) if len(values) > 1 else None
        rows.append(row)
    for row in rows:
        test_rows = [other for other in rows if other["test"] == row["test"]]
        reference = max(test_rows, key=lambda other: (other["fraction"], other["epochs"]))
        for key in (*QUANTITIES, "train_seconds"):
            row[f"{key}_ratio"] = row[key] / reference[key] if reference[key] else math.nan
    return sorted(rows, key=lambda row: (row["test"], row["epochs"], row["fraction"]))


def table(rows: list[dict]) -> str:
    """Markdown table of :func:`summarise`'s rows; purities as mean ± binomial half-width (± seed sd)."""

    def purity(row: dict, quantity: str) -> str:
        text = f"{row[quantity]:.3f} ± {row[f'{quantity}_binomial']:.3f}"
        spread = row[f"{quantity}_seed_sd"]
        return text + (f" ± {spread:.3f}" if spread is not None else "")

    header = ["Test file", "Fraction", "Training events", "Kish n_eff", "Epochs (run)", "Training s",
              "s / 1k events / epoch", "Event purity (1–H h) ± binom. (± seeds)", "H purity (1–H h)",
              "Event purity / ref.", "H purity / ref.", "Training time / ref."]  # fmt: skip
    body = [
        [Path(row["test"]).parent.name + "/" + Path(row["test"]).name, f"{row['fraction']:g}", row["n_train"],
         "–" if row["n_train_kish"] is None else f"{row['n_train_kish']:.0f}",
         f"{row['epochs']} ({row['epochs_run']:g})", f"{row['train_seconds']:.1f}",
         f"{row['seconds_per_kevent_epoch']:.2f}", purity(row, "event_purity"), purity(row, "higgs_purity"),
         f"{row['event_purity_ratio']:.3f}", f"{row['higgs_purity_ratio']:.3f}", f"{row['train_seconds_ratio']:.3f}"]
        for row in rows
    ]  # fmt: skip
    return markdown_table(header, body)


def draw(rows: list[dict], path: Path) -> None:
    """Event and H purity against the number of training events: a panel pair per test file, a line per budget;
    error bars are the seed standard deviation (binomial half-width with one seed)."""
    tests = list(dict.fromkeys(row["test"] for row in rows))
    figure, axes = panels(2 * len(tests), n_columns=2)
    for index, test in enumerate(tests):
        for quantity, ax in zip(QUANTITIES, axes[2 * index : 2 * index + 2], strict=True):
            for epochs in sorted({row["epochs"] for row in rows}):
                line = [row for row in rows if row["test"] == test and row["epochs"] == epochs]
                errors = [row[f"{quantity}_seed_sd"] or row[f"{quantity}_binomial"] for row in line]
                ax.errorbar([row["n_train"] for row in line], [row[quantity] for row in line], yerr=errors,
                            marker="o", capsize=4, label=_epochs(epochs))  # fmt: skip
            ax.set_xscale("log")
            ax.set_xlabel("Training events")
            ax.set_ylabel(f"{LABELS[quantity]} (1–H h)")
            ratio_axis(ax)
            finish_legend(ax, title=Path(test).parent.name + "/" + Path(test).name)
    label_panels(axes, None, extra="SPA-Net learning curve")
    save_figure(figure, path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=Path, required=True, help="SPANet-layout training file")
    parser.add_argument("--val", type=Path, help="validation file (default: split the training subset)")
    parser.add_argument("--test", type=Path, nargs="+", required=True, help="test files to measure purity on")
    parser.add_argument("--options", type=Path, required=True, help="options JSON, e.g. config/options/base.json")
    parser.add_argument("--event-file", type=Path, help="event YAML (default: the options' event_info_file)")
    parser.add_argument("--config", type=Path, help="workflow config whose spanet.options overrides to apply")
    parser.add_argument("--analysis", choices=("hh", "hhh"), help="with --config: its analysis_options entry")
    parser.add_argument("--set", dest="overrides", nargs="+", action="extend", default=[], metavar="KEY=VALUE",
                        help="option overrides after --config's (value parsed as JSON, else a string)")  # fmt: skip
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.125, 0.25, 0.5, 1.0])
    parser.add_argument("--epochs", type=int, nargs="+", default=[5, 10, 25], help="epoch budgets")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2], help="training seeds (option seed)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--output-dir", type=Path, required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.config and not args.analysis:
        parser.error("--config needs --analysis (hh or hhh)")
    if not all(0 < fraction <= 1 for fraction in args.fractions):
        parser.error("--fractions must lie in (0, 1]")
    train.set_threads(args.threads)
    try:
        options = base_options(args)
    except OptionsError as error:
        parser.error(str(error))
    options = options.updated({"dataset_randomization": options.dataset_randomization or 1})
    event_info = EventInfo.read(options.event_info_file)
    points, cache = [], {}
    for fraction in sorted(args.fractions):
        counts = training_counts(options.updated({"dataset_limit": fraction}), event_info)
        for epochs in sorted(args.epochs):
            for seed in args.seeds:
                point_options = options.updated({"dataset_limit": fraction, "epochs": epochs, "seed": seed})
                run_dir = args.output_dir / "runs" / f"fraction{fraction:g}_epochs{epochs}_seed{seed}"
                point = {"fraction": fraction, "epochs": epochs, "seed": seed, **counts}
                point.update(run_point(point_options, event_info, run_dir, args.test, cache))
                points.append(point)
                first = next(iter(point["tests"].values()))["partial"]["event_purity"]["value"]
                print(f"{NAME}: fraction {fraction:g} ({counts['n_train']} events), {_epochs(epochs)}, seed {seed}: "
                      f"{point['train_seconds']:.1f} s, event purity {first}", flush=True)  # fmt: skip
    rows = summarise(points)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "kind": NAME,
        "arguments": {key: str(value) for key, value in vars(args).items()},
        "options": options.to_dict(),
        "threads": torch.get_num_threads(),
        "points": points,
        "summary": rows,
        STAMP_KEY: current_stamp().as_dict(),
    }
    write_text(args.output_dir / f"{NAME}.json", json.dumps(to_jsonable(document), indent=1, allow_nan=False) + "\n")
    write_text(args.output_dir / f"{NAME}.md", table(rows))
    draw(rows, args.output_dir / f"{NAME}.pdf")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
