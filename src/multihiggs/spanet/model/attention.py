"""Symmetric tensor attention: the assignment distribution of one particle over tuples of input vectors."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


def masked_log_softmax(logits: Tensor, valid: Tensor) -> Tensor:
    """Log-softmax of (B, ...) ``logits`` over all trailing entries where ``valid``; -inf elsewhere.

    Invalid entries are filled with the most negative finite value before the softmax, so a row with no
    valid entry gives -inf everywhere instead of NaN (and finite gradients).
    """
    batch = logits.shape[0]
    filled = logits.masked_fill(~valid, torch.finfo(logits.dtype).min)
    log_probs = torch.log_softmax(filled.reshape(batch, -1), dim=1).reshape(logits.shape)
    return log_probs.masked_fill(~valid, -math.inf)


class SymmetricTensorAttention(nn.Module):
    """Scores every k-tuple (k = 1 or 2) of distinct real vectors and normalises them to a distribution.

    Daughter a reads its own encoding x^a of the vectors (the same tensor for all daughters when the branch has
    no per-daughter encoders). For k = 2: O_jk = (x^1_j W1) . (x^2_k W2) / sqrt(d), symmetrised as
    (O + O^T) / 2 when the daughters are interchangeable (the low-rank form of the reference's Theta tensor
    summed over the daughter permutation group), with the diagonal and padded vectors masked; the softmax runs
    over all remaining (j, k) entries, so the (B, J, J) output sums to one and a symmetric pair {j, k} has
    probability 2 P[j, k].
    For k = 1: a linear score per vector and a softmax over the real vectors.

    With ``reference_scaling`` the reference's choices instead (option reference_tensor_attention): the daughters
    are projected to ``dim`` itself (``projection_dim`` unused) with Xavier-uniform weights, and the scores are
    divided by dim^(k/2) (k = 2: by dim, not sqrt(d)), which starts the pair scores narrower.
    """

    def __init__(
        self, dim: int, projection_dim: int, n_daughters: int, symmetric: bool, reference_scaling: bool = False
    ) -> None:
        super().__init__()
        if n_daughters not in (1, 2):
            raise ValueError(f"tensor attention supports 1 or 2 daughters, got {n_daughters}")
        self.n_daughters = n_daughters
        self.symmetric = symmetric and n_daughters == 2
        if reference_scaling:
            projection_dim = dim
            self.scale = (1.0 / math.sqrt(dim)) ** n_daughters
        else:
            self.scale = 1.0 / math.sqrt(projection_dim) if n_daughters == 2 else 1.0
        if n_daughters == 1:
            self.score = nn.Linear(dim, 1)
        else:
            self.first = nn.Linear(dim, projection_dim)
            self.second = nn.Linear(dim, projection_dim)
            if reference_scaling:
                nn.init.xavier_uniform_(self.first.weight)
                nn.init.xavier_uniform_(self.second.weight)

    def forward(self, daughter_vectors: list[Tensor], mask: Tensor, pair_scores: Tensor | None = None) -> Tensor:
        """Per daughter (B, J, D) encoded vectors and the (B, J) bool mask -> log-probabilities (B, J) or
        (B, J, J). ``pair_scores`` (B, J, J), symmetric, is added to the two-daughter scores when given."""
        if self.n_daughters == 1:
            return masked_log_softmax(self.score(daughter_vectors[0]).squeeze(-1) * self.scale, mask)
        first, second = daughter_vectors
        scores = torch.matmul(self.first(first), self.second(second).transpose(1, 2)) * self.scale
        if self.symmetric:
            scores = 0.5 * (scores + scores.transpose(1, 2))
        if pair_scores is not None:
            scores = scores + pair_scores
        position = torch.arange(first.shape[1], device=first.device)
        distinct = position.unsqueeze(1) != position.unsqueeze(0)
        valid = mask.unsqueeze(2) & mask.unsqueeze(1) & distinct
        return masked_log_softmax(scores, valid)
