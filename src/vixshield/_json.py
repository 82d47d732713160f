"""Stable JSON: byte-identical text for identical inputs.

Keys sorted, floats rounded to `FLOAT_DIGITS` significant digits and printed in their
shortest round-trip form, NaN and infinities written as ``null``, dates as ISO strings.
Used by the backtest summary and every report, so one rule holds everywhere.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["FLOAT_DIGITS", "dumps_stable", "to_jsonable"]

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
