"""CMS-like parameterised detector response for jets: energy resolution smearing and acceptance.

Resolution: σ(pT)/pT = sqrt(N²/pT² + S²/pT + C²) (pT in GeV, N in GeV, S in √GeV), with (N, S, C) per |η| bin.
The default values are our choice, set to reproduce the typical CMS particle-flow jet resolutions quoted in
CMS JME-13-004 (JINST 12 (2017) P02014): 15–20% at 30 GeV, ≈10% at 100 GeV and ≈5% at 1 TeV in the barrel,
degrading in the endcaps, beyond the tracker (|η| > 2.5) and in the forward calorimeter. They are not a fit.

|η| range    N (GeV)  S (√GeV)  C       σ/pT at 30 / 100 / 1000 GeV
0.0–1.3      3.0      0.90      0.040   20% / 10.3% / 4.9%
1.3–2.5      3.5      1.00      0.050   22% / 11.7% / 5.9%
2.5–3.0      4.5      1.20      0.060   27% / 14.0% / 7.1%
3.0–5.0      4.0      1.60      0.080   32% / 18.0% / 9.3%

The response factor r multiplies the whole jet four-momentum (pT, E and mass scale together; η, φ unchanged).
It is log-normal with mean 1 and standard deviation σ (as Delphes' ``MomentumSmearing``), so r > 0 always.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import awkward as ak
import numpy as np
import vector

from multihiggs.generate.reco.substructure import SubstructureParameters

vector.register_awkward()


@dataclass(frozen=True)
class JetEnergyResolution:
    """(N, S, C) of σ(pT)/pT per |η| bin; ``abs_eta_edges`` has one more entry than each parameter tuple.

    Jets beyond the last edge use the last bin.
    """

    abs_eta_edges: tuple[float, ...] = (0.0, 1.3, 2.5, 3.0, 5.0)
    noise_gev: tuple[float, ...] = (3.0, 3.5, 4.5, 4.0)
    stochastic_sqrt_gev: tuple[float, ...] = (0.90, 1.00, 1.20, 1.60)
    constant: tuple[float, ...] = (0.040, 0.050, 0.060, 0.080)

    def __post_init__(self) -> None:
        n_bins = len(self.abs_eta_edges) - 1
        if n_bins < 1 or any(b <= a for a, b in zip(self.abs_eta_edges, self.abs_eta_edges[1:], strict=False)):
            raise ValueError(f"abs_eta_edges must be increasing with at least 2 entries, got {self.abs_eta_edges}")
        for name in ("noise_gev", "stochastic_sqrt_gev", "constant"):
            values = getattr(self, name)
            if len(values) != n_bins or any(value < 0 for value in values):
                raise ValueError(f"{name} needs {n_bins} non-negative values (one per |η| bin), got {values}")


@dataclass(frozen=True)
class DetectorParameters:
    """Everything that turns particles into detector-level jets (GeV, |η|; radii in ΔR units).

    Jets are clustered above ``*_clustering_pt_min_gev`` (particle level), smeared, then kept if they pass the
    acceptance (``*_pt_min_gev``, ``*_abs_eta_max``); the lower clustering threshold lets jets migrate upwards
    across the acceptance cut. Fat jets are stored from 200 GeV (later stages cut at 250 GeV).
    """

    particle_abs_eta_max: float = 5.0
    jet_radius: float = 0.5
    jet_clustering_pt_min_gev: float = 10.0
    jet_pt_min_gev: float = 20.0
    jet_abs_eta_max: float = 2.5
    fat_jet_radius: float = 0.8
    fat_jet_clustering_pt_min_gev: float = 100.0
    fat_jet_pt_min_gev: float = 200.0
    fat_jet_abs_eta_max: float = 2.5
    resolution: JetEnergyResolution = field(default_factory=JetEnergyResolution)
    substructure: SubstructureParameters = field(default_factory=SubstructureParameters)

    def __post_init__(self) -> None:
        for prefix in ("jet", "fat_jet"):
            radius = getattr(self, f"{prefix}_radius")
            clustering_pt = getattr(self, f"{prefix}_clustering_pt_min_gev")
            acceptance_pt = getattr(self, f"{prefix}_pt_min_gev")
            abs_eta_max = getattr(self, f"{prefix}_abs_eta_max")
            if radius <= 0 or abs_eta_max <= 0:
                raise ValueError(f"{prefix}_radius and {prefix}_abs_eta_max must be positive")
            if not 0 < clustering_pt <= acceptance_pt:
                raise ValueError(
                    f"need 0 < {prefix}_clustering_pt_min_gev <= {prefix}_pt_min_gev, "
                    f"got {clustering_pt} and {acceptance_pt}"
                )
        if self.particle_abs_eta_max <= 0:
            raise ValueError(f"particle_abs_eta_max must be positive, got {self.particle_abs_eta_max}")


def relative_pt_resolution(pt_gev: np.ndarray, eta: np.ndarray, resolution: JetEnergyResolution) -> np.ndarray:
    """σ(pT)/pT for jets of transverse momentum ``pt_gev`` (GeV, > 0) at pseudorapidity ``eta`` (flat arrays)."""
    pt_gev = np.asarray(pt_gev, dtype=np.float64)
    if np.any(~(pt_gev > 0)):
        raise ValueError("jet resolution needs pt_gev > 0 for every jet")
    edges = np.asarray(resolution.abs_eta_edges)
    eta_bin = np.clip(np.searchsorted(edges, np.abs(eta), side="right") - 1, 0, len(edges) - 2)
    noise = np.asarray(resolution.noise_gev)[eta_bin]
    stochastic = np.asarray(resolution.stochastic_sqrt_gev)[eta_bin]
    constant = np.asarray(resolution.constant)[eta_bin]
    return np.sqrt((noise / pt_gev) ** 2 + stochastic**2 / pt_gev + constant**2)


def draw_response(relative_sigma: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Log-normal response factors with mean 1 and standard deviation ``relative_sigma`` (flat arrays)."""
    log_variance = np.log1p(np.square(relative_sigma))
    return np.exp(rng.standard_normal(np.shape(relative_sigma)) * np.sqrt(log_variance) - 0.5 * log_variance)


def jet_response_factors(jets: ak.Array, resolution: JetEnergyResolution, rng: np.random.Generator) -> ak.Array:
    """One response factor per jet (shape (events, var)), drawn at the jets' particle-level pT and η."""
    counts = ak.num(jets, axis=1)
    pt_gev = ak.to_numpy(ak.flatten(jets.pt))
    eta = ak.to_numpy(ak.flatten(jets.eta))
    return ak.unflatten(draw_response(relative_pt_resolution(pt_gev, eta, resolution), rng), counts)


def scale_jets(jets: ak.Array, factors: ak.Array) -> ak.Array:
    """Jets with their four-momentum (px, py, pz, E) multiplied by ``factors``; other fields unchanged."""
    missing = [name for name in ("px", "py", "pz", "E") if name not in ak.fields(jets)]
    if missing:
        raise ValueError(f"jets lack Cartesian four-momentum fields {missing} (found: {ak.fields(jets)})")
    scaled = jets
    for name in ("px", "py", "pz", "E"):
        scaled = ak.with_field(scaled, jets[name] * factors, name)
    return scaled


def in_acceptance(jets: ak.Array, pt_min_gev: float, abs_eta_max: float) -> ak.Array:
    """Boolean mask (events, var) of jets with pT > ``pt_min_gev`` and |η| < ``abs_eta_max``."""
    return (jets.pt > pt_min_gev) & (abs(jets.eta) < abs_eta_max)
