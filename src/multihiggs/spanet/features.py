"""Feature preprocessing shared by the data statistics and the network's input normaliser."""

from __future__ import annotations

import torch
from torch import Tensor


def log_transform(features: Tensor, log_mask: Tensor) -> Tensor:
    """Apply log(1 + x) (x clamped at 0) to the features flagged in ``log_mask``.

    Args:
        features: (..., F) raw features (GeV for momenta and masses).
        log_mask: (F,) bool, True for ``log`` / ``log_normalize`` features.
    """
    return torch.where(log_mask, torch.log1p(features.clamp(min=0.0)), features)
