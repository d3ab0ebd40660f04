"""Run a trained network over events in batches and return numpy probabilities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from multihiggs.spanet.data import EventTensors, iterate_batches
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


@torch.inference_mode()
def predict_probabilities(
    network: SpanetNetwork,
    events: EventTensors,
    event_info: EventInfo,
    batch_size: int,
    device: torch.device | str = "cpu",
) -> NetworkProbabilities:
    """Evaluate ``network`` (switched to eval mode) on ``events`` batch by batch."""
    network.eval()
    parts = []
    for index in iterate_batches(len(events), batch_size):
        batch = events.select(index).to(device)
        outputs = network(batch.features, batch.masks, batch.global_features)
        parts.append(batch_probabilities(outputs, event_info))
    return concatenate_probabilities(parts)
