from pathlib import Path

import h5py
import numpy as np
import pytest
from layout_datasets import jet_datasets, no_fatjet_datasets, write_datasets

from multihiggs.baselines.chi2 import chi2_pairing
from multihiggs.baselines.predict import main, resolved_candidates, resolved_predictions
from multihiggs.io import spanet_layout as layout
from multihiggs.io.predictions import read_predictions, write_predictions
from multihiggs.io.readers import read_boosted_features, read_boosted_targets, read_jets, read_signal_labels

from .events import BuiltEvents, build_events, pairings_as_sets


def write_test_file(path: Path, events: BuiltEvents, *, skip: str | None = None) -> None:
    """A minimal SPANet-layout file: the AK5 inputs the baselines read (``skip`` one dataset to break it)."""
    jets = events.jets
    datasets = jet_datasets(jets, btag_upart=np.ones_like(jets.btag)) | no_fatjet_datasets(jets.n_events)
    datasets[layout.classification_key()] = np.ones(jets.n_events, dtype=np.int64)
    for i in range(1, 4):
        datasets[layout.boosted_target_key(i)] = np.full(jets.n_events, -1, dtype=np.int64)
    write_datasets(path, datasets, skip=skip)


@pytest.fixture
def hhh_file(tmp_path) -> tuple[Path, BuiltEvents]:
    events = build_events(25, (125.0, 125.0, 125.0), n_extra=2, seed=31)
    path = tmp_path / "hhh_test.h5"
    write_test_file(path, events)
    return path, events


def test_read_jets_round_trips_the_layout(hhh_file):
    path, events = hhh_file
    jets = read_jets(path)
    for name in ("pt", "eta", "mass", "btag", "mask"):
        np.testing.assert_array_equal(getattr(jets, name), getattr(events.jets, name))
    real = events.jets.mask
    np.testing.assert_allclose(jets.phi[real], events.jets.phi[real], atol=1e-12)
    assert (read_jets(path, btag_working_point="UParT").btag == 1).all()
    features, mask = read_boosted_features(path, ("pt", "tau21"))
    assert set(features) == {"pt", "tau21"} and mask.shape == (25, layout.MAX_BOOSTED)
    assert read_boosted_targets(path, 3).shape == (25, 3)
    assert read_signal_labels(path).tolist() == [1] * 25


def test_missing_dataset_and_file_are_named(tmp_path, hhh_file):
    _, events = hhh_file
    broken = tmp_path / "broken.h5"
    write_test_file(broken, events, skip=layout.input_key(layout.JETS, "cosphi"))
    with pytest.raises(ValueError, match="lacks dataset 'INPUTS/Jets/cosphi'"):
        read_jets(broken)
    with pytest.raises(ValueError, match="cannot open HDF5 input file"):
        read_jets(tmp_path / "absent.h5")
    with pytest.raises(ValueError, match="b-tag working point"):
        read_jets(broken, btag_working_point="DeepJet")


@pytest.mark.parametrize("method", ["chi2", "chi2_all"])
def test_cli_writes_the_chi2_pairing(tmp_path, hhh_file, method):
    path, events = hhh_file
    output = tmp_path / "out" / f"{method}.h5"
    main(["--method", method, "--n-higgs", "3", "-i", str(path), "-o", str(output)])
    predictions = read_predictions(output)
    assert predictions.method == method
    assert pairings_as_sets(predictions.resolved_assignments) == pairings_as_sets(events.true_pairs)
    assert (predictions.boosted_assignments == -1).all()
    assert np.isnan(predictions.resolved_assignment_probability).all()
    assert np.isnan(predictions.signal_score).all()


def test_leading_pt_chi2_pairs_only_the_hardest_jets():
    events = build_events(20, (125.0, 125.0), n_extra=2, seed=4)
    candidates = resolved_candidates("chi2_leading_pt", events.jets, 2)
    hardest = np.argsort(-np.where(events.jets.mask, events.jets.pt, -1.0), axis=1, kind="stable")[:, :4]
    used = np.sort(candidates.jet_pairs.reshape(20, 4), axis=1)
    np.testing.assert_array_equal(used, np.sort(hardest, axis=1))
    no_extra = build_events(20, (125.0, 125.0), n_extra=0, seed=4)
    pairs = resolved_candidates("chi2_leading_pt", no_extra.jets, 2).jet_pairs
    assert pairings_as_sets(pairs) == pairings_as_sets(no_extra.true_pairs)


