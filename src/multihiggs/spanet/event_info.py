"""Event topology: parse an event YAML in the reference SPANet format.

The file names the network inputs and the particles to reconstruct::

    INPUTS:
      SEQUENTIAL:
        Jets: {pt: log_normalize, eta: normalize, sinphi: none, ...}
      GLOBAL:
        Event: {kl: normalize}
    EVENT:
      h1: [{b1: Jets}, {b2: Jets}]
      bh1: [{bb: BoostedJets}]
    PERMUTATIONS:
      EVENT: [[[h1, h2], [bh1, bh2]]]      # generators as disjoint cycles, or [h1, h2] for a full group
      h1: [[b1, b2]]
    CLASSIFICATIONS:
      EVENT: [signal]

Feature options are ``none``, ``log``, ``normalize`` and ``log_normalize``. Every decay product names the
sequential input it is assigned to; all products of one particle come from the same input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FEATURE_OPTIONS = ("none", "log", "normalize", "log_normalize")
MAX_DAUGHTERS = 2

Permutation = tuple[int, ...]


class EventInfoError(ValueError):
    """An event YAML that does not describe a valid topology."""


@dataclass(frozen=True)
class FeatureInfo:
    """One input feature and its preprocessing: ``log`` applies log(1 + x), ``normalize`` standardises."""

    name: str
    log_scale: bool
    normalize: bool


@dataclass(frozen=True)
class ParticleInfo:
    """One event particle: its decay products, the sequential input they come from, and their symmetry.

    ``daughter_group`` holds every permutation of the daughters that leaves the particle unchanged
    (the identity only, or both orderings of a symmetric pair).
    """

    name: str
    daughters: tuple[str, ...]
    source: str
    daughter_group: tuple[Permutation, ...]

    @property
    def n_daughters(self) -> int:
        return len(self.daughters)

    @property
    def symmetric(self) -> bool:
        """Whether the daughters may be swapped (the assignment is an unordered tuple)."""
        return len(self.daughter_group) > 1


@dataclass(frozen=True)
class EventInfo:
    """Parsed event topology.

    ``event_group`` lists every permutation of ``particles`` allowed by PERMUTATIONS/EVENT as index tuples
    (``permutation[i]`` is the particle that particle i may stand for), the identity first.
    """

    sequential_inputs: dict[str, tuple[FeatureInfo, ...]]
    global_inputs: dict[str, tuple[FeatureInfo, ...]]
    particles: tuple[ParticleInfo, ...]
    event_group: tuple[Permutation, ...]
    classifications: tuple[str, ...]
    raw: dict[str, Any]

    @property
    def particle_names(self) -> tuple[str, ...]:
        return tuple(particle.name for particle in self.particles)

    @property
    def n_particles(self) -> int:
        return len(self.particles)

    def particle(self, name: str) -> ParticleInfo:
        """The particle called ``name``."""
        for particle in self.particles:
            if particle.name == name:
                return particle
        raise KeyError(f"no particle {name!r} in the event (have {list(self.particle_names)})")

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> EventInfo:
        """Build from the parsed YAML mapping (raises :class:`EventInfoError` naming the bad entry)."""
        if not isinstance(config, Mapping):
            raise EventInfoError(f"event file must be a mapping, got {type(config).__name__}")
        unknown = set(config) - {"INPUTS", "EVENT", "PERMUTATIONS", "CLASSIFICATIONS", "REGRESSIONS"}
        if unknown:
            raise EventInfoError(f"unknown top-level key(s) {sorted(unknown)} in event file")
        sequential, global_ = _parse_inputs(_section(config, "INPUTS", required=True))
        permutations = _section(config, "PERMUTATIONS")
        particles = _parse_particles(_section(config, "EVENT", required=True), permutations, sequential)
        names = tuple(particle.name for particle in particles)
        unknown_groups = set(permutations) - {"EVENT", *names}
        if unknown_groups:
            raise EventInfoError(f"PERMUTATIONS names unknown particle(s) {sorted(unknown_groups)}")
        event_group = _permutation_group(permutations.get("EVENT") or [], names, "PERMUTATIONS/EVENT")
        _check_event_group(event_group, particles)
        if _section(config, "REGRESSIONS"):
            raise EventInfoError("REGRESSIONS are not supported by this implementation")
        return cls(
            sequential_inputs=sequential,
            global_inputs=global_,
            particles=particles,
            event_group=event_group,
            classifications=_parse_classifications(_section(config, "CLASSIFICATIONS")),
            raw=dict(config),
        )

    @classmethod
    def read(cls, path: str | Path) -> EventInfo:
        """Read an event YAML file."""
        path = Path(path)
        try:
            text = path.read_text()
        except OSError as error:
            raise EventInfoError(f"cannot read event file {path}: {error}") from error
        try:
            return cls.from_mapping(yaml.safe_load(text))
        except EventInfoError as error:
            raise EventInfoError(f"{path}: {error}") from error


def _section(config: Mapping[str, Any], key: str, required: bool = False) -> dict[str, Any]:
    value = config.get(key)
    if value is None:
        if required:
            raise EventInfoError(f"event file lacks the required section {key!r}")
        return {}
    if not isinstance(value, Mapping):
        raise EventInfoError(f"section {key!r} must be a mapping, got {type(value).__name__}")
    return dict(value)


def _parse_features(source: str, features: Any) -> tuple[FeatureInfo, ...]:
    if not isinstance(features, Mapping) or not features:
        raise EventInfoError(f"input {source!r} must map feature names to options, got {features!r}")
    parsed = []
    for name, option in features.items():
        option = str(option).lower()
        if option not in FEATURE_OPTIONS:
            raise EventInfoError(
                f"feature {source}/{name} has option {option!r}; expected one of {list(FEATURE_OPTIONS)}"
            )
        parsed.append(FeatureInfo(str(name), log_scale="log" in option, normalize="normalize" in option))
    return tuple(parsed)


def _parse_inputs(
    inputs: dict[str, Any],
) -> tuple[dict[str, tuple[FeatureInfo, ...]], dict[str, tuple[FeatureInfo, ...]]]:
    unknown = set(inputs) - {"SEQUENTIAL", "GLOBAL"}
    if unknown:
        raise EventInfoError(f"INPUTS has unsupported input type(s) {sorted(unknown)}; use SEQUENTIAL/GLOBAL")
    sequential = {name: _parse_features(name, f) for name, f in (inputs.get("SEQUENTIAL") or {}).items()}
    global_ = {name: _parse_features(name, f) for name, f in (inputs.get("GLOBAL") or {}).items()}
    if not sequential:
        raise EventInfoError("INPUTS/SEQUENTIAL must define at least one input")
    clash = set(sequential) & set(global_)
    if clash:
        raise EventInfoError(f"input name(s) {sorted(clash)} are both SEQUENTIAL and GLOBAL")
    return sequential, global_


def _parse_daughter(particle: str, entry: Any, sequential: Mapping[str, Any]) -> tuple[str, str]:
    if not isinstance(entry, Mapping) or len(entry) != 1:
        raise EventInfoError(f"decay product {entry!r} of particle {particle!r} must name its input, e.g. '- b1: Jets'")
    ((daughter, source),) = entry.items()
    if source not in sequential:
        raise EventInfoError(
            f"decay product {particle}/{daughter} refers to input {source!r}, "
            f"which is not a SEQUENTIAL input (have {list(sequential)})"
        )
    return str(daughter), str(source)


def _parse_particles(
    event: dict[str, Any], permutations: dict[str, Any], sequential: Mapping[str, Any]
) -> tuple[ParticleInfo, ...]:
    if not event:
        raise EventInfoError("EVENT must define at least one particle")
    particles = []
    for name, products in event.items():
        if not isinstance(products, list) or not products:
            raise EventInfoError(f"particle {name!r} must list its decay products")
        pairs = [_parse_daughter(name, entry, sequential) for entry in products]
        daughters = tuple(daughter for daughter, _ in pairs)
        sources = {source for _, source in pairs}
        if len(set(daughters)) != len(daughters):
            raise EventInfoError(f"particle {name!r} repeats a decay product name: {list(daughters)}")
        if len(sources) != 1:
            raise EventInfoError(f"decay products of particle {name!r} come from several inputs {sorted(sources)}")
        if len(daughters) > MAX_DAUGHTERS:
            raise EventInfoError(
                f"particle {name!r} has {len(daughters)} decay products; at most {MAX_DAUGHTERS} are supported"
            )
        group = _permutation_group(permutations.get(name) or [], daughters, f"PERMUTATIONS/{name}")
        particles.append(ParticleInfo(str(name), daughters, sources.pop(), group))
    return tuple(particles)


def _parse_classifications(classifications: dict[str, Any]) -> tuple[str, ...]:
    unknown = set(classifications) - {"EVENT"}
    if unknown:
        raise EventInfoError(f"only EVENT-level CLASSIFICATIONS are supported, found {sorted(unknown)}")
    targets = classifications.get("EVENT") or []
    if not isinstance(targets, list) or not all(isinstance(target, str) for target in targets):
        raise EventInfoError(f"CLASSIFICATIONS/EVENT must be a list of names, got {targets!r}")
    return tuple(targets)


def _permutation_group(entries: Any, names: Sequence[str], where: str) -> tuple[Permutation, ...]:
    """All permutations generated by ``entries`` (reference syntax), as index tuples over ``names``.

    A flat entry ``[a, b, c]`` makes its members fully interchangeable; a nested entry ``[[a, b], [c, d]]`` is
    one generator written as disjoint cycles (here: swap a with b *and* c with d together).
    """
    if not isinstance(entries, list):
        raise EventInfoError(f"{where} must be a list, got {entries!r}")
    index = {name: position for position, name in enumerate(names)}

    def lookup(name: Any) -> int:
        if name not in index:
            raise EventInfoError(f"{where} names {name!r}, which is not one of {list(names)}")
        return index[name]

    generators: list[Permutation] = []
    for entry in entries:
        if not isinstance(entry, list) or not entry:
            raise EventInfoError(f"{where} entries must be non-empty lists, got {entry!r}")
        if all(isinstance(cycle, list) for cycle in entry):
            generators.append(_from_cycles([[lookup(n) for n in cycle] for cycle in entry], len(names), where))
        elif not any(isinstance(member, list) for member in entry):
            members = [lookup(n) for n in entry]
            generators.extend(_from_cycles([[members[0], other]], len(names), where) for other in members[1:])
        else:
            raise EventInfoError(f"{where} entry {entry!r} mixes names and cycles")
    return _closure(generators, len(names))


def _from_cycles(cycles: Iterable[Sequence[int]], size: int, where: str) -> Permutation:
    image = list(range(size))
    seen: set[int] = set()
    for cycle in cycles:
        if seen & set(cycle) or len(set(cycle)) != len(cycle):
            raise EventInfoError(f"{where}: cycles must be disjoint, got {list(cycles)}")
        seen |= set(cycle)
        for position, element in enumerate(cycle):
            image[element] = cycle[(position + 1) % len(cycle)]
    return tuple(image)


def _closure(generators: Sequence[Permutation], size: int) -> tuple[Permutation, ...]:
    identity = tuple(range(size))
    group = {identity}
    frontier = [identity]
    while frontier:
        current = frontier.pop()
        for generator in generators:
            composed = tuple(generator[i] for i in current)
            if composed not in group:
                group.add(composed)
                frontier.append(composed)
    return tuple(sorted(group))  # the identity sorts first


def _check_event_group(group: Sequence[Permutation], particles: Sequence[ParticleInfo]) -> None:
    for permutation in group:
        for position, image in enumerate(permutation):
            first, second = particles[position], particles[image]
            if (first.n_daughters, first.source, first.symmetric) != (
                second.n_daughters,
                second.source,
                second.symmetric,
            ):
                raise EventInfoError(
                    f"PERMUTATIONS/EVENT exchanges {first.name!r} with {second.name!r}, "
                    "which decay differently (number of products, input or symmetry)"
                )
