"""Training inputs: read, split and weight the events; statistics from the training part only."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from multihiggs.spanet import balance
from multihiggs.spanet.data import (
    EventTensors,
    FeatureStatistics,
    complete_events,
    compute_feature_statistics,
    identity_statistics,
    read_events,
    split_indices,
)
from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.options import SpanetOptions


@dataclass(frozen=True)
class PreparedData:
    """Training and validation events with everything derived from the training set."""

    train: EventTensors
    validation: EventTensors
    statistics: FeatureStatistics
    class_counts: dict[str, int]
    class_weights: dict[str, torch.Tensor]


def prepare_data(options: SpanetOptions, event_info: EventInfo) -> PreparedData:
    """Events of ``training_file`` split by ``train_validation_split`` (or ``validation_file``), filtered to
    complete events unless ``partial_events``, with class-balance weights and feature statistics."""
    read = {
        "use_event_weights": options.use_event_weights,
        "use_mass_weights": options.use_mass_weights,
        "use_selection_weights": options.use_selection_weights,
        "background_weight_power": options.background_weight_power,
        "limit_to_num_vectors": options.limit_to_num_jets,
    }
    events = read_events(options.training_file, event_info, **read)
    train_index, validation_index = split_indices(
        len(events),
        options.dataset_limit,
        1.0 if options.validation_file else options.train_validation_split,
        options.dataset_randomization,
    )
    train = events.select(train_index)
    validation = (
        read_events(options.validation_file, event_info, **read)
        if options.validation_file
        else events.select(validation_index)
    )
    if not options.partial_events:
        train, validation = complete_events(train), complete_events(validation)
    if len(train) == 0:
        raise ValueError(f"no training events left from {options.training_file} (check the split and limits)")
    statistics = (
        compute_feature_statistics(train, event_info) if options.normalize_features else identity_statistics(event_info)
    )
    train, validation = _with_balance_weights(train, validation, event_info, options)
    class_counts = {name: max(2, int(train.class_labels[name].max()) + 1) for name in event_info.classifications}
    class_weights = (
        {name: balance.class_weights(train.class_labels[name], count) for name, count in class_counts.items()}
        if options.balance_classifications
        else {}
    )
    return PreparedData(train, validation, statistics, class_counts, class_weights)


def _with_balance_weights(
    train: EventTensors, validation: EventTensors, event_info: EventInfo, options: SpanetOptions
) -> tuple[EventTensors, EventTensors]:
    """Attach ``balance_weights`` (mean 1 over the training events) from the enabled balance options."""
    train_weights, validation_weights = torch.ones(len(train)), torch.ones(len(validation))
    if options.balance_particles:
        train_classes = balance.reconstructable_set_classes(train.target_masks, event_info.event_group)
        validation_classes = balance.reconstructable_set_classes(validation.target_masks, event_info.event_group)
        train_weights = train_weights * balance.inverse_prevalence_weights(train_classes, train_classes)
        validation_weights = validation_weights * balance.inverse_prevalence_weights(train_classes, validation_classes)
    if options.balance_jets:
        first = next(iter(event_info.sequential_inputs))
        train_jets, validation_jets = train.masks[first].sum(1), validation.masks[first].sum(1)
        train_weights = train_weights * balance.inverse_prevalence_weights(train_jets, train_jets)
        validation_weights = validation_weights * balance.inverse_prevalence_weights(train_jets, validation_jets)
    norm = train_weights.mean()
    return (
        train.replace(balance_weights=train_weights / norm),
        validation.replace(balance_weights=validation_weights / norm),
    )
