"""Small building blocks: the per-input embedding MLP, residual blocks, output heads and transformer stacks."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from multihiggs.spanet.options import SpanetOptions


def dropout(x: Tensor, probability: float, training: bool) -> Tensor:
    """Inverted dropout drawing uniform numbers, which is several times cheaper on the CPU than ``bernoulli_``."""
    if not training or probability == 0.0:
        return x
    keep = (torch.rand_like(x) >= probability).to(x.dtype).mul_(1.0 / (1.0 - probability))
    return x * keep


class Dropout(nn.Module):
    """Module form of :func:`dropout`."""

    def __init__(self, probability: float) -> None:
        super().__init__()
        self.probability = probability

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.probability, self.training)


def embedding_widths(initial_dim: int, hidden_dim: int, max_layers: int) -> list[int]:
    """Widths of the embedding layers: ``initial_dim`` doubling up to ``hidden_dim`` (at most ``max_layers``,
    the last one always ``hidden_dim``)."""
    widths = []
    width = min(initial_dim, hidden_dim)
    while len(widths) < max(max_layers, 1) - 1 and width < hidden_dim:
        widths.append(width)
        width = min(2 * width, hidden_dim)
    return [*widths, hidden_dim]


class VectorEmbedding(nn.Module):
    """Per-input MLP (Linear, LayerNorm, GELU per layer) mapping (..., F) features to (..., hidden_dim); with
    ``dropout`` > 0 each layer's output is dropped out while training (option reference_embedding_dropout)."""

    def __init__(self, n_features: int, widths: list[int], skip_connections: bool, dropout: float = 0.0) -> None:
        super().__init__()
        layers = []
        previous = n_features
        for width in widths:
            layers.append(_EmbeddingLayer(previous, width, skip_connections and previous == width, dropout))
            previous = width
        self.layers = nn.Sequential(*layers)

    def forward(self, features: Tensor) -> Tensor:
        return self.layers(features)


class _EmbeddingLayer(nn.Module):
    def __init__(self, in_dim: int, out_dim: int, residual: bool, dropout: float) -> None:
        super().__init__()
        self.linear = nn.Linear(in_dim, out_dim)
        self.norm = nn.LayerNorm(out_dim)
        self.activation = nn.GELU()
        self.residual = residual
        self.dropout = Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        output = self.activation(self.norm(self.linear(x)))
        return self.dropout(x + output if self.residual else output)


class ResidualBlock(nn.Module):
    """Pre-norm residual block x + Dropout(GELU(Linear(LayerNorm(x)))) on (..., D) tokens."""

    def __init__(self, dim: int, dropout: float, residual: bool = True) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.linear = nn.Linear(dim, dim)
        self.activation = nn.GELU()
        self.dropout = Dropout(dropout)
        self.residual = residual

    def forward(self, x: Tensor) -> Tensor:
        output = self.dropout(self.activation(self.linear(self.norm(x))))
        return x + output if self.residual else output


class GatedLinearBlock(nn.Module):
    """GRU-gated expansion block (linear_block_type GRU, as the reference's GRU block) on (..., D) tokens.

    y = Dropout(GELU(Linear(Dropout(GELU(Linear(LayerNorm(x))))))) through a D -> ``expansion``·D -> D bottleneck,
    then the :class:`GatedResidual` gate against x (whose bias starts the block near the identity map). Without
    ``residual`` the gate is skipped and y is returned.
    """

    def __init__(self, dim: int, expansion: float, dropout: float, residual: bool = True) -> None:
        super().__init__()
        width = round(expansion * dim)
        self.norm = nn.LayerNorm(dim)
        self.expand = nn.Linear(dim, width)
        self.contract = nn.Linear(width, dim)
        self.activation = nn.GELU()
        self.dropout = Dropout(dropout)
        self.gate = GatedResidual(dim) if residual else None

    def forward(self, x: Tensor) -> Tensor:
        hidden = self.dropout(self.activation(self.expand(self.norm(x))))
        output = self.dropout(self.activation(self.contract(hidden)))
        return output if self.gate is None else self.gate(output, x)


