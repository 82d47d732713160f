"""User-facing errors.

A `UserError` is bad input from the user (a file, a flag, a policy): the CLI
prints its message on one line and exits with status 2, with no traceback.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["DataError", "NotListed", "PolicyError", "UserError"]


class UserError(Exception):
    """Bad user input; ``str(err)`` is the whole message shown to the user."""


class DataError(UserError):
    """A data file or series failed validation.

    Parameters
    ----------
    message : str
        What was wrong and what was expected.
    file : str, optional
        File path or URL.
    row : int, optional
        1-based line number in the file (header is line 1).
    field : str, optional
        Column name.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file, self.row, self.field, self.detail = file, row, field, message
        where = ":".join(str(p) for p in (file, row) if p is not None)
        col = f" column '{field}'" if field else ""
        prefix = f"{where}:{col} " if where else (f"{col.strip()}: " if col else "")
        super().__init__(f"{prefix}{message}".strip())


class PolicyError(UserError):
    """A policy file failed validation (message names file, key and rule)."""


class NotListed(UserError):
    """A product asked for on a date before the exchange first listed it.

    ``str(err)`` is e.g. ``"VIX options not listed before 2006-02-24"``.

    Parameters
    ----------
    product : str
        What was asked for, as the message names it (``"VIX options"``, ``"VX futures"``).
    start : datetime.date
        The first day the product was listed.
    as_of : datetime.date, optional
        The date asked for (kept for callers; not in the message).
    """

    def __init__(self, product: str, start: dt.date, *, as_of: dt.date | None = None) -> None:
        if isinstance(start, dt.datetime):  # a pandas Timestamp is one: keep the day only
            start = start.date()
        self.product, self.start, self.as_of = product, start, as_of
        super().__init__(f"{product} not listed before {start.isoformat()}")
