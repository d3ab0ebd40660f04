"""Network properties: equivariance under jet reordering, masking, normalisation and symmetry."""

from __future__ import annotations

import pytest
import torch

from multihiggs.spanet.checkpoint import build_network
from multihiggs.spanet.data import compute_feature_statistics, read_events
from multihiggs.spanet.model import SpanetNetwork
from multihiggs.spanet.model.attention import SymmetricTensorAttention
from multihiggs.spanet.model.layers import (
    GatedLinearBlock,
    GatedResidual,
    ResidualBlock,
    TransformerLayer,
    VectorEmbedding,
)

REFERENCE_ARCHITECTURE = {"transformer_type": "Gated", "linear_block_type": "GRU", "reference_tensor_attention": True}


@pytest.fixture(
    params=[
        {"transformer_type": "Gated"},
        {"transformer_type": "Gated", "pairwise_attention_features": True},
        {"transformer_type": "NormFirst"},
        REFERENCE_ARCHITECTURE,
    ],
    ids=["bilinear", "pairwise", "plain-residual", "reference-architecture"],
)
def network_and_events(request, hh_file, hh_event_info, tiny_options):
    """The tiny network with and without the pairwise-kinematics attention scores, gated or plain transformers,
    and with the reference's GRU blocks and tensor-attention scaling."""
    torch.manual_seed(0)
    events = read_events(hh_file, hh_event_info).select(slice(0, 40))
    options = tiny_options.updated(request.param)
    network = build_network(hh_event_info, options, {}, compute_feature_statistics(events, hh_event_info))
    return network.eval(), events


def _outputs(network, events):
    with torch.no_grad():
        return network(events.features, events.masks, events.global_features)


