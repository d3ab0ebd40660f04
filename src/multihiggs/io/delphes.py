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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import awkward as ak
import numpy as np
import uproot

from multihiggs.io.atomic import atomic_output
from multihiggs.provenance import current_stamp

TREE_NAME = "Delphes"
METADATA_KEY = "multihiggs_metadata"
#: The provenance stamp (:mod:`multihiggs.provenance`) of files we write, a JSON string beside the metadata.
PROVENANCE_KEY = "multihiggs_provenance"
N_TAU = 5
#: Events per basket written by :func:`write_delphes`. A reader decompresses whole baskets, so a file written as
#: one basket would be decompressed entirely for every chunk ``iterate_delphes`` yields.
BASKET_EVENTS = 10_000
#: Each chunk is read once: uproot's array cache (100 MB by default) would only hold memory.
_READ_OPTIONS = {"library": "ak", "array_cache": None}
#: Bits of ``Jet.BTag``: bit 0 is the CSV-like (70 %) working point, bit 1 the UParT-like (85 %) one.
BTAG_BITS = {"CSV": 0, "UParT": 1}
_ROOT_HEADER_BYTES = 20
#: Leaves stored as integers (the fill value of an absent one keeps that type); every other leaf is a float.
_INTEGER_LEAVES = frozenset(
    {"Number", "BTag", "Flavor", "NCharged", "NNeutrals", "PID", "Status", "M1", "M2", "D1", "D2"}
)
#: Keys of a collection listed in full in a missing-branch error up to this many; more end in "…".
_MAX_KEYS_SHOWN = 40


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


def _root_header_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a complete ROOT file, in words, from its header; None if the header looks right.

    A ROOT file starts with ``root``, a format version and the offsets of its first and end bytes (fEND: 4-byte
    offsets before version 1000000, 8-byte ones after); a file shorter than fEND is an incomplete copy.
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        header = handle.read(_ROOT_HEADER_BYTES)
    if header[:4] != b"root":
        return f"is not a ROOT file (it starts with {header[:8]!r}; a ROOT file starts with b'root')"
    if len(header) < 20:
        return f"is truncated: {size} bytes, too short for a ROOT header"
    version = int.from_bytes(header[4:8], "big")
    end = int.from_bytes(header[12:20], "big") if version >= 1_000_000 else int.from_bytes(header[12:16], "big")
    if size < end:
        return f"is truncated: its ROOT header says {end} bytes, the file has {size} (an incomplete copy or download?)"
    return None


def open_delphes_tree(path: str | Path) -> uproot.TTree:
    """Open the ``Delphes`` tree of ``path``, with one clear error for each way the file can be unusable."""
    path = Path(path)
    if not path.is_file():
        raise DelphesInputError(f"Delphes input {path} does not exist")
    if path.stat().st_size == 0:
        raise DelphesInputError(f"Delphes input {path} is empty (0 bytes)")
    problem = _root_header_problem(path)
    if problem is not None:
        raise DelphesInputError(f"Delphes input {path} {problem}")
    try:
        root_file = uproot.open(path)
    except Exception as error:  # uproot raises several types for damaged bytes
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


def _collection_keys(tree_keys: list[str], collection: str) -> list[str]:
    """The tree's keys of one collection (``Jet``, ``Jet/Jet.PT``, ``Jet.PT``, ``Jet_size``), sorted."""
    own = {collection, f"{collection}_size"}
    return sorted(key for key in tree_keys if key in own or key.rsplit("/", 1)[-1].partition(".")[0] == collection)


def _shown_keys(keys: list[str]) -> str:
    """Keys for an error message: all of them, or the first ``_MAX_KEYS_SHOWN`` and "…"."""
    shown = ", ".join(keys[:_MAX_KEYS_SHOWN])
    return shown + (", …" if len(keys) > _MAX_KEYS_SHOWN else "") if keys else "none"


def _find_source(tree_keys: list[str], physical: str) -> tuple[str, str] | None:
    """(key, how to read it) of one branch spelled with the file's collection name, or None if absent."""
    direct = resolve_branch_name(tree_keys, physical)
    if direct is not None:
        return direct, "direct"
    collection, _, leaf = physical.partition(".")
    if leaf.startswith("Tau") and leaf[3:].isdigit():
        fixed = resolve_branch_name(tree_keys, f"{collection}.Tau[{N_TAU}]")
        if fixed is not None:
            return fixed, f"tau{int(leaf[3:]) - 1}"
    if leaf == "SoftDroppedMass":
        for candidate in (f"{collection}.SoftDroppedP4[{N_TAU}]", f"{collection}.SoftDroppedJet"):
            found = resolve_branch_name(tree_keys, candidate)
            if found is not None:
                return found, "lorentz_mass"
    return None


@dataclass(frozen=True)
class BranchPlan:
    """How the logical branches of one request are read from one file.

    ``sources``: logical name -> (tree key, how to read it) for the branches the file has; ``absent``: optional
    logical names the file lacks, filled by :func:`iterate_delphes`; ``counters``: collection -> the tree key of
    its per-event object count (to shape the fill of an absent leaf; None where the collection is absent).
    """

    sources: dict[str, tuple[str, str]]
    absent: tuple[str, ...]
    counters: dict[str, str | None]


