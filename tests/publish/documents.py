"""Small hand-made inputs of the publishing step, in the shapes the workflow writes (metrics, scan, workspaces)."""

from __future__ import annotations

import json
from pathlib import Path

from multihiggs.stats.results import MethodResult, ScanResults, write_results

PT_EDGES = [0.0, 100.0, 200.0, 400.0]


def ratio(numerator: float, denominator: float) -> dict:
    """A ratio cell with a made-up interval around the value (None when the denominator is 0)."""
    if denominator == 0:
        return {"value": None, "lower": None, "upper": None, "numerator": 0.0, "denominator": 0.0}
    value = numerator / denominator
    return {
        "value": value,
        "lower": max(0.0, value - 0.1),
        "upper": min(1.0, value + 0.05),
        "numerator": numerator,
        "denominator": denominator,
    }


def jet_bin_labels(n_higgs: int) -> list[str]:
    """The jet-multiplicity bins of the metrics: = 2H, = 2H + 1, ≥ 2H + 2 AK5 jets, and all events."""
    return [f"= {2 * n_higgs}", f"= {2 * n_higgs + 1}", f"≥ {2 * n_higgs + 2}", "all"]


def _columns(cells: list[dict]) -> dict:
    return {key: [cell[key] for cell in cells] for key in ("value", "lower", "upper", "numerator", "denominator")}


def metrics_document(method: str, sample: str = "hhh", n_higgs: int = 3, n_events: int = 120, shift: int = 0) -> dict:
    """A metrics document (``python -m multihiggs.evaluate``) with the keys publishing reads; no boosted candidate."""
    resolved = [ratio(5 + shift, 20), ratio(7, 10), ratio(3 + shift, 4)]
    boosted = [ratio(0, 0)] * 3
    categories = {
        name: {
            "label": label,
            "event_fraction": [ratio(10 + i, 120) for i in range(4)],
            "event_purity": [ratio(4 + i + shift, 10 + i) for i in range(4)],
            "higgs_purity": [ratio(6 + i, 12 + i + shift) for i in range(4)],
        }
        for name, label in (("partial", f"1–{n_higgs - 1} h"), ("complete", f"{n_higgs} h"))
    }
    return {
        "kind": "metrics",
        "schema_version": 1,
        "method": method,
        "sample": sample,
        "btag": "CSV",
        "kl": 1.0,
        "n_events": n_events,
        "n_higgs": n_higgs,
        "weighted": False,
        "confidence": 0.6826894921370859,
        "interval": "clopper_pearson",
        "pt_edges": PT_EDGES,
        "vs_pt": {
            quantity: {"resolved": _columns(resolved), "boosted": _columns(boosted), "combined": _columns(resolved)}
            for quantity in ("purity", "efficiency")
        },
        "inclusive": {
            "purity": {"resolved": ratio(50, 120), "boosted": ratio(0, 0), "combined": ratio(50 + shift, 120)},
            "efficiency": {"resolved": ratio(40, 100), "boosted": ratio(0, 10), "combined": ratio(40, 110)},
        },
        "events": {
            "jet_bins": [{"label": label} for label in jet_bin_labels(n_higgs)],
            "categories": categories,
        },
        "classification": None,
    }


def scan_results() -> ScanResults:
    """Two methods, two luminosities, five κλ points; one open bound, one missing CLs interval, two segments."""
    kl = [-2.0, 0.0, 1.0, 3.0, 5.0]

    def interval(lower: float | None, upper: float | None, segments: list | None = None) -> dict:
        return {"lower": lower, "upper": upper, "segments": segments or [[lower, upper]]}

    def rows(bounds: list[tuple]) -> list[dict]:
        return [
            {
                "luminosity_fb": lumi,
                "profile_68": interval(None if low is None else low + 0.5, high - 0.5),
                "profile_95": interval(low, high, [[low, 0.25], [0.75, high]] if lumi == 3000.0 else None),
                "cls_95": None if lumi == 3000.0 else interval(low, high),
            }
            for lumi, (low, high) in zip((139.0, 3000.0), bounds, strict=True)
        ]

    def method(label: str, bounds: list[tuple]) -> MethodResult:
        curve = [[4.1, 1.2, 0.0, 2.5, None], [9.0, 3.3, 0.0, 6.1, 11.2]]
        return MethodResult(label=label, selection="score > 0.5", delta_nll2=curve, cls=curve, intervals=rows(bounds))

    methods = [method("spanet_kl_mixed", [(-1.234, 6.789), (-0.5, 3.25)]), method("chi2", [(None, 8.0), (-1.0, 4.0)])]
    return ScanResults(kl=kl, luminosities_fb=[139.0, 3000.0], methods=methods, settings={"kl_range": [-2, 5, 1]})


def write_inputs(directory: Path) -> dict[str, list[Path] | Path]:
    """Metrics of two methods on HHH and on HH, a scan and two workspaces under ``directory``; their paths."""
    paths: dict[str, list[Path] | Path] = {"hhh": [], "hh": []}
    for analysis, sample, n_higgs in (("hhh", "hhh", 3), ("hh", "hh_kl1", 2)):
        for shift, method in enumerate(("spanet_sm", "chi2")):
            path = directory / f"metrics_{analysis}_{method}.json"
            path.write_text(json.dumps(metrics_document(method, sample, n_higgs, shift=shift)))
            paths[analysis].append(path)
    paths["scan"] = directory / "kl_scan.json"
    write_results(paths["scan"], scan_results())
    workspaces = directory / "workspaces"
    workspaces.mkdir()
    for name in ("spanet_kl_mixed_lumi139.json", "chi2_lumi139.json"):
        (workspaces / name).write_text(json.dumps({"channels": [], "measurements": [], "version": "1.0.0"}))
    paths["workspaces"] = workspaces
    return paths


def classification_document(method: str = "spanet_kl_mixed") -> dict:
    """A classification document (``python -m multihiggs.evaluate.classification``)."""
    return {
        "kind": "classification",
        "schema_version": 1,
        "method": method,
        "sample": "hh_kl1_vs_qcd",
        "weights": "none",
        "auc": 0.87654,
        "accuracy": 0.8125,
        "threshold": 0.5,
        "n_signal": 1234,
        "n_background": 5678,
        "roc": {"signal_efficiency": [0.0, 1.0], "background_efficiency": [0.0, 1.0]},
    }


def selection_dnn_summary(method: str = "chi2") -> dict:
    """The training summary of a selection DNN (``python -m multihiggs.stats.dnn_selection train``)."""
    return {
        "pairing_method": method,
        "n_signal": 300,
        "n_background": 900,
        "accuracy": 0.70049,
        "auc": 0.7715,
        "epochs": 9,
    }
