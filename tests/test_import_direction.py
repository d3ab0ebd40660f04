"""Packages import in one direction: each unit of multihiggs imports only units of lower layers (and itself).

A unit is a subpackage (``multihiggs.stats``) or a top-level module (``multihiggs.tables``). Function-level (lazy)
imports count too. The one exception is ``multihiggs.spanet.decoding``: a standalone module (copied byte for byte
beside every ONNX export, docs/portable_decoding.md) that imports nothing of the package, so any layer may use it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import multihiggs

PACKAGE = Path(multihiggs.__file__).parent
#: Lowest first. Units of one layer do not import each other.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"multihiggs", "constants", "cli", "methods", "samples", "provenance", "jets", "training_weights"}),
    frozenset({"tables", "io"}),
    frozenset({"plotting"}),
    frozenset({"closure"}),
    frozenset({"generate"}),
    frozenset({"convert"}),
    frozenset({"baselines", "spanet"}),
    frozenset({"evaluate"}),
    frozenset({"stats"}),
    frozenset({"reproduction", "publish", "report"}),
)
STANDALONE = "multihiggs.spanet.decoding"


def _unit(module: str) -> str:
    """The unit of a module; a name of the package root (``multihiggs.__version__``) is the root."""
    parts = module.split(".")
    if len(parts) == 1 or (not (PACKAGE / parts[1]).is_dir() and not (PACKAGE / f"{parts[1]}.py").is_file()):
        return "multihiggs"
    return parts[1]


def _imported_modules(path: Path) -> list[tuple[str, int]]:
    """(imported multihiggs module, line) of every import in ``path``, also inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "multihiggs":
            if node.module == "multihiggs":  # from multihiggs import stats / __version__
                found += [(f"multihiggs.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.split(".")[0] == "multihiggs"]
    return found


def _layer(unit: str) -> int:
    return next(index for index, layer in enumerate(LAYERS) if unit in layer)


def _source_unit(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return (
        "multihiggs"
        if relative.name == "__init__.py" and len(relative.parts) == 1
        else relative.parts[0].removesuffix(".py")
    )


def test_every_unit_has_a_layer():
    units = {_source_unit(path) for path in PACKAGE.rglob("*.py")}
    placed = set().union(*LAYERS)
    assert units <= placed, f"give these units a layer in LAYERS: {sorted(units - placed)}"


def test_imports_point_down():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        unit = _source_unit(path)
        for module, line in _imported_modules(path):
            target = _unit(module)
            if target == unit or module == STANDALONE:
                continue
            if _layer(target) >= _layer(unit):
                upward.append(f"{path.relative_to(PACKAGE)}:{line} ({unit}) imports {module} ({target})")
    assert not upward, "imports against the layer order:\n" + "\n".join(upward)


def test_standalone_decoder_imports_nothing_of_the_package():
    path = PACKAGE / "spanet" / "decoding.py"
    assert _imported_modules(path) == []
