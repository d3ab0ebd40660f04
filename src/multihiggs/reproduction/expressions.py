"""The expressions of the claims catalogue that say how we measure a claim, and their evaluation.

An expression is a mapping with one key. Leaves read one of our result files (see
:mod:`multihiggs.reproduction.sources`) at a ``path`` (:mod:`multihiggs.reproduction.paths`):

- ``{metric: {analysis, method, sample, path, [pt_range: [low, high]], [field: denominator]}}``: ``pt_range`` pools
  a binned ratio over the pT bins inside [low, high) GeV (null: open); ``field: denominator`` takes the number
  of objects counted (e.g. reconstructable Higgs) instead of the ratio;
- ``{sculpting: {analysis, method, path}}``, ``{scan: {path}}``, ``{classification: {method, selection, path}}``,
  ``{matching: {analysis, sample, path}}``;
- ``{assignments: {n_jets, n_higgs}}``: the number of unique jet-to-Higgs assignments our baselines enumerate.

Operations: ``{ratio: [a, b]}``, ``{difference: [a, b]}``, ``{pool: [a, b, …]}`` (Σ numerators / Σ denominators),
``{scale: [a, factor]}``, ``{spread: [a, b, …]}`` (max − min), ``{mean: {over: SET, of: a}}`` and
``{stack: {over: SET, of: a}}`` (``a`` evaluated with ``{sample}`` set to each sample of the named sample set).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from multihiggs.baselines.assignments import unique_assignments
from multihiggs.reproduction import measurement as m
from multihiggs.reproduction.catalogue import fill
from multihiggs.reproduction.measurement import Measurement, NotMeasured
from multihiggs.reproduction.paths import PathError, resolve
from multihiggs.reproduction.sources import SOURCE_KINDS, SourceRef

#: Reads a source: (document, file name for messages); raises NotMeasured when the file is not available.
Lookup = Callable[[SourceRef], tuple[Any, str]]
SampleSets = Mapping[str, Sequence[str]]

LEAF_OPTIONS = {"path", "pt_range", "field"}
LIST_OPERATIONS = ("ratio", "difference", "pool", "spread")
SET_OPERATIONS = ("mean", "stack")


def _single_key(expression: Any) -> tuple[str, Any]:
    if not isinstance(expression, Mapping) or len(expression) != 1:
        raise ValueError(f"an expression is a mapping with one key, got {expression!r}")
    return next(iter(expression.items()))


def _members(spec: Mapping[str, Any], sample_sets: SampleSets) -> list[Any]:
    name = spec.get("over")
    if name not in sample_sets:
        raise ValueError(f"unknown sample set {name!r} (known: {sorted(sample_sets)})")
    if not sample_sets[name]:
        raise NotMeasured(f"the sample set {name!r} is empty in this configuration")
    return [fill(spec["of"], {"sample": sample}) for sample in sample_sets[name]]


def _leaf_ref(kind: str, spec: Mapping[str, Any]) -> SourceRef:
    unknown = set(spec) - LEAF_OPTIONS - set(SOURCE_KINDS[kind])
    if unknown or "path" not in spec:
        raise ValueError(f"a {kind} leaf takes {sorted(SOURCE_KINDS[kind])} and path (got {sorted(spec)})")
    return SourceRef.make(kind, {name: spec[name] for name in SOURCE_KINDS[kind]})


def source_refs(expression: Any, sample_sets: SampleSets) -> list[SourceRef]:
    """Every result file an expression (or a list of expressions) reads, in order, without duplicates."""
    if isinstance(expression, list):
        refs = [ref for item in expression for ref in source_refs(item, sample_sets)]
        return list(dict.fromkeys(refs))
    kind, spec = _single_key(expression)
    if kind in SOURCE_KINDS:
        return [_leaf_ref(kind, spec)]
    if kind == "assignments":
        return []
    if kind in LIST_OPERATIONS:
        return source_refs(list(spec), sample_sets)
    if kind == "scale":
        return source_refs(spec[0], sample_sets)
    if kind in SET_OPERATIONS:
        try:
            return source_refs(_members(spec, sample_sets), sample_sets)
        except NotMeasured:
            return []
    raise ValueError(f"unknown expression {kind!r}")


def evaluate(expression: Any, lookup: Lookup, sample_sets: SampleSets) -> Measurement:
    """Our measurement of one expression; NotMeasured (with the reason) when an input is missing or empty."""
    kind, spec = _single_key(expression)
    if kind in SOURCE_KINDS:
        return _evaluate_leaf(kind, spec, lookup)
    if kind == "assignments":
        return Measurement(np.asarray(float(len(unique_assignments(int(spec["n_jets"]), int(spec["n_higgs"]))))))
    if kind == "scale":
        return m.scale(evaluate(spec[0], lookup, sample_sets), float(spec[1]))
    if kind in SET_OPERATIONS:
        items = [evaluate(item, lookup, sample_sets) for item in _members(spec, sample_sets)]
        return m.mean(items) if kind == "mean" else m.stack(items)
    if kind in LIST_OPERATIONS:
        items = [evaluate(item, lookup, sample_sets) for item in spec]
        if kind in ("ratio", "difference"):
            if len(items) != 2:
                raise ValueError(f"{kind} takes two expressions, got {len(items)}")
            return m.ratio(*items) if kind == "ratio" else m.difference(*items)
        return m.pool(items) if kind == "pool" else m.spread(items)
    raise ValueError(f"unknown expression {kind!r}")


def _evaluate_leaf(kind: str, spec: Mapping[str, Any], lookup: Lookup) -> Measurement:
    ref = _leaf_ref(kind, spec)
    document, name = lookup(ref)
    path = str(spec["path"])
    try:
        node = resolve(document, path)
    except PathError as error:
        raise NotMeasured(f"{name}: {error}") from None
    measured = m.from_node(node, f"{name}:{path}", (name,))
    selected = None
    if spec.get("pt_range") is not None:
        low, high = spec["pt_range"]
        try:
            edges = resolve(document, "pt_edges")
        except PathError as error:
            raise NotMeasured(f"{name}: {error}") from None
        selected = m.bins_in_range(edges, low, high)
    if spec.get("field") == "denominator":
        return m.count(measured, selected)
    if spec.get("field") is not None:
        raise ValueError(f"field must be denominator, got {spec['field']!r}")
    return measured if selected is None else m.pool_bins(measured, selected)


def required_sources(claims: Sequence[Any], sample_sets: SampleSets) -> list[SourceRef]:
    """Every result file the measured claims of a catalogue read (the reproduction rule's inputs)."""
    refs = [ref for claim in claims if claim.ours is not None for ref in source_refs(claim.ours, sample_sets)]
    return list(dict.fromkeys(refs))
