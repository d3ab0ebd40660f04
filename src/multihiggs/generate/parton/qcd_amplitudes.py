"""Tree-level QCD amplitudes of massless quarks and gluons: colour-dressed Berends-Giele recursion.

Every subset S of the external legs but the last has one off-shell current, fixed by its flavour content:
a gluon (no open quark line), a psi (one open quark line of flavour f, fermion arrow into the rest) or a
psi-bar. Currents are built from smaller ones through the QCD vertices (Peskin & Schroeder's Feynman rules,
D_mu = d_mu - i g T^a A^a_mu, Feynman gauge, g_s = 1):

* quark-gluon  i gamma^mu T^a;  three-gluon  f^abc [g^mn (k1 - k2)^r + cyclic];  four-gluon  -i [f f (g g - g g) x 3];
* propagators  i p-slash / p^2 (quark, p along the fermion arrow),  -i g_mn / p^2 (gluon).

Colour is exact and summed: each current is a list of kinematic four-vectors (or spinors) on an orthonormal
basis of its colour tensors (:mod:`qcd_colour`), so the colour sum of |M|^2 is the sum of |coefficient|^2.
Helicities are summed over the two states of every external leg (:mod:`qcd_wavefunctions`), with the
configurations that vanish by chirality pruned. Identical quarks enter through :class:`QcdProcess`, which
antisymmetrises distinct-flavour amplitudes (relative sign -1 per exchange of identical fermions).
Four-vectors are (E, px, py, pz) in GeV; legs are incoming or outgoing with physical (positive-energy) momenta.
"""

from __future__ import annotations

import itertools
import string
from dataclasses import dataclass, field

import numpy as np

from multihiggs.generate.parton.qcd_colour import (
    GENERATORS,
    N_COLOURS,
    N_GLUONS,
    STRUCTURE_CONSTANTS,
    coefficients_on_basis,
    orthonormal_basis,
)
from multihiggs.generate.parton.qcd_wavefunctions import (
    N_SPIN_STATES,
    dirac_adjoint,
    gluon_polarisations,
    massless_spinors,
    minkowski_dot,
    slash_times_spinor,
    spinor_times_slash,
    vector_current,
)

GLUON = "g"
QUARK = "q"
ANTIQUARK = "qbar"
_PSI = "psi"
_PSIBAR = "psibar"
_LETTERS = string.ascii_letters


@dataclass(frozen=True)
class Parton:
    """One external leg: ``kind`` is g, q or qbar (the physical particle), ``incoming`` its direction, and
    ``flavour`` a label telling quark lines apart (ignored for gluons)."""

    kind: str
    incoming: bool
    flavour: int = 0

    def __post_init__(self) -> None:
        if self.kind not in (GLUON, QUARK, ANTIQUARK):
            raise ValueError(f"parton kind must be one of g, q, qbar, got {self.kind!r}")

    @classmethod
    def gluon(cls, incoming: bool) -> Parton:
        return cls(GLUON, incoming)

    @classmethod
    def quark(cls, incoming: bool, flavour: int = 0) -> Parton:
        return cls(QUARK, incoming, flavour)

    @classmethod
    def antiquark(cls, incoming: bool, flavour: int = 0) -> Parton:
        return cls(ANTIQUARK, incoming, flavour)

    @property
    def current_type(self) -> tuple[str, int]:
        """(g, 0), (psi, f) for an incoming quark or outgoing antiquark, (psibar, f) otherwise."""
        if self.kind == GLUON:
            return (GLUON, 0)
        carries_psi = (self.kind == QUARK) == self.incoming
        return (_PSI if carries_psi else _PSIBAR, self.flavour)

    @property
    def colour_dimension(self) -> int:
        """8 for a gluon, 3 for a quark or antiquark."""
        return N_GLUONS if self.kind == GLUON else N_COLOURS


def _subset_type(legs: tuple[Parton, ...], members: tuple[int, ...]) -> tuple[str, int] | None:
    """Current type of a subset: gluon if every quark line closes inside, psi/psibar if one line is open."""
    net: dict[int, int] = {}
    for index in members:
        kind, flavour = legs[index].current_type
        if kind != GLUON:
            net[flavour] = net.get(flavour, 0) + (1 if kind == _PSI else -1)
    open_lines = {flavour: n for flavour, n in net.items() if n != 0}
    if not open_lines:
        return (GLUON, 0)
    if len(open_lines) == 1:
        ((flavour, n),) = open_lines.items()
        if abs(n) == 1:
            return (_PSI if n == 1 else _PSIBAR, flavour)
    return None


