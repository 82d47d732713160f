"""User-facing errors and the exit codes of the ``vixshield`` command.

A `UserError` is bad input from the user (a file, a flag, a policy): the CLI
prints its message on one line and exits with status 2, with no traceback.
An `EnvError` is the machine refusing (disk full, permission denied, a busy
store): one line and its own exit code. Anything else is a bug: the CLI prints
one line pointing at a log file that holds the traceback, and exits 70.

Exit codes
----------
======  =====================  ==================================================
code    name                   meaning
======  =====================  ==================================================
0       `EXIT_OK`              success
1       `EXIT_DIFFERENCES`     differences found, where a command documents it
                               (``reconcile``); also a prompt aborted ("Aborted!")
2       `EXIT_USAGE`           user error: a bad flag, policy, positions or data
                               file (``error: <file>: <where>: <what>``)
66      `EXIT_NOINPUT`         an input file does not exist or cannot be opened
70      `EXIT_SOFTWARE`        internal error (a bug); the traceback is in a log
                               file under ``<data home>/logs/``
74      `EXIT_IOERR`           I/O error: disk full (ENOSPC), quota, read/write
                               failure
75      `EXIT_TEMPFAIL`        temporary failure: the store is busy (locked by
                               another process); retry later
77      `EXIT_NOPERM`          permission denied (EACCES, EPERM, read-only file
                               system)
130     (shell convention)     interrupted by Ctrl-C (SIGINT)
======  =====================  ==================================================

The numbers 66-77 are the BSD ``sysexits.h`` codes, so that shell scripts and
schedulers can tell "try again later" (75) from "fix the input" (2).
"""

from __future__ import annotations

import datetime as dt
import errno

__all__ = [
    "EXIT_DIFFERENCES",
    "EXIT_IOERR",
    "EXIT_NOINPUT",
    "EXIT_NOPERM",
    "EXIT_OK",
    "EXIT_SOFTWARE",
    "EXIT_TEMPFAIL",
    "EXIT_USAGE",
    "DataError",
    "EnvError",
    "IOFailure",
    "NotListed",
    "PermissionDenied",
    "PolicyError",
    "StoreBusy",
    "UserError",
    "env_error_from_os",
]

EXIT_OK = 0
EXIT_DIFFERENCES = 1
EXIT_USAGE = 2
EXIT_NOINPUT = 66  # sysexits.h EX_NOINPUT
EXIT_SOFTWARE = 70  # sysexits.h EX_SOFTWARE
EXIT_IOERR = 74  # sysexits.h EX_IOERR
EXIT_TEMPFAIL = 75  # sysexits.h EX_TEMPFAIL
EXIT_NOPERM = 77  # sysexits.h EX_NOPERM


class UserError(Exception):
    """Bad user input; ``str(err)`` is the whole message shown to the user."""

    exit_code: int = EXIT_USAGE


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


class EnvError(Exception):
    """The environment refused (disk, permissions, a lock); not the user's input, not a bug.

    ``str(err)`` is the one line shown to the user; `exit_code` is the process status.
    Subclasses set their own code.
    """

    exit_code: int = EXIT_IOERR


class IOFailure(EnvError):
    """Reading or writing failed: disk full, quota exceeded, an I/O error (exit 74).

    Parameters
    ----------
    what : str
        What failed, e.g. ``"disk full"``.
    path : str, optional
        The file or folder concerned.
    """

    exit_code = EXIT_IOERR

    def __init__(self, what: str, path: str | None = None) -> None:
        self.what, self.path = what, path
        super().__init__(f"{what}: {path}" if path else what)


class PermissionDenied(EnvError):
    """The operating system refused access to a file or folder (exit 77).

    Parameters
    ----------
    path : str, optional
        The file or folder concerned.
    """

    exit_code = EXIT_NOPERM

    def __init__(self, path: str | None = None, what: str = "permission denied") -> None:
        self.what, self.path = what, path
        super().__init__(f"{what}: {path}" if path else what)


class StoreBusy(EnvError):
    """Another process holds the store's lock (exit 75: try again later).

    Parameters
    ----------
    path : str
        The lock file (or store folder) that is held.
    holder_pid : int, optional
        Process id of the holder, when the lock file records it.
    """

    exit_code = EXIT_TEMPFAIL

    def __init__(self, path: str, holder_pid: int | None = None) -> None:
        self.path, self.holder_pid = path, holder_pid
        held = f" (held by PID {holder_pid})" if holder_pid is not None else ""
        super().__init__(f"store is busy{held}: {path}")


_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_NO_PERMISSION = {errno.EACCES, errno.EPERM, errno.EROFS}


def env_error_from_os(err: OSError, where: str | None = None) -> EnvError | None:
    """The `EnvError` an `OSError` stands for, or None when it is not an environment error.

    Parameters
    ----------
    err : OSError
        As raised by the operating system.
    where : str, optional
        The file or folder to name when the error carries none (a failed ``write``).

    Returns
    -------
    EnvError or None
        `IOFailure` ("disk full") for ENOSPC / EDQUOT / EFBIG, `PermissionDenied` for
        EACCES / EPERM / EROFS, `IOFailure` ("I/O error") for EIO; None otherwise
        (a missing file and other errors are judged by the caller).
    """
    path = err.filename if isinstance(err.filename, str) else where
    if err.errno in _NO_SPACE:
        return IOFailure("disk full", path)
    if err.errno in _NO_PERMISSION:
        what = "read-only file system" if err.errno == errno.EROFS else "permission denied"
        return PermissionDenied(path, what)
    if err.errno == errno.EIO:
        return IOFailure("I/O error", path)
    return None
