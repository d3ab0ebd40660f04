"""Normalisation inputs of the κλ fit: NNLO-FTapprox σ(gg -> HH)(κλ), BR(H -> bb̄), unit conversions.

Yields are normalised to the LHC Higgs Working Group's NNLO-FTapprox cross section at 13 TeV
(lhchxswg2016yr4, grazzini2018hhnnlo): σ(κλ) = 70.3874 − 50.4111 κλ + 11.0595 κλ² fb, and
BR(H -> bb̄) = 0.5824 (m_H = 125 GeV, LHCHWG YR4).
Other energies need their own coefficients (``coefficients=`` / CLI ``--nnlo-coefficients``).
"""

from __future__ import annotations

import numpy as np

NNLO_FTAPPROX_13TEV_FB: tuple[float, float, float] = (70.3874, -50.4111, 11.0595)
BR_H_BB = 0.5824
FB_PER_PB = 1000.0


def sigma_hh_fb(
    kl: np.ndarray | float, coefficients: tuple[float, float, float] = NNLO_FTAPPROX_13TEV_FB
) -> np.ndarray:
    """σ(gg -> HH) in fb at κλ (any shape) from quadratic coefficients (a, b, c) in fb: a + b κλ + c κλ²."""
    if len(coefficients) != 3:
        raise ValueError(f"σ(κλ) needs three quadratic coefficients (fb), got {coefficients}")
    kl = np.asarray(kl, dtype=np.float64)
    sigma = coefficients[0] + coefficients[1] * kl + coefficients[2] * kl**2
    if (sigma <= 0).any():
        raise ValueError(f"σ(κλ) from coefficients {coefficients} is not positive at some κλ")
    return sigma
