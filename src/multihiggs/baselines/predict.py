"""Run a baseline on a SPANet-layout test file and write its prediction file.

    python -m multihiggs.baselines.predict --method chi2 --n-higgs 3 -i TEST.h5 -o PRED.h5

Methods: ``chi2`` (top 2 n_higgs jets by b-tag then pT), ``chi2_leading_pt`` (the 2 n_higgs leading-pT jets, no
b-tag ordering: li2023hhh's HH chi^2), ``chi2_all`` (every jet), ``mass_agnostic`` and
``min_delta_r`` (HH only; four jets chosen by ``--hh-jets``: hsieh_spanet2's four-tag selection by default), and
``chi2_bdt`` (BDT-tagged AK8 jets + chi^2 on the other AK5 jets; needs ``--bdt-model``).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence

import numpy as np

from multihiggs.baselines.candidates import HiggsCandidates
from multihiggs.baselines.chi2 import chi2_pairing
from multihiggs.baselines.chi2_bdt import BoostedResolvedCandidates, chi2_bdt_candidates
from multihiggs.baselines.fatjet_bdt import (
    FATJET_FEATURES,
    boosted_higgs_jets,
    fatjet_scores,
    load_fatjet_bdt,
    stored_threshold,
)
from multihiggs.baselines.jet_selection import four_tag_jets, leading_by_btag_then_pt, leading_by_pt
from multihiggs.baselines.mass_agnostic import mass_agnostic_pairing
from multihiggs.baselines.min_delta_r import min_delta_r_pairing
from multihiggs.cli import run_main
from multihiggs.io.predictions import Predictions, write_predictions
from multihiggs.io.readers import read_boosted_features, read_jets
from multihiggs.io.spanet_layout import BTAG_FEATURE_BY_WORKING_POINT
from multihiggs.jets import Jets
from multihiggs.methods import BASELINES

#: The baselines this module implements: those of multihiggs.methods.BASELINES (the AK8 BDT ones apart).
METHODS: tuple[str, ...] = tuple(BASELINES)
RESOLVED_METHODS: tuple[str, ...] = tuple(name for name, method in BASELINES.items() if not method.uses_bdt)
HH_ONLY_METHODS: frozenset[str] = frozenset(name for name, method in BASELINES.items() if "hhh" not in method.analyses)
HH_JET_SELECTIONS: tuple[str, ...] = ("four_tag", "btag_then_pt")


def resolved_candidates(
    method: str, jets: Jets, n_higgs: int, *, hh_jet_selection: str = "four_tag"
) -> HiggsCandidates:
    """Higgs candidates of one resolved baseline ``method`` (see :data:`RESOLVED_METHODS`)."""
    if method not in RESOLVED_METHODS:
        raise ValueError(f"unknown resolved baseline {method!r}; choose one of {RESOLVED_METHODS}")
    if n_higgs not in (2, 3):
        raise ValueError(f"n_higgs must be 2 (HH) or 3 (HHH), got {n_higgs}")
    if method == "chi2":
        return chi2_pairing(jets, n_higgs, candidate_jets=leading_by_btag_then_pt(jets, 2 * n_higgs))
    if method == "chi2_leading_pt":
        return chi2_pairing(jets, n_higgs, candidate_jets=leading_by_pt(jets, 2 * n_higgs))
    if method == "chi2_all":
        return chi2_pairing(jets, n_higgs)
    if n_higgs != 2:
        raise ValueError(f"baseline {method!r} pairs four jets into HH only, got n_higgs={n_higgs}")
    if hh_jet_selection == "four_tag":
        four_jets = four_tag_jets(jets)
    elif hh_jet_selection == "btag_then_pt":
        four_jets = leading_by_btag_then_pt(jets, 4)
    else:
        raise ValueError(f"unknown HH jet selection {hh_jet_selection!r}; choose one of {HH_JET_SELECTIONS}")
    if method == "mass_agnostic":
        return mass_agnostic_pairing(jets, four_jets)
    if method == "min_delta_r":
        return min_delta_r_pairing(jets, four_jets)
    raise ValueError(f"baseline {method!r} of multihiggs.methods.BASELINES has no implementation here")


def resolved_predictions(method: str, candidates: HiggsCandidates) -> Predictions:
    """A resolved-only method's :class:`Predictions`: its jet pairs, no boosted Higgs, NaN probabilities/scores."""
    n_events, n_higgs = candidates.jet_pairs.shape[:2]
    return dataclasses.replace(
        Predictions.empty(method, n_events, n_higgs), resolved_assignments=candidates.jet_pairs.copy()
    )


