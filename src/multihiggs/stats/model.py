"""The κλ fit as a pyhf workspace (one per method and luminosity), and the same model as numpy arrays.

κλ parameterisation in pyhf (the "morphing-basis trick with normfactors"): pyhf has no modifier that is a quadratic
function of a shared parameter, so the signal is three samples, the LO basis templates at κλ_j (events at the
luminosity, BR² included), each scaled by the signal strength ``mu`` (the POI, bounds [0, 10]) and by its own
normfactor ``kl_weight_j``. For a κλ point those three normfactors are *fixed* to

    η_j(κλ) = c_j(κλ) · σ_NNLO(κλ) / σ_LO(κλ)

(c_j the exact morphing weights, σ_LO(κλ) the morphed generated LO cross section), so that Σ_j η_j T_j is the
NNLO-normalised morphed signal of :meth:`Templates.signal_yields`. Each κλ of the scan is one *measurement* of
the workspace (``kl_m2p5``, ``kl_1``, …: ``samples.format_number`` spelling), so anyone can refit a point with
pyhf alone, e.g. ``pyhf cls --measurement kl_5 workspace.json`` or ``ws.model(measurement_name="kl_5")``.
The background (QCD) sample carries a ``staterror`` (MC statistics) and optionally a ``normsys`` with hi = 1 + u,
lo = 1/(1 + u) (log-normal, κ^α). Observations are the Asimov data at κλ = 1 (μ = 1, nuisances nominal).
The numpy fitter (:mod:`multihiggs.stats.likelihood`) implements exactly this model for a fast scan.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from multihiggs.samples import format_number
from multihiggs.stats.cross_sections import FB_PER_PB, sigma_hh_fb
from multihiggs.stats.likelihood import MU_BOUNDS, BatchedModel
from multihiggs.stats.morphing import basis_weights, kl_grid_with_sm, morph
from multihiggs.stats.templates import SM_KL, Templates

POI = "mu"
BACKGROUND_SAMPLE = "qcd"
STAT_MODIFIER = "qcd_mc_stat"
NORM_MODIFIER = "qcd_norm"
_WEIGHT_BOUND = 1e4


def measurement_name(kl: float) -> str:
    """Name of the workspace measurement of one κλ point, e.g. ``kl_m2p5``."""
    return f"kl_{format_number(float(kl))}"


def basis_sample_name(index: int) -> str:
    return f"hh_basis_{index}"


def weight_parameter(index: int) -> str:
    return f"kl_weight_{index}"


def basis_normalisation(templates: Templates, kl: np.ndarray) -> np.ndarray:
    """η_j(κλ) (shape (*κλ, 3)): weights of the basis sample yields giving the NNLO-normalised signal at κλ."""
    basis = templates.basis()
    sigma_lo_fb = FB_PER_PB * morph(templates.basis_kl, np.array([s.lo_cross_section_pb for s in basis]), kl)
    ratio = sigma_hh_fb(kl, templates.nnlo_coefficients_fb) / sigma_lo_fb
    return basis_weights(templates.basis_kl, kl) * np.asarray(ratio)[..., None]


def basis_yields(templates: Templates, luminosity_fb: float) -> np.ndarray:
    """LO basis sample yields (3, B) in events at ``luminosity_fb`` with BR(H→bb̄)² (no NNLO factor)."""
    return luminosity_fb * FB_PER_PB * templates.br_hbb**2 * np.stack([s.fiducial_pb for s in templates.basis()])


def signal_yields(templates: Templates, kl: np.ndarray, luminosity_fb: float) -> np.ndarray:
    """Signal events (*κλ, B): Σ_j η_j(κλ) T_j, identical to :meth:`Templates.signal_yields` and to the workspace."""
    return basis_normalisation(templates, kl) @ basis_yields(templates, luminosity_fb)


def asimov_counts(templates: Templates, luminosity_fb: float, kl: float = SM_KL) -> np.ndarray:
    """Asimov main-measurement counts (B,) at κλ (μ = 1, nuisances nominal)."""
    return signal_yields(templates, np.asarray(kl), luminosity_fb) + templates.background_yields(luminosity_fb)


def total_norm_uncertainty(templates: Templates, configured: float | None) -> float | None:
    """Relative log-normal background normalisation uncertainty of the fit: the configured one and the background
    sample's own (``templates.background_norm_uncertainty``, e.g. the inclusive tag-rate normalisation) added in
    quadrature; None when neither is present."""
    if configured is not None and not configured > 0:
        raise ValueError(f"background normalisation uncertainty must be positive, got {configured}")
    total = float(np.hypot(configured or 0.0, templates.background_norm_uncertainty))
    return total if total > 0 else None


def batched_model(
    templates: Templates,
    kl: np.ndarray,
    luminosity_fb: np.ndarray,
    background_norm_uncertainty: float | None = None,
    *,
    background_mc_stat: bool = True,
) -> BatchedModel:
    """The numpy model at every (luminosity, κλ) pair: P = len(luminosity) × len(κλ) points, luminosity-major."""
    kl = np.atleast_1d(np.asarray(kl, dtype=np.float64))
    luminosity_fb = np.atleast_1d(np.asarray(luminosity_fb, dtype=np.float64))
    signal = np.concatenate([signal_yields(templates, kl, lumi) for lumi in luminosity_fb])
    background = np.concatenate(
        [
            np.broadcast_to(templates.background_yields(lumi), signal.shape[1:])[None].repeat(len(kl), 0)
            for lumi in luminosity_fb
        ]
    )
    relative = np.sqrt(templates.background_variance_pb2) / templates.background_pb * float(background_mc_stat)
    background_norm_uncertainty = total_norm_uncertainty(templates, background_norm_uncertainty)
    log_kappa = 0.0 if background_norm_uncertainty is None else np.log1p(background_norm_uncertainty)
    return BatchedModel(
        signal=signal,
        background=background,
        background_rel_unc=np.broadcast_to(relative, signal.shape).copy(),
        log_kappa=np.full(len(signal), log_kappa),
    )


def build_workspace(
    templates: Templates,
    luminosity_fb: float,
    kl_values: np.ndarray,
    *,
    background_norm_uncertainty: float | None = None,
    background_mc_stat: bool = True,
) -> dict:
    """pyhf workspace (dict) of one method at one luminosity, with one measurement per κλ (module docstring)."""
    if not luminosity_fb > 0:
        raise ValueError(f"luminosity must be positive (fb⁻¹), got {luminosity_fb}")
    background_norm_uncertainty = total_norm_uncertainty(templates, background_norm_uncertainty)
    kl_values = kl_grid_with_sm(kl_values)
    channel = templates.observable
    yields = basis_yields(templates, luminosity_fb)
    background_modifiers: list[dict] = []
    if background_mc_stat:
        uncertainty = templates.background_uncertainty(luminosity_fb).tolist()
        background_modifiers.append({"name": STAT_MODIFIER, "type": "staterror", "data": uncertainty})
    if background_norm_uncertainty is not None:
        high = 1.0 + background_norm_uncertainty
        background_modifiers.append({"name": NORM_MODIFIER, "type": "normsys", "data": {"hi": high, "lo": 1.0 / high}})
    samples = [
        {
            "name": basis_sample_name(index),
            "data": yields[index].tolist(),
            "modifiers": [
                {"name": POI, "type": "normfactor", "data": None},
                {"name": weight_parameter(index), "type": "normfactor", "data": None},
            ],
        }
        for index in range(3)
    ]
    samples.append(
        {
            "name": BACKGROUND_SAMPLE,
            "data": templates.background_yields(luminosity_fb).tolist(),
            "modifiers": background_modifiers,
        }
    )
    weights = basis_normalisation(templates, kl_values)
    if np.abs(weights).max() >= _WEIGHT_BOUND:
        raise ValueError(f"morphing weights reach {np.abs(weights).max():.3g}: the κλ range is far outside the basis")
    measurements = [
        {
            "name": measurement_name(kl),
            "config": {
                "poi": POI,
                "parameters": [
                    {"name": POI, "bounds": [list(MU_BOUNDS)], "inits": [1.0]},
                    *(
                        {
                            "name": weight_parameter(index),
                            "bounds": [[-_WEIGHT_BOUND, _WEIGHT_BOUND]],
                            "inits": [float(weights[row, index])],
                            "fixed": True,
                        }
                        for index in range(3)
                    ),
                ],
            },
        }
        for row, kl in enumerate(kl_values)
    ]
    return {
        "channels": [{"name": channel, "samples": samples}],
        "observations": [{"name": channel, "data": asimov_counts(templates, luminosity_fb).tolist()}],
        "measurements": measurements,
        "version": "1.0.0",
    }


def validate_workspace(spec: dict) -> None:
    """Raise ``ValueError`` unless ``spec`` validates against pyhf's workspace schema (and builds a model)."""
    import pyhf

    try:
        pyhf.schema.validate(spec, "workspace.json")
        workspace = pyhf.Workspace(spec)
        workspace.model(measurement_name=spec["measurements"][0]["name"])
    except pyhf.exceptions.InvalidSpecification as error:
        raise ValueError(f"workspace does not validate against pyhf's schema: {error}") from error


def write_workspace(path: str | Path, spec: dict) -> None:
    """Validate and write a workspace as JSON (atomically), its provenance stamp beside it in ``NAME.provenance``.

    pyhf's workspace schema allows no key beyond its own (``additionalProperties: false`` at every level), so the
    stamp cannot go inside: a sidecar keeps the workspace valid and ``*.json`` globs finding only workspaces.
    """
    from multihiggs.io.atomic import write_text
    from multihiggs.provenance import current_stamp, sidecar_path

    validate_workspace(spec)
    write_text(path, json.dumps(spec, indent=1) + "\n")
    write_text(sidecar_path(path), json.dumps(current_stamp().as_dict(), indent=1, sort_keys=True) + "\n")
