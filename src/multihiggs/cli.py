"""What every command line of the package shares: one clear error line and a non-zero exit for bad input."""

from __future__ import annotations

import sys
from collections.abc import Callable

#: Exceptions that mean "the input or configuration is wrong", reported without a traceback.
INPUT_ERRORS: tuple[type[BaseException], ...] = (ValueError, FileNotFoundError, KeyError)


def run_main(action: Callable[[], object]) -> int:
    """Run ``action``; report an input error as ``error: …`` on stderr and return exit code 2."""
    try:
        action()
    except INPUT_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
