"""Truth Higgs bosons and their b quarks, on hand-built pruned and full-style generator records."""

from __future__ import annotations

import numpy as np
import pytest
from delphes_events import PARTICLE, collections_from_events, pruned_record
from numpy.testing import assert_allclose

from multihiggs.convert.truth import RecordLinkError, find_truth_higgs


def _truth(events, n_higgs):
    particles = collections_from_events(events)["Particle"]
    return find_truth_higgs(
        *(particles[f] for f in ("PID", "M1", "M2", "D1", "D2", "PT", "Eta", "Phi", "Mass")), n_higgs
    )


def _higgs(pt, eta, b):
    return {"pt": pt, "eta": eta, "phi": 0.5, "mass": 125.0, "b": b}


def test_pruned_record_orders_higgs_by_pt_and_takes_last_copies():
    record = pruned_record(
        [
            _higgs(100.0, 0.1, [(40.0, 0.2, 0.4), (70.0, 0.3, 0.6)]),
            _higgs(300.0, -1.0, [(200.0, -1.1, 0.5), (110.0, -0.9, 0.5)]),
            _higgs(200.0, 2.0, [(90.0, 2.1, 0.3), (95.0, 1.9, 0.7)]),
        ]
    )
    truth = _truth([{"particles": record}], n_higgs=3)
    assert_allclose(truth.pt[0], [300.0, 200.0, 100.0])  # last copies (first copies carry 10 % more)
    assert_allclose(truth.eta[0], [-1.0, 2.0, 0.1])
    assert_allclose(truth.mass[0], 125.0)
    # Daughters by decreasing pT; last copies (first copies are shifted by 0.3 in eta).
    assert_allclose(truth.b_pt[0], [[200.0, 110.0], [95.0, 90.0], [70.0, 40.0]])
    assert_allclose(truth.b_eta[0], [[-1.1, -0.9], [1.9, 2.1], [0.3, 0.2]], atol=1e-6)


def test_missing_higgs_slots_are_nan_and_events_stay_aligned():
    hh = pruned_record(
        [
            _higgs(150.0, 0.0, [(80.0, 0.1, 0.1), (60.0, -0.1, 0.2)]),
            _higgs(50.0, 1.0, [(30.0, 1.0, 0.0), (20.0, 1.2, 0.1)]),
        ]
    )
    events = [{"particles": []}, {"particles": hh}, {"particles": [{"PID": 21}]}]
    truth = _truth(events, n_higgs=3)
    assert np.isnan(truth.pt[[0, 2]]).all() and np.isnan(truth.b_pt[[0, 2]]).all()
    assert_allclose(truth.pt[1, :2], [150.0, 50.0])
    assert np.isnan(truth.pt[1, 2]) and np.isnan(truth.b_eta[1, 2]).all()


def _particle(**fields):
    return {**PARTICLE, **fields}


def test_full_record_follows_copies_through_mothers_and_daughter_ranges():
    # Indices as in a full Delphes record (M1..D2 index the record, -1 for none); comments give each entry.
    record = [
        _particle(PID=2212),  # 0 beam
        _particle(PID=2212),  # 1 beam
        _particle(PID=21, M1=0, D1=4, D2=5),  # 2 gluon
        _particle(PID=21, M1=1, D1=4, D2=5),  # 3 gluon
        _particle(PID=25, M1=2, M2=3, D1=6, D2=6, PT=210.0),  # 4 Higgs A, hard process (range of mothers)
        _particle(PID=25, M1=2, M2=3, D1=7, D2=7, PT=160.0),  # 5 Higgs B, hard process
        _particle(PID=25, M1=4, M2=4, D1=8, D2=8, PT=205.0),  # 6 Higgs A, recoil copy
        _particle(PID=25, M1=5, M2=5, D1=12, D2=13, PT=150.0, Eta=0.7),  # 7 Higgs B, last copy -> tau tau
        _particle(PID=25, M1=6, M2=6, D1=9, D2=10, PT=200.0, Eta=-0.3),  # 8 Higgs A, last copy -> b b~
        _particle(PID=5, M1=8, D1=14, D2=15, PT=90.0),  # 9 b from A, branches to b g (daughter range)
        _particle(PID=-5, M1=8, D1=11, D2=11, PT=65.0),  # 10 b~ from A
        _particle(PID=-5, M1=10, M2=10, PT=60.0, Eta=1.0),  # 11 b~ last copy
        _particle(PID=15, M1=7),  # 12 tau
        _particle(PID=-15, M1=7),  # 13 tau
        _particle(PID=5, M1=9, M2=9, D1=16, D2=16, PT=85.0),  # 14 b copy after the branching
        _particle(PID=21, M1=9, M2=9),  # 15 radiated gluon
        _particle(PID=5, M1=14, M2=14, PT=80.0, Eta=-0.5),  # 16 b last copy
        _particle(PID=21, M1=3, D1=18, D2=19),  # 17 ISR gluon splitting to b b~ (not from a Higgs)
        _particle(PID=5, M1=17, PT=300.0),  # 18
        _particle(PID=-5, M1=17, PT=250.0),  # 19
    ]
    truth = _truth([{"particles": record}], n_higgs=2)
    assert_allclose(truth.pt[0], [200.0, 150.0])
    assert_allclose(truth.eta[0], [-0.3, 0.7], atol=1e-6)
    assert_allclose(truth.b_pt[0, 0], [80.0, 60.0])  # the last copies 16 and 11, not the ISR b quarks
    assert_allclose(truth.b_eta[0, 0], [-0.5, 1.0])
    assert np.isnan(truth.b_pt[0, 1]).all()  # H -> tau tau: no b daughters


def test_links_out_of_range_are_an_error():
    record = pruned_record([_higgs(100.0, 0.0, [(50.0, 0.0, 0.0), (40.0, 0.5, 0.0)])])
    record.append(_particle(PID=5, M1=99, M2=-7, D1=1000, PT=500.0))  # corrupt links: never matched silently
    with pytest.raises(RecordLinkError, match="2 mother/daughter links"):
        _truth([{"particles": record}], n_higgs=2)
