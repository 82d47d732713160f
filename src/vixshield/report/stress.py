"""Named stress windows, defined in data, and a run's P&L inside each.

The shipped list is ``vixshield/data/resources/stress_windows.csv`` (read by the
backtest's `vixshield.backtest.metrics.STRESS_WINDOWS` too) (columns ``name, start,
end, description``; inclusive ISO dates; ``#`` comment lines before the header).
A caller may add its own windows (``extra``); a name used twice is an error.
Each window that overlaps the run is reported, clipped to the run's days and
marked ``partial`` when the run covers only part of it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from vixshield.backtest.metrics import stress_windows as _window_pnl
from vixshield.errors import DataError

__all__ = [
    "STRESS_WINDOWS_RESOURCE",
    "StressWindow",
    "default_stress_windows",
    "parse_stress_windows",
    "read_stress_windows",
    "stress_table",
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
    """

    name: str
    start: pd.Timestamp
    end: pd.Timestamp
    description: str = ""


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


def _merged(
    windows: Sequence[StressWindow] | None, extra: Iterable[StressWindow]
) -> tuple[StressWindow, ...]:
    base = tuple(default_stress_windows() if windows is None else windows)
    names = {w.name for w in base}
    added = []
    for w in extra:
        if w.name in names:
            raise DataError(f"stress window {w.name!r} is already defined", field="name")
        names.add(w.name)
        added.append(w)
    return (*base, *added)


def stress_table(
    daily: pd.DataFrame,
    windows: Sequence[StressWindow] | None = None,
    extra: Iterable[StressWindow] = (),
) -> dict[str, dict[str, object]]:
    """The run's P&L inside each window that overlaps it, in window order.

    Parameters
    ----------
    daily : DataFrame
        `BacktestResult.daily` (``pnl``, ``pnl_condor``, ``pnl_hedge:<layer>``,
        ``spx``, ``vix``), indexed by trading day.
    windows : sequence of StressWindow, optional
        The list to use; default `default_stress_windows`.
    extra : iterable of StressWindow
        Windows added to that list (a policy's own); a name already used is a
        `DataError`.

    Returns
    -------
    dict
        Window name -> ``start``, ``end`` (the window, ISO), ``from``, ``to``
        (first and last run day inside it, ISO), ``partial`` (True when the run
        covers only part of the window: its figures are for the clipped span),
        ``days``, ``pnl``, ``pnl_condor``, ``pnl_hedge`` and each
        ``pnl_hedge:<layer>`` (dollars), ``spx_return`` (decimal), ``vix_max``
        (index points), ``description``. Windows outside the run are absent.

    Notes
    -----
    The sums are `vixshield.backtest.metrics.stress_windows` over each window.
    """
    listed = _merged(windows, extra)
    spans = {w.name: (w.start.strftime("%Y-%m-%d"), w.end.strftime("%Y-%m-%d")) for w in listed}
    sums = _window_pnl(daily, spans)
    out: dict[str, dict[str, object]] = {}
    for w in listed:
        if w.name not in sums:
            continue
        inside = daily.index[(daily.index >= w.start) & (daily.index <= w.end)]
        row: dict[str, object] = {
            "start": spans[w.name][0],
            "end": spans[w.name][1],
            "from": inside[0].strftime("%Y-%m-%d"),
            "to": inside[-1].strftime("%Y-%m-%d"),
        }
        row.update({k: v for k, v in sums[w.name].items() if k not in ("start", "end")})
        row["description"] = w.description
        out[w.name] = row
    return out
