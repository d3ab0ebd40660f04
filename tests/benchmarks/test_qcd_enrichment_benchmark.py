"""The stitched-sample projection of benchmarks/qcd_enrichment.py (no generation)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "qcd_enrichment.py"


@pytest.fixture(scope="module")
def benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_qcd_enrichment", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_stitched_rate_of_two_equal_classes_peaks_at_half(benchmark):
    """Equal classes (Σw = 100, Σw² = 100 over 100 events, 1 CPU-s per event): n_eff / CPU-s = 4 f (1 − f)."""
    light = benchmark.Run("light", 1.0, 100, 100.0, np.ones(100), 1.0)
    b_hard = benchmark.Run("b_hard", 1.0, 100, 100.0, np.ones(100), 1.0)
    fractions = np.array([0.1, 0.5, 0.8])
    assert benchmark.stitched_rate(light, b_hard, fractions) == pytest.approx(4 * fractions * (1 - fractions))


def test_stitched_rate_favours_the_cheap_precise_class(benchmark):
    """A class with the same Σw but 4× the n_eff per event should get more of the events."""
    light = benchmark.Run("light", 1.0, 100, 100.0, np.r_[np.full(25, 4.0), np.zeros(75)], 1.0)
    b_hard = benchmark.Run("b_hard", 1.0, 100, 100.0, np.ones(100), 1.0)
    grid = benchmark.stitched_rate(light, b_hard, benchmark.FRACTION_GRID)
    assert benchmark.FRACTION_GRID[np.argmax(grid)] == pytest.approx(1 / 3, abs=0.01)
