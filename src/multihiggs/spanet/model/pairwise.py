"""Pairwise kinematics of the vectors of one input, and a learned score of each pair for the tensor attention.

A bilinear form of per-vector embeddings reaches the invariant mass of a pair only indirectly; with the few
thousand training events of a laptop-sized run the network never learns it (the pairs it picks have no
Higgs-mass peak). This optional extension (``pairwise_attention_features``) adds to the two-daughter
attention scores a learned function of each pair's invariant mass and angular separation, as pairwise
interaction features do in particle transformers. Both features are symmetric in the pair, so the
symmetries of the tensor attention are kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

#: Features of an input needed for its four-vectors (``mass`` optional: massless vectors without it).
FOUR_VECTOR_FEATURES = ("pt", "eta", "sinphi", "cosphi")
MASS_SCALE_GEV = 100.0  # pair masses enter the score network in units of 100 GeV
MAX_ABS_ETA = 6.0  # padding and numerical safety: |eta| is clamped here before cosh/sinh


class PairwiseFeatureError(ValueError):
    """An input that lacks the features the pairwise kinematics are built from."""


def four_vector_columns(feature_names: Sequence[str]) -> tuple[int, int, int, int, int | None]:
    """Column indices of (pt, eta, sinphi, cosphi, mass) among ``feature_names`` (mass None when absent)."""
    missing = [name for name in FOUR_VECTOR_FEATURES if name not in feature_names]
    if missing:
        raise PairwiseFeatureError(
            f"pairwise_attention_features needs input features {list(FOUR_VECTOR_FEATURES)}; missing {missing}"
        )
    pt, eta, sinphi, cosphi = (feature_names.index(name) for name in FOUR_VECTOR_FEATURES)
    mass = feature_names.index("mass") if "mass" in feature_names else None
    return pt, eta, sinphi, cosphi, mass


def _cosh_sinh(x: Tensor) -> tuple[Tensor, Tensor]:
    """cosh and sinh from exponentials (the ONNX exporter has no aten::sinh)."""
    up, down = torch.exp(x), torch.exp(-x)
    return 0.5 * (up + down), 0.5 * (up - down)


def pair_kinematics(features: Tensor, mask: Tensor, columns: tuple[int, int, int, int, int | None]) -> Tensor:
    """(B, J, F) raw features (GeV) and (B, J) mask -> (B, J, J, 2): pair mass / 100 GeV and angular distance.

    The angular distance is sqrt(2 (cosh d_eta - cos d_phi)), which equals Delta R for small separations and
    the massless pair mass over sqrt(pt_j pt_k) in general. Padded vectors are zeroed first, so every entry is
    finite; the values on padded pairs are meaningless and masked by the attention.
    """
    pt_index, eta_index, sin_index, cos_index, mass_index = columns
    real = mask.unsqueeze(-1)
    features = features.masked_fill(~real, 0.0)
    pt = features[..., pt_index].clamp(min=0.0)
    eta = features[..., eta_index].clamp(-MAX_ABS_ETA, MAX_ABS_ETA)
    sinphi, cosphi = features[..., sin_index], features[..., cos_index]
    mass = features[..., mass_index].clamp(min=0.0) if mass_index is not None else torch.zeros_like(pt)
    cosh_eta, sinh_eta = _cosh_sinh(eta)
    px, py, pz = pt * cosphi, pt * sinphi, pt * sinh_eta
    energy = torch.sqrt(mass.square() + (pt * cosh_eta).square())

    def pair_sum(component: Tensor) -> Tensor:
        return component.unsqueeze(2) + component.unsqueeze(1)

    mass_squared = pair_sum(energy).square() - pair_sum(px).square() - pair_sum(py).square() - pair_sum(pz).square()
    pair_mass = torch.sqrt(mass_squared.clamp(min=1e-6))
    cos_delta_phi = cosphi.unsqueeze(2) * cosphi.unsqueeze(1) + sinphi.unsqueeze(2) * sinphi.unsqueeze(1)
    cosh_delta_eta = _cosh_sinh(eta.unsqueeze(2) - eta.unsqueeze(1))[0]
    angular = torch.sqrt((2.0 * (cosh_delta_eta - cos_delta_phi)).clamp(min=1e-6))
    return torch.stack([pair_mass / MASS_SCALE_GEV, angular], dim=-1)


class PairwiseScore(nn.Module):
    """Small MLP mapping each pair's kinematics (B, J, J, 2) to an additive attention score (B, J, J)."""

    def __init__(self, hidden: int, n_features: int = 2) -> None:
        super().__init__()
        self.network = nn.Sequential(
            nn.Linear(n_features, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, 1)
        )

    def forward(self, pair_features: Tensor) -> Tensor:
        return self.network(pair_features).squeeze(-1)
