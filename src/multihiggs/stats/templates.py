"""Signal and background templates of the κλ fit: histograms of the observable after the event selection.

Normalisation (the choice documented here is the one the fit uses):

- Every sample file is a split (fraction f) of its sample: a bin's *fiducial cross section* is
  F = Σ_{selected events in the bin} w / f (pb), its variance Σ w² / f² (MC statistics).
- Signal: the LO samples give the shape *and* the efficiency, the NNLO-FTapprox cross section the normalisation:
  s(κλ) = L · σ_NNLO(κλ) · BR(H→bb̄)² · F_LO(κλ) / σ_LO(κλ), i.e. the LO efficiency × acceptance per bin
  ε(κλ) = F_LO(κλ) / σ_LO(κλ) times the NNLO rate. Both F_LO(κλ) (per bin) and the generated σ_LO(κλ) are exact
  quadratics in κλ, so both are morphed exactly from the three basis samples (:mod:`multihiggs.stats.morphing`);
  their ratio is not a quadratic, which is why the normalisation is applied after morphing, not to the basis.
  Bins whose basis templates would morph to a negative yield at some κλ (MC fluctuations; a physical yield is a
  positive semi-definite form in (1, κλ)) get the nearest physical form (``morphing.physical_basis_templates``);
  their indices are in ``metadata["unphysical_bins_projected"]``.
  σ_LO of a basis sample is N_generated × its (uniform) event weight.
- Background (QCD): b = L · F_QCD with the weighted MC statistics as a per-bin uncertainty (pyhf ``staterror``) and an
  optional log-normal normalisation uncertainty (applied by the model, not here).
- Events enter when the method reconstructed all Higgs candidates (finite observable) and, with a selection, their
  classifier score exceeds the threshold (fixed, or the one maximising S/√B of the SM signal, S/√B being
  luminosity-independent up to √L). Under/overflow are folded into the first/last bin. Bins are merged (from the
  high-mass tail) until each holds a minimum number of raw background MC events, so that no bin has b = 0.

Units: pb for cross sections, fb⁻¹ for luminosities, events for yields.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import hist
import numpy as np

from multihiggs.closure import kish_n_eff
from multihiggs.convert.inclusive_tag_rate import TagRateNormalisation
from multihiggs.io.json_file import load_json_file
from multihiggs.stats.cross_sections import BR_H_BB, FB_PER_PB, NNLO_FTAPPROX_13TEV_FB
from multihiggs.stats.morphing import basis_weights, morph, morph_variance, physical_basis_templates

SM_KL = 1.0
TEMPLATE_FORMAT_VERSION = 1


@dataclass(frozen=True)
class SelectedSample:
    """Events of one sample file for one method (pure input of the template building).

    Attributes:
        kl: κλ of the sample (NaN for background).
        observable: (N,) the fitted observable (e.g. m_HH in GeV); NaN where the event is not reconstructed.
        score: (N,) classifier score (NaN where none).
        weight_pb: (N,) event weights (pb).
        split_fraction: fraction f of the sample in this file.
        lo_cross_section_pb: generated LO cross section of a signal sample (pb); None for background.
        truth_tag_weight_pb: (N,) for a background whose weights come from the flavour-inclusive tag-rate model:
            the same events' truth-flavour tag-rate weights, which normalise the selected template (None: none).
    """

    kl: float
    observable: np.ndarray
    score: np.ndarray
    weight_pb: np.ndarray
    split_fraction: float
    lo_cross_section_pb: float | None = None
    truth_tag_weight_pb: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = np.shape(self.observable)
        for name in ("score", "weight_pb") + (("truth_tag_weight_pb",) if self.truth_tag_weight_pb is not None else ()):
            if np.shape(getattr(self, name)) != n:
                raise ValueError(f"{name} has shape {np.shape(getattr(self, name))}, the observable {n}")
        if not 0 < self.split_fraction <= 1:
            raise ValueError(f"split fraction must lie in (0, 1], got {self.split_fraction}")


@dataclass(frozen=True)
class Histogram:
    """Weighted histogram of one sample: Σw/f (pb), Σw²/f² (pb²) and raw event counts per bin, each (B,)."""

    sumw: np.ndarray
    sumw2: np.ndarray
    counts: np.ndarray

    def scaled(self, factor: float) -> Histogram:
        """The histogram of the same events with every weight multiplied by ``factor``."""
        return Histogram(self.sumw * factor, self.sumw2 * factor**2, self.counts)


def tag_rate_region_normalisation(background: SelectedSample, passed: np.ndarray) -> TagRateNormalisation | None:
    """K_region = Σ truth-flavour TRF weight / Σ inclusive TRF weight over the selected background events.

    The flavour-inclusive tag rate gives every QCD event a smooth weight (template shapes with many effective
    events), but it misses that heavy flavour comes in pairs with its own kinematics, so its yield after a selection
    is biased; the truth-flavour weights of the same events fix the selected yield, with their (few) effective
    events setting its uncertainty. None for a background without truth-flavour weights (nothing to correct).
    """
    if background.truth_tag_weight_pb is None:
        return None
    inclusive, truth = background.weight_pb[passed], background.truth_tag_weight_pb[passed]
    if not (inclusive.sum() > 0 and truth.sum() > 0):
        raise ValueError("no selected background event carries weight: the tag-rate region cannot be normalised")
    return TagRateNormalisation.from_weights(truth, inclusive)


def background_statistics(background: SelectedSample, passed: np.ndarray) -> dict[str, dict[str, float]]:
    """Effective sizes of the background before (every converted event) and after the selection ``passed``: raw
    events and Kish n_eff of its weights and, for an inclusive tag-rate background, of its truth-flavour weights."""

    def sizes(rows: np.ndarray) -> dict[str, float]:
        document = {"events": int(rows.sum()), "n_eff": kish_n_eff(background.weight_pb[rows])}
        if background.truth_tag_weight_pb is not None:
            document["truth_n_eff"] = kish_n_eff(background.truth_tag_weight_pb[rows])
        return document

    return {"background_statistics": {"before": sizes(np.ones(len(passed), bool)), "after": sizes(passed)}}


def selection_mask(sample: SelectedSample, threshold: float | None) -> np.ndarray:
    """Events passing: reconstructed (finite observable) and, if ``threshold`` is given, score > threshold."""
    passed = np.isfinite(sample.observable)
    if threshold is not None:
        if not np.isfinite(sample.score).any() and len(sample.score):
            raise ValueError("a score threshold was requested but the method has no classifier score (all NaN)")
        passed &= np.nan_to_num(sample.score, nan=-np.inf) > threshold
    return passed


def fill_histogram(values: np.ndarray, weights: np.ndarray, edges: np.ndarray, split_fraction: float) -> Histogram:
    """Histogram of finite ``values`` with ``weights`` / ``split_fraction``; under/overflow folded into edge bins."""
    edges = np.asarray(edges, dtype=np.float64)
    if edges.ndim != 1 or len(edges) < 2 or (np.diff(edges) <= 0).any():
        raise ValueError(f"bin edges must be increasing with at least two entries, got {edges.tolist()}")
    finite = np.isfinite(values)
    histogram = hist.Hist(hist.axis.Variable(edges, underflow=True, overflow=True), storage=hist.storage.Weight())
    histogram.fill(np.asarray(values)[finite], weight=np.asarray(weights)[finite] / split_fraction)
    counts_hist = hist.Hist(hist.axis.Variable(edges, underflow=True, overflow=True), storage=hist.storage.Double())
    counts_hist.fill(np.asarray(values)[finite])

    def folded(array: np.ndarray) -> np.ndarray:
        inner = array[1:-1].copy()
        inner[0] += array[0]
        inner[-1] += array[-1]
        return inner

    view = histogram.view(flow=True)
    return Histogram(
        sumw=folded(np.asarray(view.value)),
        sumw2=folded(np.asarray(view.variance)),
        counts=folded(counts_hist.values(flow=True)).astype(np.int64),
    )


def merge_sparse_bins(edges: np.ndarray, counts: np.ndarray, min_count: int) -> np.ndarray:
    """Merge adjacent bins, from the last one down, until every bin holds at least ``min_count`` raw events.

    Returns the merged edges; raises if all bins together hold fewer than ``min_count`` events.
    """
    edges = np.asarray(edges, dtype=np.float64)
    counts = np.asarray(counts)
    if len(counts) != len(edges) - 1:
        raise ValueError(f"{len(counts)} bin counts do not match {len(edges)} edges")
    if counts.sum() < min_count:
        raise ValueError(
            f"only {int(counts.sum())} background MC events pass the selection, fewer than the {min_count} needed "
            "for one bin: loosen the selection or use more background events"
        )
    kept = [edges[-1]]
    accumulated = 0
    for index in range(len(counts) - 1, -1, -1):
        accumulated += counts[index]
        if accumulated >= min_count:
            kept.append(edges[index])
            accumulated = 0
    if accumulated > 0:  # the lowest bins lack events: merge them into the bin above
        kept[-1] = edges[0]
    return np.array(sorted(set(kept)))


def _fiducial_sum(sample: SelectedSample, passed: np.ndarray) -> float:
    return float(np.sum(sample.weight_pb[passed])) / sample.split_fraction


def sm_fiducial_pb(signals: Sequence[SelectedSample], basis_kl: np.ndarray, passed: Sequence[np.ndarray]) -> float:
    """Selected LO fiducial cross section (pb) at κλ = 1, morphed exactly from the basis samples."""
    fiducial = np.array([_fiducial_sum(sample, mask) for sample, mask in zip(signals, passed, strict=True)])
    return float(basis_weights(basis_kl, np.asarray(SM_KL)) @ fiducial)


def optimal_threshold(
    basis_signals: Sequence[SelectedSample],
    basis_kl: np.ndarray,
    background: SelectedSample,
    thresholds: np.ndarray,
    *,
    min_background_events: int = 10,
    min_background_n_eff: float = 0.0,
) -> float:
    """The score threshold among ``thresholds`` maximising S/√B of the SM (κλ = 1) signal.

    S is morphed to κλ = 1 from the basis samples (exact), B is the weighted background; thresholds leaving fewer than
    ``min_background_events`` raw background events, or a background of Kish n_eff below ``min_background_n_eff``, are
    not considered (hsieh_spanet2: a cut too close to 1 leaves too few events for the fit). The n_eff floor keeps the
    maximum from landing where a few heavy-weight MC events happen to fall just below the cut, i.e. on a downward
    fluctuation of B rather than on the classifier's separation.
    """
    best, best_threshold = -np.inf, None
    for threshold in np.asarray(thresholds, dtype=np.float64):
        background_passed = selection_mask(background, float(threshold))
        if background_passed.sum() < min_background_events:
            continue
        if kish_n_eff(background.weight_pb[background_passed]) < min_background_n_eff:
            continue
        b = _fiducial_sum(background, background_passed)
        if b <= 0:
            continue
        masks = [selection_mask(sample, float(threshold)) for sample in basis_signals]
        s = sm_fiducial_pb(basis_signals, basis_kl, masks)  # the NNLO/LO and BR factors do not move the maximum
        if s / np.sqrt(b) > best:
            best, best_threshold = s / np.sqrt(b), float(threshold)
    if best_threshold is None:
        raise ValueError(
            f"no score threshold leaves {min_background_events} background MC events of Kish n_eff >= "
            f"{min_background_n_eff}: lower the threshold range, --min-background-events or stats.min_background_n_eff"
        )
    return best_threshold


@dataclass(frozen=True)
class SignalTemplate:
    """One signal sample's selected fiducial cross section per bin (pb), its MC variance (pb²), raw counts, and the
    sample's generated LO cross section (pb)."""

    kl: float
    fiducial_pb: np.ndarray
    variance_pb2: np.ndarray
    counts: np.ndarray
    lo_cross_section_pb: float


