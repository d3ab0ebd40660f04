"""Flavour-inclusive tag-rate function: binned rates, normalisation to the truth TRF, and the conversion option."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
from numpy.testing import assert_allclose

from multihiggs.convert.__main__ import main
from multihiggs.convert.convert import ConversionConfig, _generator_tag_efficiency
from multihiggs.convert.inclusive_tag_rate import (
    CandidateJets,
    TagRateBinning,
    event_tag_probabilities,
    measure_inclusive_rates,
    measure_normalisation,
)
from multihiggs.convert.selection import SelectionConfig
from multihiggs.convert.synthetic import write_synthetic_sample
from multihiggs.io import spanet_layout as layout
from multihiggs.io.spanet_layout import ATTR_TAG_RATE
from multihiggs.stats.inputs import read_sample_file

BINNING = TagRateBinning(pt_edges_gev=(40.0, 100.0), abs_eta_edges=(0.0, 1.5, 2.5))


def _flavour_efficiency(flavour, pt, eta, working_point):
    """b 0.6, c 0.2, light 0.02 (CSV); everything ×1.2 for UParT."""
    scale = 1.2 if working_point == "UParT" else 1.0
    return scale * np.select([flavour == 5, flavour == 4], [0.6, 0.2], 0.02)


def _jets(flavour, pt, eta, weight):
    flavour, pt, eta = (np.asarray(x, dtype=np.float64) for x in (flavour, pt, eta))
    return CandidateJets(flavour.astype(np.int64), pt, eta, pt > 0, np.asarray(weight, dtype=np.float64))


def test_binning_sends_out_of_range_jets_to_the_nearest_bin():
    pt_bin, eta_bin = BINNING.indices(np.array([20.0, 40.0, 99.9, 100.0, 5000.0]), np.array([0, -1.6, 1.4, 3, -2]))
    assert pt_bin.tolist() == [0, 0, 0, 1, 1]
    assert eta_bin.tolist() == [0, 1, 0, 1, 1]
    assert BINNING.shape == (2, 2)
    for bad in ({"pt_edges_gev": ()}, {"abs_eta_edges": (0.0,)}, {"pt_edges_gev": (60.0, 40.0)}):
        with pytest.raises(ValueError, match="tag-rate binning"):
            TagRateBinning(**bad)


def test_inclusive_rate_is_the_weighted_flavour_mean_per_bin_and_ignores_non_candidates():
    # Bin (pT < 100, |eta| < 1.5): a b jet in an event of weight 1 and a light jet in an event of weight 3.
    # Bin (pT >= 100, |eta| >= 1.5): one charm jet. Padding (pT 0) does not count.
    chunk = _jets([[5, 0], [0, 4]], [[50.0, 0.0], [60.0, 150.0]], [[0.2, 0.0], [-1.0, 2.0]], [1.0, 3.0])
    rates = measure_inclusive_rates([chunk], BINNING, _flavour_efficiency, ["CSV", "UParT"])
    assert_allclose(rates.rates["CSV"], [[(0.6 + 3 * 0.02) / 4, 0.0], [0.0, 0.2]])
    assert_allclose(rates.rates["UParT"], 1.2 * rates.rates["CSV"])
    # Called like a tag efficiency, the flavour does not matter.
    assert_allclose(rates(np.array([5, 0]), np.array([55.0, 55.0]), np.array([0.1, 0.1]), "CSV"), [0.165, 0.165])
    # Chunking does not matter.
    halves = [_jets([[5, 0]], [[50.0, 0.0]], [[0.2, 0.0]], [1.0]), _jets([[0, 4]], [[60.0, 150.0]], [[-1, 2]], [3.0])]
    assert_allclose(measure_inclusive_rates(halves, BINNING, _flavour_efficiency, ["CSV"]).rates["CSV"],
                    rates.rates["CSV"])  # fmt: skip
    with pytest.raises(ValueError, match="no tag-candidate jet"):
        measure_inclusive_rates([_jets([[5]], [[0.0]], [[0.0]], [1.0])], BINNING, _flavour_efficiency, ["CSV"])


def test_normalisation_scales_the_inclusive_total_to_the_truth_total():
    rng = np.random.default_rng(5)
    n_events, n_jets = 400, 6
    flavour = rng.choice([0, 4, 5], p=[0.8, 0.12, 0.08], size=(n_events, n_jets))
    pt = rng.uniform(40.0, 200.0, size=(n_events, n_jets))
    eta = rng.uniform(-2.5, 2.5, size=(n_events, n_jets))
    weight = rng.exponential(size=n_events)
    chunks = [_jets(flavour[:200], pt[:200], eta[:200], weight[:200]), _jets(flavour[200:], pt[200:], eta[200:],
                                                                           weight[200:])]  # fmt: skip
    inclusive = measure_inclusive_rates(chunks, BINNING, _flavour_efficiency, ["CSV"])
    norm = measure_normalisation(chunks, _flavour_efficiency, inclusive, "CSV", 2)
    truth = sum((c.event_weight * event_tag_probabilities(c, _flavour_efficiency, "CSV", 2)).sum() for c in chunks)
    scaled = sum((c.event_weight * event_tag_probabilities(c, inclusive, "CSV", 2)).sum() for c in chunks)
    assert_allclose(norm.factor * scaled, truth)
    assert norm.inclusive_n_eff > norm.truth_n_eff  # smooth weights
    assert_allclose(norm.relative_uncertainty, norm.truth_n_eff**-0.5)
    assert set(norm.as_dict()) == {"factor", "relative_uncertainty", "truth_n_eff", "inclusive_n_eff"}
    with pytest.raises(ValueError, match="no event can pass"):
        measure_normalisation(chunks, _flavour_efficiency, inclusive, "CSV", n_jets + 1)


def test_inclusive_model_needs_tag_rate_weights():
    cuts = SelectionConfig(min_jets=4, four_tag=True)
    with pytest.raises(ValueError, match="needs tag-rate weights"):
        ConversionConfig("qcd", "qcd", 2, 1.0, False, cuts, tag_rate_model="inclusive")
    with pytest.raises(ValueError, match="tag_rate_model"):
        ConversionConfig("qcd", "qcd", 2, 1.0, False, cuts, tag_rate_model="flat")


def _weights_and_tags(directory):
    weights, tags, candidates = [], [], []
    for name in ("train", "val", "test"):
        with h5py.File(directory / f"{name}.h5", "r") as handle:
            weights.append(handle[layout.event_weight_key()][...])
            pt = handle[layout.input_key(layout.JETS, "pt")][...]
            eta = handle[layout.input_key(layout.JETS, "eta")][...]
            candidates.append(handle[layout.mask_key(layout.JETS)][...] & (pt > 40.0) & (np.abs(eta) < 2.5))
            tags.append(handle[layout.input_key(layout.JETS, "btag")][...] == 1)
            attribute = json.loads(handle.attrs[ATTR_TAG_RATE])
    return np.concatenate(weights), np.concatenate(tags), np.concatenate(candidates), attribute


def test_conversion_with_inclusive_rates_keeps_the_truth_total_with_more_effective_events(tmp_path, capsys):
    path = tmp_path / "qcd.root"
    write_synthetic_sample(path, n_events=3000, process="qcd", seed=8)
    common = ["--input", str(path), "--sample", "qcd", "--process", "qcd", "--n-higgs", "2", "--min-jets", "4"]
    common += ["--kl", "1", "--tag-rate-weights", "--n-tags", "3"]
    assert main([*common, "--output-dir", str(tmp_path / "truth")]) == 0
    truth_summary = json.loads(capsys.readouterr().out)
    inclusive_args = [*common, "--tag-rate-model", "inclusive", "--tag-rate-pt-edges", "40", "80", "150"]
    assert main([*inclusive_args, "--output-dir", str(tmp_path / "incl")]) == 0
    summary = json.loads(capsys.readouterr().out)

    truth_weight, _, _, truth_attribute = _weights_and_tags(tmp_path / "truth")
    weight, tags, candidates, attribute = _weights_and_tags(tmp_path / "incl")
    assert truth_attribute is None and truth_summary["tag_rate"] is None
    assert attribute == summary["tag_rate"] and attribute["model"] == "inclusive"
    assert attribute["pt_edges_gev"] == [40.0, 80.0, 150.0] and len(attribute["rates"]["CSV"]) == 3
    assert_allclose(weight.sum(), truth_weight.sum(), rtol=1e-9)  # normalised to the truth-flavour total

    def n_eff(w):
        return w.sum() ** 2 / (w**2).sum()

    assert_allclose(attribute["truth_n_eff"], n_eff(truth_weight), rtol=1e-6)
    assert_allclose(attribute["inclusive_n_eff"], n_eff(weight), rtol=1e-6)
    assert n_eff(weight) > 3 * n_eff(truth_weight)
    # The synthetic sample draws jet flavours independently: then the flavour-averaged rate gives P(>= n) right
    # on average and K is 1 within its uncertainty (in showered QCD, heavy flavour in pairs makes K > 1).
    assert abs(attribute["factor"] - 1) < 3 * attribute["relative_uncertainty"]
    assert ((tags & candidates).sum(axis=1) >= 3).mean() > 0.9  # tags redrawn given >= 3 with the inclusive rate
    # The truth-flavour weights of the same events travel with them (for the selected-region normalisation).
    truth_files = [read_sample_file(tmp_path / "truth" / f"{name}.h5") for name in ("train", "val", "test")]
    inclusive_files = [read_sample_file(tmp_path / "incl" / f"{name}.h5") for name in ("train", "val", "test")]
    for truth_file, inclusive_file in zip(truth_files, inclusive_files, strict=True):
        assert truth_file.truth_tag_weight_pb is None  # the truth model's event weights are the truth weights
        assert_allclose(inclusive_file.truth_tag_weight_pb, truth_file.event_weight_pb)

    assert main([*common[:-3], "--four-tag", "--tag-rate-model", "inclusive", "--output-dir", str(tmp_path / "x")]) == 2
    assert "needs tag-rate weights" in capsys.readouterr().err
    assert not (tmp_path / "x" / "train.h5").exists()


def test_generator_efficiencies_give_an_inclusive_rate_between_light_and_bottom():
    efficiency = _generator_tag_efficiency()
    flavour = np.array([[5, 0, 0, 0, 4, 0, 0, 0]])
    chunk = _jets(flavour, np.full((1, 8), 70.0), np.zeros((1, 8)), [1.0])
    rate = measure_inclusive_rates([chunk], BINNING, efficiency, ["CSV"]).rates["CSV"][0, 0]
    expected = efficiency(flavour[0], np.full(8, 70.0), np.zeros(8), "CSV").mean()
    assert_allclose(rate, expected)
