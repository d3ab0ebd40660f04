"""End to end on tiny files: pairing predictions -> selection DNN -> templates -> scan -> tables and figures."""

import json
import shutil

import h5py
import numpy as np
import pyhf
import pytest

from multihiggs.io import spanet_layout as layout
from multihiggs.io.predictions import read_predictions, write_predictions
from multihiggs.io.spanet_layout import ATTR_TAG_RATE
from multihiggs.stats.__main__ import main
from multihiggs.stats.dnn_selection import main as dnn_main
from multihiggs.stats.results import read_results
from multihiggs.stats.synthetic import lo_cross_section_fb, sample_mhh
from multihiggs.stats.templates import read_templates

from .events import hh_events, resolved_predictions, write_sample_file

SIGNAL_KL = (0.0, 1.0, 5.0, 2.45)
N_SIGNAL, N_BACKGROUND = 400, 1500


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Signal files at four κλ and a QCD file, each with the true pairing and a swapped (wrong) pairing."""
    directory = tmp_path_factory.mktemp("stats_cli")
    rng = np.random.default_rng(21)
    paths = {"signal": [], "truth": [], "swapped": []}

    def write(name, events, weights, kl, signal, n_generated, score):
        path = directory / f"{name}.h5"
        write_sample_file(path, events.jets, weights, kl=kl, signal=signal, n_generated=n_generated)
        swapped = np.stack(
            [
                np.stack([events.true_pairs[:, 0, 0], events.true_pairs[:, 1, 0]], 1),
                np.stack([events.true_pairs[:, 0, 1], events.true_pairs[:, 1, 1]], 1),
            ],
            axis=1,
        )
        for method, pairs in (("truth", events.true_pairs), ("swapped", np.sort(swapped, axis=-1))):
            write_predictions(directory / f"{name}_{method}.h5", resolved_predictions(method, pairs, score))
        return path

    for kl in SIGNAL_KL:
        n_generated = int(N_SIGNAL / 0.2 / 0.8)  # test fraction 0.2, conversion efficiency 0.8
        sigma_pb = float(lo_cross_section_fb(kl)) / 1000
        events = hh_events(rng, sample_mhh(kl, N_SIGNAL, rng))
        paths["signal"].append(
            write(
                f"hh_kl{kl}",
                events,
                np.full(N_SIGNAL, sigma_pb / n_generated),
                kl,
                True,
                n_generated,
                rng.uniform(0.3, 1.0, N_SIGNAL),
            )
        )
    background = hh_events(rng, 250 + rng.exponential(150, N_BACKGROUND), higgs_mass_gev=70.0)
    paths["background"] = write(
        "qcd", background, rng.exponential(2e-5, N_BACKGROUND), 1.0, False, 10**6, rng.uniform(0.0, 0.7, N_BACKGROUND)
    )
    paths["dir"] = directory
    return paths


def predictions_of(path, method):
    return str(path).replace(".h5", f"_{method}.h5")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dnn_cli_trains_and_scores(files, capsys):
    directory = files["dir"]
    signal, background = files["signal"][:3], files["background"]
    model = directory / "dnn.joblib"
    dnn_main(
        [
            "train",
            "--signal",
            *map(str, signal),
            "--signal-predictions",
            *(predictions_of(p, "truth") for p in signal),
            "--background",
            str(background),
            "--background-predictions",
            predictions_of(background, "truth"),
            "-o",
            str(model),
            "--seed",
            "2",
            "--hidden",
            "8",
            "--max-epochs",
            "5",
            "--summary",
            str(directory / "dnn.json"),
        ]
    )
    assert {"accuracy", "auc"} <= set(json.loads((directory / "dnn.json").read_text()))
    output = directory / "scored.h5"
    dnn_main(
        [
            "score",
            "-i",
            str(signal[1]),
            "--predictions",
            predictions_of(signal[1], "truth"),
            "--model",
            str(model),
            "-o",
            str(output),
        ]
    )
    scored = read_predictions(output)
    assert scored.method == "truth+dnn"
    assert np.isfinite(scored.signal_score).all() and ((scored.signal_score >= 0) & (scored.signal_score <= 1)).all()


def test_templates_scan_tables_and_figures(files, tmp_path, capsys):
    templates = {}
    for method in ("truth", "swapped"):
        templates[method] = tmp_path / f"templates_{method}.json"
        main(
            [
                "templates",
                "--method",
                method,
                "--signal",
                *map(str, files["signal"]),
                "--signal-predictions",
                *(predictions_of(p, method) for p in files["signal"]),
                "--background",
                str(files["background"]),
                "--background-predictions",
                predictions_of(files["background"], method),
                "--basis-kl",
                "0",
                "1",
                "5",
                "--bin-range",
                "250",
                "1000",
                "10",
                "--optimise-threshold",
                "-o",
                str(templates[method]),
            ]
        )
    summary = json.loads(capsys.readouterr().out.split("\n}\n")[0] + "\n}")
    assert summary["morphing_closure"][0]["kl"] == 2.45
    scan = tmp_path / "scan.json"
    workspaces = tmp_path / "workspaces"
    scan_arguments = [
            "scan",
            "--templates",
            *map(str, templates.values()),
            "--labels",
            "truth",
            "swapped",
            "--kl-range",
            "-10",
            "16",
            "0.5",
            "--background-norm-uncertainty",
            "0.1",
            "--reference",
            "swapped",
            "--reference-luminosities",
            "50",
            "20000",
            "12",
            "--workspace-dir",
            str(workspaces),
            "-o",
            str(scan),
        ]  # fmt: skip
    main(scan_arguments)
    first_scan = scan.read_bytes()
    main(scan_arguments)
    assert scan.read_bytes() == first_scan  # no wall time or other run-dependent value in the results
    results = read_results(scan)
    assert [m.label for m in results.methods] == ["truth", "swapped"]
    assert results.luminosities_fb == [139.0, 300.0, 3000.0]
    assert len(results.reference.intervals) == 12
    # the two pairings give the same m_HH and scores: the reference needs the same luminosity as the other method
    for row in results.method("truth").equivalent_luminosity[:2]:
        assert row["profile_95"]["width"] == pytest.approx(row["luminosity_fb"], rel=0.03)
    interval = results.method("truth").intervals[0]["profile_95"]
    assert -10 < interval["lower"] < 1 < interval["upper"] < 16
    assert len(list(workspaces.glob("*.json"))) == 6
    pyhf.Workspace(json.loads((workspaces / "truth_lumi139.json").read_text()))
    outputs = {name: tmp_path / name for name in ("kl_limits.md", "kl_limits.tex")}
    main(
        [
            "tables",
            "--scan",
            str(scan),
            "--output-md",
            str(outputs["kl_limits.md"]),
            "--output-tex",
            str(outputs["kl_limits.tex"]),
        ]
    )
    markdown = outputs["kl_limits.md"].read_text()
    assert "truth" in markdown and "Equivalent luminosity of swapped" in markdown
    assert "\\begin{tabular}" in outputs["kl_limits.tex"].read_text()
    figures = [tmp_path / f"{name}.pdf" for name in ("kl_scan", "kl_cls", "kl_vs_lumi")]
    main(
        [
            "figures",
            "--scan",
            str(scan),
            "--profile",
            str(figures[0]),
            "--cls",
            str(figures[1]),
            "--vs-lumi",
            str(figures[2]),
        ]
    )
    assert all(path.stat().st_size > 1000 for path in figures)


def test_mixed_kl_signal_file_is_refused(files, tmp_path):
    with pytest.raises(SystemExit, match="--basis-kappa-lambdas"):
        main(
            [
                "templates",
                "--method",
                "m",
                "--signal",
                str(files["signal"][0]),
                "--signal-predictions",
                predictions_of(files["signal"][0], "truth"),
                "--background",
                str(files["background"]),
                "--background-predictions",
                predictions_of(files["background"], "truth"),
                "-o",
                str(tmp_path / "t"),
            ]
        )


def test_inclusive_tag_rate_background_is_normalised_to_its_truth_weights_in_the_selected_region(
    files, tmp_path, capsys
):
    """An inclusive tag-rate QCD file: the selected template is scaled to the truth-flavour yield of the same events
    and the truth weights' 1/√n_eff becomes its normalisation uncertainty, added to the configured one in the fit."""
    background = tmp_path / "qcd_inclusive.h5"
    shutil.copy(files["background"], background)
    shutil.copy(predictions_of(files["background"], "truth"), predictions_of(background, "truth"))
    with h5py.File(background, "r+") as handle:
        weights = handle[layout.event_weight_key()][...]
        truth = np.where(np.arange(len(weights)) % 10 == 0, 4.0 * weights, 0.0)  # few events carry it: K ~ 0.4
        handle[layout.truth_tag_weight_key()] = truth
        handle.attrs[ATTR_TAG_RATE] = json.dumps({"model": "inclusive", "relative_uncertainty": 0.1})
    arguments = ["templates", "--method", "truth", "--signal", *map(str, files["signal"]), "--signal-predictions"]
    arguments += [predictions_of(p, "truth") for p in files["signal"]]
    common = [*arguments, "--basis-kl", "0", "1", "5", "--bin-range", "250", "1000", "5", "--threshold", "0.3"]
    plain = tmp_path / "plain.json"
    main([*common, "--background", str(files["background"]), "--background-predictions",
          predictions_of(files["background"], "truth"), "-o", str(plain)])  # fmt: skip
    templates = tmp_path / "templates.json"
    main([*common, "--background", str(background), "--background-predictions", predictions_of(background, "truth"),
          "-o", str(templates)])  # fmt: skip
    plain, scaled = read_templates(plain), read_templates(templates)
    region = scaled.metadata["tag_rate_region"]
    np.testing.assert_allclose(scaled.background_pb, region["factor"] * plain.background_pb)
    assert 0.2 < region["factor"] < 0.6 and region["truth_n_eff"] < region["inclusive_n_eff"] / 5
    assert scaled.background_norm_uncertainty == pytest.approx(region["truth_n_eff"] ** -0.5)
    assert plain.background_norm_uncertainty == 0.0 and "tag_rate_region" not in plain.metadata
    workspaces = tmp_path / "workspaces"
    scan = ["scan", "--templates", str(templates), "--kl-range", "-2", "4", "1", "--luminosities", "139"]
    main([*scan, "--background-norm-uncertainty", "0.1", "--workspace-dir", str(workspaces), "-o", str(tmp_path / "s")])
    spec = json.loads(next(workspaces.glob("*.json")).read_text())
    modifiers = [m for s in spec["channels"][0]["samples"] for m in s["modifiers"] if m["type"] == "normsys"]
    assert modifiers[0]["data"]["hi"] == pytest.approx(1 + np.hypot(0.1, scaled.background_norm_uncertainty))


