"""Kinematics of reconstructed Higgs candidates: dijet four-momenta of jet pairs, AK8 jets as they are.

Candidates lie on the candidate axis of :mod:`multihiggs.evaluate.matching` (boosted slots, then resolved slots).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from multihiggs.evaluate.matching import resolved_present, stack_candidates
from multihiggs.jets import Jets, dijet_momenta


@dataclass(frozen=True)
class BoostedJets:
    """AK8 jets of N events padded to B slots; arrays (N, B): pt and mass in GeV, mask True for real jets."""

    pt: np.ndarray
    mass: np.ndarray
    mask: np.ndarray

    def __post_init__(self) -> None:
        for name in ("pt", "mass"):
            shape = np.shape(getattr(self, name))
            if shape != np.shape(self.mask):
                raise ValueError(f"AK8 {name} has shape {shape}, the mask {np.shape(self.mask)}")


@dataclass(frozen=True)
class CandidateKinematics:
    """pt and mass (GeV) of every candidate, arrays (N, C); NaN where the slot holds no candidate."""

    pt: np.ndarray
    mass: np.ndarray


def check_assignments(assignments: np.ndarray, mask: np.ndarray, what: str) -> None:
    """Raise unless every index of ``assignments`` (int (N, ...), -1 = none) names a real jet of ``mask`` (N, J)."""
    assignments = np.asarray(assignments)
    flat = assignments.reshape(len(assignments), -1)
    if (flat < -1).any() or (flat >= mask.shape[1]).any():
        raise ValueError(f"{what} holds jet indices outside [-1, {mask.shape[1] - 1}]")
    rows = np.arange(len(flat))[:, None]
    points_to_padding = (flat >= 0) & ~mask[rows, np.maximum(flat, 0)]
    if points_to_padding.any():
        event = int(np.flatnonzero(points_to_padding.any(axis=1))[0])
        raise ValueError(f"{what} points to a padded (absent) jet, first in event {event}")


def candidate_kinematics(
    jets: Jets, boosted_jets: BoostedJets, resolved_assignments: np.ndarray, boosted_assignments: np.ndarray
) -> CandidateKinematics:
    """pt and mass of the candidates of one prediction.

    Args:
        jets: AK5 jets (N, J).
        boosted_jets: AK8 jets (N, B).
        resolved_assignments: int (N, Hr, 2) AK5 jet pairs (-1 = none); a resolved candidate is the dijet.
        boosted_assignments: int (N, Hb) AK8 jet (-1 = none); a boosted candidate is the AK8 jet (its ungroomed mass).
    """
    resolved_assignments = np.asarray(resolved_assignments)
    boosted_assignments = np.asarray(boosted_assignments)
    check_assignments(resolved_assignments, jets.mask, "the resolved assignments")
    check_assignments(boosted_assignments, boosted_jets.mask, "the boosted assignments")

    dijets = dijet_momenta(jets, resolved_assignments)
    has_pair = resolved_present(resolved_assignments)
    resolved_pt = np.where(has_pair, dijets.pt, np.nan)
    resolved_mass = np.where(has_pair, dijets.mass, np.nan)

    has_fatjet = boosted_assignments >= 0
    safe = np.maximum(boosted_assignments, 0)
    boosted_pt = np.where(has_fatjet, np.take_along_axis(np.asarray(boosted_jets.pt, float), safe, axis=1), np.nan)
    boosted_mass = np.where(has_fatjet, np.take_along_axis(np.asarray(boosted_jets.mass, float), safe, axis=1), np.nan)
    return CandidateKinematics(
        pt=stack_candidates(boosted_pt, resolved_pt), mass=stack_candidates(boosted_mass, resolved_mass)
    )


def leading_pair_masses(kinematics: CandidateKinematics) -> tuple[np.ndarray, np.ndarray]:
    """Masses (GeV, (N,)) of the highest-pT (H1) and second-highest-pT (H2) candidates; NaN if absent."""
    pt = np.where(np.isnan(kinematics.pt), -np.inf, kinematics.pt)
    order = np.argsort(-pt, axis=1, kind="stable")
    masses = np.take_along_axis(kinematics.mass, order, axis=1)
    if masses.shape[1] < 2:
        return masses[:, 0] if masses.shape[1] else np.full(len(masses), np.nan), np.full(len(masses), np.nan)
    return masses[:, 0], masses[:, 1]
