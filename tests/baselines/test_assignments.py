from math import comb, prod

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multihiggs.baselines.assignments import assignment_pair_indices, jet_pairs, unique_assignments


def expected_count(n_jets: int, n_higgs: int) -> int:
    """C(n, 2k) ways to choose the jets times (2k - 1)!! perfect matchings of them."""
    return comb(n_jets, 2 * n_higgs) * prod(range(1, 2 * n_higgs, 2))


@pytest.mark.parametrize(
    ("n_jets", "n_higgs", "count"), [(10, 3, 3150), (10, 2, 630), (4, 2, 3), (6, 3, 15), (6, 2, 45), (2, 1, 1)]
)
def test_number_of_unique_assignments(n_jets, n_higgs, count):
    assert unique_assignments(n_jets, n_higgs).shape == (count, n_higgs, 2)


@pytest.mark.parametrize(("n_jets", "n_higgs"), [(10, 3), (10, 2)])
def test_assignments_are_distinct_and_use_distinct_jets(n_jets, n_higgs):
    table = unique_assignments(n_jets, n_higgs)
    physical = {frozenset(frozenset(pair) for pair in assignment.tolist()) for assignment in table}
    assert len(physical) == len(table)
    flat = table.reshape(len(table), -1)
    assert all(len(set(row)) == 2 * n_higgs for row in flat.tolist())
    assert flat.min() == 0 and flat.max() == n_jets - 1


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(2, 10).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n // 2))))
def test_tables_are_canonical_complete_and_consistent(sizes):
    n_jets, n_higgs = sizes
    table = unique_assignments(n_jets, n_higgs)
    assert len(table) == expected_count(n_jets, n_higgs)
    assert (table[..., 0] < table[..., 1]).all(), "jets ascending inside a pair"
    assert (np.diff(table[..., 0], axis=1) > 0).all(), "pairs ascending by first jet"
    rows = [tuple(row) for row in table.reshape(len(table), -1).tolist()]
    assert rows == sorted(set(rows)), "lexicographic order, no duplicates"
    np.testing.assert_array_equal(jet_pairs(n_jets)[assignment_pair_indices(n_jets, n_higgs)], table)


def test_tables_are_cached_and_read_only():
    assert unique_assignments(10, 3) is unique_assignments(10, 3)
    assert assignment_pair_indices(8, 2) is assignment_pair_indices(8, 2)
    with pytest.raises(ValueError, match="read-only"):
        unique_assignments(6, 3)[0, 0, 0] = 5


def test_too_few_jets_is_an_error():
    with pytest.raises(ValueError, match="need at least 6 jets"):
        unique_assignments(5, 3)
    with pytest.raises(ValueError, match="n_higgs must be a positive integer"):
        unique_assignments(5, 0)
