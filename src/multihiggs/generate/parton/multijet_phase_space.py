"""Hadron-collider phase space of n massless partons above cuts: multichannel importance sampling.

All channels share one measure, d mu = dx1 dx2 prod_i d^3p_i / (2 E_i) delta^4(p1 + p2 - sum p_i), and the
weight returned makes the hadronic cross section an average over the sampled points:

    sigma = E[ W x f_a(x1) f_b(x2) |M|^2 / (2 s-hat) ],   W = (2 pi)^(4 - 3n) / sum_c alpha_c g_c(point)

with f the number densities and g_c the density of channel c with respect to d mu (0 where c cannot reach).

* **flat**: partons 1..n-1 get pT from a Pareto density (pT_min / pT)^a, y uniform in |y| < y_max, phi uniform;
  the last balances their pT and gets its own uniform y. d mu = (2 / s) 2^-n prod_{i<n} pT_i
  prod_{i<n} (dpT_i dy_i dphi_i) dy_n.
* **pairs** (n = 4; two index pairs, e.g. the b and b-bar of each g -> b b-bar): each pair's mass^2 is log-uniform
  (the 1/m^2 of a gluon propagator), its decay isotropic in its rest frame; pair A gets a Pareto pT, a uniform y
  and phi, pair B balances pT and gets a uniform y. d mu = (2 / s) (1 / 64) (pT_A / 4) dm_A^2 dm_B^2 dOmega_A
  dOmega_B dpT_A dy_A dphi_A dy_B, from d^3p_1 / 2E_1 d^3p_2 / 2E_2 = d^4P dOmega* / 8 for massless daughters.

Points outside the cuts (any parton's pT or y, any pair's Delta R, x > 1) get W = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_PAIR_UNIFORM = 10  # m_A^2, m_B^2, pT_A, y_A, phi_A, y_B, cos and phi of each decay


@dataclass(frozen=True)
class PartonCuts:
    """Generation cuts on every final-state parton: pT (GeV), |rapidity|, and pairwise Delta R (rad, in y-phi)."""

    pt_min_gev: float
    abs_rapidity_max: float
    delta_r_min: float

    def __post_init__(self) -> None:
        if not (self.pt_min_gev > 0 and self.abs_rapidity_max > 0 and self.delta_r_min >= 0):
            raise ValueError(f"parton cuts need pt_min > 0, |y|max > 0 and Delta R min >= 0, got {self}")


@dataclass(frozen=True)
class PhaseSpacePoints:
    """Momenta (m, 2 + n, 4) as (E, px, py, pz) GeV: two beams (+z, -z), then the n final partons; momentum
    fractions x1, x2 (m,); weight W (m,) in GeV^(2n - 4), 0 outside the cuts."""

    momenta: np.ndarray
    x1: np.ndarray
    x2: np.ndarray
    weight: np.ndarray


@dataclass(frozen=True)
class FlatChannel:
    """Independent (pT, y, phi) of all partons but ``balancing`` (Pareto pT of power ``pt_power`` above the cut);
    the parton ``balancing`` (default: the last) takes the recoil."""

    n_final: int
    pt_power: float = 2.0
    balancing: int = -1

    def __post_init__(self) -> None:
        if self.n_final < 2 or not self.pt_power > 0:
            raise ValueError(f"a flat channel needs n_final >= 2 and pt_power > 0, got {self}")

    @property
    def order(self) -> np.ndarray:
        """Final-state indices with the balancing parton last."""
        last = self.balancing % self.n_final
        return np.array([i for i in range(self.n_final) if i != last] + [last])

    @property
    def n_uniform(self) -> int:
        return 3 * (self.n_final - 1) + 1


@dataclass(frozen=True)
class PairChannel:
    """Two pairs of partons (indices into the final state), each from a log-uniform mass^2 in [m_min, m_max]
    (GeV) decaying isotropically; pair A's pT is Pareto of power ``pt_power`` above ``pair_pt_min_gev``."""

    pair_a: tuple[int, int]
    pair_b: tuple[int, int]
    mass_min_gev: float = 5.0
    mass_max_gev: float = 3000.0
    pair_pt_min_gev: float = 10.0
    pt_power: float = 2.0
    n_final: int = 4

    @property
    def n_uniform(self) -> int:
        return N_PAIR_UNIFORM


