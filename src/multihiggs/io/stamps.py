"""Reading the provenance stamp (:mod:`multihiggs.provenance`) back from any output, by the file's kind.

Where each kind carries it (docs/provenance.md): PDF Info ``Keywords``; PNG text chunk ``provenance``; the last
line of Markdown and LaTeX tables and of HTML pages (a comment); the root attribute ``provenance`` of HDF5 files;
the key ``provenance`` of torch and joblib model dictionaries and of JSON documents; the booster attribute
``provenance`` of xgboost JSON models; the string ``multihiggs_provenance`` of our ROOT files; a
``NAME.provenance`` sidecar for formats without room for one (pyhf workspaces).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from multihiggs.provenance import STAMP_KEY, Stamp, sidecar_path, split_stamp_comment

_PDF_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def pdf_literal_string(data: bytes, start: int) -> bytes:
    """The PDF literal string whose opening parenthesis is ``data[start]``, unescaped (PDF 1.7 § 7.3.4.2)."""
    value, depth, index = bytearray(), 0, start
    while index < len(data):
        char = data[index]
        if char == ord("\\"):
            escaped = data[index + 1]
            if escaped in b"01234567":
                digits = data[index + 1 : index + 4]
                count = next((i for i, d in enumerate(digits) if d not in b"01234567"), len(digits))
                value.append(int(digits[:count], 8) & 0xFF)
                index += 1 + count
                continue
            if escaped in b"\r\n":  # line continuation
                index += 3 if data[index + 1 : index + 3] == b"\r\n" else 2
                continue
            value += _PDF_ESCAPES.get(escaped, bytes([escaped]))
            index += 2
            continue
        if char == ord("("):
            depth += 1
            if depth == 1:
                index += 1
                continue
        elif char == ord(")"):
            depth -= 1
            if depth == 0:
                return bytes(value)
        value.append(char)
        index += 1
    raise ValueError("unterminated PDF string")


def _pdf(path: Path) -> str | None:
    data = path.read_bytes()
    position = data.rfind(b"/Keywords")
    if position < 0:
        return None
    start = data.find(b"(", position)
    if start < 0:
        return None
    raw = pdf_literal_string(data, start)
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def _png(path: Path) -> str | None:
    data = path.read_bytes()
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError(f"{path} is not a PNG file")
    index = len(_PNG_SIGNATURE)
    while index + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[index : index + 8])
        chunk = data[index + 8 : index + 8 + length]
        if kind == b"tEXt":
            keyword, _, text = chunk.partition(b"\0")
            if keyword == STAMP_KEY.encode():
                return text.decode("latin-1")
        index += 12 + length
    return None


def _text(path: Path) -> Stamp | None:
    return split_stamp_comment(path.suffix, path.read_text(encoding="utf-8"))[1]


def _hdf5(path: Path) -> Any:
    import h5py

    with h5py.File(path, "r") as handle:
        return handle.attrs.get(STAMP_KEY)


def _torch(path: Path) -> Any:
    import torch

    payload = torch.load(path, map_location="cpu", weights_only=True)
    return payload.get(STAMP_KEY) if isinstance(payload, dict) else None


def _joblib(path: Path) -> Any:
    import joblib

    content = joblib.load(path)
    return content.get(STAMP_KEY) if isinstance(content, dict) else None


def _json(path: Path) -> Any:
    document = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        return None
    if STAMP_KEY in document:
        return document[STAMP_KEY]
    learner = document.get("learner")  # an xgboost JSON model: booster attributes
    return learner.get("attributes", {}).get(STAMP_KEY) if isinstance(learner, dict) else None


def _root(path: Path) -> Any:
    import uproot

    from multihiggs.io.delphes import PROVENANCE_KEY

    with uproot.open(path) as root_file:
        if PROVENANCE_KEY not in [key.split(";")[0] for key in root_file.keys(recursive=False)]:
            return None
        return str(root_file[PROVENANCE_KEY])


READERS: dict[str, Callable[[Path], Any]] = {
    ".pdf": _pdf,
    ".png": _png,
    ".md": _text,
    ".tex": _text,
    ".html": _text,
    ".h5": _hdf5,
    ".hdf5": _hdf5,
    ".pt": _torch,
    ".joblib": _joblib,
    ".json": _json,
    ".root": _root,
}


def read_stamp(path: str | Path) -> Stamp | None:
    """The stamp of one output (its sidecar's if it has one), or None if it carries none.

    Raises:
        ValueError: the file is missing, unreadable, or carries something that is not a stamp.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"cannot read the provenance of {path}: no such file")
    sidecar = sidecar_path(path)
    reader = READERS.get(path.suffix.lower())
    try:
        if sidecar.is_file():
            content = sidecar.read_text(encoding="utf-8")
        elif reader is None:
            return None
        else:
            content = reader(path)
        if content is None or isinstance(content, Stamp):
            return content
        return Stamp.from_content(content)
    except (OSError, ValueError, KeyError, IndexError, struct.error) as error:
        raise ValueError(f"cannot read the provenance of {path}: {error}") from error


def _stampable(path: Path) -> bool:
    """A file inside a searched directory that is an output, not a sidecar or a partial write."""
    if path.suffix == "." + STAMP_KEY or ".partial" in path.name:
        return False
    return path.suffix.lower() in READERS or sidecar_path(path).is_file()


def read_stamps(paths: Iterable[str | Path]) -> dict[str, Stamp | None]:
    """Stamp of each of ``paths`` (directories: of each output file inside, recursively), by path as given."""
    stamps: dict[str, Stamp | None] = {}
    for path in map(Path, paths):
        if path.is_dir():
            for member in sorted(member for member in path.rglob("*") if member.is_file() and _stampable(member)):
                stamps[member.as_posix()] = read_stamp(member)
        else:
            stamps[path.as_posix()] = read_stamp(path)
    return stamps
