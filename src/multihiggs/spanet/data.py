"""Data: read a SPANet HDF5 file (through :mod:`multihiggs.io.spanet_layout`) into in-memory tensors.

The whole file is read once; batches are slices of the resident tensors (no per-event Python work), which is
what keeps the training loop fast on a CPU.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import torch
from torch import Tensor

from multihiggs import training_weights
from multihiggs.io import spanet_layout as layout
from multihiggs.io.hdf5 import open_hdf5, read_dataset
from multihiggs.spanet.decoding import JetDirections
from multihiggs.spanet.event_info import MAX_DAUGHTERS, EventInfo, FeatureInfo
from multihiggs.spanet.features import log_transform


class DataError(ValueError):
    """A training or test file that does not match the event topology."""


@dataclass(frozen=True)
class EventTensors:
    """A set of events as tensors (the whole file or one batch); N events, P particles.

    Attributes:
        features: input name -> (N, V, F) float32 raw features of a sequential input (V vectors).
        masks: input name -> (N, V) bool, True for real (non-padding) vectors.
        global_features: input name -> (N, F) float32 raw features of a global input.
        targets: (N, P, 2) int64 vector index of each daughter (-1 if unmatched or no such daughter).
        target_masks: (N, P) bool, True where the particle is reconstructable (all its daughters matched).
        target_weights: (N, P) float32 per-target weight of the assignment loss (flat-mass variant; else 1).
        event_weights: (N,) float32 weight of every loss term, rescaled to mean 1 over the file (else 1).
        balance_weights: (N,) float32 class-balance weight of the assignment loss (else 1).
        class_labels: classification name -> (N,) int64 class index (-1: no label).
    """

    features: dict[str, Tensor]
    masks: dict[str, Tensor]
    global_features: dict[str, Tensor]
    targets: Tensor
    target_masks: Tensor
    target_weights: Tensor
    event_weights: Tensor
    balance_weights: Tensor
    class_labels: dict[str, Tensor]

    def __len__(self) -> int:
        return int(self.targets.shape[0])

    def select(self, index: Tensor | slice) -> EventTensors:
        """The events at ``index`` (an index tensor, boolean mask or slice)."""
        return self._map(lambda tensor: tensor[index])

    def to(self, device: torch.device | str) -> EventTensors:
        return self._map(lambda tensor: tensor.to(device, non_blocking=True))

    def replace(self, **changes: object) -> EventTensors:
        return dataclasses.replace(self, **changes)

    def _map(self, function) -> EventTensors:
        values = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            values[field.name] = (
                {key: function(tensor) for key, tensor in value.items()} if isinstance(value, dict) else function(value)
            )
        return EventTensors(**values)


@dataclass(frozen=True)
class FeatureStatistics:
    """Per-input location and scale of the (log-transformed) features, from the training set."""

    mean: dict[str, Tensor]  # input name -> (F,)
    std: dict[str, Tensor]  # input name -> (F,)

    def to_dict(self) -> dict[str, dict[str, list[float]]]:
        return {name: {"mean": self.mean[name].tolist(), "std": self.std[name].tolist()} for name in self.mean}

    @classmethod
    def from_dict(cls, values: dict[str, dict[str, list[float]]]) -> FeatureStatistics:
        return cls(
            mean={name: torch.tensor(v["mean"], dtype=torch.float32) for name, v in values.items()},
            std={name: torch.tensor(v["std"], dtype=torch.float32) for name, v in values.items()},
        )


def read_events(
    path: str | Path,
    event_info: EventInfo,
    *,
    with_targets: bool = True,
    use_event_weights: bool = False,
    use_mass_weights: bool = False,
    use_selection_weights: bool = False,
    background_weight_power: float = 0.0,
    limit_to_num_vectors: int = 0,
) -> EventTensors:
    """Read every event of ``path`` needed by ``event_info``.

    Args:
        with_targets: read TARGETS (and classification labels); False for inference on inputs only.
        use_event_weights: read WEIGHTS/EVENT/event_weight (rescaled to mean 1); else weights are 1.
        use_mass_weights: read the per-Higgs WEIGHTS/h{i}/mass_weight for the assignment targets; else 1.
        use_selection_weights: multiply the event weights of signal events by WEIGHTS/EVENT/selection_weight (their
            probability to pass the tag requirement, rescaled to mean 1 over the file's signal events), so a sample
            converted with tag-rate weights trains on the population the cut would select; background events and
            files without the dataset keep 1.
        background_weight_power: if > 0, multiply the event weights of background events by their physical
            WEIGHTS/EVENT/event_weight to this power, rescaled to mean 1 over the file's background events
            (:func:`multihiggs.training_weights.background_physics_weights`).
        limit_to_num_vectors: if > 0, keep only the first vectors of each sequential input.
    Raises:
        DataError: naming the file and the missing or inconsistent dataset.
        ValueError: if ``path`` is not a readable HDF5 file.
    """
    with _open(path) as reader:
        features, masks, global_features = _read_inputs(reader, event_info)
        n_events = int(next(iter(masks.values())).shape[0])
        targets = torch.full((n_events, event_info.n_particles, MAX_DAUGHTERS), -1, dtype=torch.int64)
        class_labels: dict[str, Tensor] = {}
        if with_targets:
            targets = _read_targets(reader, event_info, masks, n_events)
            class_labels = {
                name: torch.from_numpy(reader.read(_classification_key(name), (n_events,)).astype(np.int64))
                for name in event_info.classifications
            }
        if limit_to_num_vectors > 0:  # drop the later vectors; targets on them become unmatched
            for mask in masks.values():
                mask[:, limit_to_num_vectors:] = False
            targets[targets >= limit_to_num_vectors] = -1
        target_weights = torch.ones(n_events, event_info.n_particles)
        if use_mass_weights:
            for position, particle in enumerate(event_info.particles):
                weights = reader.read(_mass_weight_key(particle.name), (n_events,))
                target_weights[:, position] = torch.from_numpy(weights.astype(np.float32))
        event_weights = torch.ones(n_events)
        if use_event_weights:
            event_weights = torch.from_numpy(reader.read(layout.event_weight_key(), (n_events,)).astype(np.float32))
            event_weights = event_weights / event_weights.mean().clamp(min=torch.finfo(torch.float32).tiny)
        if use_selection_weights and layout.selection_weight_key() in reader.handle:
            signal = reader.read(layout.classification_key(), (n_events,)) == 1
            probability = reader.read(layout.selection_weight_key(), (n_events,)).astype(np.float64)
            event_weights = event_weights * torch.from_numpy(signal_selection_weights(probability, signal))
        if background_weight_power > 0 and with_targets:
            signal = reader.read(layout.classification_key(), (n_events,)) == 1
            physical = reader.read(layout.event_weight_key(), (n_events,)).astype(np.float64)
            background = training_weights.background_physics_weights(physical, signal, background_weight_power)
            event_weights = event_weights * torch.from_numpy(background.astype(np.float32))
    return EventTensors(
        features=features,
        masks=masks,
        global_features=global_features,
        targets=targets,
        target_masks=_reconstructable(targets, event_info),
        target_weights=target_weights,
        event_weights=event_weights,
        balance_weights=torch.ones(n_events),
        class_labels=class_labels,
    )


def signal_selection_weights(probability: np.ndarray, signal: np.ndarray) -> np.ndarray:
    """(N,) float32 loss weights of :func:`multihiggs.training_weights.signal_selection_weights`."""
    return training_weights.signal_selection_weights(probability, signal).astype(np.float32)


def with_fixed_global(
    events: EventTensors, event_info: EventInfo, feature: str, value: float | np.ndarray
) -> EventTensors:
    """``events`` with the global input feature ``feature`` (e.g. ``kl``) set to ``value``: one number for every
    event, or an (N,) array of per-event values.

    A parametrised network (κλ as an input) must be evaluated at one hypothesis value for every sample that
    enters the same fit: the true κλ of a simulated sample is not known in data. Per-event values serve background
    test events, which carry a κλ drawn from the training list as in training.
    """
    for name, feature_infos in event_info.global_inputs.items():
        names = [info.name for info in feature_infos]
        if feature in names:
            fixed = events.global_features[name].clone()
            fixed[:, names.index(feature)] = torch.as_tensor(np.asarray(value, dtype=np.float32))
            return dataclasses.replace(events, global_features={**events.global_features, name: fixed})
    known = global_names(event_info)
    raise DataError(f"the network has no global input feature {feature!r} (its global inputs: {known})")


def global_names(event_info: EventInfo) -> list[str]:
    """``input/feature`` names of every global input feature of ``event_info``."""
    return [f"{name}/{info.name}" for name, infos in event_info.global_inputs.items() for info in infos]


def read_jet_directions(path: str | Path) -> JetDirections:
    """Read eta and phi = atan2(sinphi, cosphi) of the AK5 and AK8 jets (for the overlap removal)."""
    with _open(path) as reader:
        directions = []
        for source in (layout.JETS, layout.BOOSTED_JETS):
            if source == layout.BOOSTED_JETS and layout.mask_key(source) not in reader.handle:
                n_events = directions[0].shape[0]
                directions += [np.zeros((n_events, 0)), np.zeros((n_events, 0))]
                continue
            eta = reader.read(layout.input_key(source, "eta")).astype(np.float64)
            phi = np.arctan2(
                reader.read(layout.input_key(source, "sinphi")), reader.read(layout.input_key(source, "cosphi"))
            )
            directions += [eta, phi.astype(np.float64)]
    return JetDirections(*directions)


def compute_feature_statistics(events: EventTensors, event_info: EventInfo) -> FeatureStatistics:
    """Mean and standard deviation of the normalised features over real vectors (identity for the others)."""
    mean, std = {}, {}
    inputs = {**event_info.sequential_inputs, **event_info.global_inputs}
    for name, feature_infos in inputs.items():
        values = events.features[name][events.masks[name]] if name in events.masks else events.global_features[name]
        values = log_transform(values.double(), log_feature_mask(feature_infos))
        normalize = torch.tensor([feature.normalize for feature in feature_infos])
        location = values.mean(0) if len(values) else torch.zeros(len(feature_infos), dtype=torch.float64)
        scale = values.std(0) if len(values) > 1 else torch.ones(len(feature_infos), dtype=torch.float64)
        scale = torch.where(torch.isfinite(scale) & (scale > 1e-6), scale, torch.ones_like(scale))
        mean[name] = torch.where(normalize, location, torch.zeros_like(location)).float()
        std[name] = torch.where(normalize, scale, torch.ones_like(scale)).float()
    return FeatureStatistics(mean, std)


def identity_statistics(event_info: EventInfo) -> FeatureStatistics:
    """Statistics that leave the (log-transformed) features unchanged (``normalize_features`` off)."""
    inputs = {**event_info.sequential_inputs, **event_info.global_inputs}
    return FeatureStatistics(
        mean={name: torch.zeros(len(infos)) for name, infos in inputs.items()},
        std={name: torch.ones(len(infos)) for name, infos in inputs.items()},
    )


def log_feature_mask(feature_infos: tuple[FeatureInfo, ...]) -> Tensor:
    """(F,) bool: which features are log-transformed."""
    return torch.tensor([feature.log_scale for feature in feature_infos])


def split_indices(
    n_events: int, dataset_limit: float, train_fraction: float, randomization_seed: int
) -> tuple[Tensor, Tensor]:
    """Training and validation event indices: the first ``dataset_limit`` of the file (after a seeded shuffle
    when ``randomization_seed`` is non-zero), of which the first ``train_fraction`` train and the rest validate.
    """
    order = torch.arange(n_events)
    if randomization_seed:
        order = torch.randperm(n_events, generator=torch.Generator().manual_seed(randomization_seed))
    order = order[: round(dataset_limit * n_events)]
    n_train = round(train_fraction * len(order))
    return order[:n_train].sort().values, order[n_train:].sort().values


def iterate_batches(n_events: int, batch_size: int, generator: torch.Generator | None = None) -> Iterator[Tensor]:
    """Index tensors of consecutive batches; shuffled when a generator is given."""
    order = torch.randperm(n_events, generator=generator) if generator is not None else torch.arange(n_events)
    for start in range(0, n_events, batch_size):
        yield order[start : start + batch_size]


def multiplicity_order(masks: dict[str, Tensor]) -> Tensor:
    """Event indices sorted (stably) by the number of real vectors of each sequential input, so that consecutive
    batches hold events of (nearly) equal length and carry little padding."""
    n_events = next(iter(masks.values())).shape[0]
    key = torch.zeros(n_events, dtype=torch.int64)
    for mask in masks.values():
        key = key * (mask.shape[1] + 1) + mask.sum(dim=1)
    return torch.sort(key, stable=True).indices


def without_trailing_padding(events: EventTensors) -> EventTensors:
    """``events`` with each sequential input cut after the last position that is real in any event (at least one
    position kept). Vector indices (targets) keep their meaning, and the network gives the same outputs on the
    kept vectors, since padding is masked everywhere."""
    features, masks = {}, {}
    for name, mask in events.masks.items():
        real_positions = torch.nonzero(mask.any(dim=0))
        length = max(int(real_positions[-1]) + 1 if len(real_positions) else 0, 1)
        features[name] = events.features[name][:, :length]
        masks[name] = mask[:, :length]
    return events.replace(features=features, masks=masks)


def number_of_batches(n_events: int, batch_size: int) -> int:
    return math.ceil(n_events / batch_size)


def complete_events(events: EventTensors) -> EventTensors:
    """Only the events in which every particle is reconstructable (``partial_events`` off)."""
    return events.select(events.target_masks.all(dim=1))


def _read_inputs(
    reader: _Reader, event_info: EventInfo
) -> tuple[dict[str, Tensor], dict[str, Tensor], dict[str, Tensor]]:
    """(features, masks, global features) of every input of ``event_info``."""
    features, masks = {}, {}
    for name, feature_infos in event_info.sequential_inputs.items():
        masks[name] = torch.from_numpy(reader.read(layout.mask_key(name)).astype(bool))
        features[name] = reader.stack(name, feature_infos, expected_shape=tuple(masks[name].shape))
    n_events = int(next(iter(masks.values())).shape[0])
    global_features = {
        name: reader.stack(name, feature_infos, expected_shape=(n_events,))
        for name, feature_infos in event_info.global_inputs.items()
    }
    return features, masks, global_features


def _read_targets(reader: _Reader, event_info: EventInfo, masks: dict[str, Tensor], n_events: int) -> Tensor:
    """(N, P, 2) daughter indices, checked against the input masks."""
    targets = torch.full((n_events, event_info.n_particles, MAX_DAUGHTERS), -1, dtype=torch.int64)
    for position, particle in enumerate(event_info.particles):
        for column, daughter in enumerate(particle.daughters):
            values = reader.read(_target_key(particle.name, daughter), (n_events,))
            targets[:, position, column] = torch.from_numpy(values.astype(np.int64))
        _check_targets(targets[:, position, : particle.n_daughters], masks[particle.source], reader.path, particle.name)
    return targets


@contextlib.contextmanager
def _open(path: str | Path) -> Iterator[_Reader]:
    with open_hdf5(path) as handle:
        yield _Reader(handle, Path(path))


class _Reader:
    """Reads datasets of one open file; a missing or misshapen dataset is a :class:`DataError`."""

    def __init__(self, handle: h5py.File, path: Path) -> None:
        self.handle = handle
        self.path = path

    def read(self, key: str, expected_shape: tuple[int, ...] | None = None) -> np.ndarray:
        try:
            return read_dataset(self.handle, key, expected_shape)
        except ValueError as error:  # the file does not match the event topology: spanet's own error type
            raise DataError(str(error)) from error

    def stack(self, name: str, feature_infos: tuple[FeatureInfo, ...], expected_shape: tuple[int, ...]) -> Tensor:
        columns = [self.read(layout.input_key(name, feature.name), expected_shape) for feature in feature_infos]
        return torch.from_numpy(np.stack(columns, axis=-1).astype(np.float32))


def _check_targets(targets: Tensor, mask: Tensor, path: Path, particle: str) -> None:
    n_vectors = mask.shape[1]
    if (targets >= n_vectors).any():
        raise DataError(f"{path}: targets of {particle!r} point beyond the {n_vectors} input vectors")
    matched = targets >= 0
    pointed = mask.gather(1, targets.clamp(min=0))
    if (matched & ~pointed).any():
        raise DataError(f"{path}: targets of {particle!r} point at padding vectors (MASK is False there)")
    if targets.shape[1] == 2 and (matched.all(1) & (targets[:, 0] == targets[:, 1])).any():
        raise DataError(f"{path}: both daughters of {particle!r} point at the same vector")


def _reconstructable(targets: Tensor, event_info: EventInfo) -> Tensor:
    columns = [
        (targets[:, position, : particle.n_daughters] >= 0).all(dim=1)
        for position, particle in enumerate(event_info.particles)
    ]
    return torch.stack(columns, dim=1)


def higgs_slot(particle: str) -> tuple[int, bool]:
    """(i, boosted) for the layout's particle names ``h{i}`` / ``bh{i}``."""
    for index in range(1, 4):
        if particle == layout.resolved_particle(index):
            return index, False
        if particle == layout.boosted_particle(index):
            return index, True
    raise DataError(f"particle {particle!r} has no datasets in the multihiggs layout (expected h1..h3, bh1..bh3)")


def _target_key(particle: str, daughter: str) -> str:
    index, boosted = higgs_slot(particle)
    if not boosted:
        if daughter not in ("b1", "b2"):
            raise DataError(f"resolved particle {particle!r} has daughters b1, b2 in the layout, not {daughter!r}")
        return layout.resolved_target_key(index, daughter)
    key = layout.boosted_target_key(index)
    if key.rsplit("/", 1)[-1] != daughter:
        raise DataError(f"boosted particle {particle!r} has daughter {key.rsplit('/', 1)[-1]!r}, not {daughter!r}")
    return key


def _mass_weight_key(particle: str) -> str:
    index, _ = higgs_slot(particle)
    return layout.mass_weight_key(index)


def _classification_key(name: str) -> str:
    key = layout.classification_key()
    if key.rsplit("/", 1)[-1] != name:
        raise DataError(f"classification target {name!r} is not in the layout (have {key!r})")
    return key
