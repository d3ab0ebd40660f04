"""Smoke tests: every figure family draws a PDF from evaluation JSON written by the CLIs on small synthetic files."""

import json
from pathlib import Path

import numpy as np
import pytest

from multihiggs.evaluate.__main__ import main as evaluate_main
from multihiggs.evaluate.classification import main as classification_main
from multihiggs.evaluate.sculpting import main as sculpting_main
from multihiggs.io.jsonio import read_documents
from multihiggs.plotting.figures import FIGURES, main, make_figure
from multihiggs.plotting.methods import method_colors, method_label, method_linestyle, sample_label
from multihiggs.plotting.style import save_figure

from .layout_files import random_sample, write_prediction, write_sample

N_EVENTS = 60


def _boosted_sample(seed: int, kl: float = 1.0):
    """HH sample whose first Higgs is also an AK8 jet (index 0, pT 400 GeV) in every event."""
    sample = random_sample(N_EVENTS, 2, seed=seed)
    sample.kl = kl
    sample.fatjet_pt[:, 0], sample.fatjet_mass[:, 0], sample.fatjet_mask[:, 0] = 400.0, 120.0, True
    sample.boosted_targets[:, 0] = 0
    sample.signal = np.arange(N_EVENTS) % 2
    return sample


@pytest.fixture(scope="module")
def json_files(tmp_path_factory):
    """{figure input group: [JSON paths]} from the evaluation CLIs."""
    directory = tmp_path_factory.mktemp("figures")
    rng = np.random.default_rng(0)
    files: dict[str, list[str]] = {"metrics": [], "kl": [], "btag": [], "sculpting": [], "classification": []}
    for kl in (-1.0, 1.0, 5.0):
        test = write_sample(directory / f"hh_kl{kl:g}.h5", _boosted_sample(seed=int(kl) + 10, kl=kl))
        for method, p_right in (("spanet_kl_mixed", 0.8), ("min_delta_r", 0.4)):
            right = rng.random(N_EVENTS) < p_right
            resolved = np.where(right[:, None, None], [[1, 0], [2, 3]], [[0, 2], [1, 3]])
            boosted = np.where(right[:, None] & (method.startswith("spanet")), [[0, -1]], -1)
            if method.startswith("spanet"):
                resolved = np.where(boosted[..., None] >= 0, -1, resolved)
            score = np.clip(np.arange(N_EVENTS) % 2 + rng.normal(0, 0.4, N_EVENTS), 0, 1)
            prediction = write_prediction(directory / f"{method}_{kl:g}.h5", resolved, boosted, method=method,
                                          signal_score=score)  # fmt: skip
            output = directory / f"m_{method}_{kl:g}.json"
            evaluate_main(["--test", str(test), "--predictions", str(prediction), "--sample", f"hh_kl{kl:g}",
                           "-o", str(output)])  # fmt: skip
            files["kl"].append(str(output))
            if kl == 1.0:
                files["metrics"].append(str(output))
                upart = directory / f"m_{method}_upart.json"
                evaluate_main(["--test", str(test), "--predictions", str(prediction), "--btag", "UParT",
                               "--method", f"{method}_upart", "-o", str(upart)])  # fmt: skip
                files["btag"] += [str(output), str(upart)]
                sculpt = directory / f"s_{method}.json"
                sculpting_main(["--test", str(test), "--predictions", str(prediction), "-o", str(sculpt)])
                files["sculpting"].append(str(sculpt))
                classification = directory / f"c_{method}.json"
                classification_main(["--test", str(test), "--predictions", str(prediction), "-o",
                                     str(classification)])  # fmt: skip
                files["classification"].append(str(classification))
    return files


INPUTS_BY_FIGURE = {
    "purity_vs_pt": "metrics",
    "efficiency_vs_pt": "metrics",
    "purity_vs_njets": "metrics",
    "reco_higgs_mass": "metrics",
    "mass_sculpting_qcd": "sculpting",
    "kl_dependence": "kl",
    "btag_upgrade": "btag",
    "roc_classification": "classification",
    "mass_plane": "sculpting",
}


