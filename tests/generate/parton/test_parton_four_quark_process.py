"""pp -> b b-bar b b-bar / b b-bar c c-bar at LO: the weighted sampler, its initial states and the unweighting."""

import numpy as np
import pytest

from multihiggs.generate.parton.four_quark_process import (
    FINAL_STATES,
    FourQuarkProcess,
    cap_for_events,
    partially_unweight,
    symmetry_factor,
)
from multihiggs.generate.parton.multijet_phase_space import FlatChannel, PartonCuts, delta_r_min, transverse_momentum

CUTS = PartonCuts(pt_min_gev=25.0, abs_rapidity_max=2.7, delta_r_min=0.4)


@pytest.fixture(scope="module")
def pdfs(gluon_pdf):
    from multihiggs.generate.parton.parton_luminosity import build_parton_pdf_from_pythia

    return {21: gluon_pdf} | {pid: build_parton_pdf_from_pythia(pid) for pid in (1, 2, 3, 4, -1, -2, -3, -4)}


@pytest.fixture(scope="module")
def two_b_two_c(pdfs):
    return FourQuarkProcess(FINAL_STATES["bbcc"], CUTS, 13000.0, pdfs=pdfs)


def test_symmetry_factors():
    assert symmetry_factor(FINAL_STATES["bbbb"]) == 0.25
    assert symmetry_factor(FINAL_STATES["bbcc"]) == 1.0


def test_events_inside_cuts_and_reproducible(two_b_two_c):
    first = two_b_two_c.generate(600, np.random.default_rng(3))
    again = two_b_two_c.generate(600, np.random.default_rng(3))
    assert np.array_equal(first.weights_pb, again.weights_pb)
    assert np.array_equal(first.incoming_pids, again.incoming_pids)
    kept = first.weights_pb > 0
    final = first.momenta[kept, 2:]
    assert np.all(transverse_momentum(final) >= CUTS.pt_min_gev - 1e-9)
    assert np.all(delta_r_min(final) >= CUTS.delta_r_min - 1e-9)
    beams = first.momenta[kept, :2].sum(axis=1)
    assert np.allclose(beams, final.sum(axis=1), atol=1e-6)
    # gluon fusion dominates at the LHC; every initial state is a gluon pair or a light quark-antiquark pair
    pids = first.incoming_pids[kept]
    assert np.mean(pids[:, 0] == 21) > 0.8
    assert np.all(pids[:, 0] + pids[:, 1] == np.where(pids[:, 0] == 21, 42, 0))


def test_multichannel_and_flat_sampling_agree(two_b_two_c):
    """Two different importance samplings of one integral give the same cross section within their errors."""
    n = 6000
    multichannel = two_b_two_c.generate(n, np.random.default_rng(8)).weights_pb
    flat = FourQuarkProcess(FINAL_STATES["bbcc"], CUTS, 13000.0, pdfs=two_b_two_c.pdfs)
    flat.channels, flat.alphas = (FlatChannel(4, 2.0),), np.ones(1)
    flat_weights = flat.generate(n, np.random.default_rng(9)).weights_pb
    error = np.hypot(multichannel.std(), flat_weights.std()) / np.sqrt(n)
    assert abs(multichannel.mean() - flat_weights.mean()) < 4 * error
    assert error < 0.15 * multichannel.mean()


def test_partial_unweighting_is_unbiased():
    rng = np.random.default_rng(1)
    from multihiggs.generate.parton.four_quark_process import WeightedEvents

    n = 200_000
    weights = rng.lognormal(0.0, 2.0, n)
    events = WeightedEvents(np.zeros((n, 6, 4)), np.zeros((n, 2), int), weights, np.ones(n))
    cap = cap_for_events(weights, 20_000)
    thinned = partially_unweight(events, cap, rng)
    assert abs(len(thinned) - 20_000) < 5 * np.sqrt(20_000)
    assert abs(thinned.weights_pb.sum() / weights.sum() - 1) < 0.03
    assert np.all(thinned.weights_pb >= cap)
    with pytest.raises(ValueError, match="cap"):
        partially_unweight(events, 0.0, rng)


def test_biased_unweighting_is_unbiased_and_favours():
    from multihiggs.generate.parton.four_quark_process import WeightedEvents

    rng = np.random.default_rng(2)
    n = 200_000
    weights = rng.lognormal(0.0, 1.0, n)
    bias = np.where(rng.random(n) < 0.2, 10.0, 1.0)  # a favoured fifth, marked in the scale field
    events = WeightedEvents(np.zeros((n, 6, 4)), np.zeros((n, 2), int), weights, bias)
    thinned = partially_unweight(events, cap_for_events(weights * bias, 20_000), rng, bias=bias)
    assert abs(thinned.weights_pb.sum() / weights.sum() - 1) < 0.03
    favoured = thinned.scale_gev == 10.0
    assert favoured.mean() > 0.6  # 20 % of the events, most of the kept ones
    share = thinned.weights_pb[favoured].sum() / thinned.weights_pb.sum()
    assert abs(share - weights[bias == 10.0].sum() / weights.sum()) < 0.02  # their cross section unchanged
    with pytest.raises(ValueError, match="bias"):
        partially_unweight(events, 1.0, rng, bias=np.zeros(n))


def test_rejects_non_quark_final_states(pdfs):
    with pytest.raises(ValueError, match="quarks"):
        FourQuarkProcess((5, -5, 5, 5), CUTS, 13000.0, pdfs=pdfs)


def test_pythia_showers_the_events_and_keeps_one_region(pdfs, tmp_path):
    """Weighted Les Houches events through Pythia with the region veto: weights carried, only four_b kept."""
    import awkward as ak

    from multihiggs.generate.parton.lhe import write_lhe_records
    from multihiggs.generate.shower import (
        HeavyFlavourRegionVeto,
        ShowerSettings,
        bias_weights,
        common_settings,
        lhe_input_settings,
        make_pythia,
        run_batches,
    )

    rng = np.random.default_rng(5)
    process = FourQuarkProcess(FINAL_STATES["bbbb"], CUTS, 13000.0, pdfs=pdfs)
    events = process.generate(1500, rng)
    kept = partially_unweight(events, cap_for_events(events.weights_pb, 60), rng)
    records = process.lhe_records(kept, rng)
    assert np.all(records.colours[records.pids == 21] > 0)
    path = tmp_path / "bbbb.lhe"
    write_lhe_records(path, records, 6500.0, events.weights_pb.mean(), 0.0, weighted=True)
    settings = common_settings(ShowerSettings(multiparton_interactions=False, hadronisation=False), 11)
    hooks = HeavyFlavourRegionVeto(keep=frozenset({"four_b"}))
    pythia = make_pythia(settings + lhe_input_settings(path), hooks)
    batches = list(run_batches(pythia, len(kept), 50, until_end_of_input=True))
    weights = np.concatenate([ak.to_numpy(bias_weights(b.info)) for b in batches])
    regions = np.concatenate([hooks.regions_of(ak.to_numpy(b.info.x1), ak.to_numpy(b.info.x2)) for b in batches])
    assert hooks.n_seen == len(kept)
    assert len(weights) == len(regions) == hooks.n_seen - hooks.n_vetoed > 0
    assert set(regions) == {"four_b"}
    assert set(np.round(weights, 6)) <= set(np.round(kept.weights_pb, 6))
