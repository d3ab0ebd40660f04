"""From assignment and detection probabilities to reconstructed Higgs bosons (numpy and the standard library only).

This module imports nothing but numpy and the standard library, so that it can travel with an exported model:
``python -m multihiggs.spanet.export`` copies this very file next to the ONNX graph (see that module and
``docs/portable_decoding.md``). It has four parts.

Greedy conflict-free decoding (:func:`decode_assignments`, method-agnostic). At each step, over all particles not
yet decoded, take the most confident one (the probability of its best remaining tuple, times its detection
probability when given), assign it that tuple, and remove its vectors from every particle drawing on the same
input. Repeat until every particle is decoded; a vector is never used twice within an input. Weighting by
detection keeps a particle that is probably absent from taking the vectors of one that is present.

Boosted + resolved post-processing (:func:`combine_candidates`, spanet_hh_hhh_2024; used by SPA-Net and,
through :mod:`multihiggs.spanet.postprocess`, by imported reference SPANet predictions). Boosted candidates: the
most likely number of boosted Higgs bosons N_hat is the mode of the number of detected candidates (independent
detection probabilities), and the N_hat candidates with the largest detection x assignment probability are kept. A
resolved Higgs with a jet within Delta R <= ``overlap_delta_r`` of a kept boosted Higgs is dropped. Resolved
candidates, by ``resolved_count``:

- ``"fill"`` (default): the remaining slots (``max_higgs`` minus the kept boosted Higgs) take the best
  non-overlapping resolved candidates, as a resolved analysis (and every baseline) reconstructs every Higgs of a
  selected event. Our choice over spanet_hh_hhh_2024's rule: detection heads trained on a background-rich mix
  underestimate the count on signal (measured on the default config: the HH SM network detected no signal event at
  all, and the HHH one gave three resolved candidates in 759 of the 1939 test events with three reconstructable
  Higgs).
- ``"detection"``: spanet_hh_hhh_2024's rule for resolved ones too, N_hat from their detection probabilities.

If more than ``max_higgs`` candidates remain, the ones with the largest detection x assignment probability are
kept. Each output slot holds one Higgs: the boosted ones first, then the resolved ones.

SPA-Net reconstruction (:func:`reconstruct_higgs`): decoding, then each particle (Higgs slot i, resolved or
boosted) becomes a candidate of the post-processing. ``multihiggs.spanet.predict`` uses it.

Exported models (:func:`decode_outputs`, :func:`directions_from_inputs`, :func:`check_conformance`): the same
reconstruction driven by the ONNX outputs and the JSON description written by the export. As a script,
``python THIS_FILE.py MODEL_decoding.json`` checks the decoder against the export's conformance vectors.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

RESOLVED_COUNTS: tuple[str, ...] = ("fill", "detection")
DECODER_FORMAT = "multihiggs-spanet-decoder-1"


# --- greedy conflict-free decoding ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecodedAssignments:
    """Decoded tuples for N events and P particles.

    indices: (N, P, 2) int64 vector indices (ascending for pairs; column 1 is -1 for one-daughter particles;
        -1, -1 where no tuple was left).
    probabilities: (N, P) float32 probability of the chosen tuple (0 where none).
    """

    indices: np.ndarray
    probabilities: np.ndarray


def decode_assignments(
    probabilities: Sequence[np.ndarray],
    inputs: Sequence[Hashable],
    detection_probabilities: np.ndarray | None = None,
) -> DecodedAssignments:
    """Decode every particle without reusing a vector.

    Args:
        probabilities: per particle, (N, J) for one-daughter or (N, J, J) for two-daughter particles: the
            probability of each tuple (any non-negative confidence works; entries <= 0 are never chosen).
            A symmetric pair may be given in both (j, k) and (k, j).
        inputs: per particle, the input its vectors come from; particles with equal inputs compete for vectors.
        detection_probabilities: optional (N, P) probability that each particle is present, used only to order
            the particles.
    """
    if len(probabilities) != len(inputs):
        raise ValueError(f"got {len(probabilities)} probability arrays but {len(inputs)} input names")
    n_particles = len(probabilities)
    n_events = probabilities[0].shape[0] if n_particles else 0
    ranks = [np.ndim(values) - 1 for values in probabilities]
    if any(rank not in (1, 2) for rank in ranks):
        raise ValueError(f"assignment arrays must be (N, J) or (N, J, J), got ranks {ranks}")
    flat = [np.asarray(values, dtype=np.float64).reshape(n_events, -1) for values in probabilities]
    sizes = {name: np.shape(values)[1] for name, values in zip(inputs, probabilities, strict=True)}
    used = {name: np.zeros((n_events, size), dtype=bool) for name, size in sizes.items()}
    events = np.arange(n_events)
    order_weight = (
        np.ones((n_events, n_particles))
        if detection_probabilities is None
        else np.nan_to_num(np.asarray(detection_probabilities, dtype=np.float64), nan=1.0)
    )

    indices = np.full((n_events, n_particles, 2), -1, dtype=np.int64)
    chosen_probability = np.zeros((n_events, n_particles), dtype=np.float32)
    decoded = np.zeros((n_events, n_particles), dtype=bool)
    for _ in range(n_particles):
        best_value = np.full((n_events, n_particles), -np.inf)
        best_flat = np.zeros((n_events, n_particles), dtype=np.int64)
        for particle in range(n_particles):
            blocked = _blocked_tuples(used[inputs[particle]], ranks[particle])
            available = np.where(blocked, -np.inf, flat[particle])
            best_flat[:, particle] = available.argmax(axis=1)
            best_value[:, particle] = available[events, best_flat[:, particle]]
        # Undecoded particles always outrank decoded ones (-1 when nothing is left for them).
        confidence = np.where(best_value > 0, best_value * order_weight, -1.0)
        confidence = np.where(decoded, -np.inf, confidence)
        particle_of_step = confidence.argmax(axis=1)  # (N,)
        value = best_value[events, particle_of_step]
        success = value > 0
        decoded[events, particle_of_step] = True
        for particle in range(n_particles):
            rows = np.flatnonzero(success & (particle_of_step == particle))
            if rows.size == 0:
                continue
            size = sizes[inputs[particle]]
            flat_index = best_flat[rows, particle]
            chosen_probability[rows, particle] = value[rows]
            if ranks[particle] == 1:
                indices[rows, particle, 0] = flat_index
                used[inputs[particle]][rows, flat_index] = True
            else:
                first, second = np.divmod(flat_index, size)
                indices[rows, particle, 0] = np.minimum(first, second)
                indices[rows, particle, 1] = np.maximum(first, second)
                used[inputs[particle]][rows, first] = True
                used[inputs[particle]][rows, second] = True
    return DecodedAssignments(indices, chosen_probability)


def _blocked_tuples(used: np.ndarray, rank: int) -> np.ndarray:
    """(N, J**rank) flattened mask of tuples that contain an already used vector."""
    if rank == 1:
        return used
    return (used[:, :, None] | used[:, None, :]).reshape(used.shape[0], -1)


# --- boosted + resolved post-processing -------------------------------------------------------------------------


@dataclass(frozen=True)
class HiggsCandidates:
    """One candidate per Higgs slot of one topology, from any method (N events, H slots).

    assignments: (N, H, 2) AK5 jet pair (resolved) or (N, H) AK8 jet (boosted); -1 where there is none.
    assignment_probability, detection_probability: (N, H); NaN (a method without that notion) counts as 1.
    """

    assignments: np.ndarray
    assignment_probability: np.ndarray
    detection_probability: np.ndarray

    @property
    def present(self) -> np.ndarray:
        """(N, H) bool: the slot has a candidate."""
        values = np.asarray(self.assignments)
        return (values >= 0).all(axis=-1) if values.ndim == 3 else values >= 0

    def scores(self) -> np.ndarray:
        """(N, H) detection x assignment probability (0 where there is no candidate)."""
        product = _nan_to_one(self.detection_probability) * _nan_to_one(self.assignment_probability)
        return np.where(self.present, product, 0.0)


@dataclass(frozen=True)
class JetDirections:
    """Directions (rad) of the AK5 jets, (N, J), and of the AK8 jets, (N, B) (B = 0 if there are none)."""

    jet_eta: np.ndarray
    jet_phi: np.ndarray
    fatjet_eta: np.ndarray
    fatjet_phi: np.ndarray


@dataclass(frozen=True)
class ReconstructedHiggs:
    """The reconstructed Higgs bosons of N events in H slots: the arrays of a prediction file.

    resolved_assignments: (N, H, 2) int64 AK5 jet pair (-1, -1 where the slot is not a resolved Higgs).
    boosted_assignments: (N, H) int64 AK8 jet (-1 where the slot is not a boosted Higgs).
    resolved_/boosted_ assignment_probability and detection_probability: (N, H) float32, NaN where unused.
    signal_score: (N,) float32 classifier score (NaN without one).
    """

    resolved_assignments: np.ndarray
    boosted_assignments: np.ndarray
    resolved_assignment_probability: np.ndarray
    resolved_detection_probability: np.ndarray
    boosted_assignment_probability: np.ndarray
    boosted_detection_probability: np.ndarray
    signal_score: np.ndarray

    def __post_init__(self) -> None:
        n_events, n_higgs, two = np.shape(self.resolved_assignments)
        if two != 2:
            raise ValueError(f"resolved_assignments must have shape (N, H, 2), got {self.resolved_assignments.shape}")
        for field in fields(ReconstructedHiggs)[1:]:
            shape = (n_events,) if field.name == "signal_score" else (n_events, n_higgs)
            if np.shape(getattr(self, field.name)) != shape:
                raise ValueError(f"{field.name} must have shape {shape}, got {np.shape(getattr(self, field.name))}")

    @property
    def n_events(self) -> int:
        return int(np.shape(self.resolved_assignments)[0])

    @property
    def n_higgs(self) -> int:
        return int(np.shape(self.resolved_assignments)[1])

    @staticmethod
    def unfilled(n_events: int, n_higgs: int) -> ReconstructedHiggs:
        """No Higgs in any slot: jet indices -1, probabilities and scores NaN."""
        arrays = {}
        for field in fields(ReconstructedHiggs):
            if field.name == "signal_score":
                arrays[field.name] = np.full(n_events, np.nan, dtype=np.float32)
            elif field.name.endswith("assignments"):
                pair = (2,) if field.name.startswith("resolved") else ()
                arrays[field.name] = np.full((n_events, n_higgs, *pair), -1, dtype=np.int64)
            else:
                arrays[field.name] = np.full((n_events, n_higgs), np.nan, dtype=np.float32)
        return ReconstructedHiggs(**arrays)

    def arrays(self) -> dict[str, np.ndarray]:
        """Field name -> array (the fields above only, also for a subclass with more fields)."""
        return {field.name: getattr(self, field.name) for field in fields(ReconstructedHiggs)}


def most_likely_count(detection_probability: np.ndarray) -> np.ndarray:
    """Mode of the number of present objects given independent (N, H) probabilities -> (N,) int64.

    The distribution of the count (Poisson binomial) is built by convolving one Bernoulli at a time; ties go to
    the smaller count.
    """
    probabilities = np.clip(np.asarray(detection_probability, dtype=np.float64), 0.0, 1.0)
    n_events, n_objects = probabilities.shape
    distribution = np.zeros((n_events, n_objects + 1))
    distribution[:, 0] = 1.0
    for column in range(n_objects):
        p = probabilities[:, column : column + 1]
        shifted = np.concatenate([np.zeros((n_events, 1)), distribution[:, :-1]], axis=1)
        distribution = distribution * (1.0 - p) + shifted * p
    return distribution.argmax(axis=1).astype(np.int64)


def keep_top(scores: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """(N, H) bool: the ``counts`` (N,) highest-scoring slots of each event (ties: lower slot first)."""
    order = np.argsort(-scores, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(scores.shape[1])[None, :].repeat(len(scores), axis=0), axis=1)
    return rank < counts[:, None]


def delta_r(eta_1: np.ndarray, phi_1: np.ndarray, eta_2: np.ndarray, phi_2: np.ndarray) -> np.ndarray:
    """Broadcast Delta R = sqrt(Delta phi^2 + Delta eta^2) between directions (rad), Delta phi in [-pi, pi)."""
    eta_1, phi_1, eta_2, phi_2 = (np.asarray(values, dtype=np.float64) for values in (eta_1, phi_1, eta_2, phi_2))
    delta_phi = (phi_1 - phi_2 + np.pi) % (2 * np.pi) - np.pi
    return np.sqrt(delta_phi**2 + (eta_1 - eta_2) ** 2)


def combine_candidates(
    resolved: HiggsCandidates,
    boosted: HiggsCandidates,
    directions: JetDirections,
    *,
    signal_score: np.ndarray | None = None,
    overlap_delta_r: float = 0.5,
    max_higgs: int | None = None,
    resolved_count: str = "fill",
) -> ReconstructedHiggs:
    """Choose the reconstructed Higgs bosons of every event from resolved and boosted candidates.

    Args:
        resolved: candidates with (N, H, 2) AK5 jet pairs.
        boosted: candidates with (N, H) AK8 jets (all -1 when the method has no boosted reconstruction).
        directions: AK5 and AK8 jet directions (rad), for the overlap removal.
        signal_score: (N,) classifier score or None (stored as NaN).
        overlap_delta_r: a resolved Higgs with a jet this close to a kept boosted Higgs is dropped.
        max_higgs: most Higgs bosons per event (default H).
        resolved_count: "fill" or "detection", how many resolved candidates are kept (module docstring).
    """
    resolved_pairs = np.asarray(resolved.assignments, dtype=np.int64)
    boosted_jets = np.asarray(boosted.assignments, dtype=np.int64)
    n_events, n_higgs = resolved_pairs.shape[:2]
    if boosted_jets.shape != (n_events, n_higgs):
        raise ValueError(f"boosted assignments must have shape {(n_events, n_higgs)}, got {boosted_jets.shape}")
    max_higgs = n_higgs if max_higgs is None else max_higgs
    if not 0 <= max_higgs <= n_higgs:
        raise ValueError(f"max_higgs must be between 0 and the {n_higgs} slots, got {max_higgs}")
    if resolved_count not in RESOLVED_COUNTS:
        raise ValueError(f"resolved_count must be one of {RESOLVED_COUNTS}, got {resolved_count!r}")

    boosted_kept = keep_top(boosted.scores(), most_likely_count(_present_detection(boosted))) & boosted.present
    overlapping = _overlaps_boosted(resolved_pairs, boosted_jets, boosted_kept, directions, overlap_delta_r)
    resolved_available = resolved.present & ~overlapping
    if resolved_count == "fill":  # the best non-overlapping pairs take the slots the boosted Higgs leave
        resolved_counts = np.maximum(max_higgs - boosted_kept.sum(axis=1), 0)
        resolved_kept = keep_top(np.where(resolved_available, resolved.scores(), -1.0), resolved_counts)
    else:  # spanet_hh_hhh_2024: the top N_hat pairs, then those overlapping a boosted Higgs are dropped
        resolved_kept = keep_top(resolved.scores(), most_likely_count(_present_detection(resolved)))
    resolved_kept &= resolved_available

    higgs = _fill_slots(resolved, boosted, boosted_kept, resolved_kept, max_higgs)
    if signal_score is not None:
        higgs.signal_score[:] = np.asarray(signal_score, dtype=np.float32)
    return higgs


def _present_detection(candidates: HiggsCandidates) -> np.ndarray:
    """(N, H) detection probability of the present candidates (NaN counts as 1), 0 for missing ones."""
    return np.where(candidates.present, _nan_to_one(candidates.detection_probability), 0)


def _fill_slots(
    resolved: HiggsCandidates,
    boosted: HiggsCandidates,
    boosted_kept: np.ndarray,
    resolved_kept: np.ndarray,
    max_higgs: int,
) -> ReconstructedHiggs:
    """Cap the kept candidates at ``max_higgs``, then fill the slots: boosted first, each by decreasing score."""
    n_events, n_higgs = boosted_kept.shape
    kept = np.concatenate([boosted_kept, resolved_kept], axis=1)  # (N, 2H)
    scores = np.concatenate([boosted.scores(), resolved.scores()], axis=1)
    kept &= keep_top(np.where(kept, scores, -1.0), np.full(n_events, max_higgs))
    is_boosted = np.arange(2 * n_higgs) < n_higgs
    priority = np.where(kept, scores + 2.0 * is_boosted, -np.inf)
    order = np.argsort(-priority, axis=1, kind="stable")

    higgs = ReconstructedHiggs.unfilled(n_events, n_higgs)
    events = np.arange(n_events)
    for slot in range(n_higgs):
        item = order[:, slot]
        filled = kept[events, item]
        candidate = np.where(item < n_higgs, item, item - n_higgs)
        for topology, candidates, rows in (
            ("boosted", boosted, np.flatnonzero(filled & (item < n_higgs))),
            ("resolved", resolved, np.flatnonzero(filled & (item >= n_higgs))),
        ):
            chosen = candidate[rows]
            getattr(higgs, f"{topology}_assignments")[rows, slot] = np.asarray(candidates.assignments)[rows, chosen]
            for quantity in ("assignment_probability", "detection_probability"):
                values = np.asarray(getattr(candidates, quantity))[rows, chosen]
                getattr(higgs, f"{topology}_{quantity}")[rows, slot] = values
    return higgs


def _overlaps_boosted(
    resolved_pairs: np.ndarray,
    boosted_jets: np.ndarray,
    boosted_kept: np.ndarray,
    directions: JetDirections,
    max_delta_r: float,
) -> np.ndarray:
    """(N, H) bool: a resolved candidate has a jet within ``max_delta_r`` of any kept boosted Higgs."""
    n_events, n_higgs = boosted_jets.shape
    if n_higgs == 0 or np.shape(directions.fatjet_eta)[1] == 0 or not boosted_kept.any():
        return np.zeros(resolved_pairs.shape[:2], dtype=bool)
    events = np.arange(n_events)[:, None, None]
    pairs = resolved_pairs.clip(min=0)
    eta_jets = np.asarray(directions.jet_eta)[events, pairs]  # (N, H, 2)
    phi_jets = np.asarray(directions.jet_phi)[events, pairs]
    fat = boosted_jets.clip(min=0)
    eta_fat = np.asarray(directions.fatjet_eta)[np.arange(n_events)[:, None], fat]  # (N, H)
    phi_fat = np.asarray(directions.fatjet_phi)[np.arange(n_events)[:, None], fat]
    distance = delta_r(
        eta_jets[:, :, :, None], phi_jets[:, :, :, None], eta_fat[:, None, None, :], phi_fat[:, None, None, :]
    )  # (N, H resolved, 2 jets, H boosted)
    close = (distance <= max_delta_r) & boosted_kept[:, None, None, :]
    return close.any(axis=(2, 3))


def _nan_to_one(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isnan(values), 1.0, values)


# --- SPA-Net reconstruction -------------------------------------------------------------------------------------


def reconstruct_higgs(
    assignment: Sequence[np.ndarray],
    detection: np.ndarray,
    sources: Sequence[str],
    slots: Sequence[tuple[int, bool]],
    directions: JetDirections,
    *,
    signal_score: np.ndarray | None = None,
    use_detection: bool = True,
    overlap_delta_r: float = 0.5,
    resolved_count: str = "fill",
) -> ReconstructedHiggs:
    """Decode the network probabilities and apply the boosted + resolved post-processing.

    Args:
        assignment: per particle, (N, J) or (N, J, J) probability of each tuple (0 on padding).
        detection: (N, P) probability that each particle is present.
        sources: per particle, the input its vectors come from.
        slots: per particle, (Higgs index i >= 1, boosted?): h{i} is (i, False), bh{i} is (i, True).
        directions: jet directions for the overlap removal.
        signal_score: (N,) classifier score or None.
        use_detection: order the decoding by detection x assignment probability (networks trained with a
            detection loss).
    """
    decoded = decode_assignments(assignment, sources, detection if use_detection else None)
    n_higgs = max(index for index, _ in slots)
    resolved, boosted = (_slot_candidates(decoded, detection, slots, n_higgs, flag) for flag in (False, True))
    return combine_candidates(
        resolved,
        boosted,
        directions,
        signal_score=signal_score,
        overlap_delta_r=overlap_delta_r,
        resolved_count=resolved_count,
    )


def _slot_candidates(
    decoded: DecodedAssignments,
    detection: np.ndarray,
    slots: Sequence[tuple[int, bool]],
    n_higgs: int,
    boosted: bool,
) -> HiggsCandidates:
    """The decoded particles of one topology as one candidate per Higgs slot (-1 where a slot has none)."""
    n_events = len(decoded.indices)
    shape = (n_events, n_higgs) if boosted else (n_events, n_higgs, 2)
    assignments = np.full(shape, -1, dtype=np.int64)
    assignment_probability = np.zeros((n_events, n_higgs), dtype=np.float32)
    detection_probability = np.zeros((n_events, n_higgs), dtype=np.float32)
    for position, (higgs, is_boosted) in enumerate(slots):
        if is_boosted != boosted:
            continue
        indices = decoded.indices[:, position]
        assignments[:, higgs - 1] = indices[:, 0] if boosted else indices
        assignment_probability[:, higgs - 1] = decoded.probabilities[:, position]
        detection_probability[:, higgs - 1] = np.asarray(detection)[:, position]
    return HiggsCandidates(assignments, assignment_probability, detection_probability)


# --- exported models --------------------------------------------------------------------------------------------


def load_metadata(path: str | Path) -> dict[str, Any]:
    """Read the JSON description written next to an exported model (``MODEL_decoding.json``)."""
    metadata = json.loads(Path(path).read_text(encoding="utf-8"))
    if metadata.get("format") != DECODER_FORMAT:
        raise ValueError(f"{path} is not a {DECODER_FORMAT} description (format {metadata.get('format')!r})")
    return metadata


def named_outputs(
    outputs: Mapping[str, np.ndarray] | Sequence[np.ndarray], metadata: Mapping[str, Any]
) -> dict[str, np.ndarray]:
    """ONNX outputs by name, from a mapping or a list in the graph's output order (``session.run(None, ...)``)."""
    if isinstance(outputs, Mapping):
        return {name: np.asarray(values) for name, values in outputs.items()}
    names = metadata["outputs"]
    if len(outputs) != len(names):
        raise ValueError(f"got {len(outputs)} outputs, the model has {len(names)}: {names}")
    return {name: np.asarray(values) for name, values in zip(names, outputs, strict=True)}


