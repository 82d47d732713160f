"""User-facing errors.

A `UserError` is bad input from the user (a file, a flag, a policy): the CLI
prints its message on one line and exits with status 2, with no traceback.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["DataError", "PolicyError", "UserError"]


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