def plan_branches(
    path: str | Path,
    branches: Iterable[str],
    optional: Iterable[str] = (),
    collections: Mapping[str, str | None] | None = None,
) -> BranchPlan:
    """Resolve logical branch names against the tree of ``path``.

    ``branches`` must all exist (else DelphesInputError naming the branch and listing its collection's keys);
    names also in ``optional`` may be absent. ``collections`` maps a logical collection to the file's name for it
    (``{"Jet": "JetPUPPI"}``), or to None for a collection the file does not have (its branches must be optional).
    """
    tree = open_delphes_tree(path)
    return _plan(tree.keys(recursive=True, full_paths=True), branches, optional, collections or {}, str(path))


def _plan(
    tree_keys: list[str],
    branches: Iterable[str],
    optional: Iterable[str],
    collections: Mapping[str, str | None],
    path: str,
) -> BranchPlan:
    optional = set(optional)
    sources: dict[str, tuple[str, str]] = {}
    absent: list[str] = []
    counters: dict[str, str | None] = {}
    for logical in dict.fromkeys(branches):
        collection, _, leaf = logical.partition(".")
        physical_collection = collections.get(collection, collection)
        found = None
        if physical_collection is not None:
            found = _find_source(tree_keys, f"{physical_collection}.{leaf}")
        if found is not None:
            sources[logical] = found
            continue
        if logical not in optional:
            where = f"'{physical_collection}.{leaf}'" if physical_collection != collection else f"'{logical}'"
            if physical_collection is None:
                raise DelphesInputError(
                    f"branch '{logical}' is required, but collection '{collection}' is configured as absent"
                )
            keys = _collection_keys(tree_keys, physical_collection)
            raise DelphesInputError(
                f"branch {where} not found in tree '{TREE_NAME}' of file {path} "
                f"(keys of collection '{physical_collection}': {_shown_keys(keys)})"
            )
        absent.append(logical)
        if collection not in counters:
            counter = f"{physical_collection}_size" if physical_collection is not None else None
            counters[collection] = counter if counter is not None and counter in tree_keys else None
    return BranchPlan(sources, tuple(absent), counters)


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


def absent_fill(logical: str, start: int, counts: np.ndarray | None, n_events: int) -> ak.Array:
    """Values standing in for an absent optional branch over entries ``start`` … ``start + n_events``.

    ``Event.Number``: the entry number; ``Event.Weight``: 1; a leaf of a collection: 0 for each of its objects
    (``counts`` (N,) per event), or no objects at all where the collection itself is absent (``counts`` None).
    """
    collection, _, leaf = logical.partition(".")
    if collection == "Event":
        if leaf == "Number":
            return ak.Array(np.arange(start, start + n_events, dtype=np.int64))
        return ak.Array(np.ones(n_events, dtype=np.float64 if leaf == "Weight" else np.float32))
    dtype = np.int32 if leaf in _INTEGER_LEAVES else np.float32
    counts = np.zeros(n_events, dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64)
    return ak.unflatten(np.zeros(int(counts.sum()), dtype=dtype), counts)


def iterate_delphes(
    path: str | Path,
    branches: Iterable[str],
    step_size: int = 100_000,
    optional: Iterable[str] = (),
    collections: Mapping[str, str | None] | None = None,
) -> Iterator[dict[str, ak.Array]]:
    """Yield chunks of ``step_size`` events as {logical branch name: awkward array}; memory flat in file size.

    ``branches`` are logical (flat) names; every one must exist in either spelling, else DelphesInputError,
    except those in ``optional``, which are filled by :func:`absent_fill` when the file lacks them
    (:func:`plan_branches` says which). ``collections`` renames collections as in :func:`plan_branches`.
    Branches are read by key (``tree[key]``), which resolves split paths and names with ``[5]`` alike.
    """
    if step_size <= 0:
        raise ValueError(f"step_size must be a positive number of events, got {step_size}")
    tree = open_delphes_tree(path)
    plan = _plan(tree.keys(recursive=True, full_paths=True), branches, optional, collections or {}, str(path))
    for start in range(0, tree.num_entries, step_size):
        stop = min(start + step_size, tree.num_entries)
        try:
            chunk = {
                name: _convert(tree[key].array(entry_start=start, entry_stop=stop, **_READ_OPTIONS), how, name)
                for name, (key, how) in plan.sources.items()
            }
            counts = {
                collection: None
                if key is None
                else ak.to_numpy(tree[key].array(entry_start=start, entry_stop=stop, library="np"))
                for collection, key in plan.counters.items()
            }
        except Exception as error:
            raise DelphesInputError(
                f"cannot read entries {start}-{stop} of branches {sorted(plan.sources)} of file {path} "
                f"(damaged or truncated file?): {error}"
            ) from error
        for name in plan.absent:
            chunk[name] = absent_fill(name, start, counts[name.partition(".")[0]], stop - start)
        yield chunk


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


def remap_btag_bits(btag_bitmask: ak.Array | np.ndarray, input_bits: Mapping[str, int | None]) -> ak.Array | np.ndarray:
    """``Jet.BTag`` of a file whose card sets working point ``wp`` in bit ``input_bits[wp]``, in our bit layout
    (:data:`BTAG_BITS`). A working point the card lacks (None) is never tagged; bits of other taggers are dropped.
    """
    unknown = sorted(set(input_bits) - set(BTAG_BITS))
    if unknown:
        raise ValueError(f"unknown b-tag working points {unknown}; expected some of {sorted(BTAG_BITS)}")
    remapped = btag_bitmask * 0
    for working_point, bit in BTAG_BITS.items():
        source = input_bits.get(working_point, bit)
        if source is not None:
            remapped = remapped | (((btag_bitmask >> source) & 1) << bit)
    return remapped


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
    with atomic_output(path) as partial, uproot.recreate(partial) as root_file:
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
        root_file[PROVENANCE_KEY] = current_stamp().to_json()
