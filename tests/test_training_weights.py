"""Training weights: signal selection weights and the tempered physical weights of background events."""

from __future__ import annotations

import numpy as np
import pytest

from multihiggs.training_weights import background_physics_weights, signal_selection_weights


def test_signal_selection_weights_leave_background_at_one():
    probability = np.array([0.2, 0.4, 0.9, 0.1])
    signal = np.array([True, True, False, False])
    np.testing.assert_allclose(signal_selection_weights(probability, signal), [2 / 3, 4 / 3, 1.0, 1.0])


@pytest.mark.parametrize("power", [0.5, 1.0, 2.0])
def test_background_weights_are_the_physical_weight_to_a_power_with_mean_one(power):
    weight = np.array([5.0, 1e-3, 4e-3, 1e-3, 0.0])
    signal = np.array([True, False, False, False, False])
    result = background_physics_weights(weight, signal, power)
    background = weight[~signal] ** power
    np.testing.assert_allclose(result[~signal], background / background.mean())
    assert result[0] == 1.0
    assert result[~signal].mean() == pytest.approx(1.0)


def test_background_weight_power_zero_counts_every_event_once():
    weight = np.array([1.0, 3.0, 1e-6])
    assert (background_physics_weights(weight, np.array([False, False, True]), 0.0) == 1).all()


@pytest.mark.parametrize("weight", [[1.0, np.nan], [1.0, -1.0]])
def test_background_weights_refuse_nan_and_negative_weights(weight):
    with pytest.raises(ValueError, match="finite and non-negative"):
        background_physics_weights(np.array(weight), np.array([False, False]), 0.5)


def test_background_weight_power_must_not_be_negative():
    with pytest.raises(ValueError, match=">= 0"):
        background_physics_weights(np.ones(2), np.array([False, True]), -1.0)
