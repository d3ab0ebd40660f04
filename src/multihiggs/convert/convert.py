"""Delphes-schema ROOT -> SPANet HDF5 (train/val/test), chunk by chunk so memory stays flat in the input size.

Per chunk (pure, :func:`convert_chunk`): select and pT-order AK5/AK8 jets, apply the jet-count and optional
four-tag requirements (or tag-rate weights), find the truth Higgs bosons and their b quarks, match them to the
stored jets, build the input arrays, and assign every event to a split by a seeded hash of (sample, event number).
With tag-rate weights, the b tags of the candidate jets are redrawn given ≥ n tags (``tag_rate``), from uniforms
hashed from (sample, event number, jet slot, tag seed): the inputs look like those of selected events, and the event
carries the probability to pass, P(≥ n tags), in its weight and in ``WEIGHTS/EVENT/selection_weight``. For
background this turns the few events that pass into every event with ≥ n candidate jets; for signal (truth-flavour
model only) it keeps the ~4 in 5 events whose drawn tags fail the cut, each with its exact probability to pass.
The file loop (:func:`convert`) appends each split's rows to ``DIR/{train,val,test}.h5``, written under
``.partial`` names and renamed only when all inputs were converted.

Event weights (pb): the stored weights sum, over the three files, to σ × selection efficiency. How ``Event.Weight``
encodes σ is the weight convention: ``sum`` (default; what our generator writes, and MadGraph's ``event_norm=sum``):
Σ w over all files of the sample = σ, so weights are stored as they are; ``mean``: Σ w / N_generated = σ
(N_generated = all events of all inputs, before selection), so weights are divided by N_generated. With
``--cross-section-pb`` the weights are rescaled to that σ whatever the convention (w × σ / Σ w).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import awkward as ak
import numpy as np

from multihiggs.constants import B_QUARK_PID, HIGGS_PID
from multihiggs.convert import features, matching, selection, splits, tag_rate, truth
from multihiggs.convert.h5append import AppendableH5
from multihiggs.convert.inclusive_tag_rate import (
    TAG_RATE_MODELS,
    CandidateJets,
    TagEfficiency,
    TagRateBinning,
    event_tag_probabilities,
    measure_inclusive_rates,
    measure_normalisation,
)
from multihiggs.io import spanet_layout as layout
from multihiggs.io.delphes import (
    BTAG_BITS,
    DelphesInputError,
    btag_bit,
    iterate_delphes,
    open_delphes_tree,
    plan_branches,
    remap_btag_bits,
)
from multihiggs.io.spanet_layout import (
    ATTR_ABSENT_INPUTS,
    ATTR_CONFIG,
    ATTR_INPUTS,
    ATTR_MIN_JETS,
    ATTR_N_GENERATED,
    ATTR_N_HIGGS,
    ATTR_SAMPLE_NAMES,
    ATTR_SPLIT,
    ATTR_TAG_RATE,
)

PROCESSES = ("hh", "hhh", "qcd")
WEIGHT_CONVENTIONS = ("sum", "mean")
EVENT_BRANCHES = ("Event.Number", "Event.Weight")
JET_FIELDS = ("PT", "Eta", "Phi", "Mass", "BTag", "Flavor")
FATJET_FIELDS = (
    "PT",
    "Eta",
    "Phi",
    "Mass",
    "SoftDroppedMass",
    "Tau1",
    "Tau2",
    "Tau3",
    "NCharged",
    "ChargedEnergyFraction",
)
PARTICLE_FIELDS = ("PID", "M1", "M2", "D1", "D2", "PT", "Eta", "Phi", "Mass")
#: What the method cannot do without: jet four-momenta (and, for signal, the generator record). Everything else a
#: card may lack is filled (``multihiggs.io.delphes.absent_fill``) and reported once by name.
REQUIRED_JET_FIELDS = ("PT", "Eta", "Phi", "Mass")
#: Collections a card may lack entirely (filled as no objects, i.e. masked in the SPANet layout).
OPTIONAL_COLLECTIONS = ("FatJet",)
_FLOAT_FIELDS = {"PT", "Eta", "Phi", "Mass", "SoftDroppedMass", "Tau1", "Tau2", "Tau3", "ChargedEnergyFraction"}


def sample_id(sample: str) -> int:
    """Stable integer id of a sample name (CRC-32), stored per event in ``TRUTH/EVENT/sample_id``."""
    return zlib.crc32(sample.encode())


@dataclass(frozen=True)
class ConversionConfig:
    """Everything a conversion needs beyond the branches (filled from the CLI / workflow config)."""

    sample: str
    process: str
    n_higgs: int
    kl: float
    signal: bool
    selection: selection.SelectionConfig
    split_seed: int = 0
    tag_seed: int | None = None  # seed of the TRF tag draws; None: the split seed
    #: Tag-rate weights: events with P(≥ n tags) below this are kept with probability P / threshold and weigh the
    #: threshold (exact partial unweighting, ``tag_rate.partial_unweighting``); 0 keeps every event
    unweight_below: float = 0.0
    tag_rate_model: str = "truth"  # TRF efficiencies: "truth" flavour or flavour-"inclusive" (inclusive_tag_rate)
    tag_rate_binning: TagRateBinning = field(default_factory=TagRateBinning)
    split_fractions: tuple[float, ...] = splits.DEFAULT_FRACTIONS
    resolved_max_dr: float = matching.RESOLVED_MAX_DR
    boosted_max_dr: float = matching.BOOSTED_MAX_DR
    cross_section_pb: float | None = None
    weight_convention: str = "sum"
    step_size: int = 50_000
    #: Bit of ``Jet.BTag`` holding each working point in the input files (None: the card has no such tagger).
    btag_bits: dict[str, int | None] = field(default_factory=lambda: dict(BTAG_BITS))
    #: The files' names of the collections we read, where they differ (``{"Jet": "JetPUPPI"}``; None: absent).
    collections: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.process not in PROCESSES:
            raise ValueError(f"process must be one of {PROCESSES}, got {self.process!r}")
        if self.n_higgs not in (2, 3):
            raise ValueError(f"n_higgs must be 2 or 3, got {self.n_higgs}")
        if not np.isfinite(self.kl):
            raise ValueError(f"kl must be a finite number, got {self.kl}")
        if self.selection.tag_rate_weights and self.signal and self.tag_rate_model != "truth":
            raise ValueError(
                "signal tag-rate weights use the truth-flavour model (the sample's own jets), "
                f"not {self.tag_rate_model!r}"
            )
        if not 0.0 <= self.unweight_below < 1.0:
            raise ValueError(f"unweight_below must be in [0, 1), got {self.unweight_below}")
        if self.unweight_below > 0 and not self.selection.tag_rate_weights:
            raise ValueError("unweight_below applies to tag-rate weights: enable them as well")
        if self.tag_rate_model not in TAG_RATE_MODELS:
            raise ValueError(f"tag_rate_model must be one of {TAG_RATE_MODELS}, got {self.tag_rate_model!r}")
        if self.tag_rate_model == "inclusive" and not self.selection.tag_rate_weights:
            raise ValueError("the inclusive tag-rate model needs tag-rate weights")
        if self.cross_section_pb is not None and not self.cross_section_pb > 0:
            raise ValueError(f"cross_section_pb must be positive, got {self.cross_section_pb}")
        if self.weight_convention not in WEIGHT_CONVENTIONS:
            raise ValueError(f"weight_convention must be one of {WEIGHT_CONVENTIONS}, got {self.weight_convention!r}")
        if self.step_size <= 0:
            raise ValueError(f"step_size must be a positive number of events, got {self.step_size}")
        splits.check_fractions(self.split_fractions)
        unknown = sorted(set(self.btag_bits) - set(BTAG_BITS))
        if unknown:
            raise ValueError(f"btag_bits: unknown working points {unknown}; expected some of {sorted(BTAG_BITS)}")
        if any(bit is not None and not 0 <= bit < 32 for bit in self.btag_bits.values()):
            raise ValueError(f"btag_bits: bits must be 0 … 31 or None, got {self.btag_bits}")
        if self.btag_bits.get(self.selection.tag_working_point, 0) is None and self.selection.four_tag:
            raise ValueError(
                f"the selection tags at working point {self.selection.tag_working_point}, which btag_bits marks "
                "as absent from the input files"
            )
        required = {"Jet"} | ({"Particle"} if self.signal else set())
        switched_off = sorted(name for name, physical in self.collections.items() if physical is None)
        if set(switched_off) & required:
            raise ValueError(f"collections: {sorted(set(switched_off) & required)} cannot be absent")

    @property
    def missing_working_points(self) -> list[str]:
        """Working points whose tagger the input files do not have (never tagged)."""
        return [name for name in BTAG_BITS if self.btag_bits.get(name, BTAG_BITS[name]) is None]

    @property
    def effective_tag_seed(self) -> int:
        """Seed of the tag-rate-function tag draws: ``tag_seed``, or the split seed when not given."""
        return self.split_seed if self.tag_seed is None else self.tag_seed


@dataclass
class ConversionSummary:
    """Counts of one conversion (printed as JSON by the CLI)."""

    sample: str
    n_generated: int = 0
    n_selected: int = 0
    n_per_split: dict[str, int] = field(default_factory=lambda: dict.fromkeys(layout.SPLIT_NAMES, 0))
    sum_weights_pb: float = 0.0
    n_resolved_higgs: int = 0
    n_boosted_higgs: int = 0
    events_by_n_reconstructable: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    tag_rate: dict[str, object] | None = None  # inclusive TRF: rates, normalisation factor and its uncertainty
    absent_inputs: list[str] = field(default_factory=list)  # input branches the files lacked (filled)
    n_truth_higgs: int = 0  # truth Higgs bosons found in the selected events


def required_branches(config: ConversionConfig) -> list[str]:
    """Logical branch names read for this conversion (Particle only for signal); see :func:`optional_branches`."""
    names = [*EVENT_BRANCHES, *(f"Jet.{f}" for f in JET_FIELDS), *(f"FatJet.{f}" for f in FATJET_FIELDS)]
    if config.signal:
        names += [f"Particle.{f}" for f in PARTICLE_FIELDS]
    return names


def optional_branches(config: ConversionConfig) -> list[str]:
    """The branches of :func:`required_branches` a file may lack: all but the jet four-momenta, the generator
    record of signal and, for tag-rate weights (whose efficiencies depend on it), the jets' flavour."""
    needed = {f"Jet.{leaf}" for leaf in REQUIRED_JET_FIELDS}
    if config.signal:
        needed |= {f"Particle.{leaf}" for leaf in PARTICLE_FIELDS}
    if config.selection.tag_rate_weights:
        needed.add("Jet.Flavor")
    return [name for name in required_branches(config) if name not in needed]


