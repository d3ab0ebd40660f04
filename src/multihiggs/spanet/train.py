"""Train SPA-Net: ``python -m multihiggs.spanet.train -of OPTIONS.json -ef EVENT.yaml -tf TRAIN.h5 --log-dir DIR
--name NAME [--epochs N] [--gpus N] [--seed S] [--set key=value ...]``.

Runs on the CPU unless GPUs are requested (``--gpus`` or the ``num_gpu`` option) and CUDA is available; mixed
precision is used on the GPU only. Rerunning the same command continues an interrupted run from its last
checkpoint. The result is ``DIR/NAME/model.pt``. Flags are kebab-case like every multihiggs command; the reference
SPANet's spellings (``--options_file``, ``--log_dir``, ...) are accepted as aliases.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import torch

from multihiggs.cli import run_main
from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.options import OptionsError, SpanetOptions, parse_override
from multihiggs.spanet.trainer import fit


def select_device(requested_gpus: int) -> torch.device:
    """CUDA when GPUs are requested and available; otherwise the CPU (with a notice if GPUs were requested)."""
    if requested_gpus <= 0:
        return torch.device("cpu")
    if not torch.cuda.is_available():
        print(f"notice: {requested_gpus} GPU(s) requested but CUDA is not available; training on the CPU")
        return torch.device("cpu")
    if requested_gpus > 1:
        print(f"notice: {requested_gpus} GPUs requested; this implementation trains on one GPU")
    return torch.device("cuda:0")


def set_threads(threads: int | None) -> None:
    """Use ``threads`` CPU threads; more threads than free cores makes PyTorch spin and run many times slower."""
    if threads is not None:
        torch.set_num_threads(max(threads, 1))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.spanet.train", description=__doc__.split("\n")[0])
    parser.add_argument(
        "-of", "--options-file", "--options_file", required=True, help="options JSON (reference option names)"
    )
    parser.add_argument("-ef", "--event-file", "--event_file", help="event YAML (overrides event_info_file)")
    parser.add_argument("-tf", "--training-file", "--training_file", help="training HDF5 (overrides training_file)")
    parser.add_argument(
        "-vf", "--validation-file", "--validation_file", help="validation HDF5 (overrides validation_file)"
    )
    parser.add_argument("-l", "--log-dir", "--log_dir", required=True, help="output directory")
    parser.add_argument("-n", "--name", required=True, help="run name (sub-directory of the log directory)")
    parser.add_argument("--epochs", type=int, help="number of epochs (overrides epochs)")
    parser.add_argument("--gpus", type=int, help="GPUs to use, 0 for the CPU (overrides num_gpu)")
    parser.add_argument("--seed", type=int, help="random seed (overrides seed)")
    parser.add_argument("--batch-size", "--batch_size", type=int, help="training batch size (overrides batch_size)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override any option (value parsed as JSON, else a string); repeatable",
    )
    parser.add_argument("--threads", type=int, help="CPU threads (default: torch's choice, e.g. OMP_NUM_THREADS)")
    parser.add_argument(
        "--no-progress", "--no_progress", action="store_true", help="no progress bar (per-epoch lines only)"
    )
    parser.add_argument(
        "--restart-changed",
        "--restart_changed",
        action="store_true",
        help="discard a checkpoint of other options or input files and train afresh (default: refuse)",
    )
    return parser


def options_from_arguments(arguments: argparse.Namespace) -> SpanetOptions:
    """The options file with the command-line overrides applied (``--set`` first, then named flags)."""
    overrides = dict(parse_override(text) for text in arguments.overrides)
    named = {
        "event_info_file": arguments.event_file,
        "training_file": arguments.training_file,
        "validation_file": arguments.validation_file,
        "epochs": arguments.epochs,
        "num_gpu": arguments.gpus,
        "seed": arguments.seed,
        "batch_size": arguments.batch_size,
    }
    overrides.update({key: value for key, value in named.items() if value is not None})
    options = SpanetOptions.load(arguments.options_file).updated(overrides)
    for key in ("event_info_file", "training_file"):
        if not getattr(options, key):
            raise OptionsError(f"option {key!r} is empty; give it in the options file or on the command line")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    set_threads(arguments.threads)
    return run_main(lambda: _train(arguments))


def _train(arguments: argparse.Namespace) -> None:
    options = options_from_arguments(arguments)
    event_info = EventInfo.read(options.event_info_file)
    device = select_device(options.num_gpu)
    fit(
        options,
        event_info,
        f"{arguments.log_dir}/{arguments.name}",
        device,
        progress=not arguments.no_progress,
        restart_changed=arguments.restart_changed,
    )


if __name__ == "__main__":
    sys.exit(main())
