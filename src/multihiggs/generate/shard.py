"""One simulation job: a shard of a sample, from the parton level to a Delphes-schema ROOT file.

Stages, each timed for the benchmark table the job prints: parton level (our matrix elements, signal only) →
Pythia 8 (shower, MPI, hadronisation, decays) → generator-record pruning → jets + detector → ROOT writer.

Event weights (``Event.Weight``, pb): a shard of N requested events of a sample holds the share n_made / N of its
cross section σ, σ × (w / Σ_shard w) × (n_made / N), so the weights of all shards add up to σ. A QCD sample split by
its hard process (``SampleSpec.b_hard_fraction``) does this per class: σ is the shard's own Pythia σ of its class
(``sigmaGen`` counts the kept events only) and N the requested events of all shards of that class, so the light and
b-hard shards add up to σ_light + σ_b = σ_inclusive, each event counted in one class only. (Under a veto Pythia's
``sigmaGen`` with the p̂T-biased selection drops vetoed events by count, not by weight; the classes are still right
because their mean bias weights agree: measured on 20,000 events, 0.558 (b-hard) and 0.554 (light), the b-hard
share 3.52 ± 0.15 % by weight and 3.50 % by count.) The early thinning (:mod:`multihiggs.generate.parton_jet_thinning`)
is strongly correlated with the weights, so its shards put the vetoed events back by count
(:func:`~multihiggs.generate.parton_jet_thinning.unthinned_cross_section_pb`) and distribute that σ over w t.
"""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import awkward as ak
import numpy as np

from multihiggs import __version__
from multihiggs.generate.parton_jet_thinning import unthinned_cross_section_pb
from multihiggs.generate.reco.charge import pid_charge_table
from multihiggs.generate.reco.detector import DetectorParameters
from multihiggs.generate.reco.reconstruct import reconstruct_events
from multihiggs.generate.record import prune_generator_record
from multihiggs.generate.shower import (
    HardFlavourVeto,
    PartonJetThinningHook,
    ShowerSettings,
    bias_weights,
    common_settings,
    g_to_bb_enhancement_settings,
    generated_cross_section_error_pb,
    generated_cross_section_pb,
    higgs_decay_settings,
    lhe_input_settings,
    make_pythia,
    qcd_settings,
    run_batches,
)
from multihiggs.io.delphes import write_delphes
from multihiggs.samples import PartonJetThinning, SampleSpec


@dataclass
class StageTimer:
    """Wall-clock seconds spent per stage."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, stage: str, started: float) -> float:
        now = time.perf_counter()
        self.seconds[stage] += now - started
        return now


@dataclass(frozen=True)
class ShardResult:
    """What a shard produced: event count, cross section (pb) and time per stage (s)."""

    n_events: int
    cross_section_pb: float
    stage_seconds: dict[str, float]


@dataclass(frozen=True)
class RandomStreams:
    """Independent random streams of one shard: parton level, Pythia's seed, detector, early thinning."""

    parton: np.random.Generator
    pythia_seed: int
    detector: np.random.Generator
    thinning: np.random.Generator


def _random_streams(spec: SampleSpec, shard: int) -> RandomStreams:
    """Independent streams from the shard seed (a fourth child leaves the first three as they were)."""
    parton_seq, pythia_seq, detector_seq, thinning_seq = np.random.SeedSequence(spec.shard_seed(shard)).spawn(4)
    pythia_seed = int(pythia_seq.generate_state(1)[0] % 900_000_000)
    return RandomStreams(
        np.random.default_rng(parton_seq),
        pythia_seed,
        np.random.default_rng(detector_seq),
        np.random.default_rng(thinning_seq),
    )


