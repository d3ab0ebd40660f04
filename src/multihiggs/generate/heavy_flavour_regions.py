"""Generator-level heavy-flavour regions that stitch matrix-element heavy-quark samples to the inclusive QCD sample.

After the parton shower (before hadronisation) each event's final-state b and c quarks with pT > 30 GeV and
|eta| < 2.5 are taken in decreasing pT; one closer than Delta R = 0.5 (the AK5 jet radius, with margin) to a heavy
quark already taken is dropped, so the count is of quarks that can make separate jets. The event is then

* ``four_b``: at least four such b quarks;
* ``bbcc``: at least two b and at least two c quarks (and fewer than four b);
* ``rest``: anything else.

The inclusive QCD sample keeps ``rest``; a pp -> b b-bar b b-bar sample keeps ``four_b`` and a pp -> b b-bar c c-bar
sample keeps ``bbcc`` (Pythia vetoes the others at parton level and leaves them out of its cross section), so each
event is counted once. The matrix-element samples are generated with looser cuts (pT > 25 GeV, Delta R > 0.4,
|y| < 2.7) than the region's, so the shower seldom moves an event into a region from outside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BOTTOM, CHARM = 5, 4
REGIONS = ("four_b", "bbcc", "rest")


@dataclass(frozen=True)
class RegionDefinition:
    """Thresholds of the heavy-quark count: pT (GeV), |eta|, and the separation Delta R (rad)."""

    pt_min_gev: float = 30.0
    abs_eta_max: float = 2.5
    delta_r_min: float = 0.5


def heavy_quark_counts(
    pid: np.ndarray, pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, definition: RegionDefinition
) -> tuple[int, int]:
    """(n_b, n_c) of one event's final-state partons (arrays of PDG id, pT GeV, eta, phi rad)."""
    flavour = np.abs(np.asarray(pid))
    candidate = (
        np.isin(flavour, (BOTTOM, CHARM)) & (pt > definition.pt_min_gev) & (np.abs(eta) < definition.abs_eta_max)
    )
    order = np.flatnonzero(candidate)[np.argsort(-pt[candidate], kind="stable")]
    taken: list[int] = []
    for index in order:
        dphi = np.abs(phi[taken] - phi[index])
        dphi = np.minimum(dphi, 2 * np.pi - dphi)
        if not taken or np.all(np.hypot(eta[taken] - eta[index], dphi) >= definition.delta_r_min):
            taken.append(index)
    flavours = flavour[taken]
    return int(np.sum(flavours == BOTTOM)), int(np.sum(flavours == CHARM))


def region_of(n_b: int, n_c: int) -> str:
    """The region of an event with n_b b quarks and n_c c quarks counted by :func:`heavy_quark_counts`."""
    if n_b >= 4:
        return "four_b"
    if n_b >= 2 and n_c >= 2:
        return "bbcc"
    return "rest"
