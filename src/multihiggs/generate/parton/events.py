"""Container for parton-level events: incoming gluons and outgoing scalars (lab frame, GeV)."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PartonEvents:
    """Unweighted parton-level events.

    incoming: (n, 2, 4) gluon four-momenta (px, py, pz, E), beam 1 along +z; scalars: (n, k, 4) with
    k = 2 (HH) or 3 (HHH); scale_gev: (n,) factorisation/renormalisation scale; higgs_mass_gev: scalar
    mass; cross_section_pb and cross_section_error_pb: the total cross section of the sample.
    """

    incoming: np.ndarray
    scalars: np.ndarray
    scale_gev: np.ndarray
    higgs_mass_gev: float
    cross_section_pb: float
    cross_section_error_pb: float

    def __post_init__(self) -> None:
        n = self.incoming.shape[0]
        if self.incoming.shape != (n, 2, 4):
            raise ValueError(f"incoming must have shape (n, 2, 4), got {self.incoming.shape}")
        if self.scalars.ndim != 3 or self.scalars.shape[0] != n or self.scalars.shape[2] != 4:
            raise ValueError(f"scalars must have shape ({n}, k, 4), got {self.scalars.shape}")
        if self.scalars.shape[1] not in (2, 3):
            raise ValueError(f"scalars must hold k = 2 or 3 particles per event, got {self.scalars.shape[1]}")
        if self.scale_gev.shape != (n,):
            raise ValueError(f"scale_gev must have shape ({n},), got {self.scale_gev.shape}")
        if not (self.cross_section_pb >= 0.0 and self.cross_section_error_pb >= 0.0):
            raise ValueError("cross section and its error must be non-negative (pb)")

    @property
    def n_events(self) -> int:
        """Number of events."""
        return int(self.incoming.shape[0])

    @property
    def weights_pb(self) -> np.ndarray:
        """Per-event weights (n,) in pb: sigma / N for unweighted events (they sum to sigma)."""
        return np.full(self.n_events, self.cross_section_pb / max(self.n_events, 1))
