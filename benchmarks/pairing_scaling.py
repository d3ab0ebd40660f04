"""Time per event of the all-jets chi^2 pairing and of SPA-Net inference versus the number of jets, HH and HHH.

    .venv/bin/python benchmarks/pairing_scaling.py [--events 10000] [--spanet-events 2048] [--repeats 3]
        [--jets 6 7 8 9 10 12 14] [--threads 1] [--output results/figures/pairing_scaling.pdf] [--json FILE]

Events are random (pT, eta, phi, mass, b-tag) jets, every slot real; the same events go to both methods. The chi^2
code is plain single-threaded numpy (no BLAS); SPA-Net runs with ``--threads`` torch threads (default 1), so the
numbers are one-core numbers by default; pin the process (``taskset -c 0``) to be sure. Target: at least 1e4 events/s
for the HHH chi^2 with 10 jets.

SPA-Net: an untrained network of the paper's size (config/options/base.json: hidden_dim 64, 4 encoder layers, ...;
identity feature normalisation, seeded weights) built for config/event_files/{hh,hhh}.yaml, so besides the AK5 jets
each event gets three real random AK8 jets. Its cost does not depend on the weights, so an untrained network times
the same as a trained one. Timed: the forward pass in batches of ``--spanet-batch`` (``predict_probabilities``) plus
the conflict-free decoding of the assignment distributions (``decode_assignments``), i.e. SPA-Net's pairing step,
on the first ``--spanet-events`` events; the boosted + resolved post-processing and file I/O are not included (nor,
for chi^2, the jet selection). The network has no jet-count limit; the files of the workflow hold at most 10 jets.

The figure (``--output``, written unless ``--no-figure``) has one panel per process with the time per event of both
methods on a log scale.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from multihiggs.baselines.assignments import unique_assignments
from multihiggs.baselines.chi2 import chi2_pairing
from multihiggs.jets import Jets
from multihiggs.spanet.checkpoint import build_network
from multihiggs.spanet.data import EventTensors, identity_statistics
from multihiggs.spanet.decoding import decode_assignments
from multihiggs.spanet.event_info import MAX_DAUGHTERS, EventInfo
from multihiggs.spanet.inference import predict_probabilities
from multihiggs.spanet.model import SpanetNetwork
from multihiggs.spanet.options import SpanetOptions

TARGET_EVENTS_PER_SECOND = 1e4
REPO = Path(__file__).resolve().parents[1]
EVENT_FILES = {2: REPO / "config" / "event_files" / "hh.yaml", 3: REPO / "config" / "event_files" / "hhh.yaml"}
OPTIONS_FILE = REPO / "config" / "options" / "base.json"
DEFAULT_FIGURE = REPO / "results" / "figures" / "pairing_scaling.pdf"
PROCESSES = {2: "HH", 3: "HHH"}
N_FATJETS = 3


def random_events(n_events: int, n_jets: int, seed: int) -> Jets:
    """Events of ``n_jets`` real jets with continuous random kinematics (GeV, rad) and b-tags."""
    rng = np.random.default_rng(seed)
    shape = (n_events, n_jets)
    return Jets(
        pt=np.sort(rng.exponential(60.0, shape) + 20.0, axis=1)[:, ::-1],
        eta=rng.uniform(-2.5, 2.5, shape),
        phi=rng.uniform(-np.pi, np.pi, shape),
        mass=rng.uniform(2.0, 20.0, shape),
        btag=rng.integers(0, 2, shape).astype(float),
        mask=np.ones(shape, dtype=bool),
    )


def events_per_second(jets: Jets, n_higgs: int, repeats: int) -> float:
    """Best-of-``repeats`` throughput of the all-jets chi^2 pairing (events/s)."""
    chi2_pairing(jets, n_higgs)  # warm the assignment-table cache
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        chi2_pairing(jets, n_higgs)
        best = min(best, time.perf_counter() - start)
    return jets.n_events / best


def untrained_network(n_higgs: int, seed: int) -> tuple[SpanetNetwork, EventInfo]:
    """A network of the paper's size for the HH or HHH event file, with seeded random weights."""
    event_info = EventInfo.read(EVENT_FILES[n_higgs])
    torch.manual_seed(seed)
    network = build_network(event_info, SpanetOptions.load(OPTIONS_FILE), {}, identity_statistics(event_info))
    return network, event_info


