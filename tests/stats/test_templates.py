import dataclasses

import numpy as np
import pytest

from multihiggs.stats.templates import (
    SelectedSample,
    build_templates,
    fill_histogram,
    merge_sparse_bins,
    optimal_threshold,
    read_templates,
    selection_mask,
    write_templates,
)


def test_histogram_folds_flows_and_scales_by_the_split_fraction():
    values = np.array([100.0, 260.0, 400.0, 700.0, 5000.0, np.nan])
    weights = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 100.0])
    histogram = fill_histogram(values, weights, np.array([250.0, 500.0, 1000.0]), split_fraction=0.5)
    np.testing.assert_allclose(histogram.sumw, [12.0, 18.0])  # (1+2+3)/0.5, (4+5)/0.5
    np.testing.assert_allclose(histogram.sumw2, [(1 + 4 + 9) / 0.25, (16 + 25) / 0.25])
    np.testing.assert_array_equal(histogram.counts, [3, 2])


def test_sparse_bins_merge_from_the_tail():
    edges = np.arange(6.0)
    np.testing.assert_array_equal(merge_sparse_bins(edges, np.array([10, 5, 2, 1, 1]), 3), [0, 1, 2, 5])
    np.testing.assert_array_equal(merge_sparse_bins(edges, np.array([1, 5, 5, 5, 5]), 3), [0, 2, 3, 4, 5])
    with pytest.raises(ValueError, match="background MC events"):
        merge_sparse_bins(edges, np.array([0, 0, 1, 0, 0]), 3)


def sample(rng, n, kl, score_mean, weight, lo=None, split=0.2):
    return SelectedSample(
        kl=kl,
        observable=rng.uniform(260, 900, n),
        score=np.clip(rng.normal(score_mean, 0.15, n), 0, 1),
        weight_pb=np.full(n, weight),
        split_fraction=split,
        lo_cross_section_pb=lo,
    )


@pytest.fixture
def samples():
    rng = np.random.default_rng(4)
    signals = [sample(rng, 2000, kl, 0.7, lo / 10_000, lo=lo) for kl, lo in ((0.0, 0.04), (1.0, 0.02), (5.0, 0.044))]
    background = sample(rng, 5000, float("nan"), 0.3, 1e-3)
    return signals, background


def test_threshold_maximises_s_over_sqrt_b(samples):
    signals, background = samples
    grid = np.linspace(0, 0.95, 96)
    best = optimal_threshold(signals, np.array([0.0, 1.0, 5.0]), background, grid, min_background_events=10)

    def significance(threshold):
        s = signals[1].weight_pb[selection_mask(signals[1], threshold)].sum()
        return s / np.sqrt(background.weight_pb[selection_mask(background, threshold)].sum())

    allowed = [t for t in grid if selection_mask(background, t).sum() >= 10]
    assert significance(best) == pytest.approx(max(significance(t) for t in allowed))


def test_threshold_keeps_the_background_n_eff_floor(samples):
    """A few heavy-weight background events just below a high score: without a floor S/√B peaks where they drop
    out (a fluctuation of B, n_eff of a few); the floor keeps only thresholds whose background keeps Kish n_eff >=
    the floor, and among those the maximum of S/√B."""
    signals, background = samples
    rng = np.random.default_rng(9)
    weights, scores = background.weight_pb.copy(), background.score.copy()
    heavy = rng.choice(np.flatnonzero(scores < 0.5), 40, replace=False)
    weights[heavy] = 0.2
    scores[heavy] = rng.uniform(0.6, 0.75, len(heavy))
    background = dataclasses.replace(background, weight_pb=weights, score=scores)
    basis_kl, grid = np.array([0.0, 1.0, 5.0]), np.linspace(0, 0.95, 96)

    def n_eff(threshold):
        w = background.weight_pb[selection_mask(background, threshold)]
        return w.sum() ** 2 / (w**2).sum()

    def significance(threshold):
        s = signals[1].weight_pb[selection_mask(signals[1], threshold)].sum()
        return s / np.sqrt(background.weight_pb[selection_mask(background, threshold)].sum())

    unfloored = optimal_threshold(signals, basis_kl, background, grid)
    assert n_eff(unfloored) < 10
    for floor in (30.0, 60.0):
        best = optimal_threshold(signals, basis_kl, background, grid, min_background_n_eff=floor)
        allowed = [t for t in grid if selection_mask(background, t).sum() >= 10 and n_eff(t) >= floor]
        assert n_eff(best) >= floor
        assert significance(best) == pytest.approx(max(significance(t) for t in allowed))
        assert best < unfloored


