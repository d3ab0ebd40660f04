"""Fixtures for the SPA-Net tests: tiny options and small synthetic HDF5 files."""

from __future__ import annotations

import pytest
import torch
from spanet_synthetic import event_yaml, write_synthetic_file

from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.options import SpanetOptions

TINY = {
    "hidden_dim": 16,
    "transformer_dim": 8,
    "initial_embedding_dim": 8,
    "num_attention_heads": 2,
    "num_encoder_layers": 1,
    "num_branch_embedding_layers": 1,
    "num_branch_encoder_layers": 1,
    "num_jet_encoder_layers": 1,
    "num_detector_layers": 1,
    "num_classification_layers": 1,
    "dropout": 0.0,
    "batch_size": 64,
    "epochs": 2,
    "learning_rate": 0.003,
    "learning_rate_warmup_epochs": 0.0,
    "early_stopping_patience": 0,
}


@pytest.fixture(scope="session")
def tiny_options() -> SpanetOptions:
    """Tiny options (immutable, so one instance serves every test and module-scoped fixture)."""
    return SpanetOptions.from_dict(TINY)


@pytest.fixture(scope="session")
def hh_event_info() -> EventInfo:
    return EventInfo.from_mapping(event_yaml(n_higgs=2))


@pytest.fixture(scope="session")
def hhh_event_info() -> EventInfo:
    return EventInfo.from_mapping(event_yaml(n_higgs=3))


@pytest.fixture(scope="session")
def hh_file(tmp_path_factory):
    """300 HH events with resolved and boosted targets."""
    return write_synthetic_file(tmp_path_factory.mktemp("hh") / "hh.h5", 300, n_higgs=2, seed=11)


@pytest.fixture(scope="session")
def hhh_file(tmp_path_factory):
    """200 HHH events."""
    return write_synthetic_file(tmp_path_factory.mktemp("hhh") / "hhh.h5", 200, n_higgs=3, seed=12, min_jets=6)


@pytest.fixture(autouse=True, scope="session")
def _single_thread():
    """Tiny tensors: one thread avoids OpenMP spin-waiting when other jobs share the cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
