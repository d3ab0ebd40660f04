"""Resolved Higgs candidates (jet pairs) chosen by a pairing baseline, in canonical order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from multihiggs.jets import Jets, dijet_momenta


@dataclass(frozen=True)
class HiggsCandidates:
    """Jet pairs chosen by a baseline for N events and H Higgs slots.

    Attributes:
        jet_pairs: int64 (N, H, 2), original AK5 jet indices of each candidate; (-1, -1) for a slot left
            empty. Canonical order: jets ascending inside a pair, candidates by decreasing dijet pT, empty
            slots last.
        objective: float64 (N,), the quantity the method minimised for the chosen pairing (chi^2 in GeV^2,
            D in GeV, Delta R); NaN where nothing was reconstructed.
    """

    jet_pairs: np.ndarray
    objective: np.ndarray

    def __post_init__(self) -> None:
        if np.ndim(self.jet_pairs) != 3 or np.shape(self.jet_pairs)[2] != 2:
            raise ValueError(f"jet_pairs must have shape (N, H, 2), got {np.shape(self.jet_pairs)}")
        if np.shape(self.objective) != np.shape(self.jet_pairs)[:1]:
            raise ValueError(f"objective must have shape (N,), got {np.shape(self.objective)}")

    @property
    def n_reconstructed(self) -> np.ndarray:
        """Number of reconstructed candidates per event, int64 (N,)."""
        return (self.jet_pairs[..., 0] >= 0).sum(axis=1).astype(np.int64)


def canonical_candidates(jets: Jets, jet_pairs: np.ndarray, objective: np.ndarray) -> HiggsCandidates:
    """Put chosen pairs (int (N, H, 2), -1 for empty slots) in the canonical order of :class:`HiggsCandidates`."""
    jet_pairs = np.sort(np.asarray(jet_pairs, dtype=np.int64), axis=-1)
    empty = (jet_pairs < 0).any(axis=-1)
    jet_pairs[empty] = -1
    dijet_pt = np.where(empty, -np.inf, dijet_momenta(jets, jet_pairs).pt)
    # Stable sort on -pT: equal-pT candidates keep their order, empty slots (-inf) go last.
    order = np.argsort(-dijet_pt, axis=1, kind="stable")
    ordered = np.take_along_axis(jet_pairs, order[..., None], axis=1)
    return HiggsCandidates(jet_pairs=ordered, objective=np.asarray(objective, dtype=np.float64))