def directions_from_inputs(inputs: Mapping[str, np.ndarray], metadata: Mapping[str, Any]) -> JetDirections:
    """Jet directions from the ONNX input features: eta, and phi = atan2(sinphi, cosphi) (rad, float64).

    ``inputs`` maps ONNX input names (``{input}_features``, ...) to the (N, V, F) float32 arrays fed to the model.
    Raises ValueError when the model's inputs lack a direction its particles need (then build
    :class:`JetDirections` yourself).
    """
    n_events = len(next(iter(inputs.values())))
    arrays: list[np.ndarray] = []
    for role, boosted in (("jets", False), ("fatjets", True)):
        spec = metadata["directions"][role]
        if spec is None:
            if any(particle["boosted"] == boosted for particle in metadata["particles"]):
                raise ValueError(f"the model's inputs hold no {role} directions: pass JetDirections yourself")
            arrays += [np.zeros((n_events, 0)), np.zeros((n_events, 0))]
            continue
        features = np.asarray(inputs[f"{spec['input']}_features"])
        arrays.append(features[..., spec["eta"]].astype(np.float64))
        arrays.append(np.arctan2(features[..., spec["sinphi"]], features[..., spec["cosphi"]]).astype(np.float64))
    return JetDirections(*arrays)


def decode_outputs(
    outputs: Mapping[str, np.ndarray] | Sequence[np.ndarray],
    metadata: Mapping[str, Any],
    directions: JetDirections,
) -> ReconstructedHiggs:
    """The reconstructed Higgs bosons of a batch from the exported model's outputs (what ``predict`` writes)."""
    named = named_outputs(outputs, metadata)
    particles = metadata["particles"]
    post = metadata["postprocess"]
    signal = metadata["signal_score"]
    return reconstruct_higgs(
        [named[particle["output"]] for particle in particles],
        named[metadata["detection_output"]],
        [particle["source"] for particle in particles],
        [(particle["higgs"], particle["boosted"]) for particle in particles],
        directions,
        signal_score=None if signal is None else named[signal["output"]][:, signal["column"]],
        use_detection=post["use_detection"],
        overlap_delta_r=post["overlap_delta_r"],
        resolved_count=post["resolved_count"],
    )


