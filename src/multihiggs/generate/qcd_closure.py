"""Closure test of the heavy-flavour-enriched QCD sample against an inclusive one.

    python -m multihiggs.generate qcd-closure --stitched qcd/shard*.root --inclusive qcd_inclusive/shard*.root
        --output-pdf closure.pdf --output-md closure.md --output-json closure.json

The analysis sample ``qcd`` may be split by its hard process (light and b-hard shards, each class normalised to its
own Pythia cross section) and its g → bb̄ splittings enhanced with compensating weights (``samples.qcd`` config);
``qcd_inclusive`` is generated as before, with its own seed. Both estimate the same distributions, so their weighted
histograms must agree within the MC uncertainties. Events with ≥ 4 AK5 jets (pT > 20 GeV, |η| < 2.5) are compared
in m_4j (invariant mass of the four leading jets), H_T (scalar pT sum of those jets) and the jet multiplicity, each
twice: with the event weights, and with the truth-flavour four-tag weights, event weight × P(≥ 4 of the jets with
pT > 40 GeV, |η| < 2.5 tagged), the per-jet probabilities those of the generator's CSV-like working point by the
jet's hadron flavour (the four-b-tag QCD background of the HH analysis, which the enrichment is for).

Per bin: Σw and its MC uncertainty √Σw² of each sample (absolute yields, pb: both are normalised to σ); the two
samples are independent, so χ² = Σ (a − b)² / (σ_a² + σ_b²) over the bins populated in both, ndf = their number
(:func:`multihiggs.closure.compare_yields`).
The inclusive cross sections are compared too: σ_light + σ_b of the split sample against σ_inclusive (Pythia's
``sigmaGen`` of each shard, with its ``sigmaErr``), and the Kish n_eff = (Σw)² / Σw² of each weighting tells what
the enrichment bought. Exit status 2 on bad input (one message on stderr; no output left behind).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import awkward as ak
import numpy as np
import vector

from multihiggs.closure import WeightedHistogram, compare_yields, histogram_fields, kish_n_eff
from multihiggs.generate.reco.btag import CSV_LIKE, BTagWorkingPoint, btag_efficiency, probability_at_least

vector.register_awkward()

#: AK5 jet selection of the compared events (GeV).
JET_MIN_PT_GEV = 20.0
JET_MAX_ABS_ETA = 2.5
MIN_JETS = 4
#: Tag candidates and required tags of the truth-flavour four-tag weight (GeV).
TAG_MIN_PT_GEV = 40.0
TAG_MAX_ABS_ETA = 2.5
N_TAGS = 4

#: Bin edges of the observables; values beyond the last edge go into the last bin.
OBSERVABLE_EDGES = {
    "m4j": (0.0, 200.0, 300.0, 400.0, 500.0, 600.0, 800.0, 1000.0, 1500.0, 3000.0),
    "ht": (0.0, 200.0, 300.0, 400.0, 500.0, 700.0, 1000.0, 1500.0, 3000.0),
    "n_jets": (3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 10.5, 14.5),
}
OBSERVABLE_LABELS = {
    "m4j": r"$m_{4j}$ (four leading jets) [GeV]",
    "ht": r"$H_T$ (jets $p_T$ > 20 GeV) [GeV]",
    "n_jets": "AK5 jets ($p_T$ > 20 GeV, $|\\eta|$ < 2.5)",
}
#: The two weightings of the compared events.
SELECTIONS = {"all": "≥ 4 jets, event weights", "four_tag": "≥ 4 jets × P(≥ 4 tags), truth flavour"}
BRANCHES = ("Jet.PT", "Jet.Eta", "Jet.Phi", "Jet.Mass", "Jet.Flavor", "Event.Weight")


@dataclass(frozen=True)
class SampleEvents:
    """Per-event arrays of one sample: all events' weights (pb) and, for the events with ≥ 4 selected jets, their
    weight, four-tag weight (pb) and observables."""

    all_weights: np.ndarray
    weight: np.ndarray
    four_tag_weight: np.ndarray
    observables: Mapping[str, np.ndarray]

    @classmethod
    def concatenate(cls, parts: Sequence[SampleEvents]) -> SampleEvents:
        if not parts:
            raise ValueError("no events to concatenate")
        return cls(
            all_weights=np.concatenate([part.all_weights for part in parts]),
            weight=np.concatenate([part.weight for part in parts]),
            four_tag_weight=np.concatenate([part.four_tag_weight for part in parts]),
            observables={name: np.concatenate([part.observables[name] for part in parts]) for name in OBSERVABLE_EDGES},
        )

    def weights(self, selection: str) -> np.ndarray:
        """Weights of the ≥ 4-jet events under ``selection`` ('all' or 'four_tag')."""
        return {"all": self.weight, "four_tag": self.four_tag_weight}[selection]


def four_tag_probability(
    flavour: ak.Array,
    pt_gev: ak.Array,
    eta: ak.Array,
    working_point: BTagWorkingPoint = CSV_LIKE,
    n_tags: int = N_TAGS,
    tag_min_pt_gev: float = TAG_MIN_PT_GEV,
    tag_max_abs_eta: float = TAG_MAX_ABS_ETA,
) -> np.ndarray:
    """(N,) P(≥ ``n_tags`` tagged) of each event's jets (jagged flavour, pT, η), candidates pT > ``tag_min_pt_gev``
    and |η| < ``tag_max_abs_eta``, each tagged independently with the truth-flavour efficiency of ``working_point``."""
    counts = ak.to_numpy(ak.num(pt_gev))
    flat_pt, flat_eta = ak.to_numpy(ak.flatten(pt_gev)), ak.to_numpy(ak.flatten(eta))
    efficiency = btag_efficiency(ak.to_numpy(ak.flatten(flavour)), flat_pt, flat_eta, working_point)
    efficiency = np.where((flat_pt > tag_min_pt_gev) & (np.abs(flat_eta) < tag_max_abs_eta), efficiency, 0.0)
    padded = ak.fill_none(ak.pad_none(ak.unflatten(efficiency, counts), max(int(counts.max(initial=0)), 1)), 0.0)
    return probability_at_least(ak.to_numpy(padded), n_tags)


def sample_events(arrays: Mapping[str, ak.Array]) -> SampleEvents:
    """Select and weight the events of one chunk of a sample (jagged ``Jet.*`` branches, ``Event.Weight``)."""
    weights = ak.to_numpy(ak.flatten(arrays["Event.Weight"], axis=None)).astype(np.float64)
    jets = ak.zip(
        {
            "pt": arrays["Jet.PT"],
            "eta": arrays["Jet.Eta"],
            "phi": arrays["Jet.Phi"],
            "mass": arrays["Jet.Mass"],
            "flavour": arrays["Jet.Flavor"],
        },
        with_name="Momentum4D",
    )
    jets = jets[(jets.pt > JET_MIN_PT_GEV) & (abs(jets.eta) < JET_MAX_ABS_ETA)]
    jets = jets[ak.argsort(jets.pt, axis=1, ascending=False)]
    n_jets = ak.to_numpy(ak.num(jets))
    keep = n_jets >= MIN_JETS
    jets = jets[keep]
    leading = jets[:, :MIN_JETS]
    system = leading[:, 0] + leading[:, 1] + leading[:, 2] + leading[:, 3]
    probability = four_tag_probability(jets.flavour, jets.pt, jets.eta)
    return SampleEvents(
        all_weights=weights,
        weight=weights[keep],
        four_tag_weight=weights[keep] * probability,
        observables={
            "m4j": ak.to_numpy(system.mass).astype(np.float64),
            "ht": ak.to_numpy(ak.sum(jets.pt, axis=1)).astype(np.float64),
            "n_jets": n_jets[keep].astype(np.float64),
        },
    )


@dataclass(frozen=True)
class ObservableComparison:
    """Histograms of one observable under one weighting for both samples, and their χ²."""

    selection: str
    observable: str
    stitched: WeightedHistogram
    inclusive: WeightedHistogram

    def chi2(self) -> tuple[float, int, float]:
        """(χ², ndf, p-value) of the absolute yields (pb) over the bins populated in both samples (see module)."""
        return compare_yields(self.stitched, self.inclusive).as_tuple()


@dataclass(frozen=True)
class CrossSection:
    """A cross section (pb) with its uncertainty."""

    value_pb: float
    error_pb: float


@dataclass(frozen=True)
class ClosureResult:
    comparisons: tuple[ObservableComparison, ...]
    n_events: Mapping[str, int]  # per sample ('stitched', 'inclusive')
    n_eff: Mapping[str, Mapping[str, float]]  # per sample: 'total', 'all' (≥ 4 jets), 'four_tag'
    yields_pb: Mapping[str, Mapping[str, CrossSection]]  # per sample and selection: Σw ± √Σw²
    cross_sections: Mapping[str, Mapping[str, CrossSection]] = field(default_factory=dict)  # per sample and class


def compare_samples(
    stitched: SampleEvents, inclusive: SampleEvents, edges: Mapping[str, Sequence[float]] = OBSERVABLE_EDGES
) -> ClosureResult:
    """Histogram both samples in every observable under both weightings and compare them (pure)."""
    comparisons = []
    for selection in SELECTIONS:
        for name, bin_edges in edges.items():
            filled = [
                WeightedHistogram.fill(sample.observables[name], sample.weights(selection), bin_edges)
                for sample in (stitched, inclusive)
            ]
            comparisons.append(ObservableComparison(selection, name, *filled))
    samples = {"stitched": stitched, "inclusive": inclusive}
    return ClosureResult(
        comparisons=tuple(comparisons),
        n_events={key: len(sample.all_weights) for key, sample in samples.items()},
        n_eff={
            key: {
                "total": kish_n_eff(sample.all_weights),
                **{selection: kish_n_eff(sample.weights(selection)) for selection in SELECTIONS},
            }
            for key, sample in samples.items()
        },
        yields_pb={
            key: {
                selection: CrossSection(
                    float(sample.weights(selection).sum()), float(np.sqrt(np.square(sample.weights(selection)).sum()))
                )
                for selection in SELECTIONS
            }
            for key, sample in samples.items()
        },
    )


def class_cross_sections(metadata: Iterable[Mapping[str, Any]]) -> dict[str, CrossSection]:
    """σ (pb) per hard-process class of a sample's shards and their sum ('total'), from the shard metadata.

    A class' σ is Σ_shards σ_k n_k / N_class (what its weights add up to), its error √Σ (δσ_k n_k / N_class)²;
    shards written before the split (no class in their metadata) count as 'inclusive'."""
    values: dict[str, float] = {}
    variances: dict[str, float] = {}
    for shard in metadata:
        hard_class = shard.get("hard_process_class") or "inclusive"
        n_class = shard.get("n_events_class") or shard["n_events_sample"]
        share = shard["n_events"] / n_class
        error = shard.get("cross_section_error_pb")
        values[hard_class] = values.get(hard_class, 0.0) + shard["cross_section_pb"] * share
        variances[hard_class] = variances.get(hard_class, 0.0) + (
            (error * share) ** 2 if error is not None else math.nan
        )
    if not values:
        raise ValueError("no shard metadata: are these files our generator's?")
    result = {name: CrossSection(values[name], math.sqrt(variances[name])) for name in sorted(values)}
    result["total"] = CrossSection(sum(values.values()), math.sqrt(sum(variances.values())))
    return result


def cross_section_pull(stitched: CrossSection, inclusive: CrossSection) -> float:
    """(σ_stitched − σ_inclusive) / combined uncertainty."""
    return (stitched.value_pb - inclusive.value_pb) / math.hypot(stitched.error_pb, inclusive.error_pb)


def closure_markdown(result: ClosureResult) -> str:
    """Markdown: the σ comparison, yields and n_eff per sample, χ²/ndf per weighting and observable."""
    from multihiggs.tables import markdown_table

    lines = [
        "# QCD stitching closure: enriched sample `qcd` against the inclusive `qcd_inclusive`",
        "",
        "Both samples are normalised to their cross section; events with ≥ 4 AK5 jets (pT > 20 GeV, |η| < 2.5). "
        "Four-tag weight: event weight × P(≥ 4 of the jets with pT > 40 GeV, |η| < 2.5 tagged), truth-flavour "
        "CSV-like efficiencies. χ² over the bins populated in both samples (independent samples, absolute yields). "
        "The four-tag weights of the inclusive sample sit on a few events (its four-tag n_eff below): where that is "
        "small, its four-tag yields are not Gaussian and the four-tag χ² only flags gross disagreement; the enriched "
        "sample exists because the inclusive one cannot measure them.",
        "",
    ]
    if result.cross_sections:
        stitched, inclusive = result.cross_sections["stitched"], result.cross_sections["inclusive"]
        rows = [
            [f"qcd: {name}", f"{xs.value_pb:.6g}", f"{xs.error_pb:.3g}"]
            for name, xs in stitched.items()
            if name != "total"
        ]
        rows.append(
            ["qcd: total (Σ of the classes)", f"{stitched['total'].value_pb:.6g}", f"{stitched['total'].error_pb:.3g}"]
        )
        rows.append(["qcd_inclusive", f"{inclusive['total'].value_pb:.6g}", f"{inclusive['total'].error_pb:.3g}"])
        pull = cross_section_pull(stitched["total"], inclusive["total"])
        lines += [
            "## Cross sections (Pythia sigmaGen ± sigmaErr, pb)",
            "",
            markdown_table(["sample / class", "σ (pb)", "uncertainty (pb)"], rows),
            "",
            f"Total: qcd / qcd_inclusive = {stitched['total'].value_pb / inclusive['total'].value_pb:.4f}, "
            f"pull {pull:+.2f} σ.",
            "",
        ]
    sample_rows = [
        [
            name,
            result.n_events[key],
            f"{result.n_eff[key]['total']:.1f}",
            f"{result.yields_pb[key]['all'].value_pb:.6g} ± {result.yields_pb[key]['all'].error_pb:.3g}",
            f"{result.n_eff[key]['all']:.1f}",
            f"{result.yields_pb[key]['four_tag'].value_pb:.4g} ± {result.yields_pb[key]['four_tag'].error_pb:.2g}",
            f"{result.n_eff[key]['four_tag']:.1f}",
        ]
        for key, name in (("stitched", "qcd"), ("inclusive", "qcd_inclusive"))
    ]
    lines += [
        "## Samples",
        "",
        markdown_table(
            [
                "sample",
                "events",
                "n_eff (all)",
                "σ ≥ 4 jets (pb)",
                "n_eff ≥ 4 jets",
                "σ four-tag (pb)",
                "n_eff four-tag",
            ],
            sample_rows,
        ),
        "",
        "## χ² / ndf (p-value)",
        "",
    ]
    header = ["weighting", *(f"χ²/ndf {name}" for name in dict.fromkeys(c.observable for c in result.comparisons))]
    rows = []
    for selection, label in SELECTIONS.items():
        cells = []
        for comparison in result.comparisons:
            if comparison.selection == selection:
                chi2, ndf, p_value = comparison.chi2()
                cells.append(f"{chi2:.1f} / {ndf} ({p_value:.2f})")
        rows.append([label, *cells])
    lines.append(markdown_table(header, rows))
    return "\n".join(lines) + "\n"


def closure_json(result: ClosureResult) -> dict:
    """JSON-ready result: σ per class, yields, n_eff and every histogram with its χ²."""

    def xs(value: CrossSection) -> dict[str, float]:
        return {"value_pb": value.value_pb, "error_pb": value.error_pb}

    return {
        "cross_sections": {
            sample: {name: xs(value) for name, value in classes.items()}
            for sample, classes in result.cross_sections.items()
        },
        "n_events": dict(result.n_events),
        "n_eff": {sample: dict(values) for sample, values in result.n_eff.items()},
        "yields_pb": {
            sample: {selection: xs(value) for selection, value in values.items()}
            for sample, values in result.yields_pb.items()
        },
        "histograms": [
            {
                "selection": c.selection,
                "observable": c.observable,
                "edges": c.stitched.edges.tolist(),
                **histogram_fields("stitched", c.stitched),
                **histogram_fields("inclusive", c.inclusive),
                **dict(zip(("chi2", "ndf", "p_value"), c.chi2(), strict=True)),
            }
            for c in result.comparisons
        ],
    }


def draw_closure(result: ClosureResult, path: str | Path, energy_tev: float | None = None) -> None:
    """One column per observable, one row per weighting: the inclusive sample as points, the enriched one as a line
    with its MC-uncertainty band, each with a ratio panel below (enriched / inclusive)."""
    import matplotlib.pyplot as plt

    from multihiggs.plotting.draw import PANEL_SIZE
    from multihiggs.plotting.style import label_axes, save_figure, use_style

    use_style()
    names = list(dict.fromkeys(c.observable for c in result.comparisons))
    selections = list(dict.fromkeys(c.selection for c in result.comparisons))
    figure, axes = plt.subplots(
        2 * len(selections),
        len(names),
        figsize=(PANEL_SIZE[0] * len(names), 1.3 * PANEL_SIZE[1] * len(selections)),
        gridspec_kw={"height_ratios": [3, 1] * len(selections)},
        squeeze=False,
        layout="constrained",
    )
    for comparison in result.comparisons:
        row, column = 2 * selections.index(comparison.selection), names.index(comparison.observable)
        top, bottom = axes[row, column], axes[row + 1, column]
        bottom.sharex(top)
        top.tick_params(labelbottom=False)
        edges = comparison.stitched.edges
        centres = 0.5 * (edges[1:] + edges[:-1])
        stitched, stitched_error = comparison.stitched.sumw, np.sqrt(comparison.stitched.sumw2)
        inclusive, inclusive_error = comparison.inclusive.sumw, np.sqrt(comparison.inclusive.sumw2)
        top.stairs(stitched, edges, color="tab:blue", linewidth=2, label="qcd (split + enhanced)")
        top.stairs(stitched + stitched_error, edges, baseline=stitched - stitched_error, fill=True, color="tab:blue",
                   alpha=0.25, linewidth=0)  # fmt: skip
        top.errorbar(centres, inclusive, yerr=inclusive_error, fmt="o", color="black", label="qcd_inclusive")
        top.set_yscale("log" if (stitched > 0).sum() > 1 else "linear")
        top.set_ylabel("σ per bin [pb]")
        chi2, ndf, p_value = comparison.chi2()
        key = comparison.selection
        top.legend(
            title=f"{SELECTIONS[key]}\nχ²/ndf {chi2:.1f}/{ndf} (p {p_value:.2f})",
            fontsize="x-small",
            title_fontsize="x-small",
            loc="upper right",
        )
        label_axes(top, energy_tev, "QCD")
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(inclusive > 0, stitched / inclusive, np.nan)
            band = np.where(inclusive > 0, stitched_error / inclusive, np.nan)
            points = np.where(inclusive > 0, inclusive_error / inclusive, np.nan)
        bottom.stairs(ratio + band, edges, baseline=ratio - band, fill=True, color="tab:blue", alpha=0.25, linewidth=0)
        bottom.stairs(ratio, edges, color="tab:blue", linewidth=2)
        bottom.errorbar(
            centres, np.where(inclusive > 0, 1.0, np.nan), yerr=points, fmt="o", color="black", markersize=3
        )
        bottom.axhline(1.0, color="grey", linewidth=1)
        bottom.set_ylim(0.0, 2.0)
        bottom.set_ylabel("qcd / incl.")
        bottom.set_xlabel(OBSERVABLE_LABELS.get(comparison.observable, comparison.observable))
    save_figure(figure, path)


def read_sample(files: Sequence[str | Path]) -> tuple[SampleEvents, list[dict[str, Any]]]:
    """The selected, weighted events of a sample's ROOT files (one file at a time) and each file's metadata."""
    from multihiggs.io.delphes import read_delphes, read_metadata

    if not files:
        raise ValueError("no input file")
    parts, metadata = [], []
    for path in files:
        parts.append(sample_events(read_delphes(path, BRANCHES)))
        metadata.append(read_metadata(path))
    return SampleEvents.concatenate(parts), metadata


def run_closure(
    stitched_files: Sequence[str | Path],
    inclusive_files: Sequence[str | Path],
    output_pdf: str | Path,
    output_md: str | Path,
    output_json: str | Path,
    energy_tev: float | None = None,
) -> ClosureResult:
    """Read both samples, compare them and write the figure (PDF + PNG), the Markdown table and the JSON."""
    from multihiggs.io.atomic import write_text
    from multihiggs.provenance import STAMP_KEY, current_stamp

    stitched, stitched_metadata = read_sample(stitched_files)
    inclusive, inclusive_metadata = read_sample(inclusive_files)
    result = compare_samples(stitched, inclusive)
    if all(stitched_metadata) and all(inclusive_metadata):
        cross_sections = {
            "stitched": class_cross_sections(stitched_metadata),
            "inclusive": class_cross_sections(inclusive_metadata),
        }
        result = replace(result, cross_sections=cross_sections)
    draw_closure(result, output_pdf, energy_tev)
    table = closure_markdown(result)
    write_text(output_md, table)
    write_text(output_json, json.dumps(closure_json(result) | {STAMP_KEY: current_stamp().as_dict()}, indent=1) + "\n")
    print(table)
    return result
