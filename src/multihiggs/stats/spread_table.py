"""How far QCD Monte-Carlo noise moves each method's expected κλ interval: the bootstrap table.

One row per method from its ``interval-spread`` JSON (:mod:`multihiggs.stats.interval_spread`): the nominal 95 %
profile-likelihood bounds and width, each with its MC spread σ = (p84 − p16) / 2 over the bootstrap replicas, and the
fraction of replicas whose interval leaves the scanned κλ range (open). The spread, not the replicas' median, is the
measurement: resampling a sample of a few dozen effective events adds spikes to the template, which carry shape
information, so the replicas' intervals are narrower than the nominal one on average.
"""

from __future__ import annotations

from collections.abc import Sequence

from multihiggs.tables import latex_table, markdown_table

HEADER = ("method", "threshold", "lower ± MC", "upper ± MC", "width ± MC", "open replicas")


def _with_spread(value: float | None, described: dict) -> str:
    """The nominal value (or "open") ± half the replicas' 16th–84th percentile range."""
    nominal = "open" if value is None else f"{value:.2f}"
    if described["p16"] is None:
        return nominal
    return f"{nominal} ± {(described['p84'] - described['p16']) / 2:.2f}"


def spread_rows(spreads: Sequence[dict]) -> list[list[object]]:
    """One row per method's spread document."""
    rows = []
    for spread in spreads:
        nominal = spread["nominal"]
        rows.append(
            [
                spread["method"],
                "none" if spread["threshold"] is None else f"{spread['threshold']:.3g}",
                _with_spread(nominal["lower"], spread["lower"]),
                _with_spread(nominal["upper"], spread["upper"]),
                _with_spread(nominal["width"], spread["width"]),
                f"{100 * spread['width']['open_fraction']:.0f} %",
            ]
        )
    return rows


def spread_markdown(spreads: Sequence[dict]) -> str:
    luminosities = sorted({spread["luminosity_fb"] for spread in spreads})
    replicas = sorted({spread["replicas"] for spread in spreads})
    intro = (
        f"Expected 95 % profile-likelihood κλ intervals at {', '.join(f'{lumi:g}' for lumi in luminosities)} fb⁻¹ "
        f"and their QCD Monte-Carlo spread: {', '.join(map(str, replicas))} Poisson-bootstrap replicas of the QCD "
        "test events per method, templates rebuilt at the nominal threshold; ± MC is half the replicas' 16th..84th "
        "percentile range (over the replicas whose bound lies in the scanned range), open replicas the share whose "
        "interval leaves it.\n\n"
    )
    return intro + markdown_table(HEADER, spread_rows(spreads))


def spread_latex(spreads: Sequence[dict]) -> str:
    return latex_table(HEADER, spread_rows(spreads))
