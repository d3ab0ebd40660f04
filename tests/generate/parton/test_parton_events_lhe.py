"""PartonEvents validation and the LHE writer, read back by Pythia 8."""

import numpy as np
import pytest

from multihiggs.generate.parton import PartonEvents, generate_hh_events, write_lhe


def _events(n=3, k=2):
    return PartonEvents(
        incoming=np.zeros((n, 2, 4)),
        scalars=np.zeros((n, k, 4)),
        scale_gev=np.ones(n),
        higgs_mass_gev=125.0,
        cross_section_pb=0.03,
        cross_section_error_pb=0.001,
    )


def test_weights_are_cross_section_over_n():
    np.testing.assert_allclose(_events(3).weights_pb, 0.01)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"incoming": np.zeros((3, 3, 4))}, "incoming"),
        ({"scalars": np.zeros((3, 4, 4))}, "k = 2 or 3"),
        ({"scale_gev": np.ones(2)}, "scale_gev"),
        ({"cross_section_pb": -1.0}, "non-negative"),
    ],
)
def test_events_reject_inconsistent_arrays(changes, message):
    fields = {
        "incoming": np.zeros((3, 2, 4)),
        "scalars": np.zeros((3, 2, 4)),
        "scale_gev": np.ones(3),
        "higgs_mass_gev": 125.0,
        "cross_section_pb": 0.03,
        "cross_section_error_pb": 0.0,
    }
    with pytest.raises(ValueError, match=message):
        PartonEvents(**(fields | changes))


def test_pythia_reads_the_lhe_file(coarse_table, gluon_pdf, tmp_path):
    import pythia8mc

    events = generate_hh_events(coarse_table, 1.0, 1.0, 5, 13000.0, gluon_pdf, np.random.default_rng(21))
    path = tmp_path / "hh.lhe"
    write_lhe(path, events, beam_energy_gev=6500.0)
    pythia = pythia8mc.Pythia("", False)
    for setting in [
        "Beams:frameType = 4",
        f"Beams:LHEF = {path}",
        "PartonLevel:all = off",
        "HadronLevel:all = off",
        "25:mayDecay = off",
        "Next:numberCount = 0",
        "Init:showChangedSettings = off",
        "Init:showChangedParticleData = off",
        "Init:showProcesses = off",
        "Print:quiet = on",
    ]:
        assert pythia.readString(setting)
    assert pythia.init()
    for expected in events.scalars:
        assert pythia.next()
        higgs = [p for p in pythia.process if p.id() == 25 and p.isFinal()]
        read_back = np.array([[p.px(), p.py(), p.pz(), p.e()] for p in higgs])
        np.testing.assert_allclose(read_back, expected, rtol=1e-8, atol=1e-6)
        assert higgs[0].m() == pytest.approx(125.0)
    assert not pythia.next()  # end of file after five events
    assert pythia.infoPython().sigmaGen() * 1e9 == pytest.approx(events.cross_section_pb, rel=1e-6)  # mb -> pb


def test_writer_rejects_an_inconsistent_beam_energy(tmp_path):
    events = _events()
    events.incoming[0, 0, 3] = 7000.0
    with pytest.raises(ValueError, match="beam energy"):
        write_lhe(tmp_path / "bad.lhe", events, beam_energy_gev=6500.0)