Channel = FlatChannel | PairChannel


def rapidity(momenta: np.ndarray) -> np.ndarray:
    """Rapidity 1/2 ln((E + pz) / (E - pz)) of four-vectors (..., 4)."""
    return 0.5 * np.log((momenta[..., 0] + momenta[..., 3]) / (momenta[..., 0] - momenta[..., 3]))


def transverse_momentum(momenta: np.ndarray) -> np.ndarray:
    """pT (GeV) of four-vectors (..., 4)."""
    return np.hypot(momenta[..., 1], momenta[..., 2])


def delta_r_min(momenta: np.ndarray) -> np.ndarray:
    """Smallest pairwise Delta R = sqrt(Delta y^2 + Delta phi^2) (m,) among massless momenta (m, n, 4)."""
    y = rapidity(momenta)
    phi = np.arctan2(momenta[..., 2], momenta[..., 1])
    i, j = np.triu_indices(momenta.shape[1], k=1)
    dphi = np.abs(phi[:, i] - phi[:, j])
    dphi = np.minimum(dphi, 2 * np.pi - dphi)
    return np.sqrt((y[:, i] - y[:, j]) ** 2 + dphi**2).min(axis=1)


def rambo(rng: np.random.Generator, n_points: int, n_final: int, sqrt_shat_gev: np.ndarray | float) -> np.ndarray:
    """Massless n-body momenta (m, n, 4) uniform in phase space (RAMBO, Kleiss-Stirling-Ellis), in the rest frame of
    total mass sqrt_shat_gev (scalar or (m,)); every point has the same weight, the volume Phi_n. The reference the
    importance samplers are tested against."""
    cos = rng.uniform(-1, 1, (n_points, n_final))
    phi = rng.uniform(0, 2 * np.pi, (n_points, n_final))
    energy = -np.log(rng.random((n_points, n_final)) * rng.random((n_points, n_final)))
    sin = np.sqrt(1 - cos**2)
    q = np.stack([energy, energy * sin * np.cos(phi), energy * sin * np.sin(phi), energy * cos], axis=-1)
    total = q.sum(axis=1)
    mass = np.sqrt(total[:, 0] ** 2 - np.sum(total[:, 1:] ** 2, axis=1))
    boost = -total[:, 1:] / mass[:, None]
    scale = np.asarray(sqrt_shat_gev) / mass
    gamma = total[:, 0] / mass
    projection = np.einsum("ni,nki->nk", boost, q[..., 1:])
    momenta = np.empty_like(q)
    momenta[..., 0] = scale[:, None] * (gamma[:, None] * q[..., 0] + projection)
    momenta[..., 1:] = scale[:, None, None] * (
        q[..., 1:]
        + boost[:, None, :] * q[..., :1]
        + (1 / (1 + gamma))[:, None, None] * projection[..., None] * boost[:, None, :]
    )
    return momenta


def _pareto(u: np.ndarray, minimum: float, power: float) -> np.ndarray:
    return minimum * (1.0 - u) ** (-1.0 / power)


def _pareto_density(x: np.ndarray, minimum: float, power: float) -> np.ndarray:
    return np.where(x >= minimum, power * minimum**power * np.maximum(x, minimum) ** (-power - 1.0), 0.0)


def _transverse_vector(pt: np.ndarray, y: np.ndarray, phi: np.ndarray, mass: np.ndarray | float = 0.0) -> np.ndarray:
    """Four-vectors (..., 4) from pT, rapidity, azimuth and mass (GeV)."""
    transverse_mass = np.sqrt(pt**2 + mass**2)
    return np.stack(
        [transverse_mass * np.cosh(y), pt * np.cos(phi), pt * np.sin(phi), transverse_mass * np.sinh(y)], axis=-1
    )


def _flat_map(channel: FlatChannel, uniform: np.ndarray, cuts: PartonCuts) -> np.ndarray:
    n, y_max = channel.n_final, cuts.abs_rapidity_max
    sampled = uniform[:, : 3 * (n - 1)].reshape(len(uniform), n - 1, 3)
    pt = _pareto(sampled[..., 0], cuts.pt_min_gev, channel.pt_power)
    phi = 2 * np.pi * sampled[..., 2]
    first = _transverse_vector(pt, y_max * (2 * sampled[..., 1] - 1), phi)
    balance = -first[..., 1:3].sum(axis=1)
    last = _transverse_vector(
        np.hypot(*balance.T), y_max * (2 * uniform[:, -1] - 1), np.arctan2(balance[:, 1], balance[:, 0])
    )
    final = np.empty((len(uniform), n, 4))
    final[:, channel.order] = np.concatenate([first, last[:, None]], axis=1)
    return final


