"""HEPData variables from the workflow's values: ratios with their intervals, curves with gaps, qualifiers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

from hepdata_lib import Uncertainty, Variable

#: HEPData's value of an empty cell (no event in the bin, a point the scan could not evaluate).
MISSING = "-"
#: A qualifier of a dependent variable: (name, value, units or "").
Qualifier = tuple[str, Any, str]


def _number(value: Any) -> float | None:
    return None if value is None or not math.isfinite(float(value)) else float(value)


def cell(value: Any) -> float | str:
    """A table cell: text as it is, a finite number as float, None and NaN as :data:`MISSING`."""
    if isinstance(value, str):
        return value
    number = _number(value)
    return MISSING if number is None else number


def energy_qualifier(sqrt_s_gev: float) -> Qualifier:
    """HEPData's centre-of-mass energy qualifier, ``SQRT(S)`` in GeV."""
    return ("SQRT(S)", float(sqrt_s_gev), "GeV")


def _qualify(variable: Variable, qualifiers: Sequence[Qualifier]) -> Variable:
    for name, value, units in qualifiers:
        variable.add_qualifier(name, value, units)
    return variable


def interval_label(document: Mapping[str, Any]) -> str:
    """The uncertainty label of a metrics document's ratios, e.g. ``68.3% CL Clopper-Pearson interval``."""
    kind = str(document.get("interval", "binomial")).replace("_", "-").title()
    return f"{100 * float(document.get('confidence', 0.6826894921370859)):.1f}% CL {kind} interval"


def ratio_variable(
    name: str, cells: Sequence[Mapping[str, Any]], uncertainty_label: str, qualifiers: Sequence[Qualifier] = ()
) -> Variable:
    """A dependent variable of ratio cells ({"value", "lower", "upper"}) with an asymmetric interval uncertainty.

    An empty cell (value None) is written as :data:`MISSING` without uncertainty.
    """
    variable = Variable(name, is_independent=False, is_binned=False, zero_uncertainties_warning=False)
    values, errors = [], []
    for ratio in cells:
        value, lower, upper = (_number(ratio.get(key)) for key in ("value", "lower", "upper"))
        values.append(MISSING if value is None else value)
        has_interval = value is not None and lower is not None and upper is not None
        errors.append((lower - value, upper - value) if has_interval else (0.0, 0.0))
    variable.values = values
    uncertainty = Uncertainty(uncertainty_label, is_symmetric=False)
    uncertainty.values = errors
    variable.add_uncertainty(uncertainty)
    return _qualify(variable, qualifiers)


def value_variable(name: str, values: Sequence[Any], qualifiers: Sequence[Qualifier] = (), units: str = "") -> Variable:
    """A dependent variable without uncertainty (cells by :func:`cell`)."""
    variable = Variable(name, is_independent=False, is_binned=False, units=units)
    variable.values = [cell(value) for value in values]
    return _qualify(variable, qualifiers)


def independent_variable(name: str, values: Sequence[Any], units: str = "") -> Variable:
    """An unbinned independent variable (numbers or text)."""
    variable = Variable(name, is_independent=True, is_binned=False, units=units)
    variable.values = [cell(value) for value in values]
    return variable


def binned_variable(name: str, edges: Sequence[float], units: str = "") -> Variable:
    """A binned independent variable from bin edges (N + 1 edges -> N bins)."""
    variable = Variable(name, is_independent=True, is_binned=True, units=units)
    variable.values = list(pairwise(edges))
    return variable
