"""Validation metrics of the training loop."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from multihiggs.spanet.event_info import Permutation


def assignment_purity(
    decoded: np.ndarray, targets: np.ndarray, target_masks: np.ndarray, event_group: Sequence[Permutation]
) -> float:
    """Fraction of reconstructable target particles whose decoded tuple is exactly right.

    The particle labels are matched per event by the best element of the event permutation group, and tuples
    are compared as unordered sets.

    Args:
        decoded: (N, P, 2) decoded vector indices (-1 padding); targets: (N, P, 2) true indices (-1 padding).
        target_masks: (N, P) bool reconstructable targets.
    """
    n_targets = int(np.sum(target_masks))
    if n_targets == 0:
        return float("nan")
    permutations = np.asarray(event_group, dtype=np.int64)  # (S, P)
    decoded_sorted = np.sort(decoded, axis=2)
    target_sorted = np.sort(np.asarray(targets), axis=2)
    particles = np.arange(permutations.shape[1])
    # match[n, s, p]: particle p's tuple equals the target of particle sigma_s(p), which is reconstructable
    same = (decoded_sorted[:, None, particles, :] == target_sorted[:, permutations, :]).all(axis=3)
    match = same & np.asarray(target_masks)[:, permutations]
    return float(match.sum(axis=2).max(axis=1).sum() / n_targets)


def weighted_auc(labels: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> float:
    """Area under the ROC curve of ``scores`` for ``labels`` (1 signal, 0 background, < 0 unlabelled: skipped)
    with event ``weights``; NaN unless both classes carry weight."""
    labels, scores, weights = np.asarray(labels), np.asarray(scores), np.asarray(weights, dtype=np.float64)
    labelled = labels >= 0
    if not (weights[labelled & (labels == 1)].sum() > 0 and weights[labelled & (labels == 0)].sum() > 0):
        return float("nan")
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels[labelled], scores[labelled], sample_weight=weights[labelled]))
