"""Closure of the flavour-inclusive tag-rate model: its event shapes against the truth-flavour TRF's.

    python -m multihiggs.convert.tag_rate_closure --input QCD1.root [...] --min-jets 4 --n-tags 2 3 4
        [--tag-min-pt 40] [--tag-rate-pt-edges ...] [--tag-rate-eta-edges ...]
        --output-md closure.md --output-json closure.json --output-pdf closure.pdf

For each required number of tags n, every event passing the jet-count requirement is weighted twice: by the
truth-flavour P(≥ n) and by the inclusive P(≥ n) scaled by K_n (the inclusive model of
``multihiggs.convert.inclusive_tag_rate``; rates measured once, K per n). The two weighted distributions of event
observables (m_4j, the invariant mass of the four leading jets, and H_T, the scalar pT sum of the selected jets, GeV)
are compared as unit-area shapes with χ² = Σ (t_i − c_i)² / (σ_t,i² + σ_c,i²). The two weightings share their
events, so their fluctuations are positively correlated and this χ² overestimates the variance of the difference:
it is conservative. Where n is small the truth TRF has the statistics to show the inclusive model's shape bias;
at the analysis' n its n_eff is small, which is why the inclusive model is used there.
Exit status 2 on bad input (one message on stderr; no output left behind).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vector

from multihiggs.cli import run_main
from multihiggs.closure import (
    WeightedHistogram,
    compare_shapes,
    draw_shape_panel,
    histogram_fields,
    write_closure_outputs,
)
from multihiggs.convert.convert import ConversionConfig, _generator_tag_efficiency, candidate_jets, selected_jet_chunks
from multihiggs.convert.inclusive_tag_rate import (
    DEFAULT_ABS_ETA_EDGES,
    DEFAULT_PT_EDGES_GEV,
    InclusiveTagRate,
    TagEfficiency,
    TagRateBinning,
    TagRateNormalisation,
    event_tag_probabilities,
    measure_inclusive_rates,
)
from multihiggs.convert.input_options import add_input_arguments, input_settings
from multihiggs.convert.selection import SelectedObjects, SelectionConfig
from multihiggs.io.delphes import BTAG_BITS

#: Bin edges (GeV) of the closure observables; the last bin collects the overflow.
OBSERVABLE_EDGES_GEV = {
    "m4j": (0.0, 200.0, 300.0, 400.0, 500.0, 600.0, 800.0, 1000.0, 1500.0, 14000.0),
    "ht": (0.0, 200.0, 300.0, 400.0, 500.0, 700.0, 1000.0, 14000.0),
}
OBSERVABLE_LABELS = {"m4j": r"$m_{4j}$ (four leading jets) [GeV]", "ht": r"$H_T$ [GeV]"}


def event_observables(jets: SelectedObjects) -> dict[str, np.ndarray]:
    """(N,) m_4j of the four leading jets and H_T of all selected jets (GeV); events need ≥ 4 jets."""
    leading = {leaf: jets[leaf][:, :4] for leaf in ("PT", "Eta", "Phi", "Mass")}
    four = vector.array({"pt": leading["PT"], "eta": leading["Eta"], "phi": leading["Phi"], "mass": leading["Mass"]})
    system = four[:, 0] + four[:, 1] + four[:, 2] + four[:, 3]
    return {"m4j": np.asarray(system.mass), "ht": np.where(jets.mask, jets["PT"], 0.0).sum(axis=1)}


@dataclass(frozen=True)
class ClosureHistogram:
    """Truth-TRF and normalised inclusive-TRF histograms (pb) of one observable (GeV) at one tag requirement."""

    observable: str
    n_tags: int
    truth: WeightedHistogram
    inclusive: WeightedHistogram  # already × K_n

    def shapes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(truth shape, its σ, inclusive shape, its σ): fractions per bin (unit sum)."""
        return (*self.truth.shape(), *self.inclusive.shape())

    def chi2(self) -> tuple[float, int]:
        """(χ², degrees of freedom) of the two unit-area shapes over the bins either fills (see module)."""
        comparison = compare_shapes(self.inclusive, self.truth)
        return comparison.chi2, comparison.ndf


@dataclass(frozen=True)
class ClosureResult:
    """Closure histograms and normalisation figures per required number of tags."""

    histograms: tuple[ClosureHistogram, ...]
    normalisation: Mapping[int, TagRateNormalisation]  # per required number of tags n

    @property
    def factor(self) -> dict[int, float]:
        """K_n per n."""
        return {n: norm.factor for n, norm in self.normalisation.items()}

    @property
    def truth_n_eff(self) -> dict[int, float]:
        return {n: norm.truth_n_eff for n, norm in self.normalisation.items()}

    @property
    def inclusive_n_eff(self) -> dict[int, float]:
        return {n: norm.inclusive_n_eff for n, norm in self.normalisation.items()}


