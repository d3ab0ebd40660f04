"""Run a trained network over events in batches and return numpy probabilities."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from multihiggs.spanet.data import EventTensors, multiplicity_order, without_trailing_padding
from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.model import NetworkOutputs, SpanetNetwork


@dataclass(frozen=True)
class NetworkProbabilities:
    """Network outputs for N events as probabilities.

    assignment: per particle, (N, J) or (N, J, J) probability of each tuple as an unordered set (a symmetric
        pair {j, k} has its full probability at both (j, k) and (k, j)); 0 on invalid tuples.
    detection: (N, P) probability that each particle is reconstructable.
    classification: classification name -> (N, n_classes) class probabilities.
    """

    assignment: list[np.ndarray]
    detection: np.ndarray
    classification: dict[str, np.ndarray]


def batch_probabilities(outputs: NetworkOutputs, event_info: EventInfo) -> NetworkProbabilities:
    """Probabilities of one batch of network outputs (moved to CPU numpy arrays)."""
    multiplicity = [float(len(particle.daughter_group)) for particle in event_info.particles]
    return NetworkProbabilities(
        assignment=[
            (log_probs.float().exp() * factor).cpu().numpy()
            for log_probs, factor in zip(outputs.assignment_log_probs, multiplicity, strict=True)
        ],
        detection=torch.sigmoid(outputs.detection_logits.float()).cpu().numpy(),
        classification={
            name: torch.softmax(logits.float(), dim=1).cpu().numpy()
            for name, logits in outputs.classification_logits.items()
        },
    )


def concatenate_probabilities(parts: list[NetworkProbabilities]) -> NetworkProbabilities:
    """Join batch results in order."""
    return NetworkProbabilities(
        assignment=[np.concatenate(arrays) for arrays in zip(*(part.assignment for part in parts), strict=True)],
        detection=np.concatenate([part.detection for part in parts]),
        classification={
            name: np.concatenate([part.classification[name] for part in parts]) for name in parts[0].classification
        },
    )


def in_event_order(parts: list[NetworkProbabilities], indices: list[Tensor]) -> NetworkProbabilities:
    """Join batch results computed on the events at ``indices`` (together a permutation) back in file order."""
    joined = concatenate_probabilities(parts)
    inverse = torch.argsort(torch.cat(indices)).numpy()
    return NetworkProbabilities(
        assignment=[array[inverse] for array in joined.assignment],
        detection=joined.detection[inverse],
        classification={name: array[inverse] for name, array in joined.classification.items()},
    )


def network_batches(
    network: SpanetNetwork, events: EventTensors, batch_size: int, device: torch.device | str = "cpu"
) -> Iterator[tuple[Tensor, EventTensors, NetworkOutputs]]:
    """Run ``network`` over ``events`` in batches of similar multiplicity, without their common trailing padding.

    Yields (index of the events in ``events``, the batch, its outputs with every assignment distribution padded
    back to the input's full number of vectors). The batches are ordered by multiplicity, not by event: a
    shorter token sequence and, for a batch without padding, the unmasked attention kernel make inference
    faster, and the outputs equal those of the full-length padded batch.
    """
    order = multiplicity_order(events.masks)
    full_lengths = {name: mask.shape[1] for name, mask in events.masks.items()}
    sources = network.particle_sources
    for start in range(0, len(events), batch_size):
        index = order[start : start + batch_size]
        batch = without_trailing_padding(events.select(index)).to(device)
        outputs = network(batch.features, batch.masks, batch.global_features)
        padded = [
            _pad_vectors(log_probs, full_lengths[source])
            for log_probs, source in zip(outputs.assignment_log_probs, sources, strict=True)
        ]
        yield index, batch, outputs._replace(assignment_log_probs=padded)


def _pad_vectors(log_probs: Tensor, n_vectors: int) -> Tensor:
    """(B, J) or (B, J, J) log-probabilities padded with -inf to J = ``n_vectors`` along every vector axis."""
    missing = n_vectors - log_probs.shape[-1]
    if missing == 0:
        return log_probs
    return F.pad(log_probs, (0, missing) * (log_probs.dim() - 1), value=-math.inf)


@torch.inference_mode()
def predict_probabilities(
    network: SpanetNetwork,
    events: EventTensors,
    event_info: EventInfo,
    batch_size: int,
    device: torch.device | str = "cpu",
) -> NetworkProbabilities:
    """Evaluate ``network`` (switched to eval mode) on ``events`` batch by batch; results in event order."""
    network.eval()
    parts, indices = [], []
    for index, _, outputs in network_batches(network, events, batch_size, device):
        parts.append(batch_probabilities(outputs, event_info))
        indices.append(index)
    return in_event_order(parts, indices)
