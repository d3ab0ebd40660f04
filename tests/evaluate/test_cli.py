import json
import subprocess
import sys

import numpy as np
import pytest

from multihiggs.evaluate.__main__ import main as evaluate_main
from multihiggs.evaluate.classification import main as classification_main
from multihiggs.evaluate.sculpting import main as sculpting_main
from multihiggs.evaluate.tables import main as tables_main
from multihiggs.io import spanet_layout as layout

from .layout_files import random_sample, write_prediction, write_sample

N_EVENTS = 40


@pytest.fixture
def hhh_files(tmp_path):
    """HHH test file (Higgs i on jets 2i, 2i+1; half signal, half background labels) and a prediction getting
    Higgs 1 and 2 right (slots and jets shuffled) and Higgs 3 wrong in every event."""
    sample = random_sample(N_EVENTS, 3, seed=5)
    sample.signal = np.arange(N_EVENTS) % 2
    test = write_sample(tmp_path / "hhh_test.h5", sample)
    resolved = np.broadcast_to([[3, 2], [6, 7], [0, 1]], (N_EVENTS, 3, 2))  # (6, 7) is no Higgs
    score = np.where(sample.signal == 1, 0.9, 0.2)
    prediction = write_prediction(tmp_path / "pred.h5", resolved, method="spanet_sm", signal_score=score)
    return test, prediction, sample


def run_evaluate(tmp_path, test, prediction, *extra) -> dict:
    output = tmp_path / "metrics.json"
    evaluate_main(["--test", str(test), "--predictions", str(prediction), "-o", str(output), *extra])
    return json.loads(output.read_text())


def test_evaluate_writes_every_metric(tmp_path, hhh_files):
    test, prediction, _ = hhh_files
    document = run_evaluate(tmp_path, test, prediction, "--sample", "hhh", "--pt-edges", "0", "250", "500", "600")
    assert (document["kind"], document["method"], document["sample"], document["n_higgs"]) == (
        "metrics", "spanet_sm", "hhh", 3,
    )  # fmt: skip
    assert document["kl"] == 1.0 and document["btag"] == "CSV" and not document["weighted"]
    inclusive = document["inclusive"]
    assert inclusive["purity"]["resolved"]["value"] == pytest.approx(2 / 3)
    assert inclusive["efficiency"]["combined"]["value"] == pytest.approx(2 / 3)
    assert inclusive["purity"]["boosted"]["value"] is None  # no boosted candidate: NaN written as null
    assert inclusive["efficiency"]["boosted"]["denominator"] == 0
    efficiency = document["vs_pt"]["efficiency"]["resolved"]
    assert document["pt_edges"] == [0, 250, 500, 600]
    assert efficiency["value"][2] is None  # truth pT < 450 GeV: last bin empty
    assert sum(efficiency["denominator"]) == 3 * N_EVENTS
    complete = document["events"]["categories"]["complete"]
    assert complete["event_purity"][-1]["value"] == 0.0
    assert complete["higgs_purity"][-1]["value"] == pytest.approx(2 / 3)
    assert sum(document["masses"]["resolved"]["values"]) + document["masses"]["resolved"]["overflow"] == pytest.approx(
        3 * N_EVENTS
    )
    assert np.sum(document["mass_plane"]["values"]) <= N_EVENTS
    assert document["classification"]["auc"] == 1.0
    assert len(document["classification"]["roc"]["signal_efficiency"]) > 10


def test_weighted_evaluation_records_it(tmp_path, hhh_files):
    test, prediction, _ = hhh_files
    document = run_evaluate(tmp_path, test, prediction, "--weighted", "--interval", "wilson")
    assert document["weighted"] and document["interval"] == "wilson"
    assert document["inclusive"]["efficiency"]["combined"]["value"] == pytest.approx(2 / 3)


def test_a_tag_rate_weighted_file_counts_each_event_with_its_probability_to_pass(tmp_path, hhh_files):
    """Every event has Higgs 1 and 2 right and 3 wrong, except events 0-9, made all wrong: with unit weights the
    event-level H purity is (30 · 2/3) / 40; weighting events 0-9 by 3 makes it (30 · 2/3) / (30 + 30)."""
    import h5py

    test, _, _ = hhh_files
    resolved = np.array(np.broadcast_to([[3, 2], [6, 7], [0, 1]], (N_EVENTS, 3, 2)))
    resolved[:10] = [[6, 7], [8, 9], [0, 3]]
    prediction = write_prediction(tmp_path / "pred_wrong.h5", resolved, method="spanet_sm")
    plain = run_evaluate(tmp_path, test, prediction)["inclusive"]["efficiency"]["combined"]["value"]
    with h5py.File(test, "a") as handle:
        handle.create_dataset(layout.selection_weight_key(), data=np.where(np.arange(N_EVENTS) < 10, 3.0, 1.0))
    weighted = run_evaluate(tmp_path, test, prediction)["inclusive"]["efficiency"]["combined"]["value"]
    assert plain == pytest.approx(20 / 40)
    assert weighted == pytest.approx(20 / 60)


def test_mismatched_event_counts_fail_with_one_message(tmp_path, hhh_files, capsys):
    test, _, _ = hhh_files
    short = write_prediction(tmp_path / "short.h5", np.full((N_EVENTS - 1, 3, 2), -1))
    with pytest.raises(SystemExit) as exit_info:
        run_evaluate(tmp_path, test, short)
    assert exit_info.value.code == 2
    message = capsys.readouterr().err
    assert "39 events" in message and "40" in message and "short.h5" in message
    assert not (tmp_path / "metrics.json").exists()


