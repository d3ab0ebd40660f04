"""Benchmark: cost of each reconstruction step per event, relative to Pythia generating the same events.

Generates QCD (``HardQCD:all``, default) or b b̄ (``HardQCD:hardbbbar``) events at 13 TeV with MPI on, then times
final-state selection, AK5 clustering, AK8 clustering + substructure, detector smearing + b tagging and the full
``reconstruct_events``, and prints ms/event and the ratio to Pythia's time. It also prints the jet flavour
fractions and the b-tag rates per flavour of the reconstructed jets.

    .venv/bin/python benchmarks/reconstruction.py [--events 500] [--process qcd|bbbar] [--no-mpi]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import awkward as ak
import numpy as np
import pythia8mc

from multihiggs.generate.reco.btag import BITMASK_WORKING_POINTS, btag_efficiency, draw_btag_bitmask
from multihiggs.generate.reco.charge import pid_charge_table
from multihiggs.generate.reco.detector import DetectorParameters, in_acceptance, jet_response_factors, scale_jets
from multihiggs.generate.reco.final_state import visible_final_state, weakly_decaying_heavy_hadrons
from multihiggs.generate.reco.indexing import take_per_jet
from multihiggs.generate.reco.jets import cluster_jets, sort_by_pt
from multihiggs.generate.reco.reconstruct import reconstruct_events
from multihiggs.generate.reco.substructure import fat_jet_substructure

PROCESSES = {"qcd": "HardQCD:all = on", "bbbar": "HardQCD:hardbbbar = on"}


def make_pythia(process: str, pthat_min_gev: float, mpi: bool, seed: int) -> pythia8mc.Pythia:
    pythia = pythia8mc.Pythia("", False)
    for setting in (
        "Beams:eCM = 13000",
        PROCESSES[process],
        f"PhaseSpace:pTHatMin = {pthat_min_gev}",
        f"PartonLevel:MPI = {'on' if mpi else 'off'}",
        "Print:quiet = on",
        "Next:numberCount = 0",
        "Random:setSeed = on",
        f"Random:seed = {seed}",
    ):
        pythia.readString(setting)
    if not pythia.init():
        raise RuntimeError("Pythia initialisation failed")
    return pythia


def best_time(step: Callable[[], object], repeats: int) -> tuple[float, object]:
    """Shortest wall time (s) of ``repeats`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    return min(times), result


def smear_and_tag(jets: ak.Array, pt_min_gev: float, detector: DetectorParameters, rng: np.random.Generator):
    factors = jet_response_factors(jets, detector.resolution, rng)
    smeared = scale_jets(jets, factors)
    selected = sort_by_pt(smeared[in_acceptance(smeared, pt_min_gev, 2.5)])
    flat = [ak.to_numpy(ak.flatten(values)) for values in (selected.flavour, selected.pt, selected.eta)]
    return draw_btag_bitmask(*flat, rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--process", choices=sorted(PROCESSES), default="qcd")
    parser.add_argument("--pthat-min", type=float, default=150.0, help="GeV")
    parser.add_argument("--no-mpi", action="store_true")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    pythia = make_pythia(args.process, args.pthat_min, not args.no_mpi, args.seed)
    start = time.perf_counter()
    prt = pythia.nextBatch(args.events, errorMode="skip").prt
    pythia_seconds = time.perf_counter() - start
    n_events = len(prt)
    table = pid_charge_table(pythia.particleData)
    detector = DetectorParameters()

    rows = []
    seconds, particles = best_time(lambda: visible_final_state(prt, table), args.repeats)
    hadron_seconds, hadrons = best_time(lambda: weakly_decaying_heavy_hadrons(prt), args.repeats)
    rows.append(("final state + heavy hadrons", seconds + hadron_seconds))
    seconds, jets = best_time(lambda: cluster_jets(particles, hadrons, 0.5, 10.0), args.repeats)
    rows.append(("AK5 clustering", seconds))
    seconds, fat_jets = best_time(lambda: cluster_jets(particles, hadrons, 0.8, 100.0), args.repeats)
    hard_fat_jets = fat_jets[fat_jets.pt > 200.0]
    constituents = take_per_jet(particles, hard_fat_jets.constituent_index)
    substructure_seconds, _ = best_time(lambda: fat_jet_substructure(constituents, detector.substructure), args.repeats)
    rows.append(("AK8 clustering + substructure", seconds + substructure_seconds))
    seconds, _ = best_time(
        lambda: (
            smear_and_tag(jets, 20.0, detector, np.random.default_rng(1)),
            smear_and_tag(fat_jets, 200.0, detector, np.random.default_rng(2)),
        ),
        args.repeats,
    )
    rows.append(("smearing + b tagging", seconds))
    seconds, output = best_time(
        lambda: reconstruct_events(prt, table, detector, np.random.default_rng(args.seed)), args.repeats
    )
    rows.append(("reconstruct_events (all)", seconds))

    mpi = "off" if args.no_mpi else "on"
    print(f"\n{n_events} {args.process} events, p̂T > {args.pthat_min:g} GeV, MPI {mpi}")
    print(f"fat jets with pT > 200 GeV: {ak.sum(ak.num(hard_fat_jets))}")
    print(f"{'step':32s} {'ms/event':>9s} {'/ Pythia':>9s}")
    pythia_ms = 1e3 * pythia_seconds / n_events
    print(f"{'Pythia generation':32s} {pythia_ms:9.3f} {1.0:9.3f}")
    for name, step_seconds in rows:
        ms = 1e3 * step_seconds / n_events
        print(f"{name:32s} {ms:9.3f} {ms / pythia_ms:9.3f}")

    for collection in ("Jet", "FatJet"):
        reco = output[collection]
        flavour = ak.to_numpy(ak.flatten(reco.Flavor))
        btag = ak.to_numpy(ak.flatten(reco.BTag))
        pt, eta = ak.to_numpy(ak.flatten(reco.PT)), ak.to_numpy(ak.flatten(reco.Eta))
        print(f"\n{collection}: {flavour.size} jets ({flavour.size / n_events:.2f}/event)")
        print(
            f"{'flavour':>8s} {'fraction':>9s}"
            + "".join(f" {wp.name + ' tag rate (expected)':>34s}" for wp in BITMASK_WORKING_POINTS)
        )
        for label in (5, 4, 0):
            chosen = flavour == label
            line = f"{label:8d} {chosen.mean() if flavour.size else 0.0:9.3f}"
            for bit, working_point in enumerate(BITMASK_WORKING_POINTS):
                if chosen.any():
                    rate = ((btag[chosen] >> bit) & 1).mean()
                    expected = btag_efficiency(flavour[chosen], pt[chosen], eta[chosen], working_point).mean()
                    line += f" {rate:22.3f} ({expected:.3f})   "
                else:
                    line += f" {'-':>34s}"
            print(line)


if __name__ == "__main__":
    main()
