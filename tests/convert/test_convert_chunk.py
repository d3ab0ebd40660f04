"""convert_chunk on hand-built events: selection, ordering, targets, weights (no files)."""

from __future__ import annotations

import numpy as np
import pytest
from delphes_events import chunk_from_events, pruned_record
from numpy.testing import assert_allclose, assert_array_equal

from multihiggs.convert.convert import ConversionConfig, _generator_tag_efficiency, convert_chunk
from multihiggs.convert.selection import SelectionConfig
from multihiggs.io import spanet_layout as layout


def _config(**overrides):
    selection = overrides.pop("selection", SelectionConfig(min_jets=4))
    fields = {"sample": "hh_kl1", "process": "hh", "n_higgs": 2, "kl": 1.0, "signal": True, "selection": selection}
    return ConversionConfig(**{**fields, **overrides})


def _hh_event(extra_jets=(), **event):
    """Two Higgs: h_a (pT 300) -> b at (0.0, 0.0), (0.3, 0.3); h_b (pT 150) -> b at (1.5, 2.0), (2.8, 2.0)."""
    particles = pruned_record(
        [
            {"pt": 300.0, "eta": 0.15, "phi": 0.15, "mass": 125.0, "b": [(180.0, 0.0, 0.0), (120.0, 0.3, 0.3)]},
            {"pt": 150.0, "eta": 2.0, "phi": 2.0, "mass": 125.0, "b": [(90.0, 1.5, 2.0), (60.0, 2.8, 2.0)]},
        ]
    )
    jets = [
        {"PT": 60.0, "Eta": 1.52, "Phi": 2.0, "Flavor": 5, "BTag": 3},  # h_b.b1
        {"PT": 170.0, "Eta": 0.02, "Phi": 0.0, "Flavor": 5, "BTag": 3},  # h_a.b1 (file order is not pT order)
        {"PT": 55.0, "Eta": 2.8, "Phi": 2.0, "Flavor": 5, "BTag": 1},  # h_b.b2, but |η| > 2.5: not selected
        {"PT": 110.0, "Eta": 0.3, "Phi": 0.32, "Flavor": 5, "BTag": 1},  # h_a.b2
        {"PT": 30.0, "Eta": -1.0, "Phi": -1.0, "Flavor": 0, "BTag": 0},
        *extra_jets,
    ]
    fatjets = [
        {"PT": 240.0, "Eta": 2.0, "Phi": 2.0},  # below 250 GeV: not selected
        {"PT": 280.0, "Eta": 0.15, "Phi": 0.15},  # contains h_a and both its quarks
        {"PT": 400.0, "Eta": -2.0, "Phi": -2.0},
    ]
    return {"particles": particles, "jets": jets, "fatjets": fatjets, **event}


def test_targets_index_the_selected_pt_ordered_jets():
    columns, split = convert_chunk(chunk_from_events([_hh_event(number=7)]), _config(), weight_scale=1.0)
    assert_allclose(columns[layout.input_key(layout.JETS, "pt")][0, :4], [170.0, 110.0, 60.0, 30.0])
    assert_array_equal(columns[layout.resolved_target_key(1, "b1")], [0])
    assert_array_equal(columns[layout.resolved_target_key(1, "b2")], [1])
    assert_array_equal(columns[layout.resolved_target_key(2, "b1")], [2])
    assert_array_equal(columns[layout.resolved_target_key(2, "b2")], [-1])  # its jet is out of acceptance
    assert_allclose(columns[layout.input_key(layout.BOOSTED_JETS, "pt")][0], [400.0, 280.0, 0.0])
    assert_array_equal(columns[layout.boosted_target_key(1)], [1])
    assert_array_equal(columns[layout.boosted_target_key(2)], [-1])
    assert_allclose(columns[layout.truth_higgs_key(1, "pt")], [300.0])
    assert_array_equal(columns[layout.truth_event_key("n_jets")], [4])
    assert_array_equal(columns[layout.truth_event_key("n_boosted")], [2])
    assert_array_equal(columns[layout.truth_event_key("event_number")], [7])
    assert_array_equal(columns[layout.classification_key()], [1])
    assert split.shape == (1,)


def test_match_to_a_jet_beyond_the_ten_stored_is_unmatched():
    # Ten hard light jets push h_a's b jets to positions 11 and 12 of the pT-ordered list.
    hard = [{"PT": 500.0 + i, "Eta": -2.0, "Phi": -2.0 + 0.5 * i, "Flavor": 0} for i in range(10)]
    columns, _ = convert_chunk(chunk_from_events([_hh_event(extra_jets=hard)]), _config(), weight_scale=1.0)
    assert_array_equal(columns[layout.resolved_target_key(1, "b1")], [-1])
    assert_array_equal(columns[layout.resolved_target_key(1, "b2")], [-1])
    assert_array_equal(columns[layout.truth_event_key("n_jets")], [14])
    assert columns[layout.mask_key(layout.JETS)].sum() == layout.MAX_JETS


def test_jet_count_and_four_tag_selection_and_weights():
    events = [_hh_event(number=1, weight=2.0), _hh_event(number=2, weight=2.0)]
    events[1]["jets"] = events[1]["jets"][:3]  # only 2 selected jets left
    columns, _ = convert_chunk(chunk_from_events(events), _config(), weight_scale=0.25)
    assert_array_equal(columns[layout.truth_event_key("event_number")], [1])
    assert_allclose(columns[layout.event_weight_key()], [0.5])
    # Tag requirement (here >= 3): the selected jets above 40 GeV carry 3 CSV tags (pass) but 2 UParT tags (fail).
    four_tag = _config(selection=SelectionConfig(min_jets=4, four_tag=True, n_tags=3))
    columns, _ = convert_chunk(chunk_from_events(events[:1]), four_tag, weight_scale=1.0)
    assert len(columns[layout.classification_key()]) == 1
    upart = _config(selection=SelectionConfig(min_jets=4, four_tag=True, n_tags=3, tag_working_point="UParT"))
    columns, _ = convert_chunk(chunk_from_events(events[:1]), upart, weight_scale=1.0)
    assert len(columns[layout.classification_key()]) == 0


