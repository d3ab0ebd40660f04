"""Pythia 8 (``pythia8mc``): parton shower, MPI, hadronisation and Higgs decays, run in batches.

Signal events enter as Les Houches files from our parton-level generator (``Beams:frameType = 4``); QCD
multijet events come from Pythia's own ``HardQCD`` processes with a p̂T-biased phase-space selection whose
compensating weights the caller turns into cross-section weights.

Heavy-flavour enrichment of QCD (the four-b-tag background lives in the rare events with ≥ 3–4 b jets):

* :func:`g_to_bb_enhancement_settings`: Pythia's weighted shower enhancement multiplies the FSR g → bb̄ splitting
  probability by a factor K and gives each event the compensating weight (it arrives in ``info.weights`` with the
  bias weight, so :func:`bias_weights` carries it): the distributions stay exact, the bb̄ pairs come K times as often.
* :class:`HardFlavourVeto`: a process-level veto that keeps only events with (or only events without) a b quark
  among the hard process' incoming and outgoing partons. A vetoed event stops at the process level (almost no
  CPU) and does not enter Pythia's ``sigmaGen``, which then is the cross section of the kept class.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import awkward as ak
import fastjet
import numpy as np
import pythia8mc
from pythia8mc import Particle

from multihiggs.constants import B_QUARK_PID
from multihiggs.generate.heavy_flavour_regions import RegionDefinition, heavy_quark_counts, region_of
from multihiggs.generate.parton_jet_thinning import thinning_weight
from multihiggs.samples import PartonJetThinning

MB_TO_PB = 1.0e9
#: First entry of Pythia's process record after the system (0) and the two beams (1, 2): the hard process.
_FIRST_HARD_PROCESS_ENTRY = 3
_MAX_PYTHIA_SEED = 900_000_000
_QUIET = ("Print:quiet = on", "Next:numberCount = 0")
#: Leading parton-jet pTs the thinning hook records per event (for benchmarks of other requirements).
_RECORDED_PARTON_JETS = 8


@dataclass(frozen=True)
class ShowerSettings:
    """Switches of the shower stage shared by every sample."""

    multiparton_interactions: bool = True
    hadronisation: bool = True


def common_settings(settings: ShowerSettings, seed: int) -> list[str]:
    """Pythia settings every sample uses: seed, MPI and hadronisation switches, quiet output."""
    if not 0 <= seed <= _MAX_PYTHIA_SEED:
        raise ValueError(f"Pythia seed must be in [0, {_MAX_PYTHIA_SEED}], got {seed}")
    return [
        *_QUIET,
        "Random:setSeed = on",
        f"Random:seed = {seed}",
        f"PartonLevel:MPI = {'on' if settings.multiparton_interactions else 'off'}",
        f"HadronLevel:all = {'on' if settings.hadronisation else 'off'}",
    ]


def higgs_decay_settings(higgs_mass_gev: float) -> list[str]:
    """Scalar (PDG 25) of mass ``higgs_mass_gev`` decaying to b b̄ only."""
    return [
        f"25:m0 = {higgs_mass_gev}",
        "25:onMode = off",
        "25:onIfMatch = 5 -5",
    ]


def lhe_input_settings(lhe_path: str | Path) -> list[str]:
    """Read the hard process from a Les Houches event file."""
    return ["Beams:frameType = 4", f"Beams:LHEF = {Path(lhe_path)}"]


def qcd_settings(sqrt_s_gev: float, pthat_min_gev: float, bias_power: float) -> list[str]:
    """QCD 2→2 (``HardQCD:all``) above ``pthat_min_gev`` with events biased as (p̂T / p̂T_min)^bias_power."""
    if pthat_min_gev <= 0:
        raise ValueError(f"QCD pthat_min_gev must be positive, got {pthat_min_gev}")
    settings = [f"Beams:eCM = {sqrt_s_gev}", "HardQCD:all = on", f"PhaseSpace:pTHatMin = {pthat_min_gev}"]
    if bias_power > 0:
        settings += [
            "PhaseSpace:bias2Selection = on",
            f"PhaseSpace:bias2SelectionPow = {bias_power}",
            f"PhaseSpace:bias2SelectionRef = {pthat_min_gev}",
        ]
    return settings


def g_to_bb_enhancement_settings(factor: float) -> list[str]:
    """Pythia's weighted FSR g → bb̄ enhancement by ``factor`` (≥ 1; 1: no setting at all, today's sample)."""
    if not factor >= 1.0:
        raise ValueError(f"the g -> bb enhancement factor must be >= 1, got {factor}")
    if factor == 1.0:
        return []
    return ["Enhancements:doEnhance = on", f"EnhancedSplittings:List = {{fsr:G2BB={factor}}}"]


def has_b_quark(pdg_ids: Iterable[int]) -> bool:
    """True if a b quark or antiquark is among ``pdg_ids``."""
    return any(abs(pid) == B_QUARK_PID for pid in pdg_ids)


class HardFlavourVeto(pythia8mc.UserHooks):
    """Process-level veto keeping events whose hard process has a b quark (``keep_b_hard``) or has none.

    The hard process is Pythia's process record from entry 3 on: incoming and outgoing partons of the 2 → 2
    scattering. ``n_seen`` and ``n_vetoed`` count the process-level events looked at and vetoed.
    """

    def __init__(self, keep_b_hard: bool) -> None:
        super().__init__()
        self.keep_b_hard = keep_b_hard
        self.n_seen = 0
        self.n_vetoed = 0

    def canVetoProcessLevel(self) -> bool:
        return True

    def doVetoProcessLevel(self, process) -> bool:
        ids = (process[i].id() for i in range(_FIRST_HARD_PROCESS_ENTRY, process.size()))
        veto = has_b_quark(ids) != self.keep_b_hard
        self.n_seen += 1
        self.n_vetoed += veto
        return veto


class HeavyFlavourRegionVeto(pythia8mc.UserHooks):
    """Parton-level veto keeping the events of the heavy-flavour regions ``keep`` (None: all) of
    :mod:`multihiggs.generate.heavy_flavour_regions`; :meth:`regions_of` tells the region of generated events from
    their momentum fractions (``info.x1``, ``info.x2``: an event that fails after the parton level leaves no gap);
    ``n_seen`` and ``n_vetoed`` count the events looked at and vetoed. Pythia takes one hooks object, so a
    ``hard_flavour`` veto, if given, also acts here at process level."""

    def __init__(
        self,
        keep: frozenset[str] | None,
        definition: RegionDefinition | None = None,
        hard_flavour: HardFlavourVeto | None = None,
    ) -> None:
        super().__init__()
        self.keep = keep
        self.definition = definition or RegionDefinition()
        self.hard_flavour = hard_flavour
        self._regions: dict[tuple[float, float], str] = {}
        self.n_seen = 0
        self.n_vetoed = 0

    def canVetoProcessLevel(self) -> bool:
        return self.hard_flavour is not None

    def doVetoProcessLevel(self, process) -> bool:
        return self.hard_flavour is not None and self.hard_flavour.doVetoProcessLevel(process)

    def canVetoPartonLevel(self) -> bool:
        return True

    def doVetoPartonLevel(self, event) -> bool:
        final = [event[i] for i in range(event.size()) if event[i].isFinal()]
        heavy = [p for p in final if abs(p.id()) in (4, 5)]
        arrays = (
            np.array([getter(p) for p in heavy], dtype=float)
            for getter in (Particle.id, Particle.pT, Particle.eta, Particle.phi)
        )
        region = region_of(*heavy_quark_counts(*arrays, self.definition))
        veto = self.keep is not None and region not in self.keep
        self.n_seen += 1
        self.n_vetoed += veto
        if not veto:
            self._regions[hard_process_key(event)] = region
        return veto

    def regions_of(self, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
        """Regions (n,) of generated events with momentum fractions x1, x2 (n,) of the hard process."""
        return np.array([self._regions[fractions_key(a, b)] for a, b in zip(x1, x2, strict=True)])


def parton_jet_pts(momenta: np.ndarray, thinning: PartonJetThinning) -> np.ndarray:
    """pT (GeV, descending) of the anti-kT jets (radius ``thinning.jet_radius``) of the partons ``momenta`` (n, 4:
    px, py, pz, E in GeV) above the requirements' lowest pT and within |η| < ``jet_abs_eta_max``."""
    momenta = np.asarray(momenta, dtype=np.float64).reshape(-1, 4)
    if len(momenta) == 0:
        return np.empty(0)
    inputs = [fastjet.PseudoJet(*(float(x) for x in row)) for row in momenta]
    definition = fastjet.JetDefinition(fastjet.antikt_algorithm, thinning.jet_radius)
    jets = fastjet.ClusterSequence(inputs, definition).inclusive_jets(thinning.lowest_pt_gev)
    return np.sort([jet.pt() for jet in jets if abs(jet.eta()) < thinning.jet_abs_eta_max])[::-1]