def _iterate(path: Path, config: ConversionConfig, branches: Sequence[str], step_size: int) -> Iterator[dict]:
    """Chunks of ``branches`` of one input, with this conversion's optional branches and collection names, the
    b-tag bits in our layout (:data:`BTAG_BITS`)."""
    for chunk in iterate_delphes(path, branches, step_size, optional_branches(config), config.collections):
        if "Jet.BTag" in chunk and config.btag_bits != BTAG_BITS:
            chunk["Jet.BTag"] = remap_btag_bits(chunk["Jet.BTag"], config.btag_bits)
        yield chunk


def absent_inputs(inputs: Sequence[Path], config: ConversionConfig) -> list[str]:
    """Input branches (and b-tag working points) that some of the files lack, to be filled; sorted."""
    absent = {
        name
        for path in inputs
        for name in plan_branches(path, required_branches(config), optional_branches(config), config.collections).absent
    }
    absent |= {f"Jet.BTag[{name}]" for name in config.missing_working_points}
    return sorted(absent)


def check_finite(chunk: Mapping[str, ak.Array], path: str | Path, first_entry: int) -> None:
    """Raise DelphesInputError naming the branch if a kinematic input holds NaN or infinity.

    Generator particles are checked only for Higgs bosons and b quarks (the ones used): Delphes stores sentinel
    values for the incoming partons.
    """
    used_particles = None
    if "Particle.PID" in chunk:
        used_particles = np.isin(np.abs(ak.to_numpy(ak.flatten(chunk["Particle.PID"]))), (B_QUARK_PID, HIGGS_PID))
    for name, values in chunk.items():
        collection, _, leaf = name.partition(".")
        if leaf not in _FLOAT_FIELDS and name != "Event.Weight":
            continue
        flat = np.asarray(ak.to_numpy(ak.flatten(values, axis=None)))
        if collection == "Particle" and used_particles is not None:
            flat = flat[used_particles]
        if not np.isfinite(flat).all():
            raise DelphesInputError(
                f"branch '{name}' of file {path} holds NaN or infinite values (in entries from {first_entry})"
            )