@dataclass
class _Contribution:
    """One way of building a current: a vertex, its child subsets (in vertex order) and the colour map
    coefficients (r, r_1, ..., r_k) from the children's bases to the current's basis."""

    vertex: str
    children: tuple[int, ...]
    colour_map: np.ndarray


@dataclass
class _CurrentPlan:
    members: tuple[int, ...]
    current_type: tuple[str, int]
    basis: np.ndarray  # (r, prod(dims of members) x open dimension)
    contributions: list[_Contribution] = field(default_factory=list)


def _open_dimension(current_type: tuple[str, int]) -> int:
    return N_GLUONS if current_type[0] == GLUON else N_COLOURS


def _colour_tensors(vertex: str, children: list[np.ndarray], child_members: list[tuple[int, ...]]) -> np.ndarray:
    """Colour tensors (r_1, ..., r_k, legs in ascending order..., open) of a vertex joining child bases.

    children[i]: (r_i, legs of child i..., open_i). Vertex colour factors: ggg f^{a b n}; psi_g T^a_{n j}
    (psi child, gluon child); psibar_g T^a_{i n}; psibar_psi T^n_{i j}; gggg1 f^{abe} f^{cne};
    gggg2 f^{ace} f^{bne}; gggg3 f^{ane} f^{bce}.
    """
    letters = iter(_LETTERS)
    basis_axes = [next(letters) for _ in children]
    leg_axes = {index: next(letters) for members in child_members for index in members}
    open_axes = [next(letters) for _ in children]
    new_open, summed = next(letters), next(letters)
    a, b = open_axes[0], open_axes[1]
    factors = {
        "ggg": (f"{a}{b}{new_open}", [STRUCTURE_CONSTANTS]),
        "psi_g": (f"{b}{new_open}{a}", [GENERATORS]),
        "psibar_g": (f"{b}{a}{new_open}", [GENERATORS]),
        "psibar_psi": (f"{new_open}{a}{b}", [GENERATORS]),
    }
    if len(children) == 3:
        c = open_axes[2]
        factors |= {
            "gggg1": (f"{a}{b}{summed},{c}{new_open}{summed}", [STRUCTURE_CONSTANTS] * 2),
            "gggg2": (f"{a}{c}{summed},{b}{new_open}{summed}", [STRUCTURE_CONSTANTS] * 2),
            "gggg3": (f"{a}{new_open}{summed},{b}{c}{summed}", [STRUCTURE_CONSTANTS] * 2),
        }
    vertex_subscripts, vertex_tensors = factors[vertex]
    child_subscripts = [
        basis + "".join(leg_axes[i] for i in members) + open_axis
        for basis, members, open_axis in zip(basis_axes, child_members, open_axes, strict=True)
    ]
    output = "".join(basis_axes) + "".join(leg_axes[i] for i in sorted(leg_axes)) + new_open
    return np.einsum(",".join([*child_subscripts, vertex_subscripts]) + "->" + output, *children, *vertex_tensors)


def _vertex_kinematics(vertex: str, currents: list[np.ndarray], momenta: list[np.ndarray]) -> np.ndarray:
    """Kinematic vertex (r_1, ..., r_k, B, 4) of child currents (r_i, B, 4) with incoming momenta (B, 4)."""
    if vertex == "ggg":
        j1, j2 = currents[0][:, None], currents[1][None, :]
        k1, k2 = momenta
        return (
            minkowski_dot(j1, j2)[..., None] * (k1 - k2)
            + j2 * minkowski_dot(2 * k2 + k1, j1)[..., None]
            - j1 * minkowski_dot(2 * k1 + k2, j2)[..., None]
        )
    if vertex == "psi_g":
        return 1j * slash_times_spinor(currents[1][None, :], currents[0][:, None])
    if vertex == "psibar_g":
        return 1j * spinor_times_slash(currents[0][:, None], currents[1][None, :])
    if vertex == "psibar_psi":
        return 1j * vector_current(currents[0][:, None], currents[1][None, :])
    j1, j2, j3 = currents[0][:, None, None], currents[1][None, :, None], currents[2][None, None, :]
    d12, d13, d23 = (minkowski_dot(x, y)[..., None] for x, y in ((j1, j2), (j1, j3), (j2, j3)))
    terms = {"gggg1": d13 * j2 - d23 * j1, "gggg2": d12 * j3 - d23 * j1, "gggg3": d12 * j3 - d13 * j2}
    return -1j * terms[vertex]


