"""Events/s of each simulation stage (parton, Pythia, record pruning, jets + detector, write) per process.

Run on demand:  .venv/bin/python benchmarks/generation_stages.py [--events 1000] [--no-mpi]
Prints ms/event per stage and each stage's cost relative to the Pythia stage measured in the same run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from multihiggs.generate.parton import build_form_factor_table
from multihiggs.generate.shard import simulate_shard
from multihiggs.samples import SampleSpec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--no-mpi", action="store_true", help="switch multiparton interactions off")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        started = time.perf_counter()
        table_path = Path(workdir) / "form_factors.npz"
        build_form_factor_table(125.0, 173.0, n_mass=80, n_cos=9, quadrature_order=24).save(table_path)
        print(f"form-factor table (default size 80 x 9, order 24): {time.perf_counter() - started:.1f} s\n")
        print(f"{'process':<8}{'stage':<16}{'ms/event':>10}{'/ pythia':>10}{'events/s':>10}")
        for process in ("hh", "hhh", "qcd"):
            spec = SampleSpec(
                name=f"bench_{process}",
                process=process,
                n_events=args.events,
                events_per_shard=args.events,
                seed=1,
                sqrt_s_gev=13000.0,
                multiparton_interactions=not args.no_mpi,
            )
            output = Path(workdir) / f"{process}.root"
            result = simulate_shard(spec, 0, output, table_path if process == "hh" else None)
            pythia_seconds = result.stage_seconds["pythia"]
            total = sum(result.stage_seconds.values())
            for stage, seconds in [*result.stage_seconds.items(), ("total", total)]:
                per_event = 1e3 * seconds / result.n_events
                rate = result.n_events / seconds if seconds > 0 else float("inf")
                print(f"{process:<8}{stage:<16}{per_event:>10.2f}{seconds / pythia_seconds:>10.2f}{rate:>10.0f}")
            print(f"{process:<8}{'file size':<16}{output.stat().st_size / result.n_events / 1024:>9.2f}k per event")


if __name__ == "__main__":
    main()
