"""gg -> HHH at LO in the heavy-top EFT, times a kinematic damping factor: an EFT-based MODEL, not a calculation.

Amplitude: the effective Lagrangian (alpha_s / 12 pi) G G log(1 + h / v) gives ggh^n contact vertices with
one common tensor structure and couplings n! c_n / v^n (c_1 = 1, c_2 = -1/2, c_3 = 1/3); the potential
gives the trilinear lambda_3 = kappa_3 3 m_H^2 / v and quartic lambda_4 = kappa_4 3 m_H^2 / v^2 couplings.
All diagrams (gghhh contact; gghh* contact with h* -> hh; gg -> h* -> hhh via the quartic; gg -> h* ->
h h*, h* -> hh via two trilinears) add to one scalar function of the invariants,

    A = 2 / v^3 - (lambda_3 / v^2) sum_i 1 / (s_jk - m^2)
        + lambda_4 / (v (s - m^2)) + lambda_3^2 / (v (s - m^2)) sum_i 1 / (s_jk - m^2),

with |M|^2 (averaged over gluon spins and colours) = (alpha_s / 12 pi)^2 (s^2 / 4) |A|^2 |d(s)|^2.
The same conventions reproduce the gg -> HH heavy-top amplitude (C_tri - 1) of hh_process. Propagators
carry no width: s > 9 m^2 and s_jk > 4 m^2 keep them far from the pole.
Pure HEFT is far too hard in m_HHH (the contact terms grow with s: ~90% of sigma above 1 TeV at 14 TeV),
so the amplitude is multiplied by the damping d(s) = [F_tri(s; m_t) / (2/3)]^p, a power of the ratio of
the exact top-loop triangle form factor to its heavy-top limit. p = 1 already has the large-s fall-off of
a top loop but leaves ~57% of sigma above 1 TeV; the default p = 3 puts the m_HHH peak near 0.6 TeV, where
full-theory LO spectra peak (from the literature as remembered, not re-derived here). This damping is a
modelling choice for plausible kinematics, not derived from the top-mass-dependent gg -> HHH amplitude:
cross sections and shapes from this module are model numbers, not predictions.
Kinematics: 3-body phase space in (m12^2, m23^2) with isotropic orientation (the amplitude depends on
the scalar invariants only), mu_R = mu_F = m_HHH / 2, Pythia's LO gluon density.
"""

import numpy as np

from multihiggs.constants import GEV2_TO_PB, HIGGS_VEV_GEV, TOP_MASS_GEV
from multihiggs.generate.parton.envelope_sampling import sample_with_envelope
from multihiggs.generate.parton.events import PartonEvents
from multihiggs.generate.parton.form_factors import triangle_form_factor
from multihiggs.generate.parton.kinematics import incoming_gluons, random_rotations, three_body_momenta
from multihiggs.generate.parton.parton_luminosity import (
    PartonPdf,
    alpha_s_one_loop,
    gluon_luminosity_density,
    hard_scale_gev,
)

DEFAULT_HHH_MASS_MAX_GEV = 4000.0
DEFAULT_DAMPING_POWER = 3
HHH_ENVELOPE_CELLS = (32, 6, 4, 4)  # (m_HHH, scaled rapidity, u, v) envelope grid of the sampler


def hhh_eft_amplitude(
    s_gev2: np.ndarray,
    s12_gev2: np.ndarray,
    s13_gev2: np.ndarray,
    s23_gev2: np.ndarray,
    kappa_3: float,
    kappa_4: float,
    higgs_mass_gev: float,
    vev_gev: float = HIGGS_VEV_GEV,
) -> np.ndarray:
    """Scalar HEFT amplitude A (GeV^-3) of gg -> HHH (module docstring) at the pair invariants s_jk (GeV^2)."""
    m2 = higgs_mass_gev**2
    trilinear = kappa_3 * 3.0 * m2 / vev_gev
    quartic = kappa_4 * 3.0 * m2 / vev_gev**2
    pair_propagators = 1.0 / (s12_gev2 - m2) + 1.0 / (s13_gev2 - m2) + 1.0 / (s23_gev2 - m2)
    s_channel = 1.0 / (s_gev2 - m2)
    return (
        2.0 / vev_gev**3
        - trilinear / vev_gev**2 * pair_propagators
        + quartic / vev_gev * s_channel
        + trilinear**2 / vev_gev * s_channel * pair_propagators
    )


def hhh_damping(
    s_gev2: np.ndarray, top_mass_gev: float = TOP_MASS_GEV, power: int = DEFAULT_DAMPING_POWER
) -> np.ndarray:
    """Model damping d(s) = [F_tri(s) / (2/3)]^power of the HEFT amplitude (complex, -> 1 for m_t -> inf)."""
    return (1.5 * triangle_form_factor(s_gev2, top_mass_gev)) ** power


def dalitz_limits(mass_gev: np.ndarray, m12_sq: np.ndarray, scalar_mass_gev: float) -> tuple[np.ndarray, np.ndarray]:
    """Range (low, high) of m23^2 (GeV^2) at given m12^2 for three equal masses and total mass m."""
    m2 = scalar_mass_gev**2
    m12 = np.sqrt(m12_sq)
    e2 = 0.5 * m12  # energies of particles 2 and 3 in the (12) rest frame
    e3 = (mass_gev**2 - m12_sq - m2) / (2.0 * m12)
    p2 = np.sqrt(np.clip(e2**2 - m2, 0.0, None))
    p3 = np.sqrt(np.clip(e3**2 - m2, 0.0, None))
    return (e2 + e3) ** 2 - (p2 + p3) ** 2, (e2 + e3) ** 2 - (p2 - p3) ** 2


