"""The shipped list of named stress windows, and the reader of stress-window CSV files.

``vixshield/data/resources/stress_windows.csv``: columns ``name, start, end,
description``; inclusive ISO dates (US trading days); ``#`` comment lines before the
header. One reader for every layer: the backtest's metrics
(`vixshield.backtest.metrics.STRESS_WINDOWS`), the policy's check of window names and
the reports (`vixshield.report.stress`) all read the list through
`default_stress_windows`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from vixshield.errors import DataError

__all__ = [
    "STRESS_WINDOWS_RESOURCE",
    "StressWindow",
    "default_stress_windows",
    "parse_stress_windows",
    "read_stress_windows",
]

STRESS_WINDOWS_RESOURCE = "stress_windows.csv"
_HEADER = ("name", "start", "end", "description")


@dataclass(frozen=True)
class StressWindow:
    """A named market stress period.

    Attributes
    ----------
    name : str
        Label shown in reports (unique within a list).
    start, end : Timestamp
        First and last day of the window, inclusive (midnight, no time zone).
    description : str
        What happened, one line.
    replace : bool
        For a window added to a list (``extra``): take the place of the listed
        window of the same name (which must exist) instead of being refused.
    """

    name: str
    start: pd.Timestamp
    end: pd.Timestamp
    description: str = ""
    replace: bool = False


def _date(text: str, file: str, row: int, field: str) -> pd.Timestamp:
    try:
        day = pd.Timestamp(text.strip())
    except ValueError:
        raise DataError(
            f"expected an ISO date, got {text!r}", file=file, row=row, field=field
        ) from None
    if day != day.normalize() or len(text.strip()) != 10:
        raise DataError(f"expected an ISO date, got {text!r}", file=file, row=row, field=field)
    return day


def parse_stress_windows(text: str, file: str) -> tuple[StressWindow, ...]:
    """Windows from CSV text (format in the module docstring).

    Raises
    ------
    DataError
        Naming ``file``, the 1-based line and the column: a wrong header, a
        missing field, a date that is not ISO, ``end`` before ``start``, a
        repeated name.
    """
    lines = text.splitlines()
    skip = 0
    while skip < len(lines) and (not lines[skip].strip() or lines[skip].lstrip().startswith("#")):
        skip += 1
    rows = list(csv.reader(io.StringIO("\n".join(lines[skip:]))))
    if not rows or tuple(c.strip() for c in rows[0]) != _HEADER:
        raise DataError(f"expected the header '{','.join(_HEADER)}'", file=file, row=skip + 1)
    out: list[StressWindow] = []
    seen: set[str] = set()
    for n, cells in enumerate(rows[1:], start=skip + 2):
        if not cells or not "".join(cells).strip():
            continue
        if len(cells) != len(_HEADER):
            raise DataError(f"expected {len(_HEADER)} fields, got {len(cells)}", file=file, row=n)
        name = cells[0].strip()
        if not name:
            raise DataError("empty name", file=file, row=n, field="name")
        if name in seen:
            raise DataError(f"window {name!r} defined twice", file=file, row=n, field="name")
        start = _date(cells[1], file, n, "start")
        end = _date(cells[2], file, n, "end")
        if end < start:
            raise DataError("end is before start", file=file, row=n, field="end")
        seen.add(name)
        out.append(StressWindow(name, start, end, cells[3].strip()))
    return tuple(out)


def read_stress_windows(path: str | Path) -> tuple[StressWindow, ...]:
    """Windows from a CSV file (see `parse_stress_windows`)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as err:
        raise DataError(f"cannot read: {err.strerror}", file=str(p)) from None
    return parse_stress_windows(text, str(p))


@cache
def default_stress_windows() -> tuple[StressWindow, ...]:
    """The shipped list (``vixshield/data/resources/stress_windows.csv``)."""
    res = resources.files("vixshield.data").joinpath("resources", STRESS_WINDOWS_RESOURCE)
    return parse_stress_windows(res.read_text(encoding="utf-8"), f"resource:{res.name}")
