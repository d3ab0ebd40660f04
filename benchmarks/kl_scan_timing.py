"""Timing of the full κλ scan (κλ points × luminosities × methods) on synthetic templates (run on demand).

    .venv/bin/python benchmarks/kl_scan_timing.py [--methods 8] [--kl-step 0.1] [--bins 15] [--pyhf-points 3]
        [--outputs DIR]

Each synthetic method has the m_HH spectrum of :mod:`multihiggs.stats.synthetic` with its own signal efficiency
and background level; the scan is what ``python -m multihiggs.stats scan`` runs: profile likelihood and CLs at
139, 300 and 3000 fb⁻¹ with the QCD MC-statistics staterror and a 10% background normalisation, plus the
reference method on a 40-point luminosity grid for the equivalent luminosity. For comparison, pyhf's own fits
(``fixed_poi_fit`` + ``hypotest``) are timed on a few points and extrapolated to the same workload.
Target: ≥ 100 κλ points × 3 luminosities × 8 methods in minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from multihiggs.stats.equivalent_luminosity import equivalent_luminosities
from multihiggs.stats.model import build_workspace, measurement_name
from multihiggs.stats.results import MethodResult, ReferenceResult, ScanResults, write_results
from multihiggs.stats.scan import intervals_by_luminosity, scan_curves
from multihiggs.stats.synthetic import synthetic_templates

LUMINOSITIES = (139.0, 300.0, 3000.0)
NORM_UNCERTAINTY = 0.1


def method_templates(n_methods: int, n_bins: int):
    """Synthetic methods from weaker to stronger: efficiency 0.06 -> 0.12, background 1.2 -> 0.6 pb."""
    edges = np.linspace(250.0, 1000.0, n_bins + 1)
    return [
        synthetic_templates(
            f"method_{index}",
            edges=edges,
            signal_efficiency=0.06 + 0.06 * index / max(n_methods - 1, 1),
            background_pb=1.2 - 0.6 * index / max(n_methods - 1, 1),
            n_background_mc=200_000,
        )
        for index in range(n_methods)
    ]


def time_pyhf(templates, kl_values: np.ndarray) -> float:
    """Seconds per κλ point for pyhf (one fixed-POI fit and one qtilde hypotest per point)."""
    import pyhf

    pyhf.set_backend("numpy")
    workspace = pyhf.Workspace(
        build_workspace(templates, LUMINOSITIES[0], kl_values, background_norm_uncertainty=NORM_UNCERTAINTY)
    )
    started = time.perf_counter()
    for kl in kl_values:
        model = workspace.model(measurement_name=measurement_name(kl))
        data = workspace.data(model)
        pyhf.infer.mle.fixed_poi_fit(1.0, data, model, return_fitted_val=True)
        pyhf.infer.hypotest(1.0, data, model, test_stat="qtilde")
    return (time.perf_counter() - started) / len(kl_values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--methods", type=int, default=8)
    parser.add_argument("--kl-step", type=float, default=0.1)
    parser.add_argument("--bins", type=int, default=15)
    parser.add_argument("--pyhf-points", type=int, default=3, help="κλ points timed with pyhf (0: skip)")
    parser.add_argument("--outputs", type=Path, help="also write scan.json, tables and figures here")
    args = parser.parse_args()
    kl_grid = np.arange(-10.0, 16.0 + args.kl_step / 2, args.kl_step)
    all_templates = method_templates(args.methods, args.bins)

    started = time.perf_counter()
    reference_curves = scan_curves(
        all_templates[0], kl_grid, np.geomspace(10, 30_000, 40), background_norm_uncertainty=NORM_UNCERTAINTY
    )
    reference = ReferenceResult("method_0", intervals_by_luminosity(reference_curves))
    reference_seconds = time.perf_counter() - started
    methods, per_method = [], []
    for templates in all_templates:
        started = time.perf_counter()
        curves = scan_curves(templates, kl_grid, LUMINOSITIES, background_norm_uncertainty=NORM_UNCERTAINTY)
        per_method.append(time.perf_counter() - started)
        intervals = intervals_by_luminosity(curves)
        methods.append(
            MethodResult(
                templates.method,
                "none",
                curves.delta_nll2.tolist(),
                curves.cls.tolist(),
                intervals,
                equivalent_luminosities(reference.intervals, intervals),
            )
        )
    n_points = len(reference_curves.kl)
    total = sum(per_method)
    print(
        f"machine: {os.cpu_count()} cores; κλ grid: {n_points} points; {len(LUMINOSITIES)} luminosities; "
        f"{args.methods} methods; {args.bins} bins; staterror + {NORM_UNCERTAINTY:.0%} normsys"
    )
    print(
        f"scan (profile likelihood + CLs, 5 batched fits per point): {total:.2f} s for "
        f"{n_points * len(LUMINOSITIES) * args.methods} (method, L, κλ) points = "
        f"{1e3 * total / (n_points * len(LUMINOSITIES) * args.methods):.3f} ms/point; "
        f"{np.mean(per_method):.2f} s/method"
    )
    print(f"reference on a 40-luminosity grid: {reference_seconds:.2f} s")
    if args.pyhf_points:
        seconds = time_pyhf(all_templates[0], np.linspace(-4, 9, args.pyhf_points))
        workload = n_points * len(LUMINOSITIES) * args.methods
        print(f"pyhf: {seconds:.2f} s/point -> {seconds * workload / 3600:.1f} h for the same workload")
    for method in methods[:: max(1, args.methods - 1)]:
        for row in method.intervals:
            pl, cls = row["profile_95"], row["cls_95"]
            print(
                f"  {method.label} L={row['luminosity_fb']:>6g}: PL95 [{pl['lower']:.2f}, {pl['upper']:.2f}]  "
                f"CLs [{cls['lower']:.2f}, {cls['upper']:.2f}]"
            )
    if args.outputs:
        from multihiggs.io.atomic import write_text
        from multihiggs.stats.figures import plot_cls_scan, plot_intervals_vs_luminosity, plot_profile_scan
        from multihiggs.stats.limit_tables import limits_latex, limits_markdown

        results = ScanResults(
            kl=reference_curves.kl.tolist(),
            luminosities_fb=list(LUMINOSITIES),
            methods=methods,
            reference=reference,
            settings={"synthetic": True},
        )
        write_results(args.outputs / "scan.json", results)
        write_text(args.outputs / "kl_limits.md", limits_markdown(results))
        write_text(args.outputs / "kl_limits.tex", limits_latex(results))
        plot_profile_scan(results, args.outputs / "kl_scan.pdf")
        plot_cls_scan(results, args.outputs / "kl_cls.pdf")
        plot_intervals_vs_luminosity(results, args.outputs / "kl_vs_lumi.pdf")


if __name__ == "__main__":
    main()
