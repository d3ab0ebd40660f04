"""Gluon density table against Pythia, alpha_s running, luminosity."""

import numpy as np
import pytest

from multihiggs.generate.parton import alpha_s_one_loop, gluon_luminosity_density, hard_scale_gev


def test_tabulated_gluon_matches_pythia(gluon_pdf):
    import pythia8mc

    proton = pythia8mc.Pythia("", False).getPDFPtr(2212)
    rng = np.random.default_rng(7)
    x = np.exp(rng.uniform(np.log(1e-4), np.log(0.6), 300))
    q2 = np.exp(rng.uniform(np.log(1e3), np.log(1e6), 300))
    direct = np.array([proton.xf(21, float(a), float(b)) for a, b in zip(x, q2, strict=True)])
    np.testing.assert_allclose(gluon_pdf.xf(x, q2), direct, rtol=3e-3)


def test_gluon_pdf_edges(gluon_pdf):
    assert gluon_pdf.xf(1.0, 1e4) == 0.0
    with pytest.raises(ValueError, match="minimum"):
        gluon_pdf.xf(1e-9, 1e4)
    with pytest.raises(ValueError, match="x <= 1"):
        gluon_pdf.xf(1.5, 1e4)


def test_alpha_s_runs_from_the_lo_pdf_value():
    assert alpha_s_one_loop(91.1876) == pytest.approx(0.130)
    values = alpha_s_one_loop(np.array([50.0, 200.0, 1000.0]))
    assert np.all(np.diff(values) < 0)
    with pytest.raises(ValueError, match="positive"):
        alpha_s_one_loop(0.0)


def test_luminosity_is_symmetric_in_rapidity_and_uses_half_the_mass_as_scale(gluon_pdf):
    mass = np.full(3, 400.0)
    eta = np.array([-0.5, 0.0, 0.5])
    luminosity = gluon_luminosity_density(mass, eta, 13000.0, gluon_pdf)
    assert luminosity[0] == pytest.approx(luminosity[2], rel=1e-12)
    assert luminosity[1] > luminosity[2] > 0.0
    assert hard_scale_gev(400.0) == 200.0
