import numpy as np
import pytest

from multihiggs.stats.equivalent_luminosity import equivalent_luminosities, equivalent_luminosity


def test_bound_is_inverted_by_interpolation():
    lumi = np.geomspace(10, 10_000, 13)
    upper = 20 - 2 * np.log(lumi)  # shrinking upper bound
    assert equivalent_luminosity(lumi, upper, 20 - 2 * np.log(388.0)) == pytest.approx(388.0, rel=1e-10)
    # a statistics-like bound, 1 + 30 / sqrt(L), on a coarse grid (factor 1.8 per step)
    bound = 1 + 30 / np.sqrt(lumi)
    assert equivalent_luminosity(lumi, bound, 1 + 30 / np.sqrt(139.0)) == pytest.approx(139.0, rel=5e-3)
    assert np.isnan(equivalent_luminosity(lumi, upper, 30.0))  # needs less than the grid offers
    assert np.isnan(equivalent_luminosity(lumi, upper, float("nan")))
    with pytest.raises(ValueError, match="increasing"):
        equivalent_luminosity(lumi[::-1], upper, 5.0)


def rows(lumi, lower, upper):
    interval = [{"lower": lo, "upper": up, "segments": [[lo, up]]} for lo, up in zip(lower, upper, strict=True)]
    return [{"luminosity_fb": float(l), "profile_95": i, "cls_95": i} for l, i in zip(lumi, interval, strict=True)]


def test_a_better_method_needs_more_reference_luminosity():
    grid = np.geomspace(10, 30_000, 30)
    reference = rows(grid, -6 + 0.5 * np.log(grid), 14 - np.log(grid))
    method = rows([139.0], [-6 + 0.5 * np.log(300.0)], [14 - np.log(500.0)])
    result = equivalent_luminosities(reference, method)[0]
    assert result["profile_95"]["lower"] == pytest.approx(300.0, rel=1e-9)
    assert result["profile_95"]["upper"] == pytest.approx(500.0, rel=1e-9)
    assert result["cls_95"]["width"] > 139.0
