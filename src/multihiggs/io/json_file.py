"""Reading the workflow's JSON files with an error that names the file (turned into one ``error: …`` line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def load_json_file(path: str | Path, description: str) -> Any:
    """The JSON content of ``path``.

    Raises:
        ValueError: ``cannot read <description> <path>: …`` if the file is missing, unreadable or not JSON.
    """
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read {description} {path}: {error}") from error
