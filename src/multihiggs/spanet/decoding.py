"""Greedy conflict-free decoding of per-particle assignment distributions (method-agnostic, numpy).

At each step, over all particles not yet decoded, take the most confident one (the probability of its best
remaining tuple, times its detection probability when given), assign it that tuple, and remove its vectors from
every particle drawing on the same input. Repeat until every particle is decoded; a vector is never used twice
within an input. Weighting by detection keeps a particle that is probably absent from taking the vectors of
one that is present.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np


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
