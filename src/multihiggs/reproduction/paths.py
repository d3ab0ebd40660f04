"""A small path language into JSON documents: ``a.b[2]``, ``methods[label=chi2].intervals[luminosity_fb=139]``.

Tokens are separated by dots; each names a key (any text but ``.[]``, spaces allowed: ``resolved.≥ 6[0]``) and may
be followed by selectors: ``[i]`` (list index, negative allowed) or ``[field=value]`` (the first list item whose
``field`` equals ``value``, compared as numbers when both read as numbers, else as text).
"""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"^(?P<key>[^.\[\]]*)(?P<selectors>(\[[^\]]+\])*)$")
_SELECTOR = re.compile(r"\[([^\]]+)\]")


class PathError(LookupError):
    """The path does not lead to a value of the document; the message says where it stopped."""


def split_path(path: str) -> list[tuple[str, list[str]]]:
    """``path`` as (key, selectors) per dot-separated token; raises ValueError on a malformed token."""
    tokens = []
    for token in path.split("."):
        match = _TOKEN.match(token)
        if match is None or (not match["key"] and not match["selectors"]):
            raise ValueError(f"malformed path {path!r} at {token!r}")
        tokens.append((match["key"], _SELECTOR.findall(match["selectors"])))
    return tokens


def resolve(document: Any, path: str) -> Any:
    """The value at ``path`` in ``document`` (nested dicts and lists); PathError if absent."""
    node = document
    walked = ""
    for key, selectors in split_path(path):
        if key:
            if not isinstance(node, dict) or key not in node:
                raise PathError(f"no key {key!r} after {walked or 'the top'}")
            node = node[key]
            walked = f"{walked}.{key}" if walked else key
        for selector in selectors:
            node = _select(node, selector, walked)
            walked += f"[{selector}]"
    return node


def _select(node: Any, selector: str, walked: str) -> Any:
    if not isinstance(node, list):
        raise PathError(f"{walked or 'the top'} is not a list, cannot apply [{selector}]")
    if "=" not in selector:
        try:
            return node[int(selector)]
        except (ValueError, IndexError):
            raise PathError(f"no item [{selector}] in {walked} ({len(node)} items)") from None
    field, wanted = (part.strip() for part in selector.split("=", 1))
    for item in node:
        if isinstance(item, dict) and field in item and _equal(item[field], wanted):
            return item
    raise PathError(f"no item with {field} = {wanted} in {walked}")


def _equal(value: Any, wanted: str) -> bool:
    try:
        return float(value) == float(wanted)
    except (TypeError, ValueError):
        return str(value) == wanted
