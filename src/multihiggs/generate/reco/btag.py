"""Parameterised b tagging: per-jet efficiencies by hadron flavour, pT and η, and a Delphes-style bitmask.

Efficiency of a working point for a jet of flavour f (5 = b, 4 = c, anything else = light):

    ε_f(pT, η) = ε_f,ref · s_f(pT) / s_f(pT_ref)   for |η| ≤ 2.5 (tracker coverage), 0 beyond,
    s_b = s_c = tanh(pT / pT_turn-on) / (1 + (pT / pT_fall)²),   s_light = tanh(pT / pT_turn-on) · (1 + pT / pT_rise)

capped at 1. ε_f,ref is the working point's efficiency at pT_ref = 80 GeV, where CMS defines its operating
points. The shapes are our choice, modelled on the CMS behaviour (and on the shape of the b-tagging formula in
Delphes' CMS card): a turn-on below ≈ 50 GeV, a slow fall of the b/c efficiency above a few hundred GeV and a
rising light mistag rate with pT (pT_rise = 250 GeV, i.e. ≈ 0.01 + 4e-5·pT for a 1% working point).

Working points (assumed, CMS-like):
- "CSV-like" (bit 0): ε_b = 0.70, ε_c = 0.20, ε_light = 0.010 — the Run-1 CSV medium point (CMS BTV-12-001:
  1% light mistag by definition, ≈ 70% b efficiency, ≈ 20% c mistag); pT_fall = 900 GeV.
- "UParT-like" (bit 1): ε_b = 0.85, ε_c = 0.15, ε_light = 0.010 — a transformer-class tagger at a medium point:
  the same 1% light mistag with a higher b efficiency and lower c mistag; pT_fall = 1200 GeV (holds up better).

The two bits share one uniform random number per jet (bit i set if u < ε_i): each bit alone has exactly its
efficiency, and the two decisions are maximally correlated, as two taggers reading the same displaced tracks
are. For b jets this makes the CSV-like tags a subset of the UParT-like ones; for c jets (ε_c larger for
CSV-like) the UParT-like tags are the subset. Independent draws would wrongly make the two tags of one jet
uncorrelated. Analyses use one bit at a time, so tag-rate-function weights need only ``btag_efficiency``.
"""

from __future__ import annotations

from dataclasses import dataclass

import awkward as ak
import numpy as np

BOTTOM_FLAVOUR = 5
CHARM_FLAVOUR = 4


@dataclass(frozen=True)
class BTagWorkingPoint:
    """One tagging working point: efficiencies at ``reference_pt_gev`` and the pT-shape parameters (GeV)."""

    name: str
    efficiency_b: float
    efficiency_c: float
    efficiency_light: float
    turn_on_gev: float = 25.0
    fall_gev: float = 900.0
    light_rise_gev: float = 250.0
    reference_pt_gev: float = 80.0
    abs_eta_max: float = 2.5

    def __post_init__(self) -> None:
        for name in ("efficiency_b", "efficiency_c", "efficiency_light"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"working point {self.name!r}: {name} must be in [0, 1], got {getattr(self, name)}")
        for name in ("turn_on_gev", "fall_gev", "light_rise_gev", "reference_pt_gev", "abs_eta_max"):
            if getattr(self, name) <= 0:
                raise ValueError(f"working point {self.name!r}: {name} must be positive, got {getattr(self, name)}")


CSV_LIKE = BTagWorkingPoint("CSV-like", efficiency_b=0.70, efficiency_c=0.20, efficiency_light=0.010, fall_gev=900.0)
UPART_LIKE = BTagWorkingPoint(
    "UParT-like", efficiency_b=0.85, efficiency_c=0.15, efficiency_light=0.010, fall_gev=1200.0
)
#: Working points in bit order of the ``BTag`` bitmask.
BITMASK_WORKING_POINTS = (CSV_LIKE, UPART_LIKE)


