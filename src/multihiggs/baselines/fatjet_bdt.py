"""The boosted baseline of spanet_hh_hhh_2024: an xgboost BDT telling H -> bb AK8 jets from QCD AK8 jets.

Inputs per AK8 jet (layout names): pT (GeV), eta, mass (GeV), soft-drop mass (GeV), charged energy fraction,
number of charged constituents, tau32 and tau21. Signal jets are the AK8 jets matched to a boosted Higgs target
(``TARGETS/bh{i}/bb``) in signal events; background jets are all AK8 jets of background (QCD) events. AK8 jets
of signal events that match no Higgs are left out of training.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import xgboost

from multihiggs.provenance import STAMP_KEY, current_stamp

FATJET_FEATURES: tuple[str, ...] = (
    "pt",
    "eta",
    "mass",
    "sdmass",
    "charged_fraction",
    "n_charged",
    "tau32",
    "tau21",
)
THRESHOLD_ATTRIBUTE = "working_point_threshold"


def fatjet_feature_matrix(features: Mapping[str, np.ndarray]) -> np.ndarray:
    """Stack the BDT inputs (each shaped (N, B)) in :data:`FATJET_FEATURES` order: float64 (N, B, 8)."""
    missing = [name for name in FATJET_FEATURES if name not in features]
    if missing:
        raise ValueError(f"fat-jet features {missing} are missing (need {FATJET_FEATURES})")
    shapes = {name: np.shape(features[name]) for name in FATJET_FEATURES}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"fat-jet features have different shapes: {shapes}")
    return np.stack([np.asarray(features[name], dtype=np.float64) for name in FATJET_FEATURES], axis=-1)


def fatjet_training_table(
    features: Mapping[str, np.ndarray],
    mask: np.ndarray,
    boosted_targets: np.ndarray,
    is_signal_event: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Labelled AK8 jets for training, in event then slot order.

    Args:
        features: the :data:`FATJET_FEATURES` arrays, each (N, B).
        mask: bool (N, B), True for real AK8 jets.
        boosted_targets: int (N, H), AK8 index of each boosted Higgs target (-1 = none).
        is_signal_event: bool (N,), True for signal (HH/HHH) events, False for QCD.

    Returns:
        ``(inputs, labels)``: float64 (M, 8) and int64 (M,), 1 for H -> bb jets, 0 for QCD jets.
    """
    matrix = fatjet_feature_matrix(features)
    mask = np.asarray(mask, dtype=bool)
    boosted_targets = np.asarray(boosted_targets)
    is_signal_event = np.asarray(is_signal_event, dtype=bool)
    n_events, n_slots = mask.shape
    if matrix.shape[:2] != mask.shape:
        raise ValueError(f"fat-jet features have shape {matrix.shape[:2]}, mask has {mask.shape}")
    if boosted_targets.ndim != 2 or len(boosted_targets) != n_events:
        raise ValueError(f"boosted_targets must have shape ({n_events}, H), got {boosted_targets.shape}")
    if is_signal_event.shape != (n_events,):
        raise ValueError(f"is_signal_event must have shape ({n_events},), got {is_signal_event.shape}")
    if ((boosted_targets < -1) | (boosted_targets >= n_slots)).any():
        raise ValueError(f"boosted_targets must lie in [-1, {n_slots - 1}]")

    selected, signal_jets = training_jets(mask, boosted_targets, is_signal_event)
    inputs = matrix[selected]
    if not np.isfinite(inputs).all():
        raise ValueError("fat-jet features have non-finite values in selected (real) AK8 jets")
    return inputs, signal_jets[selected].astype(np.int64)


