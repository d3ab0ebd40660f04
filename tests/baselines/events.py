"""Events built by hand for the baseline tests: jets from Higgs-like resonances with known pairings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import vector

from multihiggs.jets import Jets

N_SLOTS = 10


@dataclass(frozen=True)
class BuiltEvents:
    """Events with known resonance daughters: ``true_pairs`` (N, H, 2) index ``jets`` (pT-ordered slots)."""

    jets: Jets
    true_pairs: np.ndarray


def resonance_daughters(rng: np.random.Generator, pt: float, eta: float, phi: float, mass: float) -> list:
    """Two massless daughters of a resonance (GeV, rad), decayed isotropically in its rest frame."""
    parent = vector.obj(pt=pt, eta=eta, phi=phi, mass=mass)
    cos_theta, azimuth = rng.uniform(-1, 1), rng.uniform(-np.pi, np.pi)
    sin_theta = np.sqrt(1 - cos_theta**2)
    momentum = mass / 2
    direction = (sin_theta * np.cos(azimuth), sin_theta * np.sin(azimuth), cos_theta)
    return [
        vector.obj(
            px=s * momentum * direction[0], py=s * momentum * direction[1], pz=s * momentum * direction[2], E=momentum
        ).boost_p4(parent)
        for s in (1, -1)
    ]


def build_events(
    n_events: int,
    resonance_masses: tuple[float, ...],
    *,
    n_extra: int = 0,
    seed: int = 0,
    resonance_pt_range: tuple[float, float] = (60.0, 300.0),
    n_slots: int = N_SLOTS,
) -> BuiltEvents:
    """Events with one resonance per entry of ``resonance_masses`` (b-tagged massless daughters) and
    ``n_extra`` untagged light jets; jets sorted by decreasing pT like the layout, padded to ``n_slots``."""
    rng = np.random.default_rng(seed)
    columns = {name: np.zeros((n_events, n_slots)) for name in ("pt", "eta", "phi", "mass", "btag")}
    mask = np.zeros((n_events, n_slots), dtype=bool)
    true_pairs = np.empty((n_events, len(resonance_masses), 2), dtype=np.int64)
    for event in range(n_events):
        jets = []  # (pt, eta, phi, mass, btag, resonance or -1)
        for resonance, mass in enumerate(resonance_masses):
            pt = rng.uniform(*resonance_pt_range)
            for daughter in resonance_daughters(rng, pt, rng.uniform(-1, 1), rng.uniform(-np.pi, np.pi), mass):
                jets.append((daughter.pt, daughter.eta, daughter.phi, 0.0, 1.0, resonance))
        for _ in range(n_extra):
            jets.append((rng.uniform(20, 60), rng.uniform(-2.5, 2.5), rng.uniform(-np.pi, np.pi), 5.0, 0.0, -1))
        jets.sort(key=lambda jet: -jet[0])
        for slot, jet in enumerate(jets):
            for name, value in zip(("pt", "eta", "phi", "mass", "btag"), jet[:5], strict=True):
                columns[name][event, slot] = value
            mask[event, slot] = True
        for resonance in range(len(resonance_masses)):
            true_pairs[event, resonance] = [slot for slot, jet in enumerate(jets) if jet[5] == resonance]
    return BuiltEvents(jets=Jets(mask=mask, **columns), true_pairs=true_pairs)


def random_jets(rng: np.random.Generator, n_events: int, n_slots: int, n_real: int | None = None) -> Jets:
    """Jets with continuous random kinematics (GeV, rad) and random b-tags; the first ``n_real`` slots real."""
    n_real = n_slots if n_real is None else n_real
    mask = np.zeros((n_events, n_slots), dtype=bool)
    mask[:, :n_real] = True
    pt = np.sort(rng.exponential(60.0, (n_events, n_slots)) + 20.0, axis=1)[:, ::-1]
    return Jets(
        pt=pt,
        eta=rng.uniform(-2.5, 2.5, (n_events, n_slots)),
        phi=rng.uniform(-np.pi, np.pi, (n_events, n_slots)),
        mass=rng.uniform(2.0, 20.0, (n_events, n_slots)),
        btag=rng.integers(0, 2, (n_events, n_slots)).astype(float),
        mask=mask,
    )


def pairings_as_sets(jet_pairs: np.ndarray) -> list[set[frozenset[int]]]:
    """Each event's reconstructed pairs as a set of unordered jet pairs, ignoring empty slots."""
    return [{frozenset(int(j) for j in pair) for pair in event if pair[0] >= 0} for event in jet_pairs]
