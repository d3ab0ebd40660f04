"""Delphes-schema ROOT files: the one reader and the one writer every stage uses.

Branch names follow what a real Delphes CMS card writes (``Jet.PT``, ``FatJet.Tau[5]``, ``Particle.M1`` …).
Real Delphes files store split TClonesArrays, so the same branch is reached as ``Jet/Jet.PT``; the reader accepts
both spellings. Our own writer (uproot cannot write split objects or fixed-size inner arrays) writes
``FatJet.Tau1`` … ``FatJet.Tau5`` and ``FatJet.SoftDroppedMass`` as scalars per jet; the reader turns the real
Delphes forms (``FatJet.Tau[5]``, ``FatJet.SoftDroppedP4[5]``) into the same logical names.

Logical branch names (what callers ask for and receive) are the flat ones: ``Jet.PT``, ``FatJet.Tau2``,
``FatJet.SoftDroppedMass``, ``Event.Weight`` (one float per event) …
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import awkward as ak
import numpy as np
import uproot

TREE_NAME = "Delphes"
METADATA_KEY = "multihiggs_metadata"
N_TAU = 5
#: Events per basket written by :func:`write_delphes`. A reader decompresses whole baskets, so a file written as
#: one basket would be decompressed entirely for every chunk ``iterate_delphes`` yields.
BASKET_EVENTS = 10_000
#: Each chunk is read once: uproot's array cache (100 MB by default) would only hold memory.
_READ_OPTIONS = {"library": "ak", "array_cache": None}
#: Bits of ``Jet.BTag``: bit 0 is the CSV-like (70 %) working point, bit 1 the UParT-like (85 %) one.
BTAG_BITS = {"CSV": 0, "UParT": 1}


class DelphesInputError(ValueError):
    """A Delphes input file is unusable (not ROOT, no tree, missing branch, no events, bad values)."""


# --------------------------------------------------------------------------------------------- reading


def resolve_branch_name(available: Iterable[str], wanted: str) -> str | None:
    """Key of ``wanted`` (flat spelling, e.g. ``Jet.PT``) among a tree's ``available`` keys, or None.

    Matches the flat key itself, or a split-object path whose last component is ``wanted`` (``Jet/Jet.PT``).
    """
    keys = list(available)
    if wanted in keys:
        return wanted
    for key in keys:
        if key.rsplit("/", 1)[-1] == wanted:
            return key
    return None


def open_delphes_tree(path: str | Path) -> uproot.TTree:
    """Open the ``Delphes`` tree of ``path``, with one clear error for each way the file can be unusable."""
    path = Path(path)
    if not path.is_file():
        raise DelphesInputError(f"Delphes input {path} does not exist")
    if path.stat().st_size == 0:
        raise DelphesInputError(f"Delphes input {path} is empty (0 bytes)")
    try:
        root_file = uproot.open(path)
    except Exception as error:  # uproot raises several types for non-ROOT bytes
        raise DelphesInputError(f"Delphes input {path} is not a readable ROOT file: {error}") from error
    names = [key.split(";")[0] for key in root_file.keys(recursive=False)]
    if TREE_NAME not in names:
        raise DelphesInputError(f"file {path} has no tree '{TREE_NAME}' (found: {sorted(set(names))})")
    tree = root_file[TREE_NAME]
    if not isinstance(tree, uproot.TTree):
        raise DelphesInputError(f"'{TREE_NAME}' in {path} is a {type(tree).__name__}, not a TTree")
    if tree.num_entries == 0:
        raise DelphesInputError(f"tree '{TREE_NAME}' of file {path} has no events")
    return tree


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The JSON metadata our generator stores beside the tree ({} for files without it, e.g. real Delphes)."""
    with uproot.open(path) as root_file:
        if METADATA_KEY not in [key.split(";")[0] for key in root_file.keys(recursive=False)]:
            return {}
        return json.loads(str(root_file[METADATA_KEY]))


def _physical_branches(tree_keys: list[str], logical: str, path: str) -> tuple[str, str]:
    """(physical key, how to read it) for one logical branch; raise naming the branch if absent."""
    direct = resolve_branch_name(tree_keys, logical)
    if direct is not None:
        return direct, "direct"
    collection, _, leaf = logical.partition(".")
    if leaf.startswith("Tau") and leaf[3:].isdigit():
        fixed = resolve_branch_name(tree_keys, f"{collection}.Tau[{N_TAU}]")
        if fixed is not None:
            return fixed, f"tau{int(leaf[3:]) - 1}"
    if leaf == "SoftDroppedMass":
        for candidate in (f"{collection}.SoftDroppedP4[{N_TAU}]", f"{collection}.SoftDroppedJet"):
            found = resolve_branch_name(tree_keys, candidate)
            if found is not None:
                return found, "lorentz_mass"
    shown = sorted(key for key in tree_keys if collection in key)[:20]
    raise DelphesInputError(
        f"branch '{logical}' not found in tree '{TREE_NAME}' of file {path} (found for '{collection}': {shown})"
    )