def _phase_space_point(
    points: np.ndarray, higgs_mass_gev: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(m, eta, u, v) in the unit-cube Dalitz map -> (m, eta, m12^2, m23^2, Jacobian dm12^2 dm23^2 / du dv)."""
    mass, eta, u, v = points.T
    m2 = higgs_mass_gev**2
    low12, high12 = 4.0 * m2, (mass - higgs_mass_gev) ** 2
    m12_sq = low12 + (high12 - low12) * u
    low23, high23 = dalitz_limits(mass, m12_sq, higgs_mass_gev)
    m23_sq = low23 + (high23 - low23) * v
    return mass, eta, m12_sq, m23_sq, (high12 - low12) * (high23 - low23)


def _hhh_density(
    points: np.ndarray,
    kappa_3: float,
    kappa_4: float,
    higgs_mass_gev: float,
    top_mass_gev: float,
    damping_power: int,
    sqrt_s_gev: float,
    pdf: PartonPdf,
) -> np.ndarray:
    """d sigma / (dm d eta du dv) in pb / GeV for points (n, 4) = (m_HHH, eta, u, v)."""
    mass, eta, m12_sq, m23_sq, jacobian = _phase_space_point(points, higgs_mass_gev)
    s = mass**2
    m13_sq = s + 3.0 * higgs_mass_gev**2 - m12_sq - m23_sq
    amplitude = hhh_eft_amplitude(s, m12_sq, m13_sq, m23_sq, kappa_3, kappa_4, higgs_mass_gev)
    alpha_s = alpha_s_one_loop(hard_scale_gev(mass))
    matrix_element_sq = (
        (alpha_s / (12.0 * np.pi)) ** 2
        * 0.25
        * s**2
        * np.abs(amplitude * hhh_damping(s, top_mass_gev, damping_power)) ** 2
    )
    # sigma-hat = 1/(2 s) x 1/3! x int |M|^2 dm12^2 dm23^2 / (128 pi^3 s)
    partonic = matrix_element_sq * jacobian / (2.0 * s * 6.0 * 128.0 * np.pi**3 * s)
    return partonic * gluon_luminosity_density(mass, eta, sqrt_s_gev, pdf) * GEV2_TO_PB


def generate_hhh_events(
    kappa_3: float,
    kappa_4: float,
    higgs_mass_gev: float,
    n_events: int,
    sqrt_s_gev: float,
    pdf: PartonPdf,
    rng: np.random.Generator,
    top_mass_gev: float = TOP_MASS_GEV,
    mass_max_gev: float = DEFAULT_HHH_MASS_MAX_GEV,
    damping_power: int = DEFAULT_DAMPING_POWER,
) -> PartonEvents:
    """Unweighted gg -> HHH events of the damped-HEFT model for 3 m_H < m_HHH < mass_max_gev.

    Accept-reject (vectorised in batches) in (m_HHH, scaled rapidity, Dalitz u, v) under a cell envelope;
    orientation uniform. The cross section attached is the MC estimate with its statistical error.
    damping_power is the model power p of the damping (module docstring); 0 gives pure HEFT.
    """
    if damping_power < 0:
        raise ValueError(f"damping_power must be >= 0, got {damping_power}")
    if n_events < 1:
        raise ValueError(f"n_events must be >= 1, got {n_events}")
    if not 3.0 * higgs_mass_gev < mass_max_gev < sqrt_s_gev:
        raise ValueError(f"need 3 m_H < mass_max < sqrt_s, got {higgs_mass_gev}, {mass_max_gev}, {sqrt_s_gev}")
    n_mass, n_eta, n_u, n_v = HHH_ENVELOPE_CELLS
    edges = [
        np.geomspace(3.0 * higgs_mass_gev, mass_max_gev, n_mass + 1),
        np.linspace(-1.0, 1.0, n_eta + 1),
        np.linspace(0.0, 1.0, n_u + 1),
        np.linspace(0.0, 1.0, n_v + 1),
    ]

    def density(points: np.ndarray) -> np.ndarray:
        return _hhh_density(points, kappa_3, kappa_4, higgs_mass_gev, top_mass_gev, damping_power, sqrt_s_gev, pdf)

    sample = sample_with_envelope(density, edges, n_events, rng)
    mass, eta, m12_sq, m23_sq, _ = _phase_space_point(sample.points, higgs_mass_gev)
    rapidity = eta * np.log(sqrt_s_gev / mass)
    scalars = three_body_momenta(mass, m12_sq, m23_sq, random_rotations(n_events, rng), rapidity, higgs_mass_gev)
    return PartonEvents(
        incoming=incoming_gluons(mass, rapidity, sqrt_s_gev),
        scalars=scalars,
        scale_gev=hard_scale_gev(mass),
        higgs_mass_gev=float(higgs_mass_gev),
        cross_section_pb=sample.integral,
        cross_section_error_pb=sample.integral_error,
    )
