"""Index tables of every unique way to assign jets to unordered Higgs-candidate pairs.

An assignment of ``n_jets`` jets to ``n_higgs`` Higgs candidates is a set of ``n_higgs`` disjoint jet pairs;
neither the order of the pairs (the Higgs bosons are identical) nor the order of the two jets inside a pair (the
two b quarks are identical) matters, and jets left over are unused. There are
``C(n_jets, 2 n_higgs) * (2 n_higgs - 1)!!`` of them: 3 for 4 jets and 15 for 6 jets into 2 or 3 pairs, 630
(n_higgs = 2) and 3150 (n_higgs = 3) for 10 jets.

Each assignment is stored in its canonical form: jets ascending inside a pair, pairs ascending by their first
jet, assignments in lexicographic order of that form. The order is fixed, so an ``argmin`` over a table breaks
ties deterministically (the first assignment in this order wins). Tables are cached per (n_jets, n_higgs) and
read-only.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import cache

import numpy as np


@cache
def jet_pairs(n_jets: int) -> np.ndarray:
    """All unordered jet pairs ``(i, j)``, ``i < j``, in lexicographic order: int64 ``(n_jets (n_jets - 1) / 2, 2)``."""
    _check_positive("n_jets", n_jets)
    table = np.array(list(itertools.combinations(range(n_jets), 2)), dtype=np.int64).reshape(-1, 2)
    table.setflags(write=False)
    return table


@cache
def unique_assignments(n_jets: int, n_higgs: int) -> np.ndarray:
    """Every unique assignment of ``n_jets`` jets to ``n_higgs`` unordered pairs: int64 ``(A, n_higgs, 2)``.

    Raises:
        ValueError: if ``n_jets < 2 n_higgs`` (no assignment exists) or either count is not positive.
    """
    _check_positive("n_jets", n_jets)
    _check_positive("n_higgs", n_higgs)
    if n_jets < 2 * n_higgs:
        raise ValueError(f"{n_higgs} Higgs candidates need at least {2 * n_higgs} jets, got n_jets={n_jets}")
    assignments = [
        matching
        for chosen_jets in itertools.combinations(range(n_jets), 2 * n_higgs)
        for matching in _perfect_matchings(chosen_jets)
    ]
    table = np.array(sorted(assignments), dtype=np.int64)
    table.setflags(write=False)
    return table


@cache
def assignment_pair_indices(n_jets: int, n_higgs: int) -> np.ndarray:
    """The assignments of :func:`unique_assignments` as rows of :func:`jet_pairs`: int64 ``(A, n_higgs)``.

    With per-pair quantities computed once per event (shape ``(N, P)``), ``quantity[:, table]`` gives them for
    every pair of every assignment without recomputing anything.
    """
    pairs = jet_pairs(n_jets)
    row_of_pair = np.full((n_jets, n_jets), -1, dtype=np.int64)
    row_of_pair[pairs[:, 0], pairs[:, 1]] = np.arange(len(pairs))
    assignments = unique_assignments(n_jets, n_higgs)
    table = row_of_pair[assignments[..., 0], assignments[..., 1]]
    table.setflags(write=False)
    return table


def _perfect_matchings(jets: tuple[int, ...]) -> Iterator[tuple[tuple[int, int], ...]]:
    """Every way to split an even, ascending tuple of jets into pairs, each in canonical form."""
    if not jets:
        yield ()
        return
    first, rest = jets[0], jets[1:]
    for position, partner in enumerate(rest):
        remaining = rest[:position] + rest[position + 1 :]
        for matching in _perfect_matchings(remaining):
            yield ((first, partner), *matching)


def _check_positive(name: str, value: int) -> None:
    if int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
