"""Per-object weights from per-event weights: every candidate or truth Higgs of an event carries its event's weight."""

from __future__ import annotations

import numpy as np


def per_object_weights(event_weight: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    """float64 weights of shape ``shape`` = (N, ...) from event weights (N,); None gives unit weights.

    Raises if the weights are not finite and non-negative (binomial ratios and shape comparisons need that).
    """
    if event_weight is None:
        return np.ones(shape, dtype=np.float64)
    event_weight = np.asarray(event_weight, dtype=np.float64)
    if event_weight.shape != tuple(shape[:1]):
        raise ValueError(f"event weights must have shape {tuple(shape[:1])}, got {event_weight.shape}")
    if not np.isfinite(event_weight).all() or (event_weight < 0).any():
        raise ValueError("event weights must be finite and non-negative")
    return np.broadcast_to(event_weight.reshape(shape[:1] + (1,) * (len(shape) - 1)), shape).astype(np.float64)
