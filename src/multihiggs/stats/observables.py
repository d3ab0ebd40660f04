"""Event observables of a reconstruction method: Higgs-candidate kinematics, m_HH and the selection-DNN inputs.

A method's :class:`~multihiggs.io.predictions.Predictions` name, per event, resolved candidates (AK5 jet pairs)
and boosted candidates (AK8 jets) in unordered slots. The candidates of an event are all its valid resolved pairs
and boosted jets; the event is *reconstructed* when it has at least ``n_higgs`` of them, and its Higgs candidates
are then the ``n_higgs`` leading ones in pT (a method that fills more slots than Higgs bosons, which none of ours
does, would lose its softest candidates). The system mass (m_HH for HH, m_HHH for HHH) is the invariant mass of
the Higgs candidates. Units: GeV, rad.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import vector

from multihiggs.io.predictions import Predictions
from multihiggs.jets import Jets, dijet_momenta

#: Per-candidate quantities entering the selection DNN, in this order for candidate 1, 2, ... (pT-ordered).
CANDIDATE_FEATURES: tuple[str, ...] = ("mass", "pt", "eta", "delta_r_jets")


@dataclass(frozen=True)
class HiggsCandidateKinematics:
    """The ``n_higgs`` leading-pT Higgs candidates of N events; arrays (N, H) unless stated.

    Attributes:
        px, py, pz, energy: candidate four-momentum (GeV); NaN where the event is not reconstructed.
        delta_r_jets: ΔR between the two AK5 jets of a resolved candidate; 0 for a boosted one; NaN if missing.
        boosted: True where the candidate is an AK8 jet.
        reconstructed: bool (N,), the event has at least H candidates.
    """

    px: np.ndarray
    py: np.ndarray
    pz: np.ndarray
    energy: np.ndarray
    delta_r_jets: np.ndarray
    boosted: np.ndarray
    reconstructed: np.ndarray

    @property
    def n_higgs(self) -> int:
        return int(self.px.shape[1])

    def momenta(self) -> vector.MomentumNumpy4D:
        """Candidate four-momenta (N, H) (NaN components where not reconstructed)."""
        return vector.array({"px": self.px, "py": self.py, "pz": self.pz, "E": self.energy})

    def system_mass(self) -> np.ndarray:
        """Invariant mass (GeV) of the H candidates (m_HH or m_HHH), float64 (N,); NaN if not reconstructed."""
        total = vector.array(
            {
                "px": self.px.sum(axis=1),
                "py": self.py.sum(axis=1),
                "pz": self.pz.sum(axis=1),
                "E": self.energy.sum(axis=1),
            }
        )
        return np.asarray(total.mass, dtype=np.float64)


def _check_indices(index: np.ndarray, objects: Jets, what: str) -> None:
    """Raise unless every non-negative entry of ``index`` (N, ...) names a real (unmasked) object."""
    flat = index.reshape(len(index), -1)
    if (flat >= objects.n_slots).any() or (flat < -1).any():
        raise ValueError(f"{what} holds indices outside [-1, {objects.n_slots - 1}]")
    rows = np.arange(len(flat))[:, None]
    padded = (flat >= 0) & ~objects.mask[rows, np.maximum(flat, 0)]
    if padded.any():
        first = int(np.flatnonzero(padded.any(axis=1))[0])
        raise ValueError(f"{what} points to a padded (absent) jet, first in event {first}")


def higgs_candidates(jets: Jets, predictions: Predictions, fatjets: Jets | None = None) -> HiggsCandidateKinematics:
    """The Higgs candidates of a method's predictions.

    Args:
        jets: AK5 jets (N, J).
        predictions: the method's predictions on the same N events.
        fatjets: AK8 jets (N, B) as a :class:`Jets` batch (b-tag unused); needed only if the predictions hold
            boosted candidates.
    """
    if predictions.n_events != jets.n_events:
        raise ValueError(
            f"predictions of method {predictions.method!r} have {predictions.n_events} events, the jets {jets.n_events}"
        )
    n_events, n_higgs = predictions.n_events, predictions.n_higgs
    pairs = np.asarray(predictions.resolved_assignments, dtype=np.int64)
    resolved = (pairs >= 0).all(axis=-1)
    pairs = np.where(resolved[..., None], pairs, -1)
    _check_indices(pairs, jets, f"resolved_assignments of {predictions.method!r}")
    resolved_p4 = dijet_momenta(jets, pairs)
    first = jets.take(pairs[..., 0]).four_momenta()
    second = jets.take(pairs[..., 1]).four_momenta()
    resolved_dr = np.where(resolved, first.deltaR(second), np.nan)

    boosted_index = np.asarray(predictions.boosted_assignments, dtype=np.int64)
    boosted = boosted_index >= 0
    if boosted.any():
        if fatjets is None:
            raise ValueError(f"predictions of method {predictions.method!r} hold boosted candidates: pass the AK8 jets")
        if fatjets.n_events != n_events:
            raise ValueError(f"AK8 jets have {fatjets.n_events} events, the predictions {n_events}")
        _check_indices(boosted_index, fatjets, f"boosted_assignments of {predictions.method!r}")
        boosted_p4 = fatjets.take(boosted_index).four_momenta()
        boosted_components = [np.asarray(getattr(boosted_p4, name)) for name in ("px", "py", "pz", "E")]
    else:
        boosted_components = [np.zeros((n_events, n_higgs)) for _ in range(4)]

    valid = np.concatenate([resolved, boosted], axis=1)  # (N, 2H): resolved slots then boosted slots
    components = [
        np.concatenate([np.asarray(getattr(resolved_p4, name)), boosted_part], axis=1)
        for name, boosted_part in zip(("px", "py", "pz", "E"), boosted_components, strict=True)
    ]
    delta_r = np.concatenate([resolved_dr, np.zeros((n_events, n_higgs))], axis=1)
    is_boosted = np.repeat([False, True], n_higgs)[None, :].repeat(n_events, axis=0)

    pt = np.where(valid, np.hypot(components[0], components[1]), -np.inf)
    order = np.argsort(-pt, axis=1, kind="stable")[:, :n_higgs]
    reconstructed = valid.sum(axis=1) >= n_higgs

    def leading(values: np.ndarray, fill: float | bool) -> np.ndarray:
        chosen = np.take_along_axis(values, order, axis=1)
        return np.where(reconstructed[:, None], chosen, fill)

    px, py, pz, energy = (leading(values.astype(np.float64), np.nan) for values in components)
    return HiggsCandidateKinematics(
        px=px,
        py=py,
        pz=pz,
        energy=energy,
        delta_r_jets=leading(delta_r, np.nan),
        boosted=leading(is_boosted, False).astype(bool),
        reconstructed=reconstructed,
    )


def selection_feature_names(n_higgs: int) -> tuple[str, ...]:
    """Names of the columns of :func:`selection_features` for ``n_higgs`` candidates."""
    names = [f"h{k}_{quantity}" for k in range(1, n_higgs + 1) for quantity in CANDIDATE_FEATURES]
    names += [f"delta_r_h{i + 1}_h{j + 1}" for i, j in combinations(range(n_higgs), 2)]
    names.append("system_mass")
    return tuple(names)


def selection_features(candidates: HiggsCandidateKinematics) -> np.ndarray:
    """Inputs of the event-selection DNN, float64 (N, F) in the order of :func:`selection_feature_names`.

    Per pT-ordered candidate: mass (GeV), pT (GeV), η, ΔR between its jets; then ΔR between every pair of
    candidates, then the system mass (GeV). Rows of events that are not reconstructed are NaN.
    """
    momenta = candidates.momenta()
    per_candidate = {
        "mass": np.asarray(momenta.mass),
        "pt": np.asarray(momenta.pt),
        "eta": np.asarray(momenta.eta),
        "delta_r_jets": candidates.delta_r_jets,
    }
    columns = [per_candidate[quantity][:, k] for k in range(candidates.n_higgs) for quantity in CANDIDATE_FEATURES]
    columns += [np.asarray(momenta[:, i].deltaR(momenta[:, j])) for i, j in combinations(range(candidates.n_higgs), 2)]
    columns.append(candidates.system_mass())
    features = np.stack(columns, axis=1).astype(np.float64)
    features[~candidates.reconstructed] = np.nan
    return features
