"""Input normalisation inside the network, so a checkpoint or ONNX file takes raw features."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from multihiggs.spanet.features import log_transform


class FeatureNormalizer(nn.Module):
    """log(1 + x) on the flagged features, then (x - mean) / std with training-set statistics (buffers)."""

    def __init__(self, log_mask: Tensor) -> None:
        super().__init__()
        n_features = int(log_mask.shape[0])
        self.register_buffer("log_mask", log_mask.to(torch.bool).clone())
        self.register_buffer("mean", torch.zeros(n_features))
        self.register_buffer("std", torch.ones(n_features))

    def set_statistics(self, mean: Tensor, std: Tensor) -> None:
        """Store the (F,) location and scale of the log-transformed features."""
        if mean.shape != self.mean.shape or std.shape != self.std.shape:
            raise ValueError(f"statistics must have shape {tuple(self.mean.shape)}, got {tuple(mean.shape)}")
        self.mean.copy_(mean)
        self.std.copy_(std)

    def forward(self, features: Tensor) -> Tensor:
        """(..., F) raw features -> (..., F) normalised features."""
        return (log_transform(features, self.log_mask) - self.mean) / self.std
