"""The claims catalogue (``config/seed_claims.yaml``): the seeds' quantitative claims as data.

Layout of the YAML file:

- ``sources``: bib key -> short name of the seed document.
- ``comparisons``: named comparison settings (see :class:`Comparison`), referred to by name from the claims.
- ``groups``: claims sharing a source, a location, a definition, a note and a way to measure them. Every key of a
  group is the default of its ``claims``; a claim's own keys override it; a claim's ``note`` is its own remark.
  ``compare`` is a comparison name, or a mapping ``{use: name, ...}`` whose other keys override the named one.
  ``vars`` of a claim fill ``{name}`` placeholders in the group's ``ours`` and ``quantity`` (placeholders a claim
  leaves unset stay, e.g. ``{sample}`` for ``mean``/``stack`` over a sample set).

A claim has exactly one of ``ours`` (the expression of :mod:`multihiggs.reproduction.expressions` that measures it),
``not_measured`` (why our workflow cannot measure it with the seed's definition) or ``out_of_scope`` (why it is no
claim about what we simulate). ``seed`` is a number, ``{value, uncertainty}`` or, for orderings, a text.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

NUMERIC_KINDS: tuple[str, ...] = ("absolute", "relative", "exact")
COMPARISON_KINDS: tuple[str, ...] = (*NUMERIC_KINDS, "ordering", "dominance")
UNITS: tuple[str, ...] = ("%", "", "gain", "fb^-1", "count")


@dataclass(frozen=True)
class Comparison:
    """How our value is judged against the seed's.

    Attributes:
        kind: ``absolute`` (|ours − seed| ≤ tolerance), ``relative`` (|ours/seed − 1| ≤ tolerance), ``exact``,
            ``ordering`` (our items in the claimed order), ``dominance`` (first binned item above the second).
        tolerance: "reproduced" band (absolute, relative).
        qualitative: "qualitatively reproduced" band: a wider tolerance, or ``same_side`` (ours on the seed's side
            of ``pivot``, e.g. a gain above 1).
        labels: names of the ordering items; direction: ``decreasing`` (first largest) or ``increasing``.
        require: dominance in ``all`` bins or in ``most``.
    """

    kind: str
    tolerance: float | None = None
    qualitative: float | str | None = None
    pivot: float | None = None
    labels: tuple[str, ...] = ()
    direction: str = "decreasing"
    require: str = "all"

    def __post_init__(self) -> None:
        if self.kind not in COMPARISON_KINDS:
            raise ValueError(f"comparison kind must be one of {COMPARISON_KINDS}, got {self.kind!r}")
        if self.kind in ("absolute", "relative"):
            if self.tolerance is None or self.tolerance < 0:
                raise ValueError(f"a {self.kind} comparison needs a tolerance >= 0")
            if self.qualitative == "same_side" and self.pivot is None:
                raise ValueError("qualitative: same_side needs a pivot")
            if isinstance(self.qualitative, int | float) and self.qualitative < self.tolerance:
                raise ValueError("the qualitative tolerance must not be below the tolerance")
            if self.qualitative is not None and not isinstance(self.qualitative, int | float):
                if self.qualitative != "same_side":
                    raise ValueError(f"qualitative must be a number or same_side, got {self.qualitative!r}")
        if self.direction not in ("decreasing", "increasing"):
            raise ValueError(f"direction must be decreasing or increasing, got {self.direction!r}")
        if self.require not in ("all", "most"):
            raise ValueError(f"require must be all or most, got {self.require!r}")

    def describe(self, unit: str = "") -> str:
        """The tolerance in words (for the tables); absolute bands of percentages in percentage points."""
        if self.kind == "exact":
            return "exact"
        if self.kind == "ordering":
            return "order as claimed (±2σ)"
        if self.kind == "dominance":
            return f"higher in {self.require} bins (±2σ)"

        def band(width: float) -> str:
            if self.kind == "relative":
                return f"±{100 * width:g} %"
            return f"±{100 * width:g} pts" if unit == "%" else f"±{width:g}"

        text = band(self.tolerance) + (" rel." if self.kind == "relative" else "")
        if self.qualitative == "same_side":
            return f"{text}; qual.: same side of {self.pivot:g}"
        if self.qualitative is not None:
            return f"{text}; qual.: {band(self.qualitative)}"
        return text


@dataclass(frozen=True)
class Claim:
    """One quantitative claim of a seed document and how we measure it."""

    id: str
    source: str
    where: str
    quantity: str
    seed: float | None = None
    seed_uncertainty: float | None = None
    seed_text: str = ""
    unit: str = ""
    definition: str = ""
    note: str = ""
    comparison: Comparison | None = None
    ours: Any = None
    not_measured: str | None = None
    out_of_scope: str | None = None
    group: str = ""
    title: str = ""
    remark: str = ""
    group_where: str = ""

    @property
    def full_note(self) -> str:
        """The group's setup note and the claim's own remark."""
        return " ".join(part for part in (self.note, self.remark) if part)


@dataclass(frozen=True)
class Catalogue:
    sources: dict[str, str]
    claims: tuple[Claim, ...]


class _KeepMissing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: Any, values: Mapping[str, Any]) -> Any:
    """``template`` (nested dicts/lists/strings) with ``{name}`` placeholders of ``values`` filled in strings."""
    if isinstance(template, str):
        if not any(name for _, name, _, _ in string.Formatter().parse(template) if name):
            return template
        return template.format_map(_KeepMissing({k: str(v) for k, v in values.items()}))
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if isinstance(template, dict):
        return {key: fill(item, values) for key, item in template.items()}
    return template


def _comparison(spec: Any, named: Mapping[str, Mapping[str, Any]], claim_id: str) -> Comparison | None:
    if spec is None:
        return None
    if isinstance(spec, str):
        spec = {"use": spec}
    spec = dict(spec)
    base = {}
    if "use" in spec:
        name = spec.pop("use")
        if name not in named:
            raise ValueError(f"claim {claim_id}: unknown comparison {name!r} (known: {sorted(named)})")
        base = dict(named[name])
    settings = {**base, **spec}
    if "labels" in settings:
        settings["labels"] = tuple(settings["labels"])
    try:
        return Comparison(**settings)
    except (TypeError, ValueError) as error:
        raise ValueError(f"claim {claim_id}: {error}") from None


def _seed(value: Any) -> tuple[float | None, float | None, str]:
    if isinstance(value, dict):
        return float(value["value"]), value.get("uncertainty"), str(value.get("text", ""))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), None, ""
    return None, None, "" if value is None else str(value)


CLAIM_KEYS = {
    "id", "group", "title", "source", "where", "quantity", "seed", "unit", "definition", "note", "remark", "compare",
    "ours", "vars", "not_measured", "out_of_scope", "group_where",
}  # fmt: skip


def parse_claim(merged: Mapping[str, Any], named: Mapping[str, Mapping[str, Any]], sources: Mapping[str, str]) -> Claim:
    """One claim from its merged group + claim keys (see the module docstring)."""
    claim_id = str(merged["id"])
    unknown = set(merged) - CLAIM_KEYS
    if unknown:
        raise ValueError(f"claim {claim_id}: unknown keys {sorted(unknown)}")
    if merged.get("source") not in sources:
        raise ValueError(f"claim {claim_id}: source must be one of {sorted(sources)}, got {merged.get('source')!r}")
    ways = [key for key in ("ours", "not_measured", "out_of_scope") if merged.get(key) is not None]
    if len(ways) != 1:
        raise ValueError(f"claim {claim_id}: give exactly one of ours, not_measured, out_of_scope (got {ways})")
    variables = merged.get("vars") or {}
    seed, uncertainty, text = _seed(merged.get("seed"))
    comparison = _comparison(merged.get("compare"), named, claim_id)
    if merged.get("ours") is not None:
        if comparison is None:
            raise ValueError(f"claim {claim_id}: a measured claim needs compare")
        if comparison.kind in NUMERIC_KINDS and seed is None:
            raise ValueError(f"claim {claim_id}: a {comparison.kind} comparison needs a numeric seed value")
    unit = str(merged.get("unit", ""))
    if unit not in UNITS:
        raise ValueError(f"claim {claim_id}: unit must be one of {UNITS}, got {unit!r}")
    return Claim(
        id=claim_id,
        source=str(merged["source"]),
        where=str(merged.get("where", "")),
        quantity=fill(str(merged.get("quantity", "")), variables),
        seed=seed,
        seed_uncertainty=None if uncertainty is None else float(uncertainty),
        seed_text=text,
        unit=unit,
        definition=str(merged.get("definition", "")).strip(),
        note=str(merged.get("note", "")).strip(),
        comparison=comparison,
        ours=fill(merged.get("ours"), variables),
        not_measured=merged.get("not_measured"),
        out_of_scope=merged.get("out_of_scope"),
        group=str(merged.get("group", claim_id)),
        title=str(merged.get("title", "")),
        remark=str(merged.get("remark", "")).strip(),
        group_where=str(merged.get("group_where", merged.get("where", ""))),
    )


def parse_catalogue(content: Mapping[str, Any]) -> Catalogue:
    """The catalogue of a parsed YAML document; ValueError naming the claim on any inconsistency."""
    sources = dict(content.get("sources") or {})
    named = dict(content.get("comparisons") or {})
    claims: list[Claim] = []
    for group in content.get("groups") or []:
        defaults = {key: value for key, value in group.items() if key != "claims"}
        members = group.get("claims") or [{}]
        for member in members:
            merged = {**defaults, **member, "group": defaults["id"], "note": defaults.get("note", "")}
            merged["group_where"] = defaults.get("where", "")
            merged["id"] = f"{defaults['id']}-{member['id']}" if "id" in member else defaults["id"]
            merged["remark"] = member.get("note", "")
            if isinstance(defaults.get("compare"), dict) and isinstance(member.get("compare"), dict):
                merged["compare"] = {**defaults["compare"], **member["compare"]}
            claims.append(parse_claim(merged, named, sources))
    ids = [claim.id for claim in claims]
    duplicates = sorted({claim_id for claim_id in ids if ids.count(claim_id) > 1})
    if duplicates:
        raise ValueError(f"duplicate claim ids: {duplicates}")
    return Catalogue(sources, tuple(claims))


def load_catalogue(path: str | Path) -> Catalogue:
    """Read and check the claims catalogue at ``path``."""
    path = Path(path)
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"cannot read the claims catalogue {path}: {error}") from None
    try:
        return parse_catalogue(content or {})
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"claims catalogue {path}: {error}") from None
