"""Histograms of reconstructed Higgs-candidate masses (GeV): per candidate, and the m_H1 vs m_H2 plane.

H1 and H2 are the highest- and second-highest-pT candidates of an event (boosted or resolved alike).
"""

from __future__ import annotations

import hist
import numpy as np

from multihiggs.evaluate.candidates import CandidateKinematics, leading_pair_masses
from multihiggs.evaluate.weights import per_object_weights

DEFAULT_MASS_EDGES = np.linspace(0.0, 300.0, 61)  # 5 GeV bins
DEFAULT_PLANE_EDGES = np.linspace(0.0, 300.0, 31)  # 10 GeV bins


def mass_histogram(
    mass: np.ndarray, selected: np.ndarray, edges: np.ndarray, event_weight: np.ndarray | None = None
) -> hist.Hist:
    """Weighted histogram (with under/overflow) of the masses (N, C) of the ``selected`` (N, C) candidates."""
    mass = np.asarray(mass, dtype=np.float64)
    selected = np.asarray(selected, bool) & np.isfinite(mass)
    weights = per_object_weights(event_weight, mass.shape)
    histogram = hist.Hist(hist.axis.Variable(edges, name="mass", label="m [GeV]"), storage=hist.storage.Weight())
    return histogram.fill(mass[selected], weight=weights[selected])


def mass_plane(kinematics: CandidateKinematics, edges: np.ndarray, event_weight: np.ndarray | None = None) -> hist.Hist:
    """Weighted 2D histogram of (m_H1, m_H2) for events with at least two candidates."""
    leading, subleading = leading_pair_masses(kinematics)
    both = np.isfinite(leading) & np.isfinite(subleading)
    weights = per_object_weights(event_weight, leading.shape)
    histogram = hist.Hist(
        hist.axis.Variable(edges, name="m_h1", label="m_H1 [GeV]"),
        hist.axis.Variable(edges, name="m_h2", label="m_H2 [GeV]"),
        storage=hist.storage.Weight(),
    )
    return histogram.fill(leading[both], subleading[both], weight=weights[both])
