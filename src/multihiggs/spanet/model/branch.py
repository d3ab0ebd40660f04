"""One particle's branch: its own encoder over the event context and its input's vectors, tensor attention
for the assignment distribution, and a detection head."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from multihiggs.spanet.event_info import ParticleInfo
from multihiggs.spanet.model.attention import SymmetricTensorAttention
from multihiggs.spanet.model.layers import OutputHead, TransformerStack, linear_block
from multihiggs.spanet.model.pairwise import PairwiseScore
from multihiggs.spanet.options import SpanetOptions


class ParticleBranch(nn.Module):
    """Branch of one event particle (its own weights, as in the reference SPANet).

    The branch sees the context tokens (event token and global inputs, already mixed with every vector by the
    central encoder) followed by the vectors of the particle's input. Its event-token output is the particle
    vector that feeds the detection head. Each daughter then has its own small encoder
    (``num_jet_embedding_layers`` blocks, ``num_jet_encoder_layers`` transformer layers) before the tensor
    attention, as in the reference's split attention.
    """

    def __init__(self, particle: ParticleInfo, options: SpanetOptions) -> None:
        super().__init__()
        dim = options.hidden_dim
        self.encoder = StackedEncoder(options, options.num_branch_embedding_layers, options.num_branch_encoder_layers)
        has_daughter_encoders = options.num_jet_embedding_layers + options.num_jet_encoder_layers > 0
        self.daughter_encoders = nn.ModuleList(
            StackedEncoder(options, options.num_jet_embedding_layers, options.num_jet_encoder_layers)
            for _ in range(particle.n_daughters if has_daughter_encoders else 0)
        )
        self.attention = SymmetricTensorAttention(
            dim,
            options.transformer_dim,
            particle.n_daughters,
            particle.symmetric,
            reference_scaling=options.reference_tensor_attention,
        )
        self.detector = OutputHead(dim, 1, options.num_detector_layers, options.dropout)
        self.uses_pair_features = options.pairwise_attention_features and particle.n_daughters == 2
        self.pair_score = PairwiseScore(dim) if self.uses_pair_features else None

    def forward(
        self, context: Tensor, vectors: Tensor, mask: Tensor, pair_features: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """Args: context (B, C, D) tokens, vectors (B, J, D) of the particle's input, mask (B, J) bool,
        pair_features (B, J, J, 2) of the input (used when the branch scores pairs with them).

        Returns: assignment log-probabilities (B, J) or (B, J, J), and detection logits (B,).
        """
        n_context = context.shape[1]
        context_padding = torch.zeros(mask.shape[0], n_context, dtype=torch.bool, device=mask.device)
        padding = torch.cat([context_padding, ~mask], dim=1)
        encoded = self.encoder(torch.cat([context, vectors], dim=1), padding)
        daughter_vectors = [encoder(encoded, padding)[:, n_context:] for encoder in self.daughter_encoders]
        if not daughter_vectors:
            daughter_vectors = [encoded[:, n_context:]] * self.attention.n_daughters
        pair_scores = None
        if self.pair_score is not None:
            if pair_features is None:
                raise ValueError("this branch scores pairs with their kinematics: pass pair_features")
            pair_scores = self.pair_score(pair_features)
        log_probs = self.attention(daughter_vectors, mask, pair_scores)
        return log_probs, self.detector(encoded[:, 0]).squeeze(-1)


class StackedEncoder(nn.Module):
    """MLP blocks (residual or GRU-gated, option linear_block_type) followed by transformer layers over (B, T, D)
    tokens."""

    def __init__(self, options: SpanetOptions, n_blocks: int, n_layers: int) -> None:
        super().__init__()
        dim = options.hidden_dim
        kind, expansion = options.linear_block_kind, options.transformer_dim_scale
        self.blocks = nn.Sequential(
            *(linear_block(kind, dim, expansion, options.dropout, options.skip_connections) for _ in range(n_blocks))
        )
        self.transformer = TransformerStack.from_options(options, n_layers)

    def forward(self, tokens: Tensor, padding_mask: Tensor) -> Tensor:
        """(B, T, D) tokens and (B, T) bool padding mask -> (B, T, D)."""
        return self.transformer(self.blocks(tokens), padding_mask)
