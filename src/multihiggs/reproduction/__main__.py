"""Write the reproduction table: ``python -m multihiggs.reproduction --claims config/seed_claims.yaml
--results-dir results [--inputs FILE …] [--sample-set NAME=s1,s2 …] [--trainings METHOD=N …] --output-md R.md
--output-tex R.tex --output-json R.json``.

``--trainings spanet_sm=3``: the method was trained from 3 seeds (its replicas ``spanet_sm_seed1``, ``_seed2``); every
claim it measures gets the training-seed spread, which widens its uncertainty (:mod:`multihiggs.reproduction.replicas`).

``--inputs`` lists the result files this configuration produced (the rule passes its inputs); any other file a
claim needs makes that claim "not measured", naming the file, even if an old copy lies around. Without
``--inputs`` every existing file is used. Exit status 2 on a bad catalogue or an unreadable input.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from multihiggs.cli import run_main
from multihiggs.io.atomic import write_text
from multihiggs.provenance import current_stamp
from multihiggs.reproduction.catalogue import load_catalogue
from multihiggs.reproduction.judge import judge_all
from multihiggs.reproduction.measurement import NotMeasured
from multihiggs.reproduction.replicas import claim_spreads
from multihiggs.reproduction.sources import SourceRef, read_source
from multihiggs.reproduction.writers import to_json, to_latex, to_markdown


def parse_trainings(entries: Sequence[str]) -> dict[str, int]:
    """``METHOD=N`` entries as {METHOD: N} (N >= 1 trainings from different seeds)."""
    trainings = {}
    for entry in entries:
        method, separator, count = entry.partition("=")
        if not separator or not method or not count.isdigit() or int(count) < 1:
            raise ValueError(f"--trainings takes METHOD=N with N >= 1, got {entry!r}")
        trainings[method] = int(count)
    return trainings


def parse_sample_sets(entries: Sequence[str]) -> dict[str, list[str]]:
    """``NAME=a,b,c`` entries as {NAME: [a, b, c]} (an empty list for ``NAME=``)."""
    sets = {}
    for entry in entries:
        name, separator, members = entry.partition("=")
        if not separator or not name:
            raise ValueError(f"--sample-set takes NAME=sample1,sample2,…, got {entry!r}")
        sets[name] = [member for member in members.split(",") if member]
    return sets


class ResultFiles:
    """Reads the result files of the claims, each once; only the ``available`` ones (None: every existing file)."""

    def __init__(self, results_dir: Path, available: Sequence[str] | None) -> None:
        self.results_dir = results_dir
        self.available = None if available is None else {os.path.normpath(path) for path in available}
        self.documents: dict[SourceRef, Any] = {}

    def __call__(self, ref: SourceRef) -> tuple[Any, str]:
        path = self.results_dir / ref.path
        name = os.path.normpath(path)
        produced = path.is_file() if self.available is None else name in self.available
        if not produced:
            raise NotMeasured(f"this configuration does not produce {name} ({ref.describe()})")
        if ref not in self.documents:
            self.documents[ref] = read_source(ref, path)
        return self.documents[ref], name


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.reproduction", description=__doc__.splitlines()[0])
    parser.add_argument("--claims", required=True, help="claims catalogue (YAML)")
    parser.add_argument("--results-dir", default="results", help="directory the claims' file paths start from")
    parser.add_argument("--inputs", nargs="*", default=None, help="the result files this configuration produced")
    parser.add_argument("--sample-set", action="append", default=[], metavar="NAME=s1,s2", help="named sample lists")
    parser.add_argument(
        "--trainings", nargs="*", default=[], metavar="METHOD=N", help="methods trained from N seeds (replicas)"
    )
    parser.add_argument("--setup", default="", help="one line describing our setup (√s, sample sizes) for the header")
    parser.add_argument("--output-md", required=True)
    parser.add_argument("--output-tex", required=True)
    parser.add_argument("--output-json", required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run_main(lambda: _write(args), raise_exit=True)


def _write(args: argparse.Namespace) -> None:
    catalogue = load_catalogue(args.claims)
    lookup = ResultFiles(Path(args.results_dir), args.inputs)
    sample_sets = parse_sample_sets(args.sample_set)
    spreads = claim_spreads(catalogue.claims, lookup, sample_sets, parse_trainings(args.trainings))
    rows = judge_all(catalogue.claims, lookup, sample_sets, spreads)
    write_text(args.output_md, to_markdown(rows, catalogue.sources, args.setup))
    write_text(args.output_tex, to_latex(rows, catalogue.sources))
    write_text(args.output_json, to_json(rows, catalogue.sources, args.setup, current_stamp().as_dict()))


if __name__ == "__main__":
    main()
