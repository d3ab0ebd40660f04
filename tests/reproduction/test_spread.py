"""Training-seed spread: aggregation over seeds and its combination with the statistical uncertainty."""

import math

import pytest

from multihiggs.reproduction.spread import aggregate_seeds, total_sigma


def test_mean_and_sample_standard_deviation():
    spread = aggregate_seeds([0.80, 0.82, 0.84])
    assert spread.n == 3 and spread.mean == pytest.approx(0.82)
    assert spread.std == pytest.approx(0.02)  # n - 1 in the denominator
    assert spread.as_dict()["values"] == [0.80, 0.82, 0.84]


def test_missing_values_are_left_out():
    spread = aggregate_seeds([0.5, None, math.nan, 0.7])
    assert spread.n == 2 and spread.mean == pytest.approx(0.6) and spread.std == pytest.approx(math.sqrt(0.02))
    assert aggregate_seeds([None, math.nan]) is None
    assert aggregate_seeds([0.4]).std is None  # one seed: no spread


def test_total_sigma_adds_in_quadrature():
    assert total_sigma(0.03, aggregate_seeds([0.5, 0.54])) == pytest.approx(math.hypot(0.03, math.sqrt(0.0008)))
    assert total_sigma(0.03, None) == 0.03
    assert total_sigma(None, aggregate_seeds([0.4])) is None
