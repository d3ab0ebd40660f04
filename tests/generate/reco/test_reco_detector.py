import awkward as ak
import numpy as np
import pytest
import vector

from multihiggs.generate.reco.detector import (
    DetectorParameters,
    JetEnergyResolution,
    draw_response,
    in_acceptance,
    jet_response_factors,
    relative_pt_resolution,
    scale_jets,
)


def test_resolution_formula_and_eta_bins():
    resolution = JetEnergyResolution(
        abs_eta_edges=(0.0, 1.0, 3.0), noise_gev=(2.0, 4.0), stochastic_sqrt_gev=(1.0, 2.0), constant=(0.05, 0.1)
    )
    sigma = relative_pt_resolution(np.array([100.0, 100.0, 25.0, 100.0]), np.array([0.5, -2.0, 0.0, 7.0]), resolution)
    expected = [
        np.sqrt(0.02**2 + 1.0 / 100 + 0.05**2),
        np.sqrt(0.04**2 + 4.0 / 100 + 0.1**2),
        np.sqrt(0.08**2 + 1.0 / 25 + 0.05**2),
        np.sqrt(0.04**2 + 4.0 / 100 + 0.1**2),  # beyond the last edge: last bin
    ]
    assert sigma.tolist() == pytest.approx(expected)


def test_default_resolution_matches_typical_cms_values():
    sigma = relative_pt_resolution(np.array([30.0, 100.0, 1000.0]), np.zeros(3), JetEnergyResolution())
    assert 0.15 <= sigma[0] <= 0.21
    assert sigma[1] == pytest.approx(0.10, abs=0.01)
    assert sigma[2] == pytest.approx(0.05, abs=0.005)


def test_resolution_needs_positive_pt():
    with pytest.raises(ValueError, match="pt_gev > 0"):
        relative_pt_resolution(np.array([10.0, 0.0]), np.zeros(2), JetEnergyResolution())


@pytest.mark.parametrize("sigma", [0.05, 0.3])
def test_response_has_unit_mean_and_requested_width(sigma):
    n = 200_000
    response = draw_response(np.full(n, sigma), np.random.default_rng(2024))
    assert np.all(response > 0)
    assert response.mean() == pytest.approx(1.0, abs=4 * sigma / np.sqrt(n))
    # standard error of a sample standard deviation ≈ σ sqrt((κ - 1) / 4n), kurtosis κ ≈ 4.6 at σ = 0.3
    assert response.std() == pytest.approx(sigma, abs=4 * sigma * np.sqrt(1 / n))


def test_jet_smearing_reproduces_the_resolution_of_its_eta_bin():
    n = 100_000
    jet = vector.obj(pt=50.0, eta=1.8, phi=0.3, mass=8.0)
    jets = ak.zip(
        {"px": [[jet.px] * n], "py": [[jet.py] * n], "pz": [[jet.pz] * n], "E": [[jet.E] * n]}, with_name="Momentum4D"
    )
    factors = jet_response_factors(jets, JetEnergyResolution(), np.random.default_rng(17))
    smeared = scale_jets(jets, factors)
    ratio = ak.to_numpy(smeared.pt[0]) / 50.0
    sigma = np.sqrt((3.5 / 50) ** 2 + 1.0**2 / 50 + 0.05**2)  # 1.3 < |η| < 2.5 bin
    assert ratio.std() == pytest.approx(sigma, abs=4 * sigma * np.sqrt(1 / n))
    assert ratio.mean() == pytest.approx(1.0, abs=4 * sigma / np.sqrt(n))
    np.testing.assert_allclose(ak.to_numpy(smeared.mass[0]) / 8.0, ratio, rtol=1e-9)


def test_smearing_is_reproducible_with_a_seed():
    jets = ak.zip(
        {
            "px": [[100.0, 30.0], [], [50.0]],
            "py": [[0.0, 10.0], [], [5.0]],
            "pz": [[20.0, 0.0], [], [100.0]],
            "E": [[110.0, 40.0], [], [120.0]],
        },
        with_name="Momentum4D",
    )
    first = jet_response_factors(jets, JetEnergyResolution(), np.random.default_rng(7))
    again = jet_response_factors(jets, JetEnergyResolution(), np.random.default_rng(7))
    other = jet_response_factors(jets, JetEnergyResolution(), np.random.default_rng(8))
    assert first.tolist() == again.tolist()
    assert first.tolist() != other.tolist()
    assert ak.num(first).tolist() == [2, 0, 1]


def test_scaling_moves_pt_and_mass_together():
    jets = ak.zip(
        {"px": [[100.0]], "py": [[20.0]], "pz": [[50.0]], "E": [[130.0]], "flavour": [[5]]}, with_name="Momentum4D"
    )
    scaled = scale_jets(jets, ak.Array([[1.2]]))
    assert scaled.pt[0, 0] == pytest.approx(1.2 * jets.pt[0, 0])
    assert scaled.mass[0, 0] == pytest.approx(1.2 * jets.mass[0, 0])
    assert scaled.eta[0, 0] == pytest.approx(jets.eta[0, 0])
    assert scaled.phi[0, 0] == pytest.approx(jets.phi[0, 0])
    assert scaled.flavour.tolist() == [[5]]
    with pytest.raises(ValueError, match="Cartesian"):
        scale_jets(jets[["px", "py", "pz", "flavour"]], ak.Array([[1.2]]))


def test_acceptance():
    jets = ak.zip(
        {"pt": [[30.0, 19.0, 30.0, 30.0]], "eta": [[0.0, 0.0, 2.6, -2.4]], "phi": [[0.0] * 4], "mass": [[0.0] * 4]},
        with_name="Momentum4D",
    )
    assert in_acceptance(jets, 20.0, 2.5).tolist() == [[True, False, False, True]]


@pytest.mark.parametrize(
    "settings",
    [
        {"jet_clustering_pt_min_gev": 30.0},
        {"fat_jet_clustering_pt_min_gev": 0.0},
        {"jet_radius": -0.5},
        {"fat_jet_abs_eta_max": 0.0},
        {"particle_abs_eta_max": 0.0},
    ],
)
def test_detector_parameters_are_validated(settings):
    with pytest.raises(ValueError):
        DetectorParameters(**settings)


def test_resolution_table_is_validated():
    with pytest.raises(ValueError, match="noise_gev"):
        JetEnergyResolution(abs_eta_edges=(0.0, 2.5), noise_gev=(1.0, 2.0), stochastic_sqrt_gev=(1.0,), constant=(0.1,))
    with pytest.raises(ValueError, match="increasing"):
        JetEnergyResolution(abs_eta_edges=(0.0, 0.0), noise_gev=(1.0,), stochastic_sqrt_gev=(1.0,), constant=(0.1,))


def test_defaults():
    detector = DetectorParameters()
    assert (detector.jet_radius, detector.jet_pt_min_gev, detector.jet_abs_eta_max) == (0.5, 20.0, 2.5)
    assert (detector.fat_jet_radius, detector.fat_jet_pt_min_gev, detector.fat_jet_abs_eta_max) == (0.8, 200.0, 2.5)