def training_jets(
    mask: np.ndarray, boosted_targets: np.ndarray, is_signal_event: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(selected, signal) bool (N, B): the AK8 jets used for training (boosted targets of signal events, every jet
    of QCD events) and which of them are H -> bb; row order of :func:`fatjet_training_table` is ``selected``'s."""
    mask = np.asarray(mask, dtype=bool)
    boosted_targets = np.asarray(boosted_targets)
    is_target = (boosted_targets[:, :, None] == np.arange(mask.shape[1])).any(axis=1)
    if (is_target & ~mask).any():
        raise ValueError("a boosted target points at a padded AK8 slot")
    signal_jets = mask & is_target & np.asarray(is_signal_event, dtype=bool)[:, None]
    background_jets = mask & ~np.asarray(is_signal_event, dtype=bool)[:, None]
    return signal_jets | background_jets, signal_jets


def train_fatjet_bdt(
    inputs: np.ndarray,
    labels: np.ndarray,
    *,
    seed: int,
    sample_weight: np.ndarray | None = None,
    n_estimators: int = 300,
    max_depth: int = 4,
    learning_rate: float = 0.1,
    subsample: float = 0.8,
    n_threads: int = 1,
) -> xgboost.XGBClassifier:
    """Train the H -> bb vs QCD BDT on ``inputs`` (M, 8) and ``labels`` (M,); same seed -> same model."""
    inputs = np.asarray(inputs, dtype=np.float64)
    labels = np.asarray(labels)
    if inputs.ndim != 2 or inputs.shape[1] != len(FATJET_FEATURES):
        raise ValueError(f"inputs must have shape (M, {len(FATJET_FEATURES)}), got {inputs.shape}")
    if labels.shape != (len(inputs),):
        raise ValueError(f"labels must have shape ({len(inputs)},), got {labels.shape}")
    if set(np.unique(labels)) != {0, 1}:
        raise ValueError(f"labels must contain both classes 0 and 1, got {np.unique(labels)}")
    model = xgboost.XGBClassifier(
        n_estimators=n_estimators,
        max_depth=max_depth,
        learning_rate=learning_rate,
        subsample=subsample,
        tree_method="hist",
        objective="binary:logistic",
        eval_metric="logloss",
        random_state=seed,
        n_jobs=n_threads,
    )
    model.fit(inputs, labels, sample_weight=sample_weight)
    return model


def fatjet_scores(model: xgboost.XGBClassifier, features: Mapping[str, np.ndarray], mask: np.ndarray) -> np.ndarray:
    """H -> bb probability of every AK8 jet: float64 (N, B), NaN in padded slots."""
    matrix = fatjet_feature_matrix(features)
    mask = np.asarray(mask, dtype=bool)
    if matrix.shape[:2] != mask.shape:
        raise ValueError(f"fat-jet features have shape {matrix.shape[:2]}, mask has {mask.shape}")
    scores = np.full(mask.shape, np.nan)
    if mask.any():
        scores[mask] = model.predict_proba(matrix[mask])[:, 1]
    return scores


def working_point(signal_scores: np.ndarray, target_efficiency: float, weights: np.ndarray | None = None) -> float:
    """Score threshold keeping (score >= threshold) the smallest fraction >= ``target_efficiency`` of signal (of
    its total ``weights`` when given, e.g. each jet's event probability to pass a tag requirement)."""
    if not 0 < target_efficiency <= 1:
        raise ValueError(f"target_efficiency must lie in (0, 1], got {target_efficiency}")
    scores = np.asarray(signal_scores, dtype=np.float64).ravel()
    if scores.size == 0 or not np.isfinite(scores).all():
        raise ValueError("signal_scores must be a non-empty array of finite scores")
    order = np.argsort(scores, kind="stable")[::-1]
    if weights is None:
        n_kept = max(1, int(np.ceil(target_efficiency * scores.size - 1e-9)))
        return float(scores[order][n_kept - 1])
    kept_weight = np.cumsum(np.asarray(weights, dtype=np.float64).ravel()[order])
    index = int(np.searchsorted(kept_weight, target_efficiency * kept_weight[-1] * (1 - 1e-12)))
    return float(scores[order][min(index, scores.size - 1)])


def boosted_higgs_jets(scores: np.ndarray, threshold: float, n_higgs: int) -> np.ndarray:
    """AK8 jets tagged as H -> bb: up to ``n_higgs`` with score >= ``threshold``, by decreasing score.

    Args:
        scores: float (N, B) from :func:`fatjet_scores` (NaN = padded slot).

    Returns:
        int64 (N, n_higgs) AK8 indices, -1 in unused slots.
    """
    scores = np.asarray(scores, dtype=np.float64)
    tagged = np.nan_to_num(scores, nan=-np.inf) >= threshold
    order = np.argsort(np.where(tagged, -scores, np.inf), axis=1, kind="stable")
    chosen = np.full((len(scores), n_higgs), -1, dtype=np.int64)
    width = min(n_higgs, scores.shape[1])
    chosen[:, :width] = np.where(np.take_along_axis(tagged, order, axis=1)[:, :width], order[:, :width], -1)
    return chosen


def save_fatjet_bdt(model: xgboost.XGBClassifier, path: str | Path, *, threshold: float | None = None) -> None:
    """Save the BDT in xgboost's JSON model format (``path`` must end in .json).

    ``threshold``, the working point's score cut, is stored in the model file as the booster attribute
    :data:`THRESHOLD_ATTRIBUTE` so that one file carries both; the provenance stamp is the attribute ``provenance``.
    """
    path = Path(path)
    if path.suffix != ".json":
        raise ValueError(f"BDT model path must end in .json (xgboost JSON format), got {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if threshold is not None:
        model.get_booster().set_attr(**{THRESHOLD_ATTRIBUTE: repr(float(threshold))})
    model.get_booster().set_attr(**{STAMP_KEY: current_stamp().to_json()})
    model.save_model(path)


def load_fatjet_bdt(path: str | Path) -> xgboost.XGBClassifier:
    """Load a BDT saved by :func:`save_fatjet_bdt`."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"BDT model file {path} does not exist")
    model = xgboost.XGBClassifier()
    model.load_model(path)
    return model


def stored_threshold(model: xgboost.XGBClassifier) -> float | None:
    """The working-point threshold saved with the model, or None if it was saved without one."""
    value = model.get_booster().attr(THRESHOLD_ATTRIBUTE)
    return None if value is None else float(value)
