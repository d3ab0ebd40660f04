"""The HEPData record of the key results: purity figures, κλ scans and intervals, pyhf workspaces as resources.

    python -m multihiggs.publish.hepdata --purity-vs-pt M1.json ... --purity-vs-njets M1.json ...
        --scan kl_scan.json --workspaces DIR --sqrt-s-gev 13000 --output-dir results/hepdata/submission
        --tarball results/hepdata/submission.tar.gz

Metrics files are grouped by sample (one table each); every ``*.json`` in ``--workspaces`` becomes an additional
resource of the record. The directory and the tarball are validated offline with hepdata-validator before they are
written (check again with ``hepdata-validate -a submission.tar.gz``). Exit status 2 on bad or invalid input.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from hepdata_lib import Table

from multihiggs.cli import run_main
from multihiggs.io.jsonio import read_documents
from multihiggs.publish.hepdata_kl import kl_tables, workspace_description
from multihiggs.publish.hepdata_purity import group_by_sample, purity_vs_njets_table, purity_vs_pt_table
from multihiggs.publish.hepdata_submission import build_submission, write_submission
from multihiggs.stats.results import read_results

COMMENT = (
    "Simulated-data study of jet assignment in HH -> 4b and HHH -> 6b with symmetry-preserving attention networks "
    "(SPA-Net) and baseline methods, and of the expected constraints on the Higgs self-coupling modifier "
    "kappa_lambda; produced by the multihiggs Snakemake workflow. Uncertainties of the purities are binomial "
    "(Clopper-Pearson) intervals from the finite test samples; the kappa_lambda results are expected (Asimov) ones."
)


def workspace_files(directory: str | Path) -> list[Path]:
    """The pyhf workspaces (``*.json``) of a directory, sorted; none is an error."""
    files = sorted(Path(directory).glob("*.json"))
    if not files:
        raise ValueError(f"no pyhf workspace (*.json) in {directory}")
    return files


def record_tables(args: argparse.Namespace) -> list[Table]:
    tables = []
    for group in group_by_sample(read_documents(args.purity_vs_pt, ("metrics",))):
        tables.append(purity_vs_pt_table(group, args.sqrt_s_gev))
    for group in group_by_sample(read_documents(args.purity_vs_njets, ("metrics",))):
        tables.append(purity_vs_njets_table(group, args.sqrt_s_gev))
    if args.scan:
        tables += kl_tables(read_results(args.scan), args.sqrt_s_gev)
    if not tables:
        raise ValueError("no input: give --purity-vs-pt, --purity-vs-njets or --scan")
    return tables


def run(args: argparse.Namespace) -> None:
    workspaces = workspace_files(args.workspaces) if args.workspaces else []
    resources = [(path, workspace_description(path.name)) for path in workspaces]
    submission = build_submission(record_tables(args), resources, COMMENT)
    write_submission(submission, args.output_dir, args.tarball)
    print(f"HEPData submission: {len(submission.tables)} tables, {len(resources)} workspaces -> {args.tarball}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.publish.hepdata", description=__doc__.splitlines()[0])
    parser.add_argument("--purity-vs-pt", nargs="+", default=[], help="metrics JSON files of the purity-vs-pT figures")
    parser.add_argument("--purity-vs-njets", nargs="+", default=[], help="metrics JSON files of the N-jets figures")
    parser.add_argument("--scan", help="κλ scan results (python -m multihiggs.stats scan)")
    parser.add_argument("--workspaces", help="directory of pyhf workspaces (python -m multihiggs.stats scan)")
    parser.add_argument("--sqrt-s-gev", type=float, required=True, help="centre-of-mass energy (GeV)")
    parser.add_argument("--output-dir", required=True, help="submission directory to write")
    parser.add_argument("--tarball", required=True, help="submission tarball to write (.tar.gz)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run_main(lambda: run(args), raise_exit=True)


if __name__ == "__main__":
    main()
