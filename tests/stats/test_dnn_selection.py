import numpy as np
import pytest

from multihiggs.stats.dnn_selection import (
    load_selection_dnn,
    save_selection_dnn,
    selection_scores,
    train_selection_dnn,
    training_table,
)

NAMES = ("mass_1", "mass_2", "pt_1")
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def toy_features(rng: np.random.Generator, n: int, centre: float) -> np.ndarray:
    return np.column_stack([rng.normal(centre, 20, n), rng.normal(centre, 20, n), rng.exponential(100, n)])


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(8)
    signals = [toy_features(rng, 2000, 125.0), toy_features(rng, 1000, 125.0)]
    background = toy_features(rng, 3000, 80.0)
    background[:5] = np.nan  # unreconstructed events are dropped
    return training_table(signals, [background], [rng.exponential(1.0, 3000)])


def test_training_weights_balance_samples_and_classes(table):
    assert len(table.labels) == 2000 + 1000 + 2995
    signal_weights = table.weights[table.labels == 1]
    assert signal_weights[:2000].sum() == pytest.approx(signal_weights[2000:].sum())
    assert signal_weights.sum() == pytest.approx(table.weights[table.labels == 0].sum())
    assert table.weights.mean() == pytest.approx(1.0)


def test_training_is_reproducible_with_a_seed_and_separates_the_classes(table):
    first, metrics = train_selection_dnn(table, NAMES, seed=3, hidden=(16,), max_epochs=30)
    second, _ = train_selection_dnn(table, NAMES, seed=3, hidden=(16,), max_epochs=30)
    other, _ = train_selection_dnn(table, NAMES, seed=4, hidden=(16,), max_epochs=30)
    probe = table.features[:50]
    np.testing.assert_array_equal(selection_scores(first, probe), selection_scores(second, probe))
    assert not np.array_equal(selection_scores(first, probe), selection_scores(other, probe))
    assert metrics["auc"] > 0.9 and metrics["accuracy"] > 0.8


def test_scores_are_nan_for_unreconstructed_events_and_survive_saving(table, tmp_path):
    dnn, _ = train_selection_dnn(table, NAMES, seed=1, hidden=(8,), max_epochs=10)
    features = table.features[:4].copy()
    features[2] = np.nan
    scores = selection_scores(dnn, features)
    assert np.isnan(scores[2]) and np.isfinite(scores[[0, 1, 3]]).all()
    path = tmp_path / "dnn.joblib"
    save_selection_dnn(dnn, path)
    np.testing.assert_array_equal(selection_scores(load_selection_dnn(path), features), scores)
    with pytest.raises(ValueError, match="shape"):
        selection_scores(dnn, features[:, :2])
    (tmp_path / "junk.joblib").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="selection DNN"):
        load_selection_dnn(tmp_path / "junk.joblib")


def test_training_needs_both_classes():
    with pytest.raises(ValueError, match="at least one signal"):
        training_table([], [np.ones((3, 3))], [np.ones(3)])
    with pytest.raises(ValueError, match="no signal sample has a reconstructed event"):
        training_table([np.full((3, 3), np.nan)], [np.ones((3, 3))], [np.ones(3)])


def test_empty_signal_sample_contributes_nothing():
    table = training_table([np.full((3, 3), np.nan), np.ones((2, 3))], [np.zeros((4, 3))], [np.ones(4)])
    assert table.labels.tolist() == [1, 1, 0, 0, 0, 0]
    signal_weight = table.weights[table.labels == 1].sum()
    assert signal_weight == pytest.approx(table.weights[table.labels == 0].sum())


def test_signal_weights_share_each_sample_total_by_event():
    signal = [np.ones((3, 2)), np.ones((2, 2))]
    table = training_table(signal, [np.zeros((4, 2))], [np.ones(4)], [np.array([1.0, 1.0, 2.0]), None])
    # each signal sample totals 1/2 (the first following its weights), the background 1; then scaled to mean 1
    shares = 2.0 * table.weights / table.weights.sum()
    np.testing.assert_allclose(shares[:3], [0.125, 0.125, 0.25])
    np.testing.assert_allclose(shares[3:5], [0.25, 0.25])
    np.testing.assert_allclose(shares[5:], [0.25] * 4)
    uniform = training_table(signal, [np.zeros((4, 2))], [np.ones(4)])
    explicit = training_table(signal, [np.zeros((4, 2))], [np.ones(4)], [None, None])
    assert np.array_equal(explicit.weights, uniform.weights)
