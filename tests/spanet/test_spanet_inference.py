"""Inference in batches of similar multiplicity without trailing padding gives the plain padded outputs."""

from __future__ import annotations

import numpy as np
import torch

from multihiggs.spanet.checkpoint import build_network
from multihiggs.spanet.data import compute_feature_statistics, multiplicity_order, read_events, without_trailing_padding
from multihiggs.spanet.inference import batch_probabilities, predict_probabilities


def test_multiplicity_order_is_stable_and_sorted():
    jets = torch.tensor([[1, 1, 0], [1, 1, 1], [1, 0, 0], [1, 1, 0]], dtype=torch.bool)
    boosted = torch.tensor([[1, 0], [0, 0], [0, 0], [0, 0]], dtype=torch.bool)
    assert multiplicity_order({"Jets": jets, "BoostedJets": boosted}).tolist() == [2, 3, 0, 1]


def test_trailing_padding_is_cut_per_input_and_one_position_kept(hh_file, hh_event_info):
    events = read_events(hh_file, hh_event_info)
    counts = events.masks["Jets"].sum(dim=1)
    shortest = events.select(counts == counts.min())
    trimmed = without_trailing_padding(shortest)
    assert trimmed.masks["Jets"].shape[1] == int(counts.min()) < events.masks["Jets"].shape[1]
    assert trimmed.features["Jets"].shape[:2] == trimmed.masks["Jets"].shape
    no_boosted = without_trailing_padding(events.select(events.masks["BoostedJets"].sum(dim=1) == 0))
    assert no_boosted.masks["BoostedJets"].shape[1] == 1
    assert torch.equal(trimmed.targets, shortest.targets)


def test_bucketed_inference_equals_padded_batches_in_event_order(hhh_file, hhh_event_info, tiny_options):
    """Events of 6..10 jets in a shuffled order: every probability matches a single full-length padded batch."""
    torch.manual_seed(5)
    events = read_events(hhh_file, hhh_event_info)
    events = events.select(torch.randperm(len(events)))
    assert len(set(events.masks["Jets"].sum(dim=1).tolist())) > 2
    network = build_network(hhh_event_info, tiny_options, {}, compute_feature_statistics(events, hhh_event_info))
    network.eval()
    with torch.inference_mode():
        plain = batch_probabilities(network(events.features, events.masks, events.global_features), hhh_event_info)
    bucketed = predict_probabilities(network, events, hhh_event_info, batch_size=16)
    for expected, got in zip(plain.assignment, bucketed.assignment, strict=True):
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, atol=1e-6)
        assert np.array_equal(got == 0, expected == 0)  # padding and the diagonal stay exactly zero
    np.testing.assert_allclose(bucketed.detection, plain.detection, atol=1e-6)
