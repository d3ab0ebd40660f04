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
    # Kish effective counts: (0.25 + 0.25 + 0.5)^2 / (0.0625 + 0.0625 + 0.25) = 8/3 background events
    assert summary["n_background"] == 3 and summary["n_eff_background"] == pytest.approx(8 / 3)
    assert summary["n_eff_signal"] == pytest.approx(1.0)
    assert summary["n_eff"] == pytest.approx(4 / (0.375 + 1.0))


def test_unweighted_effective_counts_are_the_counts():
    summary = classification_summary(np.array([0, 1, 1]), np.array([0.2, 0.4, 0.9]))
    assert (summary["n_eff_signal"], summary["n_eff_background"], summary["n_eff"]) == (2, 1, 3)


def test_weighted_auc_uncertainty_uses_the_effective_counts():
    """A class-balanced AUC on heavy-tailed background weights is as precise as its Kish n_eff, not its count."""
    from multihiggs.reproduction.measurement import auc_sigma
    from multihiggs.reproduction.sources import classification_document

    document = {"auc": 0.8, "accuracy": 0.7, "n_signal": 10000, "n_background": 3600}
    raw = classification_document(document)["auc"]["sigma"]
    weighted = classification_document({**document, "n_eff_signal": 5000.0, "n_eff_background": 160.0, "n_eff": 600.0})
    assert raw == pytest.approx(auc_sigma(0.8, 10000, 3600))
    assert weighted["auc"]["sigma"] == pytest.approx(auc_sigma(0.8, 5000.0, 160.0))
    assert weighted["auc"]["sigma"] > 3 * raw
    assert weighted["accuracy"]["sigma"] == pytest.approx((0.7 * 0.3 / 600.0) ** 0.5)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="signal and background"):
        classification_summary(np.ones(3, int), np.array([0.1, 0.2, 0.3]))
    with pytest.raises(ValueError, match="finite"):
        classification_summary(np.array([0, 1]), np.array([np.nan, 0.5]))


def test_bootstrap_sigma_is_reproducible_and_grows_with_heavy_weights():
    rng = np.random.default_rng(5)
    labels = np.repeat([1, 0], 400)
    scores = rng.normal(labels * 1.0, 1.0)
    flat = classification_summary(labels, scores, n_bootstrap=100, seed=3)
    again = classification_summary(labels, scores, n_bootstrap=100, seed=3)
    assert flat["auc_sigma"] == again["auc_sigma"] and 0.005 < flat["auc_sigma"] < 0.05
    heavy = np.where(labels == 0, rng.pareto(1.0, len(labels)) + 1e-3, 1.0)  # a few background events rule
    weighted = classification_summary(labels, scores, sample_weight=heavy, n_bootstrap=100, seed=3)
    assert weighted["n_eff_background"] < 100 and weighted["auc_sigma"] > 1.5 * flat["auc_sigma"]
    assert "auc_sigma" not in classification_summary(labels, scores)
