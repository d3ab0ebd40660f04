"""SPANet input arrays (multihiggs.io.spanet_layout) from selected, pT-ordered jets (pure; GeV, rad).

Sequential inputs are fixed-width, zero-padded arrays with a boolean ``MASK`` (True for a real jet); the caller
truncates the pT-ordered lists to the stored width (the softest jets go). Values are raw (pT and mass in GeV): the
network computes and applies the normalisation. Every feature is float32; dataset names come from ``spanet_layout``.
"""

from __future__ import annotations

import numpy as np

from multihiggs.io import spanet_layout as layout
from multihiggs.io.delphes import btag_bit


def safe_ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is not positive (e.g. τ1 = 0 for a one-particle jet)."""
    positive = denominator > 0
    return np.where(positive, numerator / np.where(positive, denominator, 1), 0).astype(np.float32)


def _masked(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.where(mask, values, 0).astype(np.float32)


def _momentum_features(
    pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, mass: np.ndarray, mask: np.ndarray
) -> dict[str, np.ndarray]:
    """The four-momentum features of AK5 and AK8 jets: pt, eta, sinphi, cosphi, mass (0 in padded slots)."""
    return {
        "pt": _masked(pt, mask),
        "eta": _masked(eta, mask),
        "sinphi": _masked(np.sin(phi), mask),
        "cosphi": _masked(np.cos(phi), mask),
        "mass": _masked(mass, mask),
    }


def _collection_datasets(
    collection: str, features: dict[str, np.ndarray], names: tuple[str, ...], mask: np.ndarray
) -> dict[str, np.ndarray]:
    """``INPUTS/<collection>/*`` {dataset: array}: the MASK, then the features ``names`` in that order."""
    result = {layout.mask_key(collection): mask.astype(bool)}
    result.update({layout.input_key(collection, name): features[name] for name in names})
    return result


def jet_inputs(
    pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, mass: np.ndarray, btag_bitmask: np.ndarray, mask: np.ndarray
) -> dict[str, np.ndarray]:
    """``INPUTS/Jets/*`` {dataset: (N, J) array}: MASK, pt (GeV), eta, sinphi, cosphi, btag, btag_upart, mass (GeV).

    Arguments are (N, J) arrays of selected AK5 jets ordered by decreasing pT, ``mask`` True for real jets;
    ``btag_bitmask`` is ``Jet.BTag`` (bit 0 CSV-like, bit 1 UParT-like).
    """
    features = _momentum_features(pt, eta, phi, mass, mask)
    bitmask = np.where(mask, btag_bitmask, 0).astype(np.int64)
    for working_point, feature in layout.BTAG_FEATURE_BY_WORKING_POINT.items():
        features[feature] = btag_bit(bitmask, working_point).astype(np.float32)
    return _collection_datasets(layout.JETS, features, layout.JET_FEATURES, mask)


def boosted_inputs(
    pt: np.ndarray,
    eta: np.ndarray,
    phi: np.ndarray,
    mass: np.ndarray,
    softdrop_mass: np.ndarray,
    tau1: np.ndarray,
    tau2: np.ndarray,
    tau3: np.ndarray,
    charged_fraction: np.ndarray,
    n_charged: np.ndarray,
    mask: np.ndarray,
) -> dict[str, np.ndarray]:
    """``INPUTS/BoostedJets/*`` {dataset: (N, B) array} from (N, B) selected AK8 jets ordered by decreasing pT.

    Features: MASK, pt, eta, sinphi, cosphi, mass, sdmass (GeV), tau21 = τ2/τ1, tau32 = τ3/τ2 (0 where the
    denominator is 0), charged_fraction (charged energy / jet energy), n_charged (count, as float).
    """
    features = _momentum_features(pt, eta, phi, mass, mask) | {
        "sdmass": _masked(softdrop_mass, mask),
        "tau21": _masked(safe_ratio(tau2, tau1), mask),
        "tau32": _masked(safe_ratio(tau3, tau2), mask),
        "charged_fraction": _masked(charged_fraction, mask),
        "n_charged": _masked(n_charged, mask),
    }
    return _collection_datasets(layout.BOOSTED_JETS, features, layout.BOOSTED_FEATURES, mask)


def global_inputs(kl: float | np.ndarray, n_events: int) -> dict[str, np.ndarray]:
    """``INPUTS/Event/kl`` (N,) float32: the κλ of the sample (a global input of the κλ-mixed network)."""
    return {layout.input_key(layout.EVENT, "kl"): np.broadcast_to(np.float32(kl), (n_events,)).astype(np.float32)}
