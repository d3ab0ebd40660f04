"""Our SPA-Net against the reference SPANet (pip ``spanet`` 2.1.1): same files, options and CPU threads (on demand).

    .venv/bin/python benchmarks/spanet_vs_reference.py [--events 20000] [--epochs 2] [--threads 1]
        [--batch-size 1024] [--train T.h5 [--validation V.h5] --test T.h5] [--event-file hhh|hhh_resolved]
        [--keep-dir DIR] [--output RESULT.json]

Data: unless ``--train``/``--test`` name existing files, a synthetic HHH sample (``multihiggs.convert.synthetic``,
converted with our Delphes -> HDF5 conversion, as ``reference_loader.py`` does) is cut into ``--events`` training,
``--validation-events`` validation and ``--test-events`` test events. Given files without ``--validation``: both
implementations validate on the last 5 % of the training file. The reference validates whole batches only, and its
checkpoint monitor is the accuracy on validation events with all six particles reconstructable (rare here), so the
validation set must hold some of those within whole batches, or it crashes after the first epoch: checked before
training (default validation size: events / 10, at least four batches; ~0.2 % of the synthetic events qualify).

Options: one JSON (``--options``, default config/options/base.json: hidden_dim 64, transformer_dim 32, 4 heads,
learning rate 0.0015, dropout 0.2, ...) with ``--batch-size``, ``--epochs``, the file names, ``dataset_randomization``
0 and ``num_dataloader_workers`` 1 (the reference needs at least 1; ours ignores it); the reference's copy lacks our
extension keys (``seed``, ``early_stopping_patience``, ...), which its ``spanet.train`` rejects. The event file of
both is config/event_files/NAME.yaml (``--event-file``): hhh (resolved + boosted, as our workflow trains) or
hhh_resolved (the three resolved Higgs only, li2023hhh's topology, read from the same files).

The same options build similar, not identical, networks. Both honour ``transformer_type`` (Gated: gated residuals;
NormFirst/Standard: plain ones, ours pre-norm in both cases) and ``linear_block_type`` (GRU: GRU-gated expansion
blocks; ours builds its pre-norm residual block for Resnet/Basic/Gated). Ours scales the pair scores by
1/sqrt(transformer_dim); the reference ignores ``transformer_dim`` and divides them by hidden_dim (64 for base.json),
which ours does with its extension option ``reference_tensor_attention`` (off here, as in our option files).
Two differences decide the purity (config/options/README.md has the runs): the input embedding (ours: Linear,
LayerNorm, GELU per layer, no dropout; the reference: its residual linear blocks with dropout, a position embedding
and a final embedding layer) and, for ``linear_block_type`` Resnet, where the reference's blocks drop units (the
whole residual stream; ours drops the block's update only). The reference with our embedding layers and GRU blocks
comes within 0.025 of our purity, about one run-to-run sd of the reference, where the option files as they are give
0.15 between the two. Options ours accepts but ignores are listed under "ignored_by_ours" in the JSON
(``multihiggs.spanet.options.COMPATIBILITY_ONLY_OPTIONS``). benchmarks/spanet_architecture_ablation.py measures
what each of these choices does to the purity, over several seeds.

Reference pitfalls met here: (1) it divides each particle's loss by that particle's number of targets in the batch
(after the event permutation), so a training batch without any target for one slot (the third boosted Higgs is
rare) gives 0/0 and it stops with "Assignment loss has diverged!" (seen with batch 64 and 512; the script then says
so; the hhh_resolved topology, where every slot has targets in ~20-50 % of the events, avoids it);
(2) its training memory is about 9 MB per event of the batch in the main process with these options (9.7 GB at
batch 1024, vs 2.4 GB for ours), and about twice that over its process tree (19 GB PSS at 1024: the forked
data-loader workers keep copy-on-write copies of that heap), so the script refuses a batch size whose estimate
exceeds the available memory.

Training: ``python -m multihiggs.spanet.train`` in .venv and ``python -m spanet.train`` in .venv-reference (created
when missing by ``reference_loader.ensure_reference_venv``; rich is held below 14, which pytorch-lightning 1.8.6's
progress bar crashes on), one after the other, each with OMP/MKL/NUMBA thread counts of ``--threads`` (and
``--threads`` for ours). Training events/s: "steady" from the times at which each implementation rewrites its
per-epoch checkpoint (ours ``checkpoint.pt``, the reference's ``last.ckpt``): events trained per epoch x (epochs - 1)
/ (last - first write), i.e. whole epochs with validation and checkpointing, without start-up, data loading and the
first epoch (needs --epochs >= 2); "command" is epochs x events per epoch / wall (or CPU) time of the whole command.
Events per epoch: ours trains on every training event; the reference drops the last incomplete batch (its training
range is read from its "Index Range" log line).

Inference: each implementation's own loading and prediction code run in a small driver in its venv, timed by phase;
inference events/s = test events / time of the best of ``--inference-passes`` passes over the test file (ours:
network + conflict-free decoding + boosted/resolved post-processing; the reference's ``evaluate_on_test_dataset``:
its data loader, network and ``extract_predictions``). Loading and writing are timed separately (in the JSON).

Memory: peak RSS of the largest process (``wait4`` ru_maxrss, child processes included) and the peak of the summed
PSS (proportional set size: shared pages split between the processes sharing them) of the process tree (psutil,
sampled every 0.2 s; the reference's data-loader workers are forked processes).

Purity: our prediction file is evaluated with ``multihiggs.evaluate`` (the code of ``python -m multihiggs.evaluate``).
The reference's ``spanet.predict`` output (``TARGETS/<particle>/<daughter>`` jet indices, indices of the boosted
particles counted after the 10 AK5 slots, and per-particle assignment and detection probabilities) is turned into our
Predictions layout by ``multihiggs.spanet.reference_import`` (as for the workflow's reference predictions): it checks
that the output's copied inputs are the test file's events, shifts the boosted indices back, drops any candidate that
points nowhere or outside its own jet collection (it decodes every particle over the concatenated AK5 + AK8 jets, so a
boosted Higgs can get an AK5 jet) or at padding (counted per collection in the report), and applies our boosted +
resolved post-processing (``combine_boosted_resolved``, the step our predictor applies to its own decoded
assignments); the result is evaluated with the same code. (Under Python >= 3.11 spanet 2.1.1 names the output group
"SpecialKey.Targets" instead of "TARGETS"; both are read.)
Event purity and Higgs purity (all jet multiplicities; events with 1-3 and with 3 reconstructable Higgs) carry
central 68 % Clopper-Pearson intervals; the table shows value ± half-width.

Run it under ``nice -n 19`` beside other work; the CPU-second rates are less sensitive to a busy machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import h5py
import numpy as np
import psutil

from multihiggs.evaluate.__main__ import build_parser as evaluate_parser
from multihiggs.evaluate.__main__ import evaluate
from multihiggs.io import spanet_layout as layout
from multihiggs.io.jsonio import to_jsonable
from multihiggs.io.predictions import Predictions, write_predictions
from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.options import COMPATIBILITY_ONLY_OPTIONS, EXTENSION_OPTIONS
from multihiggs.spanet.reference_import import import_reference_predictions

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_loader import REPO, converted_synthetic_sample, ensure_reference_venv, event_yaml

OURS_PYTHON = Path(sys.executable)
DEFAULT_OPTIONS = REPO / "config" / "options" / "base.json"
N_HIGGS = 3
TRAIN_FRACTION = 0.95  # train_validation_split of both implementations (checked against the options)
SAMPLE_INTERVAL_S = 0.2
SAME_SAVE_S = 2.0  # checkpoint rewrites closer than this belong to one save (an epoch takes much longer)
REFERENCE_METHOD = "spanet-reference"
# pytorch-lightning 1.8.6's RichProgressBar calls Console.clear_live() with no live display, which rich >= 14 turns
# into an IndexError at the start of training; reference_loader's package list leaves rich unpinned.
REFERENCE_RICH = "rich<14"
# Peak training memory of the reference per event of the batch, config/options/base.json, 10 + 3 jets, one data-loader
# worker (measured: main process 2.7 GB at batch 256 and 9.7 GB at 1024; process tree 19 GB PSS at 1024, as the
# forked loader workers keep copy-on-write copies of the main process's large heap).
REFERENCE_MB_PER_BATCH_EVENT = 19.0

# Runs in .venv: our loading, inference (network + decoding + post-processing) and writing, timed by phase.
OURS_PREDICT_DRIVER = r"""
import json, sys, time
import torch
run_dir, test_file, output, threads, batch_size, passes = sys.argv[1:7]
torch.set_num_threads(int(threads))
from multihiggs.io.predictions import write_predictions
from multihiggs.spanet.checkpoint import load_trained_model
from multihiggs.spanet.data import read_events, read_jet_directions
from multihiggs.spanet.inference import predict_probabilities
from multihiggs.spanet.predict import reconstruct
start = time.perf_counter()
trained = load_trained_model(run_dir)
options = trained.options
events = read_events(test_file, trained.event_info, with_targets=False, limit_to_num_vectors=options.limit_to_num_jets)
directions = read_jet_directions(test_file)
loaded = time.perf_counter()
times = []
for _ in range(int(passes)):
    begin = time.perf_counter()
    probabilities = predict_probabilities(trained.network, events, trained.event_info, int(batch_size))
    predictions = reconstruct(trained.event_info, probabilities, directions, "spanet", options.overlap_delta_r,
                              use_detection=options.detection_loss_scale > 0,
                              resolved_count=options.resolved_higgs_count)
    times.append(time.perf_counter() - begin)
