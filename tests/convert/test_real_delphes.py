"""Real Delphes files made by others: the shared Delphes 3.4.2 CMS-card file, and what other cards and versions do
differently (absent branches, other b-tag bits, other collection names, a filtered Phase-II generator record)."""

from __future__ import annotations

import json
from pathlib import Path

import awkward as ak
import h5py
import numpy as np
import pytest
import uproot
from delphes_events import collections_from_events

from multihiggs.convert.__main__ import main
from multihiggs.convert.synthetic import write_synthetic_sample
from multihiggs.convert.truth import RecordLinkError, find_truth_higgs
from multihiggs.io import spanet_layout as layout
from multihiggs.io.delphes import DelphesInputError, iterate_delphes, plan_branches, remap_btag_bits, write_delphes

FIXTURE = Path(__file__).resolve().parents[2].parent / "shared/fixtures/delphes/cms_delphes-3.4.2_ttH_10events.root"
needs_fixture = pytest.mark.skipif(not FIXTURE.is_file(), reason=f"shared fixture {FIXTURE} absent (CI has ../shared)")
HH_ARGS = ["--sample", "tth", "--process", "hh", "--n-higgs", "2", "--min-jets", "4", "--kl", "1"]
PARTICLE_LEAVES = ("PID", "M1", "M2", "D1", "D2", "PT", "Eta", "Phi", "Mass")


def _read_all(directory: Path) -> dict[str, np.ndarray]:
    """Every dataset of train, val and test, concatenated in that order."""
    parts: dict[str, list[np.ndarray]] = {}
    for split in ("train", "val", "test"):
        with h5py.File(directory / f"{split}.h5", "r") as handle:
            handle.visititems(
                lambda name, item: (
                    parts.setdefault(name, []).append(item[...]) if isinstance(item, h5py.Dataset) else None
                )
            )
    return {name: np.concatenate(values) for name, values in parts.items()}


def _fixture_particles() -> dict[str, ak.Array]:
    tree = uproot.open(FIXTURE)["Delphes"]
    return {leaf: tree[f"Particle/Particle.{leaf}"].array() for leaf in PARTICLE_LEAVES}


