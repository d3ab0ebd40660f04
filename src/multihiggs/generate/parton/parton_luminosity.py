"""Parton densities from Pythia 8's built-in PDF, tabulated once and interpolated in numpy, and LO alpha_s.

Pythia's default proton PDF is NNPDF2.3 QCD+QED LO with alpha_s(M_Z) = 0.130, so alpha_s runs at one loop
from that value (n_f = 5 throughout, also above the top threshold). Both generators use
mu_R = mu_F = m / 2 with m the invariant mass of the produced scalars (hard_scale_gev).
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from multihiggs.constants import GLUON_PID

Z_MASS_GEV = 91.1876
LO_ALPHA_S_AT_Z = 0.130  # alpha_s(M_Z) of Pythia's default LO PDF
ACTIVE_FLAVOURS = 5
XF_FLOOR = 1e-30  # stands in for x f = 0 in the ln(x f) grid


def alpha_s_one_loop(
    scale_gev: npt.ArrayLike, alpha_s_at_z: float = LO_ALPHA_S_AT_Z, n_flavours: int = ACTIVE_FLAVOURS
) -> np.ndarray:
    """alpha_s(mu) = alpha_s(M_Z) / (1 + alpha_s(M_Z) b0 ln(mu^2 / M_Z^2)), b0 = (33 - 2 n_f) / (12 pi)."""
    scale = np.asarray(scale_gev, dtype=float)
    if np.any(scale <= 0.0):
        raise ValueError("alpha_s scale must be positive (GeV)")
    b0 = (33.0 - 2.0 * n_flavours) / (12.0 * np.pi)
    return alpha_s_at_z / (1.0 + alpha_s_at_z * b0 * np.log(scale**2 / Z_MASS_GEV**2))


def _logit(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(x) - np.log1p(-x)


@dataclass(frozen=True)
class PartonPdf:
    """x f(x, Q^2) of one parton on a (logit x, ln Q^2) grid with bilinear interpolation of ln(x f).

    logit_x: (n_x,) ascending ln(x / (1 - x)) nodes (log-like at small x, resolves x -> 1);
    log_q2: (n_q2,) ascending ln(Q^2 / GeV^2) nodes; log_xf: (n_x, n_q2) ln(x f).
    Q^2 outside the grid is clamped; x above the last node gives 0; x below the first is an error.
    """

    logit_x: np.ndarray
    log_q2: np.ndarray
    log_xf: np.ndarray

    def __post_init__(self) -> None:
        if self.log_xf.shape != (self.logit_x.size, self.log_q2.size):
            raise ValueError(
                f"log_xf shape {self.log_xf.shape} does not match the grid ({self.logit_x.size}, {self.log_q2.size})"
            )
        if np.any(np.diff(self.logit_x) <= 0) or np.any(np.diff(self.log_q2) <= 0):
            raise ValueError("PartonPdf grid nodes must be strictly ascending")

    @property
    def x_min(self) -> float:
        """Smallest tabulated momentum fraction."""
        return float(1.0 / (1.0 + np.exp(-self.logit_x[0])))

    def xf(self, x: npt.ArrayLike, q2_gev2: npt.ArrayLike) -> np.ndarray:
        """x f(x, Q^2) for broadcastable arrays x in [x_min, 1] and Q^2 (GeV^2)."""
        x, q2 = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(q2_gev2, dtype=float))
        if np.any(~(x > 0.0)) or np.any(x > 1.0) or np.any(~(q2 > 0.0)):
            raise ValueError("PartonPdf.xf needs 0 < x <= 1 and Q^2 > 0")
        logit_x = _logit(x)
        if np.any(logit_x < self.logit_x[0]):
            raise ValueError(f"x below the tabulated minimum {self.x_min:.3g}")
        inside = np.minimum(logit_x, self.logit_x[-1])
        log_q2 = np.clip(np.log(q2), self.log_q2[0], self.log_q2[-1])
        ix = np.clip(np.searchsorted(self.logit_x, inside) - 1, 0, self.logit_x.size - 2)
        iq = np.clip(np.searchsorted(self.log_q2, log_q2) - 1, 0, self.log_q2.size - 2)
        fx = (inside - self.logit_x[ix]) / (self.logit_x[ix + 1] - self.logit_x[ix])
        fq = (log_q2 - self.log_q2[iq]) / (self.log_q2[iq + 1] - self.log_q2[iq])
        grid = self.log_xf
        value = (
            (1 - fx) * (1 - fq) * grid[ix, iq]
            + fx * (1 - fq) * grid[ix + 1, iq]
            + (1 - fx) * fq * grid[ix, iq + 1]
            + fx * fq * grid[ix + 1, iq + 1]
        )
        return np.where(logit_x > self.logit_x[-1], 0.0, np.exp(value))


def build_parton_pdf_from_pythia(
    parton_id: int,
    n_x: int = 400,
    n_q2: int = 60,
    x_min: float = 1e-6,
    x_max: float = 0.998,
    q2_min_gev2: float = 100.0,
    q2_max_gev2: float = 1e8,
) -> PartonPdf:
    """Tabulate x f(x, Q^2) of parton ``parton_id`` (PDG: 21 gluon, +-1..5 quarks) in Pythia 8's default proton
    PDF (one call per node, < 1 s)."""
    if not (0.0 < x_min < x_max < 1.0 and 0.0 < q2_min_gev2 < q2_max_gev2 and n_x >= 2 and n_q2 >= 2):
        raise ValueError("invalid PartonPdf grid: need 0 < x_min < x_max < 1, 0 < q2_min < q2_max, n >= 2")
    import pythia8mc  # only the tabulation needs Pythia

    proton_pdf = pythia8mc.Pythia("", False).getPDFPtr(2212)
    logit_x = np.linspace(_logit(np.float64(x_min)), _logit(np.float64(x_max)), n_x)
    log_q2 = np.linspace(np.log(q2_min_gev2), np.log(q2_max_gev2), n_q2)
    x_nodes, q2_nodes = 1.0 / (1.0 + np.exp(-logit_x)), np.exp(log_q2)
    xf = np.array([[proton_pdf.xf(parton_id, float(x), float(q2)) for q2 in q2_nodes] for x in x_nodes])
    if not np.all(np.isfinite(xf)):
        raise RuntimeError(f"Pythia returned a non-finite density of parton {parton_id} inside the requested grid")
    # NNPDF2.3 LO returns exactly 0 in a few nodes at x > 0.97 and large Q^2: floor them so ln is defined.
    return PartonPdf(logit_x=logit_x, log_q2=log_q2, log_xf=np.log(np.maximum(xf, XF_FLOOR)))


def build_gluon_pdf_from_pythia(**grid: float) -> PartonPdf:
    """The gluon's :func:`build_parton_pdf_from_pythia` (keyword arguments: the grid)."""
    return build_parton_pdf_from_pythia(GLUON_PID, **grid)


