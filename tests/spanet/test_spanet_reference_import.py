"""Importing the reference SPANet's ``spanet.predict`` output into our prediction layout."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

from multihiggs.evaluate.__main__ import main as evaluate_main
from multihiggs.io import spanet_layout as layout
from multihiggs.io.predictions import read_predictions
from multihiggs.spanet.reference_import import import_reference_predictions, main

PY311_GROUPS = {"INPUTS": "SpecialKey.Inputs", "TARGETS": "SpecialKey.Targets"}


def read_targets(test_file: Path, n_higgs: int) -> tuple[np.ndarray, np.ndarray]:
    """Resolved (N, H, 2) and boosted (N, H) targets of a layout file."""
    with h5py.File(test_file, "r") as handle:
        resolved = np.stack(
            [np.stack([handle[layout.resolved_target_key(i, d)][...] for d in ("b1", "b2")], axis=1)
             for i in range(1, n_higgs + 1)], axis=1,
        )  # fmt: skip
        boosted = np.stack([handle[layout.boosted_target_key(i)][...] for i in range(1, n_higgs + 1)], axis=1)
    return resolved, boosted


def write_reference_file(
    path: Path,
    test_file: Path,
    n_higgs: int,
    *,
    groups: dict[str, str] | None = None,
    boosted: bool = True,
    signal_softmax: np.ndarray | None = None,
) -> Path:
    """A file shaped like ``spanet.predict``'s output that assigns every target correctly.

    Absent targets are unassigned (index -2, as the reference's decoding leaves them when no vector is left);
    AK8 jet k is index J + k. ``groups`` renames INPUTS/TARGETS (e.g. Python >= 3.11's ``SpecialKey.Targets``).
    """
    groups = {"INPUTS": "INPUTS", "TARGETS": "TARGETS", **(groups or {})}
    resolved, fatjets = read_targets(test_file, n_higgs)
    with h5py.File(test_file, "r") as test, h5py.File(path, "w") as output:
        for source in test[layout.INPUTS]:
            for feature in test[layout.INPUTS][source]:
                output[f"{groups['INPUTS']}/{source}/{feature}"] = test[layout.INPUTS][source][feature][...]
        n_jet_slots = test[layout.mask_key(layout.JETS)].shape[1]
        targets = output.create_group(groups["TARGETS"])
        for i in range(1, n_higgs + 1):
            present = (resolved[:, i - 1] >= 0).all(axis=1)
            for column, daughter in enumerate(("b1", "b2")):
                targets[f"h{i}/{daughter}"] = np.where(present, resolved[:, i - 1, column], -2)
            _write_probabilities(targets, f"h{i}", present)
            if boosted:
                present = fatjets[:, i - 1] >= 0
                targets[f"bh{i}/bb"] = np.where(present, fatjets[:, i - 1] + n_jet_slots, -2)
                _write_probabilities(targets, f"bh{i}", present)
        if signal_softmax is not None:
            output["SpecialKey.Classifications/EVENT/signal"] = signal_softmax
    return path


def _write_probabilities(group: h5py.Group, particle: str, present: np.ndarray) -> None:
    group[f"{particle}/assignment_probability"] = np.where(present, 0.9, 0.0).astype(np.float32)
    group[f"{particle}/detection_probability"] = present.astype(np.float32)
    group[f"{particle}/marginal_probability"] = np.where(present, 0.9, 0.0).astype(np.float32)


def candidate_sets(resolved: np.ndarray, boosted: np.ndarray) -> list[set]:
    """Per event, the set of ("r", j, k) resolved pairs and ("b", k) boosted jets."""
    events = []
    for pairs, fatjets in zip(resolved, boosted, strict=True):
        found = {("r", *sorted(map(int, pair))) for pair in pairs if (pair >= 0).all()}
        events.append(found | {("b", int(k)) for k in fatjets if k >= 0})
    return events


def test_correct_reference_output_gives_the_targets(tmp_path, hh_file):
    reference = write_reference_file(tmp_path / "reference.h5", hh_file, 2)
    predictions, summary = import_reference_predictions(reference, hh_file, "reference_spanet")
    resolved, boosted = read_targets(hh_file, 2)
    # A Higgs with an AK8 target is reconstructed boosted; its resolved pair overlaps the AK8 jet and is dropped.
    expected = candidate_sets(np.where((boosted >= 0)[..., None], -1, resolved), boosted)
    assert candidate_sets(predictions.resolved_assignments, predictions.boosted_assignments) == expected
    assert (predictions.boosted_assignments >= 0).any() and (predictions.resolved_assignments >= 0).any()
    assert predictions.method == "reference_spanet" and np.isnan(predictions.signal_score).all()
    assert summary.n_events == 300 and "Jets/pt" in summary.compared_inputs
    assert summary.dropped.other_collection == summary.dropped.padding == 0
    assert summary.dropped.unassigned == int((resolved < 0).any(axis=2).sum() + (boosted < 0).sum())


def test_python_311_group_names_and_signal_score(tmp_path, hh_file):
    softmax = np.random.default_rng(3).dirichlet([1.0, 1.0], size=300).astype(np.float32)
    reference = write_reference_file(tmp_path / "r.h5", hh_file, 2, groups=PY311_GROUPS, signal_softmax=softmax)
    predictions, summary = import_reference_predictions(reference, hh_file, "ref")
    np.testing.assert_allclose(predictions.signal_score, softmax[:, 1])
    assert "BoostedJets/eta" in summary.compared_inputs


def test_resolved_only_topology_has_no_boosted_candidate(tmp_path, hhh_file):
    reference = write_reference_file(tmp_path / "r.h5", hhh_file, 3, boosted=False)
    predictions, _ = import_reference_predictions(reference, hhh_file, "ref", n_higgs=3)
    resolved, _ = read_targets(hhh_file, 3)
    assert (predictions.boosted_assignments == -1).all()
    assert candidate_sets(predictions.resolved_assignments, predictions.boosted_assignments) == candidate_sets(
        resolved, np.full(resolved.shape[:2], -1)
    )


def write_small_test_file(path: Path) -> Path:
    """Two events, 10 AK5 and 3 AK8 slots: AK8 jet 1 at (eta, phi) = (0, 0), jets 0 and 1 next to it, jets 2 and 3
    at (1, 3); in event 1 only AK8 jet 0 is real."""
    n_events = 2
    jet_eta = np.tile(np.linspace(-2.0, 2.0, 10), (n_events, 1))
    jet_phi = np.tile(np.linspace(-2.5, 2.5, 10), (n_events, 1))
    jet_eta[:, :4] = [0.1, -0.1, 1.0, 1.05]
    jet_phi[:, :4] = [0.1, -0.1, 3.0, 2.9]
    fat_eta, fat_phi = np.array([[-2.0, 0.0, 2.0]] * n_events), np.array([[-2.0, 0.0, 2.0]] * n_events)
    fat_mask = np.array([[True, True, False], [True, False, False]])
    with h5py.File(path, "w") as handle:
        for source, eta, phi, mask in (
            (layout.JETS, jet_eta, jet_phi, np.ones_like(jet_eta, dtype=bool)),
            (layout.BOOSTED_JETS, fat_eta, fat_phi, fat_mask),
        ):
            handle[layout.mask_key(source)] = mask
            handle[layout.input_key(source, "eta")] = eta
            handle[layout.input_key(source, "sinphi")] = np.sin(phi)
            handle[layout.input_key(source, "cosphi")] = np.cos(phi)
            handle[layout.input_key(source, "pt")] = np.full(eta.shape, 50.0)
            handle[layout.input_key(source, "mass")] = np.full(eta.shape, 10.0)
        handle[layout.input_key(layout.JETS, "btag")] = np.ones_like(jet_eta)
    return path


def write_handmade_reference(path: Path, test_file: Path, particles: dict[str, dict[str, list]]) -> Path:
    """A reference output with the given ``particle -> {daughter or probability: per-event values}``."""
    with h5py.File(test_file, "r") as test, h5py.File(path, "w") as output:
        output["INPUTS/Jets/pt"] = test[layout.input_key(layout.JETS, "pt")][...]
        for particle, datasets in particles.items():
            for name, values in datasets.items():
                output[f"TARGETS/{particle}/{name}"] = np.asarray(values)
    return path


def test_boosted_candidate_comes_first_and_drops_the_overlapping_pair(tmp_path):
    test = write_small_test_file(tmp_path / "test.h5")
    reference = write_handmade_reference(
        tmp_path / "r.h5",
        test,
        {
            "h1": {"b1": [1, 1], "b2": [0, 0], "assignment_probability": [0.9, 0.9], "detection_probability": [1, 1]},
            "h2": {"b1": [2, 2], "b2": [3, 3], "assignment_probability": [0.8, 0.8], "detection_probability": [1, 1]},
            # event 0: AK8 jet 1 (index 10 + 1); event 1: AK8 jet 1 is padding there
            "bh1": {"bb": [11, 11], "assignment_probability": [0.7, 0.7], "detection_probability": [0.9, 0.9]},
            # an AK5 jet: no boosted candidate in our layout
            "bh2": {"bb": [4, 4], "assignment_probability": [0.7, 0.7], "detection_probability": [0.9, 0.9]},
        },
    )
    predictions, summary = import_reference_predictions(reference, test, "ref")
    # Event 0: the boosted Higgs takes slot 0, h1 (jets 0, 1 within ΔR 0.5 of it) is dropped, h2 fills slot 1.
    np.testing.assert_array_equal(predictions.boosted_assignments[0], [1, -1])
    np.testing.assert_array_equal(predictions.resolved_assignments[0], [[-1, -1], [2, 3]])
    np.testing.assert_allclose(predictions.boosted_detection_probability[0, 0], 0.9)
    np.testing.assert_allclose(predictions.resolved_assignment_probability[0, 1], 0.8)
    # Event 1: no boosted candidate, both pairs kept (jet indices sorted), by decreasing score.
    np.testing.assert_array_equal(predictions.boosted_assignments[1], [-1, -1])
    np.testing.assert_array_equal(predictions.resolved_assignments[1], [[0, 1], [2, 3]])
    assert (summary.dropped.other_collection, summary.dropped.padding, summary.dropped.unassigned) == (2, 1, 0)


def test_cli_writes_our_layout(tmp_path, hh_file, capsys):
    reference = write_reference_file(tmp_path / "r.h5", hh_file, 2)
    output = tmp_path / "out" / "pred.h5"
    status = main([str(reference), "--test", str(hh_file), "-o", str(output), "--method", "ref", "--n-higgs", "2"])
    assert status == 0 and "300 events" in capsys.readouterr().out
    written = read_predictions(output)
    assert written.method == "ref" and written.resolved_assignments.shape == (300, 2, 2)


def _with_changed_jet_pt(source: Path, destination: Path, event: int) -> Path:
    shutil.copy(source, destination)
    with h5py.File(destination, "r+") as handle:
        handle[layout.input_key(layout.JETS, "pt")][event, 0] += 1.0
    return destination


def test_other_events_fail_naming_the_files(tmp_path, hh_file, hhh_file, capsys):
    other_count = write_reference_file(tmp_path / "hhh_reference.h5", hhh_file, 2)
    with pytest.raises(ValueError, match=r"hhh_reference.h5 does not hold the events of test file .*300"):
        import_reference_predictions(other_count, hh_file, "ref")
    changed = _with_changed_jet_pt(hh_file, tmp_path / "changed.h5", event=7)
    reference = write_reference_file(tmp_path / "r.h5", changed, 2)
    with pytest.raises(ValueError, match=r"INPUTS/Jets/pt differs in 1 of 300 events"):
        import_reference_predictions(reference, hh_file, "ref")
    output = tmp_path / "pred.h5"
    assert main([str(reference), "--test", str(hh_file), "-o", str(output)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: reference prediction file") and "\n" not in error.strip()
    assert not output.exists() and not list(tmp_path.glob("*.partial"))


def test_fewer_predictions_than_copied_inputs_fail(tmp_path, hh_file):
    reference = write_reference_file(tmp_path / "r.h5", hh_file, 2)
    with h5py.File(reference, "r+") as handle:
        for particle in ("h1", "h2", "bh1", "bh2"):
            for name in list(handle[f"TARGETS/{particle}"]):
                values = handle[f"TARGETS/{particle}/{name}"][:250]
                del handle[f"TARGETS/{particle}/{name}"]
                handle[f"TARGETS/{particle}/{name}"] = values
    with pytest.raises(ValueError, match=r"predictions for 250 events but copied inputs of \[300\] events"):
        import_reference_predictions(reference, hh_file, "ref")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: h.__delitem__("TARGETS/h2/detection_probability"), r"lacks dataset 'TARGETS/h2/detection_prob"),
        (lambda h: h.__delitem__("TARGETS"), r"has no TARGETS or SpecialKey.Targets group"),
        (lambda h: h.move("TARGETS/bh1", "TARGETS/t1"), r"particle 't1' is not one of our event files' particles"),
        (lambda h: h.move("TARGETS/bh1/bb", "TARGETS/bh1/b1"), r"lacks dataset 'TARGETS/bh1/bb'"),
        (lambda h: _replace(h, "TARGETS/h1/b1", np.zeros((300, 2), np.int64)), r"'TARGETS/h1' needs \(N,\) datasets"),
        (lambda h: _replace(h, "TARGETS/h1/b1", np.zeros(299, np.int64)), r"'TARGETS/h1' needs \(N,\) datasets"),
        (lambda h: h.create_dataset("CLASSIFICATIONS/EVENT/signal", data=np.zeros(300)), r"\(N, classes\) softmax"),
    ],
)
def test_bad_reference_file_fails_without_output(tmp_path, hh_file, capsys, change, message):
    reference = write_reference_file(tmp_path / "r.h5", hh_file, 2)
    with h5py.File(reference, "r+") as handle:
        change(handle)
    with pytest.raises(ValueError, match=message):
        import_reference_predictions(reference, hh_file, "ref")
    output = tmp_path / "pred.h5"
    assert main([str(reference), "--test", str(hh_file), "-o", str(output)]) == 2
    assert "r.h5" in capsys.readouterr().err and not output.exists()


def test_too_many_higgs_for_the_slots(tmp_path, hhh_file):
    reference = write_reference_file(tmp_path / "r.h5", hhh_file, 3)
    with pytest.raises(ValueError, match=r"particle 'bh3' beyond 2 Higgs|particle 'h3' beyond 2 Higgs"):
        import_reference_predictions(reference, hhh_file, "ref", n_higgs=2)


def _replace(handle: h5py.File, key: str, values: np.ndarray) -> None:
    del handle[key]
    handle[key] = values


def test_imported_predictions_evaluate_like_any_method(tmp_path, hh_file):
    """A correct reference output reconstructs every reconstructable event: event purity 1."""
    test = shutil.copy(hh_file, tmp_path / "test.h5")
    with h5py.File(test, "r+") as handle:
        handle[layout.truth_event_key("n_jets")] = handle[layout.mask_key(layout.JETS)][...].sum(axis=1)
        for i in (1, 2):
            handle[layout.truth_higgs_key(i, "pt")] = np.full(300, 150.0)
    reference = write_reference_file(tmp_path / "r.h5", Path(test), 2)
    predictions = tmp_path / "pred.h5"
    assert main([str(reference), "--test", str(test), "-o", str(predictions), "--method", "reference_spanet"]) == 0
    metrics = tmp_path / "metrics.json"
    evaluate_main(["--test", str(test), "--predictions", str(predictions), "--n-higgs", "2", "-o", str(metrics)])
    document = json.loads(metrics.read_text())
    assert document["method"] == "reference_spanet"
    every = [jet_bin["label"] for jet_bin in document["events"]["jet_bins"]].index("all")
    for category in document["events"]["categories"].values():
        cell = category["event_purity"][every]
        assert cell["value"] == pytest.approx(1.0)
