"""Particle-level inputs of the jet clustering: visible final-state particles and heavy-flavour hadrons.

Heavy-flavour hadrons are identified from their PDG code (PDG "Monte Carlo particle numbering scheme"): a hadron
code is ``±n nr nL nq1 nq2 nq3 nJ`` with quark digits nq1 (0 for mesons) ≥ nq2 ≥ nq3 > 0. Rules used here:

- hadron: 100 ≤ |id| < 1 000 000 and nq2, nq3 > 0 (excludes quarks, leptons, bosons, diquarks ``nq1 nq2 0 nJ``,
  nuclei and Pythia's special codes such as colour-octet onia 99xxxxx);
- B hadron: a b quark among nq1, nq2, nq3; C hadron: a c quark and no b quark (B_c counts as a B hadron);
- quarkonia (mesons with nq2 = nq3: J/ψ, Υ, …) carry no open flavour and are neither.

The hadrons kept for ghost association are the last of their flavour in their decay chain (the weakly decaying
ones): no daughter is a hadron of the same heavy flavour (B* → B γ keeps the B; B⁰ → B̄⁰ mixing keeps the B̄⁰;
B → D X keeps the B as a B hadron and the D as a C hadron).
"""

from __future__ import annotations

import awkward as ak
import numpy as np
import vector

from multihiggs.generate.reco.charge import ChargeTable, particle_charge

vector.register_awkward()

#: |PDG id| of neutrinos: invisible, never clustered.
NEUTRINO_PIDS = (12, 14, 16)
BOTTOM_FLAVOUR = 5
CHARM_FLAVOUR = 4
_REQUIRED_FIELDS = ("id", "status", "daughter1", "daughter2", "p")


def _check_particles(prt: ak.Array) -> None:
    missing = [name for name in _REQUIRED_FIELDS if name not in ak.fields(prt)]
    if missing:
        raise ValueError(f"Pythia particles lack fields {missing} (found: {ak.fields(prt)})")


def _momentum(prt: ak.Array) -> ak.Array:
    """Four-momenta (GeV) of ``prt`` as Momentum4D records with fields px, py, pz, E."""
    return ak.zip({"px": prt.p.px, "py": prt.p.py, "pz": prt.p.pz, "E": prt.p.E}, with_name="Momentum4D")


def visible_final_state(prt: ak.Array, charge_table: ChargeTable, abs_eta_max: float = 5.0) -> ak.Array:
    """Visible final-state particles per event: status > 0, no neutrinos, |η| < ``abs_eta_max``.

    Args:
        prt: Pythia particles per event (``nextBatch(...).prt``).
        charge_table: PDG id → charge lookup (see ``charge.pid_charge_table``).
        abs_eta_max: calorimeter coverage in |η|.

    Returns:
        Jagged Momentum4D records (px, py, pz, E in GeV; ``charge`` in e), one list per event.
    """
    _check_particles(prt)
    if abs_eta_max <= 0:
        raise ValueError(f"abs_eta_max must be positive, got {abs_eta_max}")
    momentum = _momentum(prt)
    abs_pid = abs(prt.id)
    visible = prt.status > 0
    for neutrino in NEUTRINO_PIDS:
        visible = visible & (abs_pid != neutrino)
    visible = visible & (abs(momentum.eta) < abs_eta_max)  # η = ±inf or nan along the beam fails the cut
    return ak.with_field(momentum[visible], particle_charge(prt.id[visible], charge_table), "charge")


def heavy_hadron_flavour(pid: ak.Array | np.ndarray) -> ak.Array | np.ndarray:
    """Open heavy flavour of each PDG id: 5 for B hadrons, 4 for C hadrons, 0 otherwise (same shape)."""
    abs_pid = abs(pid)
    quark3 = (abs_pid // 10) % 10
    quark2 = (abs_pid // 100) % 10
    quark1 = (abs_pid // 1000) % 10
    is_hadron = (abs_pid >= 100) & (abs_pid < 1_000_000) & (quark2 > 0) & (quark3 > 0)
    is_open = is_hadron & ~((quark1 == 0) & (quark2 == quark3))
    has_bottom = (quark1 == BOTTOM_FLAVOUR) | (quark2 == BOTTOM_FLAVOUR) | (quark3 == BOTTOM_FLAVOUR)
    has_charm = (quark1 == CHARM_FLAVOUR) | (quark2 == CHARM_FLAVOUR) | (quark3 == CHARM_FLAVOUR)
    return (is_open & has_bottom) * BOTTOM_FLAVOUR + (is_open & ~has_bottom & has_charm) * CHARM_FLAVOUR


def _same_flavour_daughter_count(flavour: np.ndarray, daughter1: np.ndarray, daughter2: np.ndarray) -> np.ndarray:
    """Number of daughters sharing each particle's heavy flavour (flat arrays, global record indices).

    Pythia's daughter convention: d1 = d2 = 0 none; 0 < d1 ≤ d2 the range d1..d2; d1 > 0, d2 = 0 one daughter
    d1; 0 < d2 < d1 the two daughters d1 and d2. A prefix sum per flavour counts a range in O(1).
    """
    count = np.zeros(flavour.shape, dtype=np.int64)
    has_daughter = daughter1 > 0
    last = np.where(daughter2 >= daughter1, daughter2, daughter1)
    second_apart = (daughter2 > 0) & (daughter2 < daughter1)
    for heavy in (BOTTOM_FLAVOUR, CHARM_FLAVOUR):
        is_heavy = flavour == heavy
        prefix = np.concatenate([[0], np.cumsum(is_heavy)])
        first_index = np.where(has_daughter, daughter1, 0)
        last_index = np.where(has_daughter, last, -1)
        in_range = prefix[last_index + 1] - prefix[first_index]
        apart = np.where(second_apart, is_heavy[np.where(second_apart, daughter2, 0)], False)
        count += np.where(is_heavy, in_range + apart, 0)
    return count


def weakly_decaying_heavy_hadrons(prt: ak.Array) -> ak.Array:
    """B and C hadrons that are the last of their flavour in their decay chain, per event.

    Returns:
        Jagged Momentum4D records (px, py, pz, E in GeV) with an int ``flavour`` field (5 for B, 4 for C).
    """
    _check_particles(prt)
    counts = ak.to_numpy(ak.num(prt))
    event_start = np.repeat(np.cumsum(counts) - counts, counts)
    flat_pid = ak.to_numpy(ak.flatten(prt.id)).astype(np.int64)
    local_d1 = ak.to_numpy(ak.flatten(prt.daughter1)).astype(np.int64)
    local_d2 = ak.to_numpy(ak.flatten(prt.daughter2)).astype(np.int64)
    event_size = np.repeat(counts, counts)
    if np.any((local_d1 < 0) | (local_d2 < 0) | (local_d1 >= event_size) | (local_d2 >= event_size)):
        raise ValueError("daughter index outside its event record: corrupt Pythia record?")
    flavour = heavy_hadron_flavour(flat_pid)
    daughter1 = np.where(local_d1 > 0, local_d1 + event_start, 0)
    daughter2 = np.where(local_d2 > 0, local_d2 + event_start, 0)
    is_last = (flavour > 0) & (_same_flavour_daughter_count(flavour, daughter1, daughter2) == 0)
    keep = ak.unflatten(is_last, counts)
    hadrons = _momentum(prt[keep])
    return ak.with_field(hadrons, ak.unflatten(flavour[is_last], ak.sum(keep, axis=1)), "flavour")
