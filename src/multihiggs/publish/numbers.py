"""The headline numbers as LaTeX macros (``results/tables/numbers.tex``), for a paper to ``\\input``.

    python -m multihiggs.publish.numbers [--scan kl_scan.json] [--metrics M.json ...] [--classification C.json ...]
        [--selection-dnn S.json ...] [--generated SAMPLE=N ...] -o numbers.tex

Macros, all prefixed ``mh`` (names by :func:`multihiggs.publish.latex_macros.macro_name`; e.g. the 95% CL
profile-likelihood lower bound of chi2 at 139 fb⁻¹ is ``\\mhKlChiTwoProfileNineFiveLowerLumiOneThreeNine``):

- ``Kl<method><interval><Lower|Upper>Lumi<L>``: expected κλ bounds (2 decimals) per method, interval
  (``profile_68``, ``profile_95``, ``cls_95``) and luminosity L (fb⁻¹); ``\\textrm{open}`` past the scanned range.
- ``<sample><method><EventPurity|HiggsPurity><Partial|Complete>`` (all jet multiplicities) and
  ``<sample><method><Purity|Efficiency>`` (inclusive, both topologies): 3 decimals, each with an ``Err`` twin
  (half the interval width, as the tables' ±).
- ``TestEvents<sample>`` (events the metrics count), ``GeneratedEvents<sample>``,
  ``ClassificationSignalEvents<method>``, ``ClassificationBackgroundEvents<method>``: integers.
- ``Auc<method>``, ``Accuracy<method>`` (classification head) and ``SelectionDnnAuc<method>``,
  ``SelectionDnnAccuracy<method>`` (the selection DNN on that method's Higgs candidates): 3 decimals.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from multihiggs.cli import run_main
from multihiggs.io.atomic import write_text
from multihiggs.io.json_file import load_json_file
from multihiggs.io.jsonio import read_json
from multihiggs.publish.latex_macros import format_count, format_fixed, macro_file, macro_name
from multihiggs.stats.results import ScanResults, read_results

Macro = tuple[str, str]
KL_DECIMALS = 2
RATIO_DECIMALS = 3
INTERVALS = ("profile_68", "profile_95", "cls_95")
CATEGORIES = ("partial", "complete")
EVENT_QUANTITIES = ("event_purity", "higgs_purity")
INCLUSIVE_QUANTITIES = ("purity", "efficiency")


def kl_interval_macros(results: ScanResults) -> list[Macro]:
    """Lower and upper κλ bound of every method, interval and luminosity (an interval the scan lacks: none)."""
    macros = []
    for method in results.methods:
        for row in method.intervals:
            for interval in INTERVALS:
                if row.get(interval) is None:
                    continue
                for bound in ("lower", "upper"):
                    name = macro_name("Kl", method.label, interval, bound, "Lumi", float(row["luminosity_fb"]))
                    macros.append((name, format_fixed(row[interval][bound], KL_DECIMALS)))
    return macros


def _ratio_macros(parts: Sequence[str], cell: Mapping[str, Any]) -> list[Macro]:
    """A ratio cell ({"value", "lower", "upper"}) as a value macro and an ``Err`` (half-width) macro."""
    value, lower, upper = cell.get("value"), cell.get("lower"), cell.get("upper")
    if value is None:
        return []
    macros = [(macro_name(*parts), format_fixed(value, RATIO_DECIMALS))]
    if lower is not None and upper is not None:
        macros.append((macro_name(*parts, "Err"), format_fixed((upper - lower) / 2, RATIO_DECIMALS)))
    return macros


def purity_macros(document: Mapping[str, Any]) -> list[Macro]:
    """Event and H purity (all jet multiplicities) and inclusive purity and efficiency of one metrics document."""
    sample, method = document["sample"], document["method"]
    labels = [jet_bin["label"] for jet_bin in document["events"]["jet_bins"]]
    every = labels.index("all")
    macros = []
    for quantity in EVENT_QUANTITIES:
        for category in CATEGORIES:
            cell = document["events"]["categories"][category][quantity][every]
            macros += _ratio_macros((sample, method, quantity, category), cell)
    for quantity in INCLUSIVE_QUANTITIES:
        macros += _ratio_macros((sample, method, quantity), document["inclusive"][quantity]["combined"])
    return macros


def sample_size_macros(documents: Iterable[Mapping[str, Any]]) -> list[Macro]:
    """Events per sample that the metrics count; every method must count the same events of a sample."""
    counts: dict[str, int] = {}
    for document in documents:
        sample, n_events = document["sample"], int(document["n_events"])
        if counts.setdefault(sample, n_events) != n_events:
            raise ValueError(f"metrics of sample {sample!r} disagree on its event count ({counts[sample]}, {n_events})")
    return [(macro_name("TestEvents", sample), format_count(n)) for sample, n in counts.items()]


def classification_macros(document: Mapping[str, Any]) -> list[Macro]:
    """AUC, accuracy and event counts of a classification document."""
    method = document["method"]
    return [
        (macro_name("Auc", method), format_fixed(document["auc"], RATIO_DECIMALS)),
        (macro_name("Accuracy", method), format_fixed(document["accuracy"], RATIO_DECIMALS)),
        (macro_name("ClassificationSignalEvents", method), format_count(document["n_signal"])),
        (macro_name("ClassificationBackgroundEvents", method), format_count(document["n_background"])),
    ]


def selection_dnn_macros(summary: Mapping[str, Any]) -> list[Macro]:
    """Held-out AUC and accuracy of the selection DNN of one pairing method (its training summary)."""
    method = summary["pairing_method"]
    return [
        (macro_name("SelectionDnnAuc", method), format_fixed(summary["auc"], RATIO_DECIMALS)),
        (macro_name("SelectionDnnAccuracy", method), format_fixed(summary["accuracy"], RATIO_DECIMALS)),
    ]


def generated_event_macros(generated: Mapping[str, int]) -> list[Macro]:
    return [(macro_name("GeneratedEvents", sample), format_count(n)) for sample, n in generated.items()]


def parse_generated(items: Sequence[str]) -> dict[str, int]:
    """``["hhh=600", ...]`` -> {"hhh": 600, ...}."""
    generated = {}
    for item in items:
        sample, _, count = item.partition("=")
        if not sample or not count.isdigit():
            raise ValueError(f"--generated takes SAMPLE=N (a whole number of events), got {item!r}")
        generated[sample] = int(count)
    return generated


HEADER = (
    "Headline numbers of the multihiggs workflow, written by python -m multihiggs.publish.numbers: do not edit.",
    "Use: \\input{numbers.tex}, then e.g. \\mhTestEventsHhh; names and formats: docs/publishing.md.",
)


def build(args: argparse.Namespace) -> str:
    macros: list[Macro] = []
    if args.scan:
        macros += kl_interval_macros(read_results(args.scan))
    documents = [read_json(path, "metrics") for path in args.metrics]
    for document in documents:
        macros += purity_macros(document)
    macros += sample_size_macros(documents)
    macros += generated_event_macros(parse_generated(args.generated))
    for path in args.classification:
        macros += classification_macros(read_json(path, "classification"))
    for path in args.selection_dnn:
        macros += selection_dnn_macros(load_json_file(path, "selection-DNN summary"))
    if not macros:
        raise ValueError("no input: give --scan, --metrics, --classification, --selection-dnn or --generated")
    return macro_file(macros, HEADER)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.publish.numbers", description=__doc__.splitlines()[0])
    parser.add_argument("--scan", help="κλ scan results (python -m multihiggs.stats scan)")
    parser.add_argument("--metrics", nargs="+", default=[], help="metrics JSON files (python -m multihiggs.evaluate)")
    parser.add_argument("--classification", nargs="+", default=[], help="classification JSON files")
    parser.add_argument("--selection-dnn", nargs="+", default=[], help="selection-DNN training summaries")
    parser.add_argument("--generated", nargs="+", default=[], metavar="SAMPLE=N", help="generated events per sample")
    parser.add_argument("-o", "--output", required=True, help="macro file to write (.tex)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run_main(lambda: write_text(args.output, build(args)), raise_exit=True)


if __name__ == "__main__":
    main()