begin = time.perf_counter()
write_predictions(output, predictions)
print("RESULT " + json.dumps({
    "load_s": loaded - start, "inference_s": times, "write_s": time.perf_counter() - begin,
    "events": len(events), "parameters": sum(p.numel() for p in trained.network.parameters()),
}))
"""

# Runs in .venv-reference: spanet.predict's own steps (load_model, evaluate_on_test_dataset, create_hdf5_output).
REFERENCE_PREDICT_DRIVER = r"""
import json, sys, time
import torch
log_dir, test_file, event_file, output, batch_size, passes = sys.argv[1:7]
from spanet.evaluation import evaluate_on_test_dataset, load_model
from spanet.predict import create_hdf5_output
start = time.perf_counter()
model = load_model(log_dir, test_file, event_file, int(batch_size), False)
loaded = time.perf_counter()
times = []
for _ in range(int(passes)):
    begin = time.perf_counter()
    evaluation = evaluate_on_test_dataset(model, progress=None)
    times.append(time.perf_counter() - begin)
begin = time.perf_counter()
create_hdf5_output(output, model.testing_dataset, evaluation)
print("RESULT " + json.dumps({
    "load_s": loaded - start, "inference_s": times, "write_s": time.perf_counter() - begin,
    "events": len(model.testing_dataset), "parameters": sum(p.numel() for p in model.parameters()),
}))
"""


@dataclass
class Measurement:
    """One command: wall and CPU time, memory, and when the watched file was rewritten (s after the start)."""

    wall_s: float
    cpu_s: float
    max_rss_mb: float
    peak_tree_pss_mb: float
    watch_times_s: list[float] = field(default_factory=list)


def run_measured(command: list[str], log: Path, env: dict[str, str], cwd: Path, watch: Path | None = None):
    """Run ``command`` (output to ``log``), sampling the PSS of its process tree and the mtime of ``watch``."""
    done = threading.Event()
    peak_tree_pss, watch_times = [0], []
    with log.open("w") as output:
        start_wall, start = time.time(), time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=cwd)

        def sample() -> None:
            last_mtime = None
            while not done.is_set():
                try:
                    parent = psutil.Process(process.pid)
                    tree = [parent, *parent.children(recursive=True)]
                    peak_tree_pss[0] = max(peak_tree_pss[0], sum(p.memory_full_info().pss for p in tree))
                except psutil.Error:
                    pass
                try:
                    mtime = watch.stat().st_mtime if watch is not None else None
                except OSError:  # not written yet, or being replaced
                    mtime = None
                if mtime is not None and mtime != last_mtime:
                    last_mtime = mtime
                    watch_times.append(mtime - start_wall)
                done.wait(SAMPLE_INTERVAL_S)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    if process.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"{' '.join(command[:4])} ... failed ({process.returncode}); end of {log}:\n{tail}")
    return Measurement(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,  # KiB on Linux
        peak_tree_pss_mb=peak_tree_pss[0] / 2**20,
        watch_times_s=watch_times,
    )


def result_line(log: Path) -> dict:
    """The JSON after "RESULT " printed by a driver."""
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise RuntimeError(f"no RESULT line in {log}")
    return json.loads(lines[-1][len("RESULT ") :])


# --- data ------------------------------------------------------------------------------------------------------------


def copy_events(source: Path, destination: Path, start: int, stop: int) -> None:
    """Events [start, stop) of every dataset of ``source`` (all (N, ...)) into a new file, root attributes too."""
    with h5py.File(source, "r") as handle, h5py.File(destination, "w") as output:
        output.attrs.update(dict(handle.attrs))

        def copy(name: str, item) -> None:
            if isinstance(item, h5py.Dataset):
                output.create_dataset(name, data=item[start:stop])

        handle.visititems(copy)


@dataclass(frozen=True)
class Files:
    """The HDF5 files of one comparison; without a validation file both split the training file 95 % / 5 %."""

    train: Path
    validation: Path | None
    test: Path

    def training_events(self) -> int:
        """Events both implementations train on (before the reference drops its last incomplete batch)."""
        n_train = n_events(self.train)
        return n_train if self.validation is not None else round(TRAIN_FRACTION * n_train)

    def validation_events(self) -> int:
        if self.validation is not None:
            return n_events(self.validation)
        return n_events(self.train) - self.training_events()


def synthetic_files(scratch: Path, n_train: int, n_validation: int, n_test: int, seed: int) -> Files:
    """Training, validation and test files cut from one converted synthetic HHH sample (enough events generated)."""
    needed = n_train + n_validation + n_test
    generated = math.ceil(needed / 0.7) + 200
    while True:
        converted = converted_synthetic_sample(scratch, "hhh", generated, seed=seed, kl=1.0)
        with h5py.File(converted, "r") as handle:
            kept = len(handle[layout.classification_key()])
        if kept >= needed:
            break
        generated = math.ceil(generated * needed / max(kept, 1) * 1.1)
    files = Files(scratch / "train.h5", scratch / "validation.h5", scratch / "test.h5")
    start = 0
    for path, count in ((files.train, n_train), (files.validation, n_validation), (files.test, n_test)):
        copy_events(converted, path, start, start + count)
        start += count
    converted.unlink()
    (scratch / "hhh.root").unlink(missing_ok=True)
    return files


def target_counts(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Per event: number of resolved-reconstructable and of boosted-reconstructable Higgs."""
    with h5py.File(path, "r") as handle:
        resolved = sum(
            (handle[layout.resolved_target_key(i, "b1")][...] >= 0)
            & (handle[layout.resolved_target_key(i, "b2")][...] >= 0)
            for i in range(1, N_HIGGS + 1)
        )
        boosted = sum(handle[layout.boosted_target_key(i)][...] >= 0 for i in range(1, N_HIGGS + 1))
    return np.asarray(resolved), np.asarray(boosted)


