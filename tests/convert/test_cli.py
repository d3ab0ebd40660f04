"""The conversion command line end to end: HDF5 layout, weights, reproducibility, and every kind of bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import h5py
import numpy as np
import pytest
import uproot
from delphes_events import collections_from_events

from multihiggs.convert.__main__ import main
from multihiggs.convert.synthetic import write_synthetic_sample
from multihiggs.io import spanet_layout as layout
from multihiggs.io.delphes import write_delphes

N_EVENTS = 2000
HHH_ARGS = ["--sample", "hhh", "--process", "hhh", "--n-higgs", "3", "--min-jets", "6"]


@pytest.fixture(scope="module")
def hhh_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("inputs") / "hhh.root"
    write_synthetic_sample(path, n_events=N_EVENTS, process="hhh", seed=11, kl=1.0, cross_section_pb=0.25)
    return path


def _read_all(path):
    with h5py.File(path, "r") as handle:
        found = {}
        handle.visititems(
            lambda name, item: found.update({name: item[...]}) if isinstance(item, h5py.Dataset) else None
        )
        return found


def _expected_layout(n_higgs):
    """{dataset: (inner shape, dtype kind)} of the SPANet layout."""
    expected = {layout.mask_key(layout.JETS): ((layout.MAX_JETS,), "b")}
    expected |= {layout.input_key(layout.JETS, f): ((layout.MAX_JETS,), "f") for f in layout.JET_FEATURES}
    expected[layout.mask_key(layout.BOOSTED_JETS)] = ((layout.MAX_BOOSTED,), "b")
    expected |= {
        layout.input_key(layout.BOOSTED_JETS, f): ((layout.MAX_BOOSTED,), "f") for f in layout.BOOSTED_FEATURES
    }
    expected |= {layout.input_key(layout.EVENT, f): ((), "f") for f in layout.GLOBAL_FEATURES}
    for i in range(1, n_higgs + 1):
        expected |= {layout.resolved_target_key(i, d): ((), "i") for d in ("b1", "b2")}
        expected[layout.boosted_target_key(i)] = ((), "i")
        expected[layout.mass_weight_key(i)] = ((), "f")
        expected |= {layout.truth_higgs_key(i, q): ((), "f") for q in layout.TRUTH_HIGGS_QUANTITIES}
    expected[layout.classification_key()] = ((), "i")
    expected[layout.event_weight_key()] = ((), "f")
    expected[layout.truth_tag_weight_key()] = ((), "f")
    expected[layout.selection_weight_key()] = ((), "f")
    expected |= {layout.truth_event_key(q): ((), "i") for q in layout.TRUTH_EVENT_QUANTITIES}
    return expected


def test_conversion_writes_the_spanet_layout_with_consistent_weights(hhh_file, tmp_path, capsys):
    assert main(["--input", str(hhh_file), "--output-dir", str(tmp_path / "out"), *HHH_ARGS]) == 0
    summary = capsys.readouterr().out
    files = {name: _read_all(tmp_path / "out" / f"{name}.h5") for name in ("train", "val", "test")}
    expected = _expected_layout(3)
    n_total = 0
    for datasets in files.values():
        assert set(datasets) == set(expected)
        n_events = len(datasets[layout.classification_key()])
        n_total += n_events
        for name, (inner_shape, kind) in expected.items():
            assert datasets[name].shape == (n_events, *inner_shape), name
            assert datasets[name].dtype.kind == kind, name
    assert f'"n_selected": {n_total}' in summary
    assert 0 < n_total < N_EVENTS
    sizes = np.array([len(files[name][layout.classification_key()]) for name in ("train", "val", "test")])
    assert np.allclose(sizes / n_total, [0.7, 0.1, 0.2], atol=0.05)
    # Σ weights over the three files = σ × selection efficiency; κλ from the file metadata.
    total_weight = sum(datasets[layout.event_weight_key()].sum() for datasets in files.values())
    assert total_weight == pytest.approx(0.25 * n_total / N_EVENTS)
    assert all((datasets[layout.input_key(layout.EVENT, "kl")] == 1.0).all() for datasets in files.values())
    train = files["train"]
    assert (train[layout.truth_event_key("n_jets")] >= 6).all()
    assert (train[layout.resolved_target_key(1, "b1")] >= 0).mean() > 0.5
    for name in ("pt", "eta", "mass"):
        assert np.isfinite(train[layout.input_key(layout.JETS, name)]).all()
    assert not list((tmp_path / "out").glob("*.partial"))


def test_rerun_with_other_chunking_gives_identical_files(hhh_file, tmp_path):
    common = ["--input", str(hhh_file), *HHH_ARGS, "--split-seed", "5"]
    assert main([*common, "--output-dir", str(tmp_path / "a"), "--step-size", "2000"]) == 0
    assert main([*common, "--output-dir", str(tmp_path / "b"), "--step-size", "700"]) == 0
    assert main([*common, "--output-dir", str(tmp_path / "c"), "--split-seed", "6"]) == 0
    for name in ("train", "val", "test"):
        first, second = _read_all(tmp_path / "a" / f"{name}.h5"), _read_all(tmp_path / "b" / f"{name}.h5")
        assert all(np.array_equal(first[key], second[key], equal_nan=True) for key in first)
    numbers = lambda run: _read_all(tmp_path / run / "train.h5")[layout.truth_event_key("event_number")]  # noqa: E731
    assert not np.array_equal(numbers("a"), numbers("c"))  # another seed, another split


def test_cross_section_argument_rescales_weights(hhh_file, tmp_path):
    args = [
        "--input",
        str(hhh_file),
        *HHH_ARGS,
        "--kl",
        "2.0",
        "--cross-section-pb",
        "4.0",
        "--output-dir",
        str(tmp_path),
    ]
    assert main(args) == 0
    files = [_read_all(tmp_path / f"{name}.h5") for name in ("train", "val", "test")]
    n_selected = sum(len(f[layout.event_weight_key()]) for f in files)
    assert sum(f[layout.event_weight_key()].sum() for f in files) == pytest.approx(4.0 * n_selected / N_EVENTS)
    assert (files[0][layout.input_key(layout.EVENT, "kl")] == 2.0).all()


def test_mean_weight_convention_divides_by_the_generated_events(tmp_path):
    events = [_one_good_event() | {"number": n, "weight": 3.0} for n in range(4)]  # Σ w / N = σ = 3 pb
    events[0]["jets"] = events[0]["jets"][:2]  # fails the jet count
    path = tmp_path / "mean.root"
    write_delphes(path, collections_from_events(events))
    args = ["--input", str(path), "--output-dir", str(tmp_path / "out"), *HHH_ARGS, "--kl", "1"]
    assert main([*args, "--background", "--weight-convention", "mean", "--split-fractions", "1", "0", "0"]) == 0
    assert _read_all(tmp_path / "out" / "train.h5")[layout.event_weight_key()].sum() == pytest.approx(3.0 * 3 / 4)


def test_module_runs_as_a_program(hhh_file, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "multihiggs.convert", "--input", str(tmp_path / "absent.root"), "--output-dir",
         str(tmp_path), *HHH_ARGS, "--kl", "1"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "does not exist" in result.stderr


# ----------------------------------------------------------------------------------------------- bad input


def _one_good_event():
    return {"jets": [{"PT": 50.0 + i, "Eta": 0.1 * i} for i in range(6)], "fatjets": [{"PT": 300.0}], "number": 1}


def _not_root(path):
    path.write_text("this is not a ROOT file\n")


def _no_delphes_tree(path):
    with uproot.recreate(path) as handle:
        handle.mktree("Events", {"x": np.float64}).extend({"x": np.arange(3.0)})


def _missing_branch(path):
    collections = collections_from_events([_one_good_event()])
    collections["Jet"] = collections["Jet"][[f for f in collections["Jet"].fields if f != "Phi"]]
    write_delphes(path, collections)


def _zero_events(path):
    collections = collections_from_events([_one_good_event()])
    with uproot.recreate(path) as handle:
        handle.mktree(
            "Delphes",
            {name: array.type.content for name, array in collections.items()},
            field_name=lambda outer, inner: f"{outer}.{inner}",
            counter_name=lambda counter: f"{counter}_size",
        )


def _nan_jet(path):
    event = _one_good_event()
    event["jets"][2]["Eta"] = float("nan")
    write_delphes(path, collections_from_events([event, _one_good_event()]))


@pytest.mark.parametrize(
    ("make_input", "message"),
    [
        (_not_root, "is not a ROOT file"),
        (_no_delphes_tree, "no tree 'Delphes'"),
        (_missing_branch, "branch 'Jet.Phi' not found"),
        (_zero_events, "has no events"),
        (_nan_jet, "branch 'Jet.Eta'"),
    ],
)
def test_bad_input_fails_with_one_clear_message_and_no_output(make_input, message, tmp_path, capsys):
    bad = tmp_path / "bad.root"
    make_input(bad)
    out = tmp_path / "out"
    args = ["--input", str(bad), "--output-dir", str(out), *HHH_ARGS, "--kl", "1"]
    assert main(args) == 2
    error = capsys.readouterr().err
    assert message in error and str(bad) in error
    assert error.count("\n") == 1
    assert not out.exists() or not any(out.iterdir())


def test_bad_value_met_after_converted_chunks_leaves_nothing(hhh_file, tmp_path, capsys):
    events = [_one_good_event() for _ in range(5)]
    events[4]["fatjets"][0]["PT"] = float("inf")
    bad = tmp_path / "late_nan.root"
    write_delphes(bad, collections_from_events(events))
    # The good file is converted and its rows written before the bad chunk is met: none may survive.
    inputs = ["--input", str(hhh_file), str(bad), "--step-size", "500"]
    args = [*inputs, "--output-dir", str(tmp_path / "out"), *HHH_ARGS, "--kl", "1"]
    assert main(args) == 2
    assert "FatJet.PT" in capsys.readouterr().err
    assert not any((tmp_path / "out").iterdir())


def test_unknown_kl_and_bad_arguments_are_errors(tmp_path, capsys):
    path = tmp_path / "nometa.root"
    write_delphes(path, collections_from_events([_one_good_event()]))
    assert main(["--input", str(path), "--output-dir", str(tmp_path / "o"), *HHH_ARGS]) == 2
    assert "pass --kl" in capsys.readouterr().err
    bad_fractions = ["--split-fractions", "0.5", "0.5", "0.5", "--kl", "1"]
    assert main(["--input", str(path), "--output-dir", str(tmp_path / "o"), *HHH_ARGS, *bad_fractions]) == 2
    assert "split fractions" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_background_file_has_no_targets(tmp_path):
    path = tmp_path / "qcd.root"
    write_synthetic_sample(path, n_events=800, process="qcd", seed=3)
    args = ["--input", str(path), "--output-dir", str(tmp_path / "out"), "--sample", "qcd", "--process", "qcd"]
    assert main([*args, "--n-higgs", "3", "--min-jets", "6", "--kl", "0"]) == 0
    data = _read_all(tmp_path / "out" / "train.h5")
    assert len(data[layout.classification_key()]) > 0
    assert (data[layout.classification_key()] == 0).all()
    assert (data[layout.resolved_target_key(3, "b2")] == -1).all()
    assert np.isnan(data[layout.truth_higgs_key(1, "mass")]).all()
    assert len(set(data[layout.truth_event_key("sample_id")].tolist())) == 1


def test_tag_rate_weights_write_sampled_tags_with_at_least_n_tagged_jets(tmp_path, capsys):
    path = tmp_path / "qcd.root"
    write_synthetic_sample(path, n_events=1500, process="qcd", seed=4)
    common = ["--input", str(path), "--sample", "qcd", "--process", "qcd", "--n-higgs", "2", "--min-jets", "4"]
    common += ["--kl", "1", "--four-tag", "--tag-rate-weights", "--split-seed", "2"]
    assert main([*common, "--output-dir", str(tmp_path / "a")]) == 0
    assert main([*common, "--output-dir", str(tmp_path / "b"), "--step-size", "400"]) == 0
    assert main([*common, "--output-dir", str(tmp_path / "c"), "--tag-seed", "9"]) == 0
    btag = layout.input_key(layout.JETS, "btag")
    n_events, n_differing = 0, 0
    for name in ("train", "val", "test"):
        data = _read_all(tmp_path / "a" / f"{name}.h5")
        pt, eta = data[layout.input_key(layout.JETS, "pt")], data[layout.input_key(layout.JETS, "eta")]
        candidate = data[layout.mask_key(layout.JETS)] & (pt > 40.0) & (np.abs(eta) < 2.5)
        n_tagged = (candidate & (data[btag] == 1)).sum(axis=1)
        # Every event passes the 4-tag requirement (unless a candidate beyond the 10 stored jets took a tag).
        all_candidates_stored = (data[layout.truth_event_key("n_jets")] <= layout.MAX_JETS) | (pt[:, -1] <= 40.0)
        assert (n_tagged[all_candidates_stored] >= 4).all()
        assert (n_tagged >= 3).all() and all_candidates_stored.mean() > 0.9
        n_events += len(n_tagged)
        rerun = _read_all(tmp_path / "b" / f"{name}.h5")
        assert all(np.array_equal(data[key], rerun[key], equal_nan=True) for key in data)
        other_seed = _read_all(tmp_path / "c" / f"{name}.h5")
        assert np.array_equal(data[layout.event_weight_key()], other_seed[layout.event_weight_key()])
        n_differing += int((data[btag] != other_seed[btag]).any(axis=1).sum())
    # The drawn tags would mostly fail: a hard 4-tag cut keeps only a few of the TRF-weighted events.
    cut = [arg for arg in common if arg != "--tag-rate-weights"]
    capsys.readouterr()
    status = main([*cut, "--output-dir", str(tmp_path / "d")])
    captured = capsys.readouterr()
    assert status == 0 or "keeps 0 of 1500 events" in captured.err
    n_cut = json.loads(captured.out)["n_selected"] if status == 0 else 0
    assert n_events > 200 and n_cut < n_events / 4
    assert n_differing > n_events / 5  # events with exactly 4 candidates have one possible configuration
