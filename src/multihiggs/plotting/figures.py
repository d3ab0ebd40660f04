"""Command line for every figure: ``python -m multihiggs.plotting.figures NAME --inputs A.json [B.json …] -o F.pdf``.

NAME and the JSON each reads (written by ``multihiggs.evaluate``):

- ``purity_vs_pt``, ``efficiency_vs_pt``: metrics of several methods on one sample (resolved/boosted panels).
- ``purity_vs_njets``: metrics of several methods on one sample (1–H h and H h panels).
- ``reco_higgs_mass``: metrics on a signal sample; ``mass_plane``: metrics (signal) or sculpting (QCD) files.
- ``mass_sculpting_qcd``: sculpting files of several methods.
- ``kl_dependence``: metrics of several methods on HH samples at several κλ.
- ``btag_upgrade``: metrics of methods with CSV and UParT inputs (their ``btag`` field).
- ``roc_classification``: classification files (or metrics files with a classification block).

``--labels`` overrides the legend name of each input, in order. Exit status 2 on bad input.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure

from multihiggs.cli import run_main
from multihiggs.io.jsonio import read_documents
from multihiggs.plotting.btag_upgrade import btag_upgrade
from multihiggs.plotting.jet_multiplicity import purity_vs_njets
from multihiggs.plotting.kl_dependence import kl_dependence
from multihiggs.plotting.mass_plane import mass_plane
from multihiggs.plotting.masses import mass_sculpting_qcd, reco_higgs_mass
from multihiggs.plotting.pt_dependence import efficiency_vs_pt, purity_vs_pt
from multihiggs.plotting.roc import roc_classification
from multihiggs.plotting.style import save_figure


@dataclass(frozen=True)
class FigureKind:
    """A figure function and the JSON kinds it accepts."""

    draw: Callable[..., Figure]
    kinds: tuple[str, ...]
    takes_topologies: bool = False


FIGURES: dict[str, FigureKind] = {
    "purity_vs_pt": FigureKind(purity_vs_pt, ("metrics",), takes_topologies=True),
    "efficiency_vs_pt": FigureKind(efficiency_vs_pt, ("metrics",), takes_topologies=True),
    "purity_vs_njets": FigureKind(purity_vs_njets, ("metrics",)),
    "reco_higgs_mass": FigureKind(reco_higgs_mass, ("metrics",), takes_topologies=True),
    "mass_sculpting_qcd": FigureKind(mass_sculpting_qcd, ("sculpting",)),
    "kl_dependence": FigureKind(kl_dependence, ("metrics",)),
    "btag_upgrade": FigureKind(btag_upgrade, ("metrics",)),
    "roc_classification": FigureKind(roc_classification, ("classification", "metrics")),
    "mass_plane": FigureKind(mass_plane, ("metrics", "sculpting")),
}


def make_figure(name: str, documents: Sequence[dict[str, Any]], **options: Any) -> Figure:
    """The figure ``name`` of ``documents`` (options: ``energy_tev``, ``topologies`` where it applies)."""
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; choose one of {sorted(FIGURES)}")
    if not documents:
        raise ValueError(f"figure {name} needs at least one input")
    figure_kind = FIGURES[name]
    if not figure_kind.takes_topologies or options.get("topologies") is None:
        options.pop("topologies", None)
    return figure_kind.draw(list(documents), **options)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.plotting.figures", description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(FIGURES))
    parser.add_argument("--inputs", nargs="+", required=True, help="evaluation JSON files")
    parser.add_argument("--labels", nargs="+", help="legend name per input (default: the method's display name)")
    parser.add_argument("--energy-tev", type=float, help="√s shown in the label")
    parser.add_argument("--topologies", nargs="+", help="panels of the pT and mass figures (resolved boosted combined)")
    parser.add_argument("-o", "--output", required=True, help="figure file (.pdf or .png)")
    args = parser.parse_args(argv)
    run_main(lambda: _draw(args), raise_exit=True)


def _draw(args: argparse.Namespace) -> None:
    documents = read_documents(args.inputs, FIGURES[args.name].kinds, args.labels)
    figure = make_figure(args.name, documents, energy_tev=args.energy_tev, topologies=args.topologies)
    save_figure(figure, args.output)


if __name__ == "__main__":
    main()
