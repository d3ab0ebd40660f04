"""Training-seed spread of the claims: each claim measured again with every SPA-Net method replaced by its seed
replica (``spanet_v_seed<k>``, :mod:`multihiggs.methods`), the values aggregated over the seeds.

A claim whose value rests on SPA-Net methods trained from n seeds (``spanet.training_seeds``) is evaluated n times:
replica k reads, for every such method, the result files of its k-th replica (k = 0: the method itself); other
inputs (baselines, samples) stay. The standard deviation of the n values is the claim's training-seed spread.
κλ intervals come from one scan file holding every fitted method: replica k of a claim on the method labelled
``spanet_sm`` reads the entry of ``spanet_sm_seed<k>`` in its place (``multihiggs.methods.stats_replica_name``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from multihiggs.evaluate.seed_spread import SeedSpread, aggregate_seeds
from multihiggs.methods import replica_name, split_stats_selection, stats_replica_name
from multihiggs.reproduction.catalogue import NUMERIC_KINDS, Claim
from multihiggs.reproduction.expressions import Lookup, SampleSets, evaluate, required_sources
from multihiggs.reproduction.measurement import NotMeasured
from multihiggs.reproduction.sources import SourceRef


def _network(ref: SourceRef) -> str | None:
    """The method whose trainings ``ref`` reads: its method, for a κλ-fit method (``interval``) its network's."""
    method = ref.values.get("method")
    return split_stats_selection(method)[0] if method is not None and ref.kind == "interval" else method


def replica_source(ref: SourceRef, replica: int, trainings: Mapping[str, int]) -> SourceRef:
    """``ref`` with its method replaced by the method's ``replica``-th seed replica (when the method has one)."""
    method, network = ref.values.get("method"), _network(ref)
    if replica == 0 or network is None or trainings.get(network, 1) <= replica:
        return ref
    name = stats_replica_name(method, replica) if ref.kind == "interval" else replica_name(method, replica)
    return SourceRef.make(ref.kind, {**ref.values, "method": name})


def replica_sources(refs: Sequence[SourceRef], trainings: Mapping[str, int]) -> list[SourceRef]:
    """The replicas' result files of ``refs``: what the spreads read besides the claims' own files."""
    return list(
        dict.fromkeys(
            replica_source(ref, replica, trainings)
            for ref in refs
            for replica in range(1, trainings.get(_network(ref) or "", 1))
        )
    )


_SCAN_LABEL = re.compile(r"methods\[label=([^\]]+)\]")


def scan_labels(expression: Any) -> set[str]:
    """The fitted methods (scan labels) a claim's expression reads from the κλ scan."""
    if isinstance(expression, str):
        return set(_SCAN_LABEL.findall(expression))
    if isinstance(expression, Mapping):
        expression = list(expression.values())
    if isinstance(expression, list | tuple):
        return set().union(*(scan_labels(item) for item in expression)) if expression else set()
    return set()


def scan_with_replica(document: Mapping[str, Any], replica: int, trainings: Mapping[str, int]) -> dict[str, Any]:
    """The scan document with every method whose network has a ``replica``-th seed replica replaced by that replica's
    entry (under the method's own label); a method whose replica was not fitted is left out (not measured)."""
    entries = {entry.get("label"): entry for entry in document.get("methods", [])}
    methods = []
    for label, entry in entries.items():
        network = split_stats_selection(label)[0]
        if trainings.get(network, 1) <= replica:
            methods.append(entry)
        elif stats_replica_name(label, replica) in entries:
            methods.append({**entries[stats_replica_name(label, replica)], "label": label})
    return {**document, "methods": methods}


def _replicated_count(claim: Claim, sample_sets: SampleSets, trainings: Mapping[str, int]) -> int:
    """Seeds every replicated method of ``claim`` has (the fewest), 1 when it reads no replicated method."""
    methods = {_network(ref) for ref in required_sources((claim,), sample_sets)}
    methods |= {split_stats_selection(label)[0] for label in scan_labels(claim.ours)}
    counts = [trainings[method] for method in methods if trainings.get(method, 1) > 1]
    return min(counts) if counts else 1


def claim_spreads(
    claims: Sequence[Claim], lookup: Lookup, sample_sets: SampleSets, trainings: Mapping[str, int]
) -> dict[str, SeedSpread]:
    """Training-seed spread by claim id, for every measured numeric claim that reads replicated methods.

    ``trainings``: method name -> number of trainings (1 or absent: no replicas). A replica whose inputs are
    missing is left out of the spread; a claim with fewer than two values gets none.
    """
    spreads = {}
    for claim in claims:
        if claim.out_of_scope or claim.not_measured or claim.comparison.kind not in NUMERIC_KINDS:
            continue
        n_seeds = _replicated_count(claim, sample_sets, trainings)
        if n_seeds < 2:
            continue
        values = []
        for replica in range(n_seeds):

            def replica_lookup(ref: SourceRef, replica: int = replica) -> tuple:
                if ref.kind == "scan" and replica > 0:
                    document, where = lookup(ref)
                    return scan_with_replica(document, replica, trainings), where
                return lookup(replica_source(ref, replica, trainings))

            try:
                values.append(evaluate(claim.ours, replica_lookup, sample_sets).scalar()[0])
            except NotMeasured:
                values.append(None)
        spread = aggregate_seeds(values)
        if spread is not None and spread.n >= 2:
            spreads[claim.id] = spread
    return spreads
