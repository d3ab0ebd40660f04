"""Where the b quarks of four-b QCD events come from, and which of them carry the weight spread.

Run on demand:  .venv/bin/python benchmarks/qcd_b_origin.py [--events 6000] [--enhancements 1 10]
(measured: --events 6000, about 4 CPU-minutes on one core)

The four-tag HH background needs four heavy-flavour jets; the default QCD sample enriches them with Pythia's weighted
FSR g → bb̄ enhancement and a b-hard shard class (samples.qcd). Only FSR splittings can be enhanced, so events whose
b quarks come from initial-state splittings or secondary (MPI) scatterings keep the full, unenhanced weight: the few
of them dominate Σw² and with it the Kish n_eff of the truth-flavour four-tag background. This benchmark measures
that, per hard-process class (light / b-hard shards of the default p̂T > 100 GeV, bias power 2 sample) and per
g → bb̄ enhancement factor: the events are generated to the parton level (hadronisation changes no weight), and each
final-state b quark with pT > ``--b-pt`` GeV and |η| < 2.5 is traced back through its copies to the entry that
created it, whose Pythia status names the mechanism (hard process, MPI, ISR, FSR). Events with ≥ 4 such b quarks are
grouped by the mechanisms of their b quarks; per group the printout gives the share of Σw (the physical four-b rate)
and of Σw² (what limits n_eff), and the Kish n_eff of all four-b events.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict

import numpy as np

from multihiggs.closure import kish_n_eff
from multihiggs.generate.shower import (
    HardFlavourVeto,
    ShowerSettings,
    common_settings,
    g_to_bb_enhancement_settings,
    make_pythia,
    qcd_settings,
)

#: Pythia status codes by tens: the mechanism that creates a particle.
MECHANISMS = {2: "hard", 3: "MPI", 4: "ISR", 5: "FSR"}
B_QUARK = 5


def creation_mechanism(event, index: int) -> str:
    """Mechanism that created the parton at ``index``: follow ``mother1`` along the same-flavour line (copies and
    the quark's own gluon emissions) to the entry whose mother is of another flavour (g -> bb̄, or the beam)."""
    pid = event[index].id()
    while (mother := event[index].mother1()) > 0 and event[mother].id() == pid:
        index = mother
    return MECHANISMS.get(abs(event[index].status()) // 10, "other")


def b_mechanisms(event, pt_min_gev: float) -> list[str]:
    """Mechanisms of the final-state b quarks above ``pt_min_gev`` within |η| < 2.5."""
    found = []
    for index in range(event.size()):
        particle = event[index]
        if abs(particle.id()) == B_QUARK and particle.isFinal() and particle.pT() > pt_min_gev:
            if abs(particle.eta()) < 2.5:
                found.append(creation_mechanism(event, index))
    return found


def run(hard_class: str, enhancement: float, n_events: int, pt_min_gev: float, seed: int):
    """Generate ``n_events`` parton-level events; return (weights, mechanisms per event, CPU s)."""
    settings = common_settings(ShowerSettings(True, False), seed)
    settings += qcd_settings(13000.0, 100.0, 2.0) + g_to_bb_enhancement_settings(enhancement)
    veto = HardFlavourVeto(keep_b_hard=hard_class == "b_hard")
    pythia = make_pythia(settings, veto)
    weights, mechanisms = [], []
    started = time.process_time()
    while len(weights) < n_events:
        if not pythia.next():
            continue
        weights.append(pythia.infoPython().weight())
        mechanisms.append(b_mechanisms(pythia.event, pt_min_gev))
    return np.asarray(weights), mechanisms, time.process_time() - started


def report(label: str, weights: np.ndarray, mechanisms: list[list[str]], cpu_seconds: float) -> None:
    four_b = np.array([len(found) >= 4 for found in mechanisms])
    w = weights[four_b]
    print(f"\n{label}: {len(weights)} events, {cpu_seconds:.0f} CPU-s; {four_b.sum()} with >= 4 b quarks "
          f"({four_b.mean():.3%}); their Kish n_eff {kish_n_eff(w):.1f}")  # fmt: skip
    if not len(w):
        return
    selected = [found for found, keep in zip(mechanisms, four_b, strict=True) if keep]
    groups: dict[str, list[float]] = defaultdict(list)
    for weight, found in zip(w, selected, strict=True):
        key = " + ".join(f"{count} {name}" for name, count in sorted(Counter(found).items()))
        groups[key].append(weight)
    total, total_sq = w.sum(), np.square(w).sum()
    print(f"  {'b quarks by mechanism':<34}{'events':>8}{'share of Σw':>14}{'share of Σw²':>14}{'w / mean w':>12}")
    for key, values in sorted(groups.items(), key=lambda item: -np.square(item[1]).sum()):
        values = np.asarray(values)
        print(f"  {key:<34}{len(values):>8}{values.sum() / total:>14.3f}{np.square(values).sum() / total_sq:>14.3f}"
              f"{values.mean() / w.mean():>12.2f}")  # fmt: skip
    shares = Counter()
    for weight, found in zip(w, selected, strict=True):
        for name in set(found):
            shares[name] += weight**2
    print("  events with any b quark from: " + ", ".join(f"{name} {value / total_sq:.2f} of Σw²" for name, value in
                                                            sorted(shares.items())))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=6000, help="events per class and enhancement")
    parser.add_argument("--enhancements", type=float, nargs="+", default=[1.0, 10.0], help="g -> bb factors (>= 1)")
    parser.add_argument("--b-pt", type=float, default=30.0, help="b quark pT threshold (GeV)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for enhancement in args.enhancements:
        for hard_class in ("light", "b_hard"):
            weights, mechanisms, cpu = run(hard_class, enhancement, args.events, args.b_pt, args.seed)
            report(f"{hard_class}, g -> bb x{enhancement:g}", weights, mechanisms, cpu)


if __name__ == "__main__":
    main()