def test_interval_spread_and_its_table(files, tmp_path, capsys):
    inputs = ["--method", "truth", "--signal", *map(str, files["signal"]), "--signal-predictions",
              *(predictions_of(p, "truth") for p in files["signal"]), "--background", str(files["background"]),
              "--background-predictions", predictions_of(files["background"], "truth"), "--basis-kl", "0", "1", "5",
              "--bin-range", "250", "1000", "10"]  # fmt: skip
    nominal = tmp_path / "templates_truth.json"
    main(["templates", *inputs, "--threshold", "0.5", "-o", str(nominal)])
    spread = tmp_path / "spread.json"
    arguments = ["interval-spread", *inputs, "--nominal", str(nominal), "--replicas", "8", "--seed", "5",
                 "--kl-range", "-10", "16", "0.5", "--background-norm-uncertainty", "0.1",
                 "-o", str(spread)]  # fmt: skip
    main(arguments)
    document = json.loads(spread.read_text())
    assert document["threshold"] == 0.5 and document["replicas"] == 8 and len(document["replica_bounds"]) == 8
    main(arguments)
    assert json.loads(spread.read_text()) == document  # seeded
    table = tmp_path / "spread.md"
    main(["spread-table", "--spreads", str(spread), "--output-md", str(table), "--output-tex", str(tmp_path / "t.tex")])
    assert "| truth | 0.5 |" in table.read_text()
    with pytest.raises(SystemExit):
        main(["interval-spread", *inputs, "--nominal", str(nominal), "--seed", "5", "--method", "swapped", "-o",
              str(tmp_path / "x.json")])  # fmt: skip
    assert "holds the templates of 'truth'" in capsys.readouterr().err
