"""The one way commands report bad input: ``error: <line>`` on stderr, exit status 2,
and the date check the run commands share."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from vixshield.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["parse_date", "user_errors"]


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


def parse_date(text: str | None, flag: str) -> pd.Timestamp | None:
    """``YYYY-MM-DD`` given to ``flag`` as a Timestamp (None for None); a `UserError` naming
    the flag otherwise."""
    import pandas as pd  # not at import time: --help and --version stay fast

    if text is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise UserError(f"{flag}: expected a date YYYY-MM-DD, got {text!r}")
    try:
        return pd.Timestamp(text.strip())
    except ValueError:
        raise UserError(f"{flag}: not a valid date: {text!r}") from None
