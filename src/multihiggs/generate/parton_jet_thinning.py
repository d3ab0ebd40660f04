"""Early thinning of QCD events that cannot make the selections' jets, decided in the middle of Pythia's parton level.

Most of the CPU of a QCD event (p̂T > 100 GeV, MPI on) goes into the soft end of the interleaved MPI + ISR + FSR
evolution, hadronisation and the detector; everything down to an evolution scale of 10 GeV costs under 1 ms of
about 20 (measured, benchmarks/qcd_parton_jet_thinning.py). Pythia can stop the evolution at a pT scale and veto
the event there (``UserHooks::doVetoPT``, :class:`multihiggs.generate.shower.PartonJetThinningHook`): a vetoed
event costs almost nothing and leaves Pythia's ``sigmaGen``. At that scale the partons (hard process, the emissions
and MPI above the scale) are clustered with anti-kT; an event meeting one of the jet requirements (by default ≥ 4
parton jets above 35 GeV, or ≥ 6 above 20 GeV) goes on with thinning weight 1. Any other event goes on with
probability ``keep_probability`` and weight 1 / ``keep_probability``, else is vetoed.

The sample stays exact: every event is kept with a known probability and carries its inverse, so each weighted
distribution is unbiased whatever the criterion; the criterion only decides how efficient the sample is. The
cross section of the un-thinned sample comes from Pythia's σ of the kept events and the counts of the hook
(:func:`unthinned_cross_section_pb`); an event's share of it is its Pythia bias weight w times its thinning weight
t over Σ w t.

One caveat, measured as negligible: when Pythia repeats the parton level of the same hard process after a failure,
the decision is drawn again, and the event carries the last one (1 event in 22,861 of the benchmark).
"""

from __future__ import annotations

from multihiggs.samples import PartonJetThinning


def thinning_weight(candidate: bool, uniform: float, thinning: PartonJetThinning) -> float:
    """Weight of an event given a uniform draw in [0, 1): 1 for a ``candidate``, 1 / keep_probability for a kept
    other event, 0 for a vetoed one. E[weight] = 1 for every event."""
    if candidate:
        return 1.0
    return 1.0 / thinning.keep_probability if uniform < thinning.keep_probability else 0.0


def unthinned_cross_section_pb(
    sigma_gen_pb: float, sigma_gen_error_pb: float, n_seen: int, n_vetoed: int
) -> tuple[float, float]:
    """σ (pb) and its error of all events the thinning looked at, from Pythia's σ of the kept ones.

    Under a veto, Pythia's ``sigmaGen`` with a biased phase-space selection drops the vetoed events by count, not
    by weight (measured: a veto of p̂T < 150 GeV left 4.79e5 pb, the count share of the un-vetoed 1.29e6 pb, while
    σ(p̂T > 150 GeV) is 2.21e5 pb): σ_seen = σ_gen n_seen / (n_seen − n_vetoed), the σ Pythia reports without the
    veto. The kept events' w t, normalised to their sum, distribute it (:func:`multihiggs.generate.shard.
    shard_weights_pb`).
    """
    n_kept = n_seen - n_vetoed
    if n_kept <= 0 or n_vetoed < 0:
        raise ValueError(f"the thinning kept no events: looked at {n_seen}, vetoed {n_vetoed}")
    scale = n_seen / n_kept
    return sigma_gen_pb * scale, sigma_gen_error_pb * scale
