"""Training-curve figure: the best epoch is the one the trainer keeps; the CLI writes a PDF and its PNG preview."""

from __future__ import annotations

import json

import pytest

from multihiggs.plotting.training_curves import best_epoch, main, training_curves

HISTORY = [
    {"epoch": 1, "train_loss": 2.0, "val_loss": 1.8, "val_purity": 0.2},
    {"epoch": 2, "train_loss": 1.5, "val_loss": 1.2, "val_purity": None},
    {"epoch": 3, "train_loss": 1.2, "val_loss": 1.2, "val_purity": 0.5},
    {"epoch": 4, "train_loss": 1.0, "val_loss": 1.4, "val_purity": 0.6},
]


def test_best_epoch_is_the_first_lowest_finite_validation_loss():
    assert best_epoch(HISTORY) == 2  # epoch 3 ties: the trainer keeps a new best only if strictly lower
    assert best_epoch([{"epoch": 1, "val_loss": None}, {"epoch": 2, "val_loss": 0.9}]) == 2
    assert best_epoch([{"epoch": 1, "val_loss": None}]) is None


def test_recorded_kept_epoch_wins_over_the_loss():
    recorded = [{**row, "best_epoch": 1 if row["epoch"] < 4 else 4} for row in HISTORY]
    assert best_epoch(recorded) == 4  # the trainer selected on purity


def test_head_auc_is_drawn_beside_the_purity():
    with_head = [{**row, "val_auc_signal": 0.6 + 0.05 * row["epoch"]} for row in HISTORY]
    purity_ax = training_curves(with_head).axes[1]
    assert "validation AUC (signal)" in [text.get_text() for text in purity_ax.get_legend().get_texts()]
    assert "AUC" in purity_ax.get_ylabel()


def test_figure_marks_the_best_epoch_in_both_panels():
    figure = training_curves(HISTORY, label="HH, SPA-Net (SM)")
    assert len(figure.axes) == 2
    for ax in figure.axes:
        legend = [text.get_text() for text in ax.get_legend().get_texts()]
        assert "kept epoch (2)" in legend
    assert figure.axes[0].get_legend().get_title().get_text() == "HH, SPA-Net (SM)"


def test_cli_writes_pdf_and_png_and_refuses_a_file_without_epochs(tmp_path, capsys):
    metrics = tmp_path / "metrics.json"
    metrics.write_text(json.dumps(HISTORY))
    output = tmp_path / "curves.pdf"
    main([str(metrics), "--method", "spanet_kl_mixed", "--analysis", "hh", "-o", str(output)])
    assert output.read_bytes().startswith(b"%PDF")
    assert (tmp_path / "curves.png").read_bytes().startswith(b"\x89PNG")
    metrics.write_text("[]")
    with pytest.raises(SystemExit) as exit_info:
        main([str(metrics), "-o", str(tmp_path / "bad.pdf")])
    assert exit_info.value.code == 2
    assert "a SPA-Net metrics.json" in capsys.readouterr().err
