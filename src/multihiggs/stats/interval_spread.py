"""How much of an expected κλ interval is QCD Monte-Carlo noise: a Poisson bootstrap of the background sample.

The fit treats the QCD template as exact (``stats.background_mc_stat: false``), yet after a method's selection it rests
on a Kish n_eff of tens of events. Its fluctuations move the expected interval; this module measures by how much.
Each replica multiplies every background event's weights (the inclusive tag-rate weight and the truth-flavour one
alike) by an independent k ~ Poisson(1), the bootstrap of a weighted sample, rebuilds the method's templates at the
nominal score threshold and bin request, and scans κλ at one luminosity. The spread of the replicas' bounds (16th–84th
percentile) is the MC-statistical uncertainty of the nominal bounds; a replica whose bound lies beyond the scanned
range counts as open. Signals stay as they are (their n_eff is in the thousands).

Pure: arrays in, numbers out; the caller reads the files and writes the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from multihiggs.stats.scan import Q_95, scan_curves
from multihiggs.stats.templates import SelectedSample, TemplateInputs, Templates

PERCENTILES = (16.0, 50.0, 84.0)


def background_replica(background: SelectedSample, rng: np.random.Generator) -> SelectedSample:
    """``background`` resampled: every event's weights multiplied by its own k ~ Poisson(1) (the same k for all of
    them), events drawn k = 0 times left out (so that the template's bin merging sees the replica's events)."""
    multiplicity = rng.poisson(1.0, size=len(background.weight_pb)).astype(np.float64)
    drawn = multiplicity > 0
    truth = background.truth_tag_weight_pb
    return replace(
        background,
        observable=background.observable[drawn],
        score=background.score[drawn],
        weight_pb=(background.weight_pb * multiplicity)[drawn],
        truth_tag_weight_pb=None if truth is None else (truth * multiplicity)[drawn],
    )


@dataclass(frozen=True)
class ReplicaBounds:
    """95 % profile-likelihood bounds (NaN: open, beyond the scanned κλ range) of the nominal and of each replica."""

    nominal: tuple[float, float]
    lower: np.ndarray  # (R,)
    upper: np.ndarray  # (R,)

    def summary(self) -> dict:
        """Nominal bounds and width, and per quantity its replica percentiles over the closed replicas and the
        fraction of open ones (JSON-ready: NaN as None)."""

        def described(values: np.ndarray) -> dict:
            closed = values[np.isfinite(values)]
            quantiles = np.percentile(closed, PERCENTILES) if len(closed) else np.full(len(PERCENTILES), np.nan)
            return {
                **{f"p{int(q)}": _plain(value) for q, value in zip(PERCENTILES, quantiles, strict=True)},
                "open_fraction": float(1 - len(closed) / len(values)) if len(values) else None,
            }

        lower, upper = self.nominal
        return {
            "nominal": {"lower": _plain(lower), "upper": _plain(upper), "width": _plain(upper - lower)},
            "replicas": len(self.lower),
            "lower": described(self.lower),
            "upper": described(self.upper),
            "width": described(self.upper - self.lower),
            "replica_bounds": [[_plain(a), _plain(b)] for a, b in zip(self.lower, self.upper, strict=True)],
        }


def _plain(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _bounds(templates, kl_grid: np.ndarray, luminosity_fb: float, **scan_options) -> tuple[float, float]:
    curves = scan_curves(templates, kl_grid, np.array([luminosity_fb]), with_cls=False, **scan_options)
    interval = curves.profile_interval(0, Q_95)
    return interval.lower, interval.upper


def interval_spread(
    inputs: TemplateInputs,
    nominal: Templates,
    *,
    n_replicas: int,
    seed: int,
    luminosity_fb: float,
    kl_grid: np.ndarray,
    background_norm_uncertainty: float | None = None,
    background_mc_stat: bool = False,
    template_options: dict | None = None,
) -> ReplicaBounds:
    """Bounds of the method's ``nominal`` templates (built from ``inputs``) and of bootstrap replicas of its
    background, 95 % PL on κλ at ``luminosity_fb`` (fb⁻¹).

    The replicas keep the nominal score threshold (the selection is the analysis' choice, the replicas measure the
    template's noise at it); ``template_options`` go to :func:`build_templates`.
    """
    if n_replicas < 1:
        raise ValueError(f"the number of bootstrap replicas must be positive, got {n_replicas}")
    options = {"threshold": nominal.threshold, **(template_options or {})}
    scan_options = {
        "background_norm_uncertainty": background_norm_uncertainty,
        "background_mc_stat": background_mc_stat,
    }
    rng = np.random.default_rng(seed)
    nominal_bounds = _bounds(nominal, kl_grid, luminosity_fb, **scan_options)
    replicas = np.array(
        [
            _bounds(inputs.build(background_replica(inputs.background, rng), **options), kl_grid, luminosity_fb,
                    **scan_options)
            for _ in range(n_replicas)
        ]
    )  # fmt: skip
    return ReplicaBounds(nominal=nominal_bounds, lower=replicas[:, 0], upper=replicas[:, 1])