@dataclass(frozen=True)
class Templates:
    """Everything the κλ fit of one method needs, luminosity-independent (see the module docstring)."""

    method: str
    observable: str
    edges: np.ndarray
    threshold: float | None
    basis_kl: np.ndarray
    signals: tuple[SignalTemplate, ...]
    background_pb: np.ndarray
    background_variance_pb2: np.ndarray
    background_counts: np.ndarray
    nnlo_coefficients_fb: tuple[float, float, float] = NNLO_FTAPPROX_13TEV_FB
    br_hbb: float = BR_H_BB
    background_norm_uncertainty: float = 0.0  # relative, the background's own (truth-TRF normalisation of its region)
    metadata: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n_bins = len(self.edges) - 1
        for name in ("background_pb", "background_variance_pb2", "background_counts"):
            if np.shape(getattr(self, name)) != (n_bins,):
                raise ValueError(f"{name} must have shape ({n_bins},), got {np.shape(getattr(self, name))}")
        if (np.asarray(self.background_pb) <= 0).any():
            raise ValueError(f"method {self.method!r}: every bin needs a positive background (merge sparse bins)")
        missing = [kl for kl in np.asarray(self.basis_kl) if kl not in {s.kl for s in self.signals}]
        if len(self.basis_kl) != 3 or missing:
            raise ValueError(f"basis κλ {list(self.basis_kl)} must be three of the signal samples' κλ")

    @property
    def n_bins(self) -> int:
        return len(self.edges) - 1

    def basis(self) -> tuple[SignalTemplate, ...]:
        by_kl = {signal.kl: signal for signal in self.signals}
        return tuple(by_kl[kl] for kl in np.asarray(self.basis_kl))

    def efficiency(self, kl: np.ndarray) -> np.ndarray:
        """LO selection efficiency × acceptance per bin, ε(κλ) = F_LO(κλ) / σ_LO(κλ): shape (*κλ, B)."""
        basis = self.basis()
        fiducial = morph(self.basis_kl, np.stack([s.fiducial_pb for s in basis]), kl)
        sigma_lo = morph(self.basis_kl, np.array([s.lo_cross_section_pb for s in basis]), kl)
        return fiducial / np.asarray(sigma_lo)[..., None]

    def background_yields(self, luminosity_fb: float) -> np.ndarray:
        """Expected background events per bin (B,)."""
        return luminosity_fb * FB_PER_PB * np.asarray(self.background_pb)

    def background_uncertainty(self, luminosity_fb: float) -> np.ndarray:
        """Absolute MC-statistical uncertainty of the background per bin (events, (B,))."""
        return luminosity_fb * FB_PER_PB * np.sqrt(np.asarray(self.background_variance_pb2))

    def closure(self) -> list[dict[str, float]]:
        """Morphing closure on the signal samples outside the basis: χ² (with both MC variances) and bins."""
        basis = self.basis()
        rows = []
        for signal in self.signals:
            if signal.kl in set(np.asarray(self.basis_kl).tolist()):
                continue
            morphed = morph(self.basis_kl, np.stack([s.fiducial_pb for s in basis]), signal.kl)
            variance = morph_variance(self.basis_kl, np.stack([s.variance_pb2 for s in basis]), signal.kl)
            total_variance = variance + signal.variance_pb2
            used = total_variance > 0
            chi2 = float(np.sum((morphed - signal.fiducial_pb)[used] ** 2 / total_variance[used]))
            rows.append({"kl": float(signal.kl), "chi2": chi2, "n_bins": int(used.sum())})
        return rows

    def to_dict(self) -> dict:
        def plain(value):
            if isinstance(value, np.ndarray):
                return value.tolist()
            if isinstance(value, tuple | list):
                return [plain(item) for item in value]
            if isinstance(value, dict):
                return {key: plain(item) for key, item in value.items()}
            if isinstance(value, np.generic):
                return value.item()
            return value

        content = {name: plain(value) for name, value in asdict(self).items()}
        content["format_version"] = TEMPLATE_FORMAT_VERSION
        return content

    @classmethod
    def from_dict(cls, content: dict) -> Templates:
        content = dict(content)
        version = content.pop("format_version", None)
        if version != TEMPLATE_FORMAT_VERSION:
            raise ValueError(f"template format version {version} is not the supported {TEMPLATE_FORMAT_VERSION}")
        signals = tuple(
            SignalTemplate(
                kl=float(s["kl"]),
                fiducial_pb=np.asarray(s["fiducial_pb"], dtype=np.float64),
                variance_pb2=np.asarray(s["variance_pb2"], dtype=np.float64),
                counts=np.asarray(s["counts"], dtype=np.int64),
                lo_cross_section_pb=float(s["lo_cross_section_pb"]),
            )
            for s in content.pop("signals")
        )
        arrays = {
            name: np.asarray(content.pop(name), dtype=dtype)
            for name, dtype in (
                ("edges", np.float64),
                ("basis_kl", np.float64),
                ("background_pb", np.float64),
                ("background_variance_pb2", np.float64),
                ("background_counts", np.int64),
            )
        }
        coefficients = tuple(float(c) for c in content.pop("nnlo_coefficients_fb"))
        try:
            return cls(signals=signals, nnlo_coefficients_fb=coefficients, **arrays, **content)
        except TypeError as error:
            raise ValueError(f"template content has unexpected or missing keys: {error}") from error


