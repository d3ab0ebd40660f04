"""Pythia 8 (``pythia8mc``): parton shower, MPI, hadronisation and Higgs decays, run in batches.

Signal events enter as Les Houches files from our parton-level generator (``Beams:frameType = 4``); QCD
multijet events come from Pythia's own ``HardQCD`` processes with a p̂T-biased phase-space selection whose
compensating weights the caller turns into cross-section weights.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import awkward as ak

MB_TO_PB = 1.0e9
_MAX_PYTHIA_SEED = 900_000_000
_QUIET = ("Print:quiet = on", "Next:numberCount = 0")


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


def make_pythia(settings: Sequence[str]):
    """An initialised ``pythia8mc.Pythia`` with ``settings``; raises if Pythia refuses a setting or init."""
    import pythia8mc

    pythia = pythia8mc.Pythia("", False)
    for line in settings:
        if not pythia.readString(line):
            raise ValueError(f"Pythia rejected the setting {line!r}")
    if not pythia.init():
        raise RuntimeError(f"Pythia failed to initialise with settings {list(settings)}")
    return pythia


def run_batches(pythia, n_events: int, batch_size: int) -> Iterator[ak.Array]:
    """Generate ``n_events`` events in batches of ``batch_size`` (awkward arrays with fields prt, info).

    Events Pythia fails to generate are skipped; the generator keeps asking until ``n_events`` are made or a
    batch comes back empty.
    """
    if n_events <= 0 or batch_size <= 0:
        raise ValueError(f"n_events and batch_size must be positive, got {n_events}, {batch_size}")
    made = 0
    while made < n_events:
        batch = pythia.nextBatch(min(batch_size, n_events - made), errorMode="skip")
        if len(batch) == 0:
            raise RuntimeError(f"Pythia returned no event after {made} of {n_events} (end of LHE input?)")
        made += len(batch)
        yield batch


def generated_cross_section_pb(pythia) -> float:
    """Pythia's estimate of the generated cross section, in pb."""
    return float(pythia.infoPython().sigmaGen()) * MB_TO_PB


def bias_weights(info: ak.Array) -> ak.Array:
    """Per-event weights from Pythia (phase-space bias compensation; 1 for unweighted input)."""
    return ak.fill_none(ak.firsts(info.weights), 1.0)
