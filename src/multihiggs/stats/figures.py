"""Figures of the κλ scan: −2ΔlnL and CLs versus κλ (methods overlaid, one panel per luminosity), and the
κλ intervals versus luminosity (the reference method as bands, the other methods as intervals)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from multihiggs.plotting.style import label_axes, save_figure, use_style
from multihiggs.stats.equivalent_luminosity import bound_values
from multihiggs.stats.results import ScanResults, curve
from multihiggs.stats.scan import CLS_ALPHA, Q_68, Q_95

KL_LABEL = r"$\kappa_\lambda$"


def _panels(n_panels: int):
    figure, axes = plt.subplots(1, n_panels, figsize=(8 * n_panels, 7), squeeze=False)
    return figure, axes[0]


@dataclass(frozen=True)
class _ScanPanels:
    """What a κλ-scan figure shows: a curve of every method (a ``MethodResult`` field) and its y axis."""

    quantity: str
    ylabel: str
    ylim: tuple[float, float]
    reference_lines: tuple[tuple[float, str], ...]
    legend_loc: str
    log_y: bool = False


_PROFILE_PANELS = _ScanPanels(
    quantity="delta_nll2",
    ylabel=r"$-2\Delta\ln L$ (Asimov, $\kappa_\lambda = 1$)",
    ylim=(0, 10),
    reference_lines=((Q_68, "68% CL"), (Q_95, "95% CL")),
    legend_loc="upper center",
)
_CLS_PANELS = _ScanPanels(
    quantity="cls",
    ylabel="CLs",
    ylim=(1e-3, 2),
    reference_lines=((CLS_ALPHA, "CLs = 0.05"),),
    legend_loc="lower center",
    log_y=True,
)


def _plot_scan(results: ScanResults, path: str | Path, energy_tev: float | None, panels: _ScanPanels) -> None:
    """One panel per luminosity: the ``panels.quantity`` curve of every method versus κλ, with reference lines."""
    use_style()
    kl = np.asarray(results.kl)
    figure, axes = _panels(len(results.luminosities_fb))
    for index, (ax, lumi) in enumerate(zip(axes, results.luminosities_fb, strict=True)):
        for method in results.methods:
            ax.plot(kl, curve(getattr(method, panels.quantity))[index], label=method.label)
        for level, text in panels.reference_lines:
            ax.axhline(level, color="grey", linestyle="--", linewidth=1)
            ax.text(kl[0], level, f" {text}", va="bottom", ha="left", fontsize=12, color="grey")
        if panels.log_y:
            ax.set_yscale("log")
        ax.set_xlim(kl[0], kl[-1])
        ax.set_ylim(*panels.ylim)
        ax.set_xlabel(KL_LABEL)
        ax.set_ylabel(panels.ylabel)
        ax.legend(fontsize=12, loc=panels.legend_loc, title=f"{lumi:g} fb$^{{-1}}$", title_fontsize=14)
        label_axes(ax, energy_tev)
    save_figure(figure, path)


def plot_profile_scan(results: ScanResults, path: str | Path, energy_tev: float | None = 13.0) -> None:
    """−2ΔlnL(κλ) of every method, one panel per luminosity, with the 68% and 95% CL lines."""
    _plot_scan(results, path, energy_tev, _PROFILE_PANELS)


def plot_cls_scan(results: ScanResults, path: str | Path, energy_tev: float | None = 13.0) -> None:
    """CLs(κλ) (tested against the SM Asimov data) of every method, one panel per luminosity, with the 0.05 line."""
    _plot_scan(results, path, energy_tev, _CLS_PANELS)


def plot_intervals_vs_luminosity(results: ScanResults, path: str | Path, energy_tev: float | None = 13.0) -> None:
    """Expected κλ intervals versus luminosity: the reference method's 68%/95% profile-likelihood bands on its
    luminosity grid (if scanned), and every method's 95% profile-likelihood interval at the scan luminosities."""
    use_style()
    figure, ax = plt.subplots(figsize=(10, 7))
    if results.reference is not None:
        rows = results.reference.intervals
        lumi = np.array([row["luminosity_fb"] for row in rows])
        for key, alpha, text in (("profile_95", 0.25, "95%"), ("profile_68", 0.5, "68%")):
            lower, upper = bound_values(rows, key, "lower"), bound_values(rows, key, "upper")
            ax.fill_between(
                lumi,
                lower,
                upper,
                color="tab:blue",
                alpha=alpha,
                linewidth=0,
                label=f"{results.reference.label} ({text} CL)",
            )
    n_methods = len(results.methods)
    for index, method in enumerate(results.methods):
        rows = method.intervals
        lumi = np.array([row["luminosity_fb"] for row in rows])
        lower, upper = bound_values(rows, "profile_95", "lower"), bound_values(rows, "profile_95", "upper")
        shifted = lumi * 1.06 ** (index - (n_methods - 1) / 2)  # side by side on the log axis
        centre = np.where(np.isfinite(lower + upper), 0.5 * (lower + upper), np.nan)
        ax.errorbar(
            shifted,
            centre,
            yerr=[centre - lower, upper - centre],
            fmt="none",
            capsize=4,
            linewidth=2,
            label=f"{method.label} (95% CL)",
            color=f"C{(index + 1) % 10}",
        )
    ax.axhline(1.0, color="black", linestyle=":", linewidth=1)
    all_lumi = list(results.luminosities_fb)
    if results.reference is not None:
        all_lumi += [row["luminosity_fb"] for row in results.reference.intervals]
    ax.set_xscale("log")
    ax.set_xlim(min(all_lumi) / 1.5, max(all_lumi) * 1.5)  # fixed: intervals open everywhere plot nothing
    ax.set_ylim(results.kl[0], results.kl[-1])
    ax.set_xlabel(r"Integrated luminosity (fb$^{-1}$)")
    ax.set_ylabel(r"Expected allowed $\kappa_\lambda$")
    ax.legend(fontsize=12, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    label_axes(ax, energy_tev)
    save_figure(figure, path)
