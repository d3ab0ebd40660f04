"""HEPData tables of the κλ constraints: the −2ΔlnL and CLs scans of each method, and the table of intervals.

Input: the scan results of ``python -m multihiggs.stats scan`` (Asimov data at κλ = 1, see
:mod:`multihiggs.stats.results`). A bound the scan leaves open (the allowed region continues past the scanned range)
is written as ``open``, an interval the scan lacks as ``-``.
"""

from __future__ import annotations

import re

from hepdata_lib import Table

from multihiggs.plotting.methods import method_label
from multihiggs.publish.hepdata_cells import MISSING, energy_qualifier, independent_variable, value_variable
from multihiggs.stats.results import MethodResult, ScanResults

OPEN = "open"
INTERVALS = {
    "profile_68": "68% CL profile-likelihood",
    "profile_95": "95% CL profile-likelihood",
    "cls_95": "95% CL CLs",
}
KAPPA = r"$\kappa_\lambda$"
LUMINOSITY_UNITS = "fb$^{-1}$"


def _label(method: str) -> str:
    return method_label({"method": method})


def _keywords(table: Table, sqrt_s_gev: float, observable: str) -> None:
    table.keywords["cmenergies"] = [float(sqrt_s_gev)]
    table.keywords["observables"] = [observable]
    table.keywords["reactions"] = ["P P --> HIGGS HIGGS X"]
    table.keywords["phrases"] = ["Higgs boson pair production", "Higgs self-coupling", "Expected limit"]


def table_slug(label: str) -> str:
    """A method label as it may appear in a table name (and so a file name): letters, digits, ``_ . -``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("_") or "method"


def kl_scan_table(method: MethodResult, results: ScanResults, sqrt_s_gev: float) -> Table:
    """−2ΔlnL and CLs vs κλ of one method, a pair of variables per luminosity."""
    table = Table(f"Kappa-lambda scan {table_slug(method.label)}")
    table.description = (
        f"Expected profile-likelihood scan (-2 Delta ln L) and CLs vs {KAPPA} of {_label(method.label)} "
        f"(selection: {method.selection}), Asimov data at {KAPPA} = 1, m_HH templates, per integrated luminosity."
    )
    table.location = f"{KAPPA} scan and CLs figures"
    _keywords(table, sqrt_s_gev, "-2DLNL")
    table.add_variable(independent_variable(KAPPA, results.kl))
    n_kl = len(results.kl)
    for curve_name, curves in (("$-2\\Delta\\ln L$", method.delta_nll2), ("CL$_{s}$", method.cls)):
        for lumi, curve in zip(results.luminosities_fb, curves, strict=True):
            if len(curve) != n_kl:
                raise ValueError(f"{method.label}: a curve has {len(curve)} points for {n_kl} κλ values")
            qualifiers = [
                ("Method", _label(method.label), ""),
                ("Integrated luminosity", float(lumi), LUMINOSITY_UNITS),
                energy_qualifier(sqrt_s_gev),
            ]
            table.add_variable(value_variable(curve_name, curve, qualifiers))
    return table


def _bound(interval: dict | None, which: str) -> float | str:
    if interval is None:
        return MISSING
    value = interval[which]
    return OPEN if value is None else float(value)


def _segments(interval: dict | None) -> str:
    """The allowed region as text, e.g. ``[-1.20, 3.40] U [5.00, 7.10]``."""
    if interval is None:
        return MISSING
    parts = []
    for low, high in interval["segments"]:
        low_text = OPEN if low is None else f"{low:.2f}"
        high_text = OPEN if high is None else f"{high:.2f}"
        parts.append(f"[{low_text}, {high_text}]")
    return " U ".join(parts) or MISSING


def kl_intervals_table(results: ScanResults, sqrt_s_gev: float) -> Table:
    """Expected κλ intervals of every method at every luminosity (the κλ limits table)."""
    table = Table("Kappa-lambda intervals")
    table.description = (
        f"Expected {KAPPA} intervals per method and integrated luminosity: bounds of the 68% and 95% CL "
        f"profile-likelihood intervals and of the 95% CL CLs interval (hull of the allowed region; its segments are "
        f"listed when it is not connected), Asimov data at {KAPPA} = 1. 'open': the allowed region continues past the "
        f"scanned range {results.settings.get('kl_range', '')}."
    )
    table.location = f"{KAPPA} limits table"
    _keywords(table, sqrt_s_gev, "INTERVAL")
    rows = [(method, row) for method in results.methods for row in method.intervals]
    table.add_variable(independent_variable("Method", [_label(method.label) for method, _ in rows]))
    luminosities = [float(row["luminosity_fb"]) for _, row in rows]
    table.add_variable(independent_variable("Integrated luminosity", luminosities, LUMINOSITY_UNITS))
    energy = [energy_qualifier(sqrt_s_gev)]
    table.add_variable(value_variable("Selection", [method.selection for method, _ in rows], energy))
    for key, text in INTERVALS.items():
        for which in ("lower", "upper"):
            values = [_bound(row[key], which) for _, row in rows]
            table.add_variable(value_variable(f"{text} {which} bound on {KAPPA}", values, energy))
        table.add_variable(value_variable(f"{text} allowed region", [_segments(row[key]) for _, row in rows], energy))
    return table


def kl_tables(results: ScanResults, sqrt_s_gev: float) -> list[Table]:
    """The intervals table, then one scan table per method."""
    names = [table_slug(method.label) for method in results.methods]
    if len(set(names)) != len(names):
        raise ValueError(f"method labels {[m.label for m in results.methods]} collide as table names")
    return [kl_intervals_table(results, sqrt_s_gev)] + [kl_scan_table(m, results, sqrt_s_gev) for m in results.methods]


def workspace_description(path_name: str) -> str:
    """The resource description of a workspace file ``<method>_lumi<L>.json``."""
    match = re.fullmatch(r"(.+)_lumi([0-9.eE+]+)\.json", path_name)
    if match is None:
        return f"pyhf JSON workspace {path_name}"
    method, lumi = match.groups()
    return (
        f"pyhf JSON workspace (HistFactory) of the {KAPPA} fit of {_label(method)} at {lumi} {LUMINOSITY_UNITS}: "
        f"one measurement per scanned {KAPPA} value"
    )
