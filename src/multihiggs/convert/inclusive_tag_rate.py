"""Flavour-inclusive tag-rate function (TRF) for the QCD background: shape from every jet, norm from the truth TRF.

The truth-flavour TRF weights a QCD event by P(≥ n tags) from per-jet efficiencies ε(flavour, pT, η); four tags
need (nearly) four heavy-flavour jets, so the weight sits on the few events with b quarks and a sample of 10⁵
events has an effective size n_eff = (Σ w)² / Σ w² of tens. The flavour-inclusive TRF replaces ε(flavour, pT, η) by
its average over the sample's flavour mix in (pT, |η|) bins,

    ε_incl(bin) = Σ_jets w_event ε(flavour, pT, η) / Σ_jets w_event   (candidate jets of selected events),

the tag rate a data-driven analysis measures in a control region. Every event then carries a smooth weight
P_incl(≥ n), so n_eff grows by orders of magnitude (×260 on the default QCD sample). The inclusive rate ignores
that heavy flavour comes in pairs (g → bb̄): it underestimates P(≥ n). The total is therefore normalised to the
truth TRF over the whole sample,

    K = Σ_events w P_truth(≥ n) / Σ_events w P_incl(≥ n),

with the relative statistical uncertainty 1 / √n_eff(truth). What the inclusive model cannot give is the kinematic
correlation of the tags with heavy flavour: ``multihiggs.convert.tag_rate_closure`` compares the shapes where the
truth TRF has statistics (fewer required tags), and after an analysis selection the inclusive yield is biased (on
the default sample it overestimates the truth-TRF yield of the selected HH regions by 2–4×). The conversion
therefore stores the truth-flavour weights of the same events too (``WEIGHTS/EVENT/truth_tag_weight``), and the
κλ templates normalise each selected background to them (``multihiggs.stats.templates``), with their 1/√n_eff in
that region as the normalisation uncertainty: the shape from the inclusive weights, the yield from the truth ones.

Everything here is pure: arrays of candidate jets in, rates and sums out (the conversion does the file passes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from multihiggs.generate.reco.btag import probability_at_least

TAG_RATE_MODELS = ("truth", "inclusive")
DEFAULT_PT_EDGES_GEV = (40.0, 60.0, 80.0, 100.0, 150.0, 200.0, 300.0, 500.0)
DEFAULT_ABS_ETA_EDGES = (0.0, 1.0, 1.8, 2.5)

#: Tag efficiency ``(hadron flavour, pT GeV, η, working point) -> probability`` (as ``convert.TagEfficiency``).
TagEfficiency = Callable[[np.ndarray, np.ndarray, np.ndarray, str], np.ndarray]


@dataclass(frozen=True)
class CandidateJets:
    """Tag-candidate jets of the events that pass the jet-count requirement, as (N, W) zero-padded arrays."""

    flavour: np.ndarray  # hadron flavour (0, 4, 5)
    pt_gev: np.ndarray
    eta: np.ndarray
    candidate: np.ndarray  # bool: the jet counts for the tag requirement
    event_weight: np.ndarray  # (N,) generator weight (any common scale)


@dataclass(frozen=True)
class TagRateBinning:
    """(pT, |η|) bins of the inclusive rate; pT below the first edge joins the first bin, above the last the last.

    ``pt_edges_gev``: increasing lower edges (the last bin is open above), ``abs_eta_edges``: increasing bin edges.
    """

    pt_edges_gev: tuple[float, ...] = DEFAULT_PT_EDGES_GEV
    abs_eta_edges: tuple[float, ...] = DEFAULT_ABS_ETA_EDGES

    def __post_init__(self) -> None:
        for name, edges, minimum in (("pt_edges_gev", self.pt_edges_gev, 1), ("abs_eta_edges", self.abs_eta_edges, 2)):
            if len(edges) < minimum or not np.all(np.diff(edges) > 0) or not np.all(np.isfinite(edges)):
                raise ValueError(f"tag-rate binning {name} must be >= {minimum} finite increasing edges, got {edges}")

    @property
    def shape(self) -> tuple[int, int]:
        """(pT bins, |η| bins)."""
        return len(self.pt_edges_gev), len(self.abs_eta_edges) - 1

    def indices(self, pt_gev: np.ndarray, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(pT bin, |η| bin) of each jet; out-of-range values go to the nearest bin."""
        n_pt, n_eta = self.shape
        pt_bin = np.clip(np.searchsorted(self.pt_edges_gev, pt_gev, side="right") - 1, 0, n_pt - 1)
        eta_bin = np.clip(np.searchsorted(self.abs_eta_edges, np.abs(eta), side="right") - 1, 0, n_eta - 1)
        return pt_bin, eta_bin


