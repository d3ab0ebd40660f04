"""Effective four-tag QCD events per CPU-second by heavy-flavour region: LO matrix-element samples against the
shower-enriched inclusive sample of today, in one run.

Run on demand:  .venv/bin/python benchmarks/heavy_flavour_qcd.py [--events 4000] [--me-points 20000]
(measured: defaults, about 6 CPU-minutes on one core)

The four-tag HH background (truth-flavour weight: event weight × P(≥ 4 of the jets with pT > 40 GeV, |η| < 2.5
tagged), multihiggs.generate.qcd_closure) is a mixture: events with four b jets, with two b and two c jets, with
three b jets and a c jet, ... Every event is classified after the shower by its final-state heavy quarks
(multihiggs.generate.heavy_flavour_regions: four_b, bbcc, rest). The figure of merit per region is the Kish n_eff of
the four-tag weights of that region's events per CPU-second of the sample that makes them:

* today's inclusive classes (p̂T > 100 GeV, bias power 2, FSR g → bb̄ ×10; light and b-hard hard processes, each a
  shard holding its class' whole σ), which populate all three regions;
* pp → b b̄ b b̄ and pp → b b̄ c c̄ at LO (multihiggs.generate.parton.four_quark_process; generation cuts pT > 25 GeV,
  |y| < 2.7, ΔR > 0.4), partially unweighted to about twice their Kish n_eff, showered by Pythia with the veto that
  keeps their own region only, reconstructed like every sample (--bias-power k: the unweighting keeps events in
  proportion to (softest quark pT / generation cut)^k, at compensating weights).

The region thresholds (--region-pt, --region-dr) and the ME generation cuts (--generation-pt, --generation-dr)
are options, the latter looser than the former so the shower seldom brings an event into a region from outside
the generated phase space.

Printed per sample and region: σ of the region's four-tag weights (pb), its share of the inclusive four-tag σ,
n_eff, n_eff per CPU-second and the ratio to the inclusive classes' rate for that region. The CPU time of an ME
sample includes the matrix elements, the shower of its events and the reconstruction.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import awkward as ak
import numpy as np

from multihiggs.closure import kish_n_eff
from multihiggs.generate.heavy_flavour_regions import REGIONS, RegionDefinition
from multihiggs.generate.parton.four_quark_process import (
    FINAL_STATES,
    FourQuarkProcess,
    cap_for_events,
    partially_unweight,
    pt_bias,
)
from multihiggs.generate.parton.lhe import write_lhe_records
from multihiggs.generate.parton.multijet_phase_space import PartonCuts
from multihiggs.generate.qcd_closure import four_tag_probability
from multihiggs.generate.reco.charge import pid_charge_table
from multihiggs.generate.reco.detector import DetectorParameters
from multihiggs.generate.reco.reconstruct import reconstruct_events
from multihiggs.generate.shower import (
    HardFlavourVeto,
    HeavyFlavourRegionVeto,
    ShowerSettings,
    bias_weights,
    common_settings,
    g_to_bb_enhancement_settings,
    generated_cross_section_pb,
    lhe_input_settings,
    make_pythia,
    qcd_settings,
    run_batches,
)

SQRT_S_GEV = 13000.0
JET_MIN_PT_GEV, JET_MAX_ABS_ETA, MIN_JETS = 40.0, 2.5, 4


@dataclass
class Sample:
    """One generated sample: its label, CPU seconds, and per kept event the four-tag weight (pb), region and number
    of b-flavour jets (pT > 40 GeV, |η| < 2.5)."""

    label: str
    cpu_seconds: float
    four_tag_pb: np.ndarray
    regions: np.ndarray
    b_jets: np.ndarray


def four_tag_weights(jets: ak.Array, weights_pb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Event weight × P(≥ 4 tags) of events with ≥ 4 jets (pT > 40 GeV, |η| < 2.5), 0 for the others; and the
    number of b-flavour jets among those jets."""
    selected = jets[(jets.PT > JET_MIN_PT_GEV) & (abs(jets.Eta) < JET_MAX_ABS_ETA)]
    probability = four_tag_probability(selected.Flavor, selected.PT, selected.Eta)
    four_tag = np.where(ak.to_numpy(ak.num(selected)) >= MIN_JETS, weights_pb * probability, 0.0)
    return four_tag, ak.to_numpy(ak.sum(selected.Flavor == 5, axis=1))