def _parton_events(spec: SampleSpec, n_events: int, rng: np.random.Generator, form_factor_path: Path | None):
    from multihiggs.generate import parton

    pdf = parton.build_gluon_pdf_from_pythia()
    if spec.process == "hh":
        if form_factor_path is None:
            raise ValueError(f"sample {spec.name!r} (gg -> HH) needs a form-factor table (--form-factors)")
        table = parton.FormFactorTable.load(form_factor_path)
        if not np.isclose(table.higgs_mass_gev, spec.higgs_mass_gev):
            raise ValueError(
                f"form-factor table {form_factor_path} is for m_H = {table.higgs_mass_gev} GeV, "
                f"sample {spec.name!r} needs {spec.higgs_mass_gev} GeV"
            )
        return parton.generate_hh_events(table, spec.kappa_lambda, spec.kappa_t, n_events, spec.sqrt_s_gev, pdf, rng)
    return parton.generate_hhh_events(
        spec.kappa_3,
        spec.kappa_4,
        spec.higgs_mass_gev,
        n_events,
        spec.sqrt_s_gev,
        pdf,
        rng,
        top_mass_gev=spec.top_mass_gev,
        damping_power=spec.hhh_damping_power,
    )


def detector_parameters(detector_config: dict) -> DetectorParameters:
    """Detector model from the workflow's ``detector`` config section (acceptance of stored jets)."""
    if not detector_config:
        return DetectorParameters()
    return DetectorParameters(
        jet_pt_min_gev=float(detector_config["ak5"]["pt_min_gev"]),
        jet_abs_eta_max=float(detector_config["ak5"]["eta_max"]),
        fat_jet_pt_min_gev=float(detector_config["ak8"]["pt_min_gev"]),
        fat_jet_abs_eta_max=float(detector_config["ak8"]["eta_max"]),
    )


def shard_weights_pb(weights: np.ndarray, cross_section_pb: float, n_events_class: int) -> np.ndarray:
    """Event weights (pb) of one shard: its share len(weights) / ``n_events_class`` of ``cross_section_pb``,
    distributed as the generator weights ``weights`` (see the module docstring)."""
    return cross_section_pb * (weights / weights.sum()) * (len(weights) / n_events_class)


def _event_records(numbers: np.ndarray, weights_pb: np.ndarray) -> ak.Array:
    """Delphes ``Event`` collection: one record per event."""
    records = ak.zip({"Number": numbers.astype(np.int64), "Weight": weights_pb.astype(np.float32)})
    return ak.unflatten(records, np.ones(len(numbers), dtype=np.int64))


