"""The run's provenance index, ``results/provenance.json``: every output's stamp read back, which lack one, which
differ from the collecting job's (:mod:`multihiggs.provenance` makes the stamps, :mod:`multihiggs.io.stamps` reads
them).

    python -m multihiggs.report.provenance collect OUTPUT… -o provenance.json   # directories: each stamped file
    python -m multihiggs.report.provenance show [FILE]   # one file's stamp (exit 1 if none), or this environment's
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from multihiggs.io.atomic import write_text
from multihiggs.io.stamps import read_stamp, read_stamps
from multihiggs.provenance import Stamp, current_stamp

INDEX_FORMAT = "multihiggs-provenance-index-1"


def provenance_index(stamps: Mapping[str, Stamp | None], collected_by: Stamp) -> dict[str, Any]:
    """``results/provenance.json``: every output's stamp (null if it has none), which have none, which differ.

    ``differing`` lists the outputs whose stamp is not the collecting job's (made by other code or configuration).
    """
    return {
        "format": INDEX_FORMAT,
        "collected_by": collected_by.as_dict(),
        "outputs": {path: None if stamp is None else stamp.as_dict() for path, stamp in sorted(stamps.items())},
        "unstamped": sorted(path for path, stamp in stamps.items() if stamp is None),
        "differing": sorted(path for path, stamp in stamps.items() if stamp is not None and stamp != collected_by),
    }


def _collect(args: argparse.Namespace) -> int:

    index = provenance_index(read_stamps(args.outputs), current_stamp())
    write_text(args.output, json.dumps(index, indent=1, sort_keys=True) + "\n")
    print(f"{len(index['outputs'])} outputs, {len(index['unstamped'])} unstamped, {len(index['differing'])} differing")
    return 0


def _show(args: argparse.Namespace) -> int:
    stamp = current_stamp() if args.path is None else read_stamp(args.path)
    print(json.dumps(None if stamp is None else stamp.as_dict(), indent=1, sort_keys=True))
    return 0 if stamp is not None else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.report.provenance", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    collect = commands.add_parser("collect", help="write every output's stamp into one JSON file")
    collect.add_argument("outputs", nargs="+", help="output files, or directories to search for stamped files")
    collect.add_argument("-o", "--output", required=True, help="the JSON index to write (results/provenance.json)")
    collect.set_defaults(run=_collect)
    show = commands.add_parser("show", help="print the stamp of a file (exit 1 if it has none), or of this process")
    show.add_argument("path", nargs="?", help="an output file (default: print the current stamp)")
    show.set_defaults(run=_show)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
