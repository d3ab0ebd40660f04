"""The training-curve figure reads what training writes: its best epoch is the one whose weights model.pt holds."""

from __future__ import annotations

import torch

from multihiggs.plotting.training_curves import best_epoch, main, read_history
from multihiggs.spanet.trainer import METRICS_FILE, fit


def test_curves_of_a_real_run_mark_the_kept_epoch(tmp_path, hh_file, hh_event_info, tiny_options):
    options = tiny_options.updated({"training_file": str(hh_file), "epochs": 3, "seed": 5})
    run = tmp_path / "spanet_sm"
    fit(options, hh_event_info, run, progress=False)
    history = read_history(run / METRICS_FILE)
    assert [row["epoch"] for row in history] == [1, 2, 3]
    best = best_epoch(history)
    progress = torch.load(run / "checkpoint.pt", weights_only=True)["progress"]
    assert best == progress["best_epoch"]
    assert -history[best - 1]["val_purity"] == progress["best_value"]  # checkpoint_metric "purity"
    assert history[best - 1]["val_purity"] == max(row["val_purity"] for row in history[:best])
    main([str(run / METRICS_FILE), "--method", "spanet_sm", "--analysis", "hh", "-o", str(tmp_path / "curves.pdf")])
    assert (tmp_path / "curves.pdf").stat().st_size > 0 and (tmp_path / "curves.png").stat().st_size > 0
