"""The statistics' κλ morphing closes on the generator itself: three generated basis samples, morphed, give
the m_HH template of a fourth, independently generated κλ sample within its statistical error."""

import numpy as np
from scipy.stats import chi2

from multihiggs.generate.parton import generate_hh_events
from multihiggs.stats.morphing import morph, morph_variance

BASIS = np.array([1.0, 2.45, 5.0])  # the default config's basis
EDGES_GEV = np.array([250, 300, 340, 380, 420, 460, 500, 560, 640, 760, 1000, 2000.0])
N_EVENTS = 15_000


def _weighted_histogram(table, pdf, kappa_lambda: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(Σw, Σw²) of m_HH per bin (GeV), each unweighted event weighing σ(κλ)/N (pb)."""
    events = generate_hh_events(table, kappa_lambda, 1.0, N_EVENTS, 13000.0, pdf, np.random.default_rng(seed))
    total = events.scalars.sum(axis=1)
    mass = np.sqrt(total[:, 3] ** 2 - np.sum(total[:, :3] ** 2, axis=1))
    counts = np.histogram(np.clip(mass, EDGES_GEV[0], EDGES_GEV[-1] - 1e-6), EDGES_GEV)[0]
    weight = events.cross_section_pb / N_EVENTS
    return counts * weight, counts * weight**2


def test_morphed_generated_basis_reproduces_an_independent_generated_sample(coarse_table, gluon_pdf):
    basis = [_weighted_histogram(coarse_table, gluon_pdf, kl, seed) for kl, seed in zip(BASIS, (1, 2, 3), strict=True)]
    values, variances = np.stack([b[0] for b in basis]), np.stack([b[1] for b in basis])
    target_kl = 0.0  # outside the basis: the hardest case, the morphing extrapolates
    direct, direct_variance = _weighted_histogram(coarse_table, gluon_pdf, target_kl, seed=4)

    def chi2_probability(kl: float) -> float:
        residual = morph(BASIS, values, kl) - direct
        variance = morph_variance(BASIS, variances, kl) + direct_variance
        return float(chi2.sf(np.sum(residual**2 / variance), len(direct)))

    assert chi2_probability(target_kl) > 1e-3
    assert chi2_probability(target_kl + 1.0) < 1e-6  # the comparison has power to tell κλ apart
