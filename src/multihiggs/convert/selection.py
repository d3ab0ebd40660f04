"""Object and event selection (pure; GeV): jet acceptance, pT ordering, jet-count and four-tag requirements.

Defaults follow a Delphes CMS card and hsieh_spanet2: AK5 jets pT > 20 GeV, |η| < 2.5; AK8 jets pT > 250 GeV,
|η| < 2.5; the four-tag cut asks for at least four b-tagged jets with pT > 40 GeV, |η| < 2.5. The cut can be
replaced by tag-rate-function weights: P(≥ n tags) from per-jet tag efficiencies (a Poisson-binomial sum), which
keeps every event with a weight instead of the few that pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import awkward as ak
import numpy as np


@dataclass(frozen=True)
class SelectionConfig:
    """Every selection threshold; GeV for momenta."""

    min_jets: int
    jet_min_pt: float = 20.0
    jet_max_abs_eta: float = 2.5
    fatjet_min_pt: float = 250.0
    fatjet_max_abs_eta: float = 2.5
    four_tag: bool = False
    tag_rate_weights: bool = False
    n_tags: int = 4
    tag_min_pt: float = 40.0
    tag_max_abs_eta: float = 2.5
    tag_working_point: str = "CSV"

    def __post_init__(self) -> None:
        if self.min_jets < 0 or self.n_tags < 0:
            raise ValueError(f"min_jets and n_tags must be >= 0, got {self.min_jets} and {self.n_tags}")
        if self.tag_rate_weights and not self.four_tag:
            raise ValueError("tag-rate weights replace the four-tag cut: enable four_tag as well")


@dataclass(frozen=True)
class SelectedObjects:
    """Objects that passed a selection, ordered by decreasing pT, as zero-padded (N, W) arrays.

    ``fields`` maps branch leaf names (``PT``, ``Eta`` …) to (N, W) arrays; ``mask`` (N, W) is True for real
    objects. W is the largest number of selected objects in any event unless fixed by :meth:`with_width`.
    """

    fields: dict[str, np.ndarray]
    mask: np.ndarray

    @property
    def count(self) -> np.ndarray:
        """(N,) number of selected objects per event."""
        return self.mask.sum(axis=1)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.fields[name]

    def take_events(self, rows: np.ndarray) -> SelectedObjects:
        """The same objects for a subset of events (boolean mask or indices)."""
        return SelectedObjects({name: values[rows] for name, values in self.fields.items()}, self.mask[rows])

    def with_width(self, width: int) -> SelectedObjects:
        """Truncated to the ``width`` leading (hardest) objects, or zero-padded up to ``width``."""
        current = self.mask.shape[1]
        if width <= current:
            return SelectedObjects({n: v[:, :width] for n, v in self.fields.items()}, self.mask[:, :width])
        padding = ((0, 0), (0, width - current))
        return SelectedObjects({n: np.pad(v, padding) for n, v in self.fields.items()}, np.pad(self.mask, padding))


def select_and_order(
    collection: Mapping[str, ak.Array], min_pt: float, max_abs_eta: float, pt: str = "PT", eta: str = "Eta"
) -> SelectedObjects:
    """Objects with pT > ``min_pt`` (GeV) and |η| < ``max_abs_eta``, ordered by decreasing pT (stable for ties).

    ``collection`` maps leaf names to jagged (N, objects) arrays of one collection; ``pt`` and ``eta`` name the
    leaves the cuts apply to. Works on the flattened arrays, no loop over events.
    """
    counts = np.asarray(ak.to_numpy(ak.num(collection[pt], axis=1)), dtype=np.int64)
    n_events, width = len(counts), int(counts.max(initial=0))
    flat = {name: np.asarray(ak.to_numpy(ak.flatten(values, axis=1))) for name, values in collection.items()}
    event = np.repeat(np.arange(n_events), counts)
    slot = np.arange(len(event)) - np.repeat(np.cumsum(counts) - counts, counts)
    accepted = (flat[pt] > min_pt) & (np.abs(flat[eta]) < max_abs_eta)

    sort_key = np.full((n_events, width), np.inf)
    sort_key[event[accepted], slot[accepted]] = -flat[pt][accepted]
    position = np.full((n_events, width), -1, dtype=np.int64)
    position[event, slot] = np.arange(len(event))
    n_selected = np.bincount(event[accepted], minlength=n_events)
    selected_width = int(n_selected.max(initial=0))
    order = np.argsort(sort_key, axis=1, kind="stable")[:, :selected_width]
    mask = np.arange(selected_width)[None, :] < n_selected[:, None]
    source = np.where(mask, np.take_along_axis(position, order, axis=1), 0)
    fields = {name: np.where(mask, values[source], 0).astype(values.dtype) for name, values in flat.items()}
    return SelectedObjects(fields, mask)


def tag_candidates(jets: SelectedObjects, config: SelectionConfig) -> np.ndarray:
    """(N, W) bool: selected jets that count for the four-tag requirement (pT > tag_min_pt, |η| < tag_max_abs_eta)."""
    return jets.mask & (jets["PT"] > config.tag_min_pt) & (np.abs(jets["Eta"]) < config.tag_max_abs_eta)


def pass_jet_count(n_jets: np.ndarray, config: SelectionConfig) -> np.ndarray:
    """(N,) bool: at least ``min_jets`` selected AK5 jets."""
    return np.asarray(n_jets) >= config.min_jets


def pass_four_tag(n_tagged: np.ndarray, config: SelectionConfig) -> np.ndarray:
    """(N,) bool: at least ``n_tags`` tagged candidate jets (all True when the cut is off or replaced by weights)."""
    n_tagged = np.asarray(n_tagged)
    if not config.four_tag or config.tag_rate_weights:
        return np.ones(n_tagged.shape, dtype=bool)
    return n_tagged >= config.n_tags