def measure_closure(
    chunks: Iterable[tuple[SelectedObjects, np.ndarray]],
    selection: SelectionConfig,
    truth_efficiency: TagEfficiency,
    inclusive: InclusiveTagRate,
    n_tags_values: Sequence[int],
    edges_gev: Mapping[str, Sequence[float]] = OBSERVABLE_EDGES_GEV,
) -> ClosureResult:
    """Fill the truth- and inclusive-TRF histograms of every observable at every n (pure; chunks of jets in)."""
    n_values = list(n_tags_values)
    kinds = ("t", "t2", "i", "i2")  # truth Σw, Σw², inclusive Σw, Σw²
    filled = {
        (kind, name, n): WeightedHistogram.empty(edges)
        for kind in ("truth", "inclusive")
        for name, edges in edges_gev.items()
        for n in n_values
    }
    totals = {(kind, n): 0.0 for kind in kinds for n in n_values}
    point = selection.tag_working_point
    for jets, weight in chunks:
        candidates = candidate_jets(jets, weight, selection)
        observables = event_observables(jets)
        for n in n_values:
            truth = weight * event_tag_probabilities(candidates, truth_efficiency, point, n)
            incl = weight * event_tag_probabilities(candidates, inclusive, point, n)
            for kind, values in (("t", truth), ("t2", truth**2), ("i", incl), ("i2", incl**2)):
                totals[kind, n] += float(values.sum())
            for kind, values in (("truth", truth), ("inclusive", incl)):
                for name, edges in edges_gev.items():
                    filled[kind, name, n] += WeightedHistogram.fill(observables[name], values, edges)
    if any(not totals["t", n] > 0 or not totals["i", n] > 0 for n in n_values):
        raise ValueError(f"some required tag count in {n_values} has no event with a non-zero weight")
    normalisation = {n: TagRateNormalisation(*(totals[kind, n] for kind in kinds)) for n in n_values}
    factor = {n: norm.factor for n, norm in normalisation.items()}
    histograms = tuple(
        ClosureHistogram(
            observable=name,
            n_tags=n,
            truth=filled["truth", name, n],
            inclusive=filled["inclusive", name, n].scaled(factor[n]),
        )
        for n in n_values
        for name in edges_gev
    )
    return ClosureResult(
        histograms=histograms,
        normalisation=normalisation,
    )


def closure_table(result: ClosureResult) -> str:
    """Markdown: per n, K_n, both n_eff and χ²/ndf per observable."""
    from multihiggs.tables import markdown_table

    names = list(dict.fromkeys(h.observable for h in result.histograms))
    rows = []
    for n in result.factor:
        chi2 = {h.observable: h.chi2() for h in result.histograms if h.n_tags == n}
        rows.append(
            [
                f"≥ {n}",
                result.factor[n],
                f"{result.truth_n_eff[n]:.1f}",
                f"{result.inclusive_n_eff[n]:.0f}",
                *(f"{chi2[name][0]:.1f} / {chi2[name][1]}" for name in names),
            ]
        )
    header = ["tags", "K", "n_eff truth TRF", "n_eff inclusive TRF", *(f"χ²/ndf {name}" for name in names)]
    intro = (
        "Flavour-inclusive vs truth-flavour tag-rate weights of the QCD sample: unit-area shapes compared "
        "(χ² conservative, shared events); K scales the inclusive total to the truth one.\n\n"
    )
    return intro + markdown_table(header, rows)


def closure_json(result: ClosureResult, inclusive: InclusiveTagRate) -> dict:
    """JSON-ready result: rates, K_n, n_eff and the histograms."""
    return {
        "inclusive_rates": inclusive.as_dict(),
        "factor": {str(n): k for n, k in result.factor.items()},
        "truth_n_eff": {str(n): v for n, v in result.truth_n_eff.items()},
        "inclusive_n_eff": {str(n): v for n, v in result.inclusive_n_eff.items()},
        "histograms": [
            {
                "observable": h.observable,
                "n_tags": h.n_tags,
                "edges_gev": h.truth.edges.tolist(),
                **histogram_fields("truth", h.truth),
                **histogram_fields("inclusive", h.inclusive),
                "chi2": h.chi2()[0],
                "ndf": h.chi2()[1],
            }
            for h in result.histograms
        ],
    }


