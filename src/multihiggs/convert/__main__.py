"""Command line: ``python -m multihiggs.convert --input A.root [B.root …] --output-dir DIR --sample NAME …``.

Writes ``DIR/{train,val,test}.h5`` (SPANet layout, see ``multihiggs.io.spanet_layout``) and prints a JSON summary.
Everything beyond the branches comes from the arguments; the generator's metadata only supplies the κλ default.
Exit status 0 on success, 2 on bad input or arguments (one message on stderr, no output file left behind).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict

from multihiggs.cli import run_main
from multihiggs.constants import SM_KAPPA_LAMBDA
from multihiggs.convert import splits
from multihiggs.convert.convert import PROCESSES, WEIGHT_CONVENTIONS, ConversionConfig, convert, remove_outputs
from multihiggs.convert.inclusive_tag_rate import (
    DEFAULT_ABS_ETA_EDGES,
    DEFAULT_PT_EDGES_GEV,
    TAG_RATE_MODELS,
    TagRateBinning,
)
from multihiggs.convert.input_options import add_input_arguments, input_settings
from multihiggs.convert.matching import BOOSTED_MAX_DR, RESOLVED_MAX_DR
from multihiggs.convert.selection import SelectionConfig
from multihiggs.io.delphes import DelphesInputError, open_delphes_tree, read_metadata


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.convert", description=__doc__.splitlines()[0])
    parser.add_argument("--input", nargs="+", required=True, help="Delphes-schema ROOT files of one sample")
    parser.add_argument("--output-dir", required=True, help="directory receiving train.h5, val.h5, test.h5")
    parser.add_argument("--sample", required=True, help="sample name (also keys the split hash)")
    parser.add_argument("--process", required=True, choices=PROCESSES)
    parser.add_argument("--n-higgs", type=int, required=True, choices=(2, 3), help="Higgs target slots")
    parser.add_argument("--min-jets", type=int, required=True, help="minimum number of selected AK5 jets")
    parser.add_argument("--kl", type=float, default=None, help="κλ of the sample (default: file metadata)")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--signal", dest="signal", action="store_true", default=None, help="default for hh, hhh")
    kind.add_argument("--background", dest="signal", action="store_false", help="default for qcd")
    parser.add_argument("--four-tag", action="store_true", help="require >= N b-tagged jets (hsieh_spanet2)")
    parser.add_argument(
        "--tag-rate-weights",
        action="store_true",
        help="weight by P(>= N tags) instead of cutting (signal: truth-flavour model only)",
    )
    parser.add_argument(
        "--tag-rate-model",
        choices=TAG_RATE_MODELS,
        default="truth",
        help="tag-rate weights from truth-flavour efficiencies, or flavour-inclusive (pT, |eta|) rates normalised "
        "to the truth total (many more effective events for the shape)",
    )
    parser.add_argument(
        "--tag-rate-pt-edges", type=float, nargs="+", default=list(DEFAULT_PT_EDGES_GEV), help="GeV, inclusive TRF"
    )
    parser.add_argument("--tag-rate-eta-edges", type=float, nargs="+", default=list(DEFAULT_ABS_ETA_EDGES))
    parser.add_argument(
        "--tag-rate-unweight-below",
        type=float,
        default=0.0,
        help="tag-rate weights: keep an event with P(>= N tags) below this with probability P / value, weighing the "
        "value (exact partial unweighting; 0: keep all)",
    )
    parser.add_argument("--n-tags", type=int, default=4)
    parser.add_argument("--tag-min-pt", type=float, default=40.0, help="GeV")
    parser.add_argument("--tag-max-eta", type=float, default=2.5)
    parser.add_argument("--tag-working-point", choices=("CSV", "UParT"), default="CSV")
    parser.add_argument("--jet-min-pt", type=float, default=20.0, help="GeV")
    parser.add_argument("--jet-max-eta", type=float, default=2.5)
    parser.add_argument("--fatjet-min-pt", type=float, default=250.0, help="GeV")
    parser.add_argument("--fatjet-max-eta", type=float, default=2.5)
    parser.add_argument("--resolved-max-dr", type=float, default=RESOLVED_MAX_DR)
    parser.add_argument("--boosted-max-dr", type=float, default=BOOSTED_MAX_DR)
    parser.add_argument("--cross-section-pb", type=float, default=None, help="rescale weights to this σ (pb)")
    parser.add_argument(
        "--weight-convention",
        choices=WEIGHT_CONVENTIONS,
        default="sum",
        help="sum: Σ Event.Weight over the sample's files = σ (our generator); mean: Σ w / N = σ",
    )
    parser.add_argument("--split-seed", type=int, default=0)
    parser.add_argument(
        "--tag-seed", type=int, default=None, help="seed of the tag-rate-weight b-tag draws (default: the split seed)"
    )
    parser.add_argument(
        "--split-fractions",
        type=float,
        nargs=3,
        default=list(splits.DEFAULT_FRACTIONS),
        metavar=("TRAIN", "VAL", "TEST"),
    )
    parser.add_argument("--step-size", type=int, default=50_000, help="events per chunk")
    add_input_arguments(parser)
    return parser


def _default_kl(inputs: Sequence[str], signal: bool) -> float:
    """κλ from the generator metadata: ``kappa_lambda`` (HH) or ``kappa_3`` (HHH, the same trilinear coupling).

    A background sample has no κλ: without metadata it gets the SM value (its κλ input is set when merging).
    """
    open_delphes_tree(inputs[0])  # a clear error for an unusable file before reading its metadata
    metadata = read_metadata(inputs[0])
    for key in ("kappa_lambda", "kappa_3"):
        if metadata.get(key) is not None:
            return float(metadata[key])
    if not signal:
        return SM_KAPPA_LAMBDA
    raise DelphesInputError(f"κλ unknown: {inputs[0]} has no 'kappa_lambda' or 'kappa_3' metadata; pass --kl")


def _conversion_config(args: argparse.Namespace) -> ConversionConfig:
    """The conversion settings of the command line (κλ from the file metadata unless given)."""
    signal = args.signal if args.signal is not None else args.process != "qcd"
    return ConversionConfig(
        sample=args.sample,
        process=args.process,
        n_higgs=args.n_higgs,
        kl=args.kl if args.kl is not None else _default_kl(args.input, signal),
        signal=signal,
        selection=SelectionConfig(
            min_jets=args.min_jets,
            jet_min_pt=args.jet_min_pt,
            jet_max_abs_eta=args.jet_max_eta,
            fatjet_min_pt=args.fatjet_min_pt,
            fatjet_max_abs_eta=args.fatjet_max_eta,
            four_tag=args.four_tag or args.tag_rate_weights,
            tag_rate_weights=args.tag_rate_weights,
            n_tags=args.n_tags,
            tag_min_pt=args.tag_min_pt,
            tag_max_abs_eta=args.tag_max_eta,
            tag_working_point=args.tag_working_point,
        ),
        split_seed=args.split_seed,
        tag_seed=args.tag_seed,
        tag_rate_model=args.tag_rate_model,
        unweight_below=args.tag_rate_unweight_below,
        tag_rate_binning=TagRateBinning(tuple(args.tag_rate_pt_edges), tuple(args.tag_rate_eta_edges)),
        split_fractions=tuple(args.split_fractions),
        resolved_max_dr=args.resolved_max_dr,
        boosted_max_dr=args.boosted_max_dr,
        cross_section_pb=args.cross_section_pb,
        weight_convention=args.weight_convention,
        step_size=args.step_size,
        **input_settings(args),
    )


def _convert(args: argparse.Namespace) -> None:
    """Convert the inputs and print the summary as JSON; name the absent inputs once on stderr."""
    remove_outputs(args.output_dir)  # before anything can fail: no earlier run's files may look current
    summary = convert(args.input, args.output_dir, _conversion_config(args))
    if summary.absent_inputs:
        print(
            f"note: sample {summary.sample}: the input files lack {', '.join(summary.absent_inputs)}; filled "
            "(features 0, Event.Number the entry, Event.Weight 1, absent collections and working points empty)",
            file=sys.stderr,
        )
    print(json.dumps(asdict(summary)))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_main(lambda: _convert(args))


if __name__ == "__main__":
    sys.exit(main())
