"""SPA-Net training-step throughput on the CPU: the optimiser update and the thread count (on demand).

    .venv/bin/python benchmarks/training_step.py [--analysis hh|hhh] [--events 20000] [--steps 60]
        [--config config/config.yaml] [--threads 1 2] [--output RESULT.json]

A synthetic sample (``multihiggs.convert.synthetic``, converted as the workflow converts) is trained with the options
the workflow gives ``--analysis`` under ``--config`` (config/options/base.json, then ``spanet.options``, then
``spanet.analysis_options``; batch size included). For every thread count, two trainers from the same seed: the
reference, PyTorch's CPU default optimiser update (a Python loop over the ~400 parameter tensors), and ours, the
multi-tensor ("foreach") update the trainer uses. Each takes 10 warm-up steps, then ``--steps`` timed steps
(forward, loss, backward, update, schedule); printed: ms per step, training events/s and the ratios in this run
(reference / ours; ``min(--threads)`` / ``max(--threads)`` threads). Training step time is what the default
paper's network jobs spend most of their time on; epochs cost steps x this.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch

from multihiggs.spanet.data import iterate_batches
from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.trainer import Trainer
from multihiggs.spanet.training_data import prepare_data

sys.path.insert(0, str(Path(__file__).resolve().parent))
from learning_curve import config_overrides
from reference_loader import REPO, converted_synthetic_sample

WARM_UP_STEPS = 10
VARIANTS = {"per-parameter update (PyTorch CPU default)": False, "foreach update (ours)": True}


def build_options(config: Path, analysis: str, train_file: Path, scratch: Path):
    """The workflow's options for ``analysis`` (see the module docstring) on ``train_file``."""
    from multihiggs.spanet import train

    argv = ["-of", str(REPO / "config/options/base.json"), "-ef", str(REPO / f"config/event_files/{analysis}.yaml")]
    argv += ["-tf", str(train_file), "-l", str(scratch), "-n", "step_benchmark", "--seed", "1"]
    argv += [item for text in config_overrides(config, analysis) for item in ("--set", text)]
    return train.options_from_arguments(train.build_parser().parse_args(argv))


def time_steps(options, event_info: EventInfo, data, foreach: bool, n_steps: int) -> float:
    """Seconds per training step (after the warm-up) of a fresh trainer with the given optimiser update."""
    torch.manual_seed(options.seed)
    trainer = Trainer(options, event_info, data, torch.device("cpu"), progress=False, optimizer_foreach=foreach)
    trainer.network.train()
    order = torch.Generator().manual_seed(options.seed)
    batches = list(iterate_batches(len(data.train), options.batch_size, order))
    needed = WARM_UP_STEPS + n_steps
    if len(batches) < needed:
        raise SystemExit(f"{len(batches)} batches of {options.batch_size}; need {needed}: raise --events")
    for index in batches[:WARM_UP_STEPS]:
        trainer.train_step(data.train.select(index))
    start = time.perf_counter()
    for index in batches[WARM_UP_STEPS:needed]:
        trainer.train_step(data.train.select(index))
    return (time.perf_counter() - start) / n_steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--analysis", choices=("hh", "hhh"), default="hh")
    parser.add_argument("--events", type=int, default=20000, help="synthetic events generated (before selection)")
    parser.add_argument("--steps", type=int, default=60, help="timed steps per measurement")
    parser.add_argument("--config", type=Path, default=REPO / "config/config.yaml")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--output", type=Path, help="write the results as JSON")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        train_file = converted_synthetic_sample(scratch, args.analysis, args.events, seed=5, kl=1.0)
        options = build_options(args.config, args.analysis, train_file, scratch)
        event_info = EventInfo.read(options.event_info_file)
        data = prepare_data(options, event_info)
        step_ms: dict[tuple[int, bool], float] = {}  # (threads, foreach) -> ms per step
        for threads in args.threads:
            torch.set_num_threads(threads)
            for name, foreach in VARIANTS.items():
                seconds = time_steps(options, event_info, data, foreach, args.steps)
                step_ms[threads, foreach] = 1e3 * seconds
                print(
                    f"{args.analysis} {threads} thread(s), {name}: {1e3 * seconds:.1f} ms/step, "
                    f"{options.batch_size / seconds:.0f} training events/s",
                    flush=True,
                )

    ratios = {f"reference/ours at {t} thread(s)": step_ms[t, False] / step_ms[t, True] for t in args.threads}
    least, most = min(args.threads), max(args.threads)
    if most != least:
        ratios[f"{least} / {most} threads (ours)"] = step_ms[least, True] / step_ms[most, True]
    for label, ratio in ratios.items():
        print(f"{label}: {ratio:.2f}")
    if args.output:
        results = [
            {"threads": threads, "update": name, "ms_per_step": step_ms[threads, foreach]}
            for threads in args.threads
            for name, foreach in VARIANTS.items()
        ]
        summary = {"analysis": args.analysis, "batch_size": options.batch_size, "results": results, "ratios": ratios}
        args.output.write_text(json.dumps(summary, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
