"""Stable JSON and atomic file writes for every report the CLI produces.

Stable JSON (`dumps_stable`, `to_jsonable`) lives in `vixshield._json` and is
re-exported here. Atomic
means a reader never sees a half-written file: text goes to a temporary file in
the target folder, is flushed and fsynced, then moved over the target with
`os.replace` (atomic on POSIX and Windows within one file system).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from vixshield._json import FLOAT_DIGITS, dumps_stable, to_jsonable

__all__ = [
    "FLOAT_DIGITS",
    "dumps_stable",
    "to_jsonable",
    "write_files_atomic",
    "write_text_atomic",
]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the path.

    The temporary file lives in the target folder so `os.replace` never crosses
    file systems; it is removed when anything fails.
    """
    return write_files_atomic({Path(path): text})[0]


def write_files_atomic(files: Mapping[Path, str]) -> list[Path]:
    """Write several files, each atomically, only after all of them were staged.

    Every text is first written to its own temporary file; only when all are on
    disk are they moved into place, so a failure while staging leaves every
    target untouched.
    """
    staged: list[tuple[str, Path]] = []
    mode = 0o666 & ~_umask()  # what open() would have given; mkstemp makes 0600
    try:
        for target, text in files.items():
            target = Path(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            staged.append((tmp, target))
            os.chmod(tmp, mode)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [target for _, target in staged]
