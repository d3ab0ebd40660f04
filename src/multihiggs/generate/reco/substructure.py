"""Fat-jet substructure: soft-drop mass and N-subjettiness τ1…τN, from FastJet's built-in implementations.

Each fat jet's constituents become one "event" of a FastJet multi-event cluster sequence, reclustered with
Cambridge/Aachen at a radius large enough that every constituent of an R0 = 0.8 jet ends in a single jet
(``RECLUSTER_RADIUS``). On that sequence:

- soft drop (``exclusive_jets_softdrop_grooming``): β = 0, z_cut = 0.1, R0 = 0.8 by default (CMS "mSD");
- N-subjettiness (``njettiness``): normalised measure, one-pass kT axes, β = 1, R0 = 0.8 (CMS convention),
  τ_N = Σ_k pT,k min_a ΔR_ak / (R0 Σ_k pT,k).

Edge cases: a jet with no constituents gets τ_N = 0 and soft-drop mass 0 (FastJet's soft drop fails on an empty
event, so such jets never reach it); a jet with ≤ N constituents has τ_N = 0, as FastJet returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import awkward as ak
import fastjet
import numpy as np
import vector

vector.register_awkward()

#: C/A radius used to recluster one fat jet: > 2 × 0.8, so no constituent is ever merged with the beam.
RECLUSTER_RADIUS = 10.0
#: τ1…τ5 are computed, as Delphes stores them (``FatJet.Tau[5]``).
N_SUBJETTINESS = 5


@dataclass(frozen=True)
class SubstructureParameters:
    """Soft-drop and N-subjettiness settings (R0 in rad-equivalent ΔR units)."""

    r0: float = 0.8
    soft_drop_beta: float = 0.0
    soft_drop_z_cut: float = 0.1
    nsubjettiness_beta: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.r0 < RECLUSTER_RADIUS / 2:
            raise ValueError(f"substructure r0 must be in (0, {RECLUSTER_RADIUS / 2}), got {self.r0}")
        if not 0 <= self.soft_drop_z_cut < 1:
            raise ValueError(f"soft_drop_z_cut must be in [0, 1), got {self.soft_drop_z_cut}")
        if self.soft_drop_beta < 0 or self.nsubjettiness_beta <= 0:
            raise ValueError(
                f"need soft_drop_beta >= 0 and nsubjettiness_beta > 0, got {self.soft_drop_beta}, "
                f"{self.nsubjettiness_beta}"
            )


def fat_jet_substructure(constituents: ak.Array, parameters: SubstructureParameters) -> ak.Array:
    """Soft-drop mass and τ1…τ5 of every fat jet.

    Args:
        constituents: Momentum4D records (px, py, pz, E in GeV), shape (events, jets, constituents).
        parameters: soft-drop and N-subjettiness settings.

    Returns:
        Records of shape (events, jets) with ``soft_drop_mass`` (GeV) and ``tau`` (regular, ``N_SUBJETTINESS``).
    """
    n_tau = N_SUBJETTINESS
    jets_per_event = ak.num(constituents, axis=1)
    per_jet = ak.flatten(constituents, axis=1)
    has_constituents = ak.to_numpy(ak.num(per_jet, axis=1) > 0)
    tau = np.zeros((len(per_jet), n_tau))
    soft_drop_mass = np.zeros(len(per_jet))
    if np.any(has_constituents):
        momenta = ak.zip(
            {name: ak.values_astype(per_jet[has_constituents][name], np.float64) for name in ("px", "py", "pz", "E")},
            with_name="Momentum4D",
        )
        sequence = fastjet.ClusterSequence(
            ak.to_packed(momenta), fastjet.JetDefinition(fastjet.cambridge_algorithm, RECLUSTER_RADIUS)
        )
        tau[has_constituents] = ak.to_numpy(
            sequence.njettiness(njets=list(range(1, n_tau + 1)), beta=parameters.nsubjettiness_beta, R0=parameters.r0)
        ).reshape(-1, n_tau)
        groomed = sequence.exclusive_jets_softdrop_grooming(
            njets=1, beta=parameters.soft_drop_beta, symmetry_cut=parameters.soft_drop_z_cut, R0=parameters.r0
        )
        soft_drop_mass[has_constituents] = ak.to_numpy(groomed.msoftdrop)
    per_jet_result = ak.zip({"soft_drop_mass": soft_drop_mass, "tau": tau}, depth_limit=1)
    return ak.unflatten(per_jet_result, jets_per_event)
