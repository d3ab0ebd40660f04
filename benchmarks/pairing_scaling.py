"""Throughput of the all-jets chi^2 pairing versus the number of jets, for HH and HHH (run on demand).

    .venv/bin/python benchmarks/pairing_scaling.py [--events 10000] [--repeats 3] [--jets 6 7 8 9 10 12 14]

Events are random (pT, eta, phi, mass) jets, every slot real. The chi^2 code is plain single-threaded numpy
(no BLAS), so the numbers are one-core numbers; pin the process (``taskset -c 0``) to be sure. Target: at
least 1e4 events/s for HHH with 10 jets. SPA-Net inference timing will be added next to it.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from multihiggs.baselines.assignments import unique_assignments
from multihiggs.baselines.chi2 import chi2_pairing
from multihiggs.baselines.jets import Jets

TARGET_EVENTS_PER_SECOND = 1e4


def random_events(n_events: int, n_jets: int, seed: int) -> Jets:
    """Events of ``n_jets`` real jets with continuous random kinematics (GeV, rad) and b-tags."""
    rng = np.random.default_rng(seed)
    shape = (n_events, n_jets)
    return Jets(
        pt=np.sort(rng.exponential(60.0, shape) + 20.0, axis=1)[:, ::-1],
        eta=rng.uniform(-2.5, 2.5, shape),
        phi=rng.uniform(-np.pi, np.pi, shape),
        mass=rng.uniform(2.0, 20.0, shape),
        btag=rng.integers(0, 2, shape).astype(float),
        mask=np.ones(shape, dtype=bool),
    )


def events_per_second(jets: Jets, n_higgs: int, repeats: int) -> float:
    """Best-of-``repeats`` throughput of the all-jets chi^2 pairing (events/s)."""
    chi2_pairing(jets, n_higgs)  # warm the assignment-table cache
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        chi2_pairing(jets, n_higgs)
        best = min(best, time.perf_counter() - start)
    return jets.n_events / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="events per configuration")
    parser.add_argument("--repeats", type=int, default=3, help="timed repetitions (best is kept)")
    parser.add_argument("--jets", type=int, nargs="+", default=[6, 7, 8, 9, 10, 12, 14], help="jet multiplicities")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    print(f"all-jets chi^2 pairing, {args.events} random events per row, best of {args.repeats}")
    print(f"{'jets':>5} {'HH assignments':>15} {'HH events/s':>12} {'HHH assignments':>16} {'HHH events/s':>13}")
    for n_jets in args.jets:
        jets = random_events(args.events, n_jets, args.seed)
        hh, hhh = (events_per_second(jets, n_higgs, args.repeats) for n_higgs in (2, 3))
        n_hh, n_hhh = (len(unique_assignments(n_jets, n_higgs)) for n_higgs in (2, 3))
        print(f"{n_jets:>5} {n_hh:>15} {hh:>12.3g} {n_hhh:>16} {hhh:>13.3g}")
        if n_jets == 10:
            verdict = "meets" if hhh >= TARGET_EVENTS_PER_SECOND else "MISSES"
            print(f"      HHH at 10 jets {verdict} the {TARGET_EVENTS_PER_SECOND:.0e} events/s target")


if __name__ == "__main__":
    main()
