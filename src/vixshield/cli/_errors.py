"""The one way commands report bad input: ``error: <line>`` on stderr, exit status 2,
and the date check the run commands share."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from vixshield.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FIRST_DATE", "LAST_DATE", "check_capital", "parse_date", "user_errors"]


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


FIRST_DATE = "1900-01-01"
LAST_DATE = "2100-12-31"
"""Dates a flag accepts (pandas' nanosecond timestamps end in 2262; no data is older)."""


def parse_date(text: str | None, flag: str) -> pd.Timestamp | None:
    """``YYYY-MM-DD`` given to ``flag`` as a Timestamp (None for None); a `UserError` naming
    the flag otherwise (not a date, not a real day such as 2026-02-30, or outside
    `FIRST_DATE`..`LAST_DATE`)."""
    import pandas as pd  # not at import time: --help and --version stay fast

    if text is None:
        return None
    shown = text if len(text) <= 40 else f"{text[:37]}..."
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise UserError(f"{flag}: expected a date YYYY-MM-DD, got {shown!r}")
    if not FIRST_DATE <= text.strip() <= LAST_DATE:
        raise UserError(f"{flag}: {text.strip()} is outside {FIRST_DATE}..{LAST_DATE}")
    try:
        return pd.Timestamp(text.strip())
    except ValueError:
        raise UserError(f"{flag}: not a valid date: {shown!r}") from None


def check_capital(value: float | None, flag: str = "--capital") -> float | None:
    """``value`` when it is a sane account size in dollars (None passes); else a `UserError`.

    Parameters
    ----------
    value : float or None
        Dollars, as parsed by the option.
    flag : str
        The option, for the message.

    Returns
    -------
    float or None
        ``value`` unchanged.

    Notes
    -----
    The bounds are the policy's (`vixshield.strategy.policy.MIN_CAPITAL` ..
    ``MAX_CAPITAL``, 1e3..1e10 dollars), so that a flag can never give the engine an
    amount a policy file could not (``1e300`` overflows its P&L sums).
    """
    from vixshield.strategy.policy import MAX_CAPITAL, MIN_CAPITAL

    if value is None:
        return None
    if not math.isfinite(value) or not MIN_CAPITAL <= value <= MAX_CAPITAL:
        raise UserError(
            f"{flag}: expected a positive amount of dollars in [{MIN_CAPITAL:.0f}, "
            f"{MAX_CAPITAL:.0f}], got {value:g}"
        )
    return value
