"""gg -> HH at LO with the exact top-mass dependence (box form factors from a FormFactorTable).

dsigma/dt = G_F^2 alpha_s^2 / (512 (2 pi)^3) [ |kt kl C_tri F_tri + kt^2 F_box|^2 + |kt^2 G_box|^2 ],
C_tri = 3 m_H^2 / (s - m_H^2 + i m_H Gamma_H) (identical-particle factor 1/2 included). Hadronic cross
sections use Pythia's LO gluon density at mu_R = mu_F = m_HH / 2. Phase space: 2 m_H <= m_HH <= the table's
mass_max_gev (the tail above it is dropped: < 0.1% of sigma_SM above 2.5 TeV). The amplitude is linear in
kappa_lambda, so sigma(kl) = a + b kl + c kl^2 exactly and events reweight exactly between kappa_lambda
values. Functions taking ``pdf=None`` tabulate Pythia's gluon density themselves (~0.2 s).
"""

import numpy as np
import numpy.typing as npt

from multihiggs.constants import FERMI_CONSTANT_GEV2, GEV2_TO_PB, HIGGS_WIDTH_GEV
from multihiggs.generate.parton.envelope_sampling import sample_with_envelope
from multihiggs.generate.parton.events import PartonEvents
from multihiggs.generate.parton.form_factor_table import FormFactorTable
from multihiggs.generate.parton.form_factors import triangle_form_factor
from multihiggs.generate.parton.kinematics import incoming_gluons, two_body_momenta
from multihiggs.generate.parton.parton_luminosity import (
    PartonPdf,
    alpha_s_one_loop,
    build_gluon_pdf_from_pythia,
    gluon_luminosity_density,
    hard_scale_gev,
)

DEFAULT_SQRT_S_GEV = 13000.0
N_RAPIDITY_NODES = 48  # Gauss-Legendre nodes in the scaled rapidity for the luminosity integral
N_MASS_NODES_PER_CELL = 6  # Gauss-Legendre nodes per table mass interval
N_RAPIDITY_CELLS = 8  # envelope cells in the scaled rapidity for event sampling


