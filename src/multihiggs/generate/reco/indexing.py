"""Gathering per-event values with per-jet index lists (awkward helpers shared by the jet modules)."""

from __future__ import annotations

import awkward as ak
import numpy as np


def take_per_jet(values: ak.Array, index: ak.Array) -> ak.Array:
    """``values[event][index[event][jet]]`` for every jet of every event.

    Args:
        values: per-event lists, shape (events, var) (numbers or records).
        index: per-event, per-jet lists of positions into that event's ``values``, shape (events, var, var).

    Returns:
        Array of shape (events, var, var) holding the gathered values.
    """
    if len(values) != len(index):
        raise ValueError(f"values and index cover different numbers of events: {len(values)} vs {len(index)}")
    counts = ak.to_numpy(ak.num(values, axis=1))
    if ak.any((index < 0) | (index >= counts)):
        raise IndexError("jet constituent index outside its event's list of values")
    event_start = np.cumsum(counts) - counts
    global_index = ak.to_numpy(ak.flatten(index + event_start, axis=None)).astype(np.int64)
    flat_values = ak.flatten(values, axis=1)
    gathered = flat_values[global_index]
    per_jet = ak.unflatten(gathered, ak.flatten(ak.num(index, axis=2)))
    return ak.unflatten(per_jet, ak.num(index, axis=1))
