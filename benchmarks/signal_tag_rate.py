"""Effective four-tag signal events per CPU-second: the b-tag cut against tag-rate weights (± partial unweighting).

Run on demand:  .venv/bin/python benchmarks/signal_tag_rate.py [--events 8000] [--thresholds 0.05 0.1]
(measured: --events 8000, about 90 CPU-seconds on one core)

One shard of SM HH (gg → HH → 4b, the default configuration's generator settings: MPI and hadronisation on) is
generated as the workflow does, then converted three ways with the default four-tag selection (≥ 4 AK5 jets, ≥ 4
CSV tags among the jets with pT > 40 GeV): with the cut on the drawn tags, with tag-rate weights, and with tag-rate
weights partially unweighted below each threshold. Cost = generation + conversion CPU seconds of this process.
Figure of merit: the Kish n_eff = (Σw)² / Σw² of the selected events' weights per CPU-second, as a ratio to the
cut measured in the same run; beside it the number of stored events (what training and evaluation pay for).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

from multihiggs.closure import kish_n_eff
from multihiggs.convert.convert import ConversionConfig, convert
from multihiggs.convert.selection import SelectionConfig
from multihiggs.generate.parton import build_form_factor_table
from multihiggs.generate.shard import simulate_shard
from multihiggs.io import spanet_layout as layout
from multihiggs.samples import SampleSpec

DETECTOR = {"ak5": {"pt_min_gev": 20.0, "eta_max": 2.5}, "ak8": {"pt_min_gev": 200.0, "eta_max": 2.5}}


def _convert(root: Path, output: Path, tag_rate: bool, threshold: float) -> tuple[np.ndarray, float]:
    """(event weights of all splits, CPU seconds) of one conversion."""
    cuts = SelectionConfig(min_jets=4, four_tag=True, tag_rate_weights=tag_rate)
    config = ConversionConfig("hh_kl1", "hh", 2, 1.0, True, cuts, split_seed=1, unweight_below=threshold)
    started = time.process_time()
    convert([root], output, config)
    seconds = time.process_time() - started
    weights = []
    for split in ("train", "val", "test"):
        with h5py.File(output / f"{split}.h5") as handle:
            weights.append(handle[layout.event_weight_key()][...])
    return np.concatenate(weights), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=8000)
    parser.add_argument("--thresholds", type=float, nargs="*", default=[0.05, 0.1])
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="signal_tag_rate_") as work:
        work = Path(work)
        table = build_form_factor_table(higgs_mass_gev=125.0, top_mass_gev=173.0, n_mass=80, n_cos=9,
                                        mass_max_gev=2500.0, quadrature_order=24)  # fmt: skip
        table.save(work / "form_factors.npz")
        spec = SampleSpec(name="hh_kl1", process="hh", n_events=args.events, events_per_shard=args.events,
                          seed=args.seed, sqrt_s_gev=13000.0, detector=DETECTOR)  # fmt: skip
        started = time.process_time()
        simulate_shard(spec, 0, work / "hh.root", work / "form_factors.npz")
        generation = time.process_time() - started
        variants = [("b-tag cut", False, 0.0), ("tag-rate weights", True, 0.0)]
        variants += [(f"tag-rate weights, unweighted below {t:g}", True, t) for t in args.thresholds]
        rows = []
        for index, (label, tag_rate, threshold) in enumerate(variants):
            weights, seconds = _convert(work / "hh.root", work / f"h5_{index}", tag_rate, threshold)
            rows.append((label, len(weights), kish_n_eff(weights), generation + seconds))
    reference = rows[0][2] / rows[0][3]
    print(f"SM HH, {args.events} generated events, generation {generation:.0f} CPU-s")
    print(f"{'selection':<44}{'events':>8}{'n_eff':>9}{'CPU-s':>8}{'n_eff/CPU-s':>13}{'ratio':>8}")
    for label, n_events, n_eff, seconds in rows:
        rate = n_eff / seconds
        print(f"{label:<44}{n_events:>8}{n_eff:>9.0f}{seconds:>8.0f}{rate:>13.2f}{rate / reference:>8.2f}")


if __name__ == "__main__":
    main()