def check_conformance(metadata_path: str | Path, vectors_path: str | Path | None = None) -> list[str]:
    """Decode the conformance vectors and return the names of the result arrays that differ (empty: conformant).

    Every result must match exactly: jet indices are integers and the probabilities are copies of ONNX outputs.
    """
    metadata = load_metadata(metadata_path)
    path = Path(vectors_path or Path(metadata_path).parent / metadata["files"]["conformance"])
    with np.load(path) as vectors:
        outputs = {name: vectors[f"output.{name}"] for name in metadata["outputs"]}
        directions = JetDirections(*(vectors[f"direction.{field.name}"] for field in fields(JetDirections)))
        expected = {name[len("expected.") :]: vectors[name] for name in vectors.files if name.startswith("expected.")}
    decoded = decode_outputs(outputs, metadata, directions).arrays()
    return [name for name, values in expected.items() if not np.array_equal(decoded[name], values, equal_nan=True)]


def main(argv: Sequence[str] | None = None) -> int:
    """``python THIS_FILE.py MODEL_decoding.json [--vectors FILE.npz]``: 0 if the conformance vectors pass."""
    parser = argparse.ArgumentParser(description="check this decoder against an exported model's conformance vectors")
    parser.add_argument("metadata", help="MODEL_decoding.json written by the export")
    parser.add_argument("--vectors", help="conformance file (default: the one named in the JSON)")
    arguments = parser.parse_args(argv)
    differing = check_conformance(arguments.metadata, arguments.vectors)
    if differing:
        print(f"conformance FAILED: {', '.join(differing)} differ")
        return 1
    print("conformance passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