def shower_and_reconstruct(
    settings: list[str], hooks, n_events: int, seed: int, lhe_input: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """Pythia events through jets and detector: (generator weights, four-tag probability, b jets, heavy-flavour
    region, sigmaGen pb) per event."""
    pythia = make_pythia(settings, hooks)
    charges = pid_charge_table(pythia.particleData)
    rng = np.random.default_rng(seed)
    raw, four_tag, b_jets, regions = [], [], [], []
    for batch in run_batches(pythia, n_events, 500, until_end_of_input=lhe_input):
        jets = reconstruct_events(batch.prt, charges, DetectorParameters(), rng)["Jet"]
        weights = ak.to_numpy(bias_weights(batch.info)).astype(float)
        raw.append(weights)
        probability, n_b = four_tag_weights(jets, np.ones(len(weights)))
        regions.append(hooks.regions_of(ak.to_numpy(batch.info.x1), ak.to_numpy(batch.info.x2)))
        four_tag.append(probability)
        b_jets.append(n_b)
    sigma_pb = generated_cross_section_pb(pythia)
    return np.concatenate(raw), np.concatenate(four_tag), np.concatenate(b_jets), np.concatenate(regions), sigma_pb


def inclusive_class(hard_class: str, n_events: int, seed: int, definition: RegionDefinition) -> Sample:
    started = time.process_time()
    settings = common_settings(ShowerSettings(), seed) + qcd_settings(SQRT_S_GEV, 100.0, 2.0)
    settings += g_to_bb_enhancement_settings(10.0)
    hard_flavour = HardFlavourVeto(keep_b_hard=hard_class == "b_hard")
    hooks = HeavyFlavourRegionVeto(keep=None, definition=definition, hard_flavour=hard_flavour)
    weights, probability, b_jets, regions, sigma_pb = shower_and_reconstruct(settings, hooks, n_events, seed)
    four_tag = sigma_pb * weights / weights.sum() * probability
    label = f"inclusive {hard_class} (g→bb̄ ×10)"
    return Sample(label, time.process_time() - started, four_tag, regions, b_jets)


def matrix_element_sample(
    name: str,
    region: str,
    n_points: int,
    seed: int,
    cuts: PartonCuts,
    definition: RegionDefinition,
    bias_power: float = 0.0,
) -> Sample:
    started = time.process_time()
    rng = np.random.default_rng(seed)
    process = FourQuarkProcess(FINAL_STATES[name], cuts, SQRT_S_GEV)
    events = process.generate(n_points, rng)
    weights = events.weights_pb
    sigma_pb, sigma_error_pb = weights.mean(), weights.std() / np.sqrt(n_points)
    bias = pt_bias(events, cuts.pt_min_gev, bias_power) if bias_power > 0 else np.ones(len(events))
    cap = cap_for_events(weights * bias, 2 * kish_n_eff(weights))
    kept = partially_unweight(events, cap, rng, bias=bias)
    records = process.lhe_records(kept, rng)
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "events.lhe"
        write_lhe_records(path, records, SQRT_S_GEV / 2, sigma_pb, sigma_error_pb, weighted=True)
        settings = common_settings(ShowerSettings(), seed) + lhe_input_settings(path)
        hooks = HeavyFlavourRegionVeto(keep=frozenset({region}), definition=definition)
        event_weights, probability, b_jets, regions, _ = shower_and_reconstruct(
            settings, hooks, len(kept), seed, lhe_input=True
        )
    # event weights (pb) are the LHE weights; their sum over the kept points estimates sigma inside the cuts
    four_tag = event_weights / n_points * probability
    print(
        f"  {name}: σ(cuts) = {sigma_pb:.4g} ± {sigma_error_pb:.2g} pb from {n_points} points, {len(kept)} showered, "
        f"{hooks.n_vetoed} vetoed outside region {region!r} ({hooks.n_vetoed / max(hooks.n_seen, 1):.1%})"
    )
    return Sample(f"LO pp → {name}", time.process_time() - started, four_tag, regions, b_jets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=4000, help="events per inclusive class")
    parser.add_argument("--me-points", type=int, default=20000, help="phase-space points per ME sample")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--region-pt", type=float, default=30.0, help="heavy quarks counted above this pT (GeV)")
    parser.add_argument("--region-dr", type=float, default=0.5, help="separation of the counted heavy quarks")
    parser.add_argument("--generation-pt", type=float, default=25.0, help="ME generation cut on every quark (GeV)")
    parser.add_argument("--generation-dr", type=float, default=0.4, help="ME generation cut on every pair")
    parser.add_argument(
        "--bias-power", type=float, default=0.0, help="ME unweighting biased by (softest quark pT / cut)^power"
    )
    args = parser.parse_args()
    definition = RegionDefinition(pt_min_gev=args.region_pt, delta_r_min=args.region_dr)
    cuts = PartonCuts(pt_min_gev=args.generation_pt, abs_rapidity_max=2.7, delta_r_min=args.generation_dr)
    print(f"regions: {definition}; ME generation cuts: {cuts}")
    samples = [inclusive_class(c, args.events, args.seed + i, definition) for i, c in enumerate(("light", "b_hard"))]
    samples += [
        matrix_element_sample("bbbb", "four_b", args.me_points, args.seed + 10, cuts, definition, args.bias_power),
        matrix_element_sample("bbcc", "bbcc", args.me_points, args.seed + 11, cuts, definition, args.bias_power),
    ]
    inclusive_sigma = sum(s.four_tag_pb.sum() for s in samples[:2])
    inclusive_rate = {}
    print(f"\ninclusive four-tag σ (light + b-hard) = {inclusive_sigma:.4g} pb\n")
    print(f"{'sample':<30}{'region':<8}{'σ4tag/pb':>11}{'share':>8}{'n_eff':>9}{'CPU-s':>8}{'n_eff/s':>9}{'ratio':>8}")
    for index, sample in enumerate(samples):
        for region in REGIONS:
            weights = np.where(sample.regions == region, sample.four_tag_pb, 0.0)
            if weights.sum() <= 0:
                continue
            rate = kish_n_eff(weights) / sample.cpu_seconds
            if index < 2:
                inclusive_rate[region] = inclusive_rate.get(region, 0.0) + rate / 2  # the two classes' mean
            ratio = rate / inclusive_rate[region] if index >= 2 and inclusive_rate.get(region) else float("nan")
            print(
                f"{sample.label:<30}{region:<8}{weights.sum():>11.4g}{weights.sum() / inclusive_sigma:>8.3f}"
                f"{kish_n_eff(weights):>9.1f}{sample.cpu_seconds:>8.0f}{rate:>9.3f}{ratio:>8.1f}"
            )
    print("\ninclusive four-tag σ by region and number of b-flavour jets (share of the total, n_eff):")
    four_tag = np.concatenate([s.four_tag_pb for s in samples[:2]])
    regions = np.concatenate([s.regions for s in samples[:2]])
    b_jets = np.minimum(np.concatenate([s.b_jets for s in samples[:2]]), 4)
    for region in REGIONS:
        cells = []
        for n_b in range(5):
            weights = np.where((regions == region) & (b_jets == n_b), four_tag, 0.0)
            cells.append(
                f"{n_b}{'+' if n_b == 4 else ''} b: {weights.sum() / inclusive_sigma:.3f} ({kish_n_eff(weights):.0f})"
            )
        print(f"  {region:<7}" + "  ".join(cells))


if __name__ == "__main__":
    main()