def draw_closure(result: ClosureResult, path: str | Path) -> None:
    """One panel per (n, observable): truth shape as points with errors, inclusive as a line with a band."""
    from multihiggs.plotting.draw import label_panels, panels
    from multihiggs.plotting.style import save_figure

    names = list(dict.fromkeys(h.observable for h in result.histograms))
    figure, axes = panels(len(result.histograms), n_columns=len(names))
    for ax, histogram in zip(axes, result.histograms, strict=True):
        chi2, ndf = histogram.chi2()
        title = f"≥ {histogram.n_tags} tags, χ²/ndf {chi2:.1f}/{ndf}, n_eff {result.truth_n_eff[histogram.n_tags]:.0f}"
        draw_shape_panel(
            ax,
            histogram.inclusive,
            histogram.truth,
            ("inclusive TRF × K", "truth-flavour TRF"),
            OBSERVABLE_LABELS.get(histogram.observable, histogram.observable),
            title,
        )
    label_panels(axes, energy_tev=None, extra="QCD")
    save_figure(figure, path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.convert.tag_rate_closure", description=__doc__)
    parser.add_argument("--input", nargs="+", required=True, help="Delphes-schema ROOT files of the QCD sample")
    parser.add_argument("--min-jets", type=int, required=True, help="minimum number of selected AK5 jets (>= 4)")
    parser.add_argument("--n-tags", type=int, nargs="+", required=True, help="required numbers of tags to compare")
    parser.add_argument("--tag-min-pt", type=float, default=40.0, help="GeV")
    parser.add_argument("--tag-max-eta", type=float, default=2.5)
    parser.add_argument("--tag-working-point", choices=tuple(BTAG_BITS), default="CSV")
    parser.add_argument("--jet-min-pt", type=float, default=20.0, help="GeV")
    parser.add_argument("--jet-max-eta", type=float, default=2.5)
    parser.add_argument("--tag-rate-pt-edges", type=float, nargs="+", default=list(DEFAULT_PT_EDGES_GEV))
    parser.add_argument("--tag-rate-eta-edges", type=float, nargs="+", default=list(DEFAULT_ABS_ETA_EDGES))
    parser.add_argument("--step-size", type=int, default=50_000, help="events per chunk")
    add_input_arguments(parser)
    parser.add_argument("--output-md", required=True)
    parser.add_argument("--output-json", required=True)
    parser.add_argument("--output-pdf", required=True)
    return parser


def _run(args: argparse.Namespace) -> None:
    from multihiggs.io.delphes import open_delphes_tree

    if args.min_jets < 4:
        raise ValueError(f"--min-jets must be at least 4 (m_4j needs four jets), got {args.min_jets}")
    if min(args.n_tags) < 1:
        raise ValueError(f"--n-tags must be positive, got {args.n_tags}")
    cuts = SelectionConfig(
        min_jets=args.min_jets,
        jet_min_pt=args.jet_min_pt,
        jet_max_abs_eta=args.jet_max_eta,
        four_tag=True,
        tag_rate_weights=True,
        n_tags=max(args.n_tags),
        tag_min_pt=args.tag_min_pt,
        tag_max_abs_eta=args.tag_max_eta,
        tag_working_point=args.tag_working_point,
    )
    config = ConversionConfig(
        sample="qcd",
        process="qcd",
        n_higgs=2,
        kl=1.0,
        signal=False,
        selection=cuts,
        tag_rate_model="inclusive",
        tag_rate_binning=TagRateBinning(tuple(args.tag_rate_pt_edges), tuple(args.tag_rate_eta_edges)),
        step_size=args.step_size,
        **input_settings(args),
    )
    inputs = [Path(path) for path in args.input]
    for path in inputs:
        open_delphes_tree(path)  # one clear error for an unusable file before any pass
    truth_efficiency = _generator_tag_efficiency()
    candidates = (candidate_jets(jets, weight, cuts) for jets, weight in selected_jet_chunks(inputs, config))
    inclusive = measure_inclusive_rates(candidates, config.tag_rate_binning, truth_efficiency, list(BTAG_BITS))
    result = measure_closure(
        selected_jet_chunks(inputs, config), cuts, truth_efficiency, inclusive, sorted(set(args.n_tags))
    )
    draw_closure(result, args.output_pdf)
    write_closure_outputs(closure_json(result, inclusive), closure_table(result), args.output_json, args.output_md)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_main(lambda: _run(args))


if __name__ == "__main__":
    sys.exit(main())
