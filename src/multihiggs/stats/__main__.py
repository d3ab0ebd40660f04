"""κλ constraints: templates, scans, tables and figures.

    python -m multihiggs.stats templates --method LABEL --signal S1.h5 S2.h5 S3.h5 --signal-predictions P1.h5 ...
        --background QCD.h5 --background-predictions PQ.h5 --basis-kappa-lambdas 0 1 5 [--observable mhh|score]
        [--bins E0 E1 ... | --bin-range LOW HIGH N] [--threshold T | --optimise-threshold] -o templates.json
    python -m multihiggs.stats scan --templates T1.json T2.json --labels A B [--selections DNN SPANet]
        [--luminosities-fb 139 300 3000] [--kl-range -10 16 0.1] [--background-norm-uncertainty 0.1]
        [--no-background-mc-stat] [--reference A --reference-luminosities 10 30000 40] [--workspace-dir DIR]
        -o scan.json
    python -m multihiggs.stats interval-spread <template inputs as above> --nominal templates.json --replicas 200
        --seed S [--luminosity-fb 139] [--kl-range ...] [--background-norm-uncertainty 0.1] -o spread.json
    python -m multihiggs.stats spread-table --spreads A.json B.json --output-md T.md --output-tex T.tex
    python -m multihiggs.stats tables --scan scan.json --output-md kl_limits.md --output-tex kl_limits.tex
    python -m multihiggs.stats figures --scan scan.json --profile kl_scan.pdf --cls kl_cls.pdf --vs-lumi kl_vs_lumi.pdf

Signal files are per-sample converted files (any split; their split fraction and generated event count are read
from the file) with the method's prediction file on the same events; templates store luminosity-independent
fiducial cross sections, the scan applies luminosities, NNLO normalisation and BR(H→bb̄)² (see
:mod:`multihiggs.stats.templates` and :mod:`multihiggs.stats.model`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from multihiggs.cli import run_main
from multihiggs.stats.cross_sections import NNLO_FTAPPROX_13TEV_FB
from multihiggs.stats.equivalent_luminosity import equivalent_luminosities
from multihiggs.stats.inputs import MethodEvents, read_method_events
from multihiggs.stats.model import build_workspace, signal_yields, write_workspace
from multihiggs.stats.morphing import kl_grid_with_sm
from multihiggs.stats.observables import higgs_candidates
from multihiggs.stats.results import MethodResult, ReferenceResult, ScanResults, read_results, write_results
from multihiggs.stats.scan import intervals_by_luminosity, scan_curves
from multihiggs.stats.templates import SelectedSample, TemplateInputs, read_templates, write_templates

OBSERVABLES = ("mhh", "score")
DEFAULT_BINS = {"mhh": (200.0, 1200.0, 20), "score": (0.0, 1.0, 20)}


def selected_sample(events: MethodEvents, observable: str, *, signal: bool) -> SelectedSample:
    """A method's events of one file as template input: the observable (NaN if not reconstructed) and score."""
    candidates = higgs_candidates(events.jets, events.predictions, events.fatjets)
    score = np.asarray(events.predictions.signal_score, dtype=np.float64)
    if observable == "mhh":
        values = candidates.system_mass()
    elif observable == "score":
        values = np.where(candidates.reconstructed, score, np.nan)
    else:
        raise ValueError(f"observable must be one of {OBSERVABLES}, got {observable!r}")
    sample = events.sample
    if signal and not np.isfinite(sample.kl):
        raise ValueError(f"signal file {sample.path} mixes κλ values: give one file per κλ sample")
    return SelectedSample(
        kl=sample.kl if signal else float("nan"),
        observable=values,
        score=score,
        weight_pb=sample.event_weight_pb,
        split_fraction=sample.split_fraction,
        lo_cross_section_pb=sample.lo_cross_section_pb() if signal else None,
        truth_tag_weight_pb=sample.truth_tag_weight_pb,
    )


