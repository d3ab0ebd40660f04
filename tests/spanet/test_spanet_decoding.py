"""Greedy decoding: confidence order, no vector used twice, and the validation purity metric."""

from __future__ import annotations

import numpy as np

from multihiggs.spanet.decoding import decode_assignments
from multihiggs.spanet.metrics import assignment_purity


def _pair_distribution(n_jets: int, entries: dict[tuple[int, int], float]) -> np.ndarray:
    values = np.zeros((1, n_jets, n_jets))
    for (j, k), probability in entries.items():
        values[0, j, k] = values[0, k, j] = probability
    return values


def test_most_confident_particle_chooses_first():
    # Both particles prefer (0, 1); the second is more confident, so the first falls back to (2, 3).
    first = _pair_distribution(5, {(0, 1): 0.5, (2, 3): 0.3})
    second = _pair_distribution(5, {(0, 1): 0.9, (2, 4): 0.05})
    decoded = decode_assignments([first, second], ["Jets", "Jets"])
    np.testing.assert_array_equal(decoded.indices[0], [[2, 3], [0, 1]])
    np.testing.assert_allclose(decoded.probabilities[0], [0.3, 0.9])


def test_inputs_do_not_compete_and_exhaustion_gives_minus_one():
    pair = _pair_distribution(3, {(0, 1): 0.8, (1, 2): 0.2})
    other = _pair_distribution(3, {(1, 2): 0.7})
    fat = np.array([[0.6, 0.4]])
    decoded = decode_assignments([pair, other, fat, fat.copy()], ["Jets", "Jets", "Fat", "Fat"])
    np.testing.assert_array_equal(decoded.indices[0], [[0, 1], [-1, -1], [0, -1], [1, -1]])
    assert decoded.probabilities[0, 1] == 0.0


def test_random_distributions_never_reuse_a_jet():
    rng = np.random.default_rng(5)
    n_events, n_jets = 500, 7
    pairs = [rng.random((n_events, n_jets, n_jets)) for _ in range(3)]
    pairs = [(p + p.transpose(0, 2, 1)) * ~np.eye(n_jets, dtype=bool) for p in pairs]
    singles = [rng.random((n_events, 3)) for _ in range(3)]
    decoded = decode_assignments([*pairs, *singles], ["Jets"] * 3 + ["Fat"] * 3)
    jets = decoded.indices[:, :3].reshape(n_events, -1)
    fats = decoded.indices[:, 3:, 0]
    for used in (jets, fats):
        for row in used:
            row = row[row >= 0]
            assert len(row) == len(set(row.tolist()))
    assert (jets >= 0).all() and (fats >= 0).all()
    assert (decoded.indices[:, :3, 0] < decoded.indices[:, :3, 1]).all()


def test_purity_matches_up_to_the_event_group():
    targets = np.array([[[0, 1], [2, 3], [0, -1], [-1, -1]]])
    masks = np.array([[True, True, True, False]])
    group = [(0, 1, 2, 3), (1, 0, 3, 2)]
    swapped = np.array([[[3, 2], [1, 0], [-1, -1], [0, -1]]])  # h1 <-> h2 and bh1 <-> bh2
    assert assignment_purity(swapped, targets, masks, group) == 1.0
    half = np.array([[[3, 2], [1, 0], [0, -1], [-1, -1]]])  # resolved swapped, boosted not: 2 of 3
    assert abs(assignment_purity(half, targets, masks, group) - 2 / 3) < 1e-12


def test_detection_probability_orders_the_particles():
    # The absent particle (detection 0.05) is more certain of its tuple but must not take the present one's jets.
    present = _pair_distribution(4, {(0, 1): 0.6, (2, 3): 0.1})
    absent = _pair_distribution(4, {(0, 1): 0.95})
    without = decode_assignments([present, absent], ["Jets", "Jets"])
    assert without.indices[0, 0].tolist() == [2, 3]
    with_detection = decode_assignments([present, absent], ["Jets", "Jets"], np.array([[0.9, 0.05]]))
    assert with_detection.indices[0].tolist() == [[0, 1], [-1, -1]]
