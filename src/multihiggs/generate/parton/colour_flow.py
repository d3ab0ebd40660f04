"""Colour flows of QCD amplitudes for the parton shower: which colour lines connect which partons.

A shower needs every event's partons tied by colour lines (Les Houches colour tags). With all partons crossed to
outgoing, each quark (and each gluon's colour) is a *source* of a colour line and each antiquark (and each gluon's
anticolour) a *sink*; a flow joins every source to one sink, never a gluon to itself. Its colour tensor is the
product of the Kronecker deltas it draws, a gluon's (colour c, anticolour d) entering as the generator T^a_dc.
The amplitude is decomposed on the (normalised) flow tensors, M = sum_flow J_flow F_flow (least squares: tree
amplitudes lie in their span), and an event's flow is drawn with probability proportional to the helicity sum of
|J_flow|^2 — the leading-colour choice of matrix-element generators (the 1/N_c^2 interference between flows only
feeds the shower's starting colour connections).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from multihiggs.generate.parton.envelope_sampling import draw_per_row
from multihiggs.generate.parton.qcd_amplitudes import GLUON, QUARK, Parton, QcdProcess
from multihiggs.generate.parton.qcd_colour import GENERATORS, N_COLOURS, coefficients_on_basis

FIRST_COLOUR_TAG = 501


@dataclass(frozen=True)
class _End:
    """One end of a colour line: the leg and, for a gluon, which of its two indices (0 colour, 1 anticolour)."""

    leg: int
    index: int = 0


def _sources_and_sinks(legs: tuple[Parton, ...]) -> tuple[list[_End], list[_End]]:
    sources, sinks = [], []
    for i, leg in enumerate(legs):
        if leg.kind == GLUON:
            sources.append(_End(i, 0))
            sinks.append(_End(i, 1))
        elif (leg.kind == QUARK) != leg.incoming:  # outgoing quark or incoming antiquark
            sources.append(_End(i))
        else:
            sinks.append(_End(i))
    return sources, sinks


def _closed_gluon_loops(legs: tuple[Parton, ...], lines: tuple[tuple[_End, _End], ...]) -> int:
    """Number of colour loops through gluons only (not on a string from a quark source to an antiquark sink)."""
    next_leg = {source.leg: sink.leg for source, sink in lines}  # colour leaves leg -> enters leg
    gluons = {i for i, leg in enumerate(legs) if leg.kind == GLUON}
    on_strings: set[int] = set()
    for start in (source.leg for source, _ in lines if legs[source.leg].kind != GLUON):
        leg = next_leg[start]
        while leg in gluons:
            on_strings.add(leg)
            leg = next_leg[leg]
    loops, unvisited = 0, gluons - on_strings
    while unvisited:
        loops += 1
        leg = unvisited.pop()
        while (leg := next_leg[leg]) in unvisited:
            unvisited.discard(leg)
    return loops


def colour_flows(legs: tuple[Parton, ...]) -> list[tuple[tuple[_End, _End], ...]]:
    """Every tree-level flow: (source, sink) lines joining all sources to all sinks such that every gluon sits on
    a quark string (with quarks) or all gluons form one ring (without): no gluon closes on itself."""
    sources, sinks = _sources_and_sinks(legs)
    allowed_loops = 1 if all(leg.kind == GLUON for leg in legs) else 0
    flows = []
    for permutation in itertools.permutations(range(len(sinks))):
        lines = tuple((sources[i], sinks[j]) for i, j in enumerate(permutation))
        if _closed_gluon_loops(legs, lines) == allowed_loops:
            flows.append(lines)
    return flows


def flow_tensor(legs: tuple[Parton, ...], flow: tuple[tuple[_End, _End], ...]) -> np.ndarray:
    """The flow's colour tensor, flattened over the legs' colour axes (3 per quark, 8 per gluon) in leg order."""
    # explicit tensor with two 3-dim axes per gluon (colour, anticolour) and one per quark
    axes = {}
    for i, leg in enumerate(legs):
        axes[_End(i, 0)] = len(axes)
        if leg.kind == GLUON:
            axes[_End(i, 1)] = len(axes)
    letters = "abcdefghijklmnopqrstuvwxyz"
    delta = np.eye(N_COLOURS)
    operands, subscripts = [], []
    for source, sink in flow:
        operands.append(delta)
        subscripts.append(letters[axes[source]] + letters[axes[sink]])
    output = []
    for i, leg in enumerate(legs):
        if leg.kind == GLUON:
            # (colour c, anticolour d) -> adjoint a via T^a_dc
            adjoint = letters[len(axes) + i]
            operands.append(GENERATORS)
            subscripts.append(adjoint + letters[axes[_End(i, 1)]] + letters[axes[_End(i, 0)]])
            output.append(adjoint)
        else:
            output.append(letters[axes[_End(i, 0)]])
    tensor = np.einsum(",".join(subscripts) + "->" + "".join(output), *operands)
    return tensor.reshape(-1) / np.linalg.norm(tensor)


def lhe_colour_tags(legs: tuple[Parton, ...], flow: tuple[tuple[_End, _End], ...]) -> np.ndarray:
    """Les Houches (colour, anticolour) tags (n, 2) of the legs for one flow (0 = none).

    Outgoing partons: a source carries its line as colour, a sink as anticolour. Incoming partons are the
    crossed ones: an incoming quark (a sink) carries its line as colour, an incoming antiquark (a source) as
    anticolour, and an incoming gluon swaps its two.
    """
    tags = np.zeros((len(legs), 2), dtype=int)
    for number, (source, sink) in enumerate(flow):
        tag = FIRST_COLOUR_TAG + number
        for end, is_source in ((source, True), (sink, False)):
            leg = legs[end.leg]
            slot = 0 if is_source else 1
            if leg.incoming:
                slot = 1 - slot
            tags[end.leg, slot] = tag
    return tags


class FlowChooser:
    """Draws a colour flow per event of a process from its amplitudes (module docstring)."""

    def __init__(self, process: QcdProcess) -> None:
        self.process = process
        self.flows = colour_flows(process.legs)
        tensors = np.stack([flow_tensor(process.legs, flow) for flow in self.flows])
        on_basis = coefficients_on_basis(process.colour_basis, tensors)  # (n_flows, r)
        self._decomposition = np.linalg.pinv(on_basis.T)  # (n_flows, r): amplitude coefficients -> J_flow
        self.tags = np.stack([lhe_colour_tags(process.legs, flow) for flow in self.flows])

    def flow_weights(self, momenta: np.ndarray) -> np.ndarray:
        """(N, n_flows) sum over helicities of |J_flow|^2 at momenta (N, n, 4)."""
        flow_amplitudes = self.process.amplitudes(momenta) @ self._decomposition.T  # (N, H, n_flows)
        return np.sum(np.abs(flow_amplitudes) ** 2, axis=1)

    def choose(self, momenta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Colour tags (N, n, 2) of a flow drawn per event in proportion to :meth:`flow_weights`."""
        return self.tags[draw_per_row(self.flow_weights(momenta), rng)]