def _edges(args: argparse.Namespace) -> np.ndarray:
    if args.bins is not None:
        return np.asarray(args.bins, dtype=np.float64)
    low, high, n = args.bin_range if args.bin_range is not None else DEFAULT_BINS[args.observable]
    return np.linspace(float(low), float(high), int(n) + 1)


def _template_inputs(args: argparse.Namespace) -> TemplateInputs:
    """The method's template inputs named by the template-input arguments."""
    if len(args.signal) != len(args.signal_predictions):
        raise ValueError("--signal and --signal-predictions must list the same number of files")
    signals = [
        selected_sample(read_method_events(sample, predictions), args.observable, signal=True)
        for sample, predictions in zip(args.signal, args.signal_predictions, strict=True)
    ]
    background = selected_sample(
        read_method_events(args.background, args.background_predictions), args.observable, signal=False
    )
    basis_kl = args.basis_kl if args.basis_kl is not None else [sample.kl for sample in signals]
    if len(basis_kl) != 3:
        raise ValueError(
            f"give --basis-kappa-lambdas (three κλ values): the {len(signals)} signal files do not define a basis"
        )
    return TemplateInputs(args.method, args.observable, _edges(args), tuple(signals), background, tuple(basis_kl))


def run_templates(args: argparse.Namespace) -> None:
    templates = _template_inputs(args).build(
        threshold=args.threshold,
        optimise_threshold=args.optimise_threshold,
        min_background_events=args.min_background_events,
        min_background_n_eff=args.min_background_n_eff,
        min_background_per_bin=args.min_background_per_bin,
        nnlo_coefficients_fb=tuple(args.nnlo_coefficients),
    )
    closure = templates.closure()
    templates = dataclasses.replace(templates, metadata={**templates.metadata, "closure": closure})
    write_templates(args.output, templates)
    summary = {
        "method": templates.method,
        "threshold": templates.threshold,
        "n_bins": templates.n_bins,
        "signal_sm_events_139fb": float(signal_yields(templates, np.asarray(1.0), 139.0).sum()),
        "background_events_139fb": float(templates.background_yields(139.0).sum()),
        "morphing_closure": closure,
        "unphysical_bins_projected": templates.metadata["unphysical_bins_projected"],
    }
    print(json.dumps(summary, indent=1))


def run_interval_spread(args: argparse.Namespace) -> None:
    from multihiggs.io.atomic import write_text
    from multihiggs.stats.interval_spread import interval_spread

    nominal = read_templates(args.nominal)
    if nominal.method != args.method:
        raise ValueError(f"--nominal {args.nominal} holds the templates of {nominal.method!r}, not {args.method!r}")
    low, high, step = args.kl_range
    started = time.perf_counter()
    bounds = interval_spread(
        _template_inputs(args),
        nominal,
        n_replicas=args.replicas,
        seed=args.seed,
        luminosity_fb=args.luminosity_fb,
        kl_grid=np.arange(low, high + step / 2, step),
        background_norm_uncertainty=args.background_norm_uncertainty,
        background_mc_stat=not args.no_background_mc_stat,
        template_options={
            "min_background_per_bin": args.min_background_per_bin,
            "nnlo_coefficients_fb": tuple(args.nnlo_coefficients),
        },
    )
    summary = {
        "method": args.method,
        "threshold": nominal.threshold,
        "luminosity_fb": args.luminosity_fb,
        "seed": args.seed,
        "kl_range": list(args.kl_range),
        **bounds.summary(),
    }
    write_text(args.output, json.dumps(summary, indent=1) + "\n")
    brief = {key: summary[key] for key in ("nominal", "lower", "upper", "width")}
    print(json.dumps(brief, indent=1))
    print(f"{args.replicas} replicas: {time.perf_counter() - started:.1f} s")


def _slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("_") or "method"


