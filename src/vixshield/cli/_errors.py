"""The one way commands report bad input: ``error: <line>`` on stderr, exit status 2."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from vixshield.errors import UserError

__all__ = ["user_errors"]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a `UserError` into ``error: <line>`` on stderr (one per line) and exit 2.

    No traceback: a `UserError` already names the file, row and field (or the flag).
    """
    try:
        yield
    except UserError as err:
        for line in str(err).splitlines() or [type(err).__name__]:
            sys.stderr.write(f"error: {line}\n")
        raise typer.Exit(2) from None
