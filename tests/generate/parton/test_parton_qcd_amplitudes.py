"""Tree-level QCD amplitudes: every 2 -> 2 process against the textbook |M|^2, and the symmetries of 2 -> 4."""

import numpy as np
import pytest

import multihiggs.generate.parton.qcd_amplitudes as qcd_amplitudes
from multihiggs.generate.parton.multijet_phase_space import rambo
from multihiggs.generate.parton.qcd_amplitudes import ColourDressedAmplitude, Parton, QcdProcess
from multihiggs.generate.parton.qcd_colour import GENERATORS, STRUCTURE_CONSTANTS
from multihiggs.generate.parton.qcd_wavefunctions import (
    dirac_adjoint,
    gluon_polarisations,
    massless_spinors,
    minkowski_dot,
    slash,
)

gluon, quark, antiquark = Parton.gluon, Parton.quark, Parton.antiquark


def two_to_two(n, sqrt_s=100.0, seed=1):
    """Massless 2 -> 2 momenta in the CM frame and their Mandelstam s, t, u."""
    rng = np.random.default_rng(seed)
    cos = rng.uniform(-0.95, 0.95, n)
    phi = rng.uniform(0, 2 * np.pi, n)
    sin = np.sqrt(1 - cos**2)
    energy = sqrt_s / 2
    momenta = np.zeros((n, 4, 4))
    momenta[:, 0] = [energy, 0, 0, energy]
    momenta[:, 1] = [energy, 0, 0, -energy]
    momenta[:, 2] = np.stack(
        [np.full(n, energy), energy * sin * np.cos(phi), energy * sin * np.sin(phi), energy * cos], 1
    )
    momenta[:, 3] = momenta[:, 0] + momenta[:, 1] - momenta[:, 2]
    s = sqrt_s**2
    return momenta, s, -s / 2 * (1 - cos), -s / 2 * (1 + cos)


def isotropic_final_state(n, n_out, sqrt_s, seed):
    """Massless n_out-body momenta in the CM frame (RAMBO) behind two beams along +-z: (n, 2 + n_out, 4)."""
    final = rambo(np.random.default_rng(seed), n, n_out, sqrt_s)
    beams = np.zeros((n, 2, 4))
    beams[:, 0] = [sqrt_s / 2, 0, 0, sqrt_s / 2]
    beams[:, 1] = [sqrt_s / 2, 0, 0, -sqrt_s / 2]
    return np.concatenate([beams, final], axis=1)


def test_colour_algebra_identities():
    assert np.allclose(np.einsum("aij,bji->ab", GENERATORS, GENERATORS), np.eye(8) / 2)
    commutator = np.einsum("aij,bjk->abik", GENERATORS, GENERATORS) - np.einsum("bij,ajk->abik", GENERATORS, GENERATORS)
    assert np.allclose(commutator, 1j * np.einsum("abc,cik->abik", STRUCTURE_CONSTANTS, GENERATORS))
    assert np.allclose(np.einsum("acd,bcd->ab", STRUCTURE_CONSTANTS, STRUCTURE_CONSTANTS), 3 * np.eye(8))  # C_A = 3


def test_massless_wavefunctions_complete_and_on_shell():
    momenta, *_ = two_to_two(3)
    p = momenta[:, 2]
    spinors = massless_spinors(p)
    assert np.allclose(np.einsum("nab,nhb->nha", slash(p), spinors), 0, atol=1e-10)
    completeness = np.einsum("nha,nhb->nab", spinors, dirac_adjoint(spinors))
    assert np.allclose(completeness, slash(p), atol=1e-10)
    polarisations = gluon_polarisations(p)
    assert np.allclose(minkowski_dot(polarisations, p[:, None]), 0, atol=1e-10)
    assert np.allclose(minkowski_dot(polarisations, polarisations), -1)


