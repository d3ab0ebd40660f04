"""The (pT, y, phi) phase-space sampler against flat RAMBO phase space with the same cuts."""

from math import factorial

import numpy as np
import pytest

from multihiggs.generate.parton.multijet_phase_space import (
    FlatChannel,
    PairChannel,
    PartonCuts,
    delta_r_min,
    rambo,
    sample_phase_space,
)

SQRT_S = 1000.0
CUTS = PartonCuts(pt_min_gev=30.0, abs_rapidity_max=2.0, delta_r_min=0.4)


def stand_in_density(x):
    """A smooth stand-in for a parton density, number density in x."""
    return x**-1.2 * (1 - x) ** 3


def stand_in_flux(x1, x2):
    """Densities x a dimensionless |M|^2 / s-hat^2 falling like QCD's, so the integral converges fast."""
    return stand_in_density(x1) * stand_in_density(x2) * (1e4 / (x1 * x2 * SQRT_S**2)) ** 2


def massless_phase_space_volume(n, s):
    """Phi_n = (2 pi)^(4 - 3n) (pi / 2)^(n - 1) s^(n - 2) / ((n - 1)! (n - 2)!) for massless particles."""
    return (2 * np.pi) ** (4 - 3 * n) * (np.pi / 2) ** (n - 1) * s ** (n - 2) / (factorial(n - 1) * factorial(n - 2))


def passes(final):
    pt = np.hypot(final[..., 1], final[..., 2])
    y = 0.5 * np.log((final[..., 0] + final[..., 3]) / (final[..., 0] - final[..., 3]))
    return (
        (pt.min(axis=1) >= CUTS.pt_min_gev)
        & (np.abs(y).max(axis=1) <= CUTS.abs_rapidity_max)
        & (delta_r_min(final) >= CUTS.delta_r_min)
    )


CHANNELS = {
    "flat": lambda n: ((FlatChannel(n, 3.0),), [1.0]),
    "flat+pairs": lambda n: (
        (FlatChannel(n, 3.0), PairChannel((0, 1), (2, 3)), PairChannel((0, 3), (2, 1))),
        [0.2, 0.4, 0.4],
    ),
}


@pytest.mark.parametrize(("n_final", "channels"), [(2, "flat"), (3, "flat"), (4, "flat"), (4, "flat+pairs")])
def test_sampler_matches_flat_phase_space(n_final, channels):
    """E[W F(x1, x2)] = int dx1 dx2 F Phi_n^cuts: against tau, y sampling x RAMBO with the same cuts."""
    rng = np.random.default_rng(11)
    m = 400_000
    points = sample_phase_space(rng, m, *CHANNELS[channels](n_final), CUTS, SQRT_S)
    ours = points.weight * np.where(points.weight > 0, stand_in_flux(points.x1, points.x2), 0.0)
    assert np.allclose(points.momenta[:, 0] + points.momenta[:, 1], points.momenta[:, 2:].sum(axis=1))
    assert np.all(passes(points.momenta[points.weight > 0, 2:]))
    # reference: x1 x2 = tau log-uniform above the threshold (n pT_min)^2, y uniform, flat phase space, boost
    tau_min = (n_final * CUTS.pt_min_gev / SQRT_S) ** 2
    log_tau = rng.uniform(np.log(tau_min), 0, m)
    tau = np.exp(log_tau)
    y_range = -0.5 * log_tau
    y = rng.uniform(-y_range, y_range)
    x1, x2 = np.sqrt(tau) * np.exp(y), np.sqrt(tau) * np.exp(-y)
    final = rambo(rng, m, n_final, SQRT_S * np.sqrt(tau))
    boosted = final.copy()
    boosted[..., 0] = np.cosh(y)[:, None] * final[..., 0] + np.sinh(y)[:, None] * final[..., 3]
    boosted[..., 3] = np.sinh(y)[:, None] * final[..., 0] + np.cosh(y)[:, None] * final[..., 3]
    jacobian = tau * (-np.log(tau_min)) * 2 * y_range  # d tau dy / (density of log tau and y)
    reference = jacobian * stand_in_flux(x1, x2) * massless_phase_space_volume(n_final, tau * SQRT_S**2)
    reference *= passes(boosted)
    mean, error = ours.mean(), ours.std() / np.sqrt(m)
    ref_mean, ref_error = reference.mean(), reference.std() / np.sqrt(m)
    assert abs(mean - ref_mean) < 4 * np.hypot(error, ref_error)
    assert np.hypot(error, ref_error) < 0.05 * ref_mean  # the comparison is meaningful


def test_bad_channels_are_rejected():
    with pytest.raises(ValueError, match="flat channel"):
        FlatChannel(4, pt_power=0.0)
    with pytest.raises(ValueError, match="alphas"):
        sample_phase_space(np.random.default_rng(1), 10, (FlatChannel(4),), np.array([0.5, 0.5]), CUTS, SQRT_S)
    with pytest.raises(ValueError, match="cuts"):
        PartonCuts(pt_min_gev=0.0, abs_rapidity_max=2.0, delta_r_min=0.4)
