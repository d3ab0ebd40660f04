"""Train/validation/test assignment by a seeded hash of (sample, event number): reruns give identical splits.

The event's place depends only on the sample name, its event number and the seed, never on file order, chunking
or which other events were selected, so a rerun (or a rerun with more input files) keeps every event where it was.
Event numbers must be unique within a sample.
"""

from __future__ import annotations

import hashlib

import numpy as np

from multihiggs.io.spanet_layout import SPLIT_NAMES

DEFAULT_FRACTIONS: tuple[float, ...] = (0.7, 0.1, 0.2)

_MASK64 = (1 << 64) - 1


def _sample_key(sample: str, seed: int) -> np.uint64:
    """A 64-bit key mixing the sample name and the seed (stable across Python processes, unlike ``hash``)."""
    digest = hashlib.sha256(f"{sample}\0{seed}".encode()).digest()
    return np.uint64(int.from_bytes(digest[:8], "little") & _MASK64)


def _splitmix64(values: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a bijective, well-mixed 64-bit hash (wrapping uint64 arithmetic)."""
    z = values + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def split_uniform(sample: str, event_number: np.ndarray, seed: int) -> np.ndarray:
    """(N,) float64 in [0, 1): a pseudo-random number fixed by (sample, event number, seed)."""
    numbers = np.asarray(event_number).astype(np.int64).view(np.uint64)
    hashed = _splitmix64(numbers ^ _sample_key(sample, seed))
    return (hashed >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def event_uniforms(sample: str, event_number: np.ndarray, seed: int, n_per_event: int, stream: str) -> np.ndarray:
    """(N, n_per_event) float64 in [0, 1): pseudo-random numbers fixed by (sample, event number, seed, stream).

    Column c is the c-th output of a SplitMix64 sequence started from the event's hash, so an event's numbers do
    not depend on chunking or on other events. ``stream`` names the use (e.g. ``"trf-tags"``): streams are
    independent of each other and of :func:`split_uniform` for the same seed.
    """
    numbers = np.asarray(event_number).astype(np.int64).view(np.uint64)
    start = _splitmix64(numbers ^ _sample_key(f"{sample}\0{stream}", seed))
    steps = np.arange(n_per_event, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)  # SplitMix64 state increments
    hashed = _splitmix64(start[:, None] + steps[None, :])
    return (hashed >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def check_fractions(fractions: tuple[float, ...] | list[float]) -> tuple[float, ...]:
    """Validated split fractions: one per split, each >= 0, summing to 1 (within 1e-6)."""
    fractions = tuple(float(f) for f in fractions)
    if len(fractions) != len(SPLIT_NAMES) or min(fractions) < 0 or abs(sum(fractions) - 1) > 1e-6:
        raise ValueError(
            f"split fractions must be {len(SPLIT_NAMES)} non-negative numbers summing to 1, got {fractions}"
        )
    return fractions


def assign_splits(sample: str, event_number: np.ndarray, seed: int, fractions: tuple[float, ...]) -> np.ndarray:
    """(N,) int: index into :data:`SPLIT_NAMES` of each event (0 train, 1 val, 2 test)."""
    edges = np.cumsum(check_fractions(fractions))[:-1]
    return np.searchsorted(edges, split_uniform(sample, event_number, seed), side="right")
