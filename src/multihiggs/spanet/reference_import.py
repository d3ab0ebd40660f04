"""Reference SPANet predictions as ours: ``python -m multihiggs.spanet.reference_import R.h5 --test T.h5 -o P.h5``.

R.h5 is what the reference package (pip ``spanet`` 2.1.1) writes with ``python -m spanet.predict LOG_DIR R.h5
-tf T.h5`` for one of our test files T.h5; it is turned into our prediction layout
(:mod:`multihiggs.io.predictions`) for the same events, so the evaluation treats it like any other method.

What the reference writes (``spanet/predict.py``, ``create_hdf5_output``):

- ``INPUTS/<source>/<feature>``: a copy of every input dataset of the test file (all its events).
- ``TARGETS/<particle>/<daughter>``: int64 (N,) index of the chosen vector, for the particles and daughters of the
  event file (ours: ``h{i}/{b1,b2}``, ``bh{i}/bb``). Every particle is decoded greedily, without sharing vectors,
  over the concatenation of all sequential sources (``Jets`` then ``BoostedJets``, in event-file order): an AK8 jet
  ``k`` is index ``J + k`` (J = the width of ``INPUTS/Jets``), and nothing stops a boosted Higgs from taking an AK5
  jet, or a resolved one an AK8 jet. A negative index means no vector was left.
- ``TARGETS/<particle>/{assignment_probability, detection_probability, marginal_probability}``: float (N,).
- ``CLASSIFICATIONS/EVENT/signal``: float (N, 2) softmax of a classification head, if the network has one.
- Python >= 3.11 spells the groups ``SpecialKey.Inputs``, ``SpecialKey.Targets``, ``SpecialKey.Classifications``
  (the reference formats an ``Enum`` member into the path); both spellings are read.

Import: indices are shifted back into their own collection; a candidate pointing into the other collection, at
padding or nowhere is dropped (counted in the summary). The resolved and boosted candidates are then combined by
our post-processing (:func:`multihiggs.spanet.postprocess.combine_boosted_resolved`), as for our SPA-Net. The
events must be the test file's: same count and identical copied inputs, else a ``ValueError`` names both files.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import astuple, dataclass, field
from pathlib import Path

import h5py
import numpy as np

from multihiggs.cli import run_main
from multihiggs.io import spanet_layout as layout
from multihiggs.io.hdf5 import open_hdf5, read_dataset
from multihiggs.io.predictions import Predictions, write_predictions
from multihiggs.io.readers import read_boosted_features, read_jets
from multihiggs.spanet.postprocess import RESOLVED_COUNTS, HiggsCandidates, combine_boosted_resolved

#: Group names of the reference output: the value, or the Enum member's name as Python >= 3.11 formats it.
GROUP_SPELLINGS: dict[str, tuple[str, ...]] = {
    layout.INPUTS: (layout.INPUTS, "SpecialKey.Inputs"),
    layout.TARGETS: (layout.TARGETS, "SpecialKey.Targets"),
    layout.CLASSIFICATIONS: (layout.CLASSIFICATIONS, "SpecialKey.Classifications"),
}
SIGNAL_CLASSIFICATION = "EVENT/signal"
RESOLVED_DAUGHTERS: tuple[str, ...] = ("b1", "b2")
BOOSTED_DAUGHTERS: tuple[str, ...] = ("bb",)
_PARTICLE = re.compile(r"(b?)h([1-9])")


@dataclass(frozen=True)
class ReferenceParticle:
    """One particle of the reference output: (N, D) vector indices in the concatenated sequence, (N,) probabilities."""

    indices: np.ndarray
    assignment_probability: np.ndarray
    detection_probability: np.ndarray


@dataclass(frozen=True)
class ReferenceOutput:
    """The content of a ``spanet.predict`` file: particles by name, copied inputs (``Jets/pt`` -> array), score."""

    path: Path
    particles: dict[str, ReferenceParticle]
    inputs: dict[str, np.ndarray]
    signal_score: np.ndarray | None

    @property
    def n_events(self) -> int:
        return len(next(iter(self.particles.values())).indices)


@dataclass
class DroppedCandidates:
    """Candidates of the reference that are no candidate in our layout, by reason."""

    unassigned: int = 0
    other_collection: int = 0
    padding: int = 0

    def describe(self) -> str:
        return (
            f"{self.unassigned} unassigned, {self.other_collection} in the other jet collection, "
            f"{self.padding} on padding"
        )


@dataclass(frozen=True)
class ImportSummary:
    """What the import did: events, compared input datasets and dropped candidates (also by collection)."""

    n_events: int
    compared_inputs: list[str]
    dropped: DroppedCandidates
    #: The dropped candidates of the resolved and of the boosted particles apart ("resolved", "boosted").
    dropped_by_collection: dict[str, DroppedCandidates] = field(default_factory=dict)

    def describe(self) -> str:
        compared = (
            f"{len(self.compared_inputs)} copied input datasets identical to the test file's"
            if self.compared_inputs
            else "only the event count checked (the file copies no inputs)"
        )
        return f"{self.n_events} events, {compared}; dropped candidates: {self.dropped.describe()}"


# --- reading the reference output ---------------------------------------------------------------------------------


def particle_slot(name: str) -> tuple[int, bool]:
    """(Higgs index i, boosted) of a reference particle ``h{i}`` or ``bh{i}``, as named in config/event_files."""
    match = _PARTICLE.fullmatch(name)
    if match is None or not 1 <= int(match.group(2)) <= 3:
        raise ValueError(
            f"particle {name!r} is not one of our event files' particles h1..h3 (b1, b2) and bh1..bh3 (bb)"
        )
    return int(match.group(2)), bool(match.group(1))


def find_group(handle: h5py.File, name: str) -> str | None:
    """The spelling of group ``name`` (``INPUTS``, ``TARGETS``, ``CLASSIFICATIONS``) used in ``handle``, if any."""
    return next((spelling for spelling in GROUP_SPELLINGS[name] if spelling in handle), None)


def read_reference_output(path: str | Path) -> ReferenceOutput:
    """Read a ``spanet.predict`` output file, checking its particle names and shapes.

    Raises:
        ValueError: naming the file, if it is unreadable, has no targets group, an unknown particle, a missing
            dataset or datasets of different event counts.
    """
    path = Path(path)
    with open_hdf5(path) as handle:
        targets = find_group(handle, layout.TARGETS)
        if targets is None:
            raise ValueError(
                f"reference prediction file {path} has no {' or '.join(GROUP_SPELLINGS[layout.TARGETS])} group "
                f"(found {sorted(handle)}): is it the output of python -m spanet.predict?"
            )
        particles = {name: _read_particle(handle, f"{targets}/{name}", name) for name in sorted(handle[targets])}
        if not particles:
            raise ValueError(f"reference prediction file {path}: group '{targets}' holds no particle")
        inputs = _read_inputs(handle)
        signal = _read_signal_score(handle)
    output = ReferenceOutput(path, particles, inputs, signal)
    _check_event_counts(output)
    return output


def _read_particle(handle: h5py.File, group: str, name: str) -> ReferenceParticle:
    try:
        _, boosted = particle_slot(name)
    except ValueError as error:
        raise ValueError(f"reference prediction file {handle.filename}: {error}") from error
    daughters = BOOSTED_DAUGHTERS if boosted else RESOLVED_DAUGHTERS
    names = (*daughters, "assignment_probability", "detection_probability")
    datasets = {key: read_dataset(handle, f"{group}/{key}") for key in names}
    shapes = {key: values.shape for key, values in datasets.items()}
    if len(set(shapes.values())) != 1 or len(shapes[daughters[0]]) != 1:
        raise ValueError(f"reference prediction file {handle.filename}: '{group}' needs (N,) datasets, got {shapes}")
    return ReferenceParticle(
        indices=np.stack([datasets[daughter] for daughter in daughters], axis=1).astype(np.int64),
        assignment_probability=datasets["assignment_probability"].astype(np.float32),
        detection_probability=datasets["detection_probability"].astype(np.float32),
    )


def _read_inputs(handle: h5py.File) -> dict[str, np.ndarray]:
    group = find_group(handle, layout.INPUTS)
    if group is None:
        return {}
    return {
        f"{source}/{feature}": handle[group][source][feature][...]
        for source in handle[group]
        if isinstance(handle[group][source], h5py.Group)
        for feature in handle[group][source]
    }


def _read_signal_score(handle: h5py.File) -> np.ndarray | None:
    group = find_group(handle, layout.CLASSIFICATIONS)
    if group is None or f"{group}/{SIGNAL_CLASSIFICATION}" not in handle:
        return None
    softmax = read_dataset(handle, f"{group}/{SIGNAL_CLASSIFICATION}")
    if softmax.ndim != 2 or softmax.shape[1] < 2:
        raise ValueError(
            f"reference prediction file {handle.filename}: '{group}/{SIGNAL_CLASSIFICATION}' must be (N, classes) "
            f"softmax scores, got shape {softmax.shape}"
        )
    return softmax[:, 1].astype(np.float32)


def _check_event_counts(output: ReferenceOutput) -> None:
    counts = {name: len(particle.indices) for name, particle in output.particles.items()}
    if output.signal_score is not None:
        counts[SIGNAL_CLASSIFICATION] = len(output.signal_score)
    if len(set(counts.values())) > 1:
        raise ValueError(f"reference prediction file {output.path} has predictions of different lengths: {counts}")
    copied = {len(values) for values in output.inputs.values()}
    if copied and copied != {output.n_events}:
        raise ValueError(
            f"reference prediction file {output.path} holds predictions for {output.n_events} events but copied "
            f"inputs of {sorted(copied)} events (did spanet.predict drop events, e.g. with limit_to_num_jets?)"
        )


# --- same events as the test file ---------------------------------------------------------------------------------


def check_same_events(output: ReferenceOutput, test_file: str | Path) -> list[str]:
    """Check that ``output`` predicts the events of ``test_file``; returns the input datasets found identical.

    Every input dataset that the reference copied and the test file holds must be equal (NaN equals NaN).

    Raises:
        ValueError: naming both files and the first difference (event count, shape or values).
    """
    problem = f"reference prediction file {output.path} does not hold the events of test file {test_file}"
    with open_hdf5(test_file) as handle:
        n_test = len(read_dataset(handle, layout.mask_key(layout.JETS)))
        if output.n_events != n_test:
            raise ValueError(f"{problem}: it predicts {output.n_events} events, the test file has {n_test}")
        compared = [key for key in sorted(output.inputs) if f"{layout.INPUTS}/{key}" in handle]
        if output.inputs and not compared:
            raise ValueError(f"{problem}: none of its copied inputs {sorted(output.inputs)} is in the test file")
        for key in compared:
            _compare_input(output.inputs[key], handle[f"{layout.INPUTS}/{key}"][...], key, problem)
    return compared


def _compare_input(copied: np.ndarray, ours: np.ndarray, key: str, problem: str) -> None:
    if copied.shape != ours.shape:
        raise ValueError(f"{problem}: INPUTS/{key} has shape {copied.shape}, the test file's {ours.shape}")
    same = (copied == ours) | (_isnan(copied) & _isnan(ours))
    differing = int((~same.reshape(len(same), -1).all(axis=1)).sum())
    if differing:
        raise ValueError(f"{problem}: INPUTS/{key} differs in {differing} of {len(same)} events")


def _isnan(values: np.ndarray) -> np.ndarray:
    return np.isnan(values) if np.issubdtype(values.dtype, np.floating) else np.zeros(values.shape, dtype=bool)


# --- candidates in our layout -------------------------------------------------------------------------------------


def reference_candidates(
    output: ReferenceOutput,
    n_higgs: int,
    jet_mask: np.ndarray,
    fatjet_mask: np.ndarray,
    *,
    dropped_by_collection: dict[str, DroppedCandidates] | None = None,
) -> tuple[HiggsCandidates, HiggsCandidates, DroppedCandidates]:
    """Resolved (N, H, 2) and boosted (N, H) candidates of the reference, indices in their own collections.

    ``jet_mask`` (N, J) and ``fatjet_mask`` (N, B) are the test file's; AK8 index k is J + k in the reference.
    A particle absent from the reference (e.g. no ``bh{i}`` in a resolved-only topology) gives no candidate.
    ``dropped_by_collection``, if given, receives the dropped candidates of the resolved and of the boosted
    particles apart (keys "resolved" and "boosted"); the returned counts are their sum.
    """
    n_events, n_jet_slots = jet_mask.shape
    resolved = _empty_candidates(n_events, n_higgs, pair=True)
    boosted = _empty_candidates(n_events, n_higgs, pair=False)
    by_collection = {"resolved": DroppedCandidates(), "boosted": DroppedCandidates()}
    for name, particle in output.particles.items():
        index, is_boosted = particle_slot(name)
        if index > n_higgs:
            raise ValueError(f"reference prediction file {output.path} has particle {name!r} beyond {n_higgs} Higgs")
        mask, offset = (fatjet_mask, n_jet_slots) if is_boosted else (jet_mask, 0)
        local = _local_indices(particle.indices, mask, offset, by_collection["boosted" if is_boosted else "resolved"])
        target = boosted if is_boosted else resolved
        target.assignments[:, index - 1] = local[:, 0] if is_boosted else np.sort(local, axis=1)
        target.assignment_probability[:, index - 1] = particle.assignment_probability
        target.detection_probability[:, index - 1] = particle.detection_probability
    if dropped_by_collection is not None:
        dropped_by_collection.update(by_collection)
    dropped = DroppedCandidates(*map(sum, zip(*map(astuple, by_collection.values()), strict=True)))
    return resolved, boosted, dropped


def _empty_candidates(n_events: int, n_higgs: int, *, pair: bool) -> HiggsCandidates:
    shape = (n_events, n_higgs, 2) if pair else (n_events, n_higgs)
    return HiggsCandidates(
        assignments=np.full(shape, -1, dtype=np.int64),
        assignment_probability=np.zeros((n_events, n_higgs), dtype=np.float32),
        detection_probability=np.zeros((n_events, n_higgs), dtype=np.float32),
    )


def _local_indices(indices: np.ndarray, mask: np.ndarray, offset: int, dropped: DroppedCandidates) -> np.ndarray:
    """(N, D) indices into the collection of ``mask`` (N, width); a whole candidate becomes -1 if any is invalid."""
    local = indices - offset
    unassigned = (indices < 0).any(axis=1)
    outside = ~unassigned & ((local < 0) | (local >= mask.shape[1])).any(axis=1)
    rows = np.arange(len(indices))[:, None]
    padding = ~unassigned & ~outside & ~mask[rows, local.clip(0, mask.shape[1] - 1)].all(axis=1)
    dropped.unassigned += int(unassigned.sum())
    dropped.other_collection += int(outside.sum())
    dropped.padding += int(padding.sum())
    return np.where((unassigned | outside | padding)[:, None], -1, local)


# --- the import ---------------------------------------------------------------------------------------------------


def import_reference_predictions(
    reference_file: str | Path,
    test_file: str | Path,
    method: str,
    *,
    n_higgs: int | None = None,
    overlap_delta_r: float = 0.5,
    resolved_count: str = "fill",
) -> tuple[Predictions, ImportSummary]:
    """Our Predictions of the reference's output on ``test_file``, with our boosted + resolved post-processing.

    ``n_higgs`` defaults to the highest Higgs index of the reference's particles; ``overlap_delta_r`` and
    ``resolved_count`` are those of :func:`combine_boosted_resolved` (our SPA-Net's defaults).
    """
    output = read_reference_output(reference_file)
    compared = check_same_events(output, test_file)
    n_higgs = max(particle_slot(name)[0] for name in output.particles) if n_higgs is None else n_higgs
    jets = read_jets(test_file)
    fatjets, fatjet_mask = read_boosted_features(test_file, ("eta", "sinphi", "cosphi"))
    by_collection: dict[str, DroppedCandidates] = {}
    resolved, boosted, dropped = reference_candidates(
        output, n_higgs, jets.mask, fatjet_mask, dropped_by_collection=by_collection
    )
    predictions = combine_boosted_resolved(
        resolved,
        boosted,
        jets.eta,
        jets.phi,
        fatjets["eta"],
        np.arctan2(fatjets["sinphi"], fatjets["cosphi"]),
        method=method,
        signal_score=output.signal_score,
        overlap_delta_r=overlap_delta_r,
        resolved_count=resolved_count,
    )
    return predictions, ImportSummary(output.n_events, compared, dropped, by_collection)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m multihiggs.spanet.reference_import", description=__doc__.splitlines()[0]
    )
    parser.add_argument("reference", help="output file of the reference's python -m spanet.predict")
    parser.add_argument("--test", required=True, help="our test file that spanet.predict was run on")
    parser.add_argument("-o", "--output", required=True, help="prediction file to write (our layout)")
    parser.add_argument("--method", default="reference_spanet", help="method name stored in the prediction file")
    parser.add_argument("--n-higgs", type=int, choices=(2, 3), help="Higgs slots (default: from the particles)")
    parser.add_argument("--overlap-delta-r", type=float, default=0.5, help="resolved-boosted overlap radius")
    parser.add_argument("--resolved-count", choices=RESOLVED_COUNTS, default="fill", help="resolved Higgs kept")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    return run_main(lambda: _import(arguments))


def _import(arguments: argparse.Namespace) -> None:
    predictions, summary = import_reference_predictions(
        arguments.reference,
        arguments.test,
        arguments.method,
        n_higgs=arguments.n_higgs,
        overlap_delta_r=arguments.overlap_delta_r,
        resolved_count=arguments.resolved_count,
    )
    write_predictions(arguments.output, predictions)
    print(f"{arguments.reference} -> {arguments.output}: {summary.describe()}")


if __name__ == "__main__":
    sys.exit(main())
