"""The QCD stitching closure on synthetic events: χ², n_eff, four-tag weights, cross sections per class."""

from __future__ import annotations

import math

import awkward as ak
import numpy as np
import pytest

from multihiggs.generate.qcd_closure import (
    OBSERVABLE_EDGES,
    CrossSection,
    SampleEvents,
    class_cross_sections,
    closure_json,
    closure_markdown,
    compare_samples,
    cross_section_pull,
    draw_closure,
    four_tag_probability,
    sample_events,
)
from multihiggs.generate.reco.btag import CSV_LIKE, btag_efficiency


def synthetic(n: int, seed: int, m4j_scale: float = 1.0) -> SampleEvents:
    """Weighted events with m_4j, H_T and jet counts drawn from fixed laws (m_4j stretched by ``m4j_scale``)."""
    rng = np.random.default_rng(seed)
    weight = rng.exponential(1.0, n)
    return SampleEvents(
        all_weights=np.concatenate([weight, rng.exponential(1.0, n)]),
        weight=weight,
        four_tag_weight=weight * rng.uniform(0, 0.01, n),
        observables={
            "m4j": m4j_scale * rng.gamma(4.0, 120.0, n),
            "ht": rng.gamma(5.0, 90.0, n),
            "n_jets": rng.poisson(1.5, n) + 4.0,
        },
    )


def test_identical_samples_close_exactly():
    events = synthetic(5000, seed=1)
    result = compare_samples(events, events)
    assert len(result.comparisons) == 2 * len(OBSERVABLE_EDGES)
    for comparison in result.comparisons:
        chi2, ndf, p_value = comparison.chi2()
        assert chi2 == 0.0 and ndf > 3 and p_value == 1.0
    assert result.n_eff["stitched"] == result.n_eff["inclusive"]


def test_independent_samples_of_one_law_close_and_a_shift_is_detected():
    a, b = synthetic(20_000, seed=2), synthetic(20_000, seed=3)
    same = {(c.selection, c.observable): c.chi2() for c in compare_samples(a, b).comparisons}
    assert all(p_value > 0.001 for _, _, p_value in same.values())
    shifted = {(c.selection, c.observable): c.chi2() for c in compare_samples(a, synthetic(20_000, 3, 1.1)).comparisons}
    assert shifted["all", "m4j"][2] < 1e-6 and shifted["four_tag", "m4j"][2] < 1e-3
    assert shifted["all", "ht"] == same["all", "ht"]  # only m_4j moved


def test_four_tag_probability_uses_candidates_above_40_gev_only():
    pt = ak.Array([[100.0, 90.0, 80.0, 70.0], [100.0, 90.0, 80.0, 30.0], [100.0, 90.0, 80.0, 70.0, 60.0]])
    eta = ak.zeros_like(pt)
    flavour = ak.Array([[5, 5, 5, 5], [5, 5, 5, 5], [5, 5, 5, 5, 0]])
    probability = four_tag_probability(flavour, pt, eta)
    efficiency = btag_efficiency(np.full(4, 5), np.array([100.0, 90.0, 80.0, 70.0]), np.zeros(4), CSV_LIKE)
    assert probability[0] == pytest.approx(np.prod(efficiency))
    assert probability[1] == 0.0  # the 30 GeV jet is no candidate
    light = btag_efficiency(np.array([0]), np.array([60.0]), np.zeros(1), CSV_LIKE)[0]
    expected = np.prod(efficiency) + light * sum(
        np.prod(np.delete(efficiency, k)) * (1 - efficiency[k]) for k in range(4)
    )
    assert probability[2] == pytest.approx(expected)


