"""Cboe strategy benchmark index histories: ``<NAME>_History.csv``.

The Cboe daily-price download of the S&P 500 option-strategy benchmarks
(`https://cdn.cboe.com/api/global/us_indices/daily_prices/<NAME>_History.csv`):
header ``DATE,<NAME>`` with NAME one of ``PUT`` (PutWrite), ``BXM`` (BuyWrite),
``PPUT`` (5% Put Protection) and ``CLL`` (95-110 Collar); dates ``MM/DD/YYYY``;
closing values in index points with six decimals.

The real files carry quirks that a parser must meet and keep, not repair
(listed in `Parsed.warnings`, values unchanged):

* isolated early values (PUT: a handful of points before its daily history
  starts on 2007-01-03) and gaps (CLL: two 11-day gaps) - see `GAP_WARN_DAYS`;
* rows on market holidays that repeat the previous value (CLL: 2018-11-22,
  2018-12-25, 2019-12-25), and stale runs of an unchanged value (CLL, January
  2019) - see `STALE_RUN`;
* values with odd precision (``1857.310100`` where Cboe publishes cents;
  PUT and BXM, 2018-11 .. 2019-02);
* a one-day level discontinuity (CLL, 2009-10-16: -19.8 %) - see `JUMP_WARN`.

References
----------
Cboe, "Cboe S&P 500 PutWrite Index (PUT)", "BuyWrite Index (BXM)", "5% Put
Protection Index (PPUT)", "95-110 Collar Index (CLL)" methodology documents.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from vixshield.data.calendars import CALENDAR_END, CALENDAR_START, trading_days
from vixshield.data.formats._parsed import Hints, Parsed, series_frame
from vixshield.data.formats._table import Table, display_name, read_table
from vixshield.data.validate import check_increasing, parse_dates, parse_numbers, plausible_for
from vixshield.errors import DataError

__all__ = ["GAP_WARN_DAYS", "JUMP_WARN", "KIND", "SERIES", "STALE_RUN", "looks_like", "parse"]

KIND = "cboe_strategy"

SERIES: dict[str, str] = {"PUT": "put", "BXM": "bxm", "PPUT": "pput", "CLL": "cll"}
"""Cboe benchmark index name -> series key (index points)."""

GAP_WARN_DAYS = 10
"""Calendar days between two consecutive rows above which the gap is reported
(the longest market closure since 1990 is 2001-09-11 .. 09-14: 7 days between
rows; longer gaps are missing data or, for PUT before 2007, isolated values)."""

STALE_RUN = 4
"""Consecutive rows with an unchanged value from which the run is reported as stale
(a daily option-strategy index that does not move for four sessions is not being
computed)."""

JUMP_WARN = 0.15
"""One-day relative change (decimal) above which a move is reported as a likely
level discontinuity: larger than any one-day S&P 500 move since 1988 (-12.0 % on
2020-03-16); changes across a gap longer than `GAP_WARN_DAYS` are not checked."""

_ODD_PRECISION = re.compile(r"^\d+(\.\d{0,2}0*)?$")  # cents at most: 1857.310000, 1857.3
_MDY = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
_NAME = re.compile(r"^([A-Za-z0-9]+?)_?History", re.IGNORECASE)


def looks_like(lines: list[str]) -> bool:
    """Header ``DATE,<PUT|BXM|PPUT|CLL>`` and, if present, a ``MM/DD/YYYY`` first row."""
    if not lines:
        return False
    head = [f.strip().upper() for f in lines[0].split(",")]
    if len(head) != 2 or head[0] != "DATE" or head[1] not in SERIES:
        return False
    return len(lines) < 2 or bool(_MDY.fullmatch(lines[1].split(",")[0].strip()))


def _series_name(table: Table, source: str, hint: str | None) -> str:
    """The index name: from the header (``DATE,PUT``), else the hint or the file name."""
    col = table.header[1].upper() if len(table.header) == 2 else ""
    if col in SERIES:
        return col
    candidates = [hint.upper()] if hint else []
    m = _NAME.match(display_name(source))
    if m:
        candidates.append(m.group(1).upper())
    for name in candidates:
        if name in SERIES:
            return name
        if name.lower() in SERIES.values():
            return name.upper()
    raise DataError(
        f"expected a header DATE,<NAME> with NAME one of {sorted(SERIES)}, "
        f"got {list(table.header)}",
        file=table.file,
        row=table.header_line,
    )


def _quirks(
    file: str,
    name: str,
    dates: pd.DatetimeIndex,
    values: np.ndarray,
    raw: Any,
    lines: np.ndarray,
) -> list[str]:
    """Warnings for the kept quirks (gaps, holiday rows, stale runs, precision, jumps)."""
    out: list[str] = []
    n = len(values)
    if n == 0:
        return out
    day = dates.to_numpy(dtype="datetime64[D]").astype(np.int64)
    gap = np.diff(day)
    for k in np.flatnonzero(gap > GAP_WARN_DAYS).tolist():
        out.append(
            f"{file}:{lines[k + 1]}: {name} has no value for {int(gap[k])} days between "
            f"{dates[k].date()} and {dates[k + 1].date()} (isolated or missing values; kept, "
            "nothing filled)"
        )
    inside = np.asarray((dates >= CALENDAR_START) & (dates <= CALENDAR_END))
    if inside.any():
        sessions = trading_days(dates[inside][0], dates[inside][-1])
        closed = inside & ~np.asarray(dates.isin(sessions))
        for i in np.flatnonzero(closed).tolist():
            repeat = i > 0 and values[i] == values[i - 1]
            what = "repeats the previous row's value" if repeat else "differs from the previous row"
            out.append(
                f"{file}:{lines[i]}: {name} row on {dates[i].date()}, a day the NYSE was closed; "
                f"its value {values[i]:g} {what} (kept)"
            )
    same = np.concatenate([[False], values[1:] == values[:-1]])
    start = 0
    for i in range(1, n + 1):
        if i == n or not same[i]:
            if i - start >= STALE_RUN:
                out.append(
                    f"{file}:{lines[start]}: {name} unchanged at {values[start]:g} on {i - start} "
                    f"consecutive rows {dates[start].date()} .. {dates[i - 1].date()} "
                    "(stale; kept)"
                )
            start = i
    cents = pc.match_substring_regex(raw, _ODD_PRECISION.pattern)
    odd = ~np.asarray(cents.to_numpy(zero_copy_only=False), dtype=bool)
    if odd.any():
        idx = np.flatnonzero(odd)
        shown = raw[int(idx[0])].as_py()
        out.append(
            f"{file}:{lines[idx[0]]}: {int(odd.sum())} {name} value(s) with more than two "
            f"significant decimals (first {shown!s} on {dates[idx[0]].date()}, last on "
            f"{dates[idx[-1]].date()}; Cboe publishes cents): kept as written"
        )
    if n > 1:
        change = values[1:] / values[:-1] - 1.0
        jump = (np.abs(change) > JUMP_WARN) & (gap <= GAP_WARN_DAYS)
        for k in np.flatnonzero(jump).tolist():
            out.append(
                f"{file}:{lines[k + 1]}: {name} moved {change[k]:+.1%} in one day "
                f"({values[k]:g} on {dates[k].date()} -> {values[k + 1]:g} on "
                f"{dates[k + 1].date()}), more than any S&P 500 day since 1988: likely a level "
                "discontinuity in the series (kept)"
            )
    return out


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse a Cboe strategy benchmark history into ``{key: frame}`` (one of `SERIES`).

    Returns
    -------
    Parsed
        One frame, index ``date`` and column ``value`` (index points), with every
        row of the file; the quirks listed in the module docstring as warnings.

    Raises
    ------
    vixshield.errors.DataError
        A bad date, a non-positive or non-numeric value, or dates out of order
        (the message names file, line and column).
    """
    file = display_name(source)
    table = read_table(
        text, file=file, is_header=lambda f: bool(f) and f[0].upper() == "DATE", max_preamble=3
    )
    name = _series_name(table, source, hints.series)
    if len(table.header) != 2:
        raise DataError(
            f"expected two columns DATE,{name}, got {list(table.header)}",
            file=file,
            row=table.header_line,
        )
    date_col, value_col = table.header
    dates = parse_dates(
        table.arrow(date_col), table.lines, file=file, field=date_col, formats=("mdy", "iso")
    )
    check_increasing(dates, table.lines, file=file, field=date_col)
    raw = table.arrow(value_col)
    values = parse_numbers(
        raw,
        table.lines,
        file=file,
        field=value_col,
        positive=True,
        plausible=plausible_for(SERIES[name]),
    )
    warnings = _quirks(file, name, dates, values, raw, table.lines)
    return Parsed(KIND, {SERIES[name]: series_frame(dates, values)}, tuple(warnings))
