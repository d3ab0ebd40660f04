"""Symmetric loss: invariances under daughter swaps and Higgs relabelling, masking and weights."""

from __future__ import annotations

import pytest
import torch

from multihiggs.spanet.checkpoint import build_network
from multihiggs.spanet.data import compute_feature_statistics, read_events
from multihiggs.spanet.loss import LossScales, SymmetricLoss

SCALES = LossScales(assignment=1.0, detection=0.7)
REFERENCE_SCALES = LossScales(assignment=1.0, detection=0.7, per_target_mean=True)


@pytest.fixture
def outputs_and_events(hh_file, hh_event_info, tiny_options):
    torch.manual_seed(0)
    events = read_events(hh_file, hh_event_info, use_mass_weights=True).select(slice(0, 64))
    network = build_network(hh_event_info, tiny_options, {}, compute_feature_statistics(events, hh_event_info))
    return network(events.features, events.masks, events.global_features), events


def _per_event(loss, outputs, events):
    # The batch mean of single-event batches gives per-event losses.
    return torch.stack([loss(_select(outputs, i), events.select(slice(i, i + 1))).total for i in range(len(events))])


def _select(outputs, i):
    return type(outputs)([t[i : i + 1] for t in outputs.assignment_log_probs], outputs.detection_logits[i : i + 1], {})


@pytest.mark.parametrize("scales", [SCALES, REFERENCE_SCALES], ids=["per-event", "per-target"])
def test_swapping_daughters_leaves_the_loss_unchanged(outputs_and_events, hh_event_info, scales):
    outputs, events = outputs_and_events
    loss = SymmetricLoss(hh_event_info, scales)
    swapped = events.replace(targets=events.targets.clone())
    swapped.targets[:, :2] = events.targets[:, :2].flip(-1)
    torch.testing.assert_close(loss(outputs, swapped).total, loss(outputs, events).total)


@pytest.mark.parametrize("scales", [SCALES, REFERENCE_SCALES], ids=["per-event", "per-target"])
def test_relabelling_higgs_with_their_boosted_partners_leaves_the_loss_unchanged(
    outputs_and_events, hh_event_info, scales
):
    outputs, events = outputs_and_events
    loss = SymmetricLoss(hh_event_info, scales)
    order = torch.tensor([1, 0, 3, 2])  # h1 <-> h2 together with bh1 <-> bh2
    relabelled = events.replace(
        targets=events.targets[:, order],
        target_masks=events.target_masks[:, order],
        target_weights=events.target_weights[:, order],
    )
    torch.testing.assert_close(loss(outputs, relabelled).total, loss(outputs, events).total)
    # Relabelling only the resolved Higgs is not a symmetry of the event: some events must change.
    half = torch.tensor([1, 0, 2, 3])
    broken = events.replace(targets=events.targets[:, half], target_masks=events.target_masks[:, half])
    both = events.target_masks[:, :2].any(1) & events.target_masks[:, 2:].any(1)
    assert both.any()
    assert not torch.allclose(_per_event(loss, outputs, broken)[both], _per_event(loss, outputs, events)[both])


def test_loss_is_the_minimum_over_permutations(outputs_and_events, hh_event_info):
    outputs, events = outputs_and_events
    loss = SymmetricLoss(hh_event_info, LossScales(assignment=1.0, detection=0.0))
    terms = loss(outputs, events)
    log_probs = [t.detach() for t in outputs.assignment_log_probs]
    manual = []
    for event in range(len(events)):
        candidates = []
        for permutation in ([0, 1, 2, 3], [1, 0, 3, 2]):
            total = torch.tensor(0.0)
            for particle, target in enumerate(permutation):
                if not events.target_masks[event, target]:
                    continue
                first, second = events.targets[event, target].tolist()
                if particle < 2:  # unordered pair: P[j, k] + P[k, j]
                    probability = log_probs[particle][event, first, second].exp() * 2
                else:
                    probability = log_probs[particle][event, first].exp()
                total -= torch.log(probability) * events.target_weights[event, target]
            candidates.append(total)
        manual.append(min(candidates))
    assert terms.total.item() == pytest.approx(torch.stack(manual).mean().item(), rel=1e-5)