def _heavy_shape(pt_gev: np.ndarray, working_point: BTagWorkingPoint) -> np.ndarray:
    return np.tanh(pt_gev / working_point.turn_on_gev) / (1.0 + np.square(pt_gev / working_point.fall_gev))


def _light_shape(pt_gev: np.ndarray, working_point: BTagWorkingPoint) -> np.ndarray:
    return np.tanh(pt_gev / working_point.turn_on_gev) * (1.0 + pt_gev / working_point.light_rise_gev)


def btag_efficiency(
    flavour: np.ndarray, pt_gev: np.ndarray, eta: np.ndarray, working_point: BTagWorkingPoint
) -> np.ndarray:
    """Probability that jets of hadron ``flavour`` (5, 4, other), ``pt_gev`` (GeV) and ``eta`` are tagged.

    Arrays broadcast against each other (flat numpy arrays, or awkward arrays of one common jagged layout).
    """
    if not isinstance(working_point, BTagWorkingPoint):
        raise TypeError(f"working_point must be a BTagWorkingPoint, got {type(working_point).__name__}")
    any_of = ak.any if any(isinstance(x, ak.Array) for x in (flavour, pt_gev, eta)) else np.any
    if any_of(pt_gev < 0):
        raise ValueError("b-tag efficiency needs pt_gev >= 0")
    reference = working_point.reference_pt_gev
    is_b = flavour == BOTTOM_FLAVOUR
    is_c = flavour == CHARM_FLAVOUR
    heavy_efficiency = (
        (is_b * working_point.efficiency_b + is_c * working_point.efficiency_c)
        * _heavy_shape(pt_gev, working_point)
        / _heavy_shape(reference, working_point)
    )
    light_efficiency = (
        (~is_b & ~is_c)
        * working_point.efficiency_light
        * _light_shape(pt_gev, working_point)
        / _light_shape(reference, working_point)
    )
    efficiency = np.minimum(heavy_efficiency + light_efficiency, 1.0)
    return efficiency * (abs(eta) <= working_point.abs_eta_max)


def draw_btag_bitmask(
    flavour: np.ndarray,
    pt_gev: np.ndarray,
    eta: np.ndarray,
    rng: np.random.Generator,
    working_points: tuple[BTagWorkingPoint, ...] = BITMASK_WORKING_POINTS,
) -> np.ndarray:
    """Delphes-style ``BTag`` bitmask per jet: bit i set if the jet is tagged at ``working_points[i]``.

    One uniform random number per jet is shared by all bits (see the module docstring). Flat arrays in, int32
    array out.
    """
    flavour = np.asarray(flavour)
    uniform = rng.random(flavour.shape)
    bitmask = np.zeros(flavour.shape, dtype=np.int32)
    for bit, working_point in enumerate(working_points):
        tagged = uniform < btag_efficiency(flavour, np.asarray(pt_gev), np.asarray(eta), working_point)
        bitmask |= tagged.astype(np.int32) << bit
    return bitmask


def probability_at_least(efficiency: np.ndarray, n_required: int) -> np.ndarray:
    """P(at least ``n_required`` of the jets are tagged), jets tagged independently (Poisson-binomial).

    ``efficiency``: (N, J) per-jet tag probabilities in [0, 1] (0 for padding). Returns (N,). The distribution of
    the number of tags is built jet by jet, keeping counts 0 … n_required - 1 and one bin for "n_required or more".
    """
    efficiency = np.asarray(efficiency, dtype=np.float64)
    n_events = efficiency.shape[0]
    if n_required <= 0:
        return np.ones(n_events)
    tag_count = np.zeros((n_events, n_required + 1))
    tag_count[:, 0] = 1.0
    for jet in range(efficiency.shape[1]):
        p = efficiency[:, jet : jet + 1]
        shifted = np.zeros_like(tag_count)
        shifted[:, 1:] = tag_count[:, :-1]
        shifted[:, -1] += tag_count[:, -1]  # "n or more" stays there when one more jet is tagged
        tag_count = tag_count * (1.0 - p) + shifted * p
    return tag_count[:, -1]
