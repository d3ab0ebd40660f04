"""Effective QCD events per CPU-second with and without the early thinning of events lacking the selections' jets
(``samples.qcd.parton_jet_thinning``), in one run; and the closure of the thinned cross sections.

Run on demand:  .venv/bin/python benchmarks/qcd_parton_jet_thinning.py [--events 6000] [--classes light b_hard]
                [--keep-probabilities 0.05 0.1 0.2]
(measured: defaults, about 13 CPU-minutes per class; the classes can run as separate processes)

Per hard-process class (light, b-hard; p̂T > 100 GeV, bias power 2, FSR g → bb̄ ×10, MPI on: the default's QCD):

1. An un-thinned sample, its hook deciding but keeping every event (keep probability 1): CPU per event, and per
   event its weight, leading parton-jet pTs at the veto scale, truth-flavour P(≥ 4 tags) and jet counts.
2. One thinned sample per keep probability p with the default requirements: CPU per event looked at and per kept
   event, σ and each population's Σw against the un-thinned sample (pulls), its own n_eff per CPU-second ratio.

n_eff ratios between independent weighted samples are noisy (a few events carry Σw²), so the headline ratio is
paired: on sample 1's own events, for each set of requirements and each p, the expected n_eff after thinning,
(Σw)² / Σ(w²/P(keep)), per expected CPU-second, over sample 1's n_eff per CPU-second. The CPU model: a generated
event costs sample 1's mean, a vetoed one what the thinned samples spent beyond that per vetoed event (median;
candidates cost more than the mean event, so this overestimates the veto's cost: conservative). Three populations:
four tags (truth flavour, ≥ 4 jets above 20 GeV: the κλ fits' normalisation), untagged ≥ 4 jets above 40 GeV (the
inclusive tag-rate weights' population) and ≥ 6 jets above 20 GeV (the HHH selection, no tag requirement).
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass

import awkward as ak
import numpy as np

from multihiggs.closure import kish_n_eff
from multihiggs.generate.parton_jet_thinning import unthinned_cross_section_pb
from multihiggs.generate.qcd_closure import four_tag_probability
from multihiggs.generate.reco.charge import pid_charge_table
from multihiggs.generate.reco.detector import DetectorParameters
from multihiggs.generate.reco.reconstruct import reconstruct_events
from multihiggs.generate.shower import (
    HardFlavourVeto,
    PartonJetThinningHook,
    ShowerSettings,
    bias_weights,
    common_settings,
    g_to_bb_enhancement_settings,
    generated_cross_section_error_pb,
    generated_cross_section_pb,
    make_pythia,
    qcd_settings,
    run_batches,
)
from multihiggs.samples import PartonJetThinning

SQRT_S_GEV = 13000.0
#: The populations compared (see the module docstring).
VIEWS = {"four_tag": "4 tags", "four_jets_40": "≥4 j>40", "six_jets_20": "≥6 j>20"}


@dataclass(frozen=True)
class Sample:
    """Per event: weight (pb), thinning weight, leading parton-jet pTs at the veto scale (GeV), truth-flavour
    P(≥ 4 tags), jets above 40 and 20 GeV (|η| < 2.5); CPU seconds, σ (pb, ± pb), and the hook's counts."""

    weight_pb: np.ndarray
    thinning_weight: np.ndarray
    parton_jet_pts: np.ndarray
    four_tag_probability: np.ndarray
    jets_40: np.ndarray
    jets_20: np.ndarray
    cpu_seconds: float
    sigma_pb: tuple[float, float]
    n_seen: int
    n_vetoed: int

    def weights(self, view: str) -> np.ndarray:
        """Event weights (pb) in one of :data:`VIEWS` (0 outside it)."""
        if view == "four_tag":
            return np.where(self.jets_20 >= 4, self.weight_pb * self.four_tag_probability, 0.0)
        if view == "four_jets_40":
            return np.where(self.jets_40 >= 4, self.weight_pb, 0.0)
        return np.where(self.jets_20 >= 6, self.weight_pb, 0.0)