def linear_block(kind: str, dim: int, expansion: float, dropout: float, residual: bool) -> nn.Module:
    """One block of an MLP stack: ``kind`` "gru" gives :class:`GatedLinearBlock`, "residual" :class:`ResidualBlock`."""
    if kind == "gru":
        return GatedLinearBlock(dim, expansion, dropout, residual)
    if kind == "residual":
        return ResidualBlock(dim, dropout, residual)
    raise ValueError(f"unknown linear block kind {kind!r} (expected 'gru' or 'residual')")


class OutputHead(nn.Module):
    """MLP head: ``n_hidden`` (LayerNorm, Linear, GELU) layers then a Linear to ``n_outputs`` logits."""

    def __init__(self, dim: int, n_outputs: int, n_hidden: int, dropout: float) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        for _ in range(n_hidden):
            layers += [nn.LayerNorm(dim), nn.Linear(dim, dim), nn.GELU(), Dropout(dropout)]
        layers += [nn.LayerNorm(dim), nn.Linear(dim, n_outputs)]
        self.layers = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        """(..., D) -> (..., n_outputs) logits."""
        return self.layers(x)


class GatedResidual(nn.Module):
    """GRU-type gated residual connection of the gated transformer (GTrXL, Parisotto et al. 2019).

    With y the sublayer output and x the residual stream (both (…, D)):
    r = σ(W_r y + U_r x), z = σ(W_z y + U_z x − b), h = tanh(W_h y + U_h (r ⊙ x)), output (1 − z) ⊙ x + z ⊙ h.
    The gate bias b starts at ``gate_bias`` (z ≈ 0.12 for 2), so a new layer starts close to the identity map.
    """

    def __init__(self, dim: int, gate_bias: float = 2.0) -> None:
        super().__init__()
        self.from_update = nn.Linear(dim, 3 * dim)  # W_r, W_z, W_h (with biases)
        self.from_residual = nn.Linear(dim, 2 * dim, bias=False)  # U_r, U_z
        self.candidate_residual = nn.Linear(dim, dim, bias=False)  # U_h
        self.gate_bias = nn.Parameter(torch.full((dim,), gate_bias))

    def forward(self, update: Tensor, residual: Tensor) -> Tensor:
        reset_update, gate_update, candidate_update = self.from_update(update).chunk(3, dim=-1)
        reset_residual, gate_residual = self.from_residual(residual).chunk(2, dim=-1)
        reset = torch.sigmoid(reset_update + reset_residual)
        gate = torch.sigmoid(gate_update + gate_residual - self.gate_bias)
        candidate = torch.tanh(candidate_update + self.candidate_residual(reset * residual))
        return residual + gate * (candidate - residual)