def hard_scale_gev(mass_gev: npt.ArrayLike) -> np.ndarray:
    """Renormalisation and factorisation scale mu = m / 2 for a final state of invariant mass m (GeV)."""
    return 0.5 * np.asarray(mass_gev, dtype=float)


def gluon_luminosity_density(
    mass_gev: np.ndarray, scaled_rapidity: np.ndarray, sqrt_s_gev: float, pdf: PartonPdf
) -> np.ndarray:
    """dL_gg / (dm d eta) in GeV^-1 at mu_F = m / 2, so that sigma = int dm d eta (dL / dm d eta) sigma-hat(m).

    The system rapidity is y = eta ln(sqrt(s) / m), eta in [-1, 1]; x_1,2 = (m / sqrt(s)) exp(+-y).
    Equals (2 m / s) ln(sqrt(s) / m) g(x1) g(x2) with g the gluon number density.
    """
    y_max = np.log(sqrt_s_gev / mass_gev)
    rapidity = scaled_rapidity * y_max
    root_tau = mass_gev / sqrt_s_gev
    q2 = hard_scale_gev(mass_gev) ** 2
    # |y| = y_max means x = 1 (rounding may overshoot it).
    x1 = np.minimum(root_tau * np.exp(rapidity), 1.0)
    x2 = np.minimum(root_tau * np.exp(-rapidity), 1.0)
    return 2.0 * mass_gev / sqrt_s_gev**2 * y_max * pdf.xf(x1, q2) * pdf.xf(x2, q2) / root_tau**2
