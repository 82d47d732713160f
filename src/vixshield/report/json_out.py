"""Stable JSON and atomic file writes for every report the CLI produces.

Stable means byte-identical for identical inputs: keys sorted, floats rounded
to `FLOAT_DIGITS` significant digits and printed in their shortest round-trip
form, NaN and infinities written as ``null``, dates as ISO strings. Atomic
means a reader never sees a half-written file: text goes to a temporary file in
the target folder, is flushed and fsynced, then moved over the target with
`os.replace` (atomic on POSIX and Windows within one file system).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "FLOAT_DIGITS",
    "dumps_stable",
    "to_jsonable",
    "write_files_atomic",
    "write_text_atomic",
]

FLOAT_DIGITS = 10
"""Significant digits kept for floats in JSON output (well past any quoted precision)."""


def _float(x: float) -> float | None:
    if not math.isfinite(x):
        return None
    if x == 0.0:
        return 0.0  # folds -0.0 into 0.0
    rounded = float(format(x, f".{FLOAT_DIGITS}g"))
    return rounded if math.isfinite(rounded) else x  # rounding up past the largest double


def to_jsonable(obj: object) -> object:
    """Convert ``obj`` to plain JSON types (dict, list, str, int, float, bool, None).

    Handles mappings, sequences, frozen dataclasses, numpy scalars and arrays,
    pandas Timestamps (``YYYY-MM-DD`` when the time is midnight, ISO otherwise),
    Series (as a mapping of index label to value) and DataFrames (as a list of
    records). Floats are rounded to `FLOAT_DIGITS` significant digits; NaN,
    NA and infinities become None. Mapping keys become strings.
    """
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return _float(float(obj))
    if obj is pd.NaT or obj is pd.NA:
        return None
    if isinstance(obj, pd.Timestamp | _dt.datetime):
        ts = pd.Timestamp(obj)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat()
    if isinstance(obj, _dt.date):
        return obj.isoformat()
    if isinstance(obj, pd.Timedelta):
        return str(obj)
    if isinstance(obj, pd.DataFrame):
        frame = obj.reset_index() if obj.index.name is not None else obj
        return [
            to_jsonable(dict(zip(frame.columns, row, strict=True)))
            for row in frame.itertuples(index=False)
        ]
    if isinstance(obj, pd.Series):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        items = [to_jsonable(v) for v in obj]
        if isinstance(obj, set | frozenset):
            items.sort(key=lambda v: json.dumps(v, sort_keys=True))
        return items
    if isinstance(obj, Path):
        return str(obj)
    try:
        if pd.isna(obj):  # type: ignore[call-overload]
            return None
    except (TypeError, ValueError):
        pass
    return str(obj)


def dumps_stable(obj: object) -> str:
    """Serialise ``obj`` to stable JSON text (sorted keys, two-space indent, final newline)."""
    return (
        json.dumps(to_jsonable(obj), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
        + "\n"
    )


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