def _collection(chunk: Mapping[str, ak.Array], name: str, fields: Sequence[str]) -> dict[str, ak.Array]:
    return {leaf: chunk[f"{name}.{leaf}"] for leaf in fields}


def candidate_jets(
    jets: selection.SelectedObjects, weight: np.ndarray, cuts: selection.SelectionConfig
) -> CandidateJets:
    """The tag candidates of selected, pT-ordered jets with their events' weights (N,)."""
    return CandidateJets(
        jets["Flavor"], jets["PT"], jets["Eta"], selection.tag_candidates(jets, cuts), np.asarray(weight, np.float64)
    )


def redraw_candidate_tags(
    jets: selection.SelectedObjects,
    event_number: np.ndarray,
    config: ConversionConfig,
    efficiency: TagEfficiency,
) -> selection.SelectedObjects:
    """The jets with the ``BTag`` bits of their tag candidates redrawn given ≥ n_tags tags (TRF mode).

    The selection working point's tags are drawn from P(tags | ≥ n) (``tag_rate.sample_tags_at_least``), the
    other working points' from the shared uniform implied by them; jets outside the tag acceptance keep their bits.
    ``event_number`` (N,) keys the random numbers with the sample and ``config.effective_tag_seed``.
    """
    cuts = config.selection
    is_candidate = selection.tag_candidates(jets, cuts)
    flavour, pt, eta = (jets[leaf][is_candidate] for leaf in ("Flavor", "PT", "Eta"))
    candidate_efficiency: dict[str, np.ndarray] = {}
    for working_point in BTAG_BITS:
        candidate_efficiency[working_point] = np.zeros(is_candidate.shape)
        candidate_efficiency[working_point][is_candidate] = efficiency(flavour, pt, eta, working_point)
    n_slots = is_candidate.shape[1]
    seed = config.effective_tag_seed
    tag_uniform = splits.event_uniforms(config.sample, event_number, seed, n_slots, "trf-tags")
    shared_uniform = splits.event_uniforms(config.sample, event_number, seed, n_slots, "trf-shared-uniform")
    selected_efficiency = candidate_efficiency[cuts.tag_working_point]
    tagged = tag_rate.sample_tags_at_least(selected_efficiency, cuts.n_tags, tag_uniform)
    generator_uniform = tag_rate.shared_uniform_given_tags(tagged, selected_efficiency, shared_uniform)
    tags = {working_point: generator_uniform < eff for working_point, eff in candidate_efficiency.items()}
    tags[cuts.tag_working_point] = tagged  # the draw itself, not re-derived from u (immune to rounding)

    bitmask = np.asarray(jets["BTag"]).astype(np.int64)
    for working_point, bit in BTAG_BITS.items():
        replaced = (bitmask & ~(1 << bit)) | (tags[working_point].astype(np.int64) << bit)
        bitmask = np.where(is_candidate, replaced, bitmask)
    fields = {**jets.fields, "BTag": bitmask.astype(jets["BTag"].dtype)}
    return selection.SelectedObjects(fields, jets.mask)


