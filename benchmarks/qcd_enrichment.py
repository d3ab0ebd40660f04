"""Effective four-tag QCD events per CPU-second: the inclusive sample against the g → bb̄ enhancement and the split
by hard-process flavour (light / b-hard classes, samples.qcd.{g_to_bb_enhancement,b_hard_fraction}).

Run on demand:  .venv/bin/python benchmarks/qcd_enrichment.py [--events 4500] [--enhancements 5 10] [--no-mpi]
(measured: --events 5000, 400 CPU-seconds on one core)

Each variant is one shard of the default configuration's QCD settings (p̂T > 100 GeV, bias power 2, MPI and
hadronisation on), generated, reconstructed and written as the workflow does; its CPU time (this process) is the
cost. The figure of merit is the Kish n_eff = (Σw)² / Σw² of the truth-flavour four-tag weights (event weight ×
P(≥ 4 of the jets with pT > 40 GeV, |η| < 2.5 tagged), ≥ 4 AK5 jets; multihiggs.generate.qcd_closure) per CPU
second, printed with a bootstrap uncertainty and as a ratio to the inclusive sample of today, measured in the same
run; beside it the Kish n_eff per event of the ≥ 4-jet events' event weights, which the enhancement's weights lower
(the statistics of the uses of QCD without tag weights: inclusive tag-rate shapes, HHH background, sculpting).
A class run covers its class only; the stitched rows project both classes of one enhancement onto a sample of b-hard
fraction f of its events: n_eff(f) per CPU-s = (S_l + S_b)² / [(Q_l n_l / (1 − f) + Q_b n_b / f) ×
((1 − f) t_l + f t_b)] with S, Q the class' Σw, Σw² over its n measured events and t its CPU-s per event, at the f
that maximises it and at the fractions of ``--fractions``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from multihiggs.closure import kish_n_eff
from multihiggs.generate.qcd_closure import read_sample
from multihiggs.generate.shard import simulate_shard
from multihiggs.samples import SampleSpec

DETECTOR = {"ak5": {"pt_min_gev": 20.0, "eta_max": 2.5}, "ak8": {"pt_min_gev": 200.0, "eta_max": 2.5}}
N_BOOTSTRAP = 400
FRACTION_GRID = np.linspace(0.01, 0.99, 99)


@dataclass(frozen=True)
class Run:
    """One generated variant: its class, enhancement, events, CPU seconds and four-tag weights (pb)."""

    hard_class: str
    enhancement: float
    n_events: int
    cpu_seconds: float
    four_tag: np.ndarray  # per event (0 for events without four jets)
    cross_section_pb: float
    #: Kish n_eff per event of the event weights of the ≥ 4-jet events (what the untagged uses of QCD get)
    jets_n_eff_per_event: float = float("nan")

    @property
    def label(self) -> str:
        return self.hard_class + (f" + g→bb̄ ×{self.enhancement:g}" if self.enhancement != 1 else "")

    @property
    def seconds_per_event(self) -> float:
        return self.cpu_seconds / self.n_events


def generate(hard_class: str, enhancement: float, n_events: int, workdir: Path, mpi: bool, seed: int) -> Run:
    """One shard of class ``hard_class``: shard 0 of an inclusive sample, or shard 0 (light) / 1 (b-hard) of a
    two-shard split sample, so that the shard holds its class' whole σ."""
    split = hard_class != "inclusive"
    spec = SampleSpec(
        name=f"bench_qcd_{hard_class}",
        process="qcd",
        n_events=2 * n_events if split else n_events,
        events_per_shard=n_events,
        seed=seed,
        sqrt_s_gev=13000.0,
        pthat_min_gev=100.0,
        bias_power=2.0,
        batch_size=500,
        multiparton_interactions=mpi,
        detector=DETECTOR,
        g_to_bb_enhancement=enhancement,
        b_hard_fraction=0.5 if split else 0.0,
    )
    shard = 1 if hard_class == "b_hard" else 0
    assert spec.hard_process_class(shard) == hard_class
    output = workdir / f"{hard_class}_{enhancement:g}.root"
    started = time.process_time()
    result = simulate_shard(spec, shard, output)
    cpu_seconds = time.process_time() - started
    events, _ = read_sample([output])
    four_tag = np.zeros(result.n_events)
    four_tag[: len(events.four_tag_weight)] = events.four_tag_weight  # order is irrelevant for sums
    output.unlink()
    jets_n_eff = kish_n_eff(events.weight) / result.n_events
    return Run(hard_class, enhancement, result.n_events, cpu_seconds, four_tag, result.cross_section_pb, jets_n_eff)


def rate(weights: np.ndarray, cpu_seconds: float) -> float:
    return kish_n_eff(weights) / cpu_seconds


