"""Read what the statistical analysis needs from one converted sample file (train, val or test split).

Dataset names come from :mod:`multihiggs.io.spanet_layout`, jets from :mod:`multihiggs.io.readers`, the
conversion's bookkeeping attributes from :mod:`multihiggs.convert.convert`.

Normalisation of a split file (see the conversion): its event weights (pb) sum to its split fraction f of
σ × ε_conversion, so Σ_file w / f estimates the sample's selected cross section. The generated LO cross section of
a signal sample is N_generated × w (our generator's signal events all weigh σ / N_generated).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from multihiggs.io import spanet_layout as layout
from multihiggs.io.hdf5 import open_hdf5, read_dataset, selection_weight_of
from multihiggs.io.predictions import Predictions, read_predictions
from multihiggs.io.readers import read_boosted_features, read_jets
from multihiggs.io.spanet_layout import ATTR_CONFIG, ATTR_N_GENERATED, ATTR_SPLIT, ATTR_TAG_RATE, SPLIT_NAMES
from multihiggs.jets import Jets

_FATJET_KINEMATICS = ("pt", "eta", "sinphi", "cosphi", "mass")
_UNIFORM_WEIGHT_TOLERANCE = 1e-5
_KL_DECIMALS = 5


@dataclass(frozen=True)
class SampleFile:
    """Per-file normalisation of a converted sample: event weights (pb, (N,)), the κλ of its events (NaN if they
    differ, e.g. background), the split fraction f of the file and the number of generated events of the sample."""

    path: Path
    event_weight_pb: np.ndarray
    kl: float
    split_fraction: float
    n_generated: int
    truth_tag_weight_pb: np.ndarray | None = None  # (N,) truth-flavour TRF weights of an inclusive-TRF background
    #: (N,) each event's probability to pass the tag requirement (tag-rate weights; part of event_weight_pb), None
    #: when the requirement was a cut
    selection_weight: np.ndarray | None = None

    @property
    def n_events(self) -> int:
        return len(self.event_weight_pb)

    def lo_cross_section_pb(self) -> float:
        """The sample's generated cross section (pb) = N_generated × the common event weight.

        Valid for unweighted samples (our signal; with tag-rate weights, the weights before the tag probability);
        raises for weighted ones, whose σ the file cannot give.
        """
        weights = self.event_weight_pb
        if self.selection_weight is not None:
            passing = self.selection_weight > 0
            weights = weights[passing] / self.selection_weight[passing]
        if self.n_events == 0:
            raise ValueError(f"{self.path} holds no events: cannot infer the sample's cross section")
        spread = float(np.ptp(weights)) / float(np.mean(weights))
        if spread > _UNIFORM_WEIGHT_TOLERANCE:
            raise ValueError(
                f"{self.path}: event weights are not uniform (relative spread {spread:.2g}); the generated cross "
                "section N_generated × w needs an unweighted (signal) sample"
            )
        return float(np.mean(weights)) * self.n_generated


def read_sample_file(path: str | Path) -> SampleFile:
    """Weights, κλ and normalisation bookkeeping of a converted split file."""
    path = Path(path)
    with open_hdf5(path) as handle:
        weights = np.asarray(read_dataset(handle, layout.event_weight_key()), dtype=np.float64)
        kl_values = np.asarray(read_dataset(handle, layout.input_key(layout.EVENT, "kl")), dtype=np.float64)
        missing = [name for name in (ATTR_CONFIG, ATTR_SPLIT, ATTR_N_GENERATED) if name not in handle.attrs]
        if missing:
            raise ValueError(
                f"{path} lacks the conversion attributes {missing}: give a per-sample file written by "
                "'python -m multihiggs.convert' (merged files do not carry a single sample's normalisation)"
            )
        config = json.loads(handle.attrs[ATTR_CONFIG])
        split = str(handle.attrs[ATTR_SPLIT])
        n_generated = int(handle.attrs[ATTR_N_GENERATED])
        tag_rate = json.loads(handle.attrs.get(ATTR_TAG_RATE, "null"))
        truth_tag_weights, selection_weight = None, selection_weight_of(handle)
        if tag_rate and layout.truth_tag_weight_key() in handle:
            truth_tag_weights = np.asarray(read_dataset(handle, layout.truth_tag_weight_key()), dtype=np.float64)
    if split not in SPLIT_NAMES:
        raise ValueError(f"{path}: split attribute {split!r} is not one of {SPLIT_NAMES}")
    fraction = float(config["split_fractions"][SPLIT_NAMES.index(split)])
    if not fraction > 0:
        raise ValueError(f"{path}: split fraction of {split!r} is {fraction}")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError(f"{path}: event weights must be finite and non-negative")
    unique_kl = np.unique(kl_values)
    # κλ is stored as float32: round back to the decimal the sample was named with (2.45, not 2.4500000477)
    kl = round(float(unique_kl[0]), _KL_DECIMALS) if len(unique_kl) == 1 else float("nan")
    if tag_rate and truth_tag_weights is None:
        raise ValueError(f"{path}: an inclusive tag-rate background needs its {layout.truth_tag_weight_key()}")
    return SampleFile(
        path=path,
        event_weight_pb=weights,
        kl=kl,
        split_fraction=fraction,
        n_generated=n_generated,
        truth_tag_weight_pb=truth_tag_weights,
        selection_weight=selection_weight,
    )


def read_fatjets(path: str | Path) -> Jets:
    """AK8 jets of every event as a :class:`Jets` batch (b-tag set to 0): four-vectors for boosted candidates."""
    features, mask = read_boosted_features(path, _FATJET_KINEMATICS)
    return Jets.from_sincos(
        pt=features["pt"],
        eta=features["eta"],
        sinphi=features["sinphi"],
        cosphi=features["cosphi"],
        mass=features["mass"],
        btag=np.zeros_like(features["pt"]),
        mask=mask,
    )


@dataclass(frozen=True)
class MethodEvents:
    """One method's view of one sample file: AK5 and AK8 jets, its predictions, and the file's normalisation."""

    jets: Jets
    fatjets: Jets
    predictions: Predictions
    sample: SampleFile


def read_method_events(sample_path: str | Path, predictions_path: str | Path) -> MethodEvents:
    """Jets, AK8 jets and normalisation of ``sample_path`` with the predictions ``predictions_path`` on it."""
    sample = read_sample_file(sample_path)
    predictions = read_predictions(predictions_path)
    if predictions.n_events != sample.n_events:
        raise ValueError(
            f"prediction file {predictions_path} has {predictions.n_events} events, the sample file {sample_path} "
            f"{sample.n_events}: they must describe the same events"
        )
    return MethodEvents(
        jets=read_jets(sample_path), fatjets=read_fatjets(sample_path), predictions=predictions, sample=sample
    )
