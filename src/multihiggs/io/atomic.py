"""Atomic outputs: a file appears under its name only when complete (never a partial output left as if complete).

:func:`atomic_output` is the one primitive every writer uses (tables, figures, Delphes ROOT, predictions, model
checkpoints); :func:`write_text` adds the provenance comment line to Markdown and LaTeX text.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from multihiggs.provenance import TEXT_COMMENTS, current_stamp, stamp_comment


@contextmanager
def atomic_output(path: str | Path, *, keep_suffix: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write; it replaces ``path`` when the block succeeds and is removed
    when it fails. ``keep_suffix``: the temporary name keeps the file's suffix (``F.partial.pdf``, for writers
    that take the format from it) instead of ending in ``.partial``. The parent directory is created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.stem}.partial{path.suffix}" if keep_suffix else f"{path.name}.partial")
    try:
        yield partial
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` atomically (UTF-8) to ``path``; Markdown and LaTeX end with the provenance comment line.

    The stamp line (:func:`multihiggs.provenance.stamp_comment`) is ``<!-- provenance: {…} -->`` in ``.md`` and
    ``% provenance: {…}`` in ``.tex`` files; other files are written as given.
    """
    path = Path(path)
    comment = stamp_comment(path.suffix, current_stamp()) if path.suffix.lower() in TEXT_COMMENTS else None
    if comment is not None:
        text = text + ("" if text.endswith("\n") or not text else "\n") + comment + "\n"
    with atomic_output(path) as partial:
        partial.write_text(text, encoding="utf-8")
