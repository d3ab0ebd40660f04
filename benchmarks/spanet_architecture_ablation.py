"""Architecture ablation: our SPA-Net with option overrides and several seeds, and repeated reference runs, on one
set of HDF5 files; test-set event and Higgs purity per run and the spread over runs.

    .venv/bin/python benchmarks/spanet_architecture_ablation.py --train T.h5 --validation V.h5 --test X.h5 \\
        --event-file hhh_resolved --epochs 16 --batch-size 256 \\
        --variant ours \\
        --variant "ref-arch:transformer_type=Gated,linear_block_type=GRU,reference_tensor_attention=true" \\
        --seeds 0 1 2 --reference-runs 2 --reference-variant "ref-nodrop:dropout=0" \\
        --keep-dir /tmp/ablation --output ablation.json

Each ``--variant NAME[:key=value,...]`` trains ours with the options of ``--options`` (as
``spanet_vs_reference.py`` writes them: the benchmark's batch size, epochs and files, pairwise scores off) plus the
overrides, once per ``--seeds`` value (our option ``seed``: initialisation, dropout and batch order). The reference
has no seed for its initialisation, so ``--reference-runs`` repeats it. Each ``--reference-variant NAME:key=value,...``
trains the reference once with those options changed (the reverse ablation: which of its choices costs it purity);
its keys must be ones the reference knows. ``--reference-patch NAME[,NAME]`` runs every reference job of the call
with parts of its network replaced by ours (``reference_patches/sitecustomize.py``: ``embedding``,
``embedding_stack``, ``final_norm``). Runs go one after another with
``--threads`` threads; timing is recorded but this script is about purity (use spanet_vs_reference.py for speed).

Printed per run: event purity and Higgs purity over events with 1-3 reconstructable Higgs, with the binomial
68 % interval; per variant: mean and sample standard deviation over its runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
from pathlib import Path

from multihiggs.spanet.options import EXTENSION_OPTIONS, parse_override

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_loader import event_yaml
from spanet_vs_reference import (
    DEFAULT_OPTIONS,
    Files,
    reference_python,
    run_ours,
    run_reference,
    write_options,
)

from multihiggs.io import spanet_layout as layout
from multihiggs.spanet.event_info import EventInfo

QUANTITIES = ("event_purity (1–3 h)", "higgs_purity (1–3 h)")
REFERENCE = "reference"
PATCH_DIRECTORY = Path(__file__).resolve().parent / "reference_patches"


def load_patches():
    """reference_patches/sitecustomize.py as a module (for its patch names; it patches nothing here)."""
    spec = importlib.util.spec_from_file_location("reference_patches", PATCH_DIRECTORY / "sitecustomize.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def patch_environment(patches, names: list[str]) -> None:
    """Make every later reference process start with the patches ``names`` (environment of this process);
    ``patches`` is :func:`load_patches`'s module."""
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PATCH_DIRECTORY), os.environ.get("PYTHONPATH")]))
    os.environ[patches.PATCHES_VARIABLE] = ",".join(names)


def parse_variant(text: str) -> tuple[str, dict]:
    """``NAME`` or ``NAME:key=value,key=value`` -> (name, overrides); values are read as JSON when they parse."""
    name, _, overrides = text.partition(":")
    if not name or name == REFERENCE:
        raise argparse.ArgumentTypeError(f"variant {text!r}: needs a name other than {REFERENCE!r}")
    pairs = [parse_override(item) for item in overrides.split(",") if item]
    return name, dict(pairs)


def add_overrides(options: Path, overrides: dict) -> None:
    """Rewrite the options JSON ``options`` with ``overrides`` applied."""
    values = json.loads(options.read_text())
    values.update(overrides)
    options.write_text(json.dumps(values, indent=4, sort_keys=True) + "\n")


def summary(runs: list[dict]) -> dict[str, dict[str, float]]:
    """Mean and sample standard deviation (0 for one run) of each purity over ``runs``."""
    result = {}
    for quantity in QUANTITIES:
        values = [run["purity"][quantity]["value"] for run in runs]
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        result[quantity] = {"mean": statistics.fmean(values), "sd": spread, "runs": len(values)}
    return result


