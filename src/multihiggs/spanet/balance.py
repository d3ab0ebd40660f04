"""Class-balance weights computed on the training set (``balance_particles``, ``balance_jets``,
``balance_classifications``).

Events are grouped into classes, each class gets the weight N / (n_classes * count) (inverse prevalence,
mean 1 over the training events), and events of a class never seen in training get weight 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from multihiggs.spanet.event_info import Permutation


def reconstructable_set_classes(target_masks: Tensor, event_group: Sequence[Permutation]) -> Tensor:
    """Class of each event's set of reconstructable particles, up to the event permutation group.

    Two events share a class when one mask becomes the other under a group element (e.g. "only h1" and
    "only h2"), as in the reference's partial-event class balance.

    Args:
        target_masks: (N, P) bool.
    Returns:
        (N,) int64 canonical code (smallest bit pattern over the group).
    """
    bit_values = 2 ** torch.arange(target_masks.shape[1], dtype=torch.int64)
    permutations = torch.tensor(event_group, dtype=torch.int64)  # (S, P)
    permuted = target_masks[:, permutations].to(torch.int64)  # (N, S, P)
    return (permuted * bit_values).sum(dim=2).min(dim=1).values


def inverse_prevalence_weights(train_classes: Tensor, classes: Tensor) -> Tensor:
    """Weight N / (n_classes * count) per event of ``classes``, with counts from ``train_classes``.

    Args:
        train_classes: (N_train,) int64 class of each training event.
        classes: (N,) int64 classes of the events to weight.
    Returns:
        (N,) float32 weights (1 for classes absent from the training set).
    """
    values, counts = torch.unique(train_classes, return_counts=True)
    class_weights = len(train_classes) / (len(values) * counts.double())
    position = torch.searchsorted(values, classes).clamp(max=len(values) - 1)
    known = values[position] == classes
    return torch.where(known, class_weights[position], torch.ones_like(class_weights[position])).float()


def class_weights(labels: Tensor, n_classes: int) -> Tensor:
    """(n_classes,) inverse-prevalence weights of classification labels (labels < 0 ignored)."""
    labels = labels[labels >= 0]
    counts = torch.bincount(labels, minlength=n_classes).double()
    present = counts > 0
    weights = torch.where(present, len(labels) / (present.sum() * counts.clamp(min=1)), torch.ones_like(counts))
    return weights.float()