def boosted_resolved_predictions(
    method: str, candidates: BoostedResolvedCandidates, fatjet_scores: np.ndarray
) -> Predictions:
    """:class:`Predictions` of the chi^2 + BDT baseline.

    The BDT score of each chosen AK8 jet (its H -> bb probability) goes into ``boosted_detection_probability``;
    every other probability and the signal score are NaN.
    """
    n_events, n_higgs = candidates.boosted_jets.shape
    chosen = candidates.boosted_jets >= 0
    safe = np.where(chosen, candidates.boosted_jets, 0)
    scores = np.where(chosen, np.take_along_axis(np.asarray(fatjet_scores), safe, axis=1), np.nan)
    return dataclasses.replace(
        Predictions.empty(method, n_events, n_higgs),
        resolved_assignments=candidates.resolved_pairs.copy(),
        boosted_assignments=candidates.boosted_jets.copy(),
        boosted_detection_probability=scores.astype(np.float32),
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.baselines.predict", description=__doc__.split("\n")[0])
    parser.add_argument("--method", required=True, choices=METHODS)
    parser.add_argument("--n-higgs", required=True, type=int, choices=(2, 3))
    parser.add_argument("-i", "--input", required=True, help="SPANet-layout HDF5 test file")
    parser.add_argument("-o", "--output", required=True, help="prediction HDF5 file to write")
    parser.add_argument(
        "--btag", default="CSV", choices=sorted(BTAG_FEATURE_BY_WORKING_POINT), help="b-tag working point"
    )
    parser.add_argument(
        "--hh-jets",
        default="four_tag",
        choices=HH_JET_SELECTIONS,
        help="four jets paired by mass_agnostic/min_delta_r (default: hsieh_spanet2's four-tag selection)",
    )
    parser.add_argument("--bdt-model", help="fat-jet BDT (xgboost JSON) for chi2_bdt")
    parser.add_argument("--bdt-threshold", type=float, help="BDT score cut (default: the one stored in the model)")
    args = parser.parse_args(argv)
    if args.method in HH_ONLY_METHODS and args.n_higgs != 2:
        parser.error(f"--method {args.method} is an HH pairing: use --n-higgs 2")
    if BASELINES[args.method].uses_bdt and args.bdt_model is None:
        parser.error(f"--method {args.method} needs --bdt-model")
    run_main(lambda: _predict(args), raise_exit=True)


def _predict(args: argparse.Namespace) -> None:
    jets = read_jets(args.input, btag_working_point=args.btag)
    if args.method != "chi2_bdt":
        candidates = resolved_candidates(args.method, jets, args.n_higgs, hh_jet_selection=args.hh_jets)
        write_predictions(args.output, resolved_predictions(args.method, candidates))
        return

    model = load_fatjet_bdt(args.bdt_model)
    threshold = args.bdt_threshold if args.bdt_threshold is not None else stored_threshold(model)
    if threshold is None:
        raise ValueError(f"BDT model {args.bdt_model} stores no working point: give --bdt-threshold")
    features, fatjet_mask = read_boosted_features(args.input, (*FATJET_FEATURES, "sinphi", "cosphi"))
    scores = fatjet_scores(model, features, fatjet_mask)
    boosted = chi2_bdt_candidates(
        jets,
        features["eta"],
        np.arctan2(features["sinphi"], features["cosphi"]),
        boosted_higgs_jets(scores, threshold, args.n_higgs),
    )
    write_predictions(args.output, boosted_resolved_predictions(args.method, boosted, scores))


if __name__ == "__main__":
    main()
