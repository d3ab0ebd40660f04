"""SPANet input arrays: padding, masks, b-tag bits, angles and safe τ ratios."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal

from multihiggs.convert.features import boosted_inputs, global_inputs, jet_inputs, safe_ratio
from multihiggs.io import spanet_layout as layout


def test_jet_inputs_are_masked_float32_arrays():
    mask = np.array([[True, True, True, False], [True, False, False, False]])
    pt = np.array([[100.0, 90.0, 80.0, 7.0], [50.0, 3.0, 0.0, 0.0]])  # junk behind the mask must not leak
    phi = np.array([[np.pi / 2] * 4, [np.pi] * 4])
    btag = np.array([[1, 2, 3, 3], [3, 3, 0, 0]])
    inputs = jet_inputs(pt, pt * 0 + 0.1, phi, pt * 0 + 5.0, btag, mask)
    expected_keys = {layout.mask_key(layout.JETS)} | {layout.input_key(layout.JETS, f) for f in layout.JET_FEATURES}
    assert set(inputs) == expected_keys
    assert inputs[layout.mask_key(layout.JETS)].dtype == bool
    assert_allclose(inputs[layout.input_key(layout.JETS, "pt")], [[100, 90, 80, 0], [50, 0, 0, 0]])
    assert_allclose(inputs[layout.input_key(layout.JETS, "sinphi")][:, 0], [1.0, 0.0], atol=1e-6)
    assert_allclose(inputs[layout.input_key(layout.JETS, "cosphi")][:, 0], [0.0, -1.0], atol=1e-6)
    assert_array_equal(inputs[layout.input_key(layout.JETS, "btag")], [[1, 0, 1, 0], [1, 0, 0, 0]])  # bit 0
    assert_array_equal(inputs[layout.input_key(layout.JETS, "btag_upart")], [[0, 1, 1, 0], [1, 0, 0, 0]])  # bit 1
    for feature in layout.JET_FEATURES:
        values = inputs[layout.input_key(layout.JETS, feature)]
        assert values.dtype == np.float32 and values.shape == (2, 4)
        assert (values[~mask] == 0).all()


def test_boosted_inputs_tau_ratios_are_safe_against_zero():
    mask = np.array([[True, True, False]])
    one = np.array([[300.0, 260.0, 0.0]])
    inputs = boosted_inputs(
        pt=one, eta=one * 0, phi=one * 0, mass=one * 0 + 120, softdrop_mass=one * 0 + 110,
        tau1=np.array([[0.4, 0.0, 0.0]]), tau2=np.array([[0.2, 0.0, 0.0]]), tau3=np.array([[0.1, 0.3, 0.0]]),
        charged_fraction=one * 0 + 0.5, n_charged=np.array([[12, 30, 0]]), mask=mask,
    )  # fmt: skip
    assert_allclose(inputs[layout.input_key(layout.BOOSTED_JETS, "tau21")][0], [0.5, 0.0, 0.0])
    assert_allclose(inputs[layout.input_key(layout.BOOSTED_JETS, "tau32")][0], [0.5, 0.0, 0.0])
    assert_allclose(inputs[layout.input_key(layout.BOOSTED_JETS, "n_charged")][0], [12, 30, 0])
    assert_allclose(inputs[layout.input_key(layout.BOOSTED_JETS, "mass")][0], [120, 120, 0])
    assert_array_equal(inputs[layout.mask_key(layout.BOOSTED_JETS)][0], [True, True, False])
    assert set(inputs) == {layout.mask_key(layout.BOOSTED_JETS)} | {
        layout.input_key(layout.BOOSTED_JETS, f) for f in layout.BOOSTED_FEATURES
    }
    assert all(np.isfinite(values).all() for values in inputs.values())


def test_safe_ratio_and_global_inputs():
    assert_allclose(safe_ratio(np.array([1.0, 1.0, 2.0]), np.array([2.0, 0.0, -1.0])), [0.5, 0.0, 0.0])
    kl = global_inputs(2.45, 3)[layout.input_key(layout.EVENT, "kl")]
    assert kl.dtype == np.float32 and kl.shape == (3,)
    assert_allclose(kl, 2.45, rtol=1e-6)
