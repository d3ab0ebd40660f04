"""Throughput of the Delphes -> SPANet HDF5 conversion on one core (run on demand).

    .venv/bin/python benchmarks/conversion_throughput.py [--events 200000] [--process hhh] [--step-size 50000]

Writes a synthetic Delphes-schema file (``multihiggs.convert.synthetic``: pruned generator record, ~8 AK5 jets,
~0.5 AK8 jets per event, like our generator's output) with ``write_delphes``, converts it with the same code
path as ``python -m multihiggs.convert`` (reading, selection, truth, matching, features, gzip HDF5), and prints the
conversion time and events/s, excluding the file creation and the imports. The process is pinned to one core; the
rate per CPU second is printed beside the wall-clock one because a busy machine slows the latter (the 1-minute
load average is printed too). Target: at least 20,000 events/s.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from multihiggs.convert.convert import ConversionConfig, convert
from multihiggs.convert.selection import SelectionConfig
from multihiggs.convert.synthetic import write_synthetic_sample

TARGET_EVENTS_PER_SECOND = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--process", choices=("hh", "hhh", "qcd"), default="hhh")
    parser.add_argument("--step-size", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None, help="where to put the files (default: a temp dir)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    n_higgs = {"hh": 2, "hhh": 3, "qcd": 3}[args.process]
    config = ConversionConfig(
        sample=f"bench_{args.process}",
        process=args.process,
        n_higgs=n_higgs,
        kl=1.0,
        signal=args.process != "qcd",
        selection=SelectionConfig(min_jets=2 * n_higgs),
        step_size=args.step_size,
    )
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
        source = Path(workdir) / "synthetic.root"
        start = time.perf_counter()
        write_synthetic_sample(source, args.events, args.process, args.seed)
        written = time.perf_counter() - start
        start, start_cpu = time.perf_counter(), time.process_time()
        summary = convert([source], Path(workdir) / "out", config)
        elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        output_mb = sum(path.stat().st_size for path in (Path(workdir) / "out").glob("*.h5")) / 1e6
        input_mb = source.stat().st_size / 1e6

    rate, cpu_rate = args.events / elapsed, args.events / elapsed_cpu
    reconstructable = summary.events_by_n_reconstructable
    result = {
        "events": args.events,
        "process": args.process,
        "input_mb": round(input_mb, 1),
        "output_mb": round(output_mb, 1),
        "write_synthetic_s": round(written, 2),
        "convert_s": round(elapsed, 2),
        "convert_cpu_s": round(elapsed_cpu, 2),
        "events_per_s": round(rate),
        "events_per_cpu_s": round(cpu_rate),
        "target_events_per_s": TARGET_EVENTS_PER_SECOND,
        "ratio_to_target": round(rate / TARGET_EVENTS_PER_SECOND, 2),
        "cpu_ratio_to_target": round(cpu_rate / TARGET_EVENTS_PER_SECOND, 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "selected_fraction": round(summary.n_selected / args.events, 3),
        "fraction_by_n_reconstructable": [round(n / max(summary.n_selected, 1), 3) for n in reconstructable],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
