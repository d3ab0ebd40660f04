"""Heavy-flavour regions of the QCD stitching: counting separated heavy quarks, and the regions."""

import numpy as np
import pytest

from multihiggs.generate.heavy_flavour_regions import RegionDefinition, heavy_quark_counts, region_of

DEFINITION = RegionDefinition()


def counts(partons):
    pid, pt, eta, phi = (np.array(column, dtype=float) for column in zip(*partons, strict=True))
    return heavy_quark_counts(pid, pt, eta, phi, DEFINITION)


def test_separated_quarks_above_threshold_count():
    partons = [(5, 80, 0.0, 0.0), (-5, 60, 1.0, 1.0), (5, 50, -1.0, 2.0), (-5, 40, 0.5, -2.0), (21, 100, 0.0, 3.0)]
    assert counts(partons) == (4, 0)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ((5, 29.0, 2.0, 0.5), (2, 0)),  # below 30 GeV
        ((5, 80.0, 2.6, 0.5), (2, 0)),  # outside the tracker
        ((-5, 70.0, 0.1, 0.1), (2, 0)),  # within Delta R 0.5 of the harder b: one jet
        ((4, 70.0, -2.0, -1.0), (2, 1)),  # a separated c
    ],
)
def test_thresholds_and_separation(extra, expected):
    base = [(5, 80, 0.0, 0.0), (-5, 60, 1.0, 1.0)]
    assert counts([*base, extra]) == expected


def test_separation_is_greedy_in_pt():
    """The harder of two close quarks is kept whatever its flavour: a close pair counts once."""
    assert counts([(4, 90, 0.0, 0.0), (5, 50, 0.2, 0.2)]) == (0, 1)
    assert counts([(5, 90, 0.0, 0.0), (4, 50, 0.2, 0.2)]) == (1, 0)


def test_azimuth_wraps():
    assert counts([(5, 90, 0.0, np.pi - 0.1), (5, 80, 0.0, -np.pi + 0.1)]) == (1, 0)


@pytest.mark.parametrize(
    ("n_b", "n_c", "region"),
    [
        (4, 0, "four_b"),
        (5, 2, "four_b"),
        (2, 2, "bbcc"),
        (3, 3, "bbcc"),
        (3, 1, "rest"),
        (1, 4, "rest"),
        (0, 0, "rest"),
    ],
)
def test_regions_partition_the_counts(n_b, n_c, region):
    assert region_of(n_b, n_c) == region


def test_no_heavy_quark_is_rest():
    assert counts([(21, 100, 0.0, 0.0), (1, 80, 1.0, 1.0)]) == (0, 0)
