"""Top-loop form factors of gg -> HH at LO (Plehn-Spira-Zerwas / Glover-van der Bij conventions).

The amplitude is G_F alpha_s / (2 sqrt(2) ...) x [ (C_tri F_tri + C_box F_box) P_spin0 + C_box G_box P_spin2 ];
F_tri depends on s only, F_box and G_box on (s, t) through the scalar integrals C0 and D0 with internal top
mass. Heavy-top limit (m_t -> infinity): F_tri -> 2/3, F_box -> -2/3, G_box -> 0.
All momenta squared in GeV^2, masses in GeV; results are dimensionless complex arrays.
"""

import numpy as np
import numpy.typing as npt

from multihiggs.generate.parton.loop_integrals import (
    DEFAULT_C0_ORDER,
    DEFAULT_D0_ORDER,
    c0_equal_mass,
    d0_equal_mass,
)

COLLINEAR_TOLERANCE = 1e-10  # (t u - m_H^4) / s^2 below which p_T = 0 is assumed


def triangle_function(tau: npt.ArrayLike) -> np.ndarray:
    """The loop function f(tau) for tau = 4 m^2 / s > 0: arcsin^2(1/sqrt(tau)) for tau >= 1, else
    -1/4 [log((1 + sqrt(1 - tau)) / (1 - sqrt(1 - tau))) - i pi]^2 (above threshold). Complex array."""
    tau = np.asarray(tau, dtype=float)
    if np.any(~np.isfinite(tau)) or np.any(tau <= 0.0):
        raise ValueError("triangle_function needs tau = 4 m^2 / s > 0 (s > 0)")
    below = tau >= 1.0
    result = np.empty(tau.shape, dtype=complex)
    result[below] = np.arcsin(np.sqrt(1.0 / tau[below])) ** 2
    root = np.sqrt(1.0 - tau[~below])
    result[~below] = -0.25 * (np.log((1.0 + root) / (1.0 - root)) - 1j * np.pi) ** 2
    return result


def c0_massless_pair_closed_form(s_gev2: npt.ArrayLike, mass_gev: float) -> np.ndarray:
    """C0(0, 0, s; m, m, m) = -(2 / s) f(4 m^2 / s) in GeV^-2 (LoopTools normalisation), s > 0."""
    s = np.asarray(s_gev2, dtype=float)
    return -2.0 / s * triangle_function(4.0 * mass_gev**2 / s)


def triangle_form_factor(s_gev2: npt.ArrayLike, top_mass_gev: float) -> np.ndarray:
    """F_tri(s) = tau [1 + (1 - tau) f(tau)], tau = 4 m_t^2 / s; -> 2/3 for m_t -> infinity."""
    s = np.asarray(s_gev2, dtype=float)
    tau = 4.0 * top_mass_gev**2 / s
    return tau * (1.0 + (1.0 - tau) * triangle_function(tau))


def box_form_factors(
    s_gev2: npt.ArrayLike,
    t_gev2: npt.ArrayLike,
    higgs_mass_gev: float,
    top_mass_gev: float,
    c0_order: int = DEFAULT_C0_ORDER,
    d0_order: int = DEFAULT_D0_ORDER,
) -> tuple[np.ndarray, np.ndarray]:
    """Spin-0 and spin-2 box form factors (F_box, G_box) of gg -> HH at (s, t), u = 2 m_H^2 - s - t.

    Arguments broadcast (GeV^2); physical region s >= 4 m_H^2, t < 0. ``c0_order`` and ``d0_order`` are
    the quadrature orders of the numerical scalar integrals. G_box suffers cancellations as p_T -> 0
    (|cos theta*| -> 1), where it vanishes like p_T^2; at p_T = 0 it is set to 0.
    """
    s, t = np.broadcast_arrays(np.asarray(s_gev2, dtype=float), np.asarray(t_gev2, dtype=float))
    if top_mass_gev <= 0.0 or higgs_mass_gev <= 0.0:
        raise ValueError("top and Higgs masses must be positive")
    if np.any(s < 4.0 * higgs_mass_gev**2 * (1.0 - 1e-12)):
        raise ValueError("box_form_factors needs s >= 4 m_H^2 (above the HH threshold)")
    mh2 = higgs_mass_gev**2
    mt2 = top_mass_gev**2
    u = 2.0 * mh2 - s - t
    zero = np.zeros_like(s)

    c_ab = mt2 * c0_massless_pair_closed_form(s, top_mass_gev)
    c_ac = mt2 * c0_equal_mass(zero, mh2, t, mt2, order=c0_order)
    c_bc = mt2 * c0_equal_mass(zero, mh2, u, mt2, order=c0_order)
    c_cd = mt2 * c0_equal_mass(mh2, mh2, s, mt2, order=c0_order)
    d_abc = mt2**2 * d0_equal_mass(zero, 0.0, mh2, mh2, s, u, mt2, order=d0_order)
    d_bac = mt2**2 * d0_equal_mass(zero, 0.0, mh2, mh2, s, t, mt2, order=d0_order)
    d_acb = mt2**2 * d0_equal_mass(zero, mh2, 0.0, mh2, t, u, mt2, order=d0_order)

    # Dimensionless invariants in units of m_t^2 (generator-notes.md); C's and D's above carry m_t^2, m_t^4.
    big_s, big_t, big_u, rho = s / mt2, t / mt2, u / mt2, mh2 / mt2
    t1, u1 = big_t - rho, big_u - rho
    d_sum = d_abc + d_bac + d_acb
    transverse = big_t * big_u - rho**2  # = S pT^2 / m_t^2, vanishes at |cos theta*| = 1

    f_box = (
        4.0 * big_s
        + 8.0 * big_s * c_ab
        - 2.0 * big_s * (big_s + 2.0 * rho - 8.0) * d_sum
        + (2.0 * rho - 8.0) * (2.0 * t1 * c_ac + 2.0 * u1 * c_bc - transverse * d_acb)
    ) / big_s**2
    g_numerator = (
        (big_t**2 + rho**2 - 8.0 * big_t) * (big_s * c_ab + 2.0 * t1 * c_ac - big_s * big_t * d_bac)
        + (big_u**2 + rho**2 - 8.0 * big_u) * (big_s * c_ab + 2.0 * u1 * c_bc - big_s * big_u * d_abc)
        - (big_t**2 + big_u**2 - 2.0 * rho**2) * (big_t + big_u - 8.0) * c_cd
        - 2.0 * (big_t + big_u - 8.0) * transverse * d_sum
    )
    # At p_T = 0 (|cos theta*| = 1 or s = 4 m_H^2) the formula is 0/0 and G_box = 0 exactly: a J_z = 2
    # gluon pair cannot produce two scalars along the beam axis.
    collinear = transverse <= COLLINEAR_TOLERANCE * big_s**2
    g_box = np.where(collinear, 0.0, g_numerator / np.where(collinear, 1.0, big_s * transverse))
    return f_box, g_box