@pytest.mark.parametrize("method", ["mass_agnostic", "min_delta_r"])
def test_cli_runs_the_hh_pairings(tmp_path, method):
    events = build_events(12, (125.0, 120.0), n_extra=1, seed=2)
    path, output = tmp_path / "hh.h5", tmp_path / f"{method}.h5"
    write_test_file(path, events)
    main(["--method", method, "--n-higgs", "2", "-i", str(path), "-o", str(output), "--hh-jets", "btag_then_pt"])
    predictions = read_predictions(output)
    expected = resolved_candidates(method, read_jets(path), 2, hh_jet_selection="btag_then_pt")
    np.testing.assert_array_equal(predictions.resolved_assignments, expected.jet_pairs)
    assert predictions.n_higgs == 2 and (predictions.resolved_assignments[:, :, 0] >= 0).all()


def test_cli_refuses_an_hh_pairing_for_hhh(tmp_path, hhh_file, capsys):
    path, _ = hhh_file
    with pytest.raises(SystemExit):
        main(["--method", "min_delta_r", "--n-higgs", "3", "-i", str(path), "-o", str(tmp_path / "x.h5")])
    assert "--n-higgs 2" in capsys.readouterr().err
    with pytest.raises(ValueError, match="HH only"):
        resolved_candidates("mass_agnostic", read_jets(path), 3)
    with pytest.raises(ValueError, match="unknown resolved baseline"):
        resolved_candidates("spanet", read_jets(path), 3)


def test_predictions_round_trip(tmp_path, hhh_file):
    path, _ = hhh_file
    candidates = chi2_pairing(read_jets(path), 3)
    predictions = resolved_predictions("chi2_all", candidates)
    write_predictions(tmp_path / "pred.h5", predictions)
    back = read_predictions(tmp_path / "pred.h5")
    np.testing.assert_array_equal(back.resolved_assignments, candidates.jet_pairs)
    assert back.method == "chi2_all" and back.n_events == 25 and back.n_higgs == 3
    assert np.isnan(back.boosted_detection_probability).all()


def test_module_runs_as_a_script(tmp_path, hhh_file):
    import subprocess
    import sys

    path, events = hhh_file
    output = tmp_path / "script.h5"
    command = [sys.executable, "-m", "multihiggs.baselines.predict", "--method", "chi2", "--n-higgs", "3"]
    subprocess.run([*command, "-i", str(path), "-o", str(output)], check=True)
    assert pairings_as_sets(read_predictions(output).resolved_assignments) == pairings_as_sets(events.true_pairs)


def test_cli_runs_chi2_bdt_with_the_stored_working_point(tmp_path):
    from multihiggs.baselines.fatjet_bdt import FATJET_FEATURES, save_fatjet_bdt, stored_threshold, train_fatjet_bdt

    rng = np.random.default_rng(12)
    signal_like = np.column_stack([rng.normal(1.0, 0.1, 200)] * len(FATJET_FEATURES))
    background_like = np.column_stack([rng.normal(-1.0, 0.1, 200)] * len(FATJET_FEATURES))
    model = train_fatjet_bdt(np.vstack([signal_like, background_like]), np.repeat([1, 0], 200), seed=0, n_estimators=5)
    model_path = tmp_path / "bdt.json"
    save_fatjet_bdt(model, model_path, threshold=0.5)
    assert stored_threshold(model) == 0.5

    events = build_events(6, (125.0, 125.0, 125.0), seed=40)
    path = tmp_path / "mixed.h5"
    write_test_file(path, events)
    with h5py.File(path, "r+") as handle:
        # AK8 slot 0 of the first three events looks like signal, slot 1 of every event like background.
        values = np.zeros((6, layout.MAX_BOOSTED))
        values[:3, 0], values[:, 1] = 1.0, -1.0
        for name in FATJET_FEATURES:
            handle[layout.input_key(layout.BOOSTED_JETS, name)][...] = values
        handle[layout.input_key(layout.BOOSTED_JETS, "cosphi")][...] = 1.0
        mask = np.zeros((6, layout.MAX_BOOSTED), dtype=bool)
        mask[:3, 0], mask[:, 1] = True, True
        handle[layout.mask_key(layout.BOOSTED_JETS)][...] = mask

    output = tmp_path / "chi2_bdt.h5"
    main(["--method", "chi2_bdt", "--n-higgs", "3", "-i", str(path), "-o", str(output), "--bdt-model", str(model_path)])
    predictions = read_predictions(output)
    assert predictions.boosted_assignments.tolist() == [[0, -1, -1]] * 3 + [[-1, -1, -1]] * 3
    assert (predictions.boosted_detection_probability[:3, 0] > 0.5).all()
    assert (predictions.resolved_assignments[3:] >= 0).all()
    with pytest.raises(SystemExit):
        main(["--method", "chi2_bdt", "--n-higgs", "3", "-i", str(path), "-o", str(output)])
