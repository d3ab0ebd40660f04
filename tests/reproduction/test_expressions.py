"""Measuring claims from hand-made result documents: paths, pooling, arithmetic, sample sets, missing values."""

import numpy as np
import pytest

from multihiggs.reproduction import measurement as m
from multihiggs.reproduction.expressions import evaluate, source_refs
from multihiggs.reproduction.measurement import Measurement, NotMeasured
from multihiggs.reproduction.paths import PathError, resolve, split_path
from multihiggs.reproduction.sources import SourceRef


def ratio(numerator, denominator):
    return {
        "value": numerator / denominator if denominator else None,
        "numerator": numerator,
        "denominator": denominator,
    }


METRICS = {
    "pt_edges": [0, 100, 200, 400, 600],
    "vs_pt": {
        "efficiency": {
            "resolved": {"value": [0.5, 0.6, 0.5, None], "numerator": [5, 6, 4, 0], "denominator": [10, 10, 8, 0]},
            "boosted": {"value": [None, None, 0.5, 1.0], "numerator": [0, 0, 1, 3], "denominator": [0, 0, 2, 3]},
        }
    },
    "events": {"categories": {"complete": {"event_purity": [ratio(3, 4), ratio(0, 0)]}}},
}
SCAN = {"methods": [{"label": "a", "intervals": [{"luminosity_fb": 139.0, "cls_95": {"lower": -3.0, "upper": None}}]}]}


def lookup_from(documents):
    def lookup(ref):
        if ref not in documents:
            raise NotMeasured(f"this configuration does not produce {ref.path}")
        return documents[ref], ref.path

    return lookup


def metric(method="m", sample="s", **options):
    return {"metric": {"analysis": "hh", "method": method, "sample": sample, **options}}


DOCUMENTS = {
    SourceRef.make("metric", {"analysis": "hh", "method": "m", "sample": "s"}): METRICS,
    SourceRef.make("metric", {"analysis": "hh", "method": "m", "sample": "t"}): METRICS,
    SourceRef.make("scan", {}): SCAN,
}
LOOKUP = lookup_from(DOCUMENTS)


def test_paths_with_indices_and_field_selectors():
    assert split_path("resolved.≥ 6[0]") == [("resolved", []), ("≥ 6", ["0"])]
    assert resolve(SCAN, "methods[label=a].intervals[luminosity_fb=139].cls_95.lower") == -3.0
    assert resolve({"x": [1, 2, 3]}, "x[-1]") == 3
    with pytest.raises(PathError, match="no item with label = b"):
        resolve(SCAN, "methods[label=b]")
    with pytest.raises(PathError, match="no key 'y'"):
        resolve({"x": 1}, "y")


def test_a_ratio_leaf_keeps_counts_and_a_one_sigma_uncertainty():
    measured = evaluate(metric(path="events.categories.complete.event_purity[0]"), LOOKUP, {})
    value, sigma = measured.scalar()
    assert value == pytest.approx(0.75) and 0.1 < sigma < 0.3
    assert measured.files == ("metrics/hh/m/s.json",)


def test_pooling_pt_bins_and_counting():
    high = evaluate(metric(path="vs_pt.efficiency.resolved", pt_range=[100, None]), LOOKUP, {})
    assert high.scalar()[0] == pytest.approx(10 / 18)
    count = evaluate(metric(path="vs_pt.efficiency.boosted", pt_range=[200, None], field="denominator"), LOOKUP, {})
    assert count.scalar() == (5.0, pytest.approx(np.sqrt(5)))


def test_pool_gives_seed_002_combined_efficiency_bin_by_bin():
    pooled = evaluate(
        {"pool": [metric(path="vs_pt.efficiency.resolved"), metric(path="vs_pt.efficiency.boosted")]}, LOOKUP, {}
    )
    np.testing.assert_allclose(pooled.value, [0.5, 0.6, 0.5, 1.0])


