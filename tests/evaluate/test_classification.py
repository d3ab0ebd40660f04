import numpy as np
import pytest

from multihiggs.evaluate.classification import class_balanced_weights, classification_summary


def test_perfect_and_inverted_classifiers():
    labels = np.array([0, 0, 1, 1])
    perfect = classification_summary(labels, np.array([0.1, 0.2, 0.8, 0.9]))
    assert perfect["auc"] == 1.0 and perfect["accuracy"] == 1.0
    assert perfect["n_signal"] == perfect["n_background"] == 2
    inverted = classification_summary(labels, np.array([0.9, 0.8, 0.2, 0.1]))
    assert inverted["auc"] == 0.0 and inverted["accuracy"] == 0.0
    roc = perfect["roc"]
    assert roc["signal_efficiency"][0] == 0.0 and roc["signal_efficiency"][-1] == 1.0
    assert np.all(np.diff(roc["background_efficiency"]) >= 0)
    assert roc["background_efficiency"][-2] == 0.0  # a perfect classifier keeps all signal at no background


def test_accuracy_follows_the_threshold():
    labels = np.array([0, 0, 1, 1])
    scores = np.array([0.3, 0.6, 0.7, 0.9])
    assert classification_summary(labels, scores)["accuracy"] == 0.75
    assert classification_summary(labels, scores, threshold=0.65)["accuracy"] == 1.0


def test_weights_balance_classes():
    labels = np.array([0, 0, 0, 1])
    weights = class_balanced_weights(labels, np.array([1.0, 1.0, 2.0, 5.0]))
    np.testing.assert_allclose(weights, [0.25, 0.25, 0.5, 1.0])
    summary = classification_summary(labels, np.array([0.6, 0.1, 0.2, 0.9]), sample_weight=weights)
    assert summary["accuracy"] == pytest.approx((0.25 + 0.5 + 1.0) / 2)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="signal and background"):
        classification_summary(np.ones(3, int), np.array([0.1, 0.2, 0.3]))
    with pytest.raises(ValueError, match="finite"):
        classification_summary(np.array([0, 1]), np.array([np.nan, 0.5]))