def _flat_density(channel: FlatChannel, final: np.ndarray, cuts: PartonCuts, s: float) -> np.ndarray:
    """Density of the flat channel with respect to d mu at final momenta (m, n, 4)."""
    y_max = cuts.abs_rapidity_max
    pt = transverse_momentum(final[:, channel.order[:-1]])
    density = np.prod(_pareto_density(pt, cuts.pt_min_gev, channel.pt_power) / (2 * y_max * 2 * np.pi), axis=1)
    density = density / (2 * y_max) * (np.abs(rapidity(final)) <= y_max).all(axis=1)
    measure = 2.0 / s * 2.0**-channel.n_final * np.prod(pt, axis=1)
    return density / measure


def _boost_from_rest(rest: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Boost four-vectors (m, 4) from the rest frame of ``parent`` (m, 4) to the frame where it has that momentum."""
    mass = np.sqrt(np.maximum(parent[:, 0] ** 2 - np.sum(parent[:, 1:] ** 2, axis=1), 0.0))
    beta_gamma = parent[:, 1:] / mass[:, None]
    gamma = parent[:, 0] / mass
    projection = np.sum(beta_gamma * rest[:, 1:], axis=1)
    energy = gamma * rest[:, 0] + projection
    space = rest[:, 1:] + beta_gamma * (rest[:, :1] + (projection / (gamma + 1.0))[:, None])
    return np.concatenate([energy[:, None], space], axis=1)


def _isotropic_decay(parent: np.ndarray, cos_u: np.ndarray, phi_u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Massless daughters of ``parent`` (m, 4) with rest-frame direction (cos theta, phi) from uniform numbers."""
    mass = np.sqrt(np.maximum(parent[:, 0] ** 2 - np.sum(parent[:, 1:] ** 2, axis=1), 0.0))
    cos = 2 * cos_u - 1
    sin = np.sqrt(1 - cos**2)
    phi = 2 * np.pi * phi_u
    half = 0.5 * mass
    rest = np.stack([half, half * sin * np.cos(phi), half * sin * np.sin(phi), half * cos], axis=1)
    mirrored = rest * np.array([1.0, -1.0, -1.0, -1.0])
    return _boost_from_rest(rest, parent), _boost_from_rest(mirrored, parent)


def _pair_map(channel: PairChannel, uniform: np.ndarray, cuts: PartonCuts) -> np.ndarray:
    y_max = cuts.abs_rapidity_max
    log_range = 2 * np.log(channel.mass_max_gev / channel.mass_min_gev)
    mass_a = channel.mass_min_gev * np.exp(0.5 * log_range * uniform[:, 0])
    mass_b = channel.mass_min_gev * np.exp(0.5 * log_range * uniform[:, 1])
    pt_a = _pareto(uniform[:, 2], channel.pair_pt_min_gev, channel.pt_power)
    phi_a = 2 * np.pi * uniform[:, 4]
    parent_a = _transverse_vector(pt_a, y_max * (2 * uniform[:, 3] - 1), phi_a, mass_a)
    parent_b = _transverse_vector(pt_a, y_max * (2 * uniform[:, 5] - 1), phi_a + np.pi, mass_b)
    final = np.empty((len(uniform), channel.n_final, 4))
    final[:, channel.pair_a[0]], final[:, channel.pair_a[1]] = _isotropic_decay(parent_a, uniform[:, 6], uniform[:, 7])
    final[:, channel.pair_b[0]], final[:, channel.pair_b[1]] = _isotropic_decay(parent_b, uniform[:, 8], uniform[:, 9])
    return final


def _pair_density(channel: PairChannel, final: np.ndarray, cuts: PartonCuts, s: float) -> np.ndarray:
    """Density of a pair channel with respect to d mu at final momenta (m, n, 4)."""
    y_max = cuts.abs_rapidity_max
    parent_a = final[:, channel.pair_a[0]] + final[:, channel.pair_a[1]]
    parent_b = final[:, channel.pair_b[0]] + final[:, channel.pair_b[1]]
    log_range = 2 * np.log(channel.mass_max_gev / channel.mass_min_gev)
    density = np.ones(len(final))
    for parent in (parent_a, parent_b):
        mass_sq = parent[:, 0] ** 2 - np.sum(parent[:, 1:] ** 2, axis=1)
        in_range = (mass_sq >= channel.mass_min_gev**2) & (mass_sq <= channel.mass_max_gev**2)
        density *= np.where(in_range, 1.0 / (np.maximum(mass_sq, 1e-300) * log_range), 0.0)
        density *= (np.abs(rapidity(parent)) <= y_max) / (2 * y_max) / (4 * np.pi)
    pt_a = transverse_momentum(parent_a)
    density *= _pareto_density(pt_a, channel.pair_pt_min_gev, channel.pt_power) / (2 * np.pi)
    measure = 2.0 / s / 64.0 * pt_a / 4.0
    return density / np.maximum(measure, 1e-300)


def _map(channel: Channel, uniform: np.ndarray, cuts: PartonCuts) -> np.ndarray:
    return _flat_map(channel, uniform, cuts) if isinstance(channel, FlatChannel) else _pair_map(channel, uniform, cuts)


def channel_density(channel: Channel, final: np.ndarray, cuts: PartonCuts, sqrt_s_gev: float) -> np.ndarray:
    """g_c (m,) of a channel with respect to d mu (GeV^(4 - 2n)) at final momenta (m, n, 4)."""
    s = sqrt_s_gev**2
    if isinstance(channel, FlatChannel):
        return _flat_density(channel, final, cuts, s)
    return _pair_density(channel, final, cuts, s)


def sample_phase_space(
    rng: np.random.Generator,
    n_points: int,
    channels: tuple[Channel, ...],
    alphas: np.ndarray,
    cuts: PartonCuts,
    sqrt_s_gev: float,
) -> PhaseSpacePoints:
    """n_points points, each from channel c with probability alphas[c], weighted by the multichannel W."""
    alphas = np.asarray(alphas, dtype=float)
    n_final = {channel.n_final for channel in channels}
    if len(n_final) != 1 or alphas.shape != (len(channels),) or np.any(alphas < 0) or alphas.sum() <= 0:
        raise ValueError("channels must share n_final and alphas be non-negative, one per channel")
    (n,) = n_final
    alphas = alphas / alphas.sum()
    chosen = rng.choice(len(channels), size=n_points, p=alphas)
    final = np.empty((n_points, n, 4))
    for index, channel in enumerate(channels):
        selected = chosen == index
        final[selected] = _map(channel, rng.random((int(selected.sum()), channel.n_uniform)), cuts)
    return _weighted_points(final, channels, alphas, cuts, sqrt_s_gev)


def _weighted_points(
    final: np.ndarray, channels: tuple[Channel, ...], alphas: np.ndarray, cuts: PartonCuts, sqrt_s_gev: float
) -> PhaseSpacePoints:
    n_final = final.shape[1]
    total = final.sum(axis=1)
    x1 = (total[:, 0] + total[:, 3]) / sqrt_s_gev
    x2 = (total[:, 0] - total[:, 3]) / sqrt_s_gev
    beams = np.zeros((len(final), 2, 4))
    beams[:, 0, 0] = beams[:, 0, 3] = 0.5 * sqrt_s_gev * x1
    beams[:, 1, 0] = 0.5 * sqrt_s_gev * x2
    beams[:, 1, 3] = -beams[:, 1, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        pt = transverse_momentum(final)
        inside = (
            (pt.min(axis=1) >= cuts.pt_min_gev)
            & (np.abs(rapidity(final)).max(axis=1) <= cuts.abs_rapidity_max)
            & (delta_r_min(final) >= cuts.delta_r_min)
            & (x1 <= 1.0)
            & (x2 <= 1.0)
        )
        density = sum(
            alpha * channel_density(c, final, cuts, sqrt_s_gev) for alpha, c in zip(alphas, channels, strict=True)
        )
        weight = np.where(inside & (density > 0), (2 * np.pi) ** (4 - 3 * n_final) / density, 0.0)
    return PhaseSpacePoints(momenta=np.concatenate([beams, final], axis=1), x1=x1, x2=x2, weight=weight)