def _lorentz_mass(records: ak.Array) -> ak.Array:
    """Mass (GeV) of TLorentzVector records (fields fP.{fX,fY,fZ}, fE); the first entry if fixed-size."""
    if records.ndim > 2:  # SoftDroppedP4[5]: entry 0 is the groomed jet itself
        records = records[..., 0]
    momentum = records["fP"]
    mass_squared = records["fE"] ** 2 - momentum["fX"] ** 2 - momentum["fY"] ** 2 - momentum["fZ"] ** 2
    return np.sqrt(np.maximum(mass_squared, 0.0))


def _convert(array: ak.Array, how: str, logical: str) -> ak.Array:
    if how == "direct":
        if logical.startswith("Event.") and array.ndim == 2:  # Delphes stores Event as a 1-entry TClonesArray
            return ak.firsts(array)
        return array
    if how.startswith("tau"):
        return array[..., int(how[3:])]
    if how == "lorentz_mass":
        return _lorentz_mass(array)
    raise AssertionError(how)


def iterate_delphes(
    path: str | Path, branches: Iterable[str], step_size: int = 100_000
) -> Iterator[dict[str, ak.Array]]:
    """Yield chunks of ``step_size`` events as {logical branch name: awkward array}; memory flat in file size.

    ``branches`` are logical (flat) names; every one must exist in either spelling, else DelphesInputError.
    Branches are read by key (``tree[key]``), which resolves split paths and names with ``[5]`` alike.
    """
    if step_size <= 0:
        raise ValueError(f"step_size must be a positive number of events, got {step_size}")
    logical_names = list(dict.fromkeys(branches))
    tree = open_delphes_tree(path)
    tree_keys = tree.keys(recursive=True, full_paths=True)
    plan = {name: _physical_branches(tree_keys, name, str(path)) for name in logical_names}
    for start in range(0, tree.num_entries, step_size):
        stop = min(start + step_size, tree.num_entries)
        try:
            yield {
                name: _convert(tree[key].array(entry_start=start, entry_stop=stop, **_READ_OPTIONS), how, name)
                for name, (key, how) in plan.items()
            }
        except DelphesInputError:
            raise
        except Exception as error:
            raise DelphesInputError(
                f"cannot read entries {start}-{stop} of branches {sorted(plan)} of file {path}: {error}"
            ) from error


def read_delphes(path: str | Path, branches: Iterable[str]) -> dict[str, ak.Array]:
    """Read whole branches of a (small) Delphes file; see :func:`iterate_delphes`."""
    tree_entries = open_delphes_tree(path).num_entries
    chunks = list(iterate_delphes(path, branches, step_size=tree_entries))
    if len(chunks) == 1:
        return chunks[0]
    return {name: ak.concatenate([chunk[name] for chunk in chunks]) for name in chunks[0]}


def btag_bit(btag_bitmask: ak.Array | np.ndarray, working_point: str) -> ak.Array | np.ndarray:
    """Boolean b-tag decision of ``working_point`` ('CSV' or 'UParT') from the ``Jet.BTag`` bitmask."""
    if working_point not in BTAG_BITS:
        raise ValueError(f"unknown b-tag working point {working_point!r}; expected one of {sorted(BTAG_BITS)}")
    return (btag_bitmask >> BTAG_BITS[working_point]) & 1 == 1


# --------------------------------------------------------------------------------------------- writing


def write_delphes(
    path: str | Path, collections: Mapping[str, ak.Array], metadata: Mapping[str, Any] | None = None
) -> None:
    """Write per-event collections (e.g. Event, Jet, FatJet, Particle) as a Delphes-like TTree, atomically.

    ``collections`` maps a collection name to a jagged awkward array of records (one list per event; ``Event``
    holds one record per event, as in Delphes). Branches are named ``{collection}.{field}`` with counters
    ``{collection}_size``, written in baskets of ``BASKET_EVENTS`` events. The file appears under ``path`` only
    once complete.
    """
    path = Path(path)
    lengths = {name: len(array) for name, array in collections.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"collections must have the same number of events, got {lengths}")
    if next(iter(lengths.values()), 0) == 0:
        raise ValueError(f"refusing to write {path}: no events")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        with uproot.recreate(partial) as root_file:
            tree = root_file.mktree(
                TREE_NAME,
                {name: array.type.content for name, array in collections.items()},
                field_name=lambda outer, inner: f"{outer}.{inner}",
                counter_name=lambda counter: f"{counter}_size",
            )
            n_events = next(iter(lengths.values()))
            for start in range(0, n_events, BASKET_EVENTS):  # one basket per slice: chunked reads stay cheap
                tree.extend({name: array[start : start + BASKET_EVENTS] for name, array in collections.items()})
            if metadata is not None:
                root_file[METADATA_KEY] = json.dumps(dict(metadata), sort_keys=True)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
