"""Training-seed spread of the claims: each claim measured again with every SPA-Net method replaced by its seed
replica (``spanet_v_seed<k>``, :mod:`multihiggs.methods`), the values aggregated over the seeds.

A claim whose value rests on SPA-Net methods trained from n seeds (``spanet.training_seeds``) is evaluated n times:
replica k reads, for every such method, the result files of its k-th replica (k = 0: the method itself); other
inputs (baselines, samples) stay. The standard deviation of the n values is the claim's training-seed spread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from multihiggs.evaluate.seed_spread import SeedSpread, aggregate_seeds
from multihiggs.methods import replica_name
from multihiggs.reproduction.catalogue import NUMERIC_KINDS, Claim
from multihiggs.reproduction.expressions import Lookup, SampleSets, evaluate, required_sources
from multihiggs.reproduction.measurement import NotMeasured
from multihiggs.reproduction.sources import SourceRef


def replica_source(ref: SourceRef, replica: int, trainings: Mapping[str, int]) -> SourceRef:
    """``ref`` with its method replaced by the method's ``replica``-th seed replica (when the method has one)."""
    method = ref.values.get("method")
    if replica == 0 or method is None or trainings.get(method, 1) <= replica:
        return ref
    return SourceRef.make(ref.kind, {**ref.values, "method": replica_name(method, replica)})


def replica_sources(refs: Sequence[SourceRef], trainings: Mapping[str, int]) -> list[SourceRef]:
    """The replicas' result files of ``refs``: what the spreads read besides the claims' own files."""
    return list(
        dict.fromkeys(
            replica_source(ref, replica, trainings)
            for ref in refs
            for replica in range(1, trainings.get(ref.values.get("method", ""), 1))
        )
    )


def _replicated_count(claim: Claim, sample_sets: SampleSets, trainings: Mapping[str, int]) -> int:
    """Seeds every replicated method of ``claim`` has (the fewest), 1 when it reads no replicated method."""
    methods = {ref.values.get("method") for ref in required_sources((claim,), sample_sets)}
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
                return lookup(replica_source(ref, replica, trainings))

            try:
                values.append(evaluate(claim.ours, replica_lookup, sample_sets).scalar()[0])
            except NotMeasured:
                values.append(None)
        spread = aggregate_seeds(values)
        if spread is not None and spread.n >= 2:
            spreads[claim.id] = spread
    return spreads
