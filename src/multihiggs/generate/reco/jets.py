"""Anti-kt jets with charged/neutral content and hadron flavour from ghost association.

Clustering uses FastJet's multi-event awkward interface (one C++ call for the whole batch). Heavy-flavour
hadrons enter the clustering as *ghosts*: their four-momenta scaled by ``GHOST_SCALE`` so that they cannot
change which real particles end up together, nor any jet's four-momentum beyond ~1e-16 relative (below double
precision for all but the softest partial sums). The jet flavour is 5 if a B-hadron ghost was clustered into it,
else 4 if a C-hadron ghost was, else 0 (the CMS "hadron flavour" definition).
"""

from __future__ import annotations

import awkward as ak
import fastjet
import numpy as np
import vector

from multihiggs.generate.reco.indexing import take_per_jet

vector.register_awkward()

#: Factor applied to the ghost hadrons' four-momenta.
GHOST_SCALE = 1.0e-18
_MOMENTUM_FIELDS = ("px", "py", "pz", "E")


def _four_momentum_columns(array: ak.Array, scale: float = 1.0) -> dict[str, ak.Array]:
    return {name: ak.values_astype(array[name], np.float64) * scale for name in _MOMENTUM_FIELDS}


def _check_inputs(particles: ak.Array, ghosts: ak.Array, radius: float, pt_min_gev: float) -> None:
    if radius <= 0:
        raise ValueError(f"jet radius must be positive, got {radius}")
    if pt_min_gev <= 0:
        raise ValueError(f"jet pt_min_gev must be positive (it also removes ghost-only jets), got {pt_min_gev}")
    if len(particles) != len(ghosts):
        raise ValueError(f"particles and ghosts cover different numbers of events: {len(particles)} vs {len(ghosts)}")
    for name, array, needed in (("particles", particles, "charge"), ("ghosts", ghosts, "flavour")):
        missing = [field for field in (*_MOMENTUM_FIELDS, needed) if field not in ak.fields(array)]
        if missing:
            raise ValueError(f"{name} lack fields {missing} (found: {ak.fields(array)})")


def sort_by_pt(jets: ak.Array) -> ak.Array:
    """Jets of each event in decreasing pT (stable for ties); nested per-jet fields move with their jet."""
    return jets[ak.argsort(jets.pt, axis=1, ascending=False, stable=True)]


def cluster_jets(particles: ak.Array, ghosts: ak.Array, radius: float, pt_min_gev: float) -> ak.Array:
    """Anti-kt jets of radius ``radius`` above ``pt_min_gev``, sorted by pT, with ghost-associated flavour.

    Args:
        particles: per-event Momentum4D records (px, py, pz, E in GeV) with a ``charge`` field (e).
        ghosts: per-event Momentum4D records (GeV) of heavy-flavour hadrons with an int ``flavour`` field (5, 4).
        radius: anti-kt distance parameter R (0.5 for AK5, 0.8 for AK8).
        pt_min_gev: minimum jet pT in GeV.

    Returns:
        Per-event Momentum4D jet records (px, py, pz, E in GeV) with fields ``n_charged``, ``n_neutral`` (int),
        ``charged_energy_fraction``, ``neutral_energy_fraction`` (of the jet energy), ``flavour`` (5, 4, 0) and
        ``constituent_index`` (per jet, positions in that event's ``particles``; ghosts excluded).
    """
    _check_inputs(particles, ghosts, radius, pt_min_gev)
    particle_columns = _four_momentum_columns(particles)
    ghost_columns = _four_momentum_columns(ghosts, GHOST_SCALE)
    inputs = ak.zip(
        {name: ak.concatenate([particle_columns[name], ghost_columns[name]], axis=1) for name in _MOMENTUM_FIELDS},
        with_name="Momentum4D",
    )
    sequence = fastjet.ClusterSequence(ak.to_packed(inputs), fastjet.JetDefinition(fastjet.antikt_algorithm, radius))
    raw_jets = sequence.inclusive_jets(pt_min_gev)
    input_index = sequence.constituent_index(pt_min_gev)

    n_particles = ak.num(particles, axis=1)
    is_ghost = input_index >= n_particles
    particle_index = input_index[~is_ghost]
    ghost_flavour = take_per_jet(ghosts.flavour, input_index[is_ghost] - n_particles)

    is_charged = take_per_jet(particles.charge, particle_index) != 0
    energy = take_per_jet(particles.E, particle_index)
    n_charged = ak.sum(is_charged, axis=2)
    jet_energy = raw_jets.E
    jets = ak.zip(
        {
            "px": raw_jets.px,
            "py": raw_jets.py,
            "pz": raw_jets.pz,
            "E": jet_energy,
            "n_charged": ak.values_astype(n_charged, np.int64),
            "n_neutral": ak.values_astype(ak.num(particle_index, axis=2) - n_charged, np.int64),
            "charged_energy_fraction": ak.sum(energy * is_charged, axis=2) / jet_energy,
            "neutral_energy_fraction": ak.sum(energy * ~is_charged, axis=2) / jet_energy,
            "flavour": ak.values_astype(ak.fill_none(ak.max(ghost_flavour, axis=2), 0), np.int64),
            "constituent_index": particle_index,
        },
        with_name="Momentum4D",
        depth_limit=2,
    )
    return sort_by_pt(jets)