class ColourDressedAmplitude:
    """Helicity amplitudes of one distinct-flavour QCD process on an orthonormal colour basis.

    ``final_basis`` (r, prod of leg colour dimensions) spans the amplitude's colour tensors (axes = legs in
    order); :meth:`evaluate` gives the coefficients on it, so sum_colours |M|^2 = sum_r |coefficient|^2.
    """

    def __init__(self, legs: tuple[Parton, ...]) -> None:
        if len(legs) < 3:
            raise ValueError(f"a QCD amplitude needs at least three legs, got {len(legs)}")
        self.legs = tuple(legs)
        self._last = len(legs) - 1
        rest = tuple(range(self._last))
        rest_type = _subset_type(self.legs, rest)
        last_kind, last_flavour = self.legs[self._last].current_type
        conjugate = {GLUON: GLUON, _PSI: _PSIBAR, _PSIBAR: _PSI}[last_kind]
        if _subset_type(self.legs, tuple(range(len(legs)))) != (GLUON, 0) or rest_type != (conjugate, last_flavour):
            raise ValueError("the legs do not conserve quark flavour: every quark line needs both ends")
        self._plans: dict[int, _CurrentPlan] = {}
        for size in range(1, self._last + 1):
            for members in itertools.combinations(rest, size):
                self._plan_subset(members)
        if (1 << self._last) - 1 not in self._plans:
            raise ValueError("no tree diagram connects these legs")
        self.final_basis = self._plans[(1 << self._last) - 1].basis

    @staticmethod
    def _mask(members: tuple[int, ...]) -> int:
        return sum(1 << i for i in members)

    def _plan_subset(self, members: tuple[int, ...]) -> None:
        current_type = _subset_type(self.legs, members)
        if current_type is None:
            return
        mask = self._mask(members)
        if len(members) == 1:
            dim = self.legs[members[0]].colour_dimension
            basis = (np.eye(dim, dtype=complex) / np.sqrt(dim)).reshape(1, -1)
            self._plans[mask] = _CurrentPlan(members, current_type, basis)
            return
        candidates = []
        for vertex, children in self._splits(members, current_type):
            plans = [self._plans[child] for child in children]
            shaped = [
                plan.basis.reshape(
                    plan.basis.shape[0],
                    *[self.legs[i].colour_dimension for i in plan.members],
                    _open_dimension(plan.current_type),
                )
                for plan in plans
            ]
            tensors = _colour_tensors(vertex, shaped, [plan.members for plan in plans])
            candidates.append((vertex, children, tensors))
        if not candidates:
            return
        ranks = [c[2].shape[: len(c[1])] for c in candidates]
        flat = np.concatenate([c[2].reshape(int(np.prod(r)), -1) for c, r in zip(candidates, ranks, strict=True)])
        basis = orthonormal_basis(flat)
        plan = _CurrentPlan(members, current_type, basis)
        for (vertex, children, tensors), rank in zip(candidates, ranks, strict=True):
            coefficients = coefficients_on_basis(basis, tensors.reshape(int(np.prod(rank)), -1))
            colour_map = np.moveaxis(coefficients.reshape(*rank, basis.shape[0]), -1, 0)
            plan.contributions.append(_Contribution(vertex, children, colour_map))
        self._plans[mask] = plan

    def _splits(self, members: tuple[int, ...], current_type: tuple[str, int]):
        """(vertex, child masks in vertex order) for every unordered split of a subset into 2 or 3 currents."""
        mask = self._mask(members)
        first, rest = members[0], members[1:]
        for size in range(len(rest)):
            for others in itertools.combinations(rest, size):
                part_a = self._mask((first, *others))
                part_b = mask ^ part_a
                if part_a not in self._plans or part_b not in self._plans:
                    continue
                type_a, type_b = self._plans[part_a].current_type, self._plans[part_b].current_type
                pair = {type_a[0]: part_a, type_b[0]: part_b} if type_a[0] != type_b[0] else None
                if current_type[0] == GLUON and type_a[0] == type_b[0] == GLUON:
                    yield "ggg", (part_a, part_b)
                elif current_type[0] == GLUON and pair is not None and _PSI in pair and _PSIBAR in pair:
                    yield "psibar_psi", (pair[_PSIBAR], pair[_PSI])
                elif current_type[0] in (_PSI, _PSIBAR) and pair is not None and GLUON in pair:
                    yield f"{current_type[0]}_g", (pair[current_type[0]], pair[GLUON])
        if current_type[0] != GLUON or len(members) < 3:
            return
        for mask_a, mask_b, mask_c in self._gluon_triples(members):
            for vertex in ("gggg1", "gggg2", "gggg3"):
                yield vertex, (mask_a, mask_b, mask_c)

    def _gluon_triples(self, members: tuple[int, ...]):
        """Unordered partitions of a subset into three gluon currents."""
        labels = itertools.product(range(3), repeat=len(members) - 1)
        for assignment in labels:
            groups = [[members[0]], [], []]
            for index, group in zip(members[1:], assignment, strict=True):
                groups[group].append(index)
            if not groups[1] or not groups[2] or min(groups[1]) > min(groups[2]):
                continue
            masks = [self._mask(tuple(group)) for group in groups]
            if all(m in self._plans and self._plans[m].current_type[0] == GLUON for m in masks):
                yield tuple(masks)

    def _external_currents(self, momenta: np.ndarray, helicities: np.ndarray) -> list[np.ndarray]:
        """Wavefunction (B, 4) of each leg for every (event, helicity configuration), B = N x H."""
        currents = []
        for index, leg in enumerate(self.legs):
            states = helicities[:, index]
            if leg.kind == GLUON:
                wave = gluon_polarisations(momenta[:, index])[:, states]
            else:
                spinors = massless_spinors(momenta[:, index])[:, states]
                wave = spinors if leg.current_type[0] == _PSI else dirac_adjoint(spinors)
            currents.append(wave.reshape(-1, 4))
        return currents

    def evaluate(self, momenta: np.ndarray, helicities: np.ndarray) -> np.ndarray:
        """Colour coefficients (N, H, r) of the amplitudes at momenta (N, n, 4) for configurations (H, n) of 0/1."""
        momenta = np.asarray(momenta, dtype=float)
        n_events, n_hel = momenta.shape[0], helicities.shape[0]
        incoming = np.array([1.0 if leg.incoming else -1.0 for leg in self.legs])
        flow = np.repeat(momenta * incoming[None, :, None], n_hel, axis=0)  # (B, n, 4) into the vertices
        external = self._external_currents(momenta, helicities)
        subset_momenta = {mask: flow[:, list(plan.members)].sum(axis=1) for mask, plan in self._plans.items()}
        currents: dict[int, np.ndarray] = {}
        final_mask = (1 << self._last) - 1
        for mask, plan in self._plans.items():  # insertion order: by subset size
            if len(plan.members) == 1:
                dim = self.legs[plan.members[0]].colour_dimension
                currents[mask] = np.sqrt(dim) * external[plan.members[0]][None]
                continue
            total = None
            for contribution in plan.contributions:
                children = [currents[child] for child in contribution.children]
                child_momenta = [subset_momenta[child] for child in contribution.children]
                kinematic = _vertex_kinematics(contribution.vertex, children, child_momenta)
                k = len(contribution.children)
                term = np.tensordot(contribution.colour_map, kinematic, axes=(list(range(1, k + 1)), list(range(k))))
                total = term if total is None else total + term
            if mask == final_mask:
                return self._close(total, plan.current_type, external[self._last]).reshape(n_events, n_hel, -1)
            currents[mask] = self._propagate(total, plan.current_type, subset_momenta[mask])
        raise RuntimeError("the final current was never built")

    @staticmethod
    def _propagate(vertex_sum: np.ndarray, current_type: tuple[str, int], momentum: np.ndarray) -> np.ndarray:
        """Apply the propagator of a current of total incoming momentum (B, 4) to its vertex sum (r, B, 4)."""
        virtuality = minkowski_dot(momentum, momentum)[None, :, None]
        if current_type[0] == GLUON:
            return -1j * vertex_sum / virtuality
        if current_type[0] == _PSI:  # momentum along the fermion arrow: +P into the rest, -P for a psi-bar
            return 1j * slash_times_spinor(momentum[None], vertex_sum) / virtuality
        return -1j * spinor_times_slash(vertex_sum, momentum[None]) / virtuality

    @staticmethod
    def _close(vertex_sum: np.ndarray, current_type: tuple[str, int], last: np.ndarray) -> np.ndarray:
        """Amplitude (r, B) -> (B, r): the last leg's wavefunction (B, 4) on the amputated rest current."""
        if current_type[0] == GLUON:
            amplitude = minkowski_dot(vertex_sum, last[None])
        else:
            amplitude = np.einsum("rbc,bc->rb", vertex_sum, last)
        return amplitude.T


