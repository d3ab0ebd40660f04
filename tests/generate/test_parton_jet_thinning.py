"""Early thinning of QCD events without four parton jets: the criterion, the weights that keep the sample exact,
the parton-jet count, and a thinned shard against an un-thinned one."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from multihiggs.generate.parton_jet_thinning import thinning_weight, unthinned_cross_section_pb
from multihiggs.generate.shard import simulate_shard
from multihiggs.generate.shower import parton_jet_pts
from multihiggs.io.delphes import read_delphes, read_metadata
from multihiggs.samples import PartonJetThinning


@pytest.mark.parametrize(
    ("options", "key"),
    [({"keep_probability": 0.0}, "keep_probability"), ({"keep_probability": 1.5}, "keep_probability"),
     ({"requirements": ((0, 30.0),)}, "requirements"), ({"requirements": ()}, "requirements"),
     ({"requirements": ((4, -1.0),)}, "requirements"), ({"jet_radius": -0.4}, "jet_radius"),
     ({"veto_scale_gev": 0.0}, "veto_scale_gev")],
)  # fmt: skip
def test_criterion_is_checked_naming_the_key(options, key):
    with pytest.raises(ValueError, match=f"samples.qcd.parton_jet_thinning.{key}"):
        PartonJetThinning(**options)


def test_criterion_from_config_fills_defaults_and_rejects_unknown_keys():
    thinning = PartonJetThinning.from_config({"keep_probability": 0.2, "requirements": [[4, 35], [6, 20.0]]})
    assert thinning == PartonJetThinning(keep_probability=0.2)
    assert thinning.requirements == ((4, 35.0), (6, 20.0))
    assert PartonJetThinning.from_config(thinning.to_config()) == thinning
    assert thinning.to_config()["requirements"] == [[4, 35.0], [6, 20.0]]  # JSON types
    with pytest.raises(ValueError, match="unknown keys"):
        PartonJetThinning.from_config({"keep_fraction": 0.1})
    with pytest.raises(ValueError, match="requirements must be a list of"):
        PartonJetThinning.from_config({"requirements": [4, 35.0]})


def test_candidates_meet_any_requirement():
    thinning = PartonJetThinning(requirements=((4, 35.0), (6, 20.0)))
    assert thinning.is_candidate(np.array([100, 80, 50, 36]))
    assert not thinning.is_candidate(np.array([100, 80, 50, 34, 30, 19]))
    assert thinning.is_candidate(np.array([100, 80, 30, 30, 25, 21]))
    assert not thinning.is_candidate(np.array([]))
    assert (thinning.lowest_pt_gev, thinning.max_jets) == (20.0, 6)


def test_thinning_weight_is_one_on_average_for_every_event():
    thinning = PartonJetThinning(keep_probability=0.2)
    uniforms = (np.arange(10_000) + 0.5) / 10_000
    for candidate in (True, False):
        weights = np.array([thinning_weight(candidate, u, thinning) for u in uniforms])
        assert weights.mean() == pytest.approx(1.0)
        assert set(np.unique(weights)) == ({1.0} if candidate else {0.0, 5.0})


def test_unthinned_cross_section_puts_the_vetoed_events_back_by_count():
    assert unthinned_cross_section_pb(10.0, 0.5, 400, 300) == pytest.approx((40.0, 2.0))
    assert unthinned_cross_section_pb(10.0, 0.5, 400, 0) == pytest.approx((10.0, 0.5))
    with pytest.raises(ValueError, match="kept no events"):
        unthinned_cross_section_pb(10.0, 0.5, 400, 400)


def _parton(pt: float, eta: float, phi: float) -> list[float]:
    return [pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta), pt * np.cosh(eta)]


def test_parton_jet_pts_cluster_and_apply_the_acceptance():
    thinning = PartonJetThinning(requirements=((4, 35.0),), jet_abs_eta_max=2.7, jet_radius=0.5)
    four = [_parton(100, 0, 0), _parton(90, 0, np.pi), _parton(60, 1, 1.5), _parton(50, -1, -1.5)]
    assert parton_jet_pts(np.array(four), thinning) == pytest.approx([100, 90, 60, 50])
    # two 20 GeV partons 0.2 apart make one 40 GeV jet; apart, neither passes 35 GeV
    merged = parton_jet_pts(np.array([*four[:3], _parton(20, -1, -1.5), _parton(20, -1, -1.3)]), thinning)
    assert len(merged) == 4 and merged[-1] == pytest.approx(39.9, abs=0.1)
    assert len(parton_jet_pts(np.array([*four[:3], _parton(20, -1, -1.5), _parton(20, 1, 0.0)]), thinning)) == 3
    assert len(parton_jet_pts(np.array([*four[:3], _parton(50, 3.0, 0.5)]), thinning)) == 3  # forward
    assert len(parton_jet_pts(np.empty((0, 4)), thinning)) == 0


@pytest.fixture(scope="module")
def thinned_and_plain(tmp_path_factory, qcd_spec):
    directory = tmp_path_factory.mktemp("thinning")
    thinning = PartonJetThinning(keep_probability=0.1).to_config()
    paths = {}
    common = {"n_events": 400, "events_per_shard": 400, "batch_size": 200}
    specs = {"thinned": qcd_spec(seed=11, parton_jet_thinning=thinning, **common), "plain": qcd_spec(seed=12, **common)}
    for label, spec in specs.items():
        paths[label] = directory / f"{label}.root"
        simulate_shard(spec, 0, paths[label])
    return paths


def test_thinned_shard_carries_its_weights_and_counts(thinned_and_plain):
    metadata = read_metadata(thinned_and_plain["thinned"])
    assert metadata["parton_jet_thinning"]["keep_probability"] == 0.1
    assert metadata["thinning_seen"] == metadata["thinning_vetoed"] + metadata["n_events"]
    assert (
        metadata["thinning_reweighted"]
        == metadata["thinning_seen"] - metadata["thinning_candidates"] - (metadata["thinning_vetoed"])
    )
    assert metadata["thinning_vetoed"] > metadata["n_events"]  # most events have fewer than four parton jets
    weights = ak.to_numpy(read_delphes(thinned_and_plain["thinned"], ["Event.Weight"])["Event.Weight"]).ravel()
    assert weights.sum() == pytest.approx(metadata["cross_section_pb"], rel=1e-5)
    plain = read_metadata(thinned_and_plain["plain"])
    assert plain["thinning_seen"] is None and plain["parton_jet_thinning"] is None


def _four_jet_fraction(path) -> float:
    """Share of the events with ≥ 4 jets above 40 GeV (counted, not weighted)."""
    jet_pt = read_delphes(path, ["Jet.PT"])["Jet.PT"]
    return float(np.mean(ak.to_numpy(ak.sum(jet_pt > 40.0, axis=1)) >= 4))


def test_thinning_keeps_the_cross_section_and_enriches_four_jet_events(thinned_and_plain):
    thinned, plain = (read_metadata(thinned_and_plain[key]) for key in ("thinned", "plain"))
    error = np.hypot(thinned["cross_section_error_pb"], plain["cross_section_error_pb"])
    assert abs(thinned["cross_section_pb"] - plain["cross_section_pb"]) < 4 * error
    assert thinned["cross_section_error_pb"] < 0.3 * thinned["cross_section_pb"]
    assert _four_jet_fraction(thinned_and_plain["thinned"]) > 2 * _four_jet_fraction(thinned_and_plain["plain"])
