"""The decoder the ONNX export ships: predict's assignments from onnxruntime outputs, conformance, no dependencies."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch
from spanet_synthetic import event_yaml

from multihiggs.spanet import decoding, export, predict
from multihiggs.spanet.checkpoint import TrainedModel, build_network, save_trained_model
from multihiggs.spanet.data import compute_feature_statistics, read_events
from multihiggs.spanet.event_info import EventInfo

# numpy and onnxruntime, without the editable install's path to src/ (a .pth file, read only by ``site``).
SITE_PACKAGES = str(Path(np.__file__).parents[1])
ASSIGNMENTS = ("resolved_assignments", "boosted_assignments")
PROBABILITIES = (
    "resolved_assignment_probability",
    "resolved_detection_probability",
    "boosted_assignment_probability",
    "boosted_detection_probability",
    "signal_score",
)
# HH with boosted Higgs and a signal classifier (default post-processing); HHH without detection ordering, with the
# "detection" Higgs count and a wider overlap cone.
CASES = {
    "hh": (2, True, {"classification_loss_scale": 1.0}),
    "hhh": (3, False, {"detection_loss_scale": 0.0, "resolved_higgs_count": "detection", "overlap_delta_r": 0.8}),
}

# Runs with ``python -I -S``: the shipped decoder, numpy and onnxruntime only. Writes the decoded arrays, and the
# modules the decoder brought in, to argv[5] (.npz).
ISOLATED_SCRIPT = """
import importlib.util, json, sys
sys.path.append(sys.argv[1])
decoder_path, metadata_path, feeds_path, output_path = sys.argv[2:6]
assert importlib.util.find_spec("multihiggs") is None, "src/ is on the path"
spec = importlib.util.spec_from_file_location("shipped_decoding", decoder_path)
decoder = importlib.util.module_from_spec(spec)
sys.modules["shipped_decoding"] = decoder
before = set(sys.modules)
spec.loader.exec_module(decoder)
brought_in = sorted(set(sys.modules) - before)
import numpy as np
import onnxruntime
metadata = decoder.load_metadata(metadata_path)
model = str(__import__("pathlib").Path(metadata_path).parent / metadata["files"]["model"])
session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
with np.load(feeds_path) as loaded:
    feeds = {name: loaded[name] for name in metadata["inputs"]}
