"""Training curves of one SPA-Net run: loss and validation purity per epoch, the best epoch marked.

Input: the run's ``metrics.json`` (written by :mod:`multihiggs.spanet.trainer` after every epoch: a list of
``{"epoch", "train_loss", "val_loss", "val_purity", "best_epoch", …}``, null where undefined). The best epoch is the one
whose weights ``model.pt`` holds: the last row's ``best_epoch`` (the trainer selects on its option
``checkpoint_metric``); in files written before that key, the first with the lowest validation loss.

Command line: ``python -m multihiggs.plotting.training_curves metrics.json --method spanet_sm --analysis hh -o F.pdf``.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from multihiggs.cli import run_main
from multihiggs.plotting.draw import finish_legend, label_panels, panels
from multihiggs.plotting.methods import method_label, sample_label
from multihiggs.plotting.style import save_figure

BEST_COLOR = "#bd1f01"


def _value(row: Mapping[str, Any], key: str) -> float:
    value = row.get(key)
    return math.nan if value is None else float(value)


def read_history(path: str | Path) -> list[dict[str, Any]]:
    """The per-epoch rows of a ``metrics.json``; an error naming the file if it holds no epoch."""
    rows = json.loads(Path(path).read_text())
    if not isinstance(rows, list) or not rows or not all(isinstance(row, dict) and "epoch" in row for row in rows):
        raise ValueError(f"{path}: expected a list of per-epoch rows with an 'epoch' key (a SPA-Net metrics.json)")
    return rows


def best_epoch(history: Sequence[Mapping[str, Any]]) -> int | None:
    """The epoch whose weights the run kept: the last row's ``best_epoch``, else the first with the lowest finite
    validation loss (None if none)."""
    recorded = history[-1].get("best_epoch") if history else None
    if recorded:
        return int(recorded)
    best, best_loss = None, math.inf
    for row in history:
        loss = _value(row, "val_loss")
        if loss < best_loss:
            best, best_loss = int(row["epoch"]), loss
    return best


def training_curves(
    history: Sequence[Mapping[str, Any]], *, label: str = "", energy_tev: float | None = None
) -> Figure:
    """Two panels: training and validation loss, validation purity (and classification-head AUC); a vertical line
    at the kept epoch."""
    figure, (loss_ax, purity_ax) = panels(2)
    epochs = [int(row["epoch"]) for row in history]
    loss_ax.plot(epochs, [_value(row, "train_loss") for row in history], "o-", label="training loss")
    loss_ax.plot(epochs, [_value(row, "val_loss") for row in history], "s-", label="validation loss")
    purity_ax.plot(epochs, [_value(row, "val_purity") for row in history], "s-", color="#ffa90e",
                   label="validation purity")  # fmt: skip
    heads = sorted({key for row in history for key in row if key.startswith("val_auc_")})
    for head in heads:  # classification heads (κλ-mixed): their AUC on the validation events
        purity_ax.plot(epochs, [_value(row, head) for row in history], "^-", label=f"validation AUC ({head[8:]})")
    best = best_epoch(history)
    for ax in (loss_ax, purity_ax):
        if best is not None:
            ax.axvline(best, color=BEST_COLOR, linestyle="--", linewidth=2, label=f"kept epoch ({best})")
        ax.set_xlabel("Epoch")
        ax.set_xlim(0.5, max(epochs) + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        # purity has room above 1; a loss curve can run anywhere
        finish_legend(ax, title=label or None, loc="upper right" if ax is purity_ax else "best")
    loss_ax.set_ylabel("Loss")
    purity_ax.set_ylabel("Validation assignment purity" + (" / head AUC" if heads else ""))
    purity_ax.set_ylim(0.0, 1.3)
    label_panels([loss_ax, purity_ax], energy_tev)
    return figure


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m multihiggs.plotting.training_curves", description=__doc__.splitlines()[0]
    )
    parser.add_argument("metrics", help="the run's metrics.json")
    parser.add_argument("--method", default="", help="the trained method (e.g. spanet_sm), named above the panels")
    parser.add_argument("--analysis", default="", help="hh or hhh, named above the panels")
    parser.add_argument("--energy-tev", type=float, help="√s shown in the label")
    parser.add_argument("-o", "--output", required=True, help="figure file (.pdf, written with its .png preview)")
    args = parser.parse_args(argv)
    run_main(lambda: _draw(args), raise_exit=True)


def _draw(args: argparse.Namespace) -> None:
    label = ", ".join(part for part in (sample_label(args.analysis), method_label({"method": args.method})) if part)
    figure = training_curves(read_history(args.metrics), label=label, energy_tev=args.energy_tev)
    save_figure(figure, args.output)


if __name__ == "__main__":
    main()