def test_every_figure_is_covered():
    assert set(INPUTS_BY_FIGURE) == set(FIGURES)


@pytest.mark.parametrize("name", sorted(INPUTS_BY_FIGURE))
def test_figure_writes_a_pdf(tmp_path, json_files, name):
    documents = read_documents(json_files[INPUTS_BY_FIGURE[name]], FIGURES[name].kinds)
    figure = make_figure(name, documents, energy_tev=13.0)
    texts = [ax.get_title(loc) for ax in figure.axes for loc in ("left", "right")]
    assert any("multihiggs simulation" in text for text in texts)
    assert not any("CMS" in text for text in texts)
    legends = [text.get_text() for ax in figure.axes if ax.get_legend() for text in ax.get_legend().get_texts()]
    if name not in ("mass_plane",):
        assert any("SPA-Net" in text for text in legends), legends
    output = tmp_path / f"{name}.pdf"
    save_figure(figure, output)
    assert output.read_bytes().startswith(b"%PDF")


def test_cli_draws_with_labels_and_refuses_the_wrong_json_kind(tmp_path, json_files, capsys):
    output = tmp_path / "eff.pdf"
    main(["efficiency_vs_pt", "--inputs", *json_files["metrics"], "--labels", "A", "B", "--topologies", "combined",
          "-o", str(output)])  # fmt: skip
    assert output.read_bytes().startswith(b"%PDF")
    with pytest.raises(SystemExit) as exit_info:
        main(["mass_sculpting_qcd", "--inputs", json_files["metrics"][0], "-o", str(tmp_path / "bad.pdf")])
    assert exit_info.value.code == 2
    assert "expected one of ['sculpting']" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["purity_vs_pt", "--inputs", *json_files["metrics"], "--labels", "only-one", "-o", str(output)])


def test_kl_dependence_needs_kl(json_files):
    documents = read_documents(json_files["kl"], ("metrics",))
    documents[0]["kl"] = None
    with pytest.raises(ValueError, match="κλ"):
        make_figure("kl_dependence", documents)


def test_metrics_json_is_strict_json(json_files):
    text = Path(json_files["metrics"][0]).read_text()
    assert "NaN" not in text
    json.loads(text)


def test_method_and_sample_names():
    assert method_label({"method": "chi2_bdt"}) == r"$\chi^2$ + BDT"
    assert method_label({"method": "new_method"}) == "new_method"
    assert method_label({"method": "reference_spanet"}) == "SPANet (reference)"
    assert method_label({"method": "chi2", "label": "mine"}) == "mine"
    colors = method_colors(["spanet_sm", "spanet_btag_upgrade", "foo", "bar", "foo"])
    assert colors["spanet_sm"] == colors["spanet_btag_upgrade"] and colors["foo"] != colors["bar"]
    # same colour, so the upgrade variant is told apart by its dashes
    assert method_linestyle("spanet_btag_upgrade") == "--" and method_linestyle("chi2_upart") == "--"
    assert method_linestyle("spanet_sm") == "-" and method_linestyle("chi2") == "-"
    assert sample_label("hh_klm2p45") == r"$HH \to 4b$, $\kappa_\lambda = -2.45$"


def test_seed_replicas_draw_an_envelope_not_a_method_of_their_own(json_files):
    documents = read_documents(json_files["metrics"], ("metrics",))
    spanet = next(document for document in documents if document["method"] == "spanet_kl_mixed")
    replicas = []
    for replica, shift in ((1, 0.05), (2, -0.05)):
        copy = json.loads(json.dumps(spanet))
        copy["method"] = f"spanet_kl_mixed_seed{replica}"
        for topology in copy["vs_pt"]["purity"].values():
            topology["value"] = [None if v is None else v + shift for v in topology["value"]]
        replicas.append(copy)
    figure = make_figure("purity_vs_pt", [*documents, *replicas])
    ax = figure.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert len(labels) == len(documents) and not any("seed" in label for label in labels)
    assert [patch for patch in ax.patches if patch.get_hatch() == "///"]
    plain = make_figure("purity_vs_pt", documents)
    assert not [patch for patch in plain.axes[0].patches if patch.get_hatch() == "///"]
