"""Closure of signal tag-rate weights: a tag-rate-weighted signal sample against the cut it replaces.

    python -m multihiggs.convert.signal_tag_rate_closure --tag-rate HH/{train,val,test}.h5
        --cut HH_CLOSURE/{train,val,test}.h5 [--swapped-tag-rate HH_CLOSURE_TRF/… --swapped-cut HH_CUT/…]
        --output-md X.md --output-json X.json --output-pdf X.pdf

The signal sample converted with tag-rate weights (every event with its probability to pass the b-tag requirement,
the candidate jets' tags drawn given passing) and an independent sample of the same process converted with the
cut (its drawn tags must pass) must give the same selected population. Compared, weighted by the stored event
weights (pb): the totals (σ × selection efficiency) and the unit-area shapes of the jet multiplicity, the leading
jet pT, m_4j and H_T (stored jets, GeV), the number of b-tagged jets with pT > 40 GeV (the drawn tags) and the
number of Higgs bosons reconstructable from two matched jets. The samples are independent: the χ² of
:mod:`multihiggs.closure` is the usual test.

The cut keeps ~5 % of a sample, so the cut side limits the test. With ``--swapped-tag-rate`` and ``--swapped-cut``
the roles are also swapped: the closure sample with tag-rate weights against the (larger) main sample with the cut,
again two independent samples, a test several times stronger for no extra generation. Exit status 2 on bad input,
no output left behind.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from multihiggs.cli import run_main
from multihiggs.closure import (
    WeightedHistogram,
    compare_shapes,
    draw_shape_comparisons,
    histogram_fields,
    write_closure_outputs,
)
from multihiggs.convert.matching import resolved_reconstructable
from multihiggs.io import spanet_layout as layout
from multihiggs.io.hdf5 import open_hdf5, read_dataset

TAG_MIN_PT_GEV = 40.0
#: Observable -> (bin edges, axis label); the last bin collects the overflow.
OBSERVABLES = {
    "n_jets": (np.arange(3.5, 12.5), "AK5 jets"),
    "leading_pt": (np.array([40, 80, 120, 160, 200, 250, 300, 400, 600, 14000.0]), r"leading jet $p_T$ [GeV]"),
    "m4j": (np.array([0, 200, 300, 400, 500, 600, 800, 1000, 14000.0]), r"$m_{4j}$ (four leading jets) [GeV]"),
    "ht": (np.array([0, 200, 300, 400, 500, 700, 1000, 14000.0]), r"$H_T$ (stored jets) [GeV]"),
    "n_tagged": (np.arange(-0.5, 9.5), r"b-tagged jets, $p_T$ > 40 GeV"),
    "n_resolved_higgs": (np.arange(-0.5, 4.5), "resolved-reconstructable Higgs"),
}


def event_observables(
    pt: np.ndarray, eta: np.ndarray, sinphi: np.ndarray, cosphi: np.ndarray, mass: np.ndarray, btag: np.ndarray,
    mask: np.ndarray, n_jets: np.ndarray, resolved_targets: np.ndarray,
) -> dict[str, np.ndarray]:  # fmt: skip
    """(N,) per observable of :data:`OBSERVABLES` from stored jets (N, J) in pT order (GeV) and targets (N, H, 2)."""
    real = np.asarray(mask, bool)
    pt = np.where(real, pt, 0.0)
    px, py = pt * cosphi, pt * sinphi
    pz = pt * np.sinh(np.where(real, eta, 0.0))
    energy = np.sqrt(px**2 + py**2 + pz**2 + np.where(real, mass, 0.0) ** 2)
    lead = slice(0, 4)
    m4j_squared = (
        energy[:, lead].sum(1) ** 2 - px[:, lead].sum(1) ** 2 - py[:, lead].sum(1) ** 2 - pz[:, lead].sum(1) ** 2
    )
    return {
        "n_jets": np.asarray(n_jets, np.float64),
        "leading_pt": pt[:, 0],
        "m4j": np.sqrt(np.clip(m4j_squared, 0.0, None)),
        "ht": pt.sum(axis=1),
        "n_tagged": (real & (np.asarray(btag) > 0.5) & (pt > TAG_MIN_PT_GEV)).sum(axis=1).astype(np.float64),
        "n_resolved_higgs": resolved_reconstructable(resolved_targets).sum(axis=1).astype(np.float64),
    }


def read_file_observables(path: str | Path) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """(observables, event weights in pb) of one converted file."""
    from multihiggs.convert.convert import stacked_targets
    from multihiggs.io.spanet_layout import ATTR_N_HIGGS

    with open_hdf5(path) as handle:
        n_higgs = int(handle.attrs[ATTR_N_HIGGS])
        jets = {name: read_dataset(handle, layout.input_key(layout.JETS, name)) for name in _JET_FEATURES}
        mask = read_dataset(handle, layout.mask_key(layout.JETS))
        n_jets = read_dataset(handle, layout.truth_event_key("n_jets"))
        weight = read_dataset(handle, layout.event_weight_key()).astype(np.float64)
        resolved, _ = stacked_targets(handle, n_higgs)
    observables = event_observables(**{k: v.astype(np.float64) for k, v in jets.items()}, mask=mask, n_jets=n_jets,
                                    resolved_targets=resolved)  # fmt: skip
    return observables, weight


_JET_FEATURES = ("pt", "eta", "sinphi", "cosphi", "mass", "btag")


def fill_histograms(paths: Sequence[str | Path]) -> dict[str, WeightedHistogram]:
    """Weighted histograms of every observable over all events of ``paths`` (the splits of one sample)."""
    parts = [read_file_observables(path) for path in paths]
    weights = np.concatenate([weight for _, weight in parts])
    if weights.size == 0:
        raise ValueError(f"the files {[str(p) for p in paths]} hold no event")
    return {
        name: WeightedHistogram.fill(np.concatenate([obs[name] for obs, _ in parts]), weights, edges)
        for name, (edges, _) in OBSERVABLES.items()
    }


#: (key, description, legend (cut side, tag-rate side)) of the two pairings of the samples, in document order.
PAIRINGS = (
    ("main_tag_rate_vs_closure_cut", "tag-rate weights on the main sample vs the cut on the independent sample",
     ("cut (independent sample)", "tag-rate weights (main sample)")),
    ("closure_tag_rate_vs_main_cut", "tag-rate weights on the independent sample vs the cut on the main sample",
     ("cut (main sample)", "tag-rate weights (independent sample)")),
)  # fmt: skip


def closure_document(cut: dict[str, WeightedHistogram], tag_rate: dict[str, WeightedHistogram]) -> dict:
    """JSON-ready totals (pb), effective sizes and per-observable comparisons with their histograms."""
    any_cut, any_trf = next(iter(cut.values())), next(iter(tag_rate.values()))
    return {
        "cut": {"total_pb": any_cut.total, "error_pb": any_cut.total_error, "n_eff": any_cut.n_eff},
        "tag_rate": {"total_pb": any_trf.total, "error_pb": any_trf.total_error, "n_eff": any_trf.n_eff},
        "observables": {
            name: {
                **compare_shapes(cut[name], tag_rate[name]).as_dict(),
                "edges": cut[name].edges.tolist(),
                **histogram_fields("cut", cut[name]),
                **histogram_fields("tag_rate", tag_rate[name]),
            }
            for name in cut
        },
    }


def _totals_sentence(description: str, document: dict) -> str:
    cut, trf = document["cut"], document["tag_rate"]
    pull = next(iter(document["observables"].values()))["normalisation_pull"]
    return (
        f"{description[0].upper()}{description[1:]}: σ × efficiency {trf['total_pb']:.4g} ± {trf['error_pb']:.2g} pb "
        f"(tag-rate weights, n_eff {trf['n_eff']:.0f}) vs {cut['total_pb']:.4g} ± {cut['error_pb']:.2g} pb "
        f"(cut, n_eff {cut['n_eff']:.0f}), pull {pull:+.2f}."
    )


def closure_table(documents: dict[str, dict]) -> str:
    """Markdown: per pairing the totals with their pull, then one row per observable, χ²/ndf and p per pairing."""
    from multihiggs.tables import markdown_table

    descriptions = {key: description for key, description, _ in PAIRINGS}
    keys = [key for key in descriptions if key in documents]
    intro = "Signal with tag-rate weights against an independent sample with the b-tag cut.\n\n" + "".join(
        f"- {_totals_sentence(descriptions[key], documents[key])}\n" for key in keys
    )
    header = ["observable"] + [f"χ²/ndf, p ({descriptions[key].split(' vs ')[0]})" for key in keys]

    def cell(values: dict) -> str:
        return f"{values['chi2']:.1f} / {values['ndf']}, {values['p_value']:.2f}"

    rows = [
        [name] + [cell(documents[key]["observables"][name]) for key in keys]
        for name in documents[keys[0]]["observables"]
    ]
    return intro + "\n" + markdown_table(header, rows)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.convert.signal_tag_rate_closure", description=__doc__)
    parser.add_argument("--tag-rate", nargs="+", required=True,
                        help="the main sample's converted files (all splits), tag-rate weights")  # fmt: skip
    parser.add_argument("--cut", nargs="+", required=True,
                        help="the independent sample's converted files (all splits), the b-tag cut")  # fmt: skip
    parser.add_argument("--swapped-tag-rate", nargs="+", help="the independent sample with tag-rate weights")
    parser.add_argument("--swapped-cut", nargs="+", help="the main sample with the b-tag cut")
    parser.add_argument("--output-md", required=True)
    parser.add_argument("--output-json", required=True)
    parser.add_argument("--output-pdf", required=True)
    return parser


def _run(args: argparse.Namespace) -> None:
    if (args.swapped_tag_rate is None) != (args.swapped_cut is None):
        raise ValueError("--swapped-tag-rate and --swapped-cut go together (the two sides of the swapped pairing)")
    sides = {PAIRINGS[0][0]: (args.cut, args.tag_rate)}
    if args.swapped_cut is not None:
        sides[PAIRINGS[1][0]] = (args.swapped_cut, args.swapped_tag_rate)
    histograms = {key: (fill_histograms(cut), fill_histograms(trf)) for key, (cut, trf) in sides.items()}
    documents = {key: closure_document(cut, trf) for key, (cut, trf) in histograms.items()}
    legends = {key: legend for key, _, legend in PAIRINGS}
    panels, labels = [], []
    for key, (cut, tag_rate) in histograms.items():
        panels += [(OBSERVABLES[name][1], cut[name], tag_rate[name]) for name in OBSERVABLES]
        labels += [legends[key]] * len(OBSERVABLES)
    draw_shape_comparisons(panels, labels, args.output_pdf, "HH")
    write_closure_outputs({"pairings": documents}, closure_table(documents), args.output_json, args.output_md)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_main(lambda: _run(args))


if __name__ == "__main__":
    sys.exit(main())
