import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from multihiggs.baselines.fatjet_bdt import (
    FATJET_FEATURES,
    boosted_higgs_jets,
    fatjet_scores,
    fatjet_training_table,
    load_fatjet_bdt,
    save_fatjet_bdt,
    stored_threshold,
    train_fatjet_bdt,
    working_point,
)
from multihiggs.io.spanet_layout import BOOSTED_FEATURES


def toy_fatjets(rng: np.random.Generator, n_jets: int, signal: bool) -> dict[str, np.ndarray]:
    """H -> bb-like (two-prong, m_SD near 125 GeV) or QCD-like (one-prong, broad mass) AK8 jets, shape (n, 1)."""
    columns = {
        "pt": rng.uniform(250, 600, n_jets),
        "eta": rng.normal(0, 1, n_jets),
        "mass": rng.normal(130, 12, n_jets) if signal else rng.uniform(20, 250, n_jets),
        "sdmass": rng.normal(122, 10, n_jets) if signal else rng.exponential(50, n_jets),
        "charged_fraction": rng.uniform(0.4, 0.8, n_jets),
        "n_charged": rng.poisson(30 if signal else 22, n_jets).astype(float),
        "tau32": rng.uniform(0.5, 0.9, n_jets),
        "tau21": rng.normal(0.3 if signal else 0.6, 0.12, n_jets),
    }
    return {name: values[:, None] for name, values in columns.items()}


def toy_table(seed: int, n_jets: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    signal, background = toy_fatjets(rng, n_jets, True), toy_fatjets(rng, n_jets, False)
    features = {name: np.concatenate([signal[name], background[name]]) for name in FATJET_FEATURES}
    mask = np.ones((2 * n_jets, 1), dtype=bool)
    targets = np.where(np.arange(2 * n_jets) < n_jets, 0, -1)[:, None]
    is_signal = np.arange(2 * n_jets) < n_jets
    return fatjet_training_table(features, mask, targets, is_signal)


def test_features_are_the_layout_boosted_features():
    assert set(FATJET_FEATURES) <= set(BOOSTED_FEATURES)
    assert len(FATJET_FEATURES) == 8


def test_training_table_labels_targets_in_signal_and_all_jets_in_background():
    n_events, n_slots = 3, 3
    slot_id = 100.0 * np.arange(n_events)[:, None] + np.arange(n_slots)
    features = {name: slot_id.copy() for name in FATJET_FEATURES}
    mask = np.array([[True, True, False], [True, False, False], [True, True, True]])
    targets = np.array([[1, -1], [-1, -1], [-1, -1]])
    inputs, labels = fatjet_training_table(features, mask, targets, np.array([True, True, False]))
    assert inputs[:, 0].tolist() == [1.0, 200.0, 201.0, 202.0]
    assert labels.tolist() == [1, 0, 0, 0]
    assert inputs.shape == (4, 8)


def test_training_table_rejects_inconsistent_input():
    features = {name: np.ones((2, 3)) for name in FATJET_FEATURES}
    mask = np.array([[True, False, False], [True, True, False]])
    with pytest.raises(ValueError, match="padded AK8 slot"):
        fatjet_training_table(features, mask, np.array([[2], [-1]]), np.array([True, False]))
    with pytest.raises(ValueError, match="missing"):
        fatjet_training_table({"pt": np.ones((2, 3))}, mask, np.array([[0], [-1]]), np.array([True, False]))
    features["tau21"] = np.full((2, 3), np.nan)
    with pytest.raises(ValueError, match="non-finite"):
        fatjet_training_table(features, mask, np.array([[0], [-1]]), np.array([True, False]))


def test_bdt_separates_an_easy_toy_and_is_reproducible(tmp_path):
    train_inputs, train_labels = toy_table(seed=1)
    test_inputs, test_labels = toy_table(seed=2)
    first = train_fatjet_bdt(train_inputs, train_labels, seed=7, n_estimators=60)
    second = train_fatjet_bdt(train_inputs, train_labels, seed=7, n_estimators=60)
    first_scores = first.predict_proba(test_inputs)[:, 1]
    np.testing.assert_array_equal(first_scores, second.predict_proba(test_inputs)[:, 1])
    assert roc_auc_score(test_labels, first_scores) > 0.95

    path = tmp_path / "models" / "fatjet_bdt.json"
    save_fatjet_bdt(first, path)
    assert path.read_text().lstrip().startswith("{")
    np.testing.assert_array_equal(load_fatjet_bdt(path).predict_proba(test_inputs)[:, 1], first_scores)
    assert stored_threshold(load_fatjet_bdt(path)) is None
    save_fatjet_bdt(first, path, threshold=0.25)
    assert stored_threshold(load_fatjet_bdt(path)) == 0.25


def test_bdt_scores_per_event_are_nan_in_padded_slots():
    inputs, labels = toy_table(seed=3, n_jets=200)
    model = train_fatjet_bdt(inputs, labels, seed=1, n_estimators=10)
    rng = np.random.default_rng(4)
    features = {name: np.concatenate([v, v], axis=1) for name, v in toy_fatjets(rng, 5, True).items()}
    mask = np.array([[True, False]] * 5)
    scores = fatjet_scores(model, features, mask)
    assert scores.shape == (5, 2)
    assert np.isfinite(scores[:, 0]).all() and np.isnan(scores[:, 1]).all()


def test_training_rejects_single_class_and_bad_model_paths(tmp_path):
    inputs, labels = toy_table(seed=5, n_jets=50)
    with pytest.raises(ValueError, match="both classes"):
        train_fatjet_bdt(inputs, np.ones_like(labels), seed=0)
    model = train_fatjet_bdt(inputs, labels, seed=0, n_estimators=5)
    with pytest.raises(ValueError, match=r"must end in \.json"):
        save_fatjet_bdt(model, tmp_path / "model.ubj")
    with pytest.raises(ValueError, match="does not exist"):
        load_fatjet_bdt(tmp_path / "missing.json")


def test_working_point_keeps_the_target_signal_efficiency():
    scores = np.linspace(0.0, 0.99, 100)
    threshold = working_point(scores, 0.3)
    assert threshold == pytest.approx(0.70)
    assert (scores >= threshold).mean() == pytest.approx(0.3)
    assert working_point(scores, 1.0) == 0.0
    assert (scores >= working_point(scores, 0.305)).mean() >= 0.305
    with pytest.raises(ValueError, match="target_efficiency"):
        working_point(scores, 0.0)


def test_boosted_higgs_jets_takes_tagged_jets_by_decreasing_score():
    scores = np.array([[0.2, 0.9, 0.7], [0.95, np.nan, np.nan], [0.1, 0.3, 0.2]])
    assert boosted_higgs_jets(scores, 0.5, 3).tolist() == [[1, 2, -1], [0, -1, -1], [-1, -1, -1]]
    assert boosted_higgs_jets(scores, 0.5, 1).tolist() == [[1], [0], [-1]]


def test_weighted_working_point_keeps_the_target_share_of_the_weight():
    scores = np.array([0.6, 0.9, 0.7, 0.8])
    # by decreasing score the weights are 1, 1, 1, 5: half of the total 8 needs the fourth jet
    assert working_point(scores, 0.5, np.array([5.0, 1.0, 1.0, 1.0])) == 0.6
    assert working_point(scores, 0.25, np.array([5.0, 1.0, 1.0, 1.0])) == 0.8
    for target in (0.2, 0.5, 0.75, 1.0):
        assert working_point(scores, target, np.ones(4)) == working_point(scores, target)
