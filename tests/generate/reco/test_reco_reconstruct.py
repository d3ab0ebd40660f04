import awkward as ak
import numpy as np
import pytest

from multihiggs.generate.reco.charge import pid_charge_table
from multihiggs.generate.reco.detector import DetectorParameters
from multihiggs.generate.reco.reconstruct import FAT_JET_EXTRA_FIELDS, JET_FIELDS, reconstruct_events

INT_FIELDS = {"BTag", "Flavor", "NCharged", "NNeutrals"}


@pytest.fixture(scope="module")
def reconstructed(pythia_batch):
    pythia, batch = pythia_batch
    table = pid_charge_table(pythia.particleData)
    return batch, table, reconstruct_events(batch.prt, table, DetectorParameters(), np.random.default_rng(99))


def test_fields_and_dtypes(reconstructed):
    batch, _, output = reconstructed
    assert set(output) == {"Jet", "FatJet"}
    assert tuple(ak.fields(output["Jet"])) == JET_FIELDS
    assert tuple(ak.fields(output["FatJet"])) == JET_FIELDS + FAT_JET_EXTRA_FIELDS
    for collection in output.values():
        assert len(collection) == len(batch)
        for name in ak.fields(collection):
            expected = np.int32 if name in INT_FIELDS else np.float32
            assert ak.to_numpy(ak.flatten(collection[name])).dtype == expected, name


@pytest.mark.parametrize(("name", "pt_min_gev"), [("Jet", 20.0), ("FatJet", 200.0)])
def test_kinematic_sanity(reconstructed, name, pt_min_gev):
    jets = reconstructed[2][name]
    assert ak.all(jets.PT[:, 1:] <= jets.PT[:, :-1])
    assert ak.all(jets.PT > pt_min_gev) and ak.all(abs(jets.Eta) < 2.5)
    assert ak.all(abs(jets.Phi) <= np.pi) and ak.all(jets.Mass >= 0)
    assert ak.all(jets.NCharged + jets.NNeutrals >= 1)
    fractions = jets.ChargedEnergyFraction + jets.NeutralEnergyFraction
    assert ak.all((jets.ChargedEnergyFraction >= 0) & (abs(fractions - 1) < 1e-4))
    assert set(ak.flatten(jets.Flavor).tolist()) <= {0, 4, 5}
    assert set(ak.flatten(jets.BTag).tolist()) <= {0, 1, 2, 3}
    # p̂T > 250 GeV b b̄ events: about two hard jets each, mostly b flavoured, the b-tags fire.
    assert ak.mean(ak.num(jets)) >= 1.5
    assert ak.mean(jets.Flavor[:, :2] == 5) > 0.6
    assert ak.any(jets.BTag > 0)


def test_fat_jet_substructure_sanity(reconstructed):
    fat_jets = reconstructed[2]["FatJet"]
    taus = np.stack([ak.to_numpy(ak.flatten(fat_jets[f"Tau{n}"])) for n in range(1, 6)])
    assert np.all(taus >= 0) and np.all(np.diff(taus, axis=0) <= 1e-6)
    assert np.all(taus[0] > 0)
    soft_drop, mass = ak.flatten(fat_jets.SoftDroppedMass), ak.flatten(fat_jets.Mass)
    assert ak.all((soft_drop >= 0) & (soft_drop <= mass * (1 + 1e-5)))


def test_same_seed_same_output_other_seed_other_smearing(reconstructed):
    batch, table, output = reconstructed
    again = reconstruct_events(batch.prt, table, DetectorParameters(), np.random.default_rng(99))
    other = reconstruct_events(batch.prt, table, DetectorParameters(), np.random.default_rng(100))
    for name, collection in output.items():
        assert ak.to_list(again[name]) == ak.to_list(collection)
    assert ak.to_list(other["Jet"].PT) != ak.to_list(output["Jet"].PT)


def test_rng_must_be_a_generator(reconstructed):
    batch, table, _ = reconstructed
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        reconstruct_events(batch.prt, table, DetectorParameters(), 42)