def write_templates(path: str | Path, templates: Templates) -> None:
    """Write templates as JSON (atomically)."""
    from multihiggs.io.atomic import write_text

    write_text(path, json.dumps(templates.to_dict(), indent=1) + "\n")


def read_templates(path: str | Path) -> Templates:
    """Read templates written by :func:`write_templates`."""
    return Templates.from_dict(load_json_file(path, "templates"))


@dataclass(frozen=True)
class TemplateInputs:
    """What one method's templates are built from: its selected signal samples and background, the requested bin
    edges of the observable and the morphing basis (see :func:`build_templates`)."""

    method: str
    observable: str
    edges: np.ndarray
    signals: tuple[SelectedSample, ...]
    background: SelectedSample
    basis_kl: tuple[float, ...]

    def build(self, background: SelectedSample | None = None, **options) -> Templates:
        """The templates, from ``background`` in place of the inputs' own if given; ``options`` as build_templates."""
        sample = self.background if background is None else background
        return build_templates(self.method, self.observable, self.edges, self.signals, sample, self.basis_kl, **options)


def build_templates(
    method: str,
    observable: str,
    edges: np.ndarray,
    signals: Sequence[SelectedSample],
    background: SelectedSample,
    basis_kl: Sequence[float],
    *,
    threshold: float | None = None,
    optimise_threshold: bool = False,
    threshold_grid: np.ndarray | None = None,
    min_background_events: int = 10,
    min_background_n_eff: float = 0.0,
    min_background_per_bin: int = 3,
    nnlo_coefficients_fb: tuple[float, float, float] = NNLO_FTAPPROX_13TEV_FB,
) -> Templates:
    """Templates of one method from its selected signal samples (any κλ, three of them the basis) and background.

    Args:
        method: label of the method.
        observable: name of the observable (e.g. "mhh").
        edges: requested bin edges; merged until each bin has ``min_background_per_bin`` raw background events.
        signals: signal samples (distinct κλ); those not in ``basis_kl`` serve as morphing-closure checks.
        background: the background sample.
        basis_kl: the three basis κλ values.
        threshold: fixed score threshold (None with ``optimise_threshold`` False: no score cut).
        optimise_threshold: choose the threshold in ``threshold_grid`` maximising S/√B (SM signal).
        min_background_events: raw background events a threshold must leave (optimisation only).
        min_background_n_eff: Kish n_eff of the background weights a threshold must leave (optimisation only).
    """
    basis_kl = np.asarray(basis_kl, dtype=np.float64)
    kls = [sample.kl for sample in signals]
    if len(set(kls)) != len(kls):
        raise ValueError(f"signal samples must have distinct κλ, got {kls}")
    by_kl = {sample.kl: sample for sample in signals}
    missing = [kl for kl in basis_kl.tolist() if kl not in by_kl]
    if missing:
        raise ValueError(f"basis κλ {missing} have no signal sample (samples: {sorted(by_kl)})")
    if any(sample.lo_cross_section_pb is None or not sample.lo_cross_section_pb > 0 for sample in signals):
        raise ValueError("every signal sample needs its positive generated LO cross section")
    basis = [by_kl[kl] for kl in basis_kl.tolist()]
    if optimise_threshold:
        if threshold is not None:
            raise ValueError("give either a fixed threshold or optimise_threshold, not both")
        grid = np.linspace(0.0, 0.995, 200) if threshold_grid is None else np.asarray(threshold_grid)
        threshold = optimal_threshold(
            basis,
            basis_kl,
            background,
            grid,
            min_background_events=min_background_events,
            min_background_n_eff=min_background_n_eff,
        )

    background_passed = selection_mask(background, threshold)
    raw = fill_histogram(
        background.observable[background_passed],
        background.weight_pb[background_passed],
        edges,
        background.split_fraction,
    )
    edges = merge_sparse_bins(edges, raw.counts, min_background_per_bin)
    background_hist = fill_histogram(
        background.observable[background_passed],
        background.weight_pb[background_passed],
        edges,
        background.split_fraction,
    )
    region = tag_rate_region_normalisation(background, background_passed)
    if region is not None:
        background_hist = background_hist.scaled(region.factor)
    signal_templates = []
    for sample in signals:
        passed = selection_mask(sample, threshold)
        histogram = fill_histogram(sample.observable[passed], sample.weight_pb[passed], edges, sample.split_fraction)
        signal_templates.append(
            SignalTemplate(
                kl=float(sample.kl),
                fiducial_pb=histogram.sumw,
                variance_pb2=histogram.sumw2,
                counts=histogram.counts,
                lo_cross_section_pb=float(sample.lo_cross_section_pb),
            )
        )
    signal_templates, unphysical_bins = _physical_basis(signal_templates, basis_kl)
    return Templates(
        method=method,
        observable=observable,
        edges=edges,
        threshold=threshold,
        basis_kl=basis_kl,
        signals=tuple(signal_templates),
        background_pb=background_hist.sumw,
        background_variance_pb2=background_hist.sumw2,
        background_counts=background_hist.counts,
        nnlo_coefficients_fb=tuple(nnlo_coefficients_fb),
        background_norm_uncertainty=0.0 if region is None else region.relative_uncertainty,
        metadata={
            "unphysical_bins_projected": unphysical_bins,
            **({} if region is None else {"tag_rate_region": region.as_dict()}),
            **background_statistics(background, background_passed),
        },
    )


def _physical_basis(
    signal_templates: list[SignalTemplate], basis_kl: np.ndarray
) -> tuple[list[SignalTemplate], list[int]]:
    """Signal templates with the basis ones made to morph to non-negative yields, and the bins that needed it."""
    index = {template.kl: i for i, template in enumerate(signal_templates)}
    basis_index = [index[kl] for kl in basis_kl.tolist()]
    projected, changed = physical_basis_templates(
        basis_kl, np.stack([signal_templates[i].fiducial_pb for i in basis_index])
    )
    result = list(signal_templates)
    for row, i in enumerate(basis_index):
        result[i] = replace(result[i], fiducial_pb=projected[row])
    return result, np.flatnonzero(changed).tolist()