def _features(names: tuple[str, ...], columns: dict[str, np.ndarray], rng: np.random.Generator) -> torch.Tensor:
    """(N, V, F) float32 tensor of the named features; a feature not in ``columns`` is uniform in [0, 1)."""
    shape = next(iter(columns.values())).shape
    stacked = [columns[name] if name in columns else rng.uniform(size=shape) for name in names]
    return torch.from_numpy(np.stack(stacked, axis=-1).astype(np.float32))


def network_inputs(jets: Jets, event_info: EventInfo, seed: int) -> EventTensors:
    """SPA-Net inputs of the random events: their AK5 jets plus three real random AK8 jets per event, no targets."""
    rng = np.random.default_rng(seed)
    n_events = jets.n_events
    fat_shape = (n_events, N_FATJETS)
    fat_phi = rng.uniform(-np.pi, np.pi, fat_shape)
    columns = {
        "Jets": {
            "pt": jets.pt, "eta": jets.eta, "sinphi": np.sin(jets.phi), "cosphi": np.cos(jets.phi),
            "btag": jets.btag, "btag_upart": jets.btag, "mass": jets.mass,
        },
        "BoostedJets": {
            "pt": rng.exponential(100.0, fat_shape) + 250.0, "eta": rng.uniform(-2.5, 2.5, fat_shape),
            "sinphi": np.sin(fat_phi), "cosphi": np.cos(fat_phi), "mass": rng.uniform(50.0, 200.0, fat_shape),
        },
    }  # fmt: skip
    features = {
        name: _features(tuple(feature.name for feature in infos), columns[name], rng)
        for name, infos in event_info.sequential_inputs.items()
    }
    masks = {name: torch.ones(tensor.shape[:2], dtype=torch.bool) for name, tensor in features.items()}
    n_particles = event_info.n_particles
    return EventTensors(
        features=features,
        masks=masks,
        global_features={
            name: torch.zeros(n_events, len(infos), dtype=torch.float32)
            for name, infos in event_info.global_inputs.items()
        },
        targets=torch.full((n_events, n_particles, MAX_DAUGHTERS), -1, dtype=torch.int64),
        target_masks=torch.zeros(n_events, n_particles, dtype=torch.bool),
        target_weights=torch.ones(n_events, n_particles),
        event_weights=torch.ones(n_events),
        balance_weights=torch.ones(n_events),
        class_labels={},
    )


def spanet_events_per_second(
    network: SpanetNetwork, event_info: EventInfo, events: EventTensors, batch_size: int, repeats: int
) -> float:
    """Best-of-``repeats`` throughput of the forward pass plus the conflict-free decoding (events/s)."""
    sources = [particle.source for particle in event_info.particles]

    def pairing() -> None:
        probabilities = predict_probabilities(network, events, event_info, batch_size)
        decode_assignments(probabilities.assignment, sources, probabilities.detection)

    pairing()  # warm-up (allocator, first-call overheads)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        pairing()
        best = min(best, time.perf_counter() - start)
    return len(events) / best


