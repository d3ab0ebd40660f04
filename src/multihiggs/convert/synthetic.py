"""Synthetic Delphes-schema events for tests and benchmarks: realistic shapes and multiplicities, not physics.

HH/HHH events: Higgs bosons (pT ~ 20 + Exp(150) GeV) decaying isotropically to b b̄, a pruned generator record with
Higgs and b-quark copies linked like Pythia's (M1, M2, D1, D2 indices within the record, -1 for none), one smeared
AK5 jet per b quark (90 % efficient), Poisson extra jets, an AK8 jet for most Higgs bosons above 220 GeV, b-tag bits
from flavour-dependent efficiencies. QCD events: jets only. Everything vectorised and seeded.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import awkward as ak
import numpy as np
import vector

from multihiggs.constants import B_QUARK_PID, GLUON_PID, HIGGS_MASS_GEV, HIGGS_PID
from multihiggs.io.delphes import write_delphes

B_QUARK_MASS_GEV = 4.8
#: Tag probability per hadron flavour (0 light, 4 charm, 5 bottom) for the CSV-like and UParT-like bits.
_TAG_EFFICIENCY = {"CSV": {0: 0.01, 4: 0.1, 5: 0.7}, "UParT": {0: 0.03, 4: 0.2, 5: 0.85}}


def _jagged(columns: Mapping[str, np.ndarray], counts: np.ndarray) -> ak.Array:
    """Per-event lists of records from flat columns (events in order) and per-event counts."""
    return ak.unflatten(ak.zip(dict(columns)), counts)


def _tag_bits(flavour: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``Jet.BTag`` bitmask (bit 0 CSV-like, bit 1 UParT-like); the looser UParT tag contains the CSV tag."""
    uniform = rng.uniform(size=flavour.shape)
    bits = np.zeros(flavour.shape, dtype=np.uint32)
    for bit, working_point in enumerate(("CSV", "UParT")):
        efficiency = np.select([flavour == 5, flavour == 4], [_TAG_EFFICIENCY[working_point][f] for f in (5, 4)], 0.01)
        efficiency = np.where(flavour == 0, _TAG_EFFICIENCY[working_point][0], efficiency)
        bits |= (uniform < efficiency).astype(np.uint32) << bit
    return bits