def generate(hard_class: str, thinning: PartonJetThinning, n_events: int, seed: int) -> Sample:
    """One sample of ``hard_class`` under ``thinning`` (keep probability 1: every event kept, decisions recorded)."""
    started = time.process_time()
    settings = common_settings(ShowerSettings(), seed) + qcd_settings(SQRT_S_GEV, 100.0, 2.0)
    settings += g_to_bb_enhancement_settings(10.0)
    veto = HardFlavourVeto(keep_b_hard=hard_class == "b_hard")
    hooks = PartonJetThinningHook(thinning, np.random.default_rng(seed), veto)
    pythia = make_pythia(settings, hooks)
    charges = pid_charge_table(pythia.particleData)
    rng = np.random.default_rng(seed + 1)
    columns: dict[str, list[np.ndarray]] = {name: [] for name in ("w", "t", "parton_jet_pts", "p4", "j40", "j20")}
    for batch in run_batches(pythia, n_events, 500):
        jets = reconstruct_events(batch.prt, charges, DetectorParameters(), rng)["Jet"]
        jets = jets[(jets.PT > 20.0) & (abs(jets.Eta) < 2.5)]
        thinning_weights, parton_jet_pts = hooks.decisions_of(ak.to_numpy(batch.info.x1), ak.to_numpy(batch.info.x2))
        columns["w"].append(ak.to_numpy(bias_weights(batch.info)).astype(np.float64))
        columns["t"].append(thinning_weights)
        columns["parton_jet_pts"].append(parton_jet_pts)
        columns["p4"].append(four_tag_probability(jets.Flavor, jets.PT, jets.Eta))
        columns["j40"].append(ak.to_numpy(ak.sum(jets.PT > 40.0, axis=1)))
        columns["j20"].append(ak.to_numpy(ak.num(jets)))
    data = {name: np.concatenate(parts) for name, parts in columns.items()}
    sigma_gen, sigma_gen_error = generated_cross_section_pb(pythia), generated_cross_section_error_pb(pythia)
    sigma = unthinned_cross_section_pb(sigma_gen, sigma_gen_error, hooks.n_seen, hooks.n_vetoed)
    wt = data["w"] * data["t"]
    return Sample(
        sigma[0] * wt / wt.sum(),
        data["t"],
        data["parton_jet_pts"],
        data["p4"],
        data["j40"],
        data["j20"],
        time.process_time() - started,
        sigma,
        hooks.n_seen,
        hooks.n_vetoed,
    )


def expected_n_eff(weights: np.ndarray, keep_probability: np.ndarray) -> float:
    """Expected Kish n_eff of ``weights`` after keeping each event with ``keep_probability`` at weight 1/P: the
    sum is unchanged, E[Σ w²] = Σ w² / P."""
    return float(weights.sum() ** 2 / np.sum(weights**2 / keep_probability)) if weights.sum() > 0 else 0.0


def pull(value: tuple[float, float], reference: tuple[float, float]) -> float:
    return (value[0] - reference[0]) / math.hypot(value[1], reference[1])


def weighted_sum(weights: np.ndarray) -> tuple[float, float]:
    """Σw ± √Σw²."""
    return float(weights.sum()), float(np.sqrt(np.square(weights).sum()))


#: Candidate requirements compared on the un-thinned sample's own events ((n, pT): ≥ n parton jets above pT GeV).
ALTERNATIVES = {
    "4>35": ((4, 35.0),),
    "4>35|6>20": ((4, 35.0), (6, 20.0)),
    "4>35|6>15": ((4, 35.0), (6, 15.0)),
    "4>30|6>20": ((4, 30.0), (6, 20.0)),
    "4>25|6>20": ((4, 25.0), (6, 20.0)),
}


