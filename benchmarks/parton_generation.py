"""Speed of the parton-level generators (run on demand).

    .venv/bin/python benchmarks/parton_generation.py [--events 200000] [--workers 1] [--skip-default-table]

Times the form-factor table build at the CI size and the default size (``build_form_factor_table``
defaults), then the unweighted sampling of gg -> HH (13 TeV, SM) and gg -> HHH (14 TeV, SM couplings),
and prints events/s with the CPU time beside the wall time (a busy machine slows the latter; the 1-minute
load average is printed). Also prints the cross sections and the m_HH / m_HHH mean and median.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from multihiggs.generate.parton import (
    PartonEvents,
    build_form_factor_table,
    build_gluon_pdf_from_pythia,
    generate_hh_events,
    generate_hhh_events,
    hh_cross_section_ratios,
)

CI_TABLE = {"n_mass": 48, "n_cos": 3, "mass_max_gev": 2000.0, "quadrature_order": 12}
KAPPA_LAMBDAS = np.array([-5.0, -3.0, -1.0, 0.0, 1.0, 2.0, 2.45, 3.0, 5.0, 7.0, 9.0, 12.0])


def _timed(function, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _system_mass(events: PartonEvents) -> np.ndarray:
    total = events.scalars.sum(axis=1)
    return np.sqrt(total[:, 3] ** 2 - np.sum(total[:, :3] ** 2, axis=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=1, help="processes for the default-size table")
    parser.add_argument("--skip-default-table", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    rows = []

    pdf, wall, cpu = _timed(build_gluon_pdf_from_pythia)
    rows.append(("gluon PDF table", wall, cpu, ""))
    ci_table, wall, cpu = _timed(build_form_factor_table, 125.0, 173.0, **CI_TABLE)
    rows.append(("form-factor table, CI size", wall, cpu, str(CI_TABLE)))
    table = ci_table
    if not args.skip_default_table:
        table, wall, cpu = _timed(build_form_factor_table, 125.0, 173.0, n_workers=args.workers)
        size = f"{table.mass_nodes_gev.size} x {table.abs_cos_nodes.size}, order {table.quadrature_order}"
        rows.append((f"form-factor table, default ({args.workers} worker(s))", wall, cpu, size))

    hh, wall, cpu = _timed(generate_hh_events, table, 1.0, 1.0, args.events, 13000.0, pdf, rng)
    m_hh = _system_mass(hh)
    rows.append(
        (
            "HH events (13 TeV)",
            wall,
            cpu,
            f"{args.events / wall:,.0f} ev/s; sigma = {1e3 * hh.cross_section_pb:.2f} fb; "
            f"m_HH mean {m_hh.mean():.0f}, median {np.median(m_hh):.0f} GeV",
        )
    )
    hhh, wall, cpu = _timed(generate_hhh_events, 1.0, 1.0, 125.0, args.events, 14000.0, pdf, rng)
    m_hhh = _system_mass(hhh)
    rows.append(
        (
            "HHH events (14 TeV, damped HEFT)",
            wall,
            cpu,
            f"{args.events / wall:,.0f} ev/s; sigma = {1e3 * hhh.cross_section_pb:.4f} "
            f"+- {1e3 * hhh.cross_section_error_pb:.4f} fb; m_HHH mean {m_hhh.mean():.0f}, "
            f"median {np.median(m_hhh):.0f} GeV",
        )
    )

    print(f"load average (1 min): {os.getloadavg()[0]:.2f}")
    print(f"{'step':<44} {'wall s':>8} {'cpu s':>8}  notes")
    for name, wall, cpu, notes in rows:
        print(f"{name:<44} {wall:>8.2f} {cpu:>8.2f}  {notes}")
    ratios, fit = hh_cross_section_ratios(table, KAPPA_LAMBDAS, pdf=pdf)
    published = 2.09 - 1.37 * KAPPA_LAMBDAS + 0.28 * KAPPA_LAMBDAS**2
    print(
        f"sigma(kl)/sigma(1) fit: {fit[0]:.3f} {fit[1]:+.3f} kl {fit[2]:+.3f} kl^2 "
        f"(published LO 2.09 -1.37 kl +0.28 kl^2); max deviation {np.max(np.abs(ratios / published - 1)):.1%}"
    )


if __name__ == "__main__":
    main()