outputs = session.run(None, feeds)
directions = decoder.directions_from_inputs(feeds, metadata)
decoded = decoder.decode_outputs(outputs, metadata, directions)
np.savez(output_path, modules=np.array(json.dumps(brought_in)), **decoded.arrays())
"""


@dataclass(frozen=True)
class Exported:
    """A seeded random network, the HDF5 file it is evaluated on, and what the export wrote."""

    trained: TrainedModel
    test_file: Path
    onnx_path: Path
    files: export.DecoderFiles


@pytest.fixture(scope="module", params=sorted(CASES))
def exported(request, tmp_path_factory, tiny_options, hh_file, hhh_file) -> Exported:
    n_higgs, classification, overrides = CASES[request.param]
    test_file = hh_file if n_higgs == 2 else hhh_file
    event_info = EventInfo.from_mapping(event_yaml(n_higgs=n_higgs, classification=classification))
    options = tiny_options.updated(overrides)
    events = read_events(test_file, event_info, with_targets=False)
    statistics = compute_feature_statistics(events, event_info)
    class_counts = dict.fromkeys(event_info.classifications, 2)
    torch.manual_seed(5)
    network = build_network(event_info, options, class_counts, statistics).eval()
    onnx_path = tmp_path_factory.mktemp(request.param) / "spanet.onnx"
    export.export_onnx(network, event_info, events.select(slice(0, 4)), onnx_path)
    files = export.write_decoder(onnx_path, event_info, options, events.select(slice(0, 24)))
    return Exported(TrainedModel(network, options, event_info, statistics, class_counts), test_file, onnx_path, files)


def load_shipped(path: Path) -> ModuleType:
    """Import the shipped decoder from its file, as a user without multihiggs would."""
    spec = importlib.util.spec_from_file_location("shipped_decoding_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_shipped_decoder_gives_predicts_assignments_on_every_event(exported, tmp_path):
    trained = exported.trained
    events = read_events(exported.test_file, trained.event_info, with_targets=False)
    np.savez(tmp_path / "feeds.npz", **export.onnx_feeds(events, trained.event_info))
    script = tmp_path / "decode.py"
    script.write_text(ISOLATED_SCRIPT)
    arguments = [exported.files.decoder, exported.files.metadata, tmp_path / "feeds.npz", tmp_path / "decoded.npz"]
    subprocess.run(
        [sys.executable, "-I", "-S", str(script), SITE_PACKAGES, *map(str, arguments)], check=True, timeout=120
    )

    expected = predict.predict_file(trained, str(exported.test_file))
    with np.load(tmp_path / "decoded.npz") as decoded:
        for name in ASSIGNMENTS:
            np.testing.assert_array_equal(decoded[name], getattr(expected, name), err_msg=name)
        for name in PROBABILITIES:  # onnxruntime's and PyTorch's float32 arithmetic differ in the last bits
            np.testing.assert_allclose(decoded[name], getattr(expected, name), atol=1e-5, err_msg=name)
        brought_in = json.loads(str(decoded["modules"]))
    assert expected.n_events == len(events) > 100
    assert (expected.resolved_assignments >= 0).any() and (expected.resolved_assignments < 0).any()
    if trained.event_info.classifications:
        assert (expected.boosted_assignments >= 0).any() and np.isfinite(expected.signal_score).all()
    assert {name.split(".")[0] for name in brought_in} <= set(sys.stdlib_module_names) | {"numpy"}


def test_conformance_vectors_are_reproduced_and_a_wrong_answer_is_caught(exported, tmp_path):
    files = exported.files
    run = subprocess.run(
        [sys.executable, "-S", str(files.decoder), str(files.metadata)],
        env={**os.environ, "PYTHONPATH": SITE_PACKAGES},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and "conformance passed" in run.stdout, run.stdout + run.stderr

    shipped = load_shipped(files.decoder)
    with np.load(files.conformance) as loaded:
        vectors = dict(loaded)
    assert len(vectors["expected.resolved_assignments"]) == 24
    vectors["expected.resolved_assignments"][0, 0, 0] += 1
    vectors["expected.boosted_detection_probability"][1, 0] = -1.0  # no probability
    np.savez(tmp_path / "wrong.npz", **vectors)
    differing = shipped.check_conformance(files.metadata, tmp_path / "wrong.npz")
    assert differing == ["resolved_assignments", "boosted_detection_probability"]


def test_shipped_decoder_is_our_decoding_module_and_imports_only_numpy(exported):
    source = exported.files.decoder.read_bytes()
    assert source == Path(decoding.__file__).read_bytes()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import"
            imported.add(node.module.split(".")[0])
    assert "numpy" in imported
    assert imported <= set(sys.stdlib_module_names) | {"numpy", "__future__"}, imported


def test_command_line_writes_the_decoder_beside_the_model(exported, tmp_path, capsys):
    import onnxruntime

    trained = exported.trained
    model_file = tmp_path / "model.pt"
    save_trained_model(
        model_file,
        trained.network.state_dict(),
        trained.options,
        trained.event_info,
        trained.statistics,
        trained.class_counts,
    )
    onnx_path = tmp_path / "out" / "hh_model.onnx"
    assert export.main([str(model_file), "-o", str(onnx_path), "--conformance-events", "8"]) == 0
    assert "hh_model_conformance.npz (8 events)" in capsys.readouterr().out

    files = export.decoder_files(onnx_path)
    assert [path.name for path in (files.decoder, files.metadata, files.conformance)] == [
        "hh_model_decoding.py",
        "hh_model_decoding.json",
        "hh_model_conformance.npz",
    ]
    metadata = json.loads(files.metadata.read_text())
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    assert metadata["inputs"] == [node.name for node in session.get_inputs()]
    assert metadata["outputs"] == [node.name for node in session.get_outputs()]
    assert metadata["postprocess"] == predict.postprocess_settings(trained.options)
    assert [particle["name"] for particle in metadata["particles"]] == list(trained.event_info.particle_names)
    with np.load(files.conformance) as vectors:
        assert {f"output.{name}" for name in metadata["outputs"]} <= set(vectors.files)
        assert vectors["expected.boosted_assignments"].shape == (8, trained.event_info.n_particles // 2)
    assert load_shipped(files.decoder).check_conformance(files.metadata) == []
