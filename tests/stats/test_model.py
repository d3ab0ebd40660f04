import copy
import json

import numpy as np
import pyhf
import pytest

from multihiggs.stats.cross_sections import BR_H_BB, sigma_hh_fb
from multihiggs.stats.likelihood import Observations, fit
from multihiggs.stats.model import (
    asimov_counts,
    batched_model,
    build_workspace,
    measurement_name,
    signal_yields,
    validate_workspace,
    write_workspace,
)
from multihiggs.stats.scan import scan_curves
from multihiggs.stats.synthetic import synthetic_templates

LUMI = 300.0
NORM = 0.1


@pytest.fixture(scope="module")
def templates():
    return synthetic_templates(edges=np.linspace(250, 1000, 6))


def test_signal_is_nnlo_normalised_with_lo_efficiency(templates):
    for signal in templates.basis():
        expected = LUMI * float(sigma_hh_fb(signal.kl)) * BR_H_BB**2 * signal.fiducial_pb / signal.lo_cross_section_pb
        np.testing.assert_allclose(signal_yields(templates, np.asarray(signal.kl), LUMI), expected, rtol=1e-10)
    # the LO efficiency is κλ-dependent only through the shape: here it is flat, so Σ s = L σ_NNLO BR² ε
    total = signal_yields(templates, np.array([-4.0, 2.45, 9.0]), LUMI).sum(axis=1)
    efficiency = templates.efficiency(np.array(1.0)).sum()
    np.testing.assert_allclose(
        total, LUMI * sigma_hh_fb(np.array([-4.0, 2.45, 9.0])) * BR_H_BB**2 * efficiency, rtol=1e-3
    )


def test_workspace_validates_and_each_measurement_is_one_kl(templates, tmp_path):
    spec = build_workspace(templates, LUMI, np.array([-2.0, 5.0]), background_norm_uncertainty=NORM)
    validate_workspace(spec)
    path = tmp_path / "ws.json"
    write_workspace(path, spec)
    workspace = pyhf.Workspace(json.loads(path.read_text()))
    assert set(workspace.measurement_names) == {"kl_m2", "kl_1", "kl_5"}
    model = workspace.model(measurement_name=measurement_name(5.0))
    pars = model.config.suggested_init()
    expected = model.expected_actualdata(pars)
    np.testing.assert_allclose(
        expected, signal_yields(templates, np.asarray(5.0), LUMI) + templates.background_yields(LUMI), rtol=1e-9
    )
    broken = copy.deepcopy(spec)
    broken["channels"][0]["samples"][0]["modifiers"][0]["type"] = "normfactr"
    with pytest.raises(ValueError, match="schema"):
        validate_workspace(broken)


def test_fast_scan_agrees_with_pyhf(templates):
    """−2ΔlnL differences (pyhf fixed-POI fits) and CLs (pyhf hypotest, qtilde) where the free fit is well
    determined (κλ far from the SM)."""
    kls = np.array([-3.0, 1.0, 9.0, 12.0])
    curves = scan_curves(templates, kls, [LUMI], background_norm_uncertainty=NORM)
    workspace = pyhf.Workspace(build_workspace(templates, LUMI, kls, background_norm_uncertainty=NORM))
    pyhf.set_backend("numpy")
    twice_nll, cls = [], []
    for kl in kls:
        model = workspace.model(measurement_name=measurement_name(kl))
        data = workspace.data(model)
        twice_nll.append(float(pyhf.infer.mle.fixed_poi_fit(1.0, data, model, return_fitted_val=True)[1]))
        cls.append(float(pyhf.infer.hypotest(1.0, data, model, test_stat="qtilde")) if kl != 1.0 else np.nan)
    ours = dict(zip(curves.kl.tolist(), curves.delta_nll2[0], strict=True))
    ours_cls = dict(zip(curves.kl.tolist(), curves.cls[0], strict=True))
    for kl, value in zip(kls, twice_nll, strict=True):
        assert ours[kl] == pytest.approx(value - twice_nll[1], abs=1e-4, rel=1e-4)
    for kl, value in zip(kls, cls, strict=True):
        if kl != 1.0:
            assert ours_cls[kl] == pytest.approx(value, rel=2e-3)


