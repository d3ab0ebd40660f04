import awkward as ak
import numpy as np
import pytest
import vector

from multihiggs.generate.reco.substructure import SubstructureParameters, fat_jet_substructure

# Five-particle sprays of width ≈ 0.02 around a prong axis: (ΔR offsets in η, φ; pT share).
_SPRAY = [(0.0, 0.0, 0.4), (0.02, 0.0, 0.2), (-0.02, 0.01, 0.2), (0.0, -0.02, 0.1), (0.01, 0.02, 0.1)]


def _spray(pt: float, eta: float, phi: float) -> list[tuple]:
    return [(pt * share, eta + d_eta, phi + d_phi, 0.0, 0) for d_eta, d_phi, share in _SPRAY]


def _two_prong_jet() -> list[tuple]:
    """Two 150 GeV prongs 0.4 apart in η, plus soft wide-angle radiation (1 GeV at ΔR ≈ 0.7)."""
    soft = [(1.0, 0.7, 0.0, 0.0, 0), (1.0, -0.5, 0.5, 0.0, 0), (1.0, 0.2, -0.7, 0.0, 0)]
    return _spray(150.0, -0.2, 0.0) + _spray(150.0, 0.2, 0.0) + soft


def _mass(particles: ak.Array) -> float:
    """Invariant mass (GeV) of a list of Momentum4D particles."""
    total = vector.obj(**{name: float(ak.sum(particles[name])) for name in ("px", "py", "pz", "E")})
    return total.mass


@pytest.fixture
def jets(make_particles):
    """Event 0: a two-prong jet and a one-prong jet; event 1: no jets; event 2: an empty jet and tiny jets."""
    per_jet = make_particles([_two_prong_jet(), _spray(300.0, 1.0, 2.0), [], _spray(50.0, 0.0, 0.0)[:2]])
    return ak.Array([[per_jet[0], per_jet[1]], [], [per_jet[2], per_jet[3], per_jet[3][:1]]])


def test_two_prong_jet_has_small_tau21_and_groomed_mass_near_pair_mass(jets):
    result = fat_jet_substructure(jets, SubstructureParameters())
    two_prong, one_prong = result[0, 0], result[0, 1]
    tau21_two = two_prong.tau[1] / two_prong.tau[0]
    tau21_one = one_prong.tau[1] / one_prong.tau[0]
    assert tau21_two < 0.2
    assert tau21_one > 2 * tau21_two
    prongs = jets[0, 0][:10]
    pair_mass, full_mass = _mass(prongs), _mass(jets[0, 0])
    assert full_mass > 1.05 * pair_mass  # the soft wide-angle radiation adds mass …
    assert two_prong.soft_drop_mass == pytest.approx(pair_mass, rel=1e-6)  # … that soft drop removes


def test_tau_decreases_with_n_and_is_zero_beyond_the_multiplicity(jets):
    result = fat_jet_substructure(jets, SubstructureParameters())
    taus = np.asarray(result.tau[0].tolist())
    assert np.all(np.diff(taus, axis=1) <= 1e-12)
    assert ak.num(result).tolist() == [2, 0, 3]
    empty, two_particles, single = result[2]
    assert empty.tau.tolist() == [0.0] * 5 and empty.soft_drop_mass == 0.0
    assert two_particles.tau[0] > 0 and two_particles.tau[1:].tolist() == [0.0] * 4
    assert single.tau.tolist() == [0.0] * 5 and single.soft_drop_mass == pytest.approx(0.0, abs=1e-6)


def test_uniform_scaling_leaves_tau_and_scales_soft_drop_mass(jets):
    scaled = ak.zip({name: jets[name] * 1.3 for name in ("px", "py", "pz", "E")}, with_name="Momentum4D")
    nominal = fat_jet_substructure(jets, SubstructureParameters())
    rescaled = fat_jet_substructure(scaled, SubstructureParameters())
    np.testing.assert_allclose(
        ak.to_numpy(ak.flatten(rescaled.tau[0])), ak.to_numpy(ak.flatten(nominal.tau[0])), rtol=1e-9
    )
    np.testing.assert_allclose(
        ak.to_numpy(rescaled.soft_drop_mass[0]), 1.3 * ak.to_numpy(nominal.soft_drop_mass[0]), rtol=1e-9
    )


@pytest.mark.parametrize(
    "settings", [{"r0": 0.0}, {"soft_drop_z_cut": 1.0}, {"soft_drop_beta": -1.0}, {"nsubjettiness_beta": 0.0}]
)
def test_bad_parameters(settings):
    with pytest.raises(ValueError):
        SubstructureParameters(**settings)