def draw(results: list[dict], path: Path) -> None:
    """Time per event (µs, log scale) versus the number of jets, one panel per process, chi^2 and SPA-Net."""
    from multihiggs.plotting.draw import label_panels, panels
    from multihiggs.plotting.style import save_figure

    figure, axes = panels(len(PROCESSES))
    n_jets = [row["jets"] for row in results]
    for ax, (n_higgs, process) in zip(axes, PROCESSES.items(), strict=True):
        for method, label, marker in (("chi2", "all-jets $\\chi^2$", "o"), ("spanet", "SPA-Net", "s")):
            rates = [row[process].get(f"{method}_events_per_s") for row in results]
            points = [(n, 1e6 / rate) for n, rate in zip(n_jets, rates, strict=True) if rate]
            if points:
                ax.plot(*zip(*points, strict=True), marker=marker, linewidth=2, label=label)
        ax.set_yscale("log")
        ax.set_xlabel("Number of jets")
        ax.set_ylabel("Time per event [µs]")
        ax.set_xticks(n_jets)
        if n_higgs == 3:
            target_label = "$\\chi^2$ target ($10^4$ events/s)"
            ax.axhline(1e6 / TARGET_EVENTS_PER_SECOND, color="grey", linestyle=":", linewidth=1.5, label=target_label)
        ax.legend(title=f"{process} ({2 * n_higgs} b jets)", loc="lower right")
    label_panels(axes, energy_tev=None, extra="random events, one core")
    save_figure(figure, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="events per configuration (chi^2)")
    parser.add_argument(
        "--spanet-events", type=int, default=2048, help="first events timed with SPA-Net (0: chi^2 only)"
    )
    parser.add_argument("--spanet-batch", type=int, default=1024, help="SPA-Net inference batch size")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for SPA-Net")
    parser.add_argument("--repeats", type=int, default=3, help="timed repetitions (best is kept)")
    parser.add_argument("--jets", type=int, nargs="+", default=[6, 7, 8, 9, 10, 12, 14], help="jet multiplicities")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=DEFAULT_FIGURE, help="figure to write (PDF)")
    parser.add_argument("--no-figure", action="store_true", help="print the table only")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    networks = {n_higgs: untrained_network(n_higgs, args.seed) for n_higgs in PROCESSES} if args.spanet_events else {}

    print(f"{args.events} random events per row for chi^2, the first {min(args.spanet_events, args.events)} for "
          f"SPA-Net ({args.threads} thread(s), batch {args.spanet_batch}); best of {args.repeats}; events/s "
          "(time per event in µs)")  # fmt: skip
    header = f"{'jets':>5}"
    for process in PROCESSES.values():
        header += f" {process + ' assignments':>16} {process + ' chi2':>18} {process + ' SPA-Net':>18}"
    print(header)
    results = []
    for n_jets in args.jets:
        jets = random_events(args.events, n_jets, args.seed)
        row = {"jets": n_jets}
        line = f"{n_jets:>5}"
        for n_higgs, process in PROCESSES.items():
            chi2 = events_per_second(jets, n_higgs, args.repeats)
            spanet = None
            if n_higgs in networks:
                network, event_info = networks[n_higgs]
                inputs = network_inputs(jets, event_info, args.seed).select(slice(0, args.spanet_events))
                spanet = spanet_events_per_second(network, event_info, inputs, args.spanet_batch, args.repeats)
            n_assignments = len(unique_assignments(n_jets, n_higgs))
            row[process] = {"assignments": n_assignments, "chi2_events_per_s": chi2, "spanet_events_per_s": spanet}
            spanet_text = "–" if spanet is None else f"{spanet:.3g} ({1e6 / spanet:.0f})"
            line += f" {n_assignments:>16} {f'{chi2:.3g} ({1e6 / chi2:.1f})':>18} {spanet_text:>18}"
        results.append(row)
        print(line, flush=True)
        if n_jets == 10:
            verdict = "meets" if row["HHH"]["chi2_events_per_s"] >= TARGET_EVENTS_PER_SECOND else "MISSES"
            print(f"      HHH chi^2 at 10 jets {verdict} the {TARGET_EVENTS_PER_SECOND:.0e} events/s target")
    if not args.no_figure:
        draw(results, args.output)
        print(f"wrote {args.output}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        configuration = {key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items()}
        args.json.write_text(json.dumps({"configuration": configuration, "rows": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