# Colour- and spin-averaged |M|^2 / g_s^4 (Ellis, Stirling, Webber, Table 7.1): name -> legs, average, formula.
TEXTBOOK_2_TO_2 = {
    "q qbar -> q' qbar'": (
        (quark(1), antiquark(1), quark(0, 1), antiquark(0, 1)),
        36,
        lambda s, t, u: 4 / 9 * (t * t + u * u) / s**2,
    ),
    "q q' -> q q'": (
        (quark(1), quark(1, 1), quark(0), quark(0, 1)),
        36,
        lambda s, t, u: 4 / 9 * (s * s + u * u) / t**2,
    ),
    "q q -> q q": (
        (quark(1), quark(1), quark(0), quark(0)),
        36,
        lambda s, t, u: 4 / 9 * ((s * s + u * u) / t**2 + (s * s + t * t) / u**2) - 8 / 27 * s * s / (u * t),
    ),
    "q qbar -> q qbar": (
        (quark(1), antiquark(1), quark(0), antiquark(0)),
        36,
        lambda s, t, u: 4 / 9 * ((s * s + u * u) / t**2 + (t * t + u * u) / s**2) - 8 / 27 * u * u / (s * t),
    ),
    "g g -> q qbar": (
        (gluon(1), gluon(1), quark(0), antiquark(0)),
        256,
        lambda s, t, u: 1 / 6 * (t * t + u * u) / (t * u) - 3 / 8 * (t * t + u * u) / s**2,
    ),
    "q qbar -> g g": (
        (quark(1), antiquark(1), gluon(0), gluon(0)),
        36,
        lambda s, t, u: 32 / 27 * (t * t + u * u) / (t * u) - 8 / 3 * (t * t + u * u) / s**2,
    ),
    "q g -> q g": (
        (quark(1), gluon(1), quark(0), gluon(0)),
        96,
        lambda s, t, u: -4 / 9 * (s * s + u * u) / (s * u) + (u * u + s * s) / t**2,
    ),
    "g g -> g g": (
        (gluon(1), gluon(1), gluon(0), gluon(0)),
        256,
        lambda s, t, u: 9 / 2 * (3 - t * u / s**2 - s * u / t**2 - s * t / u**2),
    ),
}


@pytest.mark.parametrize("name", sorted(TEXTBOOK_2_TO_2))
def test_two_to_two_matches_textbook(name):
    legs, average, formula = TEXTBOOK_2_TO_2[name]
    momenta, s, t, u = two_to_two(6)
    assert np.allclose(QcdProcess(legs).squared(momenta) / average, formula(s, t, u), rtol=1e-10)


FOUR_B_LEGS = (gluon(1), gluon(1), quark(0, 5), antiquark(0, 5), quark(0, 5), antiquark(0, 5))
LIGHT_TO_FOUR_B_LEGS = (quark(1, 2), antiquark(1, 2), quark(0, 5), antiquark(0, 5), quark(0, 5), antiquark(0, 5))


@pytest.fixture(scope="module")
def four_b_process():
    return QcdProcess(FOUR_B_LEGS)


@pytest.fixture(scope="module")
def six_body_momenta():
    return isotropic_final_state(12, 4, 500.0, seed=3)


def test_four_b_is_lorentz_invariant(four_b_process, six_body_momenta):
    boost = np.eye(4)
    boost[0, 0] = boost[1, 1] = np.cosh(0.7)
    boost[0, 1] = boost[1, 0] = np.sinh(0.7)
    rotation = np.eye(4)
    rotation[2, 2] = rotation[3, 3] = np.cos(0.4)
    rotation[2, 3], rotation[3, 2] = -np.sin(0.4), np.sin(0.4)
    transformed = six_body_momenta @ (rotation @ boost).T
    assert np.allclose(four_b_process.squared(transformed), four_b_process.squared(six_body_momenta), rtol=1e-9)


@pytest.mark.parametrize("legs", [FOUR_B_LEGS, LIGHT_TO_FOUR_B_LEGS], ids=["gg", "qqbar"])
def test_identical_b_quarks_are_symmetric(legs, six_body_momenta):
    process = QcdProcess(legs)
    reference = process.squared(six_body_momenta)
    for i, j in ((2, 4), (3, 5)):
        swapped = six_body_momenta.copy()
        swapped[:, [i, j]] = six_body_momenta[:, [j, i]]
        assert np.allclose(process.squared(swapped), reference, rtol=1e-9)


def test_distinct_flavours_alone_are_not_symmetric(six_body_momenta):
    """The antisymmetrisation matters: one line pairing alone changes under the b-quark exchange."""
    legs = (gluon(1), gluon(1), quark(0, 5), antiquark(0, 5), quark(0, 6), antiquark(0, 6))
    process = QcdProcess(legs)
    swapped = six_body_momenta.copy()
    swapped[:, [2, 4]] = six_body_momenta[:, [4, 2]]
    assert not np.allclose(process.squared(swapped), process.squared(six_body_momenta), rtol=1e-3)