def hh_amplitude_terms(
    table: FormFactorTable,
    mass_gev: np.ndarray,
    abs_cos: np.ndarray,
    kappa_t: float,
    higgs_width_gev: float = HIGGS_WIDTH_GEV,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients (a, b, c) with [ |...|^2 + |...|^2 ] = a + b kl + c kl^2 at (m_HH, |cos theta*|)."""
    f_box, g_box = table.interpolate(mass_gev, abs_cos)
    s = np.asarray(mass_gev, dtype=float) ** 2
    mh = table.higgs_mass_gev
    c_triangle = 3.0 * mh**2 / (s - mh**2 + 1j * mh * higgs_width_gev)
    triangle = kappa_t * c_triangle * triangle_form_factor(s, table.top_mass_gev)
    box = kappa_t**2 * f_box
    a, b, c = np.broadcast_arrays(
        np.abs(box) ** 2 + kappa_t**4 * np.abs(g_box) ** 2,
        2.0 * np.real(box * np.conj(triangle)),
        np.abs(triangle) ** 2,
    )
    return a, b, c


def _angular_prefactor(mass_gev: np.ndarray, higgs_mass_gev: float) -> np.ndarray:
    """d sigma-hat / d|cos theta*| = this x G_F^2 alpha_s^2 / (512 (2 pi)^3) x [...] (GeV^-2)."""
    s = mass_gev**2
    beta = np.sqrt(np.clip(1.0 - 4.0 * higgs_mass_gev**2 / s, 0.0, None))
    # dt = (s beta / 2) dcos, and cos and -cos both map to |cos|.
    return s * beta * FERMI_CONSTANT_GEV2**2 / (512.0 * (2.0 * np.pi) ** 3)


def _flux_density(mass_gev: np.ndarray, scaled_rapidity: np.ndarray, sqrt_s_gev: float, pdf: PartonPdf) -> np.ndarray:
    """alpha_s(m / 2)^2 x dL_gg / (dm d eta) (GeV^-1)."""
    luminosity = gluon_luminosity_density(mass_gev, scaled_rapidity, sqrt_s_gev, pdf)
    return luminosity * alpha_s_one_loop(hard_scale_gev(mass_gev)) ** 2


def _check_inputs(table: FormFactorTable, sqrt_s_gev: float) -> None:
    if sqrt_s_gev <= table.mass_max_gev:
        raise ValueError(f"sqrt_s = {sqrt_s_gev} GeV must exceed the table's mass_max {table.mass_max_gev} GeV")


def hh_mass_spectrum_terms(
    table: FormFactorTable,
    mass_gev: npt.ArrayLike,
    kappa_t: float = 1.0,
    sqrt_s_gev: float = DEFAULT_SQRT_S_GEV,
    pdf: PartonPdf | None = None,
    higgs_width_gev: float = HIGGS_WIDTH_GEV,
    n_rapidity_nodes: int = N_RAPIDITY_NODES,
) -> np.ndarray:
    """d sigma / d m_HH (pb / GeV) split as (3, n): sigma'(kl) = t[0] + t[1] kl + t[2] kl^2 at masses (n,)."""
    _check_inputs(table, sqrt_s_gev)
    pdf = pdf if pdf is not None else build_gluon_pdf_from_pythia()
    mass = np.atleast_1d(np.asarray(mass_gev, dtype=float))
    eta, eta_weights = np.polynomial.legendre.leggauss(n_rapidity_nodes)
    luminosity = _flux_density(mass[:, None], eta[None, :], sqrt_s_gev, pdf) @ eta_weights
    # |cos| integral: F, G are linear in |cos| within a table cell, so 2-point Gauss is exact per cell.
    nodes, weights = np.polynomial.legendre.leggauss(2)
    cos_edges = table.abs_cos_nodes
    half = 0.5 * np.diff(cos_edges)
    cos_points = (0.5 * (cos_edges[:-1] + cos_edges[1:])[:, None] + half[:, None] * nodes[None, :]).ravel()
    cos_weights = (half[:, None] * weights[None, :]).ravel()
    terms = hh_amplitude_terms(table, mass[:, None], cos_points[None, :], kappa_t, higgs_width_gev)
    angular = np.stack([term @ cos_weights for term in terms])  # (3, n)
    return angular * _angular_prefactor(mass, table.higgs_mass_gev) * luminosity * GEV2_TO_PB


def hh_cross_section_coefficients(
    table: FormFactorTable,
    kappa_t: float = 1.0,
    sqrt_s_gev: float = DEFAULT_SQRT_S_GEV,
    pdf: PartonPdf | None = None,
    higgs_width_gev: float = HIGGS_WIDTH_GEV,
    n_mass_nodes: int = N_MASS_NODES_PER_CELL,
    n_rapidity_nodes: int = N_RAPIDITY_NODES,
) -> np.ndarray:
    """(a, b, c) in pb with sigma(kl) = a + b kl + c kl^2, integrated over 2 m_H <= m_HH <= mass_max.

    Quadrature: n_mass_nodes Gauss-Legendre nodes per table mass interval, n_rapidity_nodes in rapidity.
    """
    pdf = pdf if pdf is not None else build_gluon_pdf_from_pythia()
    nodes, weights = np.polynomial.legendre.leggauss(n_mass_nodes)
    edges = table.mass_nodes_gev
    half = 0.5 * np.diff(edges)
    masses = (0.5 * (edges[:-1] + edges[1:])[:, None] + half[:, None] * nodes[None, :]).ravel()
    mass_weights = (half[:, None] * weights[None, :]).ravel()
    spectrum = hh_mass_spectrum_terms(table, masses, kappa_t, sqrt_s_gev, pdf, higgs_width_gev, n_rapidity_nodes)
    return spectrum @ mass_weights


def hh_cross_section_pb(
    table: FormFactorTable,
    kappa_lambda: float,
    kappa_t: float = 1.0,
    sqrt_s_gev: float = DEFAULT_SQRT_S_GEV,
    pdf: PartonPdf | None = None,
) -> float:
    """LO sigma(gg -> HH) in pb for the given couplings (deterministic quadrature)."""
    a, b, c = hh_cross_section_coefficients(table, kappa_t, sqrt_s_gev, pdf)
    return float(a + b * kappa_lambda + c * kappa_lambda**2)


def hh_cross_section_ratios(
    table: FormFactorTable,
    kappa_lambdas: npt.ArrayLike,
    kappa_t: float = 1.0,
    sqrt_s_gev: float = DEFAULT_SQRT_S_GEV,
    pdf: PartonPdf | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """sigma(kl) / sigma(kl = 1) at each kappa_lambda, and the quadratic fit (c0, c1, c2) of those ratios."""
    kappa = np.asarray(kappa_lambdas, dtype=float)
    if kappa.ndim != 1 or kappa.size < 3:
        raise ValueError("need at least three kappa_lambda values for the quadratic fit")
    a, b, c = hh_cross_section_coefficients(table, kappa_t, sqrt_s_gev, pdf)
    ratios = (a + b * kappa + c * kappa**2) / (a + b + c)
    return ratios, np.polynomial.polynomial.polyfit(kappa, ratios, 2)


def generate_hh_events(
    table: FormFactorTable,
    kappa_lambda: float,
    kappa_t: float,
    n_events: int,
    sqrt_s_gev: float,
    pdf: PartonPdf,
    rng: np.random.Generator,
    higgs_width_gev: float = HIGGS_WIDTH_GEV,
) -> PartonEvents:
    """Unweighted gg -> HH events from the tabulated LO differential cross section.

    Samples (m_HH, |cos theta*|, scaled rapidity) by accept-reject under a cell envelope (cells = table
    cells x rapidity bins), then the sign of cos theta* and phi uniformly. The cross section attached is
    the deterministic quadrature of the same density (independent of rng); its error is the change
    of that quadrature when the number of nodes is halved.
    """
    _check_inputs(table, sqrt_s_gev)
    if n_events < 1:
        raise ValueError(f"n_events must be >= 1, got {n_events}")
    a_b_c = np.array([1.0, kappa_lambda, kappa_lambda**2])
    mh = table.higgs_mass_gev

    def density(points: np.ndarray) -> np.ndarray:
        mass, abs_cos, eta = points[:, 0], points[:, 1], points[:, 2]
        terms = hh_amplitude_terms(table, mass, abs_cos, kappa_t, higgs_width_gev)
        bracket = sum(w * term for w, term in zip(a_b_c, terms, strict=True))
        return bracket * _angular_prefactor(mass, mh) * _flux_density(mass, eta, sqrt_s_gev, pdf) * GEV2_TO_PB

    edges = [table.mass_nodes_gev, table.abs_cos_nodes, np.linspace(-1.0, 1.0, N_RAPIDITY_CELLS + 1)]
    sample = sample_with_envelope(density, edges, n_events, rng)
    mass, abs_cos, eta = sample.points.T
    sign = np.where(rng.random(n_events) < 0.5, -1.0, 1.0)
    phi = rng.uniform(0.0, 2.0 * np.pi, n_events)
    rapidity = eta * np.log(sqrt_s_gev / mass)
    sigma = float(hh_cross_section_coefficients(table, kappa_t, sqrt_s_gev, pdf, higgs_width_gev) @ a_b_c)
    coarse = hh_cross_section_coefficients(
        table, kappa_t, sqrt_s_gev, pdf, higgs_width_gev, N_MASS_NODES_PER_CELL // 2, N_RAPIDITY_NODES // 2
    )
    return PartonEvents(
        incoming=incoming_gluons(mass, rapidity, sqrt_s_gev),
        scalars=two_body_momenta(mass, sign * abs_cos, phi, rapidity, mh),
        scale_gev=hard_scale_gev(mass),
        higgs_mass_gev=mh,
        cross_section_pb=sigma,
        cross_section_error_pb=abs(sigma - float(coarse @ a_b_c)),
    )