def _jet_columns(
    pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, flavour: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    n_jets = len(pt)
    n_charged = rng.poisson(8 + pt / 10).astype(np.int32)
    charged_fraction = rng.uniform(0.3, 0.8, n_jets).astype(np.float32)
    return {
        "PT": pt.astype(np.float32),
        "Eta": eta.astype(np.float32),
        "Phi": phi.astype(np.float32),
        "Mass": (pt * rng.uniform(0.05, 0.2, n_jets)).astype(np.float32),
        "BTag": _tag_bits(flavour, rng),
        "Flavor": flavour.astype(np.int32),
        "NCharged": n_charged,
        "NNeutrals": rng.poisson(6 + pt / 15).astype(np.int32),
        "ChargedEnergyFraction": charged_fraction,
        "NeutralEnergyFraction": (1 - charged_fraction).astype(np.float32),
    }


def _wrap_phi(phi: np.ndarray) -> np.ndarray:
    return np.remainder(phi + np.pi, 2 * np.pi) - np.pi


def _decay_to_b_quarks(higgs: vector.VectorNumpy4D, rng: np.random.Generator) -> list[vector.VectorNumpy4D]:
    """The two b quarks of isotropic H -> b b̄ decays, in the lab frame (same shape as ``higgs``)."""
    cos_theta = rng.uniform(-1, 1, higgs.shape)
    azimuth = rng.uniform(-np.pi, np.pi, higgs.shape)
    momentum = np.sqrt(HIGGS_MASS_GEV**2 / 4 - B_QUARK_MASS_GEV**2)
    sin_theta = np.sqrt(1 - cos_theta**2)
    px, py, pz = momentum * sin_theta * np.cos(azimuth), momentum * sin_theta * np.sin(azimuth), momentum * cos_theta
    mass = np.full(higgs.shape, B_QUARK_MASS_GEV)
    return [
        vector.array({"px": sign * px, "py": sign * py, "pz": sign * pz, "mass": mass}).boost_p4(higgs)
        for sign in (1, -1)
    ]


def _pruned_record(higgs: vector.VectorNumpy4D, quarks: list[vector.VectorNumpy4D], rng: np.random.Generator):
    """Columns (N, P) of the pruned record: 2 gluons, H first copies, H last copies, b first copies, b last copies."""
    n_events, n_higgs = higgs.shape
    h = np.arange(n_higgs)
    first_higgs, last_higgs = 2 + h, 2 + n_higgs + h
    first_b = 2 + 2 * n_higgs + 2 * h[:, None] + np.arange(2)[None, :]  # (H, 2)
    last_b = first_b + 2 * n_higgs
    n_particles = 2 + 6 * n_higgs
    none = -1

    def per_event(values: list) -> np.ndarray:
        return np.broadcast_to(np.concatenate([np.ravel(v) for v in values]), (n_events, n_particles))

    links = {
        "PID": per_event(
            [[GLUON_PID] * 2, [HIGGS_PID] * n_higgs * 2, np.tile([B_QUARK_PID, -B_QUARK_PID], 2 * n_higgs)]
        ),
        "Status": per_event([[21, 21], [22] * n_higgs, [62] * n_higgs, [23] * 2 * n_higgs, [71] * 2 * n_higgs]),
        "M1": per_event([[none, none], [0] * n_higgs, first_higgs, np.repeat(last_higgs, 2), first_b]),
        "M2": per_event([[none, none], [1] * n_higgs, first_higgs, [none] * 2 * n_higgs, first_b]),
        "D1": per_event(
            [[first_higgs[0] if n_higgs else none] * 2, last_higgs, first_b[:, 0], last_b, [none] * 2 * n_higgs]
        ),
        "D2": per_event(
            [[first_higgs[-1] if n_higgs else none] * 2, last_higgs, first_b[:, 1], last_b, [none] * 2 * n_higgs]
        ),
    }
    quark_pt = np.stack([q.pt for q in quarks], axis=-1).reshape(n_events, -1)
    quark_eta = np.stack([q.eta for q in quarks], axis=-1).reshape(n_events, -1)
    quark_phi = np.stack([q.phi for q in quarks], axis=-1).reshape(n_events, -1)
    before_radiation = rng.uniform(1.0, 1.1, (n_events, n_higgs))  # first copies differ from last copies
    kinematics = {
        "PT": np.concatenate(
            [np.zeros((n_events, 2)), higgs.pt * before_radiation, higgs.pt, quark_pt * 1.03, quark_pt], axis=1
        ),
        "Eta": np.concatenate(
            [np.tile([999.9, -999.9], (n_events, 1)), higgs.eta, higgs.eta, quark_eta, quark_eta], axis=1
        ),
        "Phi": np.concatenate([np.zeros((n_events, 2)), higgs.phi, higgs.phi, quark_phi, quark_phi], axis=1),
        "Mass": np.concatenate(
            [np.zeros((n_events, 2)), higgs.mass, higgs.mass, np.full((n_events, 4 * n_higgs), B_QUARK_MASS_GEV)],
            axis=1,
        ),
    }
    columns = {name: np.ravel(values).astype(np.int32) for name, values in links.items()}
    columns.update({name: np.ravel(values).astype(np.float32) for name, values in kinematics.items()})
    return columns, np.full(n_events, n_particles)


def synthetic_collections(
    n_events: int, process: str, seed: int, cross_section_pb: float = 1.0, first_event_number: int = 0
) -> dict[str, ak.Array]:
    """Collections ``Event``, ``Jet``, ``FatJet``, ``Particle`` for :func:`multihiggs.io.delphes.write_delphes`.

    ``process``: 'hh' (2 Higgs), 'hhh' (3 Higgs) or 'qcd' (no Higgs, no generator particles but two gluons).
    ``Event.Weight`` is ``cross_section_pb / n_events`` for every event (Σ w = σ, our generator's convention).
    """
    n_higgs = {"hh": 2, "hhh": 3, "qcd": 0}[process]
    rng = np.random.default_rng(seed)
    n = n_events

    higgs = vector.array(
        {
            "pt": 20 + rng.exponential(150, (n, n_higgs)),
            "eta": rng.normal(0, 1.3, (n, n_higgs)),
            "phi": rng.uniform(-np.pi, np.pi, (n, n_higgs)),
            "mass": np.full((n, n_higgs), HIGGS_MASS_GEV),
        }
    )
    quarks = _decay_to_b_quarks(higgs, rng)

    # AK5 jets: one per reconstructed b quark, plus extra (light-dominated) jets; pT-ordered like Delphes.
    quark_pt = np.stack([q.pt for q in quarks], axis=-1).reshape(n, -1)
    quark_eta = np.stack([q.eta for q in quarks], axis=-1).reshape(n, -1)
    quark_phi = np.stack([q.phi for q in quarks], axis=-1).reshape(n, -1)
    b_jet = (rng.uniform(size=quark_pt.shape) < 0.9) & (quark_pt > 10)
    n_extra = rng.poisson(2.5 if n_higgs else 6.0, n)
    extra_pt = 15 + rng.exponential(35, n_extra.sum())
    extra_flavour = rng.choice([0, 4, 5], size=n_extra.sum(), p=[0.8, 0.12, 0.08])
    jet_counts = b_jet.sum(axis=1) + n_extra
    jet_pt = ak.concatenate(
        [
            ak.unflatten((quark_pt * np.abs(rng.normal(0.93, 0.12, quark_pt.shape)))[b_jet], b_jet.sum(axis=1)),
            ak.unflatten(extra_pt, n_extra),
        ],
        axis=1,
    )
    jet_eta = ak.concatenate(
        [
            ak.unflatten((quark_eta + rng.normal(0, 0.04, quark_eta.shape))[b_jet], b_jet.sum(axis=1)),
            ak.unflatten(rng.uniform(-3, 3, n_extra.sum()), n_extra),
        ],
        axis=1,
    )
    jet_phi = ak.concatenate(
        [
            ak.unflatten(_wrap_phi(quark_phi + rng.normal(0, 0.04, quark_phi.shape))[b_jet], b_jet.sum(axis=1)),
            ak.unflatten(rng.uniform(-np.pi, np.pi, n_extra.sum()), n_extra),
        ],
        axis=1,
    )
    b_flavour = np.where(rng.uniform(size=quark_pt.shape) < 0.97, 5, 0)
    jet_flavour = ak.concatenate(
        [ak.unflatten(b_flavour[b_jet], b_jet.sum(axis=1)), ak.unflatten(extra_flavour, n_extra)], axis=1
    )
    order = ak.argsort(jet_pt, axis=1, ascending=False)
    flat = {
        name: ak.to_numpy(ak.flatten(values[order]))
        for name, values in (("pt", jet_pt), ("eta", jet_eta), ("phi", jet_phi), ("flavour", jet_flavour))
    }
    jets = _jagged(_jet_columns(flat["pt"], flat["eta"], flat["phi"], flat["flavour"], rng), jet_counts)

    # AK8 jets: most Higgs bosons above 220 GeV, plus occasional QCD fat jets.
    boosted = (higgs.pt > 220) & (rng.uniform(size=(n, n_higgs)) < 0.95)
    n_qcd_fat = rng.poisson(0.3 if n_higgs else 0.5, n)
    fat_counts = boosted.sum(axis=1) + n_qcd_fat
    fat_pt = np.concatenate(
        [(higgs.pt * np.abs(rng.normal(0.97, 0.08, (n, n_higgs))))[boosted], 250 + rng.exponential(80, n_qcd_fat.sum())]
    )
    fat_eta = np.concatenate(
        [(higgs.eta + rng.normal(0, 0.03, (n, n_higgs)))[boosted], rng.uniform(-2.5, 2.5, n_qcd_fat.sum())]
    )
    fat_phi = np.concatenate(
        [_wrap_phi(higgs.phi + rng.normal(0, 0.03, (n, n_higgs)))[boosted], rng.uniform(-np.pi, np.pi, n_qcd_fat.sum())]
    )
    fat_flavour = np.concatenate([np.full(boosted.sum(), 5), np.zeros(n_qcd_fat.sum(), dtype=int)])
    # Group by event: Higgs fat jets are listed event by event, then QCD ones; a stable sort on the event index.
    fat_event = np.concatenate([np.nonzero(boosted)[0], np.repeat(np.arange(n), n_qcd_fat)])
    grouping = np.argsort(fat_event, kind="stable")
    fat_columns = _jet_columns(fat_pt[grouping], fat_eta[grouping], fat_phi[grouping], fat_flavour[grouping], rng)
    n_fat = len(fat_pt)
    fat_columns["Mass"] = rng.normal(np.where(fat_flavour[grouping] == 5, 125, 60), 12, n_fat).astype(np.float32)
    fat_columns["SoftDroppedMass"] = (fat_columns["Mass"] * rng.uniform(0.85, 1.0, n_fat)).astype(np.float32)
    tau = rng.uniform(0.1, 0.4, n_fat)
    for index in range(1, 6):
        fat_columns[f"Tau{index}"] = tau.astype(np.float32)
        tau = tau * rng.uniform(0.3, 0.9, n_fat)
    fatjets = _jagged(fat_columns, fat_counts)

    particle_columns, particle_counts = _pruned_record(higgs, quarks, rng)
    particles = _jagged(particle_columns, particle_counts)

    event = ak.unflatten(
        ak.zip(
            {
                "Number": np.arange(first_event_number, first_event_number + n, dtype=np.int64),
                "Weight": np.full(n, cross_section_pb / n, dtype=np.float32),
            }
        ),
        np.ones(n, dtype=np.int64),  # one record per event, as a variable-length list like Delphes
    )
    return {"Event": event, "Jet": jets, "FatJet": fatjets, "Particle": particles}


def write_synthetic_sample(
    path: str | Path, n_events: int, process: str, seed: int, kl: float = 1.0, cross_section_pb: float = 1.0
) -> None:
    """Write a synthetic Delphes-schema ROOT file with generator-style metadata."""
    metadata = {
        "sample": Path(path).stem,
        "process": process,
        "kappa_lambda": kl,
        "higgs_mass_gev": HIGGS_MASS_GEV,
        "cross_section_pb": cross_section_pb,
        "n_events": n_events,
        "seed": seed,
        "synthetic": True,
    }
    write_delphes(path, synthetic_collections(n_events, process, seed, cross_section_pb), metadata)
