"""Truth matching (the matching of spanet_hh_hhh_2024) on hand-built events with known answers."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_array_equal

from multihiggs.convert.matching import (
    match_boosted,
    match_resolved,
    resolved_reconstructable,
    truncate_indices,
    unique_closest_assignment,
)


def _jets(*jets):
    """(eta, phi, flavour) tuples of one event -> (1, J) arrays."""
    eta, phi, flavour = (np.array([[jet[k] for jet in jets]], dtype=float) for k in range(3))
    return eta, phi, flavour, np.ones_like(eta, dtype=bool)


def _quarks(*pairs):
    """Per Higgs ((eta, phi), (eta, phi)) of one event -> (1, H, 2) eta and phi."""
    values = np.array([pairs], dtype=float)
    return values[..., 0], values[..., 1]


def test_jet_claimed_by_two_quarks_goes_to_the_closer_one_and_the_other_takes_its_next_jet():
    quark_eta, quark_phi = _quarks(((0.0, 0.2), (0.0, 0.1)))  # b1 at ΔR 0.2, b2 at ΔR 0.1 of jet 0
    jets = _jets((0.0, 0.0, 5), (0.0, 0.5, 5))  # jet 1 at ΔR 0.3 of b1
    assert_array_equal(match_resolved(quark_eta, quark_phi, *jets), [[[1, 0]]])


def test_quark_losing_its_only_jet_stays_unmatched():
    quark_eta, quark_phi = _quarks(((0.0, 0.2), (0.0, 0.1)))
    jets = _jets((0.0, 0.0, 5), (0.0, 1.5, 5))  # jet 1 too far from both
    targets = match_resolved(quark_eta, quark_phi, *jets)
    assert_array_equal(targets, [[[-1, 0]]])
    assert not resolved_reconstructable(targets)[0, 0]


def test_conflicts_are_resolved_globally_across_higgs_bosons():
    # h1.b1 is 0.25 from jet 0, h2.b2 is 0.05 from jet 0: h2 wins although h1 comes first.
    quark_eta, quark_phi = _quarks(((0.0, 0.25), (2.0, 2.0)), ((-2.0, -2.0), (0.0, -0.05)))
    jets = _jets((0.0, 0.0, 5), (2.0, 2.0, 5), (-2.0, -2.0, 5))
    assert_array_equal(match_resolved(quark_eta, quark_phi, *jets), [[[-1, 1], [2, 0]]])


def test_closest_jet_without_b_flavour_is_skipped():
    quark_eta, quark_phi = _quarks(((1.0, 1.0), (-1.0, -1.0)))
    jets = _jets(
        (1.0, 1.05, 0),  # closest to b1 but light
        (1.0, 1.3, 5),  # b-flavoured, ΔR 0.3: the match
        (-1.0, -1.02, 4),  # closest to b2 but charm
        (-1.0, -1.6, 5),  # b-flavoured but ΔR 0.6 > 0.5
    )
    assert_array_equal(match_resolved(quark_eta, quark_phi, *jets), [[[1, -1]]])


def test_quark_out_of_acceptance_and_absent_quarks_are_unmatched():
    # b1 at η = 3.2 has no selected jet near it (jets with |η| > 2.5 never reach the list); h2 does not exist.
    quark_eta, quark_phi = _quarks(((3.2, 0.0), (0.5, 0.0)), ((np.nan, np.nan), (np.nan, np.nan)))
    jets = _jets((2.4, 0.0, 5), (0.5, 0.1, 5))
    assert_array_equal(match_resolved(quark_eta, quark_phi, *jets), [[[-1, 1], [-1, -1]]])


def test_padding_jets_never_match():
    quark_eta, quark_phi = _quarks(((0.0, 0.0), (1.0, 0.0)))
    eta, phi, flavour, valid = _jets((0.0, 0.0, 5), (1.0, 0.0, 5))
    valid[0, 1] = False
    assert_array_equal(match_resolved(quark_eta, quark_phi, eta, phi, flavour, valid), [[[0, -1]]])


def test_delta_phi_wraps_around_pi():
    quark_eta, quark_phi = _quarks(((0.0, np.pi - 0.1), (0.0, 0.0)))
    jets = _jets((0.0, -np.pi + 0.1, 5))  # ΔR 0.2 across the ±π boundary
    assert_array_equal(match_resolved(quark_eta, quark_phi, *jets), [[[0, -1]]])


def test_boosted_higgs_needs_both_quarks_inside_the_fat_jet():
    higgs_eta, higgs_phi = np.array([[0.0, 1.5]]), np.array([[0.0, 2.0]])
    # h1: both quarks within 0.8 of fat jet 0; h2: one quark at ΔR 0.9 from fat jet 1.
    quark_eta, quark_phi = _quarks(((0.3, 0.0), (-0.3, 0.2)), ((1.5, 2.4), (1.5, 1.1)))
    fat_eta, fat_phi = np.array([[0.05, 1.5]]), np.array([[0.0, 2.0]])
    valid = np.ones((1, 2), dtype=bool)
    targets = match_boosted(higgs_eta, higgs_phi, quark_eta, quark_phi, fat_eta, fat_phi, valid)
    assert_array_equal(targets, [[0, -1]])


def test_matches_beyond_the_stored_jets_become_unmatched():
    assert_array_equal(truncate_indices(np.array([[0, 9, 10, 12, -1]]), 10), [[0, 9, -1, -1, -1]])


def _reference_greedy(distance: np.ndarray) -> np.ndarray:
    """Plain-Python greedy: accept pairs by increasing (distance, object, jet) while both are free."""
    n_objects, n_jets = distance.shape
    pairs = sorted(
        (distance[p, j], p, j) for p in range(n_objects) for j in range(n_jets) if np.isfinite(distance[p, j])
    )
    result, used = [-1] * n_objects, set()
    for _, p, j in pairs:
        if result[p] == -1 and j not in used:
            result[p] = j
            used.add(j)
    return np.array(result)


@settings(max_examples=150, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 4), st.integers(0, 6), st.integers(0, 7)),
        elements=st.sampled_from([0.1, 0.2, 0.3, 0.45, np.inf]),  # few values: many ties
    )
)
def test_unique_closest_assignment_equals_the_greedy_definition(distance):
    assignment = unique_closest_assignment(distance)
    for event in range(distance.shape[0]):
        assert_array_equal(assignment[event], _reference_greedy(distance[event]))
        matched = assignment[event][assignment[event] >= 0]
        assert len(set(matched.tolist())) == len(matched)  # no jet taken twice
