"""Closure of the inclusive tag-rate model: histograms, χ², and the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.testing import assert_allclose

from multihiggs.convert.inclusive_tag_rate import TagRateBinning, measure_inclusive_rates
from multihiggs.convert.selection import SelectedObjects, SelectionConfig
from multihiggs.convert.synthetic import write_synthetic_sample
from multihiggs.convert.tag_rate_closure import event_observables, main, measure_closure

CUTS = SelectionConfig(min_jets=4, four_tag=True, tag_rate_weights=True, n_tags=2)
BINNING = TagRateBinning(pt_edges_gev=(40.0, 80.0), abs_eta_edges=(0.0, 2.5))
EDGES = {"ht": (0.0, 540.0, 600.0, 650.0, 14000.0)}


def _efficiency(flavour, pt, eta, working_point):
    return np.select([flavour == 5, flavour == 4], [0.7, 0.2], 0.01)


def _events(n_events: int, correlated: bool, seed: int = 1) -> list[tuple[SelectedObjects, np.ndarray]]:
    """Six-jet events; with ``correlated``, b jets come in pairs and only in hard (high-H_T) events."""
    rng = np.random.default_rng(seed)
    pt = np.sort(rng.uniform(45.0, 150.0, size=(n_events, 6)), axis=1)[:, ::-1]
    flavour = np.where(rng.uniform(size=(n_events, 6)) < 0.1, 5, 0)
    if correlated:
        hard = pt.sum(axis=1) > np.median(pt.sum(axis=1))
        flavour = np.zeros((n_events, 6), dtype=np.int64)
        flavour[hard, :2] = 5
    fields = {
        "PT": pt,
        "Eta": rng.uniform(-2.0, 2.0, size=pt.shape),
        "Phi": rng.uniform(-np.pi, np.pi, size=pt.shape),
        "Mass": np.full(pt.shape, 8.0),
        "Flavor": flavour,
    }
    jets = SelectedObjects(fields, np.ones(pt.shape, dtype=bool))
    half = n_events // 2
    return [(jets.take_events(slice(0, half)), np.ones(half)), (jets.take_events(slice(half, None)),
                                                                np.ones(n_events - half))]  # fmt: skip


def _closure(chunks):
    from multihiggs.convert.convert import candidate_jets

    candidates = [candidate_jets(jets, weight, CUTS) for jets, weight in chunks]
    inclusive = measure_inclusive_rates(candidates, BINNING, _efficiency, ["CSV"])
    return measure_closure(chunks, CUTS, _efficiency, inclusive, [1, 2], EDGES)


def test_observables_are_the_four_jet_mass_and_scalar_sum():
    jets, _ = _events(4, correlated=False)[0]
    observables = event_observables(jets)
    assert_allclose(observables["ht"], jets["PT"].sum(axis=1))
    assert (observables["m4j"] > 0).all()


def test_independent_flavours_close_and_paired_heavy_flavour_does_not():
    independent = _closure(_events(4000, correlated=False))
    for histogram in independent.histograms:
        chi2, ndf = histogram.chi2()
        assert ndf == 3 and chi2 < 16.3  # 0.1 % tail of χ²(3)
        assert_allclose(histogram.inclusive.sumw.sum(), histogram.truth.sumw.sum())  # × K_n
    assert abs(independent.factor[2] - 1) < 0.1
    paired = _closure(_events(4000, correlated=True))
    two_tags = next(h for h in paired.histograms if h.n_tags == 2)
    assert two_tags.chi2()[0] > 100  # the truth TRF puts >= 2 tags only in hard events
    assert paired.factor[2] > 1.5
    assert paired.truth_n_eff[2] < paired.inclusive_n_eff[2]


def test_command_line_writes_table_json_and_figure(tmp_path, capsys):
    path = tmp_path / "qcd.root"
    write_synthetic_sample(path, n_events=1500, process="qcd", seed=4)
    outputs = {ext: tmp_path / f"closure.{ext}" for ext in ("md", "json", "pdf")}
    arguments = ["--input", str(path), "--min-jets", "4", "--n-tags", "2", "3", "--tag-rate-pt-edges", "40", "90"]
    arguments += [f"--output-{ext}={outputs[ext]}" for ext in outputs]
    assert main(arguments) == 0
    assert all(path.stat().st_size > 0 for path in outputs.values())
    content = json.loads(outputs["json"].read_text())
    assert set(content["factor"]) == {"2", "3"} and len(content["histograms"]) == 4
    assert "| ≥ 3 |" in outputs["md"].read_text()
    capsys.readouterr()
    assert main([*arguments[:3], "3", *arguments[4:]]) == 2
    assert "--min-jets must be at least 4" in capsys.readouterr().err


@pytest.mark.parametrize("n_tags", ["0"])
def test_non_positive_tag_count_is_an_error(tmp_path, capsys, n_tags):
    path = tmp_path / "qcd.root"
    write_synthetic_sample(path, n_events=50, process="qcd", seed=4)
    out = [f"--output-{ext}={tmp_path / ('c.' + ext)}" for ext in ("md", "json", "pdf")]
    assert main(["--input", str(path), "--min-jets", "4", "--n-tags", n_tags, *out]) == 2
    assert "--n-tags must be positive" in capsys.readouterr().err
    assert not (tmp_path / "c.md").exists()
