"""Tag-rate-function (TRF) backgrounds: b-tag configurations drawn given "at least n tags" (pure, vectorised).

With tag-rate weights a background event is kept with weight P(≥ n tags) (``generate.reco.btag.probability_at_least``)
instead of being cut on its drawn tags, which plain QCD almost never passes. Its b-tag *inputs* must then look
like those of a selected event, so the tags of its candidate jets (the jets the requirement counts) are redrawn
from the distribution conditioned on passing:

    P(t | ≥ n) = Π_j ε_j^t_j (1 − ε_j)^(1 − t_j) / P(≥ n)   for Σ_j t_j ≥ n, 0 otherwise.

Method (exact): sequential conditional sampling, jet by jet. With the tail table R[j, k] = P(jets j … J−1 supply
at least k tags) (a backward Poisson-binomial recursion, R[j, k] = ε_j R[j+1, k−1] + (1 − ε_j) R[j+1, k],
R[·, 0] = 1, R[J, k > 0] = 0) and m = max(n − tags drawn so far, 0) tags still missing, jet j is tagged with

    P(t_j = 1 | t_0 … t_j−1, ≥ n) = ε_j R[j+1, max(m − 1, 0)] / R[j, m].

The product of these factors over the jets is the chain rule of P(t | ≥ n), so every configuration comes out
with exactly its conditional probability, and none with fewer than n tags (leaving jet j untagged has probability
(1 − ε_j) R[j+1, m] / R[j, m], 0 when the later jets cannot supply the m missing tags). Cost: O(N · J · n)
arithmetic, one loop over jet columns, none over events. Events with P(≥ n) = 0 have no passing configuration:
their jets are drawn unconditionally (the caller drops them).

The other working point follows the generator's shared-uniform model (``generate.reco.btag``: tag_WP = u < ε_WP
with one u per jet): given the drawn tag of the selection working point, u is drawn uniformly in [0, ε_sel) if
tagged or [ε_sel, 1) if not, and every other working point's tag is u < ε_other. For b jets with ε_UParT ≥ ε_CSV
this keeps CSV-tagged ⇒ UParT-tagged, and the pair (tag_sel, tag_other) has the generator's joint law given tag_sel.

Random numbers come in as arrays of uniforms in [0, 1) (the conversion derives them from a seeded hash of the
sample, event number and jet slot, see ``splits.event_uniforms``), so results do not depend on chunking.
"""

from __future__ import annotations

import numpy as np


def at_least_tails(efficiency: np.ndarray, n_required: int) -> np.ndarray:
    """Tail table R (N, J+1, n_required+1): R[:, j, k] = P(jets j … J−1 supply at least k tags).

    ``efficiency``: (N, J) per-jet tag probabilities in [0, 1] (0 for jets that cannot count). R[:, 0, n] is
    P(≥ n tags) of the whole event, ``generate.reco.btag.probability_at_least``.
    """
    efficiency = np.asarray(efficiency, dtype=np.float64)
    if n_required < 0:
        raise ValueError(f"n_required must be >= 0, got {n_required}")
    n_events, n_jets = efficiency.shape
    tails = np.zeros((n_events, n_jets + 1, n_required + 1))
    tails[:, :, 0] = 1.0
    for jet in reversed(range(n_jets)):
        p = efficiency[:, jet : jet + 1]
        tails[:, jet, 1:] = p * tails[:, jet + 1, :-1] + (1.0 - p) * tails[:, jet + 1, 1:]
    return tails


def sample_tags_at_least(efficiency: np.ndarray, n_required: int, uniform: np.ndarray) -> np.ndarray:
    """(N, J) bool tags drawn from Π ε^t (1 − ε)^(1−t) conditioned on at least ``n_required`` tags.

    ``efficiency``: (N, J) per-jet tag probabilities (0 for jets that must stay untagged); ``uniform``: (N, J)
    independent uniforms in [0, 1), one per jet. Exact sequential conditional sampling (module docstring).
    Events with P(≥ n) = 0 get unconditional draws.
    """
    efficiency = np.asarray(efficiency, dtype=np.float64)
    uniform = np.asarray(uniform, dtype=np.float64)
    if uniform.shape != efficiency.shape:
        raise ValueError(f"uniform must have the shape of efficiency {efficiency.shape}, got {uniform.shape}")
    tails = at_least_tails(efficiency, n_required)
    n_events, n_jets = efficiency.shape
    rows = np.arange(n_events)
    missing = np.full(n_events, n_required, dtype=np.int64)
    tags = np.zeros((n_events, n_jets), dtype=bool)
    for jet in range(n_jets):
        reachable = tails[rows, jet, missing]
        rest_if_tagged = tails[rows, jet + 1, np.maximum(missing - 1, 0)]
        conditional = np.divide(
            efficiency[:, jet] * rest_if_tagged, reachable, out=efficiency[:, jet].copy(), where=reachable > 0
        )
        tags[:, jet] = uniform[:, jet] < np.clip(conditional, 0.0, 1.0)
        missing = np.maximum(missing - tags[:, jet], 0)
    return tags


def shared_uniform_given_tags(tagged: np.ndarray, efficiency: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """The generator's per-jet uniform u given its tag (u < ε): uniform in [0, ε) if tagged, else in [ε, 1).

    All arguments (N, J) (or any common shape): ``tagged`` bool at the working point of ``efficiency``,
    ``uniform`` fresh uniforms in [0, 1). Comparing the result with another working point's efficiency gives that
    working point's tag with the generator's joint law.
    """
    efficiency = np.asarray(efficiency, dtype=np.float64)
    uniform = np.asarray(uniform, dtype=np.float64)
    return np.where(tagged, efficiency * uniform, efficiency + (1.0 - efficiency) * uniform)


def partial_unweighting(
    probability: np.ndarray, threshold: float, uniform: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(keep (N,) bool, factor (N,)): exact partial unweighting of events weighted by ``probability``.

    An event with weight p ≥ ``threshold`` is kept as it is; one below is kept with probability p / threshold and
    then weighs ``threshold``. Every weight of a kept event is divided by its acceptance a = min(1, p / threshold)
    (the returned ``factor`` = 1 / a), so every weighted sum keeps its expectation, while the many events with tiny
    weights (for signal: jets that are not b jets would have to be mistagged) stop costing training and evaluation
    time. The effective number of events barely changes when the threshold is small against the typical weight.
    ``uniform`` (N,) in [0, 1); threshold 0 keeps every event with a positive weight.
    """
    probability = np.asarray(probability, dtype=np.float64)
    if threshold < 0:
        raise ValueError(f"the unweighting threshold must be >= 0, got {threshold}")
    if threshold == 0:
        return probability > 0, np.ones(probability.shape)
    acceptance = np.minimum(probability / threshold, 1.0)
    keep = (probability > 0) & (np.asarray(uniform) < acceptance)
    return keep, np.divide(1.0, acceptance, out=np.ones(probability.shape), where=keep)