def test_ward_identity_gluon_polarisation_replaced_by_its_momentum(monkeypatch, six_body_momenta):
    """gg -> bbbb: the amplitude with one gluon polarisation replaced by its momentum vanishes."""
    process = QcdProcess(FOUR_B_LEGS)
    reference = np.abs(process.amplitudes(six_body_momenta)).max()
    original = qcd_amplitudes.gluon_polarisations

    def longitudinal_first_state(momenta):
        states = original(momenta).copy()
        states[..., 0, :] = momenta / momenta[..., :1]
        return states

    monkeypatch.setattr(qcd_amplitudes, "gluon_polarisations", longitudinal_first_state)
    amplitudes = process.amplitudes(six_body_momenta)
    first_gluon_longitudinal = process.helicities[:, 0] == 0
    assert np.abs(amplitudes[:, first_gluon_longitudinal]).max() < 1e-10 * reference


def test_pruning_keeps_the_sum(six_body_momenta):
    process = QcdProcess(LIGHT_TO_FOUR_B_LEGS)
    full = process.squared(six_body_momenta)
    kept = process.prune_helicities(six_body_momenta[:4])
    assert kept < 2**6
    assert np.allclose(process.squared(six_body_momenta), full, rtol=1e-12)


def _beams_behind(final):
    """Prepend beams along +-z that balance massless final momenta (n, k, 4) with zero total p_T."""
    total = final.sum(axis=1)
    beams = np.zeros((final.shape[0], 2, 4))
    beams[:, 0, 0] = beams[:, 0, 3] = 0.5 * (total[:, 0] + total[:, 3])
    beams[:, 1, 0] = 0.5 * (total[:, 0] - total[:, 3])
    beams[:, 1, 3] = -beams[:, 1, 0]
    return np.concatenate([beams, final], axis=1)


def test_collinear_quark_gluon_limit_factorises():
    """u ubar -> d dbar g, g || d: |M_5|^2 -> 2 g^2 / s_dg C_F (1 + z^2) / (1 - z) |M_4|^2 (no spin correlation)."""
    z, opening, energy = 0.3, 2e-5, 100.0
    rng = np.random.default_rng(5)
    theta, phi = rng.uniform(0.3, 2.8, 4), rng.uniform(0, 2 * np.pi, 4)

    def massless(e, th, ph):
        return np.stack([e, e * np.sin(th) * np.cos(ph), e * np.sin(th) * np.sin(ph), e * np.cos(th)], axis=-1)

    parent = massless(np.full(4, energy), theta, phi)
    recoil = parent * np.array([1, -1, -1, -1])
    quark_out = massless(np.full(4, z * energy), theta + opening * (1 - z), phi)
    gluon_out = massless(np.full(4, (1 - z) * energy), theta - opening * z, phi)
    pair = quark_out + gluon_out
    recoil_exact = np.concatenate([np.linalg.norm(pair[:, 1:], axis=1, keepdims=True), -pair[:, 1:]], axis=1)
    five = _beams_behind(np.stack([quark_out, recoil_exact, gluon_out], axis=1))
    four = _beams_behind(np.stack([parent, recoil], axis=1))
    assert np.allclose(five[:, 0] + five[:, 1], five[:, 2:].sum(axis=1))
    s_dg = 2 * minkowski_dot(quark_out, gluon_out)
    five_point = QcdProcess((quark(1), antiquark(1), quark(0, 1), antiquark(0, 1), gluon(0))).squared(five)
    four_point = QcdProcess((quark(1), antiquark(1), quark(0, 1), antiquark(0, 1))).squared(four)
    splitting = 2 / s_dg * 4 / 3 * (1 + z**2) / (1 - z)
    assert np.allclose(five_point / (splitting * four_point), 1.0, rtol=1e-3)


def test_flavour_violating_legs_are_rejected():
    with pytest.raises(ValueError, match="flavour"):
        ColourDressedAmplitude((gluon(1), gluon(1), quark(0, 1), antiquark(0, 2)))
