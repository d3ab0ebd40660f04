"""Single entry point: Pythia particles → Delphes-like ``Jet`` (AK5) and ``FatJet`` (AK8) records per event.

Chain per jet collection: cluster the visible final state (ghost flavour) → smear the four-momentum → keep jets
in the acceptance → sort by smeared pT → b-tag bitmask; fat jets also get soft-drop mass (scaled by the same
response factor as the jet) and τ1…τ5 (scale-invariant) from their particle-level constituents.
Fat jets get the same per-jet b-tag parameterisation as AK5 jets (Delphes leaves ``FatJet.BTag`` to the card;
no double-b tagger is modelled). Random numbers are drawn in a fixed order (jet response, jet tags, fat-jet
response, fat-jet tags), so the same ``rng`` state gives identical output.
"""

from __future__ import annotations

import awkward as ak
import numpy as np

from multihiggs.generate.reco.btag import draw_btag_bitmask
from multihiggs.generate.reco.charge import ChargeTable
from multihiggs.generate.reco.detector import (
    DetectorParameters,
    in_acceptance,
    jet_response_factors,
    scale_jets,
)
from multihiggs.generate.reco.final_state import visible_final_state, weakly_decaying_heavy_hadrons
from multihiggs.generate.reco.indexing import take_per_jet
from multihiggs.generate.reco.jets import cluster_jets, sort_by_pt
from multihiggs.generate.reco.substructure import N_SUBJETTINESS, fat_jet_substructure

#: Delphes branch names of the jet fields, in output order.
JET_FIELDS = (
    "PT",
    "Eta",
    "Phi",
    "Mass",
    "BTag",
    "Flavor",
    "NCharged",
    "NNeutrals",
    "ChargedEnergyFraction",
    "NeutralEnergyFraction",
)
FAT_JET_EXTRA_FIELDS = (*(f"Tau{n}" for n in range(1, N_SUBJETTINESS + 1)), "SoftDroppedMass")


def _detector_jets(
    particle_jets: ak.Array,
    detector: DetectorParameters,
    pt_min_gev: float,
    abs_eta_max: float,
    rng: np.random.Generator,
) -> ak.Array:
    """Smeared jets in the acceptance, sorted by pT, with a ``response`` field (the applied factor)."""
    factors = jet_response_factors(particle_jets, detector.resolution, rng)
    smeared = ak.with_field(scale_jets(particle_jets, factors), factors, "response")
    return sort_by_pt(smeared[in_acceptance(smeared, pt_min_gev, abs_eta_max)])


def _float32(values: ak.Array) -> ak.Array:
    return ak.values_astype(values, np.float32)


def _delphes_record(jets: ak.Array, btag: ak.Array, extra: dict[str, ak.Array] | None = None) -> ak.Array:
    """Delphes-named record per jet: float32 kinematics and fractions, int32 counts and flags."""
    columns = {
        "PT": _float32(jets.pt),
        "Eta": _float32(jets.eta),
        "Phi": _float32(jets.phi),
        "Mass": _float32(np.maximum(jets.mass, 0.0)),  # m² < 0 only by rounding, for (near-)massless jets
        "BTag": ak.values_astype(btag, np.int32),
        "Flavor": ak.values_astype(jets.flavour, np.int32),
        "NCharged": ak.values_astype(jets.n_charged, np.int32),
        "NNeutrals": ak.values_astype(jets.n_neutral, np.int32),
        "ChargedEnergyFraction": _float32(jets.charged_energy_fraction),
        "NeutralEnergyFraction": _float32(jets.neutral_energy_fraction),
    }
    columns.update(extra or {})
    return ak.to_packed(ak.zip(columns))


def _btag_bitmask(jets: ak.Array, rng: np.random.Generator) -> ak.Array:
    flat = [ak.to_numpy(ak.flatten(values)) for values in (jets.flavour, jets.pt, jets.eta)]
    return ak.unflatten(draw_btag_bitmask(*flat, rng), ak.num(jets, axis=1))


def reconstruct_events(
    prt: ak.Array, charge_table: ChargeTable, detector: DetectorParameters, rng: np.random.Generator
) -> dict[str, ak.Array]:
    """Detector-level AK5 ``Jet`` and AK8 ``FatJet`` records, one list per event, from Pythia particles.

    Args:
        prt: Pythia particles per event (``Pythia.nextBatch(...).prt``).
        charge_table: PDG id → charge lookup (``charge.pid_charge_table``).
        detector: clustering, resolution, acceptance and substructure settings.
        rng: source of every random number (smearing, tagging).

    Returns:
        ``{"Jet": ..., "FatJet": ...}``: jagged records with Delphes field names (``JET_FIELDS``, plus
        ``FAT_JET_EXTRA_FIELDS`` for fat jets); PT, Mass, SoftDroppedMass in GeV, Phi in rad.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    particles = visible_final_state(prt, charge_table, detector.particle_abs_eta_max)
    ghosts = weakly_decaying_heavy_hadrons(prt)

    particle_jets = cluster_jets(particles, ghosts, detector.jet_radius, detector.jet_clustering_pt_min_gev)
    jets = _detector_jets(particle_jets, detector, detector.jet_pt_min_gev, detector.jet_abs_eta_max, rng)
    jet_btag = _btag_bitmask(jets, rng)

    particle_fat_jets = cluster_jets(particles, ghosts, detector.fat_jet_radius, detector.fat_jet_clustering_pt_min_gev)
    fat_jets = _detector_jets(
        particle_fat_jets, detector, detector.fat_jet_pt_min_gev, detector.fat_jet_abs_eta_max, rng
    )
    fat_jet_btag = _btag_bitmask(fat_jets, rng)
    substructure = fat_jet_substructure(take_per_jet(particles, fat_jets.constituent_index), detector.substructure)
    fat_jet_extra = {f"Tau{n + 1}": _float32(substructure.tau[:, :, n]) for n in range(N_SUBJETTINESS)}
    soft_drop_mass = np.maximum(substructure.soft_drop_mass, 0.0) * fat_jets.response
    fat_jet_extra["SoftDroppedMass"] = _float32(soft_drop_mass)
    return {
        "Jet": _delphes_record(jets, jet_btag),
        "FatJet": _delphes_record(fat_jets, fat_jet_btag, fat_jet_extra),
    }
