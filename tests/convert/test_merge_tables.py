"""Merging converted files (κλ for background, balance, flat-mass weights, shuffle) and the matching tables."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from multihiggs.convert.convert import sample_id
from multihiggs.convert.h5append import AppendableH5
from multihiggs.convert.merge import flat_mass_weights, main, mass_bin_edges
from multihiggs.convert.tables import fraction_rows, reconstructable_counts, to_latex, to_markdown
from multihiggs.convert.tables import main as tables_main
from multihiggs.io import spanet_layout as layout
from multihiggs.io.spanet_layout import ATTR_MIN_JETS, ATTR_N_HIGGS, ATTR_SAMPLE_NAMES
from multihiggs.provenance import current_stamp, split_stamp_comment


def _converted(path, sample, signal, masses, kl=1.0, n_higgs=2, targets=None, n_jets=None):
    """A converted-file stand-in: the datasets merge and tables read, with known content."""
    masses = np.asarray(masses, dtype=np.float32).reshape(-1, n_higgs)
    n = len(masses)
    columns = {
        layout.classification_key(): np.full(n, int(signal), dtype=np.int64),
        layout.input_key(layout.EVENT, "kl"): np.full(n, kl, dtype=np.float32),
        layout.truth_event_key("event_number"): np.arange(n, dtype=np.int64),
        layout.truth_event_key("sample_id"): np.full(n, sample_id(sample), dtype=np.int64),
        layout.truth_event_key("n_jets"): np.full(n, 4) if n_jets is None else np.asarray(n_jets),
    }
    targets = np.full((n, n_higgs, 3), -1) if targets is None else np.asarray(targets)
    for i in range(1, n_higgs + 1):
        columns[layout.truth_higgs_key(i, "mass")] = masses[:, i - 1]
        columns[layout.truth_higgs_key(i, "pt")] = np.arange(n, dtype=np.float32) + 1000 * i  # row identity
        columns[layout.mass_weight_key(i)] = np.ones(n, dtype=np.float32)
        columns[layout.resolved_target_key(i, "b1")] = targets[:, i - 1, 0]
        columns[layout.resolved_target_key(i, "b2")] = targets[:, i - 1, 1]
        columns[layout.boosted_target_key(i)] = targets[:, i - 1, 2]
    with AppendableH5(path) as writer:
        writer.append(columns)
        writer.set_attributes(
            {ATTR_N_HIGGS: n_higgs, ATTR_MIN_JETS: 4, ATTR_SAMPLE_NAMES: json.dumps({str(sample_id(sample)): sample})}
        )
        writer.commit()
    return str(path)


def _read(path, key):
    with h5py.File(path, "r") as handle:
        return handle[key][...]


@pytest.fixture
def signal_and_background(tmp_path):
    signal = _converted(tmp_path / "hh_kl1.h5", "hh_kl1", True, np.full((40, 2), 125.0))
    background = _converted(tmp_path / "qcd.h5", "qcd", False, np.full((300, 2), np.nan), kl=0.0)
    return signal, background


def test_background_kl_is_drawn_from_the_list_with_the_seed(signal_and_background, tmp_path):
    args = [*signal_and_background, "--kl-random-from", "-5", "1", "5"]
    assert main(["-o", str(tmp_path / "a.h5"), *args, "--seed", "3"]) == 0
    assert main(["-o", str(tmp_path / "b.h5"), *args, "--seed", "3"]) == 0
    assert main(["-o", str(tmp_path / "c.h5"), *args, "--seed", "4"]) == 0
    kl, label = (
        _read(tmp_path / "a.h5", layout.input_key(layout.EVENT, "kl")),
        _read(tmp_path / "a.h5", layout.classification_key()),
    )
    assert (kl[label == 1] == 1.0).all()
    values, counts = np.unique(kl[label == 0], return_counts=True)
    assert_array_equal(values, [-5.0, 1.0, 5.0])
    assert counts.min() > 60  # roughly uniform over 300 events
    assert_array_equal(kl, _read(tmp_path / "b.h5", layout.input_key(layout.EVENT, "kl")))
    assert not np.array_equal(kl, _read(tmp_path / "c.h5", layout.input_key(layout.EVENT, "kl")))
    with h5py.File(tmp_path / "a.h5", "r") as handle:
        assert set(json.loads(handle.attrs[ATTR_SAMPLE_NAMES]).values()) == {"hh_kl1", "qcd"}


def test_merge_shuffles_rows_consistently(signal_and_background, tmp_path):
    assert main(["-o", str(tmp_path / "m.h5"), *signal_and_background, "--seed", "1"]) == 0
    number = _read(tmp_path / "m.h5", layout.truth_event_key("event_number"))
    pt = _read(tmp_path / "m.h5", layout.truth_higgs_key(2, "pt"))
    label = _read(tmp_path / "m.h5", layout.classification_key())
    assert_array_equal(pt, number + 2000)  # every dataset permuted with the same order
    assert not np.array_equal(label, np.sort(label)[::-1])  # shuffled, not concatenated
    assert label.sum() == 40 and len(label) == 340


def test_balance_gives_every_signal_sample_the_same_count(tmp_path):
    small = _converted(tmp_path / "k1.h5", "hh_kl1", True, np.full((30, 2), 125.0))
    large = _converted(tmp_path / "k5.h5", "hh_kl5", True, np.full((50, 2), 125.0), kl=5.0)
    background = _converted(tmp_path / "qcd.h5", "qcd", False, np.full((70, 2), np.nan))
    assert main(["-o", str(tmp_path / "m.h5"), small, large, background, "--balance"]) == 0
    ids = _read(tmp_path / "m.h5", layout.truth_event_key("sample_id"))
    counts = {name: int((ids == sample_id(name)).sum()) for name in ("hh_kl1", "hh_kl5", "qcd")}
    assert counts == {"hh_kl1": 30, "hh_kl5": 30, "qcd": 70}


def test_background_cap_keeps_the_ratio_and_the_background_mix(tmp_path):
    signal = _converted(tmp_path / "k1.h5", "hh_kl1", True, np.full((40, 2), 125.0))
    qcd_a = _converted(tmp_path / "qa.h5", "qcd", False, np.full((300, 2), np.nan))
    qcd_b = _converted(tmp_path / "qb.h5", "qcd_b", False, np.full((100, 2), np.nan))
    args = [signal, qcd_a, qcd_b, "--max-background-ratio", "0.5", "--seed", "2"]
    assert main(["-o", str(tmp_path / "m.h5"), *args]) == 0
    ids = _read(tmp_path / "m.h5", layout.truth_event_key("sample_id"))
    counts = {name: int((ids == sample_id(name)).sum()) for name in ("hh_kl1", "qcd", "qcd_b")}
    assert counts == {"hh_kl1": 40, "qcd": 15, "qcd_b": 5}  # 20 = 0.5 x 40, split 3:1 as the inputs
    numbers = _read(tmp_path / "m.h5", layout.truth_event_key("event_number"))[ids == sample_id("qcd")]
    assert len(np.unique(numbers)) == 15  # distinct events, no repeats
    assert main(["-o", str(tmp_path / "again.h5"), *args]) == 0
    again = _read(tmp_path / "again.h5", layout.truth_event_key("event_number"))
    assert_array_equal(numbers, again[ids == sample_id("qcd")])
    # a ratio the inputs already satisfy keeps everything
    assert main(["-o", str(tmp_path / "all.h5"), signal, qcd_b, "--max-background-ratio", "3"]) == 0
    assert len(_read(tmp_path / "all.h5", layout.classification_key())) == 140


def test_flat_mass_weights_flatten_a_known_spectrum():
    masses = np.concatenate([np.full(100, 80.0), np.full(300, 90.2), np.full(50, 99.0), [np.nan] * 7])
    weights = flat_mass_weights(masses, bin_width=10.0)
    assert_allclose(mass_bin_edges(masses, 10.0), [75.0, 85.0, 95.0, 105.0])
    assert_allclose(weights[-7:], 1.0)
    per_bin = [weights[:100].sum(), weights[100:400].sum(), weights[400:450].sum()]
    assert_allclose(per_bin, 150.0)  # flat, and the mean weight over Higgs bosons is 1
    assert_allclose(weights[:450].mean(), 1.0)


def test_merge_writes_flat_mass_weights_per_higgs(tmp_path):
    low = _converted(tmp_path / "m80.h5", "h_m80", True, [[80.0, 80.0]] * 10)
    high = _converted(tmp_path / "m120.h5", "h_m120", True, [[120.0, 121.0]] * 30)
    assert main(["-o", str(tmp_path / "m.h5"), low, high, "--flatten-mass"]) == 0
    mass = _read(tmp_path / "m.h5", layout.truth_higgs_key(1, "mass"))
    weight = _read(tmp_path / "m.h5", layout.mass_weight_key(1))
    assert_allclose(weight[mass == 80.0], 2.0)  # 20 of 80 Higgs at 80 GeV, 60 at 120 GeV: mean 40 per bin
    assert_allclose(weight[mass == 120.0], 40 / 60)
    assert_allclose(_read(tmp_path / "m.h5", layout.mass_weight_key(2))[mass == 120.0], 40 / 60)


def test_merge_rejects_inconsistent_inputs(tmp_path, capsys):
    two = _converted(tmp_path / "hh.h5", "hh", True, np.full((5, 2), 125.0))
    three = _converted(tmp_path / "hhh.h5", "hhh", True, np.full((5, 3), 125.0), n_higgs=3)
    assert main(["-o", str(tmp_path / "m.h5"), two, three]) == 2
    assert "Higgs slots" in capsys.readouterr().err
    assert main(["-o", str(tmp_path / "m.h5"), two, str(tmp_path / "absent.h5")]) == 2
    assert not list(tmp_path.glob("m.h5*"))


def test_reconstructable_fractions_by_jet_multiplicity(tmp_path):
    # (b1, b2, bb) per Higgs; events: 2 resolved | 1 resolved + 1 boosted-only | 1 partial | none.
    targets = np.array(
        [
            [[0, 1, -1], [2, 3, -1]],
            [[0, 1, 0], [-1, -1, 1]],
            [[0, -1, -1], [-1, -1, -1]],
            [[-1, -1, -1], [-1, -1, -1]],
        ]
    )
    counts = reconstructable_counts(targets[..., :2], targets[..., 2])
    assert_array_equal(counts["resolved"], [2, 1, 0, 0])
    assert_array_equal(counts["boosted"], [0, 2, 0, 0])
    assert_array_equal(counts["resolved or boosted"], [2, 2, 0, 0])
    rows = fraction_rows("hh", counts, n_jets=np.array([4, 4, 5, 7]), min_jets=4, n_higgs=2)
    by_key = {(row.jets, row.category): row for row in rows}
    assert by_key[("≥ 4", "resolved")].fractions[:3] == (0.5, 0.25, 0.25)
    assert by_key[("= 4", "resolved or boosted")].fractions[:3] == (0.0, 0.0, 1.0)
    assert by_key[("≥ 6", "boosted")].n_events == 1
    assert np.isnan(by_key[("≥ 4", "resolved")].fractions[3])  # no third Higgs in HH
    markdown, latex = to_markdown(rows), to_latex(rows)
    assert "| hh | ≥ 4 | resolved | 4 | 50.0 | 25.0 | 25.0 | – |" in markdown
    assert r"hh & $\geq$ 4 & resolved & 4 & 50.0 & 25.0 & 25.0 & -- \\" in latex

    path = _converted(tmp_path / "hh_test.h5", "hh", True, np.full((4, 2), 125.0), targets=targets, n_jets=[4, 4, 5, 7])
    assert (
        tables_main(["--input", path, "--output-md", str(tmp_path / "t.md"), "--output-tex", str(tmp_path / "t.tex")])
        == 0
    )
    assert split_stamp_comment(".md", (tmp_path / "t.md").read_text()) == (markdown, current_stamp())
    assert split_stamp_comment(".tex", (tmp_path / "t.tex").read_text()) == (latex, current_stamp())