def run_scan(args: argparse.Namespace) -> None:
    all_templates = [read_templates(path) for path in args.templates]
    labels = args.labels if args.labels is not None else [t.method for t in all_templates]
    if len(labels) != len(all_templates) or len(set(labels)) != len(labels):
        raise ValueError("--labels must give one distinct label per templates file")
    selections = args.selections
    if selections is None:
        selections = ["none" if t.threshold is None else f"score > {t.threshold:.3g}" for t in all_templates]
    if len(selections) != len(all_templates):
        raise ValueError("--selections must give one entry per templates file")
    low, high, step = args.kl_range
    kl_grid = np.arange(low, high + step / 2, step)
    options = {
        "background_norm_uncertainty": args.background_norm_uncertainty,
        "background_mc_stat": not args.no_background_mc_stat,
    }
    started = time.perf_counter()
    reference = None
    reference_index = None
    if args.reference is not None:
        if args.reference not in labels:
            raise ValueError(f"--reference {args.reference!r} is not among the labels {labels}")
        reference_index = labels.index(args.reference)
        lumi_low, lumi_high, n_lumi = args.reference_luminosities
        grid = np.geomspace(lumi_low, lumi_high, int(n_lumi))
        curves = scan_curves(all_templates[reference_index], kl_grid, grid, **options)
        reference = ReferenceResult(label=args.reference, intervals=intervals_by_luminosity(curves))
    methods = []
    for templates, label, selection in zip(all_templates, labels, selections, strict=True):
        curves = scan_curves(templates, kl_grid, args.luminosities, **options)
        intervals = intervals_by_luminosity(curves)
        equivalent = equivalent_luminosities(reference.intervals, intervals) if reference is not None else None
        negative_bins = int((signal_yields(templates, curves.kl, 1.0) < 0).sum())
        methods.append(
            MethodResult(
                label=label,
                selection=selection,
                delta_nll2=curves.delta_nll2.tolist(),
                cls=curves.cls.tolist(),
                intervals=intervals,
                equivalent_luminosity=equivalent,
                details={
                    "templates": str(templates.method),
                    "threshold": templates.threshold,
                    "n_bins": templates.n_bins,
                    "negative_morphed_signal_bins": negative_bins,
                    "mu_hat": curves.mu_hat.tolist(),
                },
            )
        )
        if negative_bins:
            print(
                f"warning: {label}: the morphed signal is negative in {negative_bins} (κλ, bin) cells "
                "(basis MC fluctuations); consider coarser bins or another basis",
                file=sys.stderr,
            )
        if args.workspace_dir is not None:
            for lumi in args.luminosities:
                spec = build_workspace(templates, lumi, curves.kl, **options)
                write_workspace(Path(args.workspace_dir) / f"{_slug(label)}_lumi{lumi:g}.json", spec)
    elapsed = time.perf_counter() - started
    results = ScanResults(
        kl=[float(k) for k in kl_grid_with_sm(kl_grid)],
        luminosities_fb=[float(lumi) for lumi in args.luminosities],
        methods=methods,
        reference=reference,
        # the wall time is not a setting: it goes to the log (and Snakemake's benchmark file), keeping the results
        # a function of the inputs alone
        settings={**options, "kl_range": list(args.kl_range)},
    )
    write_results(args.output, results)
    for method in methods:
        for row in method.intervals:
            print(f"{method.label:>24s} L={row['luminosity_fb']:>6g}: PL95 {row['profile_95']}, CLs {row['cls_95']}")
    print(
        f"scan of {len(methods)} methods x {len(args.luminosities)} luminosities x {len(results.kl)} κλ "
        f"points: {elapsed:.2f} s"
    )


def run_tables(args: argparse.Namespace) -> None:
    from multihiggs.io.atomic import write_text
    from multihiggs.stats.limit_tables import limits_latex, limits_markdown

    results = read_results(args.scan)
    write_text(args.output_md, limits_markdown(results))
    write_text(args.output_tex, limits_latex(results))


