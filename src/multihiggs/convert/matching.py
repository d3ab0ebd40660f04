"""Truth matching of Higgs b quarks to AK5 jets and of Higgs bosons to AK8 jets (the matching of spanet_hh_hhh_2024;
pure; rad).

- Resolved: a b quark matches the closest AK5 jet with ΔR ≤ 0.5 that carries hadron b flavour (``Jet.Flavor`` 5);
  one jet cannot take two quarks: pairs are accepted closest first, globally over the event (a quark that loses
  its closest jet to a closer quark takes its next candidate, if any). A Higgs is resolved-reconstructable when both
  of its quarks match (necessarily distinct) jets.
- Boosted: an AK8 jet within ΔR ≤ 0.8 of the Higgs and of both its b quarks; one AK8 jet per Higgs, conflicts
  resolved the same way by ΔR(Higgs, jet).

Jet indices are positions in the selected, pT-ordered jet lists (padded arrays, shape (N, J)); callers pass all
selected jets and then :func:`truncate_indices` sets matches beyond the stored jets to -1.
"""

from __future__ import annotations

import numpy as np
import vector

RESOLVED_MAX_DR = 0.5
BOOSTED_MAX_DR = 0.8
B_HADRON_FLAVOUR = 5
UNMATCHED = -1


def _directions(eta: np.ndarray, phi: np.ndarray) -> vector.VectorNumpy3D:
    """Unit-rho 3-vectors with the given η and φ (rad), any shape; only directions matter for ΔR."""
    eta32 = np.asarray(eta, dtype=np.float32)
    return vector.array({"rho": np.ones_like(eta32), "eta": eta32, "phi": np.asarray(phi, dtype=np.float32)})


def delta_r_table(eta_a: np.ndarray, phi_a: np.ndarray, eta_b: np.ndarray, phi_b: np.ndarray) -> np.ndarray:
    """ΔR between every object a (N, A) and every object b (N, B) of the same event, shape (N, A, B).

    NaN coordinates (absent objects) give NaN, which never passes a ``<=`` cut.
    """
    objects_a = _directions(eta_a[:, :, None], phi_a[:, :, None])
    objects_b = _directions(eta_b[:, None, :], phi_b[:, None, :])
    return np.asarray(objects_a.deltaR(objects_b))


def unique_closest_assignment(distance: np.ndarray) -> np.ndarray:
    """Assign each object a jet, closest pair first, no jet used twice.

    ``distance`` (N, P, J): distance of object p to jet j, ``inf`` (or NaN) where the pair is not allowed.
    Returns (N, P) int64 jet indices, -1 for objects left without a jet. Ties go to the lower object, then
    jet, index (deterministic).
    """
    n_events, n_objects, n_jets = distance.shape
    remaining = np.where(np.isnan(distance), np.inf, distance)
    assignment = np.full((n_events, n_objects), UNMATCHED, dtype=np.int64)
    if n_objects == 0 or n_jets == 0:
        return assignment
    candidates = remaining.reshape(n_events, n_objects * n_jets)  # a view: updates show in ``remaining``
    active = np.flatnonzero(np.isfinite(candidates).any(axis=1))
    for _ in range(min(n_objects, n_jets)):
        if active.size == 0:
            break
        best = np.argmin(candidates[active], axis=1)
        found = np.isfinite(candidates[active, best])
        events, best = active[found], best[found]
        objects, jets = np.divmod(best, n_jets)
        assignment[events, objects] = jets
        remaining[events, objects, :] = np.inf
        remaining[events, :, jets] = np.inf
        active = events
    return assignment


def match_resolved(
    quark_eta: np.ndarray,
    quark_phi: np.ndarray,
    jet_eta: np.ndarray,
    jet_phi: np.ndarray,
    jet_flavour: np.ndarray,
    jet_valid: np.ndarray,
    max_dr: float = RESOLVED_MAX_DR,
    required_flavour: int | None = B_HADRON_FLAVOUR,
) -> np.ndarray:
    """AK5 jet index of each b quark, shape (N, H, 2); -1 if unmatched.

    Quarks: (N, H, 2) η and φ (NaN where absent). Jets: (N, J) η, φ, hadron flavour and validity (padding False).
    ``required_flavour`` None: any flavour (files that carry no jet flavour).
    """
    n_events, n_higgs, n_daughters = quark_eta.shape
    n_quarks = n_higgs * n_daughters
    distance = delta_r_table(
        quark_eta.reshape(n_events, n_quarks), quark_phi.reshape(n_events, n_quarks), jet_eta, jet_phi
    )
    candidate = jet_valid if required_flavour is None else jet_valid & (jet_flavour == required_flavour)
    allowed = (distance <= max_dr) & candidate[:, None, :]
    assignment = unique_closest_assignment(np.where(allowed, distance, np.inf))
    return assignment.reshape(n_events, n_higgs, n_daughters)


def match_boosted(
    higgs_eta: np.ndarray,
    higgs_phi: np.ndarray,
    quark_eta: np.ndarray,
    quark_phi: np.ndarray,
    fatjet_eta: np.ndarray,
    fatjet_phi: np.ndarray,
    fatjet_valid: np.ndarray,
    max_dr: float = BOOSTED_MAX_DR,
) -> np.ndarray:
    """AK8 jet index of each Higgs, shape (N, H); -1 if no AK8 jet holds the Higgs and both its b quarks.

    Higgs: (N, H) η, φ; quarks: (N, H, 2) η, φ (NaN where absent); AK8 jets: (N, B) η, φ, validity.
    """
    distance = delta_r_table(higgs_eta, higgs_phi, fatjet_eta, fatjet_phi)
    allowed = (distance <= max_dr) & fatjet_valid[:, None, :]
    for daughter in range(quark_eta.shape[-1]):
        quark_distance = delta_r_table(quark_eta[..., daughter], quark_phi[..., daughter], fatjet_eta, fatjet_phi)
        allowed &= quark_distance <= max_dr
    return unique_closest_assignment(np.where(allowed, distance, np.inf))


def truncate_indices(indices: np.ndarray, n_stored: int) -> np.ndarray:
    """Jet indices with matches beyond the ``n_stored`` jets written to file replaced by -1."""
    return np.where(indices < n_stored, indices, UNMATCHED)


def resolved_reconstructable(resolved_targets: np.ndarray) -> np.ndarray:
    """(N, H) bool: both b quarks of the Higgs matched to stored AK5 jets; ``resolved_targets`` is (N, H, 2)."""
    return (resolved_targets >= 0).all(axis=-1)


def boosted_reconstructable(boosted_targets: np.ndarray) -> np.ndarray:
    """(N, H) bool: the Higgs matched to a stored AK8 jet; ``boosted_targets`` is (N, H)."""
    return boosted_targets >= 0
