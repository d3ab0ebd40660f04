"""Comparing results trees: stamps set aside, content compared by kind, missing and extra outputs reported."""

from __future__ import annotations

import dataclasses
import json

import h5py
import numpy as np
import pytest

from multihiggs.io.compare import compare_trees, main, same_content
from multihiggs.provenance import STAMP_KEY, current_stamp, stamp_comment


def _h5(path, values, stamp):
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as handle:
        handle.attrs[STAMP_KEY] = stamp
        handle.attrs["n_higgs"] = 2
        handle.create_dataset("TARGETS/h1/b1", data=np.asarray(values))


def _tree(root, stamp, values=(1.0, np.nan, 3.0), auc=0.9):
    _h5(root / "h5" / "hh" / "test.h5", values, stamp)
    (root / "metrics").mkdir(parents=True)
    (root / "metrics" / "m.json").write_text(json.dumps({"auc": auc, STAMP_KEY: {"commit": stamp}}))
    (root / "tables").mkdir(parents=True)
    comment = stamp_comment(".md", dataclasses.replace(current_stamp(), git_commit=stamp))
    (root / "tables" / "t.md").write_text(f"| a |\n|---|\n| 1 |\n{comment}\n")
    (root / "logs").mkdir(parents=True)
    (root / "logs" / "job.log").write_text(f"took {len(stamp)} s\n")


def test_trees_differing_only_in_their_stamps_are_the_same(tmp_path):
    _tree(tmp_path / "a", "commit-a")
    _tree(tmp_path / "b", "commit-bbbb")
    comparison = compare_trees(tmp_path / "a", tmp_path / "b")
    assert comparison.same and len(comparison.identical) == 3 and not comparison.not_compared
    assert main([str(tmp_path / "a"), str(tmp_path / "b")]) == 0


def test_a_changed_value_a_missing_and_an_extra_output_are_reported(tmp_path, capsys):
    _tree(tmp_path / "a", "x")
    _tree(tmp_path / "b", "x", values=(1.0, np.nan, 3.5), auc=0.91)
    (tmp_path / "a" / "tables" / "extra.tex").write_text("x\n")
    (tmp_path / "b" / "figures").mkdir()
    (tmp_path / "b" / "figures" / "f.pdf").write_bytes(b"%PDF")
    comparison = compare_trees(tmp_path / "a", tmp_path / "b")
    assert comparison.different == ["h5/hh/test.h5", "metrics/m.json"]
    assert comparison.only_first == ["tables/extra.tex"] and comparison.only_second == ["figures/f.pdf"]
    assert main([str(tmp_path / "a"), str(tmp_path / "b"), "--only", "tables"]) == 1
    assert "only in the first: tables/extra.tex" in capsys.readouterr().out


def test_dtype_and_kind_rules(tmp_path):
    _h5(tmp_path / "a.h5", np.array([1, 2], dtype=np.int64), "s")
    _h5(tmp_path / "b.h5", np.array([1, 2], dtype=np.int32), "s")
    assert same_content(tmp_path / "a.h5", tmp_path / "b.h5") is False
    (tmp_path / "a.tsv").write_text("1\n")
    assert same_content(tmp_path / "a.tsv", tmp_path / "a.tsv") is None
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="cannot compare"):
        same_content(tmp_path / "bad.json", tmp_path / "bad.json")
    assert main([str(tmp_path / "absent"), str(tmp_path)]) == 2


def test_joblib_models_compare_by_state_not_pickle_bytes(tmp_path):
    """Pickle writes an object shared twice once (a memo reference) but two equal copies twice: the bytes differ
    while the content is the same, as for one model pickled in two processes (string interning)."""
    import joblib
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(np.arange(6.0).reshape(3, 2))
    name = "".join(["mean", "_"])
    shared = {"models": [scaler, scaler], "names": [name, name], STAMP_KEY: "a"}
    copies = {"models": [scaler, joblib.load(_dump(tmp_path / "s.joblib", scaler))], "names": ["mean_", "mean_"],
              STAMP_KEY: "b"}  # fmt: skip
    _dump(tmp_path / "shared.joblib", shared)
    _dump(tmp_path / "copies.joblib", copies)
    assert (tmp_path / "shared.joblib").read_bytes() != (tmp_path / "copies.joblib").read_bytes()
    assert same_content(tmp_path / "shared.joblib", tmp_path / "copies.joblib") is True
    other = StandardScaler().fit(np.arange(6.0).reshape(3, 2) * 2)
    _dump(tmp_path / "other.joblib", {**copies, "models": [scaler, other]})
    assert same_content(tmp_path / "shared.joblib", tmp_path / "other.joblib") is False


def _dump(path, content):
    import joblib

    joblib.dump(content, path)
    return path


def test_jagged_root_branches_compare_event_by_event(tmp_path):
    import awkward as ak
    import uproot

    for name, last in (("a", 3.0), ("b", 3.0), ("c", 4.0)):
        jets = {"Jet": ak.zip({"PT": ak.Array([[1.0, 2.0], [last]])})}
        with uproot.recreate(tmp_path / f"{name}.root") as handle:
            handle.mktree("Delphes", {"Jet": jets["Jet"].type.content}).extend(jets)
            handle["Ntuple"] = jets  # uproot 5.7 writes a dict as an RNTuple
    assert same_content(tmp_path / "a.root", tmp_path / "b.root") is True
    assert same_content(tmp_path / "a.root", tmp_path / "c.root") is False
