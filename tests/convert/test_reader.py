"""The Delphes reader on both branch spellings, including a split-object tree like real Delphes files write."""

from __future__ import annotations

import awkward as ak
import h5py
import numpy as np
import pytest
from delphes_events import collections_from_events, pruned_record
from numpy.testing import assert_allclose

import multihiggs.convert.convert as convert_module
import multihiggs.io.delphes as delphes
from multihiggs.convert.convert import ConversionConfig, convert
from multihiggs.convert.selection import SelectionConfig
from multihiggs.io import spanet_layout as layout


def test_resolve_branch_name_accepts_flat_and_split_spellings():
    assert delphes.resolve_branch_name(["Jet_size", "Jet.PT"], "Jet.PT") == "Jet.PT"
    assert delphes.resolve_branch_name(["Jet", "Jet/Jet.PT", "Jet/Jet.Eta"], "Jet.PT") == "Jet/Jet.PT"
    assert delphes.resolve_branch_name(["Jet/Jet.PTD"], "Jet.PT") is None
    assert delphes.resolve_branch_name(["FatJet/FatJet.Tau[5]"], "FatJet.Tau[5]") == "FatJet/FatJet.Tau[5]"


class _Branch:
    def __init__(self, values: ak.Array) -> None:
        self.values = values

    def array(self, entry_start: int, entry_stop: int, library: str, **options) -> ak.Array:
        assert library == "ak"
        return self.values[entry_start:entry_stop]


class _SplitTree:
    """What uproot shows for a real Delphes tree: split paths, jagged Event, FatJet.Tau[5], SoftDroppedP4[5]."""

    def __init__(self, collections: dict[str, ak.Array]) -> None:
        self.branches: dict[str, ak.Array] = {}
        for name, records in collections.items():
            fields = list(records.fields)
            if name == "FatJet":
                taus = [records[f"Tau{i}"][..., np.newaxis] for i in range(1, 6)]
                self.branches["FatJet/FatJet.Tau[5]"] = ak.concatenate(taus, axis=-1)
                zero = records["SoftDroppedMass"] * 0
                groomed = ak.zip({"fP": ak.zip({"fX": zero, "fY": zero, "fZ": zero}), "fE": records["SoftDroppedMass"]})
                self.branches["FatJet/FatJet.SoftDroppedP4[5]"] = ak.concatenate(
                    [groomed[..., np.newaxis]] * 5, axis=-1
                )
                fields = [f for f in fields if not f.startswith("Tau") and f != "SoftDroppedMass"]
            for field in fields:
                self.branches[f"{name}/{name}.{field}"] = records[field]  # Event fields stay 1-entry lists
        self.num_entries = len(collections["Event"])

    def keys(self, recursive: bool = True, full_paths: bool = True) -> list[str]:
        return [key.split("/")[0] for key in self.branches] + list(self.branches)

    def __getitem__(self, key: str) -> _Branch:
        return _Branch(self.branches[key])


def _events():
    higgs = [
        {"pt": 300.0, "eta": 0.0, "phi": 0.0, "mass": 125.0, "b": [(150.0, 0.0, 0.2), (150.0, 0.0, -0.2)]},
        {"pt": 100.0, "eta": 1.0, "phi": 2.0, "mass": 125.0, "b": [(60.0, 1.0, 2.0), (40.0, 1.5, 2.5)]},
    ]
    jets = [{"PT": 140.0, "Eta": 0.0, "Phi": 0.2, "Flavor": 5}, {"PT": 130.0, "Eta": 0.0, "Phi": -0.2, "Flavor": 5}]
    jets += [{"PT": 50.0, "Eta": 1.0, "Phi": 2.0, "Flavor": 5}, {"PT": 35.0, "Eta": 1.5, "Phi": 2.5, "Flavor": 5}]
    fatjets = [{"PT": 290.0, "Tau1": 0.4, "Tau2": 0.1, "Tau3": 0.05, "SoftDroppedMass": 118.0}]
    return [
        {"particles": pruned_record(higgs), "jets": jets, "fatjets": fatjets, "number": n, "weight": 2.0}
        for n in range(3)
    ]


@pytest.fixture
def split_tree(monkeypatch):
    tree = _SplitTree(collections_from_events(_events()))
    monkeypatch.setattr(delphes, "open_delphes_tree", lambda path: tree)
    monkeypatch.setattr(convert_module, "open_delphes_tree", lambda path: tree)
    return tree


def test_iterate_delphes_reads_the_split_layout(split_tree):
    chunks = list(
        delphes.iterate_delphes(
            "real.root", ["Jet.PT", "FatJet.Tau2", "FatJet.SoftDroppedMass", "Event.Weight"], step_size=2
        )
    )
    assert [len(chunk["Jet.PT"]) for chunk in chunks] == [2, 1]
    assert_allclose(chunks[0]["FatJet.Tau2"].tolist(), [[0.1], [0.1]], rtol=1e-6)
    assert_allclose(chunks[1]["FatJet.SoftDroppedMass"].tolist(), [[118.0]], rtol=1e-6)
    assert chunks[0]["Event.Weight"].ndim == 1
    with pytest.raises(delphes.DelphesInputError, match=r"branch 'Jet\.BTagPhys' not found"):
        next(delphes.iterate_delphes("real.root", ["Jet.BTagPhys"]))


def test_conversion_of_a_split_layout_file(split_tree, tmp_path):
    config = ConversionConfig(
        sample="hh", process="hh", n_higgs=2, kl=1.0, signal=True, selection=SelectionConfig(min_jets=4),
        split_fractions=(1.0, 0.0, 0.0), weight_convention="mean",
    )  # fmt: skip
    summary = convert(["real.root"], tmp_path, config)
    assert summary.n_selected == 3
    with h5py.File(tmp_path / "train.h5", "r") as handle:
        assert_allclose(handle[layout.input_key(layout.BOOSTED_JETS, "tau21")][:, 0], 0.25, rtol=1e-6)
        assert_allclose(handle[layout.input_key(layout.BOOSTED_JETS, "sdmass")][:, 0], 118.0, rtol=1e-6)
        assert (handle[layout.boosted_target_key(1)][...] == 0).all()
        assert (handle[layout.resolved_target_key(2, "b2")][...] == 3).all()
        assert_allclose(handle[layout.event_weight_key()][...], 2.0 / 3)  # mean convention: σ = 2 pb, N = 3
    with h5py.File(tmp_path / "val.h5", "r") as handle:
        assert len(handle[layout.classification_key()]) == 0


def test_written_files_have_many_baskets_so_chunked_reading_stays_linear(tmp_path):
    from multihiggs.convert.synthetic import synthetic_collections

    n_events = delphes.BASKET_EVENTS * 2 + 10
    path = tmp_path / "baskets.root"
    delphes.write_delphes(path, synthetic_collections(n_events, "qcd", seed=0))
    branch = delphes.open_delphes_tree(path)["Jet.PT"]
    assert branch.num_baskets == 3
    chunks = list(delphes.iterate_delphes(path, ["Jet.PT"], step_size=delphes.BASKET_EVENTS))
    assert [len(chunk["Jet.PT"]) for chunk in chunks] == [delphes.BASKET_EVENTS, delphes.BASKET_EVENTS, 10]