class TransformerLayer(nn.Module):
    """Pre-norm transformer encoder layer without positional encoding.

    x + Dropout(SelfAttention(LayerNorm(x))), then x + Dropout(FeedForward(LayerNorm(x))). Dropout acts on the
    two residual branches only, which keeps the CPU cost low; ``inner_dropout`` > 0 (option
    reference_transformer_dropout) drops the attention weights and the feed-forward hidden activations too, as
    PyTorch's encoder layer does. With ``gated`` the two additions are :class:`GatedResidual` connections instead (the
    gated transformer, option transformer_type Gated).
    """

    def __init__(
        self,
        dim: int,
        n_heads: int,
        feedforward_dim: int,
        dropout: float,
        activation: str,
        gated: bool = False,
        inner_dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.dropout = dropout
        self.inner_dropout = inner_dropout
        self.attention_norm = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.attention_output = nn.Linear(dim, dim)
        self.feedforward_norm = nn.LayerNorm(dim)
        self.feedforward_in = nn.Linear(dim, feedforward_dim)
        self.activation = nn.GELU() if activation == "gelu" else nn.ReLU()
        self.feedforward_out = nn.Linear(feedforward_dim, dim)
        self.attention_gate = GatedResidual(dim) if gated else None
        self.feedforward_gate = GatedResidual(dim) if gated else None

    def _combine(self, gate: GatedResidual | None, update: Tensor, residual: Tensor) -> Tensor:
        update = dropout(update, self.dropout, self.training)
        return residual + update if gate is None else gate(update, residual)

    def forward(self, x: Tensor, key_bias: Tensor | None) -> Tensor:
        """(B, T, D) tokens and (B, 1, 1, T) additive key bias (0 for real keys, -inf for padding; None when no
        token is padding) -> (B, T, D)."""
        batch, length, dim = x.shape
        query, key, value = (
            part.reshape(batch, length, self.n_heads, dim // self.n_heads).transpose(1, 2)  # (B, heads, T, D/heads)
            for part in self.qkv(self.attention_norm(x)).chunk(3, dim=-1)
        )
        # An additive float mask takes a faster CPU kernel than a boolean one for these short sequences.
        attention_mask = None if key_bias is None else key_bias.to(query.dtype)
        inner_dropout = self.inner_dropout if self.training else 0.0
        attended = F.scaled_dot_product_attention(query, key, value, attn_mask=attention_mask, dropout_p=inner_dropout)
        attended = attended.transpose(1, 2).reshape(batch, length, dim)
        x = self._combine(self.attention_gate, self.attention_output(attended), x)
        hidden = self.activation(self.feedforward_in(self.feedforward_norm(x)))
        hidden = dropout(hidden, inner_dropout, self.training)
        return self._combine(self.feedforward_gate, self.feedforward_out(hidden), x)


class TransformerStack(nn.Module):
    """Stack of :class:`TransformerLayer` (``gated``: with gated residuals) and a final LayerNorm over (B, T, D).

    No positional encoding is added, so the output is equivariant under any reordering of the tokens.
    Every query must see at least one real key (the network always keeps a context token unmasked). A batch
    without padding skips the attention mask (the unmasked attention kernel is about 1.5x faster on the CPU).
    """

    def __init__(
        self,
        dim: int,
        n_heads: int,
        feedforward_dim: int,
        n_layers: int,
        dropout: float,
        activation: str,
        gated: bool = False,
        inner_dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            TransformerLayer(dim, n_heads, feedforward_dim, dropout, activation, gated, inner_dropout)
            for _ in range(n_layers)
        )
        self.norm = nn.LayerNorm(dim) if n_layers > 0 else nn.Identity()

    @classmethod
    def from_options(cls, options: SpanetOptions, n_layers: int) -> TransformerStack:
        """``n_layers`` layers of hidden_dim tokens with the heads, feed-forward width, dropout, activation and
        transformer type of ``options``."""
        return cls(
            options.hidden_dim,
            options.num_attention_heads,
            round(options.transformer_dim_scale * options.hidden_dim),
            n_layers,
            options.dropout,
            options.transformer_activation,
            gated=options.gated_transformer,
            inner_dropout=options.dropout if options.reference_transformer_dropout else 0.0,
        )

    def forward(self, tokens: Tensor, padding_mask: Tensor) -> Tensor:
        """(B, T, D) tokens, (B, T) bool padding mask (True = padding) -> (B, T, D), zero at padding."""
        if not self.layers:
            return tokens
        key_bias = None
        if _traced() or bool(padding_mask.any()):
            key_bias = torch.zeros(padding_mask.shape, dtype=tokens.dtype, device=tokens.device)
            key_bias = key_bias.masked_fill(padding_mask, -math.inf)[:, None, None, :]
        for layer in self.layers:
            tokens = layer(tokens, key_bias)
        return self.norm(tokens).masked_fill(padding_mask.unsqueeze(-1), 0.0)


def _traced() -> bool:
    """True while the network is traced (ONNX export): the graph must keep the padding mask for every input."""
    return torch.jit.is_tracing() or torch.onnx.is_in_onnx_export()