def test_sample_events_select_four_jets_and_compute_the_observables():
    def jets(values):
        return ak.Array(values)

    arrays = {
        "Jet.PT": jets([[50.0, 60.0, 70.0, 80.0, 10.0], [100.0, 50.0, 40.0], [50.0, 50.0, 50.0, 50.0, 50.0]]),
        "Jet.Eta": jets([[0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 3.0]]),
        "Jet.Phi": jets([[0.0, math.pi, 0.0, math.pi, 0.0], [0.0, 1.0, 2.0], [0.0, math.pi, 0.5, 0.5 + math.pi, 0.0]]),
        "Jet.Mass": jets([[0.0] * 5, [0.0] * 3, [0.0] * 5]),
        "Jet.Flavor": jets([[5, 5, 5, 5, 0], [5, 5, 5], [0, 0, 0, 0, 5]]),
        "Event.Weight": ak.Array([[2.0], [3.0], [4.0]]),
    }
    events = sample_events(arrays)
    assert events.all_weights.tolist() == [2.0, 3.0, 4.0]
    assert events.weight.tolist() == [2.0, 4.0]  # the second event has three jets, the third a jet at |η| = 3
    assert events.observables["n_jets"].tolist() == [4.0, 4.0]  # the 10 GeV jet is below 20 GeV
    assert events.observables["ht"].tolist() == pytest.approx([260.0, 200.0])
    # Massless and central: E = Σ pT; the first event's jets leave p_x = −80 + 70 − 60 + 50, the third's none.
    assert events.observables["m4j"] == pytest.approx([math.sqrt(260.0**2 - 20.0**2), 200.0])
    assert events.four_tag_weight[0] > 0.1 and events.four_tag_weight[1] < 1e-6


def test_class_cross_sections_follow_the_weight_normalisation():
    metadata = [
        {"hard_process_class": "light", "n_events": 400, "n_events_class": 800, "cross_section_pb": 100.0,
         "cross_section_error_pb": 4.0},
        {"hard_process_class": "light", "n_events": 400, "n_events_class": 800, "cross_section_pb": 110.0,
         "cross_section_error_pb": 4.0},
        {"hard_process_class": "b_hard", "n_events": 390, "n_events_class": 400, "cross_section_pb": 4.0,
         "cross_section_error_pb": 0.4},
    ]  # fmt: skip
    result = class_cross_sections(metadata)
    assert result["light"].value_pb == pytest.approx(105.0) and result["light"].error_pb == pytest.approx(math.sqrt(8))
    assert result["b_hard"].value_pb == pytest.approx(3.9)
    assert result["total"].value_pb == pytest.approx(108.9)
    old = class_cross_sections([{"n_events": 10, "n_events_sample": 20, "cross_section_pb": 50.0}])
    assert old["inclusive"].value_pb == 25.0 and math.isnan(old["inclusive"].error_pb)
    assert cross_section_pull(CrossSection(110.0, 3.0), CrossSection(106.0, 4.0)) == pytest.approx(0.8)


def test_table_json_and_figure(tmp_path):
    result = compare_samples(synthetic(2000, seed=4), synthetic(1000, seed=5))
    cross_sections = {"stitched": {"light": CrossSection(95.0, 2.0), "b_hard": CrossSection(3.0, 0.2)}}
    cross_sections["stitched"]["total"] = CrossSection(98.0, 2.01)
    cross_sections["inclusive"] = {"inclusive": CrossSection(100.0, 3.0), "total": CrossSection(100.0, 3.0)}
    from dataclasses import replace

    result = replace(result, cross_sections=cross_sections)
    table = closure_markdown(result)
    assert "qcd: b_hard" in table and "pull -0.55 σ" in table and "χ²/ndf m4j" in table
    document = closure_json(result)
    assert document["cross_sections"]["inclusive"]["total"]["value_pb"] == 100.0
    assert {h["selection"] for h in document["histograms"]} == {"all", "four_tag"}
    draw_closure(result, tmp_path / "closure.pdf", energy_tev=13.0)
    assert (tmp_path / "closure.pdf").stat().st_size > 0 and (tmp_path / "closure.png").stat().st_size > 0
