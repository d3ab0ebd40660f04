"""Boosted + resolved post-processing (spanet_hh_hhh_2024) as :class:`Predictions`, for SPA-Net and the
imported reference SPANet predictions (``reference_import``); the baselines build their own candidates.

The rules (Higgs count, ranking, overlap removal and slot filling) live in the dependency-free
:mod:`multihiggs.spanet.decoding`, which the ONNX export ships with the model; this module names the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from multihiggs.io.predictions import Predictions
from multihiggs.spanet.decoding import (
    RESOLVED_COUNTS,
    HiggsCandidates,
    JetDirections,
    ReconstructedHiggs,
    combine_candidates,
    delta_r,
    keep_top,
    most_likely_count,
)

__all__ = [
    "RESOLVED_COUNTS",
    "HiggsCandidates",
    "as_predictions",
    "combine_boosted_resolved",
    "delta_r",
    "keep_top",
    "most_likely_count",
]


def as_predictions(higgs: ReconstructedHiggs, method: str) -> Predictions:
    """The reconstructed Higgs bosons as the prediction-file record of ``method``."""
    return Predictions(method=method, **higgs.arrays())


def combine_boosted_resolved(
    resolved: HiggsCandidates,
    boosted: HiggsCandidates,
    jet_eta: np.ndarray,
    jet_phi: np.ndarray,
    fatjet_eta: np.ndarray,
    fatjet_phi: np.ndarray,
    *,
    method: str,
    **options: Any,
) -> Predictions:
    """Choose the reconstructed Higgs bosons of every event from resolved and boosted candidates.

    jet_eta, jet_phi: (N, J) AK5 jet directions (rad); fatjet_eta, fatjet_phi: (N, B) AK8 directions; ``method``
    names the result. ``options`` are the keywords of :func:`multihiggs.spanet.decoding.combine_candidates`
    (signal_score, overlap_delta_r, max_higgs, resolved_count), whose defaults apply.
    """
    directions = JetDirections(jet_eta, jet_phi, fatjet_eta, fatjet_phi)
    return as_predictions(combine_candidates(resolved, boosted, directions, **options), method)
