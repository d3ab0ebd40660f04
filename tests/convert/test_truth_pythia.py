"""Truth finding on a full Pythia 8 record (parton shower, ~200 particles per event) against a plain-Python oracle."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest
import vector
from numpy.testing import assert_allclose

from multihiggs.convert.truth import find_truth_higgs

pythia8mc = pytest.importorskip("pythia8mc")
vector.register_awkward()  # Pythia's momenta are Momentum4D records

SETTINGS = [
    "Print:quiet = on",
    "Random:setSeed = on",
    "Random:seed = 11",
    "Beams:eCM = 13000.",
    "HiggsSM:gg2H = on",
    "HiggsSM:ffbar2HZ = on",  # Z -> b b~ as well: b quarks that are not Higgs daughters
    "25:onMode = off",
    "25:onIfMatch = 5 -5",
    "23:onMode = off",
    "23:onIfAny = 5",
    "PartonLevel:MPI = off",
    "HadronLevel:all = off",
]


def _oracle(pid, mother1, mother2):
    """Per event, by plain loops: {last-copy Higgs: [its last-copy b quarks]} (Delphes indices)."""
    n = len(pid)
    children = [[] for _ in range(n)]
    for j in range(n):
        for mother in {mother1[j], mother2[j]}:
            if 0 <= mother < n:
                children[mother].append(j)

    def is_last(i):
        return all(pid[j] != pid[i] for j in children[i])

    def first_copy(i):
        while 0 <= mother1[i] < n and pid[mother1[i]] == pid[i]:
            i = mother1[i]
        return i

    higgs = {first_copy(i): i for i in range(n) if pid[i] == 25 and is_last(i)}
    daughters = {h: [] for h in higgs.values()}
    for i in range(n):
        if abs(pid[i]) == 5 and is_last(i):
            mother = mother1[first_copy(i)]
            if 0 <= mother < n and pid[mother] == 25:
                daughters[higgs[first_copy(mother)]].append(i)
    return daughters


@pytest.mark.slow
def test_full_pythia_record_matches_a_plain_python_oracle():
    pythia = pythia8mc.Pythia("", False)
    for line in SETTINGS:
        assert pythia.readString(line)
    assert pythia.init()
    events = pythia.nextBatch(40, errorMode="skip")
    full = events.prt[:, 1:]  # Delphes drops Pythia's system entry: indices shift by one, 0 ("none") -> -1

    def delphes_index(values):
        return ak.where(values > 0, values - 1, -1)

    links = [delphes_index(full[name]) for name in ("mother1", "mother2", "daughter1", "daughter2")]
    pt, eta, phi = full.p.pt, ak.where(full.p.pt > 0, full.p.eta, 999.9), full.p.phi
    truth = find_truth_higgs(full.id, *links, pt, eta, phi, full.m, n_higgs=2)

    assert ak.mean(ak.num(full.id)) > 100  # a full record, not a pruned one
    pid_all, mother1_all, mother2_all = (ak.to_list(x) for x in (full.id, links[0], links[1]))
    pt_all, eta_all = ak.to_list(pt), ak.to_list(eta)
    for event in range(len(full)):
        expected = _oracle(pid_all[event], mother1_all[event], mother2_all[event])
        assert len(expected) == 1  # one Higgs per event in these processes
        ((higgs, quarks),) = expected.items()
        assert len(quarks) == 2
        quarks = sorted(quarks, key=lambda i: -pt_all[event][i])
        assert_allclose(truth.pt[event, 0], pt_all[event][higgs], rtol=1e-6)
        assert_allclose(truth.b_pt[event, 0], [pt_all[event][i] for i in quarks], rtol=1e-6)
        assert_allclose(truth.b_eta[event, 0], [eta_all[event][i] for i in quarks], rtol=1e-6)
        assert np.isnan(truth.pt[event, 1])