def complete_validation_events(files: Files, batch_size: int, with_boosted: bool = True) -> int:
    """Validation events (in the reference's whole batches) with every particle of the topology reconstructable:
    3 resolved and (``with_boosted``) 3 boosted targets.

    The reference's checkpoint monitor "validation_accuracy" is the accuracy on such events; with none it is never
    logged and Lightning raises at the end of the first epoch.
    """
    if files.validation is not None:
        resolved, boosted = target_counts(files.validation)
    else:
        resolved, boosted = (counts[files.training_events() :] for counts in target_counts(files.train))
    used = (len(resolved) // batch_size) * batch_size
    complete = resolved[:used] == N_HIGGS
    if with_boosted:
        complete &= boosted[:used] == N_HIGGS
    return int(complete.sum())


def n_events(path: Path) -> int:
    with h5py.File(path, "r") as handle:
        return len(handle[layout.mask_key(layout.JETS)])


# --- the reference's predictions in our layout -------------------------------------------------------------------


def reference_predictions(
    path: Path, test_file: Path, overlap_delta_r: float, resolved_count: str = "fill"
) -> tuple[Predictions, dict[str, int]]:
    """The reference's ``spanet.predict`` output as our Predictions (:mod:`multihiggs.spanet.reference_import`).

    Returns the predictions and counts of the decoded candidates dropped because they point outside their own jet
    collection (the reference decodes every particle over the concatenated AK5 + AK8 sequence) or nowhere, or at
    padding. A resolved-only topology's output has no bh particles: no boosted candidates, none dropped.
    """
    predictions, summary = import_reference_predictions(
        path,
        test_file,
        REFERENCE_METHOD,
        n_higgs=N_HIGGS,
        overlap_delta_r=overlap_delta_r,
        resolved_count=resolved_count,
    )
    dropped = {}
    for collection, counts in summary.dropped_by_collection.items():
        dropped[f"{collection}_outside"] = counts.unassigned + counts.other_collection
        dropped[f"{collection}_padding"] = counts.padding
    return predictions, dropped


def purities(test_file: Path, predictions_file: Path) -> dict[str, dict[str, float]]:
    """Event and Higgs purity (jet bin "all") per category, and the inclusive purity, from multihiggs.evaluate."""
    arguments = evaluate_parser().parse_args(
        ["--test", str(test_file), "--predictions", str(predictions_file), "-o", os.devnull]
    )
    document = to_jsonable(evaluate(arguments))
    every = [jet_bin["label"] for jet_bin in document["events"]["jet_bins"]].index("all")
    result = {}
    for category in ("partial", "complete"):
        cells = document["events"]["categories"][category]
        for quantity in ("event_purity", "higgs_purity"):
            cell = cells[quantity][every]
            result[f"{quantity} ({cells['label']})"] = _cell(cell)
    result["candidate purity (combined)"] = _cell(document["inclusive"]["purity"]["combined"])
    return result


def _cell(cell: dict) -> dict[str, float]:
    return {key: cell[key] for key in ("value", "lower", "upper", "numerator", "denominator")}


# --- the two implementations ---------------------------------------------------------------------------------------


def thread_environment(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[name] = str(threads)
    return env


def training_rates(measurement: Measurement, events_per_epoch: int, epochs: int) -> dict[str, float | None]:
    """Steady (between the first and last epoch checkpoint) and whole-command training events/s."""
    times = []
    for moment in measurement.watch_times_s:  # one save seen twice (a slow, non-atomic write) counts once
        if times and moment - times[-1] < SAME_SAVE_S:
            times[-1] = moment
        else:
            times.append(moment)
    steady = None
    if len(times) >= 2 and times[-1] > times[0]:
        steady = (len(times) - 1) * events_per_epoch / (times[-1] - times[0])
    return {
        "events_per_epoch": events_per_epoch,
        "epoch_checkpoint_times_s": times,
        "steady_events_per_s": steady,
        "command_events_per_s": epochs * events_per_epoch / measurement.wall_s,
        "command_events_per_cpu_s": epochs * events_per_epoch / measurement.cpu_s,
    }


def reference_events_per_epoch(log: Path, n_train: int, batch_size: int) -> int:
    """Training events the reference sees per epoch: its training index range, whole batches only (drop_last)."""
    ranges = re.findall(r"Index Range:\s*(\d+)\.\.\.(\d+)", log.read_text(errors="replace"))
    if ranges:
        n_train = int(ranges[0][1]) - int(ranges[0][0]) + 1
    return (n_train // batch_size) * batch_size


def file_arguments(files: Files) -> list[str]:
    validation = ["-vf", str(files.validation)] if files.validation is not None else []
    return ["-tf", str(files.train), *validation]


def run_ours(work: Path, options: Path, event_file: Path, files: Files, args) -> dict:
    env = thread_environment(args.threads)
    run_dir = work / "ours"
    train_log = work / "ours_train.log"
    training = run_measured(
        [str(OURS_PYTHON), "-m", "multihiggs.spanet.train", "-of", str(options), "-ef", str(event_file),
         *file_arguments(files), "-l", str(work), "-n", "ours", "--epochs", str(args.epochs),
         "--batch_size", str(args.batch_size), "--threads", str(args.threads), "--no_progress"],
        train_log, env, work, watch=run_dir / "checkpoint.pt",
    )  # fmt: skip
    predictions = work / "ours_predictions.h5"
    predict_log = work / "ours_predict.log"
    predicting = run_measured(
        [str(OURS_PYTHON), "-c", OURS_PREDICT_DRIVER, str(run_dir), str(files.test), str(predictions),
         str(args.threads), str(args.batch_size), str(args.inference_passes)],
        predict_log, env, work,
    )  # fmt: skip
    phases = result_line(predict_log)
    return {
        "training": {**asdict(training), **training_rates(training, files.training_events(), args.epochs)},
        "inference": {**asdict(predicting), **phases, "events_per_s": phases["events"] / min(phases["inference_s"])},
        "parameters": phases["parameters"],
        "purity": purities(files.test, predictions),
    }


def reference_python() -> Path:
    """Python of .venv-reference (created by reference_loader when missing) with a rich its trainer runs with."""
    python = ensure_reference_venv()
    version = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('rich'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if int(version.split(".")[0]) >= 14:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", REFERENCE_RICH], check=True)
    return python


def run_reference_training(command: list[str], log: Path, env: dict[str, str], cwd: Path, watch: Path):
    """:func:`run_measured`, explaining the reference's known stop on a batch without targets for a particle."""
    try:
        return run_measured(command, log, env, cwd, watch=watch)
    except RuntimeError:
        if "Assignment loss has diverged" in log.read_text(errors="replace"):
            raise SystemExit(
                f"the reference stopped with 'Assignment loss has diverged!' (see {log}): a training batch held no "
                "target for one particle slot (0/0 in its loss normalisation); use a larger --batch-size"
            ) from None
        raise


def run_reference(work: Path, options: Path, event_file: Path, files: Files, args) -> dict:
    python = reference_python()
    env = thread_environment(args.threads)
    version_dir = work / "reference" / "version_0"
    train_log = work / "reference_train.log"
    training = run_reference_training(
        [str(python), "-m", "spanet.train", "-of", str(options), "-ef", str(event_file), *file_arguments(files),
         "-l", str(work), "-n", "reference", "--epochs", str(args.epochs), "--gpus", "0", "-b", str(args.batch_size)],
        train_log, env, work, watch=version_dir / "checkpoints" / "last.ckpt",
    )  # fmt: skip
    per_epoch = reference_events_per_epoch(train_log, files.training_events(), args.batch_size)
    output = work / "reference_output.h5"
    predict_log = work / "reference_predict.log"
    predicting = run_measured(
        [str(python), "-c", REFERENCE_PREDICT_DRIVER, str(version_dir), str(files.test), str(event_file), str(output),
         str(args.batch_size), str(args.inference_passes)],
        predict_log, env, work,
    )  # fmt: skip
    phases = result_line(predict_log)
    predictions, dropped = reference_predictions(output, files.test, args.overlap_delta_r, args.resolved_count)
    predictions_file = work / "reference_predictions.h5"
    write_predictions(predictions_file, predictions)
    return {
        "training": {**asdict(training), **training_rates(training, per_epoch, args.epochs)},
        "inference": {**asdict(predicting), **phases, "events_per_s": phases["events"] / min(phases["inference_s"])},
        "parameters": phases["parameters"],
        "purity": purities(files.test, predictions_file),
        "dropped_candidates": dropped,
    }


def write_options(base: Path, work: Path, event_file: Path, files: Files, args) -> tuple[Path, Path]:
    """Options JSONs for ours and for the reference: ``base`` with the benchmark's batch size, epochs, split and
    file names, and our pairwise attention scores off (the same network on both sides); the reference's lacks our
    extension keys (its ``spanet.train`` fails on a key it does not know)."""
    options = json.loads(base.read_text())
    split = options.get("train_validation_split", TRAIN_FRACTION)
    if split != TRAIN_FRACTION:
        raise SystemExit(f"{base}: train_validation_split must be {TRAIN_FRACTION} here, got {split}")
    options.update(
        batch_size=args.batch_size,
        epochs=args.epochs,
        dataset_randomization=0,
        num_dataloader_workers=1,
        event_info_file=str(event_file),  # the reference applies every key of the file, paths included
        training_file=str(files.train),
        validation_file=str(files.validation or ""),
        testing_file="",
        pairwise_attention_features=False,  # the reference has no pairwise scores (architectures still differ)
    )
    ours, reference = work / "options.json", work / "options_reference.json"
    ours.write_text(json.dumps(options, indent=4, sort_keys=True) + "\n")
    shared = {key: value for key, value in options.items() if key not in EXTENSION_OPTIONS}
    reference.write_text(json.dumps(shared, indent=4, sort_keys=True) + "\n")
    return ours, reference


# --- report --------------------------------------------------------------------------------------------------------


def table(ours: dict, reference: dict) -> list[str]:
    def ratio(a, b) -> str:
        return f"{a / b:.2f}" if a is not None and b else "–"

    def number(value, digits: int = 3) -> str:
        return "–" if value is None else f"{value:.{digits}g}"

    rows = [
        ("training events/s (steady)", "training", "steady_events_per_s"),
        ("training events/s (whole command)", "training", "command_events_per_s"),
        ("training events/CPU-s (whole command)", "training", "command_events_per_cpu_s"),
        ("training wall s", "training", "wall_s"),
        ("training peak RSS MB (largest process)", "training", "max_rss_mb"),
        ("training peak PSS MB (process tree)", "training", "peak_tree_pss_mb"),
        ("inference events/s", "inference", "events_per_s"),
        ("predict peak RSS MB (largest process)", "inference", "max_rss_mb"),
        ("predict peak PSS MB (process tree)", "inference", "peak_tree_pss_mb"),
    ]
    lines = [f"{'quantity':<42} {'ours':>16} {'reference':>16} {'ours/ref':>9}"]
    for label, part, key in rows:
        a, b = ours[part][key], reference[part][key]
        lines.append(f"{label:<42} {number(a):>16} {number(b):>16} {ratio(a, b):>9}")
    lines.append(
        f"{'parameters':<42} {ours['parameters']:>16} {reference['parameters']:>16} "
        f"{ratio(ours['parameters'], reference['parameters']):>9}"
    )
    for name in ours["purity"]:
        a, b = ours["purity"][name], reference["purity"][name]
        cells = [
            "–" if c["value"] is None else f"{c['value']:.3f} ± {(c['upper'] - c['lower']) / 2:.3f}" for c in (a, b)
        ]
        lines.append(f"{name:<42} {cells[0]:>16} {cells[1]:>16} {ratio(a['value'], b['value']):>9}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="training events (synthetic sample)")
    parser.add_argument(
        "--validation-events", type=int, help="validation events (default: events / 10, at least 4 batches)"
    )
    parser.add_argument("--test-events", type=int, help="test events (default: events / 4)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads of each implementation")
    parser.add_argument("--batch-size", type=int, default=1024, help="training and inference batch size")
    parser.add_argument("--inference-passes", type=int, default=2, help="passes over the test file (best is kept)")
    parser.add_argument("--train", type=Path, help="existing training file (with --test: no synthetic sample)")
    parser.add_argument("--validation", type=Path, help="existing validation file (default: 5 %% of --train)")
    parser.add_argument("--test", type=Path, help="existing test file")
    parser.add_argument("--options", type=Path, default=DEFAULT_OPTIONS, help="base options JSON")
    parser.add_argument(
        "--event-file",
        default="hhh",
        help="topology of both, config/event_files/NAME.yaml: hhh (resolved + boosted) or hhh_resolved",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic sample")
    parser.add_argument("--keep-dir", type=Path, help="work here and keep the files (default: a temp dir)")
    parser.add_argument("--output", type=Path, help="write the results as JSON")
    args = parser.parse_args()
    if (args.train is None) != (args.test is None) or (args.validation is not None and args.train is None):
        parser.error("--train and --test go together (--validation only with them)")
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")

    work = args.keep_dir or Path(tempfile.mkdtemp(prefix="spanet_vs_reference_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        reference_python()
        if args.train is None:
            # Whole batches, enough for a few events with all six targets (see complete_validation_events).
            n_validation = args.validation_events or args.batch_size * max(
                4, math.ceil(args.events / 10 / args.batch_size)
            )
            files = synthetic_files(work, args.events, n_validation, args.test_events or args.events // 4, args.seed)
        else:
            validation = args.validation.resolve() if args.validation else None
            files = Files(args.train.resolve(), validation, args.test.resolve())
        if files.validation_events() < args.batch_size:
            raise SystemExit(
                f"the validation set ({files.validation_events()} events) must hold a full batch ({args.batch_size}), "
                "or the reference writes no epoch checkpoint: use a smaller --batch-size or more validation events"
            )
        event_file = event_yaml(args.event_file, work)
        args.with_boosted = any(p.source == layout.BOOSTED_JETS for p in EventInfo.read(event_file).particles)
        complete = complete_validation_events(files, args.batch_size, args.with_boosted)
        if complete == 0:
            raise SystemExit(
                "no validation event (in whole batches) has every particle of the topology reconstructable: the "
                "reference's checkpoint monitor (validation_accuracy) would never be logged; use more validation events"
            )
        needed_mb = REFERENCE_MB_PER_BATCH_EVENT * args.batch_size
        available_mb = psutil.virtual_memory().available / 2**20
        if needed_mb > 0.95 * available_mb:
            raise SystemExit(
                f"the reference needs about {needed_mb / 1024:.0f} GB to train with batch {args.batch_size}, "
                f"{available_mb / 1024:.0f} GB are available: use a smaller --batch-size"
            )
        options, reference_options = write_options(args.options, work, event_file, files, args)
        # Our post-processing of the reference's output uses the overlap radius and resolved count our predictor uses.
        written_options = json.loads(options.read_text())
        args.overlap_delta_r = written_options.get("overlap_delta_r", 0.5)
        args.resolved_count = written_options.get("resolved_higgs_count", "fill")
        print(f"work directory {work}; {files.training_events()} training, {files.validation_events()} validation, "
              f"{n_events(files.test)} test events; {args.epochs} epochs, batch {args.batch_size}, "
              f"{args.threads} thread(s)", flush=True)  # fmt: skip
        ours = run_ours(work, options, event_file, files, args)
        print("ours done", flush=True)
        reference = run_reference(work, reference_options, event_file, files, args)
        lines = table(ours, reference)
        print("\n".join(lines))
        dropped = reference["dropped_candidates"]
        if any(dropped.values()):
            print(f"reference candidates dropped before the post-processing: {dropped}")
        result = {
            "configuration": {
                "training_events": files.training_events(),
                "validation_events": files.validation_events(),
                "test_events": n_events(files.test),
                "epochs": args.epochs,
                "threads": args.threads,
                "batch_size": args.batch_size,
                "complete_validation_events": complete,
                "event_file": str(event_file),
                "options": json.loads(options.read_text()),
                "ignored_by_ours": sorted(set(json.loads(options.read_text())) & COMPATIBILITY_ONLY_OPTIONS),
                "load_average": os.getloadavg(),
            },
            "ours": ours,
            "reference": reference,
            "table": lines,
        }
        if args.output is not None:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(json.dumps(result, indent=2) + "\n")
    finally:
        if args.keep_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
