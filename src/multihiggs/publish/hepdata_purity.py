"""HEPData tables of the reconstruction-purity figures: purity vs Higgs pT and H purity vs jet multiplicity.

Input: metrics documents (``python -m multihiggs.evaluate``) of several methods on one sample, as the figures
``purity_vs_pt`` and ``purity_vs_njets`` read them; one table per sample, a dependent variable per method and panel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hepdata_lib import Table

from multihiggs.plotting.jet_multiplicity import DEFAULT_CATEGORIES
from multihiggs.plotting.methods import method_label, sample_label
from multihiggs.plotting.pt_dependence import DEFAULT_TOPOLOGIES, TOPOLOGY_TITLES
from multihiggs.publish.hepdata_cells import (
    binned_variable,
    energy_qualifier,
    independent_variable,
    interval_label,
    ratio_variable,
)

Document = Mapping[str, Any]


def _one_sample(documents: Sequence[Document]) -> str:
    samples = {str(document["sample"]) for document in documents}
    if len(samples) != 1:
        raise ValueError(f"a purity table compares methods on one sample, got samples {sorted(samples)}")
    return samples.pop()


def _reaction(documents: Sequence[Document]) -> str:
    n_higgs = int(documents[0]["n_higgs"])
    return "P P --> " + " ".join(["HIGGS"] * n_higgs) + " X"


def _keywords(table: Table, documents: Sequence[Document], sqrt_s_gev: float, observable: str) -> None:
    table.keywords["cmenergies"] = [float(sqrt_s_gev)]
    table.keywords["observables"] = [observable]
    table.keywords["reactions"] = [_reaction(documents)]
    table.keywords["phrases"] = ["Higgs boson pair production", "Jet assignment", "Machine learning"]


def _cells(ratios: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """A per-bin ratio block ({"value": [...], "lower": [...], "upper": [...]}) as a list of cells."""
    columns = zip(ratios["value"], ratios["lower"], ratios["upper"], strict=True)
    return [{"value": value, "lower": lower, "upper": upper} for value, lower, upper in columns]


def purity_vs_pt_table(documents: Sequence[Document], sqrt_s_gev: float) -> Table:
    """Purity vs reconstructed Higgs pT: a variable per method and topology (resolved, boosted) with any candidate."""
    sample = _one_sample(documents)
    edges = documents[0]["pt_edges"]
    if any(list(document["pt_edges"]) != list(edges) for document in documents):
        raise ValueError(f"the metrics of sample {sample!r} use different pT bins")
    table = Table(f"Purity vs Higgs pT {sample}")
    table.description = (
        f"Reconstruction purity (fraction of reconstructed Higgs candidates matched to a truth Higgs boson) vs the "
        f"candidate's transverse momentum, {sample_label(sample)}, per method and topology (resolved: two AK5 jets; "
        f"boosted: one AK8 jet). A topology in which a method builds no candidate is left out."
    )
    table.location = f"Purity vs Higgs pT figure, {sample_label(sample)}"
    _keywords(table, documents, sqrt_s_gev, "PURITY")
    table.add_variable(binned_variable(r"Reconstructed Higgs $p_{T}$", edges, units="GeV"))
    for document in documents:
        for topology in DEFAULT_TOPOLOGIES:
            cells = _cells(document["vs_pt"]["purity"][topology])
            if all(item["value"] is None for item in cells):
                continue
            qualifiers = [
                ("Method", method_label(document), ""),
                ("Topology", TOPOLOGY_TITLES[topology], ""),
                energy_qualifier(sqrt_s_gev),
            ]
            table.add_variable(ratio_variable("Purity", cells, interval_label(document), qualifiers))
    return table


def purity_vs_njets_table(documents: Sequence[Document], sqrt_s_gev: float) -> Table:
    """H purity per jet multiplicity (last bin: all events), a variable per method and event category."""
    sample = _one_sample(documents)
    bins = [jet_bin["label"] for jet_bin in documents[0]["events"]["jet_bins"]]
    if any([jet_bin["label"] for jet_bin in document["events"]["jet_bins"]] != bins for document in documents):
        raise ValueError(f"the metrics of sample {sample!r} use different jet-multiplicity bins")
    table = Table(f"H purity vs jet multiplicity {sample}")
    table.description = (
        f"H purity (fraction of reconstructed Higgs candidates matched to a truth Higgs boson) per number of AK5 jets, "
        f"{sample_label(sample)}, per method, for events in which some ('partial') or all ('complete') Higgs bosons "
        f"are reconstructable; the last row ('all') is inclusive in jet multiplicity."
    )
    table.location = f"Purity vs jet multiplicity figure, {sample_label(sample)}"
    _keywords(table, documents, sqrt_s_gev, "PURITY")
    table.add_variable(independent_variable("Number of AK5 jets", bins))
    for document in documents:
        for category in DEFAULT_CATEGORIES:
            block = document["events"]["categories"][category]
            qualifiers = [
                ("Method", method_label(document), ""),
                ("Events", f"{category} ({block['label']} reconstructable)", ""),
                energy_qualifier(sqrt_s_gev),
            ]
            table.add_variable(ratio_variable("H purity", block["higgs_purity"], interval_label(document), qualifiers))
    return table


def group_by_sample(documents: Sequence[Document]) -> list[list[Document]]:
    """Documents grouped by sample, in order of first appearance."""
    groups: dict[str, list[Document]] = {}
    for document in documents:
        groups.setdefault(str(document["sample"]), []).append(document)
    return list(groups.values())
