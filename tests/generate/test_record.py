"""Pruning of the Pythia record to the particles the truth matching needs."""

from __future__ import annotations

import awkward as ak
import vector

from multihiggs.generate.record import higgs_decay_products_mask, prune_generator_record

vector.register_awkward()


def _records(rows):
    """One event of Pythia particles from (id, status, mother1, mother2, daughter1, daughter2) rows."""
    return ak.Array(
        [
            [
                {
                    "id": pid,
                    "status": status,
                    "mother1": m1,
                    "mother2": m2,
                    "daughter1": d1,
                    "daughter2": d2,
                    "p": {"px": 10.0 + i, "py": 0.0, "pz": 5.0, "e": 200.0},
                    "m": 1.0,
                }
                for i, (pid, status, m1, m2, d1, d2) in enumerate(rows)
            ]
        ],
        with_name=None,
    )


def _with_vectors(event):
    momenta = ak.zip(dict(zip(["px", "py", "pz", "e"], ak.unzip(event.p), strict=True)), with_name="Momentum4D")
    return ak.with_field(event, momenta, "p")


def _event():
    # index: id, status, mother1, mother2, daughter1, daughter2
    rows = [
        (90, -11, 0, 0, 0, 0),  # 0 system
        (2212, -12, 0, 0, 0, 0),  # 1 beam
        (21, -21, 1, 0, 3, 4),  # 2 incoming gluon
        (25, -22, 2, 0, 4, 5),  # 3 Higgs (hard)
        (25, -62, 3, 3, 5, 6),  # 4 Higgs (last copy)
        (5, -23, 4, 0, 7, 7),  # 5 b from the Higgs
        (-5, -23, 4, 0, 0, 0),  # 6 anti-b from the Higgs
        (5, -51, 5, 0, 0, 0),  # 7 shower copy of the b
        (5, -51, 2, 0, 0, 0),  # 8 b from a gluon splitting: not from the Higgs
        (211, 1, 7, 0, 0, 0),  # 9 a pion
    ]
    return _records(rows)


def test_b_quarks_from_higgs_follow_copies():
    event = _event()
    mask = higgs_decay_products_mask(event.id, event.mother1)
    assert ak.to_list(mask[0]) == [False] * 5 + [True, True, True, False, False]


def test_a_recombined_b_whose_first_mother_is_a_gluon_stays_a_higgs_daughter():
    rows = [
        (90, -11, 0, 0, 0, 0),  # 0 system
        (25, -62, 0, 0, 2, 3),  # 1 Higgs
        (5, -23, 1, 0, 5, 5),  # 2 b from the Higgs
        (-5, -23, 1, 0, 0, 0),  # 3 anti-b from the Higgs
        (21, -51, 0, 0, 5, 5),  # 4 a nearby gluon
        (5, -73, 4, 2, 0, 0),  # 5 recombination g + b -> b (status 73): the b is the second mother
    ]
    event = _records(rows)
    assert ak.to_list(higgs_decay_products_mask(event.id, event.mother1)[0])[5] is False  # first mother only
    mask = higgs_decay_products_mask(event.id, event.mother1, event.mother2)
    assert ak.to_list(mask[0]) == [False, False, True, True, False, True]


def test_pruned_record_keeps_and_remaps():
    particles = prune_generator_record(_with_vectors(_event()))[0]
    assert particles.PID.tolist() == [21, 25, 25, 5, -5, 5]
    # gluon (old 2) -> 0, Higgs 3 -> 1, Higgs 4 -> 2, b 5 -> 3, anti-b 6 -> 4, b copy 7 -> 5
    assert particles.M1.tolist() == [-1, 0, 1, 2, 2, 3]
    assert particles.D1.tolist() == [1, 2, 3, 5, -1, -1]
    assert particles.Status.tolist() == [21, 22, 62, 23, 23, 51]


def test_pruned_qcd_record_keeps_the_hard_scattering_flavours():
    rows = [
        (90, -11, 0, 0, 0, 0),  # 0 system
        (2212, -12, 0, 0, 0, 0),  # 1 beam
        (5, -21, 1, 0, 4, 5),  # 2 incoming b (flavour excitation)
        (21, -21, 1, 0, 4, 5),  # 3 incoming gluon
        (5, -23, 2, 3, 6, 6),  # 4 outgoing b
        (21, -23, 2, 3, 0, 0),  # 5 outgoing gluon
        (5, -51, 4, 0, 0, 0),  # 6 shower copy of the outgoing b: not from a Higgs, dropped
        (211, 1, 6, 0, 0, 0),  # 7 a pion
    ]
    particles = prune_generator_record(_with_vectors(_records(rows)))[0]
    assert particles.PID.tolist() == [5, 21, 5, 21]
    assert particles.Status.tolist() == [21, 21, 23, 23]
    assert particles.M1.tolist() == [-1, -1, 0, 0]
