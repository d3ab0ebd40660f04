"""pp -> Q Qbar Q' Qbar' at leading order (b b-bar b b-bar, b b-bar c c-bar): weighted events above generation cuts.

The four-b-tag QCD background lives in events with several heavy-flavour jets, which a 2 -> 2 shower sample makes
only through rare g -> Q Qbar splittings. Here they come from their own tree-level matrix elements
(:mod:`qcd_amplitudes`, massless quarks, exact colour and helicity sums) at O(alpha_s^4):

* g g -> final state, and q qbar -> final state for the light flavours u, d, s, c from either beam (a light quark
  equal to a final-state flavour takes part in the antisymmetrisation; b quarks are not taken from the proton);
* mu_R = mu_F = ``scale_factor`` x H_T (sum of the final partons' pT), one-loop alpha_s and Pythia's default PDF;
* a symmetry factor 1 / k! for k identical final-state quarks (1/4 for b b-bar b b-bar).

Events are sampled by the multichannel phase space (:mod:`multijet_phase_space`) and carry weights in pb whose
mean over all sampled points is the cross section inside the cuts; :func:`partially_unweight` then thins the
points to fewer events of (mostly) equal weight, without bias.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from math import factorial

import numpy as np

from multihiggs.constants import GEV2_TO_PB, GLUON_PID
from multihiggs.generate.parton.colour_flow import FlowChooser
from multihiggs.generate.parton.envelope_sampling import draw_per_row
from multihiggs.generate.parton.lhe import LheRecords
from multihiggs.generate.parton.multijet_phase_space import (
    Channel,
    FlatChannel,
    PairChannel,
    PartonCuts,
    PhaseSpacePoints,
    sample_phase_space,
    transverse_momentum,
)
from multihiggs.generate.parton.parton_luminosity import PartonPdf, alpha_s_one_loop, build_parton_pdf_from_pythia
from multihiggs.generate.parton.qcd_amplitudes import GLUON, Parton, QcdProcess

LIGHT_QUARKS = (1, 2, 3, 4)  # d, u, s, c: the quarks taken from the proton
GLUON_AVERAGE = 4 * 64  # spins x colours of two incoming gluons
QUARK_AVERAGE = 4 * 9
FOUR_B = (5, -5, 5, -5)
TWO_B_TWO_C = (5, -5, 4, -4)
FINAL_STATES = {"bbbb": FOUR_B, "bbcc": TWO_B_TWO_C}
PRUNING_SEED = 20261207
FLAT_PT_POWER = 0.7  # Pareto power of the flat channels' pT
FLAT_CHANNEL_SHARE = 0.1  # of the points, per flat channel


def _parton(pid: int, incoming: bool) -> Parton:
    if pid == GLUON_PID:
        return Parton(GLUON, incoming)
    return Parton("q" if pid > 0 else "qbar", incoming, abs(pid))


def symmetry_factor(final_pids: tuple[int, ...]) -> float:
    """1 / prod k! over groups of k identical final-state particles."""
    return 1.0 / float(np.prod([factorial(k) for k in Counter(final_pids).values()]))


def default_channels(final_pids: tuple[int, ...]) -> tuple[tuple[Channel, ...], np.ndarray]:
    """Four flat channels (each parton balancing once, 10 % each) and a pair channel per same-flavour
    quark-antiquark pairing (sharing the remaining 60 %): g -> Q Qbar pairs of mass 8-150 GeV, pair pT > 60 GeV
    (Pareto 2).

    Chosen by measurement (effective events per CPU-second with every quark above 35 GeV, where tagged jets come
    from; generation cuts pT > 25 GeV, Delta R > 0.4): 16 (b b-bar b b-bar) and 24 (b b-bar c c-bar) per second,
    against 10 and 13 with pair pT > 40 GeV (Pareto 3) and flat Pareto 1.5, and about a tenth of that with flat
    channels alone.
    """
    quarks = [i for i, pid in enumerate(final_pids) if pid > 0]
    antiquarks = [i for i, pid in enumerate(final_pids) if pid < 0]
    pairings = [
        ((quarks[0], a), (quarks[1], b))
        for a, b in ((antiquarks[0], antiquarks[1]), (antiquarks[1], antiquarks[0]))
        if final_pids[a] == -final_pids[quarks[0]] and final_pids[b] == -final_pids[quarks[1]]
    ]
    flat = tuple(FlatChannel(len(final_pids), FLAT_PT_POWER, balancing) for balancing in range(len(final_pids)))
    pairs = tuple(
        PairChannel(a, b, mass_min_gev=8.0, mass_max_gev=150.0, pair_pt_min_gev=60.0, pt_power=2.0) for a, b in pairings
    )
    alphas = [FLAT_CHANNEL_SHARE] * len(flat) + [(1 - FLAT_CHANNEL_SHARE * len(flat)) / len(pairs)] * len(pairs)
    return flat + pairs, np.array(alphas)


@dataclass(frozen=True)
class WeightedEvents:
    """Sampled points: momenta (m, 6, 4) (E, px, py, pz) GeV, beams first; incoming PDG ids (m, 2) of the chosen
    initial state; weights (m,) pb (mean = sigma inside the cuts; 0 outside); scale (m,) GeV."""

    momenta: np.ndarray
    incoming_pids: np.ndarray
    weights_pb: np.ndarray
    scale_gev: np.ndarray

    def __len__(self) -> int:
        return int(self.weights_pb.shape[0])

    def select(self, mask: np.ndarray, weights_pb: np.ndarray | None = None) -> WeightedEvents:
        """The events of ``mask`` (optionally with new weights for them)."""
        return WeightedEvents(
            self.momenta[mask],
            self.incoming_pids[mask],
            self.weights_pb[mask] if weights_pb is None else weights_pb,
            self.scale_gev[mask],
        )


class FourQuarkProcess:
    """pp -> ``final_pids`` (four quarks) at LO inside ``cuts`` at sqrt(s) (GeV)."""

    def __init__(
        self,
        final_pids: tuple[int, ...],
        cuts: PartonCuts,
        sqrt_s_gev: float,
        scale_factor: float = 0.5,
        pdfs: dict[int, PartonPdf] | None = None,
    ) -> None:
        if len(final_pids) != 4 or sum(np.sign(final_pids)) != 0:
            raise ValueError(f"need two quarks and two antiquarks, got {final_pids}")
        if scale_factor <= 0:
            raise ValueError(f"scale_factor must be positive, got {scale_factor}")
        self.final_pids = tuple(final_pids)
        self.cuts, self.sqrt_s_gev, self.scale_factor = cuts, sqrt_s_gev, scale_factor
        final = tuple(_parton(pid, incoming=False) for pid in final_pids)
        final_flavours = {abs(pid) for pid in final_pids}
        distinct = [q for q in LIGHT_QUARKS if q not in final_flavours]
        # Light flavours absent from the final state share one |M|^2 (massless QCD); a flavour present in it
        # (c in b b-bar c c-bar) has its own, antisymmetrised with the final-state quark.
        self._process_key = {q: q if q in final_flavours else distinct[0] for q in LIGHT_QUARKS}
        self._processes = {GLUON_PID: QcdProcess((_parton(GLUON_PID, True), _parton(GLUON_PID, True), *final))}
        for key in sorted(set(self._process_key.values())):
            self._processes[key] = QcdProcess((_parton(key, True), _parton(-key, True), *final))
        self.symmetry = symmetry_factor(self.final_pids)
        needed = (GLUON_PID, *LIGHT_QUARKS, *(-q for q in LIGHT_QUARKS))
        self.pdfs = pdfs if pdfs is not None else {pid: build_parton_pdf_from_pythia(pid) for pid in needed}
        self.channels, self.alphas = default_channels(self.final_pids)
        self._pruned = False
        self._flow_choosers: dict[int, FlowChooser] = {}

    def _prune(self) -> None:
        """Drop the helicity configurations that vanish (chirality): found on a fixed probe, so no generator
        stream is consumed."""
        probe = sample_phase_space(
            np.random.default_rng(PRUNING_SEED), 4000, self.channels, self.alphas, self.cuts, self.sqrt_s_gev
        )
        momenta = probe.momenta[probe.weight > 0][:32]
        for process in self._processes.values():
            process.prune_helicities(momenta)
        self._pruned = True

    def initial_states(self) -> list[tuple[int, int]]:
        """Every (beam 1, beam 2) parton pair that contributes."""
        pairs = [(GLUON_PID, GLUON_PID)]
        for q in LIGHT_QUARKS:
            pairs += [(q, -q), (-q, q)]
        return pairs

    def weigh(self, points: PhaseSpacePoints) -> np.ndarray:
        """Weights (m, n_initial) in pb of every initial state at the phase-space points (0 outside the cuts)."""
        inside = points.weight > 0
        weights = np.zeros((len(points.weight), len(self.initial_states())))
        if not inside.any():
            return weights
        momenta = points.momenta[inside]
        x1, x2 = points.x1[inside], points.x2[inside]
        scale = self.scale(momenta)
        q2 = scale**2
        shat = x1 * x2 * self.sqrt_s_gev**2
        common = points.weight[inside] * (4 * np.pi * alpha_s_one_loop(scale)) ** 4 / (2 * shat)
        common *= self.symmetry * GEV2_TO_PB / (x1 * x2)
        density_1 = {pid: pdf.xf(x1, q2) for pid, pdf in self.pdfs.items()}
        density_2 = {pid: pdf.xf(x2, q2) for pid, pdf in self.pdfs.items()}
        squared: dict[tuple[int, bool], np.ndarray] = {}
        for column, (a, b) in enumerate(self.initial_states()):
            key = (GLUON_PID, False) if a == GLUON_PID else (self._process_key[abs(a)], a < 0)
            if key not in squared:
                ordered = momenta[:, [1, 0, 2, 3, 4, 5]] if key[1] else momenta  # the quark is leg 0
                average = GLUON_AVERAGE if a == GLUON_PID else QUARK_AVERAGE
                squared[key] = self._processes[key[0]].squared(ordered) / average
            weights[inside, column] = common * density_1[a] * density_2[b] * squared[key]
        return weights

    def lhe_records(self, events: WeightedEvents, rng: np.random.Generator) -> LheRecords:
        """Les Houches records of ``events``: each gets a colour flow drawn from its initial state's amplitude."""
        n = len(events)
        final = np.array(self.final_pids)
        pids = np.concatenate([events.incoming_pids, np.tile(final, (n, 1))], axis=1)
        status = np.tile([-1, -1] + [1] * len(final), (n, 1))
        mothers = np.tile(np.array([(0, 0), (0, 0)] + [(1, 2)] * len(final)), (n, 1, 1))
        colours = np.zeros((n, 2 + len(final), 2), dtype=int)
        first = events.incoming_pids[:, 0]
        keys = np.array([GLUON_PID if a == GLUON_PID else self._process_key[abs(a)] for a in first])
        for key in np.unique(keys):
            for antiquark_first in (False, True):
                selected = (keys == key) & ((first < 0) == antiquark_first)
                if not selected.any():
                    continue
                order = [1, 0, 2, 3, 4, 5] if antiquark_first else [0, 1, 2, 3, 4, 5]
                chooser = self._flow_choosers.setdefault(int(key), FlowChooser(self._processes[int(key)]))
                tags = chooser.choose(events.momenta[selected][:, order], rng)
                colours[selected] = tags[:, order]
        momenta = events.momenta[..., [1, 2, 3, 0]]
        return LheRecords(
            pids, status, mothers, colours, momenta, np.zeros(pids.shape), events.weights_pb, events.scale_gev
        )

    def scale(self, momenta: np.ndarray) -> np.ndarray:
        """mu_R = mu_F (GeV) of events (m, 6, 4): scale_factor x H_T of the final partons."""
        return self.scale_factor * transverse_momentum(momenta[:, 2:]).sum(axis=1)

    def generate(self, n_points: int, rng: np.random.Generator, batch_size: int = 2000) -> WeightedEvents:
        """Sample n_points phase-space points (weights 0 outside the cuts); each gets an initial state drawn in
        proportion to its share of the point's weight."""
        if n_points < 1:
            raise ValueError(f"n_points must be >= 1, got {n_points}")
        if not self._pruned:
            self._prune()
        parts = []
        initial = np.array(self.initial_states())
        for start in range(0, n_points, batch_size):
            points = sample_phase_space(
                rng, min(batch_size, n_points - start), self.channels, self.alphas, self.cuts, self.sqrt_s_gev
            )
            by_initial = self.weigh(points)
            total = by_initial.sum(axis=1)
            chosen = draw_per_row(by_initial, rng)
            scale = np.where(total > 0, self.scale(points.momenta), 0.0)
            parts.append(WeightedEvents(points.momenta, initial[chosen], total, scale))
        fields = WeightedEvents.__dataclass_fields__
        return WeightedEvents(*(np.concatenate([getattr(part, name) for part in parts]) for name in fields))