def test_free_fit_is_a_deeper_minimum_than_pyhf_where_the_likelihood_is_flat(templates):
    """At κλ = 6 the morphed shape is close to the SM one, so μ is barely constrained and pyhf's SLSQP free fit
    stops early (μ̂ ≈ 0.99; CLs 0.779). Our profiled Newton fit must reach a likelihood at least as high, judged
    by pyhf's own logpdf at our parameters."""
    kl = 6.0
    model = batched_model(templates, np.array([kl]), np.array([LUMI]), NORM, background_mc_stat=True)
    ours = fit(model, Observations.nominal(asimov_counts(templates, LUMI)[None]))
    workspace = pyhf.Workspace(build_workspace(templates, LUMI, np.array([kl]), background_norm_uncertainty=NORM))
    pyhf.set_backend("numpy")
    pyhf_model = workspace.model(measurement_name=measurement_name(kl))
    data = workspace.data(pyhf_model)
    _, pyhf_twice_nll = pyhf.infer.mle.fit(data, pyhf_model, return_fitted_val=True)
    parameters = np.array(pyhf_model.config.suggested_init(), dtype=np.float64)
    parameters[pyhf_model.config.poi_index] = ours.mu[0]
    parameters[pyhf_model.config.par_slice("qcd_norm")] = np.ravel(ours.alpha)
    parameters[pyhf_model.config.par_slice("qcd_mc_stat")] = np.ravel(ours.gamma)
    our_twice_nll = -2 * float(pyhf_model.logpdf(parameters, data)[0])
    assert our_twice_nll <= float(pyhf_twice_nll) + 1e-6
    # ... and the optimum is genuinely flat: both minima lie within 0.05 of each other in −2 ln L
    assert float(pyhf_twice_nll) - our_twice_nll < 0.05


def test_bad_arguments_are_named(templates):
    with pytest.raises(ValueError, match="luminosity"):
        build_workspace(templates, 0.0, np.array([1.0]))
    with pytest.raises(ValueError, match="normalisation uncertainty"):
        build_workspace(templates, LUMI, np.array([1.0]), background_norm_uncertainty=-0.1)


def test_background_sample_norm_uncertainty_adds_in_quadrature(templates, tmp_path):
    from dataclasses import replace

    from multihiggs.stats.model import NORM_MODIFIER, total_norm_uncertainty
    from multihiggs.stats.templates import read_templates, write_templates

    assert total_norm_uncertainty(templates, None) is None
    assert total_norm_uncertainty(templates, NORM) == pytest.approx(NORM)
    with_trf = replace(templates, background_norm_uncertainty=0.2)
    write_templates(tmp_path / "t.json", with_trf)
    assert read_templates(tmp_path / "t.json").background_norm_uncertainty == 0.2
    assert total_norm_uncertainty(with_trf, None) == pytest.approx(0.2)
    assert total_norm_uncertainty(with_trf, NORM) == pytest.approx(np.hypot(0.1, 0.2))
    spec = build_workspace(with_trf, LUMI, np.array([1.0]), background_norm_uncertainty=NORM)
    modifiers = [m for s in spec["channels"][0]["samples"] for m in s["modifiers"] if m["name"] == NORM_MODIFIER]
    assert modifiers[0]["data"]["hi"] == pytest.approx(1 + np.hypot(0.1, 0.2))
    model = batched_model(with_trf, np.array([1.0]), np.array([LUMI]))
    np.testing.assert_allclose(model.log_kappa, np.log1p(0.2))
    # A wider normalisation uncertainty can only widen the κλ interval.
    narrow = scan_curves(templates, np.array([-2.0, 1.0, 6.0]), [LUMI], background_norm_uncertainty=NORM)
    wide = scan_curves(with_trf, np.array([-2.0, 1.0, 6.0]), [LUMI], background_norm_uncertainty=NORM)
    assert (wide.delta_nll2 <= narrow.delta_nll2 + 1e-9).all()
