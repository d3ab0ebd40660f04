"""Learning-rate schedule: linear warm-up, then cosine annealing with hard restarts (or a linear decay)."""

from __future__ import annotations

import math


def learning_rate_factor(step: int, warmup_steps: int, total_steps: int, cycles: int) -> float:
    """Multiplier of the base learning rate at optimiser step ``step`` (0-based).

    Warm-up rises linearly over ``warmup_steps``; afterwards ``cycles`` cosine cycles (each from 1 to 0) fill
    the remaining steps, or, with ``cycles == 0``, the rate decays linearly to 0.
    """
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    remaining = max(total_steps - warmup_steps, 1)
    progress = min((step - warmup_steps) / remaining, 1.0)
    if cycles == 0:
        return max(1.0 - progress, 0.0)
    phase = (progress * cycles) % 1.0 if progress < 1.0 else 1.0
    return 0.5 * (1.0 + math.cos(math.pi * phase))