def test_ratio_difference_scale_and_spread():
    a = Measurement(np.asarray(0.6), np.asarray(0.06))
    b = Measurement(np.asarray(0.3), np.asarray(0.03))
    assert m.ratio(a, b).scalar() == (pytest.approx(2.0), pytest.approx(2 * np.hypot(0.1, 0.1)))
    assert m.difference(a, b).scalar() == (pytest.approx(0.3), pytest.approx(np.hypot(0.06, 0.03)))
    assert m.scale(a, 0.5).scalar() == (pytest.approx(0.3), pytest.approx(0.03))
    assert m.spread([a, b, Measurement(np.asarray(0.4))]).scalar()[0] == pytest.approx(0.3)
    assert m.ratio(Measurement(np.asarray(1.0)), Measurement(np.asarray(2.0))).sigma is None


def test_mean_and_stack_over_a_sample_set():
    sets = {"pair": ["s", "t"], "none": []}
    leaf = metric(sample="{sample}", path="events.categories.complete.event_purity[0]")
    assert evaluate({"mean": {"over": "pair", "of": leaf}}, LOOKUP, sets).scalar()[0] == pytest.approx(0.75)
    assert evaluate({"stack": {"over": "pair", "of": leaf}}, LOOKUP, sets).value.tolist() == [0.75, 0.75]
    assert len(source_refs({"mean": {"over": "pair", "of": leaf}}, sets)) == 2
    with pytest.raises(NotMeasured, match="empty"):
        evaluate({"mean": {"over": "none", "of": leaf}}, LOOKUP, sets)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (metric(path="events.categories.complete.event_purity[1]"), "empty selection"),
        (metric(path="events.categories.partial"), "no key 'partial'"),
        (metric(method="other", path="x"), "does not produce metrics/hh/other/s.json"),
        ({"scan": {"path": "methods[label=a].intervals[luminosity_fb=139].cls_95.upper"}}, "open interval"),
        ({"scan": {"path": "methods[label=a].intervals[luminosity_fb=300].cls_95.upper"}}, "luminosity_fb = 300"),
    ],
)
def test_missing_values_are_not_measured_with_the_reason(expression, message):
    with pytest.raises(NotMeasured, match=message):
        evaluate(expression, LOOKUP, {}).scalar()


def test_assignment_count_comes_from_our_code():
    assert evaluate({"assignments": {"n_jets": 10, "n_higgs": 3}}, LOOKUP, {}).scalar()[0] == 3150


def test_malformed_expressions_fail_loudly():
    with pytest.raises(ValueError, match="unknown expression"):
        evaluate({"median": []}, LOOKUP, {})
    with pytest.raises(ValueError, match="takes"):
        source_refs({"metric": {"analysis": "hh", "method": "m"}}, {})
    with pytest.raises(ValueError, match="selection must be one of"):
        SourceRef.make("classification", {"method": "m", "selection": "bdt"})


def test_classification_and_sculpting_files():
    assert SourceRef.make("classification", {"method": "m", "selection": "dnn"}).path == (
        "reproduction/classification/dnn/m.json"
    )
    assert (
        SourceRef.make("sculpting", {"analysis": "hhh", "method": "chi2"}).path == "metrics/hhh/chi2/qcd_sculpting.json"
    )
    assert m.auc_sigma(0.9, 1000, 1000) == pytest.approx(0.0070, abs=5e-4)


def test_an_interval_spread_gives_the_nominal_value_with_its_bootstrap_sigma():
    from multihiggs.reproduction.sources import interval_document

    spread = {
        "nominal": {"lower": None, "upper": 14.0, "width": None},
        "lower": {"p16": -9.0, "p50": -8.0, "p84": -7.0, "open_fraction": 0.2},
        "upper": {"p16": 12.0, "p50": 13.0, "p84": 15.0, "open_fraction": 0.0},
        "width": {"p16": None, "p50": None, "p84": None, "open_fraction": 1.0},
    }
    document = interval_document(spread)
    assert document["upper"] == {"value": 14.0, "sigma": 1.5}
    assert document["lower"] == {"value": None, "sigma": 1.0}
    assert document["width"] == {"value": None, "sigma": None}
    ref = SourceRef.make("interval", {"method": "chi2"})
    assert ref.path == "stats/hh/interval_spread_chi2.json"
    measured = evaluate({"interval": {"method": "chi2", "path": "upper"}}, lambda _: (document, "f"), {})
    assert measured.scalar() == (14.0, 1.5)
    with pytest.raises(NotMeasured):
        evaluate({"interval": {"method": "chi2", "path": "width"}}, lambda _: (document, "f"), {}).scalar()
