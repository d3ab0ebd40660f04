"""Symmetric SPA-Net loss: L = a0 L_assign + a1 L_detect + a2 L_class.

For every event and every element sigma of the event permutation group (which moves each h_i together with
its bh_i), particle p is scored against the target of particle sigma(p):

    L_sigma = a0 * b * sum_p m_sigma(p) w_sigma(p) CE(P_p, T_sigma(p))  +  a1 * sum_p BCE(D_p, m_sigma(p))

with m the reconstructable mask (partial events: missing targets contribute nothing), w the per-target weights
(flat-mass variant), b the class-balance weight of the event. The event loss combines the L_sigma with
``combine_pair_loss`` (min by default), is multiplied by the event weight, and is averaged over the batch.
CE is taken on the unordered tuple: for a symmetric pair the target probability is P[j, k] + P[k, j].

With ``per_target_mean`` (option reference_loss_normalisation) the terms are normalised as the reference
does instead: each particle's assignment and detection terms, taken in the chosen permutation and summed over the
batch, are divided by that particle's number of targets in the batch (after the permutation; at least 1, where the
reference gives 0/0), and the total is the mean of these 2P numbers. A rarely filled slot (the third Higgs, or the
slot the permutation leaves empty) then has its detection term - summed over every event - scaled up by the batch
size over its few targets.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from multihiggs.spanet.data import EventTensors
from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.model import NetworkOutputs


@dataclass(frozen=True)
class LossScales:
    """Weights of the loss terms and how the permutations are combined (reference option names)."""

    assignment: float = 1.0
    detection: float = 0.0
    classification: float = 0.0
    combine: str = "min"  # min, softmin or mean over the event permutation group
    focal_gamma: float = 0.0
    per_target_mean: bool = False  # the reference's normalisation: per particle, divided by its target count


@dataclass(frozen=True)
class LossTerms:
    """Batch-mean loss terms (scalars) and the chosen permutation index of every event (B,)."""

    total: Tensor
    assignment: Tensor
    detection: Tensor
    classification: Tensor
    best_permutation: Tensor

    def detached(self) -> LossTerms:
        """The same terms cut from the autograd graph (for logging)."""
        return LossTerms(*(getattr(self, field.name).detach() for field in dataclasses.fields(self)))


class SymmetricLoss:
    """Loss for one event topology; holds the permutation group as index tensors."""

    def __init__(self, event_info: EventInfo, scales: LossScales) -> None:
        if scales.combine not in ("min", "softmin", "mean"):
            raise ValueError(f"combine must be 'min', 'softmin' or 'mean', got {scales.combine!r}")
        self.scales = scales
        self.permutations = torch.tensor(event_info.event_group, dtype=torch.int64)  # (S, P)
        self.log_multiplicity = torch.tensor(
            [math.log(len(particle.daughter_group)) for particle in event_info.particles]
        )
        self.n_daughters = [particle.n_daughters for particle in event_info.particles]
        structure = [(particle.n_daughters, particle.source) for particle in event_info.particles]
        self.compatible = torch.tensor([[first == second for second in structure] for first in structure])

    def __call__(
        self,
        outputs: NetworkOutputs,
        batch: EventTensors,
        class_weights: dict[str, Tensor] | None = None,
    ) -> LossTerms:
        permutations = self.permutations.to(batch.targets.device)
        cross_entropy = self._cross_entropy_matrix(outputs.assignment_log_probs, batch.targets)  # (B, P, P)
        n_particles = permutations.shape[1]
        particle_index = torch.arange(n_particles, device=permutations.device)
        # permuted[b, s, p] = value for particle p scored against the target of particle sigma_s(p)
        permuted_ce = cross_entropy[:, particle_index, permutations]  # (B, S, P)
        permuted_masks = batch.target_masks[:, permutations]  # (B, S, P)
        permuted_weights = batch.target_weights[:, permutations]
        masked_ce = torch.where(permuted_masks, permuted_ce, torch.zeros_like(permuted_ce))
        particle_assignment = masked_ce * permuted_weights * batch.balance_weights[:, None, None]  # (B, S, P)
        assignment = particle_assignment.sum(dim=2)  # (B, S)

        detection_logits = outputs.detection_logits.unsqueeze(1).expand_as(permuted_ce)
        particle_detection = F.binary_cross_entropy_with_logits(
            detection_logits, permuted_masks.to(detection_logits.dtype), reduction="none"
        )  # (B, S, P)
        detection = particle_detection.sum(dim=2)  # (B, S)

        per_permutation = self.scales.assignment * assignment + self.scales.detection * detection
        best = per_permutation.argmin(dim=1)
        event_weights = batch.event_weights
        classification = self._classification(outputs, batch, class_weights)
        if self.scales.per_target_mean:
            particle_terms = self.scales.assignment * particle_assignment, self.scales.detection * particle_detection
            reconstruction = self._per_target_mean(per_permutation, best, particle_terms, permuted_masks, event_weights)
        else:
            reconstruction = (self._combine(per_permutation, best) * event_weights).mean()
        total = reconstruction + self.scales.classification * classification
        chosen = best.unsqueeze(1)
        return LossTerms(
            total=total,
            assignment=(assignment.gather(1, chosen).squeeze(1) * event_weights).mean().detach(),
            detection=(detection.gather(1, chosen).squeeze(1) * event_weights).mean().detach(),
            classification=classification.detach(),
            best_permutation=best,
        )

    def _cross_entropy_matrix(self, log_probs: list[Tensor], targets: Tensor) -> Tensor:
        """(B, P, P): CE of particle p's distribution at the target tuple of particle q; 0 where q has no
        target (masked by the caller) and +inf where q decays differently from p (never in the group)."""
        batch = targets.shape[0]
        flat_targets = self._flat_target_indices(log_probs, targets)  # (B, P)
        compatible = self.compatible.to(targets.device)
        rows = []
        for particle, particle_log_probs in enumerate(log_probs):
            flat = particle_log_probs.reshape(batch, -1)
            has_target = (flat_targets >= 0) & compatible[particle]
            picked = flat.gather(1, torch.where(has_target, flat_targets, torch.zeros_like(flat_targets)))
            picked = picked + self.log_multiplicity[particle].to(flat.dtype)
            # Finite everywhere (no -inf from padding), and an unordered-tuple probability is at most one.
            picked = torch.where(has_target, picked, torch.zeros_like(picked)).clamp(max=0.0)
            ce = -picked
            if self.scales.focal_gamma > 0:
                ce = ce * (1.0 - picked.exp()).pow(self.scales.focal_gamma)
            rows.append(torch.where(compatible[particle], ce, torch.full_like(ce, math.inf)))
        return torch.stack(rows, dim=1)

    def _flat_target_indices(self, log_probs: list[Tensor], targets: Tensor) -> Tensor:
        """(B, P) index of each particle's target tuple in its flattened distribution (-1 if missing)."""
        columns = []
        for particle, particle_log_probs in enumerate(log_probs):
            first = targets[:, particle, 0]
            if self.n_daughters[particle] == 1:
                columns.append(first)
                continue
            second = targets[:, particle, 1]
            n_vectors = particle_log_probs.shape[-1]
            flat = first * n_vectors + second
            columns.append(torch.where((first >= 0) & (second >= 0), flat, torch.full_like(flat, -1)))
        return torch.stack(columns, dim=1)

    def _permutation_weights(self, per_permutation: Tensor, best: Tensor) -> Tensor:
        """(B, S) weights of the permutations in the combined loss (``combine_pair_loss``); ``best`` (B,) is the
        index of each event's smallest term."""
        if self.scales.combine == "min":
            return F.one_hot(best, per_permutation.shape[1]).to(per_permutation.dtype)
        if self.scales.combine == "softmin":
            return torch.softmax(-per_permutation, dim=1)
        return torch.full_like(per_permutation, 1.0 / per_permutation.shape[1])

    def _per_target_mean(
        self,
        per_permutation: Tensor,
        best: Tensor,
        particle_terms: tuple[Tensor, Tensor],
        permuted_masks: Tensor,
        event_weights: Tensor,
    ) -> Tensor:
        """The reference's normalisation: per particle, the batch sum of its combined (B, S, P) terms divided by
        its target count in the chosen permutation; the mean over particles and the two terms."""
        weights = self._permutation_weights(per_permutation, best).unsqueeze(2)  # (B, S, 1)
        chosen_masks = permuted_masks[torch.arange(len(best), device=best.device), best]  # (B, P)
        n_targets = chosen_masks.sum(dim=0).clamp(min=1).to(per_permutation.dtype)  # (P,)
        per_particle = [
            ((weights * terms).sum(dim=1) * event_weights.unsqueeze(1)).sum(dim=0) / n_targets
            for terms in particle_terms
        ]
        return torch.cat(per_particle).mean()

    def _combine(self, per_permutation: Tensor, best: Tensor) -> Tensor:
        """(B,) event loss: the permutation terms weighted as ``combine_pair_loss`` says."""
        return (self._permutation_weights(per_permutation, best) * per_permutation).sum(dim=1)

    def _classification(
        self, outputs: NetworkOutputs, batch: EventTensors, class_weights: dict[str, Tensor] | None
    ) -> Tensor:
        total = batch.event_weights.new_zeros(())
        for name, logits in outputs.classification_logits.items():
            labels = batch.class_labels[name]
            weight = None if class_weights is None else class_weights.get(name)
            per_event = F.cross_entropy(
                logits,
                labels.clamp(min=0),
                weight=None if weight is None else weight.to(logits.dtype),
                reduction="none",
            )
            labelled = (labels >= 0).to(per_event.dtype)
            total = total + (per_event * labelled * batch.event_weights).sum() / labelled.sum().clamp(min=1)
        return total