def bootstrap(values: np.ndarray, statistic, rng: np.random.Generator) -> float:
    """Standard deviation of ``statistic`` over bootstrap resamples of ``values``."""
    draws = [statistic(values[rng.integers(0, len(values), len(values))]) for _ in range(N_BOOTSTRAP)]
    return float(np.std(draws))


def stitched_rate(light: Run, b_hard: Run, fraction: np.ndarray, light_w=None, b_w=None) -> np.ndarray:
    """n_eff per CPU-s of a split sample with b-hard fraction ``fraction`` of its events (see the module)."""
    light_w = light.four_tag if light_w is None else light_w
    b_w = b_hard.four_tag if b_w is None else b_w
    total = light_w.sum() + b_w.sum()
    q_light, q_b = np.square(light_w).sum() * light.n_events, np.square(b_w).sum() * b_hard.n_events
    cost = (1 - fraction) * light.seconds_per_event + fraction * b_hard.seconds_per_event
    return total**2 / ((q_light / (1 - fraction) + q_b / fraction) * cost)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=4500, help="events per variant")
    parser.add_argument("--enhancements", type=float, nargs="+", default=[5.0, 10.0], help="g -> bb factors (> 1)")
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.1, 0.2, 0.3, 0.5])
    parser.add_argument("--no-mpi", action="store_true", help="switch multiparton interactions off")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    factors = [1.0, *args.enhancements]
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as workdir:
        for hard_class in ("inclusive", "light", "b_hard"):
            for factor in factors:
                runs.append(generate(hard_class, factor, args.events, Path(workdir), not args.no_mpi, args.seed))
                run = runs[-1]
                print(f"  {run.label}: {run.n_events} events, {run.cpu_seconds:.0f} CPU-s", flush=True)
    reference = runs[0]
    reference_rate = rate(reference.four_tag, reference.cpu_seconds)
    print(f"\nOne shard per variant, {args.events} events, MPI {'off' if args.no_mpi else 'on'}")
    print("four-tag σ: Σ of the truth-flavour four-tag weights (pb); n_eff: Kish, of those weights; ± bootstrap;")
    print("≥4j n_eff/ev: Kish n_eff of the event weights of the ≥ 4-jet events, per generated event")
    columns = (("variant", 28), ("σ (pb)", 12), ("4-tag σ (pb)", 14), ("ms/event", 10), ("≥4j n_eff/ev", 14),
               ("n_eff 4-tag", 14))  # fmt: skip
    print("".join(f"{name:<{width}}" if not index else f"{name:>{width}}" for index, (name, width) in
                  enumerate((*columns, ("n_eff/CPU-s", 18), ("/ incl.", 8)))))  # fmt: skip
    for run in runs:
        n_eff = kish_n_eff(run.four_tag)
        error = bootstrap(run.four_tag, kish_n_eff, rng)
        per_second = n_eff / run.cpu_seconds
        print(
            f"{run.label:<28}{run.cross_section_pb:>12.4g}{run.four_tag.sum():>14.3g}"
            f"{1e3 * run.seconds_per_event:>10.2f}{run.jets_n_eff_per_event:>14.3f}"
            f"{n_eff:>8.1f} ±{error:>4.1f}{per_second:>11.4f} ±{error / run.cpu_seconds:.4f}"
            f"{per_second / reference_rate:>8.2f}"
        )
    print("\nStitched (light + b-hard shards of one enhancement), projected from the class runs")
    print(f"{'enhancement':<14}{'b-hard fraction':>16}{'n_eff/CPU-s':>20}{'/ incl.':>8}")
    by_key = {(run.hard_class, run.enhancement): run for run in runs}
    for factor in factors:
        light, b_hard = by_key["light", factor], by_key["b_hard", factor]
        grid = stitched_rate(light, b_hard, FRACTION_GRID)
        best = float(FRACTION_GRID[np.argmax(grid)])
        rows = [(f"{best:.2f} (best)", best), *((f"{f:.2f}", f) for f in args.fractions)]
        for name, fraction in rows:
            value = float(stitched_rate(light, b_hard, np.array(fraction)))
            draws = []
            for _ in range(N_BOOTSTRAP):
                light_w = light.four_tag[rng.integers(0, light.n_events, light.n_events)]
                b_w = b_hard.four_tag[rng.integers(0, b_hard.n_events, b_hard.n_events)]
                draws.append(float(stitched_rate(light, b_hard, np.array(fraction), light_w, b_w)))
            print(f"{factor:<14g}{name:>16}{value:>12.4f} ±{np.std(draws):.4f}{value / reference_rate:>8.2f}")
    ratios = []
    for factor in factors:
        split = by_key["light", factor].cross_section_pb + by_key["b_hard", factor].cross_section_pb
        ratios.append(f"×{factor:g}: {split / by_key['inclusive', factor].cross_section_pb:.4f}")
    print("\nSanity: (σ_light + σ_b) / σ_inclusive (Pythia sigmaGen of one shard each): " + ", ".join(ratios))


if __name__ == "__main__":
    main()