def test_threshold_optimisation_names_the_floor_it_cannot_meet(samples):
    signals, background = samples
    with pytest.raises(ValueError, match="min_background_n_eff"):
        optimal_threshold(
            signals, np.array([0.0, 1.0, 5.0]), background, np.array([0.5, 0.9]), min_background_n_eff=1e6
        )


def test_templates_round_trip_and_respect_the_selection(samples, tmp_path):
    signals, background = samples
    templates = build_templates(
        "toy",
        "mhh",
        np.linspace(250, 1000, 16),
        signals,
        background,
        [0.0, 1.0, 5.0],
        threshold=0.5,
        min_background_per_bin=20,
    )
    assert (templates.background_counts >= 20).all()
    passed = selection_mask(signals[1], 0.5)
    assert templates.basis()[1].fiducial_pb.sum() == pytest.approx(signals[1].weight_pb[passed].sum() / 0.2)
    path = tmp_path / "t.json"
    write_templates(path, templates)
    again = read_templates(path)
    np.testing.assert_array_equal(again.edges, templates.edges)
    np.testing.assert_array_equal(again.basis()[2].fiducial_pb, templates.basis()[2].fiducial_pb)
    assert again.threshold == 0.5
    statistics = again.metadata["background_statistics"]
    assert statistics["before"] == {"events": 5000, "n_eff": pytest.approx(5000)}  # uniform weights
    n_passed = int(selection_mask(background, 0.5).sum())
    assert statistics["after"]["events"] == n_passed and statistics["after"]["n_eff"] == pytest.approx(n_passed)


def test_background_table_has_truth_flavour_sizes_for_a_tag_rate_background(samples):
    from multihiggs.stats.background_table import background_markdown, background_rows

    signals, background = samples
    rng = np.random.default_rng(5)
    truth = background.weight_pb * rng.exponential(1.0, background.weight_pb.size) ** 3  # a few events dominate
    tag_rate = dataclasses.replace(background, truth_tag_weight_pb=truth)
    templates = build_templates("toy", "mhh", np.linspace(250, 1000, 16), signals, tag_rate, [0.0, 1.0, 5.0],
                                threshold=0.5)  # fmt: skip
    statistics = templates.metadata["background_statistics"]
    assert statistics["after"]["truth_n_eff"] < statistics["after"]["n_eff"]
    assert statistics["before"]["truth_n_eff"] > statistics["after"]["truth_n_eff"]
    (row,) = background_rows([templates])
    assert row[0] == "toy" and row[1] == 5000 and row[7].endswith("%")
    assert "truth-flavour" in background_markdown([templates])


def test_bad_inputs_are_named(samples):
    signals, background = samples
    no_score = SelectedSample(1.0, np.ones(3), np.full(3, np.nan), np.ones(3), 0.2, 1.0)
    with pytest.raises(ValueError, match="no classifier score"):
        selection_mask(no_score, 0.5)
    with pytest.raises(ValueError, match="no signal sample"):
        build_templates("toy", "mhh", np.linspace(250, 1000, 4), signals, background, [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="either a fixed threshold"):
        build_templates(
            "toy",
            "mhh",
            np.linspace(250, 1000, 4),
            signals,
            background,
            [0.0, 1.0, 5.0],
            threshold=0.5,
            optimise_threshold=True,
        )
