"""Seeded split assignment by (sample, event number)."""

from __future__ import annotations

import numpy as np
import pytest

from multihiggs.convert.splits import assign_splits, check_fractions, split_uniform


def test_split_depends_only_on_sample_event_and_seed():
    numbers = np.arange(20_000)
    splits = assign_splits("hhh", numbers, seed=1, fractions=(0.7, 0.1, 0.2))
    assert np.array_equal(splits, assign_splits("hhh", numbers, seed=1, fractions=(0.7, 0.1, 0.2)))
    # Chunking or order does not matter: the same event lands in the same split.
    shuffled = np.random.default_rng(0).permutation(numbers)
    assert np.array_equal(assign_splits("hhh", shuffled, 1, (0.7, 0.1, 0.2)), splits[shuffled])
    assert not np.array_equal(splits, assign_splits("hhh", numbers, 2, (0.7, 0.1, 0.2)))
    assert not np.array_equal(splits, assign_splits("hh_kl1", numbers, 1, (0.7, 0.1, 0.2)))
    fractions = np.bincount(splits, minlength=3) / len(numbers)
    assert np.allclose(fractions, [0.7, 0.1, 0.2], atol=0.015)


def test_split_uniform_is_in_unit_interval_and_handles_large_and_negative_numbers():
    values = split_uniform("s", np.array([0, 1, -1, 2**62, -(2**63)]), seed=0)
    assert ((values >= 0) & (values < 1)).all()
    assert len(set(values.tolist())) == 5


@pytest.mark.parametrize("fractions", [(0.7, 0.3), (0.8, 0.3, -0.1), (0.5, 0.2, 0.2)])
def test_bad_fractions_are_rejected(fractions):
    with pytest.raises(ValueError, match="split fractions"):
        check_fractions(fractions)


def test_zero_fraction_split_stays_empty():
    splits = assign_splits("s", np.arange(1000), seed=0, fractions=(1.0, 0.0, 0.0))
    assert (splits == 0).all()
