"""Jet selection, ordering and the four-tag / tag-rate-function logic."""

from __future__ import annotations

import itertools

import awkward as ak
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from multihiggs.convert.selection import (
    SelectionConfig,
    pass_four_tag,
    pass_jet_count,
    select_and_order,
)
from multihiggs.generate.reco.btag import probability_at_least


def test_select_and_order_applies_cuts_and_sorts_by_decreasing_pt():
    pt = ak.Array([[25.0, 19.0, 80.0, 40.0, 25.0], [], [30.0]])
    eta = ak.Array([[0.0, 0.0, 2.6, -2.4, 1.0], [], [1.0]])
    label = ak.Array([[0, 1, 2, 3, 4], [], [0]])
    selected = select_and_order({"PT": pt, "Eta": eta, "label": label}, min_pt=20.0, max_abs_eta=2.5)
    # 19 GeV and |η| = 2.6 fail; 40 before 25; equal pT keep their order; padding is 0 and masked.
    assert_array_equal(selected["label"], [[3, 0, 4], [0, 0, 0], [0, 0, 0]])
    assert_array_equal(selected["PT"], [[40.0, 25.0, 25.0], [0, 0, 0], [30.0, 0, 0]])
    assert_array_equal(selected.mask, [[True, True, True], [False] * 3, [True, False, False]])
    assert_array_equal(selected.count, [3, 0, 1])
    assert selected["label"].dtype == np.int64
    assert_array_equal(selected.with_width(2)["PT"], [[40.0, 25.0], [0, 0], [30.0, 0]])
    assert_array_equal(selected.with_width(4).mask.sum(axis=1), [3, 0, 1])
    assert_array_equal(selected.take_events(np.array([False, False, True]))["PT"], [[30.0, 0, 0]])


def test_select_and_order_without_any_object():
    empty = ak.Array([[], []])
    selected = select_and_order({"PT": empty, "Eta": empty}, min_pt=20.0, max_abs_eta=2.5)
    assert selected["PT"].shape == (2, 0) and selected.with_width(10).mask.shape == (2, 10)


def test_jet_count_and_four_tag_requirements():
    config = SelectionConfig(min_jets=4, four_tag=True)
    assert_array_equal(pass_jet_count(np.array([3, 4, 6]), config), [False, True, True])
    assert_array_equal(pass_four_tag(np.array([3, 4, 5]), config), [False, True, True])
    assert pass_four_tag(np.array([0]), SelectionConfig(min_jets=4)).all()  # cut off
    assert pass_four_tag(np.array([0]), SelectionConfig(min_jets=4, four_tag=True, tag_rate_weights=True)).all()


def test_tag_rate_weights_require_the_four_tag_option():
    with pytest.raises(ValueError, match="four_tag"):
        SelectionConfig(min_jets=4, tag_rate_weights=True)


def _brute_force_at_least(probabilities: np.ndarray, n_required: int) -> float:
    total = 0.0
    for tags in itertools.product([0, 1], repeat=len(probabilities)):
        if sum(tags) >= n_required:
            total += np.prod([p if t else 1 - p for p, t in zip(probabilities, tags, strict=True)])
    return total


def test_probability_at_least_known_values():
    # Four jets at 0.5: P(>= 4) = 1/16, P(>= 2) = 11/16; padding (0) changes nothing; fewer jets than needed: 0.
    efficiency = np.array([[0.5, 0.5, 0.5, 0.5, 0.0], [0.5, 0.5, 0.5, 0.5, 0.0], [0.9, 0.9, 0.9, 0.0, 0.0]])
    assert_allclose(probability_at_least(efficiency, 4), [1 / 16, 1 / 16, 0.0])
    assert_allclose(probability_at_least(efficiency[:1], 2), [11 / 16])
    assert_allclose(probability_at_least(efficiency[:1], 0), [1.0])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=0, max_size=8),
    st.integers(0, 6),
)
def test_probability_at_least_matches_enumeration(probabilities, n_required):
    efficiency = np.array([[*probabilities, 0.0]])  # one event (plus a padding slot)
    assert_allclose(
        probability_at_least(efficiency, n_required),
        [_brute_force_at_least(np.array(probabilities), n_required)],
        atol=1e-12,
    )
