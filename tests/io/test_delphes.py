"""The Delphes reader/writer: round trip, both branch spellings, and one clear error per bad input."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from multihiggs.io.delphes import (
    DelphesInputError,
    btag_bit,
    iterate_delphes,
    read_delphes,
    read_metadata,
    resolve_branch_name,
    write_delphes,
)


def _collections(n_events: int = 5) -> dict[str, ak.Array]:
    jets = [
        [{"PT": np.float32(30.0 + i + j), "Eta": np.float32(0.1 * j), "BTag": np.int32(j % 4)} for j in range(i % 3)]
        for i in range(n_events)
    ]
    fat = [
        [
            {
                "PT": np.float32(300.0),
                "Tau1": np.float32(0.3),
                "Tau2": np.float32(0.1),
                "SoftDroppedMass": np.float32(120),
            }
        ]
        for _ in range(n_events)
    ]
    event = [[{"Number": np.int64(i), "Weight": 0.25}] for i in range(n_events)]
    return {"Event": ak.Array(event), "Jet": ak.Array(jets), "FatJet": ak.Array(fat)}


def test_round_trip_and_metadata(tmp_path):
    path = tmp_path / "sample.root"
    write_delphes(path, _collections(), {"sample": "hh_kl1", "cross_section_pb": 0.02})
    arrays = read_delphes(path, ["Jet.PT", "Jet.BTag", "Event.Weight", "FatJet.Tau2", "FatJet.SoftDroppedMass"])
    assert ak.num(arrays["Jet.PT"]).tolist() == [0, 1, 2, 0, 1]
    assert arrays["Event.Weight"].ndim == 1 and ak.all(arrays["Event.Weight"] == 0.25)
    assert ak.all(arrays["FatJet.SoftDroppedMass"] == 120)
    assert read_metadata(path) == {"sample": "hh_kl1", "cross_section_pb": 0.02}
    assert not (tmp_path / "sample.root.partial").exists()


def test_iterate_chunks_cover_file(tmp_path):
    path = tmp_path / "sample.root"
    write_delphes(path, _collections(7))
    chunks = list(iterate_delphes(path, ["Event.Number"], step_size=3))
    assert [len(chunk["Event.Number"]) for chunk in chunks] == [3, 3, 1]
    assert ak.concatenate([c["Event.Number"] for c in chunks]).tolist() == list(range(7))


def test_resolve_both_spellings():
    flat = ["Jet_size", "Jet.PT", "Jet.Eta"]
    split = ["Jet", "Jet/Jet.PT", "Jet/Jet.Eta", "FatJet/FatJet.Tau[5]"]
    assert resolve_branch_name(flat, "Jet.PT") == "Jet.PT"
    assert resolve_branch_name(split, "Jet.PT") == "Jet/Jet.PT"
    assert resolve_branch_name(split, "FatJet.Tau[5]") == "FatJet/FatJet.Tau[5]"
    assert resolve_branch_name(split, "Jet.Mass") is None


def test_missing_branch_is_named(tmp_path):
    path = tmp_path / "sample.root"
    write_delphes(path, _collections())
    with pytest.raises(DelphesInputError, match="branch 'Jet.Mass' not found"):
        read_delphes(path, ["Jet.Mass"])


def test_not_root_empty_and_missing_tree(tmp_path):
    text = tmp_path / "text.root"
    text.write_text("this is not a ROOT file")
    with pytest.raises(DelphesInputError, match="is not a ROOT file"):
        read_delphes(text, ["Jet.PT"])
    empty = tmp_path / "empty.root"
    empty.write_bytes(b"")
    with pytest.raises(DelphesInputError, match="empty"):
        read_delphes(empty, ["Jet.PT"])
    import uproot

    other = tmp_path / "other.root"
    with uproot.recreate(other) as handle:
        handle["Events"] = {"x": np.arange(3)}
    with pytest.raises(DelphesInputError, match="no tree 'Delphes'"):
        read_delphes(other, ["Jet.PT"])
    with pytest.raises(DelphesInputError, match="does not exist"):
        read_delphes(tmp_path / "absent.root", ["Jet.PT"])


def test_zero_events_rejected(tmp_path):
    with pytest.raises(ValueError, match="no events"):
        write_delphes(tmp_path / "x.root", {"Jet": ak.Array([[{"PT": 1.0}]])[:0]})
    import uproot

    path = tmp_path / "zero.root"
    with uproot.recreate(path) as handle:
        handle.mktree("Delphes", {"Jet.PT": "float32"})
    with pytest.raises(DelphesInputError, match="no events"):
        read_delphes(path, ["Jet.PT"])


def test_btag_bits():
    mask = np.array([0, 1, 2, 3])
    assert btag_bit(mask, "CSV").tolist() == [False, True, False, True]
    assert btag_bit(mask, "UParT").tolist() == [False, False, True, True]
    with pytest.raises(ValueError, match="working point"):
        btag_bit(mask, "DeepJet")
