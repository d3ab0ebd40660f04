"""Synthetic gg -> HH and QCD templates with a known κλ dependence, for tests and benchmarks of the κλ fit.

The LO m_HH spectrum is a quadratic form in κλ, dσ/dm = A(m) + κλ B(m) + κλ² C(m), built like the amplitude
|A_box + κλ A_tri|²: A (box², peak ≈ 420 GeV) and C (triangle², peak ≈ 350 GeV) are gamma-shaped densities and
B = −2ρ√(AC) is their interference with a constant ρ ≤ 1, so the spectrum is positive at every κλ. The integrals
reproduce the published LO ratios σ(κλ)/σ(1) = 2.09 − 1.37 κλ + 0.28 κλ², with σ_LO(1) = 19.6 fb at 13 TeV.
Nothing here is a physics prediction: it is a controlled stand-in with the right structure.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from scipy.stats import gamma

from multihiggs.stats.templates import SignalTemplate, Templates

LO_SM_FB = 19.6
LO_RATIO_COEFFICIENTS = (2.09, -1.37, 0.28)
MHH_THRESHOLD_GEV = 250.0
_BOX = (420.0, 90.0)  # (peak, width) in GeV
_TRIANGLE = (350.0, 90.0)
_GRID = np.linspace(MHH_THRESHOLD_GEV, 3000.0, 30001)


def _gamma_density(m_gev: np.ndarray, peak_gev: float, width_gev: float) -> np.ndarray:
    shape = (peak_gev - MHH_THRESHOLD_GEV) / width_gev + 1
    return gamma.pdf(np.asarray(m_gev) - MHH_THRESHOLD_GEV, a=shape, scale=width_gev)


def _interference_strength() -> float:
    a, b, c = LO_RATIO_COEFFICIENTS
    overlap = np.trapezoid(np.sqrt(a * _gamma_density(_GRID, *_BOX) * c * _gamma_density(_GRID, *_TRIANGLE)), _GRID)
    return -b / (2 * overlap)


def lo_components_fb_per_gev(m_gev: np.ndarray) -> np.ndarray:
    """(A, B, C) of dσ/dm = A + κλ B + κλ² C in fb/GeV at m_HH (GeV): shape (3, *m)."""
    a, _, c = LO_RATIO_COEFFICIENTS
    box = a * _gamma_density(m_gev, *_BOX)
    triangle = c * _gamma_density(m_gev, *_TRIANGLE)
    interference = -2 * _interference_strength() * np.sqrt(box * triangle)
    return LO_SM_FB * np.stack([box, interference, triangle])


def lo_cross_section_fb(kl: np.ndarray) -> np.ndarray:
    """σ_LO(κλ) in fb of the synthetic spectrum (exactly the published ratios × 19.6 fb)."""
    kl = np.asarray(kl, dtype=np.float64)
    a, b, c = LO_RATIO_COEFFICIENTS
    return LO_SM_FB * (a + b * kl + c * kl**2)


def binned_components_fb(edges: np.ndarray, efficiency: float = 1.0, n_points: int = 200) -> np.ndarray:
    """∫ over each bin of (A, B, C) × efficiency (fb), shape (3, B); the last bin includes the tail."""
    edges = np.asarray(edges, dtype=np.float64).copy()
    edges[-1] = max(edges[-1], _GRID[-1])
    rows = []
    for low, high in pairwise(edges):
        m = np.linspace(low, high, n_points)
        rows.append(np.trapezoid(lo_components_fb_per_gev(m), m, axis=-1))
    return efficiency * np.array(rows).T


def sample_mhh(kl: float, n_events: int, rng: np.random.Generator) -> np.ndarray:
    """``n_events`` m_HH values (GeV) drawn from the synthetic LO spectrum at κλ (inverse-CDF on a fine grid)."""
    density = np.maximum(np.tensordot([1.0, kl, kl**2], lo_components_fb_per_gev(_GRID), axes=1), 0.0)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(_GRID))])
    return np.interp(rng.uniform(0, cdf[-1], n_events), cdf, _GRID)


def synthetic_templates(
    method: str = "synthetic",
    *,
    kl_samples: Sequence[float] = (0.0, 1.0, 5.0),
    basis_kl: Sequence[float] = (0.0, 1.0, 5.0),
    edges: np.ndarray | None = None,
    signal_efficiency: float = 0.1,
    background_pb: float = 1.0,
    background_slope_gev: float = 120.0,
    n_signal_mc: int = 20_000,
    n_background_mc: int = 50_000,
) -> Templates:
    """Templates with exact expected contents (no fluctuations) and MC variances of the given sample sizes.

    Signal: LO fiducial σ per bin = efficiency × ∫ dσ/dm (pb), variance as for N unweighted events.
    Background: a falling exponential in m_HH of total ``background_pb`` (pb), variance as for N equal weights.
    """
    edges = np.linspace(250.0, 1000.0, 16) if edges is None else np.asarray(edges, dtype=np.float64)
    components_pb = binned_components_fb(edges, signal_efficiency) / 1000.0
    signals = []
    for kl in kl_samples:
        fiducial = np.tensordot([1.0, kl, kl**2], components_pb, axes=1)
        sigma_pb = float(lo_cross_section_fb(kl)) / 1000.0
        weight = sigma_pb / n_signal_mc
        signals.append(
            SignalTemplate(
                kl=float(kl),
                fiducial_pb=fiducial,
                variance_pb2=fiducial * weight,
                counts=np.round(fiducial / weight).astype(np.int64),
                lo_cross_section_pb=sigma_pb,
            )
        )
    upper = np.exp(-(edges[1:] - edges[0]) / background_slope_gev)
    lower = np.exp(-(edges[:-1] - edges[0]) / background_slope_gev)
    upper[-1] = 0.0  # overflow folded into the last bin
    background = background_pb * (lower - upper)
    weight = background_pb / n_background_mc
    return Templates(
        method=method,
        observable="mhh",
        edges=edges,
        threshold=None,
        basis_kl=np.asarray(basis_kl, dtype=np.float64),
        signals=tuple(signals),
        background_pb=background,
        background_variance_pb2=background * weight,
        background_counts=np.round(background / weight).astype(np.int64),
    )