def all_helicities(n_legs: int) -> np.ndarray:
    """Every configuration (2^n, n) of the two states of n legs."""
    return np.array(list(itertools.product(range(N_SPIN_STATES), repeat=n_legs)), dtype=int)


class QcdProcess:
    """Colour- and helicity-summed |M|^2 (g_s = 1) of a massless QCD process with identical quarks allowed.

    ``legs`` use physical flavour labels; every way of pairing identical quarks with identical antiquarks into
    lines gives one distinct-flavour amplitude, with sign (-1)^(permutation) (Fermi statistics).
    """

    def __init__(self, legs: tuple[Parton, ...]) -> None:
        self.legs = tuple(legs)
        self._terms = [(sign, ColourDressedAmplitude(relabelled)) for sign, relabelled in _line_pairings(self.legs)]
        #: (r, prod of leg colour dimensions): the orthonormal colour tensors the amplitudes are coefficients on
        self.colour_basis = orthonormal_basis(np.concatenate([amplitude.final_basis for _, amplitude in self._terms]))
        self._maps = [
            sign * coefficients_on_basis(self.colour_basis, amplitude.final_basis) for sign, amplitude in self._terms
        ]
        self.helicities = all_helicities(len(self.legs))

    def amplitudes(self, momenta: np.ndarray) -> np.ndarray:
        """Coefficients (N, H, r) of the full amplitude on a joint orthonormal colour basis."""
        total = None
        for (_, amplitude), colour_map in zip(self._terms, self._maps, strict=True):
            term = amplitude.evaluate(momenta, self.helicities) @ colour_map
            total = term if total is None else total + term
        return total

    def squared(self, momenta: np.ndarray) -> np.ndarray:
        """sum over colours and helicities of |M|^2 (N,) at g_s = 1 (no averaging, no symmetry factor)."""
        return np.sum(np.abs(self.amplitudes(np.asarray(momenta, dtype=float))) ** 2, axis=(1, 2))

    def prune_helicities(self, momenta: np.ndarray, tolerance: float = 1e-12) -> int:
        """Keep only helicity configurations that contribute at sample momenta (N, n, 4); returns how many."""
        per_config = np.sum(np.abs(self.amplitudes(np.asarray(momenta, dtype=float))) ** 2, axis=(0, 2))
        keep = per_config > tolerance * per_config.max()
        self.helicities = self.helicities[keep]
        return int(keep.sum())


