"""Unweighted sampling of a non-negative density on a box by accept-reject under a cell-wise envelope.

The box is divided into a grid of cells; the envelope in each cell is a constant equal to ``safety`` times
the largest density found on a small probe grid of that cell. Proposals are drawn cell by cell (probability
proportional to envelope x volume), uniformly inside the cell, and accepted with probability
density / envelope, so accepted points follow the density exactly. If a proposal ever exceeds its cell's
envelope, that envelope is raised and sampling restarts from scratch (still deterministic for a given
generator). The integral of the density is estimated from the same proposals with its MC error.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Density = Callable[[np.ndarray], np.ndarray]

MAX_BATCH = 1_000_000
MIN_BATCH = 4096
MAX_RESTARTS = 20


@dataclass(frozen=True)
class EnvelopeSample:
    """Accepted points (n, d), the density integral estimate and its MC error, and the acceptance rate."""

    points: np.ndarray
    integral: float
    integral_error: float
    efficiency: float


def draw_per_row(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One column index per row of non-negative ``weights`` (n, k), drawn with probability proportional to the
    row's weights (one uniform number per row)."""
    cumulative = np.cumsum(weights, axis=1)
    draw = rng.random(len(weights)) * cumulative[:, -1]
    return np.minimum((cumulative < draw[:, None]).sum(axis=1), weights.shape[1] - 1)


def _cell_bounds(edges: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Lower corners and widths (n_cells, d) of the product grid."""
    lows = np.meshgrid(*[e[:-1] for e in edges], indexing="ij")
    widths = np.meshgrid(*[np.diff(e) for e in edges], indexing="ij")
    return np.stack([g.ravel() for g in lows], axis=1), np.stack([g.ravel() for g in widths], axis=1)


def cell_envelope(density: Density, edges: list[np.ndarray], n_probe: int = 3, safety: float = 1.3) -> np.ndarray:
    """Envelope height per cell (n_cells,): safety x max of the density on n_probe^d points per cell."""
    lows, widths = _cell_bounds(edges)
    fractions = np.linspace(0.0, 1.0, n_probe)
    probe = np.stack([g.ravel() for g in np.meshgrid(*([fractions] * len(edges)), indexing="ij")], axis=1)  # (P, d)
    heights = np.empty(lows.shape[0])
    chunk = max(1, MAX_BATCH // probe.shape[0])
    for start in range(0, lows.shape[0], chunk):
        points = lows[start : start + chunk, None, :] + probe[None] * widths[start : start + chunk, None, :]
        values = density(points.reshape(-1, len(edges))).reshape(points.shape[:2])
        heights[start : start + chunk] = safety * values.max(axis=1)
    positive = heights[heights > 0]
    if positive.size == 0:
        raise ValueError("the density vanishes on every probe point: nothing to sample")
    # A cell whose probes all vanish may still be positive inside: give it a small envelope.
    return np.where(heights > 0, heights, 1e-3 * positive.min())


def sample_with_envelope(
    density: Density,
    edges: list[np.ndarray],
    n_samples: int,
    rng: np.random.Generator,
    n_probe: int = 3,
    safety: float = 1.3,
) -> EnvelopeSample:
    """Draw n_samples points distributed as ``density`` (vectorised: (m, d) -> (m,)) on the box of ``edges``.

    edges: per dimension, ascending cell edges. Returns the points, the integral of the density over the
    box (same units as density x volume) with its MC error, and the accept fraction.
    """
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    edges = [np.asarray(e, dtype=float) for e in edges]
    if any(e.ndim != 1 or e.size < 2 or np.any(np.diff(e) <= 0) for e in edges):
        raise ValueError("each edges array must be 1-d, ascending, with at least two entries")
    lows, widths = _cell_bounds(edges)
    volumes = np.prod(widths, axis=1)
    heights = cell_envelope(density, edges, n_probe, safety)
    for _ in range(MAX_RESTARTS):
        cumulative = np.cumsum(heights * volumes)
        total = cumulative[-1]
        accepted: list[np.ndarray] = []
        n_accepted = 0
        n_tried = 0
        ratio_sum = 0.0
        ratio_sq_sum = 0.0
        efficiency = 0.5
        violated = False
        while n_accepted < n_samples:
            batch = int(np.clip(1.2 * (n_samples - n_accepted) / max(efficiency, 1e-3), MIN_BATCH, MAX_BATCH))
            cell = np.minimum(np.searchsorted(cumulative, rng.random(batch) * total, side="right"), lows.shape[0] - 1)
            points = lows[cell] + rng.random((batch, len(edges))) * widths[cell]
            ratio = density(points) / heights[cell]
            if np.any(ratio > 1.0):
                over = ratio > 1.0
                np.maximum.at(heights, cell[over], safety * ratio[over] * heights[cell[over]])
                violated = True
                break
            keep = rng.random(batch) < ratio
            accepted.append(points[keep])
            n_accepted += int(keep.sum())
            n_tried += batch
            ratio_sum += float(ratio.sum())
            ratio_sq_sum += float((ratio**2).sum())
            efficiency = max(n_accepted / n_tried, 1e-3)
        if violated:
            continue
        mean = ratio_sum / n_tried
        variance = max(ratio_sq_sum / n_tried - mean**2, 0.0)
        return EnvelopeSample(
            points=np.concatenate(accepted)[:n_samples],
            integral=float(total * mean),
            integral_error=float(total * np.sqrt(variance / n_tried)),
            efficiency=n_accepted / n_tried,
        )
    raise RuntimeError(f"envelope still violated after {MAX_RESTARTS} restarts: density is not bounded")