def test_jet_permutation_permutes_the_outputs(network_and_events):
    network, events = network_and_events
    generator = torch.Generator().manual_seed(1)
    jet_order = torch.randperm(events.masks["Jets"].shape[1], generator=generator)
    fat_order = torch.randperm(events.masks["BoostedJets"].shape[1], generator=generator)
    permuted = events.replace(
        features={
            "Jets": events.features["Jets"][:, jet_order],
            "BoostedJets": events.features["BoostedJets"][:, fat_order],
        },
        masks={"Jets": events.masks["Jets"][:, jet_order], "BoostedJets": events.masks["BoostedJets"][:, fat_order]},
    )
    original, shuffled = _outputs(network, events), _outputs(network, permuted)
    for particle in (0, 1):  # resolved: P'[j, k] = P[order[j], order[k]]
        expected = original.assignment_log_probs[particle].exp()[:, jet_order][:, :, jet_order]
        torch.testing.assert_close(shuffled.assignment_log_probs[particle].exp(), expected, atol=1e-5, rtol=1e-4)
    for particle in (2, 3):
        expected = original.assignment_log_probs[particle].exp()[:, fat_order]
        torch.testing.assert_close(shuffled.assignment_log_probs[particle].exp(), expected, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(shuffled.detection_logits, original.detection_logits, atol=1e-5, rtol=1e-4)


def test_distributions_are_normalised_masked_and_symmetric(network_and_events):
    network, events = network_and_events
    outputs = _outputs(network, events)
    jets = events.masks["Jets"]
    for particle in (0, 1):
        probabilities = outputs.assignment_log_probs[particle].exp()
        valid = jets[:, :, None] & jets[:, None, :] & ~torch.eye(jets.shape[1], dtype=torch.bool)
        assert (probabilities[~valid] == 0).all()  # padded jets and the diagonal
        torch.testing.assert_close(probabilities.sum(dim=(1, 2)), torch.ones(len(events)))
        torch.testing.assert_close(probabilities, probabilities.transpose(1, 2), atol=0, rtol=0)
    fat = events.masks["BoostedJets"]
    boosted = outputs.assignment_log_probs[2].exp()
    assert (boosted[~fat] == 0).all()
    has_fat = fat.any(dim=1)
    torch.testing.assert_close(boosted[has_fat].sum(dim=1), torch.ones(int(has_fat.sum())))
    assert (boosted[~has_fat] == 0).all()  # no fat jet: no distribution, and no NaN
    assert torch.isfinite(outputs.detection_logits).all()


def test_padding_content_does_not_matter(network_and_events):
    network, events = network_and_events
    noisy = events.features["Jets"].clone()
    noisy[~events.masks["Jets"]] = 1e3
    changed = events.replace(features={**events.features, "Jets": noisy})
    torch.testing.assert_close(_outputs(network, changed).detection_logits, _outputs(network, events).detection_logits)


def test_normalisation_lives_in_the_state_dict(network_and_events, hh_event_info):
    network, _ = network_and_events
    state = network.state_dict()
    assert "normalizers.Jets.mean" in state and "normalizers.Jets.std" in state
    assert not torch.equal(state["normalizers.Jets.mean"], torch.zeros_like(state["normalizers.Jets.mean"]))


def test_global_input_and_classification_head(hh_file, tiny_options):
    from spanet_synthetic import event_yaml

    from multihiggs.spanet.event_info import EventInfo

    info = EventInfo.from_mapping(event_yaml(n_higgs=2, classification=True, kl=True))
    events = read_events(hh_file, info).select(slice(0, 16))
    torch.manual_seed(0)
    network = build_network(info, tiny_options, {"signal": 2}, compute_feature_statistics(events, info)).eval()
    with torch.no_grad():
        outputs = network(events.features, events.masks, events.global_features)
        shifted = network(events.features, events.masks, {"Event": events.global_features["Event"] + 3.0})
    assert outputs.classification_logits["signal"].shape == (16, 2)
    assert events.class_labels["signal"].shape == (16,)
    assert not torch.allclose(outputs.classification_logits["signal"], shifted.classification_logits["signal"])


def test_gated_residual_starts_near_the_identity_and_follows_transformer_type(hh_event_info, tiny_options):
    torch.manual_seed(3)
    gate = GatedResidual(8)
    residual, update = torch.randn(5, 8), torch.randn(5, 8)
    mixed = gate(update, residual)
    # z = sigmoid(... - 2) ~ 0.12 at initialisation: the output stays much closer to the residual than to the update
    assert (mixed - residual).norm() < 0.5 * (update - residual).norm()

    def count(transformer_type: str, kind: type) -> int:
        network = SpanetNetwork(hh_event_info, tiny_options.updated({"transformer_type": transformer_type}), {})
        return sum(isinstance(module, kind) for module in network.modules())

    n_layers = count("Gated", TransformerLayer)
    assert n_layers >= 2 and count("NormFirst", TransformerLayer) == n_layers
    assert count("Gated", GatedResidual) == count("gtrxl", GatedResidual) == 2 * n_layers  # attention + feed-forward
    assert count("NormFirst", GatedResidual) == count("standard", GatedResidual) == 0


def test_linear_block_type_selects_gru_or_residual_blocks(hh_event_info, tiny_options):
    def count(linear_block_type: str, kind: type) -> int:
        options = tiny_options.updated({"linear_block_type": linear_block_type, "num_branch_embedding_layers": 2})
        network = SpanetNetwork(hh_event_info, options, {})
        return sum(isinstance(module, kind) for module in network.modules())

    n_blocks = count("GRU", GatedLinearBlock)
    assert n_blocks == 2 * len(hh_event_info.particles)  # two per branch, no per-daughter blocks in tiny options
    assert count("GRU", ResidualBlock) == 0
    for plain in ("Resnet", "Basic", "Gated"):
        assert count(plain, ResidualBlock) == n_blocks and count(plain, GatedLinearBlock) == 0
    with pytest.raises(ValueError, match="linear_block_type"):
        tiny_options.updated({"linear_block_type": "Dense"})


def test_gru_block_starts_near_the_identity():
    torch.manual_seed(2)
    block = GatedLinearBlock(16, expansion=2.0, dropout=0.0).eval()
    x = torch.randn(7, 16)
    assert (block(x) - x).norm() < 0.5 * x.norm()
    ungated = GatedLinearBlock(16, expansion=2.0, dropout=0.0, residual=False).eval()
    assert ungated.gate is None and (ungated(x) - x).norm() > 0.5 * x.norm()  # no skip: the MLP output alone


def test_reference_tensor_attention_scales_pair_scores_by_the_hidden_width():
    """Pair scores divided by hidden_dim (projections to hidden_dim) instead of sqrt(transformer_dim): at the same
    initialisation the reference's scores start far narrower."""
    torch.manual_seed(4)
    vectors = torch.randn(64, 10, 64)
    mask = torch.ones(64, 10, dtype=torch.bool)
    ours = SymmetricTensorAttention(64, 32, 2, symmetric=True)
    reference = SymmetricTensorAttention(64, 32, 2, symmetric=True, reference_scaling=True)
    assert reference.first.out_features == 64 and ours.first.out_features == 32
    assert reference.scale == pytest.approx(1 / 64) and ours.scale == pytest.approx(32**-0.5)
    with torch.no_grad():
        log_probs = [attention([vectors, vectors], mask) for attention in (ours, reference)]
    spread_ours, spread_reference = (values[values.isfinite()].std() for values in log_probs)
    assert spread_reference < 0.6 * spread_ours


def test_reference_transformer_dropout_acts_only_while_training():
    """Option reference_transformer_dropout adds dropout on the attention weights and the feed-forward hidden
    activations: the same weights give the same evaluation output, but a different training-mode output at the same
    random state (more units dropped), and no dropout at all when dropout is 0."""
    torch.manual_seed(5)
    tokens = torch.randn(8, 6, 16)
    plain = TransformerLayer(16, 4, 32, dropout=0.2, activation="gelu")
    reference = TransformerLayer(16, 4, 32, dropout=0.2, activation="gelu", inner_dropout=0.2)
    reference.load_state_dict(plain.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(reference.eval()(tokens, None), plain.eval()(tokens, None))
        plain.train(), reference.train()
        torch.manual_seed(6)
        plain_output = plain(tokens, None)
        torch.manual_seed(6)
        reference_output = reference(tokens, None)
        assert (reference_output - plain_output).abs().max() > 1e-3
        without = TransformerLayer(16, 4, 32, dropout=0.0, activation="gelu", inner_dropout=0.0).train()
        torch.testing.assert_close(without(tokens, None), without.eval()(tokens, None))


def test_reference_embedding_dropout_drops_embedding_outputs_only_while_training():
    """Option reference_embedding_dropout: each embedding layer's output is dropped out in training (a dropped unit
    is exactly zero), never in evaluation."""
    torch.manual_seed(7)
    features = torch.randn(32, 10, 6)
    embedding = VectorEmbedding(6, [16, 32, 64], skip_connections=True, dropout=0.5)
    plain = VectorEmbedding(6, [16, 32, 64], skip_connections=True)
    plain.load_state_dict(embedding.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(embedding.eval()(features), plain.eval()(features))
        dropped = embedding.train()(features)
        assert (dropped == 0).float().mean() > 0.3
        assert (plain.train()(features) == 0).float().mean() < 0.01


def test_reference_embedding_dropout_option_builds_dropping_embeddings(hh_event_info, tiny_options):
    """The option gives every embedding layer the network's dropout; without it they have none."""
    options = tiny_options.updated({"reference_embedding_dropout": True, "dropout": 0.2})
    network = SpanetNetwork(hh_event_info, options, {})
    probabilities = {module.dropout.probability for module in network.embeddings.modules() if hasattr(module, "norm")}
    assert probabilities == {0.2}
    default = SpanetNetwork(hh_event_info, tiny_options.updated({"dropout": 0.2}), {})
    assert {m.dropout.probability for m in default.embeddings.modules() if hasattr(m, "norm")} == {0.0}
