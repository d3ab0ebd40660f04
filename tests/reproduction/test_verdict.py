"""Verdict logic on hand-made values: tolerances, qualitative bands, uncertainties, orderings and dominance."""

import numpy as np
import pytest

from multihiggs.reproduction.catalogue import Comparison
from multihiggs.reproduction.verdict import (
    INCONCLUSIVE,
    NOT_MEASURED,
    NOT_REPRODUCED,
    QUALITATIVE,
    REPRODUCED,
    dominance_verdict,
    numeric_verdict,
    ordering_verdict,
)

PURITY = Comparison("absolute", tolerance=0.05, qualitative=0.15)
GAIN = Comparison("relative", tolerance=0.25, qualitative="same_side", pivot=1.0)


@pytest.mark.parametrize(
    ("ours", "expected"),
    [(0.22, REPRODUCED), (0.27, REPRODUCED), (0.2701, QUALITATIVE), (0.08, QUALITATIVE), (0.3701, NOT_REPRODUCED)],
)
def test_absolute_bands(ours, expected):
    verdict = numeric_verdict(ours, 0.005, 0.22, PURITY)
    assert verdict.status == expected
    assert verdict.difference == pytest.approx(ours - 0.22)


def test_relative_tolerance_and_same_side_of_the_pivot():
    assert numeric_verdict(1.60, None, 1.54, GAIN).status == REPRODUCED  # |1.60/1.54 - 1| = 4 %
    assert numeric_verdict(1.05, None, 1.54, GAIN).status == QUALITATIVE  # still a gain
    assert numeric_verdict(0.95, None, 1.54, GAIN).status == NOT_REPRODUCED  # SPA-Net worse than chi2
    assert numeric_verdict(1.60, None, 1.54, GAIN).ratio == pytest.approx(1.60 / 1.54)


def test_a_large_uncertainty_spanning_verdicts_is_inconclusive():
    verdict = numeric_verdict(0.30, 0.08, 0.22, PURITY)  # central: qualitatively; ±2σ from 0.14 to 0.46
    assert verdict.status == INCONCLUSIVE
    assert verdict.detail.endswith("central: qualitatively reproduced")


def test_a_small_uncertainty_near_a_boundary_keeps_the_central_verdict():
    # 2σ = 0.02 < tolerance 0.05: the measurement is precise enough to decide, although the band crosses 0.27.
    assert numeric_verdict(0.26, 0.01, 0.22, PURITY).status == REPRODUCED
    assert numeric_verdict(0.28, 0.01, 0.22, PURITY).status == QUALITATIVE


def test_the_seeds_uncertainty_adds_to_ours():
    score = Comparison("absolute", tolerance=0.02, qualitative=0.06)
    assert numeric_verdict(0.85, 0.001, 0.882, score).status == QUALITATIVE
    assert numeric_verdict(0.85, 0.001, 0.882, score, seed_sigma=0.03).status == INCONCLUSIVE


def test_exact_claims():
    exact = Comparison("exact")
    assert numeric_verdict(3150.0, None, 3150.0, exact).status == REPRODUCED
    assert numeric_verdict(3149.0, None, 3150.0, exact).status == NOT_REPRODUCED


def test_ordering_verdicts():
    labels = ["a", "b", "c"]
    assert ordering_verdict([0.5, 0.3, 0.1], [0.01] * 3, labels).status == REPRODUCED
    assert ordering_verdict([0.1, 0.3, 0.5], [0.01] * 3, labels, "increasing").status == REPRODUCED
    assert ordering_verdict([0.5, 0.3, 0.1], [None] * 3, labels).status == REPRODUCED  # no σ: by sign
    assert ordering_verdict([0.5, 0.48, 0.1], [0.02] * 3, labels).status == INCONCLUSIVE  # a-b within 2σ
    assert ordering_verdict([0.5, 0.1, 0.3], [0.01] * 3, labels).status == QUALITATIVE  # ends in order
    assert ordering_verdict([0.1, 0.3, 0.5], [0.01] * 3, labels).status == NOT_REPRODUCED
    assert ordering_verdict([0.3, 0.3], [None, None], labels[:2]).status == NOT_REPRODUCED  # a tie is no order


def test_ordering_needs_matching_items():
    with pytest.raises(ValueError, match="at least two items"):
        ordering_verdict([0.5], [None], ["a"])


def test_dominance_in_all_bins():
    first, second = np.array([0.6, 0.7, np.nan, 0.8]), np.array([0.5, 0.6, 0.4, 0.7])
    sigma = np.full(4, 0.01)
    verdict = dominance_verdict(first, sigma, second, sigma)
    assert verdict.status == REPRODUCED and "3 of 3" in verdict.detail  # the NaN bin is skipped
    noisy_low = np.array([0.6, 0.59, np.nan, 0.8])
    assert dominance_verdict(noisy_low, np.full(4, 0.05), second, np.full(4, 0.05)).status == INCONCLUSIVE
    reversed_one = np.array([0.6, 0.3, np.nan, 0.8])
    assert dominance_verdict(reversed_one, sigma, second, sigma).status == QUALITATIVE
    assert dominance_verdict(second, sigma, first, sigma).status == NOT_REPRODUCED


def test_dominance_in_most_bins_and_without_data():
    first, second = np.array([0.6, 0.7, 0.5]), np.array([0.5, 0.6, 0.55])
    assert dominance_verdict(first, None, second, None, require="most").status == QUALITATIVE  # one bin below
    sigma = np.full(3, 0.1)
    assert dominance_verdict(first, sigma, second, sigma, require="most").status == REPRODUCED
    empty = np.full(3, np.nan)
    assert dominance_verdict(empty, None, second, None).status == NOT_MEASURED