def run_background_table(args: argparse.Namespace) -> None:
    from multihiggs.io.atomic import write_text
    from multihiggs.stats.background_table import background_latex, background_markdown

    templates = [read_templates(path) for path in args.templates]
    write_text(args.output_md, background_markdown(templates))
    write_text(args.output_tex, background_latex(templates))


def run_spread_table(args: argparse.Namespace) -> None:
    from multihiggs.io.atomic import write_text
    from multihiggs.stats.spread_table import spread_latex, spread_markdown

    spreads = [json.loads(Path(path).read_text()) for path in args.spreads]
    write_text(args.output_md, spread_markdown(spreads))
    write_text(args.output_tex, spread_latex(spreads))


def run_figures(args: argparse.Namespace) -> None:
    from multihiggs.stats.figures import plot_cls_scan, plot_intervals_vs_luminosity, plot_profile_scan

    results = read_results(args.scan)
    if args.profile:
        plot_profile_scan(results, args.profile, args.sqrt_s_tev)
    if args.cls:
        plot_cls_scan(results, args.cls, args.sqrt_s_tev)
    if args.vs_lumi:
        plot_intervals_vs_luminosity(results, args.vs_lumi, args.sqrt_s_tev)


def _add_template_inputs(command: argparse.ArgumentParser) -> None:
    """Arguments naming a method's template inputs: samples, predictions, basis, observable, binning."""
    command.add_argument("--method", required=True, help="method label")
    command.add_argument("--signal", nargs="+", required=True, help="signal sample files (one per κλ)")
    command.add_argument("--signal-predictions", nargs="+", required=True, help="prediction files, same order")
    command.add_argument("--background", required=True, help="background (QCD) sample file")
    command.add_argument("--background-predictions", required=True, help="prediction file of the background")
    command.add_argument(
        "--basis-kappa-lambdas",
        "--basis-kl",
        dest="basis_kl",
        nargs=3,
        type=float,
        help="morphing basis (config stats.basis_kappa_lambdas; default: the three signal κλ)",
    )
    command.add_argument("--observable", choices=OBSERVABLES, default="mhh")
    binning = command.add_mutually_exclusive_group()
    binning.add_argument("--bins", nargs="+", type=float, help="bin edges")
    binning.add_argument("--bin-range", nargs=3, type=float, metavar=("LOW", "HIGH", "N"), help="N equal bins")
    command.add_argument("--min-background-per-bin", type=int, default=3, help="raw QCD events per merged bin")
    command.add_argument(
        "--nnlo-coefficients",
        nargs=3,
        type=float,
        default=list(NNLO_FTAPPROX_13TEV_FB),
        metavar=("A", "B", "C"),
        help="σ(κλ) = A + B κλ + C κλ² in fb (default: 13 TeV)",
    )


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="python -m multihiggs.stats", description=__doc__.split("\n")[0])
    commands = main_parser.add_subparsers(dest="command", required=True)

    templates = commands.add_parser("templates", help="signal/background templates of one method")
    _add_template_inputs(templates)
    selection = templates.add_mutually_exclusive_group()
    selection.add_argument("--threshold", type=float, help="fixed classifier-score threshold")
    selection.add_argument("--optimise-threshold", action="store_true", help="threshold maximising S/√B (SM)")
    templates.add_argument("--min-background-events", type=int, default=10, help="raw QCD events a threshold keeps")
    templates.add_argument(
        "--min-background-n-eff",
        type=float,
        default=0.0,
        help="Kish n_eff of the QCD weights an optimised threshold keeps (config stats.min_background_n_eff)",
    )
    templates.add_argument("-o", "--output", required=True, help="templates JSON to write")
    templates.set_defaults(run=run_templates)

    scan = commands.add_parser("scan", help="profile-likelihood and CLs scans in κλ")
    scan.add_argument("--templates", nargs="+", required=True)
    scan.add_argument("--labels", nargs="+", help="method labels (default: the templates' method names)")
    scan.add_argument("--selections", nargs="+", help="selection labels for the tables (default: from the cut)")
    scan.add_argument(
        "--luminosities-fb",
        "--luminosities",
        dest="luminosities",
        nargs="+",
        type=float,
        default=[139.0, 300.0, 3000.0],
        help="fb^-1 (config stats.luminosities_fb)",
    )
    scan.add_argument("--kl-range", nargs=3, type=float, default=[-10.0, 16.0, 0.1], metavar=("MIN", "MAX", "STEP"))
    scan.add_argument("--background-norm-uncertainty", type=float, help="log-normal QCD normalisation, e.g. 0.1")
    scan.add_argument("--no-background-mc-stat", action="store_true", help="drop the QCD MC-statistics staterror")
    scan.add_argument("--reference", help="label of the method for the equivalent luminosity (min-ΔR)")
    scan.add_argument(
        "--reference-luminosities",
        nargs=3,
        type=float,
        default=[10.0, 30000.0, 40],
        metavar=("MIN", "MAX", "N"),
        help="log-spaced luminosity grid of the reference (fb^-1)",
    )
    scan.add_argument("--workspace-dir", help="write one pyhf workspace per method and luminosity here")
    scan.add_argument("-o", "--output", required=True, help="scan results JSON")
    scan.set_defaults(run=run_scan)

    spread = commands.add_parser(
        "interval-spread", help="QCD MC-statistical spread of one method's 95% PL interval (Poisson bootstrap)"
    )
    _add_template_inputs(spread)
    spread.add_argument("--nominal", required=True, help="the method's templates JSON (gives the score threshold)")
    spread.add_argument("--replicas", type=int, default=50, help="bootstrap replicas (config stats.interval_spread)")
    spread.add_argument("--seed", type=int, required=True, help="seed of the Poisson multiplicities (config seed)")
    spread.add_argument("--luminosity-fb", type=float, default=139.0, help="fb^-1")
    spread.add_argument("--kl-range", nargs=3, type=float, default=[-10.0, 16.0, 0.1], metavar=("MIN", "MAX", "STEP"))
    spread.add_argument("--background-norm-uncertainty", type=float, help="log-normal QCD normalisation, e.g. 0.1")
    spread.add_argument("--no-background-mc-stat", action="store_true", help="drop the QCD MC-statistics staterror")
    spread.add_argument("-o", "--output", required=True, help="spread JSON to write")
    spread.set_defaults(run=run_interval_spread)

    tables = commands.add_parser("tables", help="kl_limits tables (hsieh_spanet2 Tables 16/17)")
    tables.add_argument("--scan", required=True)
    tables.add_argument("--output-md", required=True)
    tables.add_argument("--output-tex", required=True)
    tables.set_defaults(run=run_tables)

    background = commands.add_parser("background-table", help="QCD statistics before/after each method's selection")
    background.add_argument("--templates", nargs="+", required=True)
    background.add_argument("--output-md", required=True)
    background.add_argument("--output-tex", required=True)
    background.set_defaults(run=run_background_table)

    spread_table = commands.add_parser("spread-table", help="the interval-spread table of every method")
    spread_table.add_argument("--spreads", nargs="+", required=True, help="interval-spread JSON files")
    spread_table.add_argument("--output-md", required=True)
    spread_table.add_argument("--output-tex", required=True)
    spread_table.set_defaults(run=run_spread_table)

    figures = commands.add_parser("figures", help="kl_scan, kl_cls and kl_vs_lumi figures")
    figures.add_argument("--scan", required=True)
    figures.add_argument("--profile", help="−2ΔlnL vs κλ figure (PDF)")
    figures.add_argument("--cls", help="CLs vs κλ figure (PDF)")
    figures.add_argument("--vs-lumi", help="intervals vs luminosity figure (PDF)")
    figures.add_argument("--sqrt-s-tev", type=float, default=13.0)
    figures.set_defaults(run=run_figures)
    return main_parser


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    run_main(lambda: args.run(args), raise_exit=True)


if __name__ == "__main__":
    main()
