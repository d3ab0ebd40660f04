"""Class-balance weights."""

from __future__ import annotations

import torch

from multihiggs.spanet.balance import class_weights, inverse_prevalence_weights, reconstructable_set_classes


def test_equivalent_reconstructable_sets_share_a_class():
    group = [(0, 1, 2, 3), (1, 0, 3, 2)]
    masks = torch.tensor(
        [[1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 1], [0, 1, 1, 0], [1, 0, 1, 0], [1, 1, 0, 0]], dtype=torch.bool
    )
    classes = reconstructable_set_classes(masks, group)
    assert classes[0] == classes[1]  # h1 only ~ h2 only
    assert classes[2] == classes[3]  # (h1, bh2) ~ (h2, bh1)
    assert len({classes[0].item(), classes[2].item(), classes[4].item(), classes[5].item()}) == 4


def test_inverse_prevalence_weights_have_mean_one():
    train = torch.tensor([0, 0, 0, 1])
    weights = inverse_prevalence_weights(train, train)
    torch.testing.assert_close(weights, torch.tensor([2 / 3, 2 / 3, 2 / 3, 2.0]))
    assert weights.mean().item() == 1.0
    unseen = inverse_prevalence_weights(train, torch.tensor([1, 7]))
    torch.testing.assert_close(unseen, torch.tensor([2.0, 1.0]))
    torch.testing.assert_close(class_weights(torch.tensor([0, 0, 0, 1, -1]), 2), torch.tensor([2 / 3, 2.0]))
