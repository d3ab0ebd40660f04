"""Event YAML parsing: the project's event files, the permutation groups and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from spanet_synthetic import event_yaml

from multihiggs.spanet.event_info import EventInfo, EventInfoError

EVENT_FILES = Path(__file__).resolve().parents[2] / "config" / "event_files"


@pytest.mark.parametrize(
    ("name", "n_higgs", "btag", "has_kl", "has_signal"),
    [
        ("hh", 2, "btag", False, False),
        ("hhh", 3, "btag", False, False),
        ("hh_btag_upgrade", 2, "btag_upart", False, False),
        ("hhh_btag_upgrade", 3, "btag_upart", False, False),
        ("hh_kl", 2, "btag", True, True),
    ],
)
def test_project_event_files(name, n_higgs, btag, has_kl, has_signal):
    info = EventInfo.read(EVENT_FILES / f"{name}.yaml")
    resolved = [f"h{i}" for i in range(1, n_higgs + 1)]
    boosted = [f"bh{i}" for i in range(1, n_higgs + 1)]
    assert info.particle_names == (*resolved, *boosted)
    assert btag in [feature.name for feature in info.sequential_inputs["Jets"]]
    assert ("Event" in info.global_inputs) == has_kl
    assert (info.classifications == ("signal",)) == has_signal
    assert len(info.event_group) == (2 if n_higgs == 2 else 6)
    for permutation in info.event_group:  # h_i and bh_i always move together
        for i in range(n_higgs):
            assert permutation[n_higgs + i] == n_higgs + permutation[i]
    assert all(info.particle(name).symmetric for name in resolved)
    assert all(info.particle(name).n_daughters == 1 for name in boosted)


def test_feature_flags():
    info = EventInfo.from_mapping(event_yaml(kl=True))
    flags = {feature.name: (feature.log_scale, feature.normalize) for feature in info.sequential_inputs["Jets"]}
    assert flags["pt"] == (True, True)
    assert flags["eta"] == (False, True)
    assert flags["btag"] == (False, False)
    assert info.global_inputs["Event"][0].normalize


def test_full_symmetric_group_from_flat_list():
    mapping = event_yaml(n_higgs=3, boosted=False)
    mapping["PERMUTATIONS"]["EVENT"] = [["h1", "h2", "h3"]]
    assert len(EventInfo.from_mapping(mapping).event_group) == 6


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m["INPUTS"]["SEQUENTIAL"]["Jets"].update(pt="sqrt"), "Jets/pt"),
        (lambda m: m["EVENT"].update(h1=["b1", "b2"]), "must name its input"),
        (lambda m: m["EVENT"].update(h1=[{"b1": "Muons"}, {"b2": "Jets"}]), "Muons"),
        (lambda m: m["PERMUTATIONS"].update(EVENT=[[["h1", "bh1"]]]), "decay differently"),
        (lambda m: m["PERMUTATIONS"].update(EVENT=[["h1", "h7"]]), "h7"),
        (lambda m: m.update(TARGETS={}), "TARGETS"),
        (lambda m: m.pop("EVENT"), "EVENT"),
        (lambda m: m["EVENT"].update(t=[{"a": "Jets"}, {"b": "Jets"}, {"c": "Jets"}]), "at most 2"),
    ],
)
def test_bad_event_files_name_the_problem(change, message):
    mapping = event_yaml()
    change(mapping)
    with pytest.raises(EventInfoError, match=message):
        EventInfo.from_mapping(mapping)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(EventInfoError, match="nowhere.yaml"):
        EventInfo.read(tmp_path / "nowhere.yaml")