def test_unreconstructable_targets_do_not_contribute(outputs_and_events, hh_event_info):
    outputs, events = outputs_and_events
    loss = SymmetricLoss(hh_event_info, LossScales(assignment=1.0, detection=0.0))
    scrambled = events.replace(targets=events.targets.clone())
    missing = ~events.target_masks
    scrambled.targets[missing.unsqueeze(-1).expand_as(events.targets) & (events.targets < 0)] = -1
    # Point missing resolved targets at a half-valid pair: still masked, so nothing changes.
    scrambled.targets[:, :2, 0][missing[:, :2]] = 0
    torch.testing.assert_close(loss(outputs, scrambled).total, loss(outputs, events).total)
    nothing = events.replace(target_masks=torch.zeros_like(events.target_masks))
    assert loss(outputs, nothing).total.item() == 0.0


def test_target_and_event_weights_scale_the_terms(outputs_and_events, hh_event_info):
    outputs, events = outputs_and_events
    loss = SymmetricLoss(hh_event_info, LossScales(assignment=1.0, detection=0.0))
    base = loss(outputs, events)
    doubled = loss(outputs, events.replace(target_weights=2 * events.target_weights))
    assert doubled.assignment.item() == pytest.approx(2 * base.assignment.item(), rel=1e-5)
    loss = SymmetricLoss(hh_event_info, SCALES)
    base = loss(outputs, events)
    tripled = loss(outputs, events.replace(event_weights=3 * events.event_weights))
    assert tripled.total.item() == pytest.approx(3 * base.total.item(), rel=1e-5)


def test_gradients_are_finite_with_missing_inputs(outputs_and_events, hh_event_info):
    outputs, events = outputs_and_events
    assert not events.masks["BoostedJets"].any(1).all()  # some events have no fat jet at all
    for log_probs in outputs.assignment_log_probs:
        log_probs.retain_grad()
    loss = SymmetricLoss(hh_event_info, LossScales(assignment=1.0, detection=1.0, focal_gamma=2.0))
    loss(outputs, events).total.backward()
    for log_probs in outputs.assignment_log_probs:
        assert torch.isfinite(log_probs.grad).all()


def test_per_target_mean_divides_each_particle_by_its_target_count(outputs_and_events, hh_event_info):
    """The reference's normalisation, recomputed from the per-event terms of the chosen permutation."""
    outputs, events = outputs_and_events
    per_event = SymmetricLoss(hh_event_info, LossScales(assignment=1.0, detection=0.7))
    terms = per_event(outputs, events)
    reference = SymmetricLoss(hh_event_info, REFERENCE_SCALES)(outputs, events)
    # Rebuild: CE of particle p at the target of sigma(p) for the chosen sigma, masked and weighted per event.
    permutations = torch.tensor(hh_event_info.event_group)[terms.best_permutation]  # (B, P)
    masks = torch.gather(events.target_masks, 1, permutations)
    cross_entropy = per_event._cross_entropy_matrix(outputs.assignment_log_probs, events.targets)  # (B, P, P)
    chosen_ce = torch.gather(cross_entropy, 2, permutations.unsqueeze(2)).squeeze(2)
    weights = torch.gather(events.target_weights, 1, permutations) * events.balance_weights.unsqueeze(1)
    event_weights = events.event_weights.unsqueeze(1)
    assignment_sums = (torch.where(masks, chosen_ce, 0.0) * weights * event_weights).sum(0)
    detection = torch.nn.functional.binary_cross_entropy_with_logits(
        outputs.detection_logits, masks.float(), reduction="none"
    )
    detection_sums = (detection * event_weights).sum(0)
    n_targets = masks.sum(0).clamp(min=1)
    expected = torch.cat([assignment_sums / n_targets, 0.7 * detection_sums / n_targets]).mean()
    torch.testing.assert_close(reference.total, expected, rtol=1e-4, atol=1e-5)
    assert not torch.isclose(reference.total, terms.total)
