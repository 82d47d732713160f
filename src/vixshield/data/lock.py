"""The store's inter-process write lock.

One lock file per store folder, ``<root>/.lock``, held with ``fcntl.flock`` for the
length of a write (a read-modify-write of a catalogue). The file records the holder's
PID, so that a writer that gives up can say who holds the store. The kernel drops a
``flock`` when its holder exits, so a killed writer (kill -9 included) never leaves
the store locked; the file it leaves behind is reused by the next writer.

The lock is re-entrant within a process (a write that calls another locked write of
the same store does not wait for itself) and also serialises the threads of one
process. Readers take no lock: every catalogue is replaced in one ``os.replace``, so
a reader sees the old or the new version, never half of one.

The holder removes the lock file on release, and an acquirer that finds the file it
locked unlinked or replaced starts again, so at most one process holds the lock of a
path at any time (the usual ``flock`` + unlink protocol).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vixshield.errors import StoreBusy, UserError

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "LOCK_FILE",
    "LOCK_TIMEOUT_ENV",
    "lock_holder",
    "lock_timeout",
    "store_lock",
]

LOCK_FILE = ".lock"
"""Name of the lock file inside the locked folder."""

DEFAULT_TIMEOUT_S = 30.0
"""Seconds a writer waits for a busy store before `StoreBusy`."""

LOCK_TIMEOUT_ENV = "VIXSHIELD_LOCK_TIMEOUT"
"""Environment variable: seconds a writer waits (overrides `DEFAULT_TIMEOUT_S`)."""

_MAX_TIMEOUT_S = 86_400.0
"""Longest accepted wait, seconds (one day)."""

_POLL_S = 0.02
"""Seconds between two attempts to take a held lock."""


@dataclass
class _Held:
    """This process's hold on one lock file: the thread lock, the fd and the depth."""

    thread_lock: threading.RLock = field(default_factory=threading.RLock)
    fd: int | None = None
    depth: int = 0


_REGISTRY: dict[str, _Held] = {}
_REGISTRY_LOCK = threading.Lock()


def _entry(path: Path) -> _Held:
    with _REGISTRY_LOCK:
        return _REGISTRY.setdefault(str(path), _Held())


def lock_timeout() -> float:
    """Seconds a store writer waits for the lock: ``$VIXSHIELD_LOCK_TIMEOUT`` or the default.

    Returns
    -------
    float
        The variable's value (a number of seconds in [0, 86400]) where it is set,
        else `DEFAULT_TIMEOUT_S`.

    Raises
    ------
    vixshield.errors.UserError
        When the variable is set to anything else.
    """
    text = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= _MAX_TIMEOUT_S:  # NaN fails too
        raise UserError(
            f"${LOCK_TIMEOUT_ENV}: expected seconds in [0, {_MAX_TIMEOUT_S:g}], got {text!r}"
        )
    return value


def lock_holder(root: Path) -> int | None:
    """PID recorded in ``<root>/.lock`` (None where there is no file or no PID in it).

    Parameters
    ----------
    root : pathlib.Path
        The locked folder.

    Returns
    -------
    int or None
        The PID of the last process that took the lock; it still holds it only
        while the lock is busy.
    """
    try:
        text = (root / LOCK_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _try_flock(path: Path) -> int | None:
    """One attempt: the fd of ``path`` locked exclusively, or None while another holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    try:
        same = os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        same = False
    if not same:  # the holder before us removed (or replaced) the file: start again
        os.close(fd)
        return None
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _acquire(path: Path, deadline: float) -> int:
    while True:
        fd = _try_flock(path)
        if fd is not None:
            return fd
        if time.monotonic() >= deadline:
            raise StoreBusy(str(path), lock_holder(path.parent))
        time.sleep(_POLL_S)


def _release(path: Path, fd: int) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # while still locked: a waiter on this inode will see it gone
    os.close(fd)  # drops the flock


@contextlib.contextmanager
def store_lock(root: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Iterator[None]:
    """Hold the write lock of the store folder ``root`` for the ``with`` block.

    Parameters
    ----------
    root : pathlib.Path
        The store folder (``Store(home).root``); created if missing (it is not
        removed afterwards).
    timeout_s : float
        Seconds to wait for another holder (default `DEFAULT_TIMEOUT_S`); 0 tries once.

    Raises
    ------
    vixshield.errors.StoreBusy
        When the lock is still held by another process (or thread) after
        ``timeout_s``; the message names the lock file and the holder's PID.

    Notes
    -----
    Re-entrant in one thread: a nested ``store_lock`` of the same folder returns
    at once and the lock is released when the outermost block ends.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    path = root.resolve() / LOCK_FILE
    deadline = time.monotonic() + max(0.0, timeout_s)
    held = _entry(path)
    if not held.thread_lock.acquire(timeout=max(0.0, timeout_s)):
        raise StoreBusy(str(path), os.getpid())
    try:
        if held.depth == 0:
            held.fd = _acquire(path, deadline)
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
            if held.depth == 0 and held.fd is not None:
                fd, held.fd = held.fd, None
                _release(path, fd)
    finally:
        held.thread_lock.release()