def table(results: dict[str, list[dict]]) -> list[str]:
    lines = [f"{'variant':<24}{'run':>6}  " + "  ".join(f"{q:>24}" for q in QUANTITIES)]
    for name, runs in results.items():
        for run in runs:
            cells = []
            for quantity in QUANTITIES:
                cell = run["purity"][quantity]
                error = (cell["upper"] - cell["lower"]) / 2
                cells.append(f"{cell['value']:>16.3f} ± {error:.3f}")
            lines.append(f"{name:<24}{run['run']:>6}  " + "  ".join(cells))
        means = summary(runs)
        cells = [f"{means[q]['mean']:>16.3f} ± {means[q]['sd']:.3f}" for q in QUANTITIES]
        lines.append(f"{name + ' (mean ± sd)':<30}  " + "  ".join(cells))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--validation", type=Path)
    parser.add_argument("--test", type=Path, required=True)
    parser.add_argument("--event-file", default="hhh_resolved", help="config/event_files/NAME.yaml")
    parser.add_argument("--options", type=Path, default=DEFAULT_OPTIONS, help="base options JSON")
    parser.add_argument("--epochs", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variant", type=parse_variant, action="append", default=[], help="NAME[:key=value,...]")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--reference-runs", type=int, default=0, help="runs of the reference as --options has it")
    parser.add_argument(
        "--reference-variant", type=parse_variant, action="append", default=[], help="NAME[:key=value,...]"
    )
    parser.add_argument(
        "--reference-patch",
        type=lambda text: [name for name in text.split(",") if name],
        default=[],
        help="NAME[,NAME]: parts of ours put into every reference run (reference_patches/sitecustomize.py)",
    )
    parser.add_argument("--keep-dir", type=Path, required=True, help="work directory (kept)")
    parser.add_argument("--output", type=Path, help="write the runs and the summary as JSON")
    args = parser.parse_args()
    if not args.variant and args.reference_runs == 0 and not args.reference_variant:
        parser.error("nothing to run: give --variant, --reference-runs and/or --reference-variant")
    unknown = sorted({key for _, overrides in args.reference_variant for key in overrides} & EXTENSION_OPTIONS)
    if unknown:
        parser.error(f"--reference-variant: {unknown} are our extension options, which the reference does not know")
    patches = load_patches()
    unknown_patches = sorted(set(args.reference_patch) - set(patches.KNOWN_PATCHES))
    if unknown_patches:
        parser.error(f"--reference-patch: unknown {unknown_patches} (known: {list(patches.KNOWN_PATCHES)})")
    args.inference_passes = 1
    validation = args.validation.resolve() if args.validation else None
    files = Files(args.train.resolve(), validation, args.test.resolve())
    args.keep_dir.mkdir(parents=True, exist_ok=True)
    event_file = event_yaml(args.event_file, args.keep_dir)
    args.with_boosted = any(p.source == layout.BOOSTED_JETS for p in EventInfo.read(event_file).particles)
    if args.reference_runs or args.reference_variant:
        reference_python()

    results: dict[str, list[dict]] = {}
    for name, overrides in args.variant:
        for seed in args.seeds:
            work = args.keep_dir / f"{name}_seed{seed}"
            work.mkdir(parents=True, exist_ok=True)
            options, _ = write_options(args.options, work, event_file, files, args)
            add_overrides(options, {**overrides, "seed": seed})
            run = run_ours(work, options, event_file, files, args)
            results.setdefault(name, []).append({"run": seed, "overrides": overrides, **run})
            print(f"{name} seed {seed}: {run['purity'][QUANTITIES[0]]['value']:.3f}", flush=True)
    reference_jobs = [(REFERENCE, {}, index) for index in range(args.reference_runs)]
    reference_jobs += [(f"{REFERENCE}:{name}", overrides, 0) for name, overrides in args.reference_variant]
    if args.reference_patch:
        patch_environment(patches, args.reference_patch)
    for name, overrides, index in reference_jobs:
        work = args.keep_dir / f"{name.replace(':', '_')}_{index}"
        work.mkdir(parents=True, exist_ok=True)
        _, reference_options = write_options(args.options, work, event_file, files, args)
        add_overrides(reference_options, overrides)
        written = json.loads((work / "options.json").read_text())
        args.overlap_delta_r = written.get("overlap_delta_r", 0.5)
        args.resolved_count = written.get("resolved_higgs_count", "fill")
        run = run_reference(work, reference_options, event_file, files, args)
        results.setdefault(name, []).append({"run": index, "overrides": overrides, **run})
        print(f"{name} run {index}: {run['purity'][QUANTITIES[0]]['value']:.3f}", flush=True)

    lines = table(results)
    print("\n".join(lines))
    if args.output is not None:
        document = {
            "configuration": {key: str(value) for key, value in vars(args).items()},
            "runs": results,
            "summary": {name: summary(runs) for name, runs in results.items()},
            "table": lines,
        }
        args.output.write_text(json.dumps(document, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
