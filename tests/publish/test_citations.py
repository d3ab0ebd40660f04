"""Citation files: docs/references.bib parses with unique keys, CITATION.cff has CFF 1.2.0's structure, LICENSE is
the MIT licence that pyproject.toml declares."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SEED_KEYS = {"li2023hhh", "fenton2021spanet", "spanet_hh_hhh_2024", "hsieh_spanet2", "leyva2025nuflows"}
DOI = re.compile(r"10\.\d{4,9}/\S+")
EPRINT = re.compile(r"\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7}")
FIELD = re.compile(r"\s*([A-Za-z]+)\s*=\s*")


def _closing_brace(text: str, start: int) -> int:
    """Index of the brace closing the one at ``start``."""
    depth = 0
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return index
    raise ValueError(f"unbalanced braces from offset {start}")


def _fields(body: str) -> dict[str, str]:
    """``name = {value}`` / ``name = word`` fields of an entry body (after its key)."""
    fields, position = {}, 0
    while position < len(body):
        match = FIELD.match(body, position)
        if match is None:
            raise ValueError(f"cannot parse a field at {body[position : position + 40]!r}")
        name, position = match.group(1).lower(), match.end()
        if body[position] == "{":
            end = _closing_brace(body, position)
            value, position = body[position + 1 : end], end + 1
        else:
            word = re.match(r"[A-Za-z0-9]+", body[position:])
            assert word is not None, f"field {name} has no value"
            value, position = word.group(0), position + word.end()
        assert name not in fields, f"field {name} twice"
        fields[name] = " ".join(value.split())
        position = re.match(r"\s*,?\s*", body[position:]).end() + position
    return fields


def parse_bib(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    """key -> (entry type, fields) of a BibTeX file; fails on unbalanced braces, duplicate keys, stray text."""
    entries: dict[str, tuple[str, dict[str, str]]] = {}
    position = 0
    for match in re.finditer(r"@(\w+)\{([^,\s]+),", text):
        between = text[position : match.start()]
        assert all(not line.strip() or line.lstrip().startswith("%") for line in between.splitlines()), between
        end = _closing_brace(text, match.start(2) - 1)
        key = match.group(2)
        assert key not in entries, f"bib key {key} twice"
        entries[key] = (match.group(1).lower(), _fields(text[match.end() : end]))
        position = end + 1
    assert not text[position:].strip(), "text after the last entry"
    return entries


@pytest.fixture(scope="module")
def bib():
    return parse_bib((REPO / "docs/references.bib").read_text(encoding="utf-8"))


def test_bib_parses_with_the_seed_keys(bib):
    assert SEED_KEYS <= set(bib)
    assert len(bib) >= 25
    for key, (kind, fields) in bib.items():
        assert "title" in fields and "author" in fields, key
        if kind == "article":
            assert "year" in fields and ("journal" in fields or "eprint" in fields), key


def test_bib_identifiers_are_well_formed(bib):
    for key, (_, fields) in bib.items():
        if "doi" in fields:
            assert DOI.fullmatch(fields["doi"]), (key, fields["doi"])
        if "eprint" in fields:
            assert EPRINT.fullmatch(fields["eprint"]), (key, fields["eprint"])
    eprints = {fields.get("eprint") for _, fields in bib.values()}
    for eprint in ("2010.09206", "2106.03898", "2309.01886", "2412.03819", "2203.11601", "1111.6097", "0802.1189",
                   "1603.02754", "1307.6346", "1402.2657", "1011.2268", "hep-ph/9603205"):  # fmt: skip
        assert eprint in eprints
    dois = {fields.get("doi") for _, fields in bib.values()}
    assert {"10.21105/joss.02823", "10.5281/zenodo.1169739", "10.12688/f1000research.29032.2"} <= dois


def test_bib_parser_rejects_broken_files():
    with pytest.raises(ValueError, match="unbalanced"):
        parse_bib("@misc{a,\n title = {{x}\n}")
    with pytest.raises(AssertionError, match="twice"):
        parse_bib("@misc{a, title = {x}}\n@misc{a, title = {y}}")


@pytest.fixture(scope="module")
def project():
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def test_citation_cff_structure(project):
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["message"] and cff["title"] and cff["type"] == "software"
    assert cff["authors"] and all("name" in author or "family-names" in author for author in cff["authors"])
    assert str(cff["version"]) == project["version"]
    assert cff["license"] == project["license"]["text"] == "MIT"
    for reference in cff["references"]:
        assert {"type", "title", "authors"} <= set(reference)
        assert "doi" not in reference or DOI.fullmatch(reference["doi"])


def test_license_is_mit_with_a_holder(project):
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("MIT License") and project["license"]["text"] == "MIT"
    assert re.search(r"Copyright \(c\) \d{4} \S", text)
