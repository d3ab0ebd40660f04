"""Resolved (AK5) jets of a batch of events, padded to a fixed number of slots, and jet-pair four-momenta: the jet
type every stage (baselines, evaluation, statistics) shares."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import vector


@dataclass(frozen=True)
class Jets:
    """AK5 jets of N events padded to J slots; every array has shape (N, J).

    Attributes:
        pt: transverse momentum (GeV).
        eta: pseudorapidity.
        phi: azimuth (rad).
        mass: jet mass (GeV).
        btag: b-tag decision (0 or 1).
        mask: True for a real jet, False for padding. Values in padded slots are ignored.
    """

    pt: np.ndarray
    eta: np.ndarray
    phi: np.ndarray
    mass: np.ndarray
    btag: np.ndarray
    mask: np.ndarray

    def __post_init__(self) -> None:
        mask = np.asarray(self.mask)
        if mask.ndim != 2:
            raise ValueError(f"jet mask must have shape (N, J), got {mask.shape}")
        if mask.dtype != np.bool_:
            raise ValueError(f"jet mask must be boolean, got dtype {mask.dtype}")
        for field in fields(self):
            values = np.asarray(getattr(self, field.name))
            if values.shape != mask.shape:
                raise ValueError(f"jet {field.name} has shape {values.shape}, expected {mask.shape} like the mask")
            if not np.isfinite(values[mask]).all():
                raise ValueError(f"jet {field.name} has non-finite values in unmasked (real) jets")
            object.__setattr__(self, field.name, values)
        if (self.pt[mask] <= 0).any():
            raise ValueError("jet pt must be positive (GeV) for every unmasked (real) jet")

    @classmethod
    def from_sincos(
        cls,
        pt: np.ndarray,
        eta: np.ndarray,
        sinphi: np.ndarray,
        cosphi: np.ndarray,
        mass: np.ndarray,
        btag: np.ndarray,
        mask: np.ndarray,
    ) -> Jets:
        """Jets from the SPANet layout's (sin phi, cos phi) encoding of the azimuth."""
        return cls(pt, eta, np.arctan2(sinphi, cosphi), mass, btag, np.asarray(mask, dtype=bool))

    @property
    def n_events(self) -> int:
        return int(self.mask.shape[0])

    @property
    def n_slots(self) -> int:
        return int(self.mask.shape[1])

    def n_jets(self) -> np.ndarray:
        """Number of real jets per event, int64 (N,)."""
        return self.mask.sum(axis=1).astype(np.int64)

    def four_momenta(self) -> vector.MomentumNumpy4D:
        """Jet four-momenta (GeV), shape (N, J), stored as (px, py, pz, E); padded slots hold a null vector.

        Cartesian storage makes the many pair sums the baselines take cheap additions.
        """
        return vector.array(
            {
                "pt": np.where(self.mask, self.pt, 0.0),
                "eta": np.where(self.mask, self.eta, 0.0),
                "phi": np.where(self.mask, self.phi, 0.0),
                "mass": np.where(self.mask, self.mass, 0.0),
            }
        ).to_pxpypzenergy()

    def select_events(self, events: np.ndarray) -> Jets:
        """The events ``events`` (integer indices or boolean mask over N) as a new batch."""
        return Jets(**{field.name: getattr(self, field.name)[events] for field in fields(self)})

    def take(self, jet_index: np.ndarray) -> Jets:
        """The jets at ``jet_index`` (int (N, n), -1 for "no jet") as a new padded batch of n slots."""
        jet_index = np.asarray(jet_index)
        if jet_index.ndim != 2 or jet_index.shape[0] != self.n_events:
            raise ValueError(f"jet_index must have shape ({self.n_events}, n), got {jet_index.shape}")
        if (jet_index >= self.n_slots).any() or (jet_index < -1).any():
            raise ValueError(f"jet_index values must lie in [-1, {self.n_slots - 1}]")
        present = jet_index >= 0
        safe_index = np.where(present, jet_index, 0)
        rows = np.arange(self.n_events)[:, None]
        gathered = {field.name: getattr(self, field.name)[rows, safe_index] for field in fields(self)}
        gathered["mask"] = gathered["mask"] & present
        return Jets(**gathered)


def check_distinct_jets(jet_index: np.ndarray, name: str) -> None:
    """Raise if an event of ``jet_index`` (int (N, n), -1 = none) lists the same jet twice."""
    ordered = np.sort(np.asarray(jet_index), axis=1)
    if ((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)).any():
        raise ValueError(f"{name} lists the same jet twice in an event")


def dijet_momenta(jets: Jets, jet_pairs: np.ndarray) -> vector.MomentumNumpy4D:
    """Four-momenta (GeV) of jet pairs ``jet_pairs`` (int (N, ..., 2), -1 = no jet), shape (N, ...).

    A missing jet contributes nothing (null four-vector).
    """
    jet_pairs = np.asarray(jet_pairs)
    gathered = jets.take(jet_pairs.reshape(jets.n_events, -1)).four_momenta().reshape(jet_pairs.shape)
    return gathered[..., 0] + gathered[..., 1]
