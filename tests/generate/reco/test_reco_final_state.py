import awkward as ak
import numpy as np
import pytest

from multihiggs.generate.reco.final_state import (
    heavy_hadron_flavour,
    visible_final_state,
    weakly_decaying_heavy_hadrons,
)


@pytest.mark.parametrize(
    ("pid", "flavour"),
    [
        (511, 5),  # B0
        (-521, 5),  # B-
        (531, 5),  # Bs
        (5122, 5),  # Lambda_b
        (541, 5),  # B_c: b and c, counts as B
        (10521, 5),  # excited B (n_L digit)
        (411, 4),  # D+
        (-421, 4),  # anti-D0
        (4122, 4),  # Lambda_c
        (443, 0),  # J/psi: hidden charm
        (553, 0),  # Upsilon: hidden bottom
        (100553, 0),  # Upsilon(2S)
        (5, 0),  # b quark
        (5101, 0),  # bd diquark
        (211, 0),
        (2212, 0),
        (9900441, 0),  # Pythia colour-octet charmonium state
        (1000022, 0),  # neutralino
    ],
)
def test_heavy_hadron_flavour(pid, flavour):
    assert heavy_hadron_flavour(np.array([pid])).tolist() == [flavour]


def _record(make_pythia_record):
    """B*0 -> B0 gamma; B0 -> (mixing) anti-B0 -> D- pi+; D- -> K+ pi- pi- (all at η = 1, φ = 0)."""
    common = {"pt": 50.0, "eta": 1.0, "phi": 0.0}
    event = [
        {"id": 90, "status": -11, "daughter1": 0, "daughter2": 0, **common},
        {"id": 513, "status": -84, "daughter1": 2, "daughter2": 3, **common},
        {"id": 511, "status": -92, "daughter1": 4, "daughter2": 4, **common},
        {"id": 22, "status": 91, "daughter1": 0, "daughter2": 0, **common},
        {"id": -511, "status": -91, "daughter1": 5, "daughter2": 6, **common},
        {"id": -411, "status": -91, "daughter1": 7, "daughter2": 9, **common},
        {"id": 211, "status": 91, "daughter1": 0, "daughter2": 0, **common},
        {"id": 321, "status": 91, "daughter1": 0, "daughter2": 0, **common},
        {"id": -211, "status": 91, "daughter1": 0, "daughter2": 0, **common},
        {"id": -211, "status": 91, "daughter1": 0, "daughter2": 0, **common},
    ]
    return make_pythia_record([event, [], event[:1]])


def test_only_last_hadron_of_each_flavour_is_kept(make_pythia_record):
    hadrons = weakly_decaying_heavy_hadrons(_record(make_pythia_record))
    assert ak.num(hadrons).tolist() == [2, 0, 0]
    assert hadrons.flavour[0].tolist() == [5, 4]
    assert hadrons[0].pt.tolist() == pytest.approx([50.0, 50.0])


def test_corrupt_daughter_index_is_rejected(make_pythia_record):
    event = [{"id": 511, "status": -91, "daughter1": 5, "daughter2": 6, "pt": 5.0, "eta": 0.0, "phi": 0.0}]
    with pytest.raises(ValueError, match="daughter index"):
        weakly_decaying_heavy_hadrons(make_pythia_record([event]))


def test_visible_final_state(make_pythia_record, small_charge_table):
    def particle(pid, status, eta):
        return {"id": pid, "status": status, "daughter1": 0, "daughter2": 0, "pt": 10.0, "eta": eta, "phi": 0.5}

    event = [
        particle(211, 91, 0.0),  # kept
        particle(22, 62, 4.9),  # kept
        particle(-211, -91, 0.0),  # not final
        particle(12, 91, 0.0),  # neutrino
        particle(-16, 91, 0.0),  # neutrino
        particle(11, 91, 5.5),  # outside |η| < 5
        particle(-11, 91, -1.0),  # kept
    ]
    visible = visible_final_state(make_pythia_record([event, []]), small_charge_table)
    assert ak.num(visible).tolist() == [3, 0]
    assert visible.charge[0].tolist() == [1.0, 0.0, 1.0]
    assert visible[0].eta.tolist() == pytest.approx([0.0, 4.9, -1.0])


def test_missing_fields_are_named(make_pythia_record, small_charge_table):
    record = make_pythia_record([[]])
    with pytest.raises(ValueError, match="lack fields.*status"):
        visible_final_state(record[["id", "daughter1", "daughter2", "p"]], small_charge_table)