def test_tag_rate_weights_replace_the_cut_for_background():
    background = {"jets": [{"PT": 50.0 + i, "Eta": 0.5 * i - 1, "Phi": 0.0} for i in range(5)], "weight": 3.0}
    three_candidates = {"jets": [{"PT": 50.0}] * 3 + [{"PT": 30.0}] * 3, "weight": 3.0}  # only 3 above 40 GeV
    config = _config(
        process="qcd",
        signal=False,
        selection=SelectionConfig(min_jets=4, four_tag=True, tag_rate_weights=True, n_tags=4),
    )
    seen = {}

    def efficiency(flavour, pt, eta, working_point):
        seen.setdefault("working_points", []).append(working_point)
        return np.full(pt.shape, 0.5)

    columns, _ = convert_chunk(chunk_from_events([background, three_candidates]), config, 0.1, efficiency)
    # Five candidates at 0.5: P(>= 4) = 6/32. The second event (P = 0) is dropped.
    assert_allclose(columns[layout.event_weight_key()], [3.0 * 0.1 * 6 / 32])
    assert seen["working_points"][0] == "CSV"  # the weight; then both working points for the redrawn tags
    assert set(seen["working_points"]) == {"CSV", "UParT"}
    assert_array_equal(columns[layout.classification_key()], [0])
    assert_array_equal(columns[layout.resolved_target_key(1, "b1")], [-1])
    assert np.isnan(columns[layout.truth_higgs_key(1, "pt")]).all()


def test_generator_tag_efficiency_is_called_with_our_working_point_names():
    efficiency = _generator_tag_efficiency()
    csv = efficiency(np.array([5, 4, 0]), np.full(3, 80.0), np.zeros(3), "CSV")
    upart = efficiency(np.array([5]), np.array([80.0]), np.zeros(1), "UParT")
    assert 0.6 < csv[0] < upart[0] < 0.95  # b jets: 70 % and 85 % near 80 GeV
    assert csv[2] < csv[1] < csv[0]  # light < charm < bottom


def test_signal_tag_rate_weights_use_the_truth_flavour_model_only():
    with pytest.raises(ValueError, match="truth-flavour"):
        _config(selection=SelectionConfig(min_jets=4, four_tag=True, tag_rate_weights=True), tag_rate_model="inclusive")


def test_signal_tag_rate_weights_keep_the_event_with_its_probability_to_pass():
    """Three candidate b jets (pT > 40 GeV, |η| < 2.5) at 0.5 and one light jet at 0.1 (the 30 GeV jet does not
    count): P(>= 3 tags) = P(all three b) + P(two b and the light jet) = 0.125 + 3 · 0.125 · 0.1 = 0.1625."""
    light = [{"PT": 45.0, "Eta": 0.0, "Phi": -2.5, "Flavor": 0, "BTag": 0}]
    config = _config(selection=SelectionConfig(min_jets=4, four_tag=True, n_tags=3, tag_rate_weights=True))

    def efficiency(flavour, pt, eta, working_point):
        return np.where(flavour == 5, 0.5, 0.1)

    columns, _ = convert_chunk(chunk_from_events([_hh_event(extra_jets=light, weight=2.0)]), config, 1.0, efficiency)
    assert_allclose(columns[layout.selection_weight_key()], [0.1625])
    assert_allclose(columns[layout.event_weight_key()], [2.0 * 0.1625])
    # the candidates' drawn CSV tags satisfy the requirement; the truth targets are those of the cut-based event
    tags = columns[layout.input_key(layout.JETS, "btag")][0]
    pt = columns[layout.input_key(layout.JETS, "pt")][0]
    assert ((tags > 0) & (pt > 40.0)).sum() >= 3
    assert_array_equal(columns[layout.resolved_target_key(1, "b1")], [0])
    cut = _config(selection=SelectionConfig(min_jets=4, four_tag=True, n_tags=3))
    columns, _ = convert_chunk(chunk_from_events([_hh_event(extra_jets=light, weight=2.0)]), cut, 1.0)
    assert_allclose(columns[layout.selection_weight_key()], [1.0])


def test_partial_unweighting_keeps_expectations():
    from multihiggs.convert.tag_rate import partial_unweighting

    rng = np.random.default_rng(2)
    probability = np.concatenate([rng.uniform(0.0, 0.02, 200_000), rng.uniform(0.2, 0.4, 1000)])
    keep, factor = partial_unweighting(probability, 0.05, rng.uniform(size=probability.size))
    assert (keep[-1000:]).all() and (factor[-1000:] == 1.0).all()  # above the threshold: untouched
    np.testing.assert_allclose((probability * factor)[keep][:-1000], 0.05)  # below: weigh the threshold
    assert (probability * factor)[keep].sum() == pytest.approx(probability.sum(), rel=0.01)
    assert keep.sum() < 0.3 * probability.size
    everything, unit = partial_unweighting(probability, 0.0, np.zeros(probability.size))
    assert everything.all() and (unit == 1.0).all()
    with pytest.raises(ValueError, match="threshold"):
        partial_unweighting(probability, -0.1, np.zeros(probability.size))