def _line_pairings(legs: tuple[Parton, ...]):
    """(sign, legs with line labels) for every assignment of psi-ends to psi-bar-ends of equal flavour."""
    psi = [i for i, leg in enumerate(legs) if leg.kind != GLUON and leg.current_type[0] == _PSI]
    psibar = [i for i, leg in enumerate(legs) if leg.kind != GLUON and leg.current_type[0] == _PSIBAR]
    if len(psi) != len(psibar):
        raise ValueError("quark lines do not close: unequal numbers of quark and antiquark ends")
    for permutation in itertools.permutations(range(len(psibar))):
        if any(legs[psi[i]].flavour != legs[psibar[j]].flavour for i, j in enumerate(permutation)):
            continue
        relabelled = list(legs)
        for line, (psi_leg, j) in enumerate(zip(psi, permutation, strict=True)):
            relabelled[psi_leg] = Parton(legs[psi_leg].kind, legs[psi_leg].incoming, line)
            relabelled[psibar[j]] = Parton(legs[psibar[j]].kind, legs[psibar[j]].incoming, line)
        yield _permutation_sign(permutation), tuple(relabelled)


def _permutation_sign(permutation: tuple[int, ...]) -> float:
    inversions = sum(
        1 for i, j in itertools.combinations(range(len(permutation)), 2) if permutation[i] > permutation[j]
    )
    return -1.0 if inversions % 2 else 1.0