class PartonJetThinningHook(pythia8mc.UserHooks):
    """Pythia hook applying :class:`PartonJetThinning` at ``veto_scale_gev`` (and, if given, a hard-flavour
    process-level veto: Pythia takes one hooks object). :meth:`decisions_of` hands out the thinning weights and
    leading parton-jet pTs of the generated events by their momentum fractions; ``n_seen``, ``n_candidates`` and
    ``n_vetoed`` count the events."""

    def __init__(
        self, thinning: PartonJetThinning, rng: np.random.Generator, hard_flavour: HardFlavourVeto | None = None
    ) -> None:
        super().__init__()
        self.thinning = thinning
        self.rng = rng
        self.hard_flavour = hard_flavour
        self._decisions: dict[tuple[float, float], tuple[float, np.ndarray]] = {}
        self.n_seen = 0
        self.n_candidates = 0
        self.n_vetoed = 0

    def canVetoProcessLevel(self) -> bool:
        return self.hard_flavour is not None

    def doVetoProcessLevel(self, process) -> bool:
        return self.hard_flavour is not None and self.hard_flavour.doVetoProcessLevel(process)

    def canVetoPT(self) -> bool:
        return True

    def scaleVetoPT(self) -> float:
        return self.thinning.veto_scale_gev

    def doVetoPT(self, iPos, event) -> bool:
        momenta = [
            (particle.px(), particle.py(), particle.pz(), particle.e())
            for particle in (event[i] for i in range(event.size()))
            if particle.isFinal()
        ]
        jet_pts = parton_jet_pts(np.array(momenta), self.thinning)
        candidate = self.thinning.is_candidate(jet_pts)
        weight = thinning_weight(candidate, float(self.rng.random()), self.thinning)
        self.n_seen += 1
        self.n_candidates += candidate
        if weight == 0.0:
            self.n_vetoed += 1
            return True
        leading = np.zeros(_RECORDED_PARTON_JETS)
        leading[: min(len(jet_pts), _RECORDED_PARTON_JETS)] = jet_pts[:_RECORDED_PARTON_JETS]
        self._decisions[hard_process_key(event)] = (weight, leading)
        return False

    def decisions_of(self, x1: np.ndarray, x2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Thinning weights (n,) and leading parton-jet pTs (n, 8; GeV, 0-padded) of generated events with momentum
        fractions x1, x2 (n,); each event's decision is handed out once."""
        decisions = [self._decisions.pop(fractions_key(a, b)) for a, b in zip(x1, x2, strict=True)]
        weights = np.array([weight for weight, _ in decisions], dtype=np.float64)
        return weights, np.array([pts for _, pts in decisions]).reshape(len(decisions), _RECORDED_PARTON_JETS)


def fractions_key(x1: float, x2: float) -> tuple[float, float]:
    """Key of a generated event, for hooks that decide at parton level and hand their decision to the caller:
    the momentum fractions of the hard process' incoming partons (``info.x1``, ``info.x2``), rounded."""
    return (round(float(x1), 10), round(float(x2), 10))


def hard_process_key(event) -> tuple[float, float]:
    """:func:`fractions_key` of a parton-level event record (beams in entries 1, 2; incoming partons in 3, 4)."""
    return fractions_key(event[3].e() / event[1].e(), event[4].e() / event[2].e())


def make_pythia(settings: Sequence[str], user_hooks: pythia8mc.UserHooks | None = None):
    """An initialised ``pythia8mc.Pythia`` with ``settings`` (and ``user_hooks``, which the caller keeps alive);
    raises if Pythia refuses a setting or init."""
    pythia = pythia8mc.Pythia("", False)
    for line in settings:
        if not pythia.readString(line):
            raise ValueError(f"Pythia rejected the setting {line!r}")
    if user_hooks is not None and not pythia.setUserHooksPtr(user_hooks):
        raise RuntimeError("Pythia refused the user hooks")
    if not pythia.init():
        raise RuntimeError(f"Pythia failed to initialise with settings {list(settings)}")
    return pythia


def run_batches(pythia, n_events: int, batch_size: int, until_end_of_input: bool = False) -> Iterator[ak.Array]:
    """Generate ``n_events`` events in batches of ``batch_size`` (awkward arrays with fields prt, info).

    Events Pythia fails to generate are skipped; the generator keeps asking until ``n_events`` are made or a
    batch comes back empty: an error, unless ``until_end_of_input`` (Les Houches input under a veto, where
    fewer events than the file holds come out).
    """
    if n_events <= 0 or batch_size <= 0:
        raise ValueError(f"n_events and batch_size must be positive, got {n_events}, {batch_size}")
    made = 0
    while made < n_events:
        batch = pythia.nextBatch(min(batch_size, n_events - made), errorMode="skip")
        if len(batch) == 0:
            if until_end_of_input:
                return
            raise RuntimeError(f"Pythia returned no event after {made} of {n_events} (end of LHE input?)")
        made += len(batch)
        yield batch


def generated_cross_section_pb(pythia) -> float:
    """Pythia's estimate of the generated cross section, in pb (of the kept events only, under a veto)."""
    return float(pythia.infoPython().sigmaGen()) * MB_TO_PB


def generated_cross_section_error_pb(pythia) -> float:
    """Pythia's statistical uncertainty of :func:`generated_cross_section_pb`, in pb."""
    return float(pythia.infoPython().sigmaErr()) * MB_TO_PB


def bias_weights(info: ak.Array) -> ak.Array:
    """Per-event weights from Pythia (phase-space bias compensation; 1 for unweighted input)."""
    return ak.fill_none(ak.firsts(info.weights), 1.0)