def simulate_shard(
    spec: SampleSpec, shard: int, output: str | Path, form_factor_path: str | Path | None = None
) -> ShardResult:
    """Simulate shard ``shard`` of ``spec`` and write it to ``output`` (a Delphes-schema ROOT file)."""
    n_requested = spec.shard_size(shard)
    streams = _random_streams(spec, shard)
    timer = StageTimer()
    started = time.perf_counter()
    settings = common_settings(ShowerSettings(spec.multiparton_interactions, spec.hadronisation), streams.pythia_seed)
    cross_section_pb = cross_section_error_pb = float("nan")
    hard_class = spec.hard_process_class(shard) if spec.process == "qcd" else None
    veto = HardFlavourVeto(keep_b_hard=hard_class == "b_hard") if hard_class in ("light", "b_hard") else None
    thinning = None
    if spec.parton_jet_thinning is not None:
        criterion = PartonJetThinning.from_config(spec.parton_jet_thinning)
        thinning = PartonJetThinningHook(criterion, streams.thinning, hard_flavour=veto)
    hooks = thinning if thinning is not None else veto
    with tempfile.TemporaryDirectory(prefix=f"multihiggs_{spec.name}_") as workdir:
        if spec.process == "qcd":
            settings += qcd_settings(spec.sqrt_s_gev, spec.pthat_min_gev, spec.bias_power)
            settings += g_to_bb_enhancement_settings(spec.g_to_bb_enhancement)
        else:
            events = _parton_events(
                spec, n_requested, streams.parton, Path(form_factor_path) if form_factor_path else None
            )
            from multihiggs.generate.parton import write_lhe

            lhe_path = Path(workdir) / "events.lhe"
            write_lhe(lhe_path, events, spec.sqrt_s_gev / 2)
            cross_section_pb = events.cross_section_pb
            settings += lhe_input_settings(lhe_path) + higgs_decay_settings(spec.higgs_mass_gev)
        started = timer.add("parton", started)
        pythia = make_pythia(settings, hooks)
        charges = pid_charge_table(pythia.particleData)
        detector = detector_parameters(spec.detector)
        started = timer.add("pythia_init", started)
        collected: dict[str, list[ak.Array]] = defaultdict(list)
        raw_weights: list[np.ndarray] = []
        thinning_weights: list[np.ndarray] = []
        for batch in run_batches(pythia, n_requested, spec.batch_size):
            started = timer.add("pythia", started)
            collected["Particle"].append(prune_generator_record(batch.prt))
            started = timer.add("record", started)
            for name, array in reconstruct_events(batch.prt, charges, detector, streams.detector).items():
                collected[name].append(array)
            started = timer.add("jets_detector", started)
            raw_weights.append(ak.to_numpy(bias_weights(batch.info)).astype(np.float64))
            if thinning is not None:
                weights, _ = thinning.decisions_of(ak.to_numpy(batch.info.x1), ak.to_numpy(batch.info.x2))
                thinning_weights.append(weights)
        if spec.process == "qcd":
            cross_section_pb = generated_cross_section_pb(pythia)
            cross_section_error_pb = generated_cross_section_error_pb(pythia)
    collections = {name: ak.concatenate(parts) for name, parts in collected.items()}
    weights = np.concatenate(raw_weights)
    n_made = len(weights)
    # Σ over all shards of the sample (of the class) = σ (of the class): see the module docstring.
    n_events_class = spec.class_events(hard_class) if hard_class is not None else spec.n_events
    thinned = None
    if thinning is not None:
        # σ of the un-thinned sample (what the weights w t add up to); see multihiggs.generate.parton_jet_thinning
        thinned = np.concatenate(thinning_weights)
        cross_section_pb, cross_section_error_pb = unthinned_cross_section_pb(
            cross_section_pb, cross_section_error_pb, thinning.n_seen, thinning.n_vetoed
        )
        weights = weights * thinned
    weights_pb = shard_weights_pb(weights, cross_section_pb, n_events_class)
    first_number = shard * spec.events_per_shard
    collections["Event"] = _event_records(np.arange(first_number, first_number + n_made), weights_pb)
    metadata = {
        "sample": spec.name,
        "process": spec.process,
        "shard": shard,
        "n_events": n_made,
        "n_events_sample": spec.n_events,
        "cross_section_pb": cross_section_pb,
        "kappa_lambda": spec.kappa_lambda if spec.process == "hh" else None,
        "kappa_t": spec.kappa_t,
        "kappa_3": spec.kappa_3 if spec.process == "hhh" else None,
        "kappa_4": spec.kappa_4 if spec.process == "hhh" else None,
        "higgs_mass_gev": spec.higgs_mass_gev if spec.process != "qcd" else None,
        # QCD: hard-process class of the shard ('inclusive', 'light', 'b_hard'), the requested events of its class
        # (N of the weights), the g -> bb enhancement and the process-level events looked at / vetoed.
        "hard_process_class": hard_class,
        "n_events_class": n_events_class if hard_class is not None else None,
        "g_to_bb_enhancement": spec.g_to_bb_enhancement if spec.process == "qcd" else None,
        "cross_section_error_pb": cross_section_error_pb if spec.process == "qcd" else None,
        "hard_process_seen": veto.n_seen if veto is not None else None,
        "hard_process_vetoed": veto.n_vetoed if veto is not None else None,
        # QCD with early thinning: its criterion, and the events looked at, four-jet candidates, vetoed, and kept
        # with weight 1 / keep_probability.
        "parton_jet_thinning": spec.parton_jet_thinning,
        "thinning_seen": thinning.n_seen if thinning is not None else None,
        "thinning_candidates": thinning.n_candidates if thinning is not None else None,
        "thinning_vetoed": thinning.n_vetoed if thinning is not None else None,
        "thinning_reweighted": int(np.count_nonzero(thinned != 1.0)) if thinned is not None else None,
        "sqrt_s_gev": spec.sqrt_s_gev,
        "seed": spec.shard_seed(shard),
        "generator": f"multihiggs {__version__}",
    }
    write_delphes(output, collections, metadata)
    timer.add("write", started)
    return ShardResult(n_made, cross_section_pb, dict(timer.seconds))
