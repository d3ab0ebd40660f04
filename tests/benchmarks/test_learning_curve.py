"""benchmarks/learning_curve.py on tiny synthetic SPANet-layout files: two fractions, one epoch, one seed."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch
import yaml

from multihiggs.io import spanet_layout as layout

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
TINY = ["hidden_dim=16", "transformer_dim=8", "initial_embedding_dim=8", "num_embedding_layers=2",
        "num_attention_heads=2", "num_encoder_layers=1", "num_branch_embedding_layers=1",
        "num_branch_encoder_layers=1", "num_jet_encoder_layers=1", "num_detector_layers=1", "batch_size=64",
        "learning_rate_warmup_epochs=0"]  # fmt: skip


def load(path: Path, name: str):
    """Import a file that is not in a package (a benchmark script, a test helper) as module ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def learning_curve():
    return load(REPO / "benchmarks" / "learning_curve.py", "benchmark_learning_curve")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """HH training and test files with truth Higgs pT and selection weights, and the event YAML."""
    synthetic = load(TESTS / "spanet" / "spanet_synthetic.py", "learning_curve_synthetic")
    scratch = tmp_path_factory.mktemp("learning_curve")
    paths = {}
    for name, n_events, seed in (("train", 400, 21), ("test", 150, 22)):
        path = synthetic.write_synthetic_file(scratch / f"{name}.h5", n_events, n_higgs=2, seed=seed)
        rng = np.random.default_rng(seed)
        with h5py.File(path, "a") as handle:
            for higgs in (1, 2):
                handle[layout.truth_higgs_key(higgs, "pt")] = rng.uniform(50, 400, n_events)
            handle["WEIGHTS/EVENT/selection_weight"] = rng.uniform(0.2, 1.0, n_events)
        paths[name] = path
    paths["event"] = scratch / "hh.yaml"
    paths["event"].write_text(yaml.safe_dump(synthetic.event_yaml(n_higgs=2)))
    return paths


def test_two_fractions_give_outputs_with_purities_in_range(tmp_path, learning_curve, files):
    threads = torch.get_num_threads()
    try:
        status = learning_curve.main(
            ["--train", str(files["train"]), "--test", str(files["test"]), "--options",
             str(REPO / "config" / "options" / "base.json"), "--event-file", str(files["event"]), "--set", *TINY,
             "--fractions", "0.5", "1", "--epochs", "1", "--seeds", "1", "--output-dir", str(tmp_path)]
        )  # fmt: skip
    finally:
        torch.set_num_threads(threads)
    assert status == 0
    for suffix in ("json", "md", "pdf", "png"):
        assert (tmp_path / f"learning_curve.{suffix}").stat().st_size > 0
    document = json.loads((tmp_path / "learning_curve.json").read_text())
    points = {point["fraction"]: point for point in document["points"]}
    assert sorted(points) == [0.5, 1.0]
    # the trainer's split: round(0.95 * round(fraction * 400)) events train
    assert points[0.5]["n_train"] == 190 and points[1.0]["n_train"] == 380
    for point in points.values():
        assert point["epochs_run"] == 1 and point["train_seconds"] > 0
        kish = point["n_train_kish"]
        assert kish is None or 0 < kish <= point["n_train"]
        result = point["tests"][str(files["test"])]
        assert result["weighted"]
        for category in ("partial", "complete"):
            for quantity in ("event_purity", "higgs_purity"):
                cell = result[category][quantity]
                assert 0 <= cell["lower"] <= cell["value"] <= cell["upper"] <= 1
    largest = [row for row in document["summary"] if row["fraction"] == 1.0]
    assert largest[0]["event_purity_ratio"] == pytest.approx(1.0)
    assert "| Test file |" in (tmp_path / "learning_curve.md").read_text()


def test_config_overrides_let_the_analysis_entry_win(tmp_path, learning_curve):
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {"spanet": {"options": {"epochs": 14, "batch_size": 256}, "analysis_options": {"hh": {"epochs": 25}}}}
        )
    )
    assert sorted(learning_curve.config_overrides(config, "hh")) == ["batch_size=256", "epochs=25"]
    assert sorted(learning_curve.config_overrides(config, "hhh")) == ["batch_size=256", "epochs=14"]


def test_kish_is_none_for_uniform_weights(learning_curve):
    assert learning_curve.kish(torch.ones(5)) is None
    assert learning_curve.kish(torch.tensor([1.0, 1.0, 2.0, 0.0])) == pytest.approx(16 / 6)