def partially_unweight(
    events: WeightedEvents, cap_pb: float, rng: np.random.Generator, bias: np.ndarray | None = None
) -> WeightedEvents:
    """Keep each event with probability min(1, b w / cap) and give it weight max(w, cap / b): sums stay
    unbiased. Without a bias (b = 1) events below the cap become equal-weight and the few above keep their own
    weight; a bias b > 0 per event (e.g. growing with pT) keeps more of the events it favours, at lower weights."""
    if cap_pb <= 0:
        raise ValueError(f"the unweighting cap must be positive, got {cap_pb}")
    bias = np.ones(len(events)) if bias is None else np.asarray(bias, dtype=float)
    if bias.shape != (len(events),) or np.any(~(bias > 0)):
        raise ValueError("the unweighting bias must be positive, one value per event")
    keep = rng.random(len(events)) * cap_pb < bias * events.weights_pb
    return events.select(keep, np.maximum(events.weights_pb[keep], cap_pb / bias[keep]))


def pt_bias(events: WeightedEvents, pt_min_gev: float, power: float) -> np.ndarray:
    """(pT_4 / pT_min)^power with pT_4 the smallest final-state pT (GeV) of each event: favours events whose every
    quark can make a tagged jet."""
    return (transverse_momentum(events.momenta[:, 2:]).min(axis=1) / pt_min_gev) ** power


def cap_for_events(weights_pb: np.ndarray, n_events: float) -> float:
    """The cap at which partially unweighting ``weights_pb`` (times its bias, if any) keeps ``n_events`` events
    on average."""
    positive = np.sort(weights_pb[weights_pb > 0])
    if positive.size == 0:
        raise ValueError("no positive weight: nothing to unweight")
    if n_events >= positive.size:
        return float(positive[0])
    # expected kept = sum min(1, w / cap): decreasing in cap; bisect on log cap.
    low, high = np.log(positive[0]), np.log(positive[-1])
    for _ in range(100):
        middle = 0.5 * (low + high)
        kept = np.minimum(1.0, positive / np.exp(middle)).sum()
        low, high = (middle, high) if kept > n_events else (low, middle)
    return float(np.exp(0.5 * (low + high)))
