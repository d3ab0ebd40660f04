"""What every command line of the package shares: one clear error line and exit status 2 for bad input."""

from __future__ import annotations

import sys
from collections.abc import Callable

#: Exceptions that mean "the input or configuration is wrong", reported without a traceback.
INPUT_ERRORS: tuple[type[BaseException], ...] = (ValueError, FileNotFoundError, KeyError)
#: Exit status of a command line given bad input (as argparse's for a bad command line).
INPUT_ERROR_STATUS = 2


class InputErrorExit(SystemExit):
    """``SystemExit`` with status 2 whose text is the input error's message (already printed as ``error: …``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.code = INPUT_ERROR_STATUS


def _one_line(error: BaseException) -> str:
    """The error's message on one line (messages of underlying libraries may span several)."""
    return " ".join(str(error).split())


def run_main(action: Callable[[], object], *, raise_exit: bool = False) -> int:
    """Run ``action``; report an input error (:data:`INPUT_ERRORS`) as one line ``error: …`` on stderr.

    Returns 0 on success. On an input error returns 2 (``def main() -> int`` ending in ``sys.exit(main())``), or
    with ``raise_exit`` raises :class:`InputErrorExit` (status 2) for mains that return nothing.
    """
    try:
        action()
    except INPUT_ERRORS as error:
        message = _one_line(error)
        print(f"error: {message}", file=sys.stderr)
        if raise_exit:
            raise InputErrorExit(message) from error
        return INPUT_ERROR_STATUS
    return 0