@needs_fixture
def test_the_delphes_342_cms_file_converts_with_its_jets_tags_and_truth(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["--input", str(FIXTURE), "--output-dir", str(out), *HH_ARGS, "--weight-convention", "mean"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    # Delphes 3.4.2 has no FatJet.ChargedEnergyFraction (3.4.3 added it): filled and named once.
    assert summary["absent_inputs"] == ["FatJet.ChargedEnergyFraction"]
    assert captured.err.count("FatJet.ChargedEnergyFraction") == 1
    assert summary["n_generated"] == 10 and summary["n_truth_higgs"] == 10  # ttH, H -> bb in every event
    # Every event carries σ = 0.574 pb (MadGraph's average convention): Σ w / N = σ.
    assert summary["sum_weights_pb"] == pytest.approx(0.574, rel=1e-3)

    data = _read_all(out)
    with h5py.File(out / "train.h5", "r") as handle:
        assert json.loads(handle.attrs["absent_inputs"]) == ["FatJet.ChargedEnergyFraction"]
    tree = uproot.open(FIXTURE)["Delphes"]
    jets = tree.arrays(["Jet.PT", "Jet.Eta", "Jet.BTag"])
    order = np.argsort(data[layout.truth_event_key("event_number")])
    for row, event in enumerate(order):
        keep = (jets["Jet.PT"][row] > 20.0) & (np.abs(jets["Jet.Eta"][row]) < 2.5)
        pt, btag = ak.to_numpy(jets["Jet.PT"][row][keep]), ak.to_numpy(jets["Jet.BTag"][row][keep])
        by_pt = np.argsort(-pt, kind="stable")[: layout.MAX_JETS]
        n = len(by_pt)
        np.testing.assert_allclose(data[layout.input_key(layout.JETS, "pt")][event, :n], pt[by_pt], rtol=1e-6)
        np.testing.assert_array_equal(data[layout.input_key(layout.JETS, "btag")][event, :n], btag[by_pt] & 1)
        assert not data[layout.mask_key(layout.JETS)][event, n:].any()
    # Matched b jets carry b flavour and lie within ΔR 0.5 of the truth b quarks: targets exist for most Higgs.
    matched = data[layout.resolved_target_key(1, "b1")] >= 0
    assert matched.sum() >= 5
    assert np.isnan(data[layout.truth_higgs_key(2, "pt")]).all()  # one Higgs per ttH event


@needs_fixture
def test_a_cross_section_overrides_the_weight_convention(tmp_path, capsys):
    args = ["--input", str(FIXTURE), "--output-dir", str(tmp_path / "o"), *HH_ARGS, "--cross-section-pb", "0.5071"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["sum_weights_pb"] == pytest.approx(0.5071)


@needs_fixture
def test_full_record_of_the_fixture_passes_the_link_check_and_a_filtered_one_is_refused():
    particles = _fixture_particles()
    truth = find_truth_higgs(*(particles[leaf] for leaf in PARTICLE_LEAVES), n_higgs=1)
    assert np.isfinite(truth.b_pt).all()
    # What a Phase-II card writes: only some particles, with mother/daughter indices into the unfiltered record.
    pid, status = particles["PID"], uproot.open(FIXTURE)["Delphes"]["Particle/Particle.Status"].array()
    keep = (np.abs(pid) == 5) | (np.abs(pid) == 25) | ((status == 1) & (particles["PT"] > 5.0))
    filtered = {leaf: values[keep] for leaf, values in particles.items()}
    with pytest.raises(RecordLinkError, match="filtered"):
        find_truth_higgs(*(filtered[leaf] for leaf in PARTICLE_LEAVES), n_higgs=1)


@needs_fixture
def test_a_file_with_a_filtered_generator_record_stops_the_conversion(tmp_path, capsys):
    particles = _fixture_particles()
    tree = uproot.open(FIXTURE)["Delphes"]
    keep = (np.abs(particles["PID"]) == 5) | (np.abs(particles["PID"]) == 25)
    jets = tree.arrays([f"Jet.{leaf}" for leaf in ("PT", "Eta", "Phi", "Mass", "BTag", "Flavor")])
    collections = {
        "Event": ak.zip({"Number": ak.singletons(ak.local_index(jets["Jet.PT"], axis=0))}),
        "Jet": ak.zip({leaf: jets[f"Jet.{leaf}"] for leaf in ("PT", "Eta", "Phi", "Mass", "BTag", "Flavor")}),
        "Particle": ak.zip({leaf: values[keep] for leaf, values in particles.items()}),
    }
    path = tmp_path / "phase2.root"
    write_delphes(path, collections)
    out = tmp_path / "out"
    assert main(["--input", str(path), "--output-dir", str(out), *HH_ARGS, "--cross-section-pb", "1"]) == 2
    error = capsys.readouterr().err
    assert "filtered" in error and "Phase-II" in error and error.count("\n") == 1
    assert not out.exists() or not any(out.iterdir())


@needs_fixture
def test_a_missing_required_branch_lists_the_keys_of_its_own_collection(tmp_path):
    with pytest.raises(DelphesInputError) as raised:
        plan_branches(FIXTURE, ["Jet.PT", "Jet.Energy"])
    message = str(raised.value)
    assert "'Jet.Energy' not found" in message and "keys of collection 'Jet'" in message
    assert "Jet/Jet.PT" in message and "FatJet" not in message and "…" in message


@needs_fixture
def test_a_truncated_copy_is_reported_as_truncated(tmp_path, capsys):
    truncated = tmp_path / "truncated.root"
    truncated.write_bytes(FIXTURE.read_bytes()[:200_000])
    out = tmp_path / "out"
    (out).mkdir()
    (out / "train.h5").write_bytes(b"stale output of an earlier run")
    assert main(["--input", str(truncated), "--output-dir", str(out), *HH_ARGS]) == 2
    error = capsys.readouterr().err
    assert "is truncated" in error and "200000" in error
    assert not any(out.iterdir())  # the earlier run's file is gone too


def _jets_only_file(path: Path, collection: str = "Jet", btag: int = 0b101, flavour: bool = True) -> None:
    """Five events of six b-tagged jets in a collection named ``collection``, no FatJet, a constant weight."""
    n_events, n_jets = 5, 6
    counts = np.full(n_events, n_jets)
    fields = {
        "PT": np.tile(np.linspace(200.0, 50.0, n_jets), n_events).astype(np.float32),
        "Eta": np.tile(np.linspace(-2.0, 2.0, n_jets), n_events).astype(np.float32),
        "Phi": np.tile(np.linspace(-3.0, 3.0, n_jets), n_events).astype(np.float32),
        "Mass": np.full(n_events * n_jets, 10.0, dtype=np.float32),
        "BTag": np.full(n_events * n_jets, btag, dtype=np.int32),
    }
    if flavour:
        fields["Flavor"] = np.full(n_events * n_jets, 5, dtype=np.int32)
    event = ak.zip({"Number": np.arange(n_events, dtype=np.int64), "Weight": np.full(n_events, 0.3, np.float32)})
    write_delphes(
        path,
        {"Event": ak.unflatten(event, np.ones(n_events, np.int64)), collection: ak.unflatten(ak.zip(fields), counts)},
    )


def test_optional_inputs_absent_are_filled_masked_and_named(tmp_path, capsys):
    path = tmp_path / "jets_only.root"
    _jets_only_file(path, flavour=False)
    args = ["--input", str(path), "--output-dir", str(tmp_path / "o"), "--sample", "qcd", "--process", "qcd"]
    assert main([*args, "--n-higgs", "2", "--min-jets", "4", "--weight-convention", "mean"]) == 0  # no κλ needed
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert "FatJet.PT" in summary["absent_inputs"] and "Jet.Flavor" in summary["absent_inputs"]
    assert summary["sum_weights_pb"] == pytest.approx(0.3)
    assert captured.err.startswith("note: sample qcd: the input files lack ") and captured.err.count("\n") == 1
    data = _read_all(tmp_path / "o")
    assert not data[layout.mask_key(layout.BOOSTED_JETS)].any()  # no FatJet collection: every AK8 slot masked
    assert (data[layout.input_key(layout.JETS, "btag")][:, :6] == 1).all()  # bit 0 of 0b101


def test_absent_fill_shapes_follow_the_collection(tmp_path):
    path = tmp_path / "jets_only.root"
    _jets_only_file(path, flavour=False)
    chunks = list(iterate_delphes(path, ["Jet.PT", "Jet.Flavor", "FatJet.Tau2", "Event.Number"], 2,
                                  optional=["Jet.Flavor", "FatJet.Tau2"]))  # fmt: skip
    assert [len(chunk["Jet.PT"]) for chunk in chunks] == [2, 2, 1]
    flavour = ak.concatenate([chunk["Jet.Flavor"] for chunk in chunks])
    assert ak.num(flavour).tolist() == [6] * 5 and ak.all(flavour == 0)
    assert ak.num(ak.concatenate([chunk["FatJet.Tau2"] for chunk in chunks])).tolist() == [0] * 5
    with pytest.raises(DelphesInputError, match="branch 'Jet.Flavor' not found"):
        list(iterate_delphes(path, ["Jet.Flavor"]))


def test_btag_bits_of_another_card_map_onto_our_working_points(tmp_path, capsys):
    bitmask = np.array([0b000, 0b001, 0b010, 0b100, 0b111])
    np.testing.assert_array_equal(remap_btag_bits(bitmask, {"CSV": 2, "UParT": 0}), [0, 2, 0, 1, 3])
    np.testing.assert_array_equal(remap_btag_bits(bitmask, {"CSV": 1, "UParT": None}), [0, 0, 1, 0, 1])
    with pytest.raises(ValueError, match="unknown b-tag working points"):
        remap_btag_bits(bitmask, {"Tight": 2})
    # A Phase-II-like card: loose/medium/tight in bits 0/1/2; the jets here set bits 0 and 2 (0b101).
    path = tmp_path / "phase2_tags.root"
    _jets_only_file(path, btag=0b101)
    common = ["--input", str(path), "--sample", "qcd", "--process", "qcd", "--n-higgs", "2", "--min-jets", "4"]
    assert main([*common, "--output-dir", str(tmp_path / "a"), "--btag-bits", "CSV=1", "UParT=2"]) == 0
    data = _read_all(tmp_path / "a")
    assert (data[layout.input_key(layout.JETS, "btag")][:, :6] == 0).all()
    assert (data[layout.input_key(layout.JETS, "btag_upart")][:, :6] == 1).all()
    assert main([*common, "--output-dir", str(tmp_path / "b"), "--btag-bits", "UParT=none"]) == 0
    assert "Jet.BTag[UParT]" in json.loads(capsys.readouterr().out.splitlines()[-1])["absent_inputs"]
    assert (_read_all(tmp_path / "b")[layout.input_key(layout.JETS, "btag_upart")] == 0).all()
    four_tag = ["--four-tag", "--tag-working-point", "UParT", "--btag-bits", "UParT=none"]
    assert main([*common, "--output-dir", str(tmp_path / "c"), *four_tag]) == 2
    assert "btag_bits marks as absent" in capsys.readouterr().err


def test_collections_under_other_names_or_absent(tmp_path, capsys):
    path = tmp_path / "puppi.root"
    _jets_only_file(path, collection="JetPUPPI")
    common = ["--input", str(path), "--sample", "qcd", "--process", "qcd", "--n-higgs", "2", "--min-jets", "4"]
    assert main([*common, "--output-dir", str(tmp_path / "a")]) == 2
    assert "branch 'Jet.PT' not found" in capsys.readouterr().err
    assert main([*common, "--output-dir", str(tmp_path / "b"), "--collections", "Jet=JetPUPPI", "FatJet=none"]) == 0
    assert json.loads(capsys.readouterr().out)["n_selected"] == 5
    assert main([*common, "--output-dir", str(tmp_path / "c"), "--collections", "Jet=none"]) == 2
    assert "cannot be absent" in capsys.readouterr().err


def test_a_signal_sample_without_truth_higgs_and_an_empty_selection_are_errors(tmp_path, capsys):
    path = tmp_path / "qcd.root"
    write_synthetic_sample(path, n_events=300, process="qcd", seed=5)
    common = ["--input", str(path), "--n-higgs", "2", "--kl", "1"]
    assert (
        main([*common, "--output-dir", str(tmp_path / "a"), "--sample", "x", "--process", "hh", "--min-jets", "4"]) == 2
    )
    assert "no truth Higgs boson" in capsys.readouterr().err
    args = [*common, "--output-dir", str(tmp_path / "b"), "--sample", "q", "--process", "qcd", "--min-jets", "30"]
    assert main(args) == 2
    assert "keeps 0 of 300 events" in capsys.readouterr().err
    assert not any((tmp_path / "b").iterdir())


def test_background_without_metadata_needs_no_kl(tmp_path, capsys):
    path = tmp_path / "qcd.root"
    write_delphes(path, collections_from_events([{"jets": [{"PT": 60.0, "Eta": 0.1 * i} for i in range(4)]}]))
    args = ["--input", str(path), "--output-dir", str(tmp_path / "o"), "--sample", "q", "--process", "qcd"]
    assert main([*args, "--n-higgs", "2", "--min-jets", "4"]) == 0
    assert json.loads(capsys.readouterr().out)["n_selected"] == 1
