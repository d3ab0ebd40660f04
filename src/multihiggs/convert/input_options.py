"""How the input files name things, as command-line options shared by every reader of Delphes files.

Stock CMS/ATLAS cards set only bit 0 of ``Jet.BTag``, Phase-II cards bits 0/1/2 for loose/medium/tight; some cards
write ``JetPUPPI`` instead of ``Jet`` or no ``FatJet`` at all. ``--btag-bits`` and ``--collections`` say so, and
the readers map the files onto our names (:data:`multihiggs.io.delphes.BTAG_BITS`, logical collection names).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from multihiggs.io.delphes import BTAG_BITS

_NONE_WORDS = ("none", "null")


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--btag-bits WP=BIT …`` and ``--collections NAME=FILE_NAME …`` to ``parser``."""
    default_bits = " ".join(f"{working_point}={bit}" for working_point, bit in BTAG_BITS.items())
    parser.add_argument(
        "--btag-bits",
        nargs="+",
        default=[],
        metavar="WP=BIT",
        help=f"bit of Jet.BTag holding each working point in the inputs, e.g. CSV=0 UParT=none (a card without "
        f"that tagger); default {default_bits}",
    )
    parser.add_argument(
        "--collections",
        nargs="+",
        default=[],
        metavar="NAME=FILE_NAME",
        help="the inputs' names for our collections, e.g. Jet=JetPUPPI FatJet=JetPUPPIAK8, or FatJet=none",
    )


def parse_assignments(items: Sequence[str], option: str) -> dict[str, str | None]:
    """``["A=x", "B=none"]`` -> {"A": "x", "B": None}; a malformed item is a ValueError naming ``option``."""
    parsed: dict[str, str | None] = {}
    for item in items:
        key, separator, value = item.partition("=")
        if not separator or not key or not value:
            raise ValueError(f"{option}: expected NAME=VALUE, got {item!r}")
        parsed[key] = None if value.lower() in _NONE_WORDS else value
    return parsed


def btag_bits(items: Sequence[str]) -> dict[str, int | None]:
    """Input bit per working point: our layout, updated by ``--btag-bits`` items."""
    bits: dict[str, int | None] = dict(BTAG_BITS)
    for working_point, value in parse_assignments(items, "--btag-bits").items():
        if value is not None and not value.isdigit():
            raise ValueError(f"--btag-bits: bit of {working_point} must be a number or none, got {value!r}")
        bits[working_point] = None if value is None else int(value)
    return bits


def input_settings(args: argparse.Namespace) -> dict[str, dict]:
    """``btag_bits`` and ``collections`` keyword arguments of ``ConversionConfig`` from the parsed options."""
    return {"btag_bits": btag_bits(args.btag_bits), "collections": parse_assignments(args.collections, "--collections")}


@dataclass(frozen=True)
class UserDelphesInput:
    """One sample's own Delphes files (config ``inputs.delphes.<sample>``) and how to read them.

    ``weight_convention``: how ``Event.Weight`` encodes σ (``sum``: Σ w = σ over all files; ``mean``: Σ w / N = σ);
    ``cross_section_pb`` rescales the weights to that σ (pb) whatever the convention; ``btag_bits`` and
    ``collections`` as ``--btag-bits`` and ``--collections``.
    """

    files: tuple[str, ...]
    weight_convention: str = "sum"
    cross_section_pb: float | None = None
    btag_bits: Mapping[str, int | None] = field(default_factory=dict)
    collections: Mapping[str, str | None] = field(default_factory=dict)

    @classmethod
    def from_config(cls, entry: Sequence[str] | Mapping[str, Any]) -> UserDelphesInput:
        """From a config entry: a list of files, or a mapping with ``files`` and the settings above."""
        if isinstance(entry, Mapping):
            settings = {key: value for key, value in entry.items() if key != "files"}
            return cls(files=tuple(entry["files"]), **settings)
        return cls(files=tuple(entry))

    def reading_arguments(self) -> list[str]:
        """``--btag-bits`` and ``--collections`` options (for every command that reads these files)."""
        arguments = []
        if self.btag_bits:
            bits = " ".join(f"{wp}={'none' if bit is None else bit}" for wp, bit in self.btag_bits.items())
            arguments.append(f"--btag-bits {bits}")
        if self.collections:
            names = " ".join(f"{name}={'none' if value is None else value}" for name, value in self.collections.items())
            arguments.append(f"--collections {names}")
        return arguments

    def weight_arguments(self) -> list[str]:
        """``--weight-convention`` and, if given, ``--cross-section-pb`` options of the conversion."""
        arguments = [f"--weight-convention {self.weight_convention}"]
        if self.cross_section_pb is not None:
            arguments.append(f"--cross-section-pb {self.cross_section_pb!r}")
        return arguments
