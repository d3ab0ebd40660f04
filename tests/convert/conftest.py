"""Fixtures of the conversion tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from delphes_events import Event, collections_from_events

from multihiggs.io.delphes import write_delphes


@pytest.fixture
def write_events(tmp_path: Path) -> Callable[..., Path]:
    """write_events(events, name="sample.root", metadata=None) -> path of a Delphes-schema file."""

    def write(events: Sequence[Event], name: str = "sample.root", metadata: Mapping[str, Any] | None = None) -> Path:
        path = tmp_path / name
        write_delphes(path, collections_from_events(events), metadata)
        return path

    return write
