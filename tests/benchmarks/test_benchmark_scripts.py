"""Cheap checks of the on-demand benchmark scripts (benchmarks/): the parts that need no reference installation."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch

from multihiggs.io import spanet_layout as layout
from multihiggs.io.predictions import write_predictions

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load_script(name: str):
    """Import benchmarks/NAME.py as a module (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def comparison():
    return load_script("spanet_vs_reference")


@pytest.fixture(scope="module")
def test_file(tmp_path_factory, comparison) -> Path:
    scratch = tmp_path_factory.mktemp("reference")
    files = comparison.synthetic_files(scratch, 200, 50, 300, seed=3)
    return files.test


def write_reference_output(
    path: Path, test_file: Path, group: str, corrupt_boosted: bool = False, with_boosted: bool = True
) -> None:
    """A file shaped like spanet.predict's output that assigns every reconstructable target correctly (no bh
    particles without ``with_boosted``, as for the resolved-only topology)."""
    with h5py.File(test_file, "r") as handle, h5py.File(path, "w") as output:
        n_jet_slots = handle[layout.mask_key(layout.JETS)].shape[1]
        for higgs in range(1, 4):
            resolved = [handle[layout.resolved_target_key(higgs, d)][...] for d in ("b1", "b2")]
            present = (resolved[0] >= 0) & (resolved[1] >= 0)
            # unreconstructable: some pair of real jets (never the chosen one: detection probability 0)
            for daughter, values, fallback in zip(("b1", "b2"), resolved, (0, 1), strict=True):
                output[f"{group}/h{higgs}/{daughter}"] = np.where(present, values, fallback)
            output[f"{group}/h{higgs}/assignment_probability"] = np.ones(len(present), np.float32)
            output[f"{group}/h{higgs}/detection_probability"] = present.astype(np.float32)
            if not with_boosted:
                continue
            boosted = handle[layout.boosted_target_key(higgs)][...]
            index = np.where(boosted >= 0, boosted + n_jet_slots, n_jet_slots)  # AK8 indices follow the AK5 slots
            if corrupt_boosted:
                index = np.zeros_like(index)  # an AK5 jet: not a boosted candidate in our layout
            output[f"{group}/bh{higgs}/bb"] = index
            output[f"{group}/bh{higgs}/assignment_probability"] = np.ones(len(boosted), np.float32)
            output[f"{group}/bh{higgs}/detection_probability"] = (boosted >= 0).astype(np.float32)


@pytest.mark.parametrize("group", ["TARGETS", "SpecialKey.Targets"])
def test_correct_reference_output_gives_full_purity(tmp_path, comparison, test_file, group):
    output = tmp_path / "reference_output.h5"
    write_reference_output(output, test_file, group)
    # the made-up pairs of unreconstructable Higgs carry detection probability 0: N_hat from detection drops them
    predictions, dropped = comparison.reference_predictions(
        output, test_file, overlap_delta_r=0.5, resolved_count="detection"
    )
    assert predictions.n_events == comparison.n_events(test_file)
    # Only the made-up picks for absent boosted Higgs (AK8 slot 0) can point at padding.
    assert dropped["resolved_outside"] == dropped["resolved_padding"] == dropped["boosted_outside"] == 0
    write_predictions(tmp_path / "predictions.h5", predictions)
    purities = comparison.purities(test_file, tmp_path / "predictions.h5")
    # Only the overlap removal of the post-processing (a resolved Higgs near a kept boosted one) can lose a Higgs.
    assert purities["higgs_purity (1–3 h)"]["value"] > 0.95
    assert purities["candidate purity (combined)"]["value"] == 1.0


def test_boosted_particle_on_an_ak5_jet_is_dropped(tmp_path, comparison, test_file):
    output = tmp_path / "reference_output.h5"
    write_reference_output(output, test_file, "TARGETS", corrupt_boosted=True)
    predictions, dropped = comparison.reference_predictions(output, test_file, overlap_delta_r=0.5)
    assert dropped["boosted_outside"] == 3 * predictions.n_events
    assert (predictions.boosted_assignments == -1).all()


def test_resolved_only_reference_output_keeps_every_resolved_target(tmp_path, comparison, test_file):
    output = tmp_path / "reference_output.h5"
    write_reference_output(output, test_file, "TARGETS", with_boosted=False)
    predictions, dropped = comparison.reference_predictions(
        output, test_file, overlap_delta_r=0.5, resolved_count="detection"
    )
    assert dropped == dict.fromkeys(["resolved_outside", "resolved_padding", "boosted_outside", "boosted_padding"], 0)
    assert (predictions.boosted_assignments == -1).all()
    with h5py.File(test_file, "r") as handle:
        for higgs in range(1, 4):
            pair = np.stack([handle[layout.resolved_target_key(higgs, d)][...] for d in ("b1", "b2")], axis=1)
            present = (pair >= 0).all(axis=1)
            chosen = predictions.resolved_assignments[present]
            # every reconstructable target pair is among the event's resolved candidates (the slot order may differ)
            assert all((np.sort(row) == chosen[i]).all(axis=1).any() for i, row in enumerate(pair[present]))


def test_complete_validation_events_follow_the_topology(tmp_path, comparison, test_file):
    files = comparison.Files(test_file, test_file, test_file)
    resolved, boosted = comparison.target_counts(test_file)
    used = (len(resolved) // 10) * 10
    assert comparison.complete_validation_events(files, 10, with_boosted=False) == int((resolved[:used] == 3).sum())
    assert comparison.complete_validation_events(files, 10) == int(((resolved == 3) & (boosted == 3))[:used].sum())
    assert comparison.complete_validation_events(files, 10, with_boosted=False) > 0


def test_pairing_scaling_times_both_methods_and_draws(tmp_path):
    scaling = load_script("pairing_scaling")
    networks = {n_higgs: scaling.untrained_network(n_higgs, seed=1) for n_higgs in scaling.PROCESSES}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # more threads than free cores make torch spin
    try:
        results = []
        for n_jets in (6, 7):
            jets = scaling.random_events(16, n_jets, seed=1)
            row = {"jets": n_jets}
            for n_higgs, process in scaling.PROCESSES.items():
                network, event_info = networks[n_higgs]
                inputs = scaling.network_inputs(jets, event_info, seed=1)
                assert inputs.features["Jets"].shape[:2] == (16, n_jets)
                row[process] = {
                    "chi2_events_per_s": scaling.events_per_second(jets, n_higgs, repeats=1),
                    "spanet_events_per_s": scaling.spanet_events_per_second(network, event_info, inputs, 8, repeats=1),
                }
                assert row[process]["chi2_events_per_s"] > 0 and row[process]["spanet_events_per_s"] > 0
            results.append(row)
    finally:
        torch.set_num_threads(threads)
    figure = tmp_path / "pairing_scaling.pdf"
    scaling.draw(results, figure)
    assert figure.stat().st_size > 0


PATCHES = BENCHMARKS / "reference_patches"
REFERENCE_PYTHON = BENCHMARKS.parent / ".venv-reference" / "bin" / "python"
PATCH_CHECK = """
import torch
from spanet.options import Options
from spanet.network.layers.embedding_stack import EmbeddingStack
from spanet.network.layers.embedding.position_embedding import PositionEmbedding
from spanet.network.layers.transformer.norm_first_transformer import NormFirstTransformer
options = Options()
options.hidden_dim, options.initial_embedding_dim, options.num_embedding_layers = 64, 16, 10
stack = EmbeddingStack(options, 6)
print([(layer.linear.in_features, layer.linear.out_features) for layer in stack.embedding_layers])
mask = torch.ones(5, 2, 1)
mask[4] = 0
embedded = stack(torch.randn(5, 2, 6), mask)
print(float(embedded[4].abs().sum()), tuple(PositionEmbedding(16)(embedded).shape))
print(type(NormFirstTransformer(options, 2).transformer.norm).__name__)
"""


def patched_environment(patches: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PATCHES), "MULTIHIGGS_REFERENCE_PATCHES": patches, "OMP_NUM_THREADS": "1"}


@pytest.mark.skipif(not REFERENCE_PYTHON.exists(), reason="needs the reference venv (.venv-reference)")
def test_reference_patches_put_our_embedding_and_final_norm_into_the_reference():
    run = subprocess.run(
        [str(REFERENCE_PYTHON), "-c", PATCH_CHECK],
        env=patched_environment("embedding,final_norm"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "reference patched: embedding, final_norm" in run.stderr  # on stderr: callers parse stdout
    lines = run.stdout.strip().splitlines()
    assert lines[0] == "[(6, 16), (16, 32), (32, 64)]"  # Linear-LayerNorm-GELU layers, widths doubling to 64
    assert lines[1] == "0.0 (5, 2, 64)"  # padding zeroed; no position embedding concatenated
    assert lines[2] == "LayerNorm"


def test_reference_patches_change_nothing_without_spanet_and_refuse_unknown_names():
    quiet = subprocess.run(
        [sys.executable, "-c", "import sitecustomize, sys; print(sitecustomize.requested_patches())"],
        env=patched_environment("embedding"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert quiet.stdout.strip() == "['embedding']"  # read, but nothing to patch in our venv
    refused = subprocess.run(
        [sys.executable, "-c", "pass"], env=patched_environment("embeding"), capture_output=True, text=True
    )
    assert refused.returncode != 0 and "unknown patch(es) ['embeding']" in refused.stderr


def test_ablation_refuses_an_unknown_reference_patch(tmp_path):
    run = subprocess.run(
        [sys.executable, str(BENCHMARKS / "spanet_architecture_ablation.py"), "--train", "t.h5", "--test", "x.h5",
         "--reference-runs", "1", "--reference-patch", "embedding,bogus", "--keep-dir", str(tmp_path)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 2 and "--reference-patch: unknown ['bogus']" in run.stderr