def _truth(chunk: Mapping[str, ak.Array], config: ConversionConfig) -> truth.TruthHiggs:
    if not config.signal:
        return truth.TruthHiggs.absent(len(chunk["Event.Number"]), config.n_higgs)
    particles = _collection(chunk, "Particle", PARTICLE_FIELDS)
    try:
        return truth.find_truth_higgs(
            *(particles[leaf] for leaf in ("PID", "M1", "M2", "D1", "D2", "PT", "Eta", "Phi", "Mass")),
            n_higgs=config.n_higgs,
        )
    except truth.RecordLinkError as error:
        raise DelphesInputError(f"sample {config.sample}: {error}") from error


def convert_chunk(
    chunk: Mapping[str, ak.Array],
    config: ConversionConfig,
    weight_scale: float,
    tag_efficiency: TagEfficiency | None = None,
    truth_tag_efficiency: TagEfficiency | None = None,
    tag_weight_factor: float = 1.0,
    jet_flavour_known: bool = True,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Rows of the selected events of one chunk: ({dataset path: array}, split index per row).

    ``chunk``: {logical branch: jagged array} as yielded by ``iterate_delphes`` for :func:`required_branches`.
    ``weight_scale`` multiplies ``Event.Weight`` (1 / N_generated, times a cross-section rescaling). With tag-rate
    weights, ``tag_efficiency`` gives P(≥ n tags) (times ``tag_weight_factor``: the inclusive model's K) and
    ``truth_tag_efficiency``, when given, the truth-flavour weights stored beside them (else the same weights).
    Without ``jet_flavour_known`` (files without ``Jet.Flavor``) b quarks match jets by ΔR alone.
    """
    cuts = config.selection
    jets = selection.select_and_order(_collection(chunk, "Jet", JET_FIELDS), cuts.jet_min_pt, cuts.jet_max_abs_eta)
    fatjets = selection.select_and_order(
        _collection(chunk, "FatJet", FATJET_FIELDS), cuts.fatjet_min_pt, cuts.fatjet_max_abs_eta
    )
    is_candidate = selection.tag_candidates(jets, cuts)
    n_tagged = (is_candidate & btag_bit(jets["BTag"], cuts.tag_working_point)).sum(axis=1)
    keep = selection.pass_jet_count(jets.count, cuts) & selection.pass_four_tag(n_tagged, cuts)
    weight = np.asarray(ak.to_numpy(chunk["Event.Weight"]), dtype=np.float64) * weight_scale
    event_number = np.asarray(ak.to_numpy(chunk["Event.Number"]), dtype=np.int64)
    truth_weight = weight
    selection_weight = np.ones(len(weight))
    if cuts.tag_rate_weights:
        if tag_efficiency is None:
            raise ValueError("tag-rate weights need a tag_efficiency function")
        candidates = candidate_jets(jets, weight, cuts)
        point, n_tags = cuts.tag_working_point, cuts.n_tags
        base = weight
        selection_weight = tag_weight_factor * event_tag_probabilities(candidates, tag_efficiency, point, n_tags)
        weight = base * selection_weight
        truth_weight = (
            weight
            if truth_tag_efficiency is None
            else base * event_tag_probabilities(candidates, truth_tag_efficiency, point, n_tags)
        )
        uniform = splits.event_uniforms(config.sample, event_number, config.effective_tag_seed, 1, "trf-unweight")
        kept, factor = tag_rate.partial_unweighting(selection_weight, config.unweight_below, uniform[:, 0])
        keep &= kept
        selection_weight, weight, truth_weight = selection_weight * factor, weight * factor, truth_weight * factor

    jets, fatjets = jets.take_events(keep), fatjets.take_events(keep)
    higgs = _truth(chunk, config).take_events(keep)
    n_events = int(keep.sum())
    event_number = event_number[keep]
    if cuts.tag_rate_weights:
        jets = redraw_candidate_tags(jets, event_number, config, tag_efficiency)

    resolved = matching.match_resolved(
        higgs.b_eta, higgs.b_phi, jets["Eta"], jets["Phi"], jets["Flavor"], jets.mask, max_dr=config.resolved_max_dr,
        required_flavour=matching.B_HADRON_FLAVOUR if jet_flavour_known else None,
    )  # fmt: skip
    boosted = matching.match_boosted(
        higgs.eta, higgs.phi, higgs.b_eta, higgs.b_phi, fatjets["Eta"], fatjets["Phi"], fatjets.mask,
        max_dr=config.boosted_max_dr,
    )  # fmt: skip
    resolved = matching.truncate_indices(resolved, layout.MAX_JETS)
    boosted = matching.truncate_indices(boosted, layout.MAX_BOOSTED)

    stored_jets, stored_fatjets = jets.with_width(layout.MAX_JETS), fatjets.with_width(layout.MAX_BOOSTED)
    columns: dict[str, np.ndarray] = {}
    columns.update(
        features.jet_inputs(*(stored_jets[leaf] for leaf in ("PT", "Eta", "Phi", "Mass", "BTag")), stored_jets.mask)
    )
    columns.update(
        features.boosted_inputs(
            *(stored_fatjets[leaf] for leaf in ("PT", "Eta", "Phi", "Mass", "SoftDroppedMass", "Tau1", "Tau2")),
            *(stored_fatjets[leaf] for leaf in ("Tau3", "ChargedEnergyFraction", "NCharged")),
            stored_fatjets.mask,
        )
    )
    columns.update(features.global_inputs(config.kl, n_events))
    for index in range(config.n_higgs):
        higgs_number = index + 1
        columns[layout.resolved_target_key(higgs_number, "b1")] = resolved[:, index, 0]
        columns[layout.resolved_target_key(higgs_number, "b2")] = resolved[:, index, 1]
        columns[layout.boosted_target_key(higgs_number)] = boosted[:, index]
        columns[layout.mass_weight_key(higgs_number)] = np.ones(n_events, dtype=np.float32)
        for quantity, values in zip(
            layout.TRUTH_HIGGS_QUANTITIES, (higgs.pt, higgs.eta, higgs.phi, higgs.mass), strict=True
        ):
            columns[layout.truth_higgs_key(higgs_number, quantity)] = values[:, index].astype(np.float32)
    columns[layout.classification_key()] = np.full(n_events, int(config.signal), dtype=np.int64)
    columns[layout.event_weight_key()] = weight[keep]
    columns[layout.truth_tag_weight_key()] = truth_weight[keep]
    columns[layout.selection_weight_key()] = selection_weight[keep]
    columns[layout.truth_event_key("n_jets")] = jets.count.astype(np.int64)
    columns[layout.truth_event_key("n_boosted")] = fatjets.count.astype(np.int64)
    columns[layout.truth_event_key("sample_id")] = np.full(n_events, sample_id(config.sample), dtype=np.int64)
    columns[layout.truth_event_key("event_number")] = event_number
    split = splits.assign_splits(config.sample, event_number, config.split_seed, config.split_fractions)
    return columns, split


def stacked_targets(datasets: Mapping[str, np.ndarray], n_higgs: int) -> tuple[np.ndarray, np.ndarray]:
    """(resolved (N, H, 2), boosted (N, H)) jet indices from the ``TARGETS/*`` datasets of a file or chunk."""
    resolved = np.stack(
        [
            np.stack([np.asarray(datasets[layout.resolved_target_key(i, d)]) for d in ("b1", "b2")], axis=-1)
            for i in range(1, n_higgs + 1)
        ],
        axis=1,
    )
    boosted = np.stack([np.asarray(datasets[layout.boosted_target_key(i)]) for i in range(1, n_higgs + 1)], axis=1)
    return resolved, boosted


def stacked_truth_pt(datasets: Mapping[str, np.ndarray], n_higgs: int) -> np.ndarray:
    """(N, H) truth Higgs pT (GeV; NaN where the event has no such Higgs) from a file's or chunk's datasets."""
    return np.stack([np.asarray(datasets[layout.truth_higgs_key(i, "pt")]) for i in range(1, n_higgs + 1)], axis=1)


def check_converted(summary: ConversionSummary, config: ConversionConfig) -> None:
    """Raise DelphesInputError if the conversion's output cannot serve the next steps (no events, no truth)."""
    if summary.n_selected == 0:
        cuts = config.selection
        tags = f", >= {cuts.n_tags} {cuts.tag_working_point} b tags" if cuts.four_tag else ""
        raise DelphesInputError(
            f"sample {config.sample}: the selection (>= {cuts.min_jets} AK5 jets with pT > {cuts.jet_min_pt} GeV"
            f"{tags}) keeps 0 of {summary.n_generated} events"
        )
    if config.signal and summary.n_truth_higgs == 0:
        raise DelphesInputError(
            f"signal sample {config.sample}: no truth Higgs boson in any of the {summary.n_selected} selected "
            "events; the generator record (Particle) has no Higgs boson (PID 25): convert a background sample "
            "with --background"
        )


def _summarise(summary: ConversionSummary, columns: Mapping[str, np.ndarray], split: np.ndarray, n_higgs: int) -> None:
    resolved_targets, boosted_targets = stacked_targets(columns, n_higgs)
    resolved = matching.resolved_reconstructable(resolved_targets)
    boosted = matching.boosted_reconstructable(boosted_targets)
    summary.n_selected += len(split)
    summary.n_truth_higgs += int(np.isfinite(stacked_truth_pt(columns, n_higgs)).sum())
    for index, name in enumerate(layout.SPLIT_NAMES):
        summary.n_per_split[name] += int((split == index).sum())
    summary.sum_weights_pb += float(columns[layout.event_weight_key()].sum())
    summary.n_resolved_higgs += int(resolved.sum())
    summary.n_boosted_higgs += int(boosted.sum())
    n_reconstructable = np.bincount((resolved | boosted).sum(axis=1), minlength=4)
    summary.events_by_n_reconstructable = [
        before + int(now) for before, now in zip(summary.events_by_n_reconstructable, n_reconstructable, strict=True)
    ]


def _weight_scale(inputs: Sequence[Path], n_generated: int, config: ConversionConfig) -> float:
    """Factor turning ``Event.Weight`` into stored weights (see the module docstring)."""
    if config.cross_section_pb is None:
        return 1.0 if config.weight_convention == "sum" else 1.0 / n_generated
    total = 0.0
    for path in inputs:
        for chunk in _iterate(path, config, ["Event.Weight"], max(config.step_size, 1_000_000)):
            total += float(ak.sum(chunk["Event.Weight"]))
    if not np.isfinite(total) or total <= 0:
        raise DelphesInputError(f"sum of Event.Weight of {[str(p) for p in inputs]} is {total}: cannot rescale")
    return config.cross_section_pb / total


def _generator_tag_efficiency() -> TagEfficiency:
    """The generator's b-tag efficiency model, called with our working-point names ('CSV', 'UParT')."""
    from multihiggs.generate.reco.btag import BITMASK_WORKING_POINTS, btag_efficiency  # lazy: only for TRF weights

    def efficiency(flavour: np.ndarray, pt_gev: np.ndarray, eta: np.ndarray, working_point: str) -> np.ndarray:
        return btag_efficiency(flavour, pt_gev, eta, BITMASK_WORKING_POINTS[BTAG_BITS[working_point]])

    return efficiency


def selected_jet_chunks(
    inputs: Sequence[Path], config: ConversionConfig
) -> Iterator[tuple[selection.SelectedObjects, np.ndarray]]:
    """(selected pT-ordered AK5 jets, Event.Weight (N,)) of the events passing the jet-count requirement, chunk by
    chunk over all inputs (the tag-rate passes; only the Event and Jet branches are read)."""
    cuts = config.selection
    branches = [*EVENT_BRANCHES, *(f"Jet.{leaf}" for leaf in JET_FIELDS)]
    for path in inputs:
        first_entry = 0
        for chunk in _iterate(path, config, branches, config.step_size):
            check_finite(chunk, path, first_entry)
            first_entry += len(chunk["Event.Number"])
            jets = selection.select_and_order(
                _collection(chunk, "Jet", JET_FIELDS), cuts.jet_min_pt, cuts.jet_max_abs_eta
            )
            keep = selection.pass_jet_count(jets.count, cuts)
            weight = np.asarray(ak.to_numpy(chunk["Event.Weight"]), dtype=np.float64)
            yield jets.take_events(keep), weight[keep]


def _candidate_jet_chunks(inputs: Sequence[Path], config: ConversionConfig) -> Iterator[CandidateJets]:
    """Candidate jets of the events passing the jet-count requirement, chunk by chunk over all inputs."""
    for jets, weight in selected_jet_chunks(inputs, config):
        yield candidate_jets(jets, weight, config.selection)


def inclusive_tag_rate_model(
    inputs: Sequence[Path], config: ConversionConfig, truth_efficiency: TagEfficiency
) -> tuple[TagEfficiency, float, dict[str, object]]:
    """(ε_incl as a TagEfficiency, normalisation factor K, JSON summary), from two passes over the inputs."""
    cuts = config.selection
    try:
        inclusive = measure_inclusive_rates(
            _candidate_jet_chunks(inputs, config), config.tag_rate_binning, truth_efficiency, list(BTAG_BITS)
        )
        normalisation = measure_normalisation(
            _candidate_jet_chunks(inputs, config), truth_efficiency, inclusive, cuts.tag_working_point, cuts.n_tags
        )
    except ValueError as error:
        raise DelphesInputError(f"sample {config.sample}: {error}") from error
    summary = {"model": "inclusive", **normalisation.as_dict(), **inclusive.as_dict()}
    return inclusive, normalisation.factor, summary


def remove_outputs(output_dir: str | Path) -> list[Path]:
    """Delete a conversion's output files in ``output_dir`` (a failed rerun must not leave the previous run's
    files looking current); return their paths."""
    paths = [Path(output_dir) / f"{name}.h5" for name in layout.SPLIT_NAMES]
    for stale in paths:
        stale.unlink(missing_ok=True)
    return paths


def convert(
    inputs: Sequence[str | Path],
    output_dir: str | Path,
    config: ConversionConfig,
    tag_efficiency: TagEfficiency | None = None,
) -> ConversionSummary:
    """Convert Delphes files of one sample into ``output_dir/{train,val,test}.h5``; all or nothing.

    Raises DelphesInputError for unusable inputs; no output file is left behind on any error.
    """
    inputs = [Path(path) for path in inputs]
    output_dir = Path(output_dir)
    if not inputs:
        raise DelphesInputError("no input files given")
    if config.selection.tag_rate_weights and tag_efficiency is None:
        tag_efficiency = _generator_tag_efficiency()
    final_paths = remove_outputs(output_dir)
    n_generated = sum(open_delphes_tree(path).num_entries for path in inputs)  # validates every file up front
    summary = ConversionSummary(sample=config.sample, n_generated=n_generated)
    summary.absent_inputs = absent_inputs(inputs, config)
    jet_flavour_known = "Jet.Flavor" not in summary.absent_inputs
    weight_scale = _weight_scale(inputs, n_generated, config)
    truth_tag_efficiency, tag_weight_factor = None, 1.0
    if config.tag_rate_model == "inclusive":
        truth_tag_efficiency = tag_efficiency
        tag_efficiency, tag_weight_factor, summary.tag_rate = inclusive_tag_rate_model(inputs, config, tag_efficiency)

    writers = [AppendableH5(path) for path in final_paths]
    try:
        for path in inputs:
            first_entry = 0
            for chunk in _iterate(path, config, required_branches(config), config.step_size):
                check_finite(chunk, path, first_entry)
                first_entry += len(chunk["Event.Number"])
                columns, split = convert_chunk(
                    chunk, config, weight_scale, tag_efficiency, truth_tag_efficiency, tag_weight_factor,
                    jet_flavour_known,
                )  # fmt: skip
                for index, writer in enumerate(writers):
                    in_split = split == index
                    writer.append({key: values[in_split] for key, values in columns.items()})
                _summarise(summary, columns, split, config.n_higgs)
        check_converted(summary, config)
        config_json = json.dumps(asdict(config), sort_keys=True)
        for name, writer in zip(layout.SPLIT_NAMES, writers, strict=True):
            writer.set_attributes(
                {
                    ATTR_SAMPLE_NAMES: json.dumps({str(sample_id(config.sample)): config.sample}),
                    ATTR_N_HIGGS: config.n_higgs,
                    ATTR_MIN_JETS: config.selection.min_jets,
                    ATTR_CONFIG: config_json,
                    ATTR_SPLIT: name,
                    ATTR_N_GENERATED: n_generated,
                    ATTR_INPUTS: json.dumps([str(path) for path in inputs]),
                    ATTR_TAG_RATE: json.dumps(summary.tag_rate),
                    ATTR_ABSENT_INPUTS: json.dumps(summary.absent_inputs),
                }
            )
        for writer in writers:
            writer.commit()
    except BaseException:
        for writer, path in zip(writers, final_paths, strict=True):
            writer.discard()
            path.unlink(missing_ok=True)
        raise
    return summary
