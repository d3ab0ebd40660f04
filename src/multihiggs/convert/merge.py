"""Merge converted HDF5 files into one training/validation file, shuffled with a seed.

``python -m multihiggs.convert.merge -o OUT.h5 IN1.h5 IN2.h5 … [--seed S] [--kl-random-from K1 K2 …]
[--balance] [--background-per-signal R] [--flatten-mass [--mass-bin-width 10]]``

- ``--kl-random-from``: background events (``CLASSIFICATIONS/EVENT/signal`` = 0) get ``INPUTS/Event/kl`` drawn
  uniformly from the list (the κλ-mixed variant: κλ is a network input, and background must not reveal itself by it).
- ``--balance``: every signal input contributes the same number of events (the smallest signal input's count, a
  seeded random subset of the others); background inputs are kept whole.
- ``--background-per-signal R`` (alias ``--max-background-ratio``): at most R background events per kept signal
  event, a seeded random subset taken from every background input in proportion to its size (SPA-Net learns
  assignments from signal: a QCD-rich mix spends most of each epoch on events without targets).
- ``--flatten-mass``: ``WEIGHTS/h{i}/mass_weight`` = w(m_gen) flattening the truth Higgs mass spectrum of the merged
  file. Binning: bins of ``--mass-bin-width`` GeV (default 10) centred on multiples of the width, spanning the
  observed masses (so the mass points 80, 90, …, 170 GeV of the scan each get a bin). All Higgs slots are pooled;
  w = (mean count of the non-empty bins) / (count of the Higgs's bin), so the mean weight is 1; slots without a
  Higgs get 1.

Every random choice uses one ``numpy.random.Generator`` seeded with ``--seed``, in a fixed order (balance subsets,
background cap, κλ draws, shuffle), so a rerun gives an identical file. Memory: one dataset of the merged file at a
time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import h5py
import numpy as np

from multihiggs.cli import run_main
from multihiggs.convert.h5append import AppendableH5
from multihiggs.io import spanet_layout as layout
from multihiggs.io.hdf5 import open_hdf5, read_dataset
from multihiggs.io.spanet_layout import ATTR_MIN_JETS, ATTR_N_HIGGS, ATTR_SAMPLE_NAMES

DEFAULT_MASS_BIN_WIDTH_GEV = 10.0
ATTR_MERGE = "merge_config"


class MergeInputError(ValueError):
    """Converted files that cannot be merged (missing, inconsistent layouts, no events)."""


def mass_bin_edges(masses: np.ndarray, bin_width: float = DEFAULT_MASS_BIN_WIDTH_GEV) -> np.ndarray:
    """Bin edges (GeV) of width ``bin_width`` centred on multiples of it, covering the finite ``masses``."""
    finite = masses[np.isfinite(masses)]
    if finite.size == 0:
        return np.array([0.0, bin_width])
    lowest, highest = np.round(finite.min() / bin_width), np.round(finite.max() / bin_width)
    return (np.arange(lowest, highest + 2) - 0.5) * bin_width


def flat_mass_weights(masses: np.ndarray, bin_width: float = DEFAULT_MASS_BIN_WIDTH_GEV) -> np.ndarray:
    """Weights (same shape as ``masses``, GeV) that make the weighted mass histogram flat; 1 where NaN."""
    edges = mass_bin_edges(masses, bin_width)
    finite = np.isfinite(masses)
    counts, _ = np.histogram(masses[finite], bins=edges)
    if counts.sum() == 0:
        return np.ones(masses.shape, dtype=np.float32)
    target_per_bin = counts[counts > 0].mean()
    bins = np.clip(np.digitize(masses[finite], edges) - 1, 0, len(counts) - 1)
    weights = np.ones(masses.shape, dtype=np.float64)
    weights[finite] = target_per_bin / counts[bins]
    return weights.astype(np.float32)


def random_background_kl(
    kl: np.ndarray, is_signal: np.ndarray, kl_values: Sequence[float], rng: np.random.Generator
) -> np.ndarray:
    """``kl`` with every background entry replaced by a uniform draw from ``kl_values``."""
    result = np.array(kl, dtype=np.float32, copy=True)
    background = ~np.asarray(is_signal, dtype=bool)
    result[background] = rng.choice(np.asarray(kl_values, dtype=np.float32), size=int(background.sum()))
    return result


def balanced_rows(n_rows: Sequence[int], is_signal_file: Sequence[bool], rng: np.random.Generator) -> list[np.ndarray]:
    """Rows kept from each file: signal files cut to the smallest signal file (seeded subset), others whole."""
    signal_counts = [n for n, signal in zip(n_rows, is_signal_file, strict=True) if signal]
    target = min(signal_counts) if signal_counts else None
    rows = []
    for n, signal in zip(n_rows, is_signal_file, strict=True):
        if signal and target is not None and n > target:
            rows.append(np.sort(rng.choice(n, size=target, replace=False)))
        else:
            rows.append(np.arange(n))
    return rows


def capped_background_rows(
    rows: Sequence[np.ndarray], is_signal_file: Sequence[bool], max_ratio: float, rng: np.random.Generator
) -> list[np.ndarray]:
    """``rows`` with the background files' rows cut (seeded) to ``max_ratio`` × the kept signal rows in all.

    Each background file keeps the same fraction of its rows (rounded down), so their mix is unchanged.
    """
    if max_ratio < 0:
        raise MergeInputError(f"--background-per-signal must be >= 0, got {max_ratio}")
    n_signal = sum(len(kept) for kept, signal in zip(rows, is_signal_file, strict=True) if signal)
    n_background = sum(len(kept) for kept, signal in zip(rows, is_signal_file, strict=True) if not signal)
    allowed = int(np.floor(max_ratio * n_signal))
    if n_background <= allowed:
        return list(rows)
    fraction = allowed / n_background
    capped = []
    for kept, signal in zip(rows, is_signal_file, strict=True):
        if signal:
            capped.append(kept)
        else:
            size = int(np.floor(fraction * len(kept)))
            capped.append(np.sort(rng.choice(kept, size=size, replace=False)))
    return capped


def _check_inputs(handles: Sequence[h5py.File], paths: Sequence[Path]) -> list[str]:
    """Dataset names common to all inputs; raise naming the first inconsistency."""

    def names(handle: h5py.File) -> list[str]:
        found: list[str] = []
        handle.visititems(lambda name, item: found.append(name) if isinstance(item, h5py.Dataset) else None)
        return sorted(found)

    reference = names(handles[0])
    n_higgs = int(handles[0].attrs.get(ATTR_N_HIGGS, -1))
    for handle, path in zip(handles[1:], paths[1:], strict=True):
        if int(handle.attrs.get(ATTR_N_HIGGS, -1)) != n_higgs:
            raise MergeInputError(
                f"{path} has {handle.attrs.get(ATTR_N_HIGGS)} Higgs slots, {paths[0]} has {n_higgs}: cannot merge"
            )
        differing = sorted(set(names(handle)) ^ set(reference))
        if differing:
            raise MergeInputError(f"{path} and {paths[0]} differ in datasets: {differing[:10]}")
    return reference


def merge(
    inputs: Sequence[str | Path],
    output: str | Path,
    seed: int,
    kl_values: Sequence[float] | None = None,
    balance: bool = False,
    flatten_mass: bool = False,
    mass_bin_width: float = DEFAULT_MASS_BIN_WIDTH_GEV,
    max_background_ratio: float | None = None,
) -> int:
    """Merge converted files into ``output`` (atomically); returns the number of events written."""
    paths = [Path(path) for path in inputs]
    missing = [str(path) for path in paths if not path.is_file()]
    if not paths or missing:
        raise MergeInputError(f"missing input files: {missing}" if missing else "no input files given")
    rng = np.random.default_rng(seed)
    with contextlib.ExitStack() as stack:
        handles = [stack.enter_context(open_hdf5(path)) for path in paths]
        dataset_names = _check_inputs(handles, paths)
        n_higgs = int(handles[0].attrs[ATTR_N_HIGGS])
        signal_key = layout.classification_key()
        labels = [read_dataset(handle, signal_key) for handle in handles]
        is_signal_file = [bool(label.size) and bool(label.all()) for label in labels]
        n_rows = [len(label) for label in labels]
        rows = balanced_rows(n_rows, is_signal_file, rng) if balance else [np.arange(n) for n in n_rows]
        if max_background_ratio is not None:
            rows = capped_background_rows(rows, is_signal_file, max_background_ratio, rng)
        n_events = sum(len(kept) for kept in rows)
        if n_events == 0:
            raise MergeInputError(f"no events in {[str(p) for p in paths]}")

        def merged(name: str) -> np.ndarray:
            return np.concatenate([handle[name][...][kept] for handle, kept in zip(handles, rows, strict=True)])

        overrides: dict[str, np.ndarray] = {}
        if kl_values:
            kl_key = layout.input_key(layout.EVENT, "kl")
            overrides[kl_key] = random_background_kl(merged(kl_key), merged(signal_key) == 1, kl_values, rng)
        if flatten_mass:
            masses = np.stack([merged(layout.truth_higgs_key(i, "mass")) for i in range(1, n_higgs + 1)], axis=1)
            weights = flat_mass_weights(masses, mass_bin_width)
            for i in range(1, n_higgs + 1):
                overrides[layout.mass_weight_key(i)] = weights[:, i - 1]
        order = rng.permutation(n_events)

        sample_names: dict[str, str] = {}
        for handle in handles:
            sample_names.update(json.loads(handle.attrs.get(ATTR_SAMPLE_NAMES, "{}")))
        min_jets = min(int(handle.attrs.get(ATTR_MIN_JETS, 0)) for handle in handles)
        with AppendableH5(output) as writer:
            for name in dataset_names:
                values = overrides[name] if name in overrides else merged(name)
                writer.write(name, values[order])
            writer.set_attributes(
                {
                    ATTR_SAMPLE_NAMES: json.dumps(sample_names, sort_keys=True),
                    ATTR_N_HIGGS: n_higgs,
                    ATTR_MIN_JETS: min_jets,
                    ATTR_MERGE: json.dumps(
                        {
                            "inputs": [str(p) for p in paths],
                            "seed": seed,
                            "kl_random_from": list(kl_values or []),
                            "balance": balance,
                            "max_background_ratio": max_background_ratio,
                            "flatten_mass": flatten_mass,
                            "mass_bin_width_gev": mass_bin_width,
                        }
                    ),
                }
            )
            writer.commit()
    return n_events


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.convert.merge", description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", help="converted HDF5 files")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kl-random-from", type=float, nargs="+", default=None, metavar="KL")
    parser.add_argument("--balance", action="store_true", help="equal event counts per signal input")
    parser.add_argument(
        "--background-per-signal",
        "--max-background-ratio",
        dest="max_background_ratio",
        type=float,
        default=None,
        metavar="R",
        help="at most R background events per signal event (config spanet.background_per_signal)",
    )
    parser.add_argument("--flatten-mass", action="store_true", help="flat-mass weights WEIGHTS/h{i}/mass_weight")
    parser.add_argument("--mass-bin-width", type=float, default=DEFAULT_MASS_BIN_WIDTH_GEV, help="GeV")
    args = parser.parse_args(argv)
    return run_main(lambda: _merge(args))


def _merge(args: argparse.Namespace) -> None:
    n_events = merge(
        args.inputs,
        args.output,
        args.seed,
        args.kl_random_from,
        args.balance,
        args.flatten_mass,
        args.mass_bin_width,
        args.max_background_ratio,
    )
    print(json.dumps({"output": args.output, "n_events": n_events}))


if __name__ == "__main__":
    sys.exit(main())