def candidates(parton_jet_pts: np.ndarray, requirements: tuple[tuple[int, float], ...]) -> np.ndarray:
    """(n,) whether each event's leading parton-jet pTs (n, k) meet any requirement."""
    return np.any([np.sum(parton_jet_pts > pt, axis=1) >= n for n, pt in requirements], axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=6000, help="events kept per sample")
    parser.add_argument("--classes", nargs="+", default=["light", "b_hard"], choices=["light", "b_hard"])
    parser.add_argument("--keep-probabilities", type=float, nargs="+", default=[0.05, 0.1, 0.2])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    default = PartonJetThinning()
    # The record-mode hook clusters down to the lowest pT of all alternatives.
    recording = PartonJetThinning(keep_probability=1.0, requirements=((4, 15.0),))
    print(f"thinned samples: {default} at each keep probability; {args.events} kept events per sample\n")
    for index, hard_class in enumerate(args.classes):
        seed = args.seed + 100 * index + 100 * (hard_class == "b_hard")
        plain = generate(hard_class, recording, args.events, seed)
        ms_per_event = 1000 * plain.cpu_seconds / args.events
        print(
            f"{hard_class}: un-thinned {args.events} events in {plain.cpu_seconds:.0f} CPU-s ({ms_per_event:.1f} "
            f"ms/event), σ = {plain.sigma_pb[0]:.4g} ± {plain.sigma_pb[1]:.2g} pb"
        )
        base_rate = {view: kish_n_eff(plain.weights(view)) / plain.cpu_seconds for view in VIEWS}
        print(
            f"  {'thinned sample':<16}{'p':>6}{'ms/seen':>9}{'ms/kept':>9}{'σ pull':>8}"
            + "".join(f"{label + ': own n_eff ratio':>27}{'σ pull':>8}" for label in VIEWS.values())
        )
        # CPU model: every fully generated event costs what an un-thinned one does on average; a vetoed one t_veto,
        # from each thinned sample's CPU beyond that (median over the samples)
        seconds_per_event = plain.cpu_seconds / args.events
        veto_seconds = []
        for p in args.keep_probabilities:
            thinning = PartonJetThinning(keep_probability=p, requirements=default.requirements)
            thinned = generate(hard_class, thinning, args.events, seed + int(1000 * p))
            veto_seconds.append(max(thinned.cpu_seconds - args.events * seconds_per_event, 0.0) / thinned.n_vetoed)
            line = (
                f"  {'4>35|6>20':<16}{p:>6g}{1000 * thinned.cpu_seconds / thinned.n_seen:>9.2f}"
                f"{1000 * thinned.cpu_seconds / args.events:>9.1f}{pull(thinned.sigma_pb, plain.sigma_pb):>+8.1f}"
            )
            for view in VIEWS:
                own = kish_n_eff(thinned.weights(view)) / thinned.cpu_seconds
                sums = pull(weighted_sum(thinned.weights(view)), weighted_sum(plain.weights(view)))
                line += f"{own / base_rate[view]:>27.2f}{sums:>+8.1f}"
            print(line)
        t_veto = float(np.median(veto_seconds))
        print(
            f"  CPU per event: generated {1000 * seconds_per_event:.1f} ms, vetoed {1000 * t_veto:.2f} ms (per sample: "
            + ", ".join(f"{1000 * value:.2f}" for value in veto_seconds)
            + "). Paired n_eff per CPU-second over the un-thinned sample's, each requirement and p on the same events:"
        )
        print(
            f"  {'requirements':<16}{'cand.':>7}"
            + "".join(f"{f'p={p:g}':>8}" + " " * 16 for p in args.keep_probabilities)
            + "   (columns per p: "
            + ", ".join(VIEWS.values())
            + ")"
        )
        for name, requirements in ALTERNATIVES.items():
            candidate = candidates(plain.parton_jet_pts, requirements)
            line = f"  {name:<16}{candidate.mean():>7.1%}"
            for p in args.keep_probabilities:
                keep = np.where(candidate, 1.0, p)
                seconds = np.sum(keep * seconds_per_event + (1 - keep) * t_veto)
                line += "".join(
                    f"{expected_n_eff(plain.weights(view), keep) / seconds / base_rate[view]:>8.2f}" for view in VIEWS
                )
            print(line)
        print()


if __name__ == "__main__":
    main()