def test_missing_dataset_is_named(tmp_path, hhh_files, capsys):
    _, prediction, sample = hhh_files
    broken = write_sample(tmp_path / "broken.h5", sample, skip=layout.truth_higgs_key(2, "pt"))
    with pytest.raises(SystemExit):
        run_evaluate(tmp_path, broken, prediction)
    assert "TRUTH/h2/pt" in capsys.readouterr().err


def test_wrong_number_of_higgs_slots_is_refused(tmp_path, hhh_files, capsys):
    test, prediction, _ = hhh_files
    with pytest.raises(SystemExit):
        run_evaluate(tmp_path, test, prediction, "--n-higgs", "2")
    assert "Higgs slots" in capsys.readouterr().err


def test_sculpting_cli(tmp_path):
    sample = random_sample(60, 3, seed=2, signal=0)
    test = write_sample(tmp_path / "qcd_test.h5", sample)
    prediction = write_prediction(tmp_path / "qcd_pred.h5", np.broadcast_to([[0, 1], [2, 3], [4, 5]], (60, 3, 2)))
    output = tmp_path / "sculpt.json"
    sculpting_main(["--test", str(test), "--predictions", str(prediction), "--method", "chi2", "-o", str(output)])
    document = json.loads(output.read_text())
    assert document["kind"] == "sculpting" and document["method"] == "chi2" and document["sample"] == "qcd"
    assert 0.0 <= document["js_distance"] <= 1.0 and 0.0 <= document["js_distance_random_jets"] <= 1.0
    assert document["weighted"]
    assert set(document["masses"]) == {"method", "reference", "random_jets"}


def test_classification_cli_pools_signal_and_background(tmp_path):
    signal, background = random_sample(30, 2, seed=1, signal=1), random_sample(20, 2, seed=2, signal=0)
    paths = []
    for name, sample, score in (("sig", signal, 0.8), ("bkg", background, 0.3)):
        test = write_sample(tmp_path / f"{name}.h5", sample)
        pred = write_prediction(tmp_path / f"{name}_pred.h5", np.full((sample.n_events, 2, 2), -1),
                                method="spanet_kl_mixed", signal_score=np.full(sample.n_events, score))  # fmt: skip
        paths.append((test, pred))
    output = tmp_path / "classification.json"
    classification_main(["--test", *(str(t) for t, _ in paths), "--predictions", *(str(p) for _, p in paths),
                         "--weights", "class-balanced", "-o", str(output)])  # fmt: skip
    document = json.loads(output.read_text())
    assert (document["n_signal"], document["n_background"]) == (30, 20)
    assert document["auc"] == 1.0 and document["accuracy"] == 1.0 and document["method"] == "spanet_kl_mixed"


def test_classification_rejects_unscored_events_and_refuses_a_method_without_scores(tmp_path):
    signal, background = random_sample(30, 2, seed=1, signal=1), random_sample(20, 2, seed=2, signal=0)
    signal_score = np.full(30, 0.8)
    signal_score[:3] = np.nan  # e.g. a selection DNN that cannot score an event with fewer than two candidates
    paths = []
    for name, sample, score in (("sig", signal, signal_score), ("bkg", background, np.full(20, 0.3))):
        test = write_sample(tmp_path / f"{name}.h5", sample)
        pred = write_prediction(tmp_path / f"{name}_pred.h5", np.full((sample.n_events, 2, 2), -1),
                                method="chi2", signal_score=score)  # fmt: skip
        paths.append((test, pred))
    output = tmp_path / "classification.json"
    arguments = ["--test", *(str(t) for t, _ in paths), "--predictions", *(str(p) for _, p in paths), "-o", str(output)]
    classification_main(arguments)
    document = json.loads(output.read_text())
    # the 3 unscored signal events rank below every background event: AUC = 1 - 3/30
    assert document["n_unscored"] == 3 and document["auc"] == pytest.approx(0.9)
    assert document["accuracy"] == pytest.approx(47 / 50)
    write_prediction(paths[1][1], np.full((20, 2, 2), -1), method="chi2", signal_score=np.full(20, np.nan))
    with pytest.raises(SystemExit):
        classification_main(arguments)


def test_tables_cli_writes_markdown_and_latex(tmp_path, hhh_files):
    test, prediction, _ = hhh_files
    metrics_path = tmp_path / "m.json"
    evaluate_main(["--test", str(test), "--predictions", str(prediction), "--sample", "hhh", "-o", str(metrics_path)])
    for kind in ("event_purity", "purity_by_njets", "efficiency_by_njets", "classification"):
        markdown, latex = tmp_path / f"{kind}.md", tmp_path / f"{kind}.tex"
        tables_main([kind, "--inputs", str(metrics_path), "--markdown", str(markdown), "--latex", str(latex)])
        assert markdown.read_text().startswith("| ") and r"\begin{tabular}" in latex.read_text()
        assert "≥" not in latex.read_text() and "±" not in latex.read_text()
    assert "0.667 ± 0.0" in (tmp_path / "event_purity.md").read_text()
    assert "| ≥ 8 |" in (tmp_path / "purity_by_njets.md").read_text()


def test_modules_run_as_scripts(tmp_path, hhh_files):
    test, prediction, _ = hhh_files
    output = tmp_path / "script.json"
    result = subprocess.run(
        [sys.executable, "-m", "multihiggs.evaluate", "--test", str(test), "--predictions", str(prediction),
         "-o", str(output)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(output.read_text())["kind"] == "metrics"
