"""The SPA-Net network: embeddings, central transformer, one branch per particle, classification heads."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor, nn

from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.model.branch import ParticleBranch
from multihiggs.spanet.model.layers import OutputHead, TransformerStack, VectorEmbedding, embedding_widths
from multihiggs.spanet.model.normalizer import FeatureNormalizer
from multihiggs.spanet.model.pairwise import four_vector_columns, pair_kinematics
from multihiggs.spanet.options import SpanetOptions


class NetworkOutputs(NamedTuple):
    """Raw network outputs for B events and P particles (in event-file order).

    assignment_log_probs: per particle, (B, J) or (B, J, J) log-probabilities over tuples of its input's
        vectors (-inf on padding and on the diagonal).
    detection_logits: (B, P) logit that each particle is reconstructable.
    classification_logits: classification name -> (B, n_classes) logits.
    """

    assignment_log_probs: list[Tensor]
    detection_logits: Tensor
    classification_logits: dict[str, Tensor]


class SpanetNetwork(nn.Module):
    """Symmetry-preserving attention network for one event topology. Pure module: never reads files.

    Tokens: a learned event token, one token per global input, then every vector of every sequential input
    (each input embedded by its own MLP plus a learned input-type embedding). No positional encoding is used,
    so permuting the vectors of an input permutes the assignment distributions in the same way.
    """

    def __init__(self, event_info: EventInfo, options: SpanetOptions, class_counts: dict[str, int]) -> None:
        super().__init__()
        dim = options.hidden_dim
        missing = [name for name in event_info.classifications if name not in class_counts]
        if missing:
            raise ValueError(f"class counts missing for classification target(s) {missing}")
        self.sequential_names = list(event_info.sequential_inputs)
        self.global_names = list(event_info.global_inputs)
        self.particle_sources = [particle.source for particle in event_info.particles]
        inputs = {**event_info.global_inputs, **event_info.sequential_inputs}
        self.input_index = {name: index for index, name in enumerate(inputs)}  # row of input_type_embedding
        embedding_dropout = options.dropout if options.reference_embedding_dropout else 0.0
        skip_connections = options.initial_embedding_skip_connections
        widths = embedding_widths(options.initial_embedding_dim, dim, options.num_embedding_layers)
        self.normalizers = nn.ModuleDict(
            {
                name: FeatureNormalizer(torch.tensor([feature.log_scale for feature in features]))
                for name, features in inputs.items()
            }
        )
        self.embeddings = nn.ModuleDict(
            {
                name: VectorEmbedding(len(features), widths, skip_connections, embedding_dropout)
                for name, features in inputs.items()
            }
        )
        self.input_type_embedding = nn.Parameter(0.02 * torch.randn(len(inputs), dim))
        self.event_token = nn.Parameter(0.02 * torch.randn(dim))
        self.encoder = TransformerStack.from_options(options, options.num_encoder_layers)
        self.branches = nn.ModuleList(ParticleBranch(particle, options) for particle in event_info.particles)
        # Sources whose jet pairs are scored with their kinematics -> (pt, eta, sinphi, cosphi, mass) columns.
        self.pair_columns = {
            particle.source: four_vector_columns([feature.name for feature in inputs[particle.source]])
            for particle, branch in zip(event_info.particles, self.branches, strict=True)
            if branch.uses_pair_features
        }
        self.classifiers = nn.ModuleDict(
            {
                name: OutputHead(dim, class_counts[name], options.num_classification_layers, options.dropout)
                for name in event_info.classifications
            }
        )

    def set_normalization(self, mean: dict[str, Tensor], std: dict[str, Tensor]) -> None:
        """Store the training-set feature statistics (input name -> (F,) tensors)."""
        for name, normalizer in self.normalizers.items():
            normalizer.set_statistics(mean[name], std[name])

    def forward(
        self, features: dict[str, Tensor], masks: dict[str, Tensor], global_features: dict[str, Tensor]
    ) -> NetworkOutputs:
        """Args: features name -> (B, V, F) raw; masks name -> (B, V) bool; global_features name -> (B, F)."""
        first_mask = masks[self.sequential_names[0]]
        batch = first_mask.shape[0]
        tokens = [self.event_token.expand(batch, 1, -1)]
        for name in self.global_names:
            embedded = self.embeddings[name](self.normalizers[name](global_features[name]))
            tokens.append((embedded + self.input_type_embedding[self.input_index[name]]).unsqueeze(1))
        n_context = len(tokens)
        padding = [torch.zeros(batch, n_context, dtype=torch.bool, device=first_mask.device)]
        for name in self.sequential_names:
            normalized = self.normalizers[name](features[name]).masked_fill(~masks[name].unsqueeze(-1), 0.0)
            tokens.append(self.embeddings[name](normalized) + self.input_type_embedding[self.input_index[name]])
            padding.append(~masks[name])
        encoded = self.encoder(torch.cat(tokens, dim=1), torch.cat(padding, dim=1))

        context = encoded[:, :n_context]
        vectors, start = {}, n_context
        for name in self.sequential_names:
            length = masks[name].shape[1]
            vectors[name] = encoded[:, start : start + length]
            start += length

        pair_features = {
            source: pair_kinematics(features[source], masks[source], columns)
            for source, columns in self.pair_columns.items()
        }
        assignment_log_probs, detection_logits = [], []
        for branch, source in zip(self.branches, self.particle_sources, strict=True):
            log_probs, detection = branch(context, vectors[source], masks[source], pair_features.get(source))
            assignment_log_probs.append(log_probs)
            detection_logits.append(detection)
        classification_logits = {name: head(encoded[:, 0]) for name, head in self.classifiers.items()}
        return NetworkOutputs(assignment_log_probs, torch.stack(detection_logits, dim=1), classification_logits)
