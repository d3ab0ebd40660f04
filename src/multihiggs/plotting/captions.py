"""Report captions of the figure kinds of :mod:`multihiggs.plotting.figures`: what is plotted, with which definitions.

The ``figure`` rule hands the caption of its figure's kind to ``workflow/report/figure.rst`` (reStructuredText).
Definitions follow :mod:`multihiggs.evaluate.metrics`; a test checks that every figure kind has a caption.
"""

from __future__ import annotations

_CORRECT = (
    "A candidate is *correct* when its jets are those matched to one truth Higgs boson (resolved: the two AK5 jets "
    "matched to its b quarks; boosted: the AK8 jet matched to it)."
)
_INTERVALS = "Bands and error bars: Clopper–Pearson 68 % intervals (unit event weights)."
_SEEDS = (
    "Hatched (where a SPA-Net variant was trained from several seeds, config spanet.training_seeds): the range of "
    "the value over the trainings."
)

FIGURE_CAPTIONS: dict[str, str] = {
    "purity_vs_pt": (
        "**Reconstruction purity** vs the *reconstructed* Higgs-candidate pT (dijet or AK8 jet pT), a panel per "
        "candidate topology (resolved, boosted): correct candidates / candidates of that topology. "
        f"{_CORRECT} {_INTERVALS} {_SEEDS}"
    ),
    "efficiency_vs_pt": (
        "**Matching efficiency** vs the *truth* Higgs pT, a panel per target topology: truth Higgs credited to a "
        "correct candidate of their target topology / reconstructable truth Higgs of that topology (boosted if the "
        f"Higgs has a matched AK8 jet, else resolved). {_CORRECT} {_INTERVALS} {_SEEDS}"
    ),
    "purity_vs_njets": (
        "**H purity** (correctly reconstructed Higgs / reconstructable Higgs) per AK5-jet multiplicity bin "
        "(= 2N, = 2N + 1, ≥ 2N + 2 jets for N Higgs bosons; *Full* is every event). Left: events with 1 to N "
        f"reconstructable Higgs; right: events with all N reconstructable. {_CORRECT} {_INTERVALS}"
    ),
    "reco_higgs_mass": (
        "**Reconstructed Higgs-candidate masses** on the signal sample, a panel per candidate topology (resolved "
        "dijets, boosted AK8 jets), each method normalised to unit area over 0–300 GeV (5 GeV bins)."
    ),
    "mass_sculpting_qcd": (
        "**Mass sculpting on QCD multijet events**: the resolved-candidate mass of each method (solid) against the "
        "same jets re-paired at random (dashed) and random pairs of the event's jets (dotted), unit area. The "
        "legend gives the Jensen–Shannon distance (base 2, 0 = no sculpting by the pairing) between the method's "
        "distribution and each random one. QCD events carry their event weights."
    ),
    "kl_dependence": (
        "**Pairing efficiency vs κλ** (HH → 4b samples at several κλ): event efficiency (every Higgs of the event "
        "reconstructed correctly) and Higgs efficiency (correct Higgs / reconstructable Higgs) of events with both "
        f"Higgs reconstructable, inclusive in jet multiplicity. {_CORRECT} {_INTERVALS}"
    ),
    "btag_upgrade": (
        "**b-tagging upgrade**: matching efficiency (vs truth Higgs pT) and reconstruction purity (vs reconstructed "
        "pT) of the combined topology, each method with CSV-like 70 % b tagging (solid) and the UParT-like 85 % "
        f"working point (dashed, same colour). {_CORRECT} {_INTERVALS}"
    ),
    "roc_classification": (
        "**Signal vs QCD classification**: ROC curve (signal efficiency vs background efficiency) of each method's "
        "signal score on the SM signal and QCD test events, event weights rescaled so that signal and background "
        "carry equal totals (class-balanced); AUC in the legend, the diagonal is no skill."
    ),
    "mass_plane": (
        "**m_H1 vs m_H2 plane** of the two highest-pT Higgs candidates of each event (boosted or resolved alike), a "
        "panel per method: fraction of events per 10 GeV × 10 GeV cell on one shared colour scale; dotted lines at "
        "125 GeV. Signal (metrics) or QCD multijet (sculpting) events, as the figure name says."
    ),
}


def figure_caption(kind: str) -> str:
    """The caption of the figure kind ``kind`` (a name of :data:`multihiggs.plotting.figures.FIGURES`)."""
    if kind not in FIGURE_CAPTIONS:
        raise ValueError(f"no report caption for figure kind {kind!r}: add it to multihiggs.plotting.captions")
    return FIGURE_CAPTIONS[kind]