@dataclass(frozen=True)
class InclusiveTagRate:
    """ε_incl per working point in (pT, |η|) bins; called like a ``TagEfficiency`` (the flavour is ignored)."""

    binning: TagRateBinning
    rates: Mapping[str, np.ndarray]  # working point -> (pT bins, |η| bins) probabilities

    def __call__(self, flavour: np.ndarray, pt_gev: np.ndarray, eta: np.ndarray, working_point: str) -> np.ndarray:
        pt_bin, eta_bin = self.binning.indices(np.asarray(pt_gev), np.asarray(eta))
        return self.rates[working_point][pt_bin, eta_bin]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready description (edges and rates per working point)."""
        return {
            "pt_edges_gev": list(self.binning.pt_edges_gev),
            "abs_eta_edges": list(self.binning.abs_eta_edges),
            "rates": {point: np.round(rate, 6).tolist() for point, rate in self.rates.items()},
        }


def measure_inclusive_rates(
    chunks: Iterable[CandidateJets],
    binning: TagRateBinning,
    truth_efficiency: TagEfficiency,
    working_points: Sequence[str],
) -> InclusiveTagRate:
    """ε_incl per working point: the event-weighted mean truth efficiency of the candidate jets in each bin.

    Bins without any candidate jet get rate 0 (no jet of this sample falls there). Raises ValueError when no
    candidate jet carries weight at all.
    """
    weighted = {point: np.zeros(binning.shape) for point in working_points}
    total = np.zeros(binning.shape)
    for chunk in chunks:
        candidate = chunk.candidate
        pt_bin, eta_bin = binning.indices(chunk.pt_gev[candidate], chunk.eta[candidate])
        jet_weight = np.broadcast_to(chunk.event_weight[:, None], candidate.shape)[candidate]
        np.add.at(total, (pt_bin, eta_bin), jet_weight)
        for point in working_points:
            efficiency = truth_efficiency(
                chunk.flavour[candidate], chunk.pt_gev[candidate], chunk.eta[candidate], point
            )
            np.add.at(weighted[point], (pt_bin, eta_bin), jet_weight * efficiency)
    if not np.any(total != 0):
        raise ValueError("no tag-candidate jet in the sample: the inclusive tag rate cannot be measured")
    rates = {
        point: np.divide(sums, total, out=np.zeros(binning.shape), where=total != 0) for point, sums in weighted.items()
    }
    return InclusiveTagRate(binning, {point: np.clip(rate, 0.0, 1.0) for point, rate in rates.items()})


@dataclass(frozen=True)
class TagRateNormalisation:
    """K = Σ w P_truth(≥ n) / Σ w P_incl(≥ n) and the truth TRF's effective number of events."""

    truth_sum: float
    truth_sum_of_squares: float
    inclusive_sum: float
    inclusive_sum_of_squares: float

    @classmethod
    def from_weights(cls, truth: np.ndarray, inclusive: np.ndarray) -> TagRateNormalisation:
        """The sums of one set of events' truth-flavour and inclusive TRF weights."""
        return cls(float(truth.sum()), float((truth**2).sum()), float(inclusive.sum()), float((inclusive**2).sum()))

    @property
    def factor(self) -> float:
        """K: multiplies the inclusive-TRF weights so that they sum to the truth-TRF total."""
        return self.truth_sum / self.inclusive_sum

    @property
    def truth_n_eff(self) -> float:
        """Kish effective number of events of the truth-flavour TRF weights."""
        return self.truth_sum**2 / self.truth_sum_of_squares

    @property
    def inclusive_n_eff(self) -> float:
        """Kish effective number of events of the inclusive TRF weights."""
        return self.inclusive_sum**2 / self.inclusive_sum_of_squares

    @property
    def relative_uncertainty(self) -> float:
        """Relative statistical uncertainty of K, 1 / √n_eff(truth)."""
        return float(1.0 / np.sqrt(self.truth_n_eff))

    def as_dict(self) -> dict[str, float]:
        """JSON-ready summary."""
        return {
            "factor": self.factor,
            "relative_uncertainty": self.relative_uncertainty,
            "truth_n_eff": self.truth_n_eff,
            "inclusive_n_eff": self.inclusive_n_eff,
        }


def event_tag_probabilities(
    chunk: CandidateJets, efficiency: TagEfficiency, working_point: str, n_required: int
) -> np.ndarray:
    """(N,) P(≥ n_required tagged candidate jets) with per-jet probabilities from ``efficiency``."""
    probability = np.zeros(chunk.candidate.shape)
    candidate = chunk.candidate
    probability[candidate] = efficiency(
        chunk.flavour[candidate], chunk.pt_gev[candidate], chunk.eta[candidate], working_point
    )
    return probability_at_least(probability, n_required)


def measure_normalisation(
    chunks: Iterable[CandidateJets],
    truth_efficiency: TagEfficiency,
    inclusive: InclusiveTagRate,
    working_point: str,
    n_required: int,
) -> TagRateNormalisation:
    """Sums of the truth and inclusive TRF weights over all events; ValueError if either sum is not positive."""
    sums = np.zeros(4)
    for chunk in chunks:
        truth = chunk.event_weight * event_tag_probabilities(chunk, truth_efficiency, working_point, n_required)
        incl = chunk.event_weight * event_tag_probabilities(chunk, inclusive, working_point, n_required)
        sums += (truth.sum(), (truth**2).sum(), incl.sum(), (incl**2).sum())
    if not (sums[0] > 0 and sums[2] > 0):
        raise ValueError(
            f"no event can pass >= {n_required} tags (truth TRF sum {sums[0]:.3g}, inclusive {sums[2]:.3g}): "
            "the inclusive tag-rate normalisation is undefined"
        )
    return TagRateNormalisation(*map(float, sums))
