import awkward as ak
import numpy as np
import pytest

from multihiggs.generate.reco.charge import pid_charge_table
from multihiggs.generate.reco.final_state import visible_final_state, weakly_decaying_heavy_hadrons
from multihiggs.generate.reco.indexing import take_per_jet
from multihiggs.generate.reco.jets import cluster_jets, sort_by_pt

# Two well-separated sprays: jet A at (η, φ) = (0, 0), 80 GeV; jet B at (1, 2), 50 GeV.
SPRAY_A = [(40.0, 0.0, 0.0, 0.14, 1), (30.0, 0.1, 0.05, 0.0, 0), (10.0, -0.1, 0.0, 0.14, -1)]
SPRAY_B = [(25.0, 1.0, 2.0, 0.0, 0), (25.0, 1.05, 2.1, 0.14, 1)]


def _cluster(make_particles, make_ghosts, ghost_list, radius=0.5, pt_min_gev=20.0):
    particles = make_particles([SPRAY_B + SPRAY_A])
    return cluster_jets(particles, make_ghosts([ghost_list]), radius, pt_min_gev)


@pytest.mark.parametrize(
    ("ghost_list", "flavours"),
    [
        ([(20.0, 0.05, 0.02, 5.3, 5)], [5, 0]),  # B hadron inside jet A
        ([(20.0, 0.05, 0.02, 5.3, 5), (10.0, 1.0, 2.05, 1.9, 4)], [5, 4]),  # B in A, C in B
        ([(20.0, 0.05, 0.02, 1.9, 4), (8.0, 0.0, 0.1, 5.3, 5)], [5, 0]),  # B beats C in the same jet
        ([(10.0, 1.0, 2.05, 1.9, 4)], [0, 4]),  # C only
        ([], [0, 0]),  # none
        ([(20.0, -2.0, -2.0, 5.3, 5)], [0, 0]),  # far from every jet
    ],
)
def test_ghost_flavour(make_particles, make_ghosts, ghost_list, flavours):
    jets = _cluster(make_particles, make_ghosts, ghost_list)
    assert jets.flavour.tolist() == [flavours]


def test_ghosts_change_neither_kinematics_nor_multiplicity(make_particles, make_ghosts):
    ghost_list = [(20.0, 0.05, 0.02, 5.3, 5), (10.0, 1.0, 2.05, 1.9, 4), (20.0, -2.0, -2.0, 5.3, 5)]
    with_ghosts = _cluster(make_particles, make_ghosts, ghost_list)
    without = _cluster(make_particles, make_ghosts, [])
    assert ak.num(with_ghosts).tolist() == ak.num(without).tolist() == [2]
    for name in ("px", "py", "pz", "E"):
        assert ak.flatten(with_ghosts[name]).tolist() == pytest.approx(ak.flatten(without[name]).tolist(), rel=1e-12)
    assert with_ghosts.constituent_index.tolist() == without.constituent_index.tolist()


def test_jet_content(make_particles, make_ghosts):
    jets = _cluster(make_particles, make_ghosts, [])
    assert jets.pt[0].tolist() == pytest.approx([80.0, 50.0], rel=0.01)
    assert jets.n_charged.tolist() == [[2, 1]]
    assert jets.n_neutral.tolist() == [[1, 1]]
    assert sorted(jets.constituent_index[0, 0].tolist()) == [2, 3, 4]
    spray_a_energy = [np.hypot(pt * np.cosh(eta), m) for pt, eta, _, m, _ in SPRAY_A]
    charged = (spray_a_energy[0] + spray_a_energy[2]) / sum(spray_a_energy)
    assert jets.charged_energy_fraction[0, 0] == pytest.approx(charged, rel=1e-6)
    assert jets.neutral_energy_fraction[0, 0] == pytest.approx(1 - charged, rel=1e-6)


def test_pt_min_and_empty_events(make_particles, make_ghosts):
    particles = make_particles([SPRAY_A + SPRAY_B, [], [(5.0, 0.0, 0.0, 0.0, 0)]])
    jets = cluster_jets(particles, make_ghosts([[], [(5.0, 0.0, 0.0, 5.3, 5)], []]), 0.5, 60.0)
    assert ak.num(jets).tolist() == [1, 0, 0]


@pytest.fixture(scope="module")
def pythia_inputs(pythia_batch):
    pythia, batch = pythia_batch
    particles = visible_final_state(batch.prt, pid_charge_table(pythia.particleData))
    return particles, weakly_decaying_heavy_hadrons(batch.prt)


@pytest.mark.parametrize("radius", [0.5, 0.8])
def test_pythia_jets_sorted_and_consistent_with_constituents(pythia_inputs, radius):
    particles, hadrons = pythia_inputs
    jets = cluster_jets(particles, hadrons, radius, 20.0)
    assert ak.all(jets.pt[:, 1:] <= jets.pt[:, :-1])
    constituents = take_per_jet(particles, jets.constituent_index)
    for name in ("px", "py", "pz", "E"):
        np.testing.assert_allclose(
            ak.to_numpy(ak.flatten(ak.sum(constituents[name], axis=2))), ak.to_numpy(ak.flatten(jets[name])), rtol=1e-9
        )
    assert ak.all(jets.n_charged + jets.n_neutral == ak.num(jets.constituent_index, axis=2))
    # A b b̄ sample at p̂T > 250 GeV: the two leading jets are mostly b jets.
    assert ak.mean(jets.flavour[:, :2] == 5) > 0.6


def test_pythia_ghosts_leave_jets_unchanged(pythia_inputs):
    particles, hadrons = pythia_inputs
    with_ghosts = cluster_jets(particles, hadrons, 0.5, 20.0)
    without = cluster_jets(particles, hadrons[hadrons.flavour < 0], 0.5, 20.0)
    assert ak.num(with_ghosts).tolist() == ak.num(without).tolist()
    np.testing.assert_allclose(ak.to_numpy(ak.flatten(with_ghosts.E)), ak.to_numpy(ak.flatten(without.E)), rtol=1e-12)
    assert ak.all(without.flavour == 0)


def test_sort_by_pt_moves_nested_fields(make_particles, make_ghosts):
    jets = _cluster(make_particles, make_ghosts, [])
    reversed_jets = jets[:, ::-1]
    resorted = sort_by_pt(reversed_jets)
    assert resorted.pt.tolist() == jets.pt.tolist()
    assert resorted.constituent_index.tolist() == jets.constituent_index.tolist()


@pytest.mark.parametrize(("radius", "pt_min_gev", "message"), [(0.0, 20.0, "radius"), (0.5, 0.0, "pt_min_gev")])
def test_bad_parameters(make_particles, make_ghosts, radius, pt_min_gev, message):
    with pytest.raises(ValueError, match=message):
        _cluster(make_particles, make_ghosts, [], radius=radius, pt_min_gev=pt_min_gev)


def test_missing_charge_field(make_particles, make_ghosts):
    particles = make_particles([SPRAY_A])
    with pytest.raises(ValueError, match="particles lack fields.*charge"):
        cluster_jets(particles[["px", "py", "pz", "E"]], make_ghosts([[]]), 0.5, 20.0)
