"""Patches of the reference SPANet (pip ``spanet`` 2.1.1) for the reverse ablation: which of its choices cost purity.

Python imports this module at start-up when its directory is on PYTHONPATH (``spanet_architecture_ablation.py
--reference-patch`` puts it there for the reference's training and prediction). ``MULTIHIGGS_REFERENCE_PATCHES``
names the patches, comma-separated:

- ``embedding``: the reference's input embedding replaced by ours: per layer Linear, LayerNorm, GELU, widths
  ``initial_embedding_dim`` doubling up to ``hidden_dim`` (no residual blocks, no dropout), and neither the
  per-input position embedding (a learned vector concatenated to every jet) nor the final embedding layer.
- ``embedding_stack``: only the layers replaced; position embedding and final embedding layer kept.
- ``final_norm``: a LayerNorm after every NormFirst transformer stack, as ours has.

Without the variable, or in an interpreter without ``spanet`` (our own venv), nothing is changed.
"""

from __future__ import annotations

import importlib.util
import os
import sys

PATCHES_VARIABLE = "MULTIHIGGS_REFERENCE_PATCHES"
KNOWN_PATCHES = ("embedding", "embedding_stack", "final_norm")


def requested_patches() -> list[str]:
    """Patch names from the environment; an unknown name stops the interpreter with a message naming it."""
    names = [name.strip() for name in os.environ.get(PATCHES_VARIABLE, "").split(",") if name.strip()]
    unknown = [name for name in names if name not in KNOWN_PATCHES]
    if unknown:
        raise SystemExit(f"{PATCHES_VARIABLE}: unknown patch(es) {unknown} (known: {list(KNOWN_PATCHES)})")
    return names


def apply(names: list[str]) -> None:
    """Patch the reference's classes in place (before any network is built)."""
    from spanet.network.layers.embedding.multi_input_vector_embedding import MultiInputVectorEmbedding
    from spanet.network.layers.embedding.position_embedding import PositionEmbedding
    from spanet.network.layers.embedding_stack import EmbeddingStack
    from spanet.network.layers.transformer.norm_first_transformer import NormFirstTransformer
    from torch import nn

    class EmbeddingLayer(nn.Module):
        """Linear, LayerNorm, GELU on (T, B, I) vectors; padding zeroed."""

        def __init__(self, input_dim: int, output_dim: int) -> None:
            super().__init__()
            self.linear = nn.Linear(input_dim, output_dim)
            self.norm = nn.LayerNorm(output_dim)
            self.activation = nn.GELU()

        def forward(self, vectors, sequence_mask):
            return self.activation(self.norm(self.linear(vectors))) * sequence_mask

    class PassThrough(nn.Module):
        def forward(self, vectors, sequence_mask):
            return vectors

    def embedding_layers(options, input_dim: int) -> list[nn.Module]:
        widths = [options.initial_embedding_dim]
        while 2 * widths[-1] < options.hidden_dim and len(widths) <= options.num_embedding_layers:
            widths.append(2 * widths[-1])
        widths.append(options.hidden_dim)
        return [EmbeddingLayer(a, b) for a, b in zip([input_dim, *widths[:-1]], widths, strict=True)]

    if "embedding" in names or "embedding_stack" in names:
        EmbeddingStack.create_embedding_layers = staticmethod(embedding_layers)
    if "embedding" in names:
        PositionEmbedding.forward = lambda self, current_embeddings: current_embeddings
        original_init = MultiInputVectorEmbedding.__init__

        def init_without_final_layer(self, options, training_dataset):
            original_init(self, options, training_dataset)
            self.final_embedding_layer = PassThrough()

        MultiInputVectorEmbedding.__init__ = init_without_final_layer
    if "final_norm" in names:
        original_transformer_init = NormFirstTransformer.__init__

        def init_with_final_norm(self, options, num_layers):
            original_transformer_init(self, options, num_layers)
            self.transformer.norm = nn.LayerNorm(self.hidden_dim)

        NormFirstTransformer.__init__ = init_with_final_norm
    print(f"reference patched: {', '.join(names)}", file=sys.stderr, flush=True)  # stdout may be parsed


_names = requested_patches()
if _names and importlib.util.find_spec("spanet") is not None:
    apply(_names)
