"""The κλ scan results file (JSON): curves, intervals and equivalent luminosities of every method.

One file per analysis holds, for each method, its −2ΔlnL and CLs curves on the κλ grid at each luminosity, the
intervals of :func:`multihiggs.stats.scan.intervals_by_luminosity`, and (when a reference method is scanned on a
luminosity grid) the equivalent luminosities of :mod:`multihiggs.stats.equivalent_luminosity`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from multihiggs.io.atomic import write_text
from multihiggs.io.json_file import load_json_file

RESULTS_FORMAT_VERSION = 1


@dataclass(frozen=True)
class MethodResult:
    """Scan of one method: curves (L, K) as nested lists, interval rows per luminosity, extras."""

    label: str
    selection: str
    delta_nll2: list
    cls: list
    intervals: list
    equivalent_luminosity: list | None = None
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ReferenceResult:
    """The reference method on a luminosity grid (intervals only)."""

    label: str
    intervals: list


@dataclass(frozen=True)
class ScanResults:
    kl: list
    luminosities_fb: list
    methods: list[MethodResult]
    reference: ReferenceResult | None = None
    settings: dict = field(default_factory=dict)

    def method(self, label: str) -> MethodResult:
        for result in self.methods:
            if result.label == label:
                return result
        raise ValueError(f"no method {label!r} in the scan results (methods: {[m.label for m in self.methods]})")


def _clean(value):
    """JSON-safe copy: arrays to lists, non-finite floats to None."""
    if isinstance(value, np.ndarray):
        return _clean(value.tolist())
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def write_results(path: str | Path, results: ScanResults) -> None:
    content = _clean(asdict(results))
    content["format_version"] = RESULTS_FORMAT_VERSION
    write_text(path, json.dumps(content, indent=1, allow_nan=False) + "\n")


def read_results(path: str | Path) -> ScanResults:
    path = Path(path)
    content = load_json_file(path, "scan results")
    if content.pop("format_version", None) != RESULTS_FORMAT_VERSION:
        raise ValueError(f"{path} is not a scan results file of format version {RESULTS_FORMAT_VERSION}")
    reference = content.pop("reference")
    methods = [MethodResult(**method) for method in content.pop("methods")]
    return ScanResults(methods=methods, reference=ReferenceResult(**reference) if reference else None, **content)


def curve(values: list) -> np.ndarray:
    """A stored curve (nested lists with None for NaN) as a float array."""
    return np.array([[np.nan if v is None else v for v in row] for row in values], dtype=np.float64)
