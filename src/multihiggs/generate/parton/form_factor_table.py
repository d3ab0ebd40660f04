"""Tabulated gg -> HH box form factors F_box, G_box on an (m_HH, |cos theta*|) grid, with npz save/load.

The box form factors are symmetric under t <-> u, so |cos theta*| suffices. Mass nodes are spaced
quadratically towards the top-pair threshold 2 m_t from both sides (the form factors have a square-root
cusp there, which becomes linear in the node index), so linear interpolation stays accurate near it.
At |cos theta*| = 1 and at m_HH = 2 m_H, G_box = 0 exactly (p_T = 0; see form_factors.box_form_factors).
"""

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from multihiggs.generate.parton.form_factors import box_form_factors

DEFAULT_N_MASS = 80
DEFAULT_N_COS = 9
DEFAULT_MASS_MAX_GEV = 2500.0
DEFAULT_QUADRATURE_ORDER = 24
MIN_QUADRATURE_ORDER = 8
BELOW_THRESHOLD_FRACTION = 0.2  # share of mass nodes between 2 m_H and 2 m_t


@dataclass(frozen=True)
class FormFactorTable:
    """F_box, G_box (complex, shape (n_mass, n_cos)) on mass_nodes_gev x abs_cos_nodes for given m_H, m_t."""

    higgs_mass_gev: float
    top_mass_gev: float
    quadrature_order: int
    mass_nodes_gev: np.ndarray
    abs_cos_nodes: np.ndarray
    f_box: np.ndarray
    g_box: np.ndarray

    def __post_init__(self) -> None:
        shape = (self.mass_nodes_gev.size, self.abs_cos_nodes.size)
        if self.f_box.shape != shape or self.g_box.shape != shape:
            raise ValueError(f"form-factor arrays must have shape {shape} (n_mass, n_cos)")
        if np.any(np.diff(self.mass_nodes_gev) <= 0) or np.any(np.diff(self.abs_cos_nodes) <= 0):
            raise ValueError("FormFactorTable nodes must be strictly ascending")
        if self.abs_cos_nodes[0] != 0.0 or self.abs_cos_nodes[-1] != 1.0:
            raise ValueError("abs_cos_nodes must span [0, 1]")
        if not np.isclose(self.mass_nodes_gev[0], 2.0 * self.higgs_mass_gev):
            raise ValueError("the first mass node must be the HH threshold 2 m_H")

    @property
    def mass_max_gev(self) -> float:
        """Largest tabulated m_HH (GeV): the generator covers 2 m_H <= m_HH <= mass_max_gev."""
        return float(self.mass_nodes_gev[-1])

    def interpolate(self, mass_gev: npt.ArrayLike, abs_cos: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Bilinear interpolation of (F_box, G_box) at broadcastable m_HH (GeV) and |cos theta*| arrays."""
        mass, cos = np.broadcast_arrays(np.asarray(mass_gev, dtype=float), np.asarray(abs_cos, dtype=float))
        nodes = self.mass_nodes_gev
        if np.any(mass < nodes[0] * (1 - 1e-12)) or np.any(mass > nodes[-1] * (1 + 1e-12)):
            raise ValueError(f"m_HH outside the table range [{nodes[0]:.1f}, {nodes[-1]:.1f}] GeV")
        if np.any(cos < 0.0) or np.any(cos > 1.0):
            raise ValueError("|cos theta*| must lie in [0, 1]")
        i = np.clip(np.searchsorted(nodes, mass) - 1, 0, nodes.size - 2)
        j = np.clip(np.searchsorted(self.abs_cos_nodes, cos) - 1, 0, self.abs_cos_nodes.size - 2)
        fm = np.clip((mass - nodes[i]) / (nodes[i + 1] - nodes[i]), 0.0, 1.0)
        cos_nodes = self.abs_cos_nodes
        fc = (cos - cos_nodes[j]) / (cos_nodes[j + 1] - cos_nodes[j])

        def bilinear(grid: np.ndarray) -> np.ndarray:
            return (
                (1 - fm) * (1 - fc) * grid[i, j]
                + fm * (1 - fc) * grid[i + 1, j]
                + (1 - fm) * fc * grid[i, j + 1]
                + fm * fc * grid[i + 1, j + 1]
            )

        return bilinear(self.f_box), bilinear(self.g_box)

    def save(self, path: str | Path) -> None:
        """Write the table to an .npz file."""
        np.savez(
            Path(path),
            higgs_mass_gev=self.higgs_mass_gev,
            top_mass_gev=self.top_mass_gev,
            quadrature_order=self.quadrature_order,
            mass_nodes_gev=self.mass_nodes_gev,
            abs_cos_nodes=self.abs_cos_nodes,
            f_box=self.f_box,
            g_box=self.g_box,
        )

    @classmethod
    def load(cls, path: str | Path) -> "FormFactorTable":
        """Read a table written by :meth:`save`."""
        with np.load(Path(path)) as data:
            missing = {f for f in cls.__dataclass_fields__} - set(data.files)
            if missing:
                raise ValueError(f"{path} is not a FormFactorTable file: missing {sorted(missing)}")
            return cls(
                higgs_mass_gev=float(data["higgs_mass_gev"]),
                top_mass_gev=float(data["top_mass_gev"]),
                quadrature_order=int(data["quadrature_order"]),
                mass_nodes_gev=data["mass_nodes_gev"],
                abs_cos_nodes=data["abs_cos_nodes"],
                f_box=data["f_box"],
                g_box=data["g_box"],
            )


def table_mass_nodes(higgs_mass_gev: float, top_mass_gev: float, n_mass: int, mass_max_gev: float) -> np.ndarray:
    """m_HH nodes (GeV): from 2 m_H to mass_max, quadratically denser towards 2 m_t from both sides."""
    threshold = 2.0 * top_mass_gev
    lowest = 2.0 * higgs_mass_gev
    if not lowest < threshold < mass_max_gev:
        raise ValueError(f"need 2 m_H < 2 m_t < mass_max, got {lowest}, {threshold}, {mass_max_gev} GeV")
    if n_mass < 6:
        raise ValueError(f"n_mass must be >= 6, got {n_mass}")
    n_below = max(2, round(BELOW_THRESHOLD_FRACTION * n_mass))
    n_above = n_mass - n_below  # includes the node at 2 m_t
    below = threshold - (threshold - lowest) * (np.arange(n_below, 0, -1) / n_below) ** 2
    above = threshold + (mass_max_gev - threshold) * (np.arange(n_above) / (n_above - 1)) ** 2
    return np.concatenate([below, above])


def _box_row(args: tuple[np.ndarray, np.ndarray, float, float, int]) -> tuple[np.ndarray, np.ndarray]:
    """Form factors for masses (n,) x |cos theta*| (k,) (worker of the builder)."""
    masses, cosines, higgs_mass, top_mass, order = args
    s = masses[:, None] ** 2
    beta = np.sqrt(np.clip(1.0 - 4.0 * higgs_mass**2 / s, 0.0, None))
    t = higgs_mass**2 - 0.5 * s * (1.0 - beta * cosines[None, :])
    return box_form_factors(s, t, higgs_mass, top_mass, c0_order=2 * order, d0_order=order)


def build_form_factor_table(
    higgs_mass_gev: float,
    top_mass_gev: float,
    n_mass: int = DEFAULT_N_MASS,
    n_cos: int = DEFAULT_N_COS,
    mass_max_gev: float = DEFAULT_MASS_MAX_GEV,
    quadrature_order: int = DEFAULT_QUADRATURE_ORDER,
    n_workers: int = 1,
) -> FormFactorTable:
    """Compute F_box, G_box on an (n_mass x n_cos) grid up to mass_max_gev (GeV).

    Cost ~ n_mass n_cos quadrature_order^3 (the D0 integrals; C0 uses twice the order): the default
    size takes ~20-30 s on one core. quadrature_order must be >= 12 for per-cent accuracy near the top
    threshold (the cross section moves by > 5% at 10). A CI-sized table (n_mass=48, n_cos=3,
    mass_max_gev=2000, quadrature_order=12) builds in about a second and still reproduces the published
    LO kappa_lambda ratios within 5%.
    ``n_workers`` > 1 splits the mass rows over processes.
    """
    if n_cos < 3:
        raise ValueError(f"n_cos must be >= 3, got {n_cos}")
    if quadrature_order < MIN_QUADRATURE_ORDER:
        raise ValueError(f"quadrature_order must be >= {MIN_QUADRATURE_ORDER}, got {quadrature_order}")
    masses = table_mass_nodes(higgs_mass_gev, top_mass_gev, n_mass, mass_max_gev)
    cosines = np.linspace(0.0, 1.0, n_cos)
    blocks = np.array_split(masses, max(1, min(n_workers * 4, n_mass)))
    tasks = [(block, cosines, higgs_mass_gev, top_mass_gev, quadrature_order) for block in blocks]
    if n_workers > 1:
        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            rows = list(pool.map(_box_row, tasks))
    else:
        rows = [_box_row(task) for task in tasks]
    f_box = np.concatenate([row[0] for row in rows])
    g_box = np.concatenate([row[1] for row in rows])
    return FormFactorTable(
        higgs_mass_gev=float(higgs_mass_gev),
        top_mass_gev=float(top_mass_gev),
        quadrature_order=int(quadrature_order),
        mass_nodes_gev=masses,
        abs_cos_nodes=cosines,
        f_box=f_box,
        g_box=g_box,
    )
