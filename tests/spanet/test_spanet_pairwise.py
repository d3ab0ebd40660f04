"""Pairwise kinematics for the attention scores: physics against `vector`, symmetry, padding and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import vector

from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.model.network import SpanetNetwork
from multihiggs.spanet.model.pairwise import PairwiseFeatureError, four_vector_columns, pair_kinematics

NAMES = ["pt", "eta", "sinphi", "cosphi", "btag", "mass"]


def _jets(n_events: int, n_jets: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    kinematics = {
        "pt": rng.uniform(20, 400, (n_events, n_jets)),
        "eta": rng.uniform(-2.5, 2.5, (n_events, n_jets)),
        "phi": rng.uniform(-np.pi, np.pi, (n_events, n_jets)),
        "mass": rng.uniform(2, 30, (n_events, n_jets)),
    }
    k = kinematics
    columns = [k["pt"], k["eta"], np.sin(k["phi"]), np.cos(k["phi"]), np.ones_like(k["pt"]), k["mass"]]
    return np.stack(columns, axis=-1).astype(np.float64), kinematics


def test_pair_mass_and_separation_match_vector():
    features, kinematics = _jets(5, 6, seed=3)
    mask = torch.ones(5, 6, dtype=torch.bool)
    pairs = pair_kinematics(torch.from_numpy(features), mask, four_vector_columns(NAMES)).numpy()
    jets = vector.array({key: kinematics[key] for key in ("pt", "eta", "phi", "mass")})
    for j in range(6):
        for k in range(6):
            if j == k:
                continue
            expected_mass = (jets[:, j] + jets[:, k]).mass
            np.testing.assert_allclose(pairs[:, j, k, 0] * 100.0, expected_mass, rtol=1e-9)
            small = jets[:, j].deltaR(jets[:, k]) < 0.3
            np.testing.assert_allclose(pairs[small, j, k, 1], jets[:, j].deltaR(jets[:, k])[small], rtol=0.02)
    np.testing.assert_array_equal(pairs, pairs.transpose(0, 2, 1, 3))


def test_padding_gives_finite_features_and_gradients():
    features, _ = _jets(4, 5, seed=4)
    padded = torch.from_numpy(features)
    padded[:, 3:] = 1e4  # garbage in the padded slots
    padded.requires_grad_(True)
    mask = torch.tensor([[True] * 3 + [False] * 2] * 4)
    pairs = pair_kinematics(padded, mask, four_vector_columns(NAMES))
    assert torch.isfinite(pairs).all()
    pairs.sum().backward()
    assert torch.isfinite(padded.grad).all()
    assert (padded.grad[:, 3:] == 0).all()


def test_missing_four_vector_feature_is_named():
    with pytest.raises(PairwiseFeatureError, match="sinphi"):
        four_vector_columns(["pt", "eta", "phi", "cosphi"])
    assert four_vector_columns(["pt", "eta", "sinphi", "cosphi"])[-1] is None  # massless without "mass"


def test_network_refuses_pairwise_scores_without_four_vectors(tiny_options):
    mapping = {
        "INPUTS": {"SEQUENTIAL": {"Jets": {"pt": "log_normalize", "eta": "normalize", "btag": "none"}}},
        "EVENT": {"h1": [{"b1": "Jets"}, {"b2": "Jets"}]},
        "PERMUTATIONS": {"h1": [["b1", "b2"]]},
    }
    options = tiny_options.updated({"pairwise_attention_features": True})
    with pytest.raises(PairwiseFeatureError, match="missing"):
        SpanetNetwork(EventInfo.from_mapping(mapping), options, {})
