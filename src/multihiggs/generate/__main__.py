"""Command line of the event simulation: ``python -m multihiggs.generate COMMAND …``.

Commands: ``form-factors``, ``shard``, ``validate`` and ``qcd-closure``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from multihiggs.cli import run_main
from multihiggs.samples import SampleSpec


def _form_factors(args: argparse.Namespace) -> None:
    from multihiggs.generate.parton import build_form_factor_table

    started = time.perf_counter()
    table = build_form_factor_table(
        higgs_mass_gev=args.higgs_mass,
        top_mass_gev=args.top_mass,
        n_mass=args.n_mass,
        n_cos=args.n_cos,
        mass_max_gev=args.mass_max,
        quadrature_order=args.quadrature_order,
    )
    table.save(args.output)
    print(
        f"form-factor table m_H = {args.higgs_mass} GeV: {args.n_mass} x {args.n_cos} points in "
        f"{time.perf_counter() - started:.1f} s -> {args.output}"
    )


def _shard(args: argparse.Namespace) -> None:
    from multihiggs.generate.shard import simulate_shard

    spec = SampleSpec.from_json(args.spec)
    result = simulate_shard(spec, args.shard, args.output, args.form_factors)
    total = sum(result.stage_seconds.values())
    print(f"sample {spec.name} shard {args.shard}: {result.n_events} events, sigma = {result.cross_section_pb:.6g} pb")
    print(f"{'stage':<16}{'seconds':>10}{'ms/event':>10}{'share':>8}")
    for stage, seconds in result.stage_seconds.items():
        print(f"{stage:<16}{seconds:>10.2f}{1e3 * seconds / result.n_events:>10.2f}{seconds / total:>8.1%}")


def _validate(args: argparse.Namespace) -> None:
    from multihiggs.generate.validation import run_validation

    run_validation(
        form_factor_path=args.form_factors,
        sqrt_s_gev=args.sqrt_s,
        seed=args.seed,
        hh_files=args.hh,
        hhh_files=args.hhh,
        qcd_files=args.qcd,
        output_dir=args.output_dir,
        hhh_couplings=(args.hhh_kappa_3, args.hhh_kappa_4),
        hhh_damping_power=args.hhh_damping_power,
    )


def _qcd_closure(args: argparse.Namespace) -> None:
    from multihiggs.generate.qcd_closure import run_closure

    run_closure(
        stitched_files=args.stitched,
        inclusive_files=args.inclusive,
        output_pdf=args.output_pdf,
        output_md=args.output_md,
        output_json=args.output_json,
        energy_tev=args.sqrt_s / 1000 if args.sqrt_s else None,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.generate", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    table = commands.add_parser("form-factors", help="tabulate the gg -> HH box form factors for one scalar mass")
    table.add_argument("--higgs-mass", type=float, required=True, help="scalar mass (GeV)")
    table.add_argument("--top-mass", type=float, required=True, help="top mass in the loop (GeV)")
    table.add_argument("--n-mass", type=int, required=True)
    table.add_argument("--n-cos", type=int, required=True)
    table.add_argument("--mass-max", type=float, required=True, help="upper m_HH edge (GeV)")
    table.add_argument("--quadrature-order", type=int, required=True)
    table.add_argument("--output", type=Path, required=True)
    table.set_defaults(run=_form_factors)

    shard = commands.add_parser("shard", help="simulate one shard of a sample into a Delphes-schema ROOT file")
    shard.add_argument("--spec", required=True, help="the sample's SampleSpec as JSON (the workflow fills it)")
    shard.add_argument("--shard", type=int, required=True)
    shard.add_argument("--form-factors", type=Path, default=None, help="form-factor table (gg -> HH samples)")
    shard.add_argument("--output", type=Path, required=True)
    shard.set_defaults(run=_shard)

    validate = commands.add_parser("validate", help="generator validation figures and tables")
    validate.add_argument("--form-factors", type=Path, required=True)
    validate.add_argument("--sqrt-s", type=float, required=True, help="collider energy (GeV)")
    validate.add_argument("--seed", type=int, required=True)
    validate.add_argument("--hh", type=Path, nargs="+", required=True, help="ROOT files of the SM HH sample")
    validate.add_argument("--hhh", type=Path, nargs="+", required=True, help="ROOT files of the HHH sample")
    validate.add_argument("--qcd", type=Path, nargs="+", required=True, help="ROOT files of the QCD sample")
    validate.add_argument("--hhh-kappa-3", type=float, default=1.0)
    validate.add_argument("--hhh-kappa-4", type=float, default=1.0)
    validate.add_argument("--hhh-damping-power", type=int, default=3)
    validate.add_argument("--output-dir", type=Path, required=True)
    validate.set_defaults(run=_validate)

    closure = commands.add_parser(
        "qcd-closure",
        help="closure test of the split / g -> bb-enhanced QCD sample against an inclusive one",
        description="m_4j, H_T and jet multiplicity of events with >= 4 AK5 jets, with the event weights and the "
        "truth-flavour four-tag weights, of both samples; chi2 per histogram, sigma and Kish n_eff per sample "
        "(multihiggs.generate.qcd_closure).",
    )
    closure.add_argument("--stitched", type=Path, nargs="+", required=True, help="ROOT files of the sample 'qcd'")
    closure.add_argument(
        "--inclusive", type=Path, nargs="+", required=True, help="ROOT files of the sample 'qcd_inclusive'"
    )
    closure.add_argument("--sqrt-s", type=float, default=None, help="collider energy (GeV), for the figure label")
    closure.add_argument("--output-pdf", type=Path, required=True, help="figure (a PNG preview is written beside it)")
    closure.add_argument("--output-md", type=Path, required=True)
    closure.add_argument("--output-json", type=Path, required=True)
    closure.set_defaults(run=_qcd_closure)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_main(lambda: args.run(args))


if __name__ == "__main__":
    sys.exit(main())
