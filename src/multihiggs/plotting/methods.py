"""How methods and samples appear in figures: display names and one fixed colour per method (family)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from multihiggs import methods
from multihiggs.methods import method_family, split_replica

# Paul Tol / Petroff colour-blind-safe palette; SPA-Net variants in the first colours.
_PALETTE: tuple[str, ...] = (
    "#3f90da", "#ffa90e", "#bd1f01", "#94a4a2", "#832db6", "#a96b59", "#e76300", "#b9ac70", "#717581", "#92dadd",
)  # fmt: skip
#: Display names of methods outside multihiggs.methods: the default name of an imported reference-SPANet model
#: (config inputs.reference_predictions); other names given there, like any unknown method, appear as they are.
_OTHER_METHOD_LABELS: dict[str, str] = {"reference_spanet": "SPANet (reference)"}
_METHOD_COLORS: dict[str, str] = {
    "spanet_sm": _PALETTE[0],
    "spanet_kl_mixed": _PALETTE[1],
    "spanet_flat_mass": _PALETTE[2],
    "chi2": _PALETTE[4],
    "chi2_all": _PALETTE[5],
    "chi2_bdt": _PALETTE[6],
    "mass_agnostic": _PALETTE[7],
    "min_delta_r": _PALETTE[8],
}


def method_label(document: Mapping[str, Any]) -> str:
    """Legend name of the method of an evaluation document: its ``label`` if set, else the display name."""
    if document.get("label"):
        return str(document["label"])
    method = document["method"]
    return (
        methods.method_label(method)
        or methods.method_label(method_family(method))
        or _OTHER_METHOD_LABELS.get(method, method)
    )


def method_colors(methods: list[str]) -> dict[str, str]:
    """A colour per method: fixed for known method families, unused palette colours in turn for other families.

    Methods of one family (a method and its b-tag-upgrade variant) share a colour.
    """
    spare = [color for color in _PALETTE if color not in _METHOD_COLORS.values()]
    family_colors = dict(_METHOD_COLORS)
    n_unknown = 0
    for method in methods:
        family = method_family(method)
        if family not in family_colors:
            family_colors[family] = spare[n_unknown % len(spare)]
            n_unknown += 1
    return {method: family_colors[method_family(method)] for method in methods}


def method_linestyle(method: str) -> str:
    """Line style of a method: dashed for a b-tag-upgrade variant (it shares its family's colour), else solid."""
    return "--" if method_family(method) != method else "-"


def sample_label(sample: str) -> str:
    """Display name of a sample: ``hhh`` -> HHH -> 6b, ``hh_kl2p45`` -> HH -> 4b, κλ = 2.45, ``qcd`` -> QCD multijet."""
    if sample == "hhh":
        return r"$HHH \to 6b$"
    if sample == "qcd":
        return "QCD multijet"
    match = re.fullmatch(r"hh_kl(m?)(\d+)(?:p(\d+))?", sample)
    if match:
        sign, whole, decimals = match.groups()
        value = ("-" if sign else "") + whole + (f".{decimals}" if decimals else "")
        return rf"$HH \to 4b$, $\kappa_\lambda = {value}$"
    if sample == "hh":
        return r"$HH \to 4b$"
    return sample


def common_sample_label(documents: list[Mapping[str, Any]]) -> str:
    """The sample label shared by all documents, or "" if they differ."""
    samples = {document.get("sample", "") for document in documents}
    return sample_label(samples.pop()) if len(samples) == 1 else ""


def split_seed_replicas(
    documents: Sequence[Mapping[str, Any]],
) -> tuple[list[Mapping[str, Any]], dict[str, list[Mapping[str, Any]]]]:
    """(documents of the methods themselves, {method: its documents over every training seed, itself first}).

    Seed replicas (``spanet_sm_seed1``, :mod:`multihiggs.methods`) are drawn as their method's seed envelope, not
    as methods of their own; a method without replicas has no entry in the mapping.
    """
    methods = [document for document in documents if split_replica(document["method"])[1] == 0]
    trainings: dict[str, list[Mapping[str, Any]]] = {}
    for document in sorted(documents, key=lambda d: split_replica(d["method"])[1]):
        trainings.setdefault(split_replica(document["method"])[0], []).append(document)
    return methods, {method: group for method, group in trainings.items() if len(group) > 1}
