"""CFE VIX futures (VX) settlement files.

Two layouts:

* per-contract history ``CFE_<code><YY>_VX.csv`` with header ``Trade Date,
  Futures,Open,High,Low,Close,Settle,Change,Total Volume,EFP,Open Interest``;
  old (2004-2010) files mix ``M/D/YYYY`` and ``MM/DD/YYYY`` dates, carry rows
  of zeros before the contract trades and quote prices ten times larger
  before 2007-03-26; newer files use ISO dates and may start with a
  disclaimer line;
* the curve snapshot ``expiration_date,symbol,settlement`` (one trade date,
  which the file does not carry: give it as ``as_of``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from vixshield.data.calendars import vx_expiry
from vixshield.data.formats._parsed import Hints, Parsed
from vixshield.data.formats._table import Table, display_name, read_table
from vixshield.data.validate import (
    VX_X10_CUTOFF,
    check_increasing,
    check_plausible,
    parse_dates,
    parse_numbers,
    plausible_for,
)
from vixshield.errors import DataError

__all__ = ["KIND", "MONTH_CODES", "VX_MIN_PLAUSIBLE", "looks_like", "parse"]

KIND = "cfe_vx"

MONTH_CODES = "FGHJKMNQUVXZ"
"""Futures month codes, January .. December."""

VX_MIN_PLAUSIBLE = 5.0
"""VX settles below this (volatility points, after the x10 scaling) are
placeholders, not prices: VIX itself never closed below 9 (low 9.14 on
2017-11-03), e.g. ``1.00`` on 2008-04-21 in CFE_F09_VX.csv. Dropped with a
warning."""

_FUTURES = re.compile(r"^\s*([FGHJKMNQUVXZ])\s*\(\s*([A-Za-z]{3})\s*(\d{2}|\d{4})\s*\)\s*$")
_FILE_CODE = re.compile(r"CFE_([FGHJKMNQUVXZ])(\d{2})_VX", re.IGNORECASE)
_SNAPSHOT_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


def looks_like(lines: list[str]) -> bool:
    """A ``Trade Date,Futures,...`` header in the first lines, or the curve snapshot."""
    for line in lines[:5]:
        low = line.strip().lower().replace(" ", "")
        if low.startswith("tradedate,futures") or low.startswith(
            "expiration_date,symbol,settlement"
        ):
            return True
    return False


def _contract_from_file(file: str) -> tuple[int, int] | None:
    m = _FILE_CODE.search(file)
    if not m:
        return None
    return 2000 + int(m.group(2)), MONTH_CODES.index(m.group(1).upper()) + 1


def _contracts(table: Table, file: str) -> tuple[np.ndarray, np.ndarray]:
    """(year, month) of every row from the ``Futures`` column (or the file name)."""
    raw = table.col("Futures")
    fallback = _contract_from_file(file)
    cache: dict[str, tuple[int, int]] = {}
    years = np.empty(len(raw), dtype=np.int64)
    months = np.empty(len(raw), dtype=np.int64)
    for i, text in enumerate(raw):
        if text not in cache:
            m = _FUTURES.match(str(text))
            if m:
                yy = int(m.group(3))
                cache[text] = (yy if yy > 999 else 2000 + yy, MONTH_CODES.index(m.group(1)) + 1)
            elif fallback is not None:
                cache[text] = fallback
            else:
                raise DataError(
                    f"expected a contract like 'F (Jan 05)', got {text!r}",
                    file=file,
                    row=int(table.lines[i]),
                    field="Futures",
                )
        years[i], months[i] = cache[text]
    return years, months


_FINAL_WINDOW_DAYS = 10


def _no_trade_rows(table: Table, file: str) -> np.ndarray:
    """Rows whose Open, High, Low and Close are all zero (settlement without trades)."""
    flat = np.ones(len(table), dtype=bool)
    for col in ("Open", "High", "Low", "Close"):
        if not table.has(col):
            return np.zeros(len(table), dtype=bool)
        v = parse_numbers(
            table.arrow(col),
            table.lines,
            file=file,
            field=col,
            nonnegative=True,
            allow_missing=True,
            plausible=plausible_for("vx_raw"),
        )
        flat &= np.nan_to_num(v) == 0
    return flat


def _parse_history(table: Table, file: str) -> Parsed:
    warnings = list(table.skipped)
    dates = parse_dates(table.arrow("Trade Date"), table.lines, file=file, field="Trade Date")
    settle = parse_numbers(
        table.arrow("Settle"),
        table.lines,
        file=file,
        field="Settle",
        nonnegative=True,
        plausible=plausible_for("vx_raw"),
    )
    years, months = _contracts(table, file)
    zero = settle == 0
    if zero.any():
        warnings.append(
            f"{file}: {int(zero.sum())} rows with Settle 0 (before the contract traded) dropped"
        )
    keep = ~zero
    x10 = keep & np.asarray(dates < VX_X10_CUTOFF)
    settle = np.where(x10, settle / 10.0, settle)
    traded = np.where(keep, settle, np.nan)  # Settle 0 rows are dropped above
    check_plausible(traded, table.lines, file=file, field="Settle", plausible=plausible_for("vx"))
    if x10.any():
        warnings.append(
            f"{file}: {int(x10.sum())} settles before {VX_X10_CUTOFF.date()} divided by 10 "
            "(quoted in VXB points, ten times VIX)"
        )
    silly = keep & (settle < VX_MIN_PLAUSIBLE)
    for i in np.flatnonzero(silly).tolist():
        warnings.append(
            f"{file}:{table.lines[i]}: Settle {settle[i]:g} on {dates[i].date()} is below "
            f"{VX_MIN_PLAUSIBLE:g} vol points (implausible placeholder): dropped"
        )
    keep &= ~silly
    lines = table.lines[keep]
    dates, settle, years, months = dates[keep], settle[keep], years[keep], months[keep]
    expiry_of: dict[tuple[int, int], pd.Timestamp] = {}
    for y, m in set(zip(years.tolist(), months.tolist(), strict=True)):
        expiry_of[(y, m)] = vx_expiry(y, m)
    expiry = pd.DatetimeIndex([expiry_of[(y, m)] for y, m in zip(years, months, strict=True)])
    group = np.array([f"{y}-{m:02d}" for y, m in zip(years, months, strict=True)], dtype=object)
    check_increasing(dates, lines, file=file, field="Trade Date", group=group)
    late = np.asarray(dates > expiry)
    if late.any():
        i = int(np.argmax(late))
        raise DataError(
            f"trade date {dates[i].date()} is after the contract's expiry {expiry[i].date()} "
            "(VX rule: Wednesday 30 days before the next month's SPX expiry)",
            file=file,
            row=int(lines[i]),
            field="Trade Date",
        )
    flat = _no_trade_rows(table, file)[keep]
    for key, exp in sorted(expiry_of.items()):
        sel = np.flatnonzero((years == key[0]) & (months == key[1]))
        j = int(sel[np.argmax(dates[sel].to_numpy())])
        last = dates[j]
        # A file that ends with a no-trade settlement row a few days before the
        # rule's expiry looks like a final settlement under another rule (the
        # Jul/Oct 2004 contracts); a live contract's file just ends earlier.
        if last != exp and flat[j] and (exp - last).days <= _FINAL_WINDOW_DAYS:
            warnings.append(
                f"{file}: contract {key[0]}-{key[1]:02d} ends with a no-trade settlement on "
                f"{last.date()}, not on the standard VX expiry {exp.date()} (older settlement "
                f"rule?); expiry kept at {exp.date()} by the rule"
            )
    frame = pd.DataFrame(
        {
            "date": dates.astype("datetime64[ns]"),
            "expiry": expiry.astype("datetime64[ns]"),
            "settle": settle,
        }
    )
    frame = frame.sort_values(["date", "expiry"], kind="stable").reset_index(drop=True)
    return Parsed(KIND, {"vx": frame}, tuple(warnings))


def _parse_snapshot(table: Table, file: str, hints: Hints) -> Parsed:
    as_of = hints.as_of
    if as_of is None:
        m = _SNAPSHOT_DATE.search(file)
        if m is None:
            raise DataError(
                "a VX curve snapshot carries no trade date: pass as_of= (the settlement date)",
                file=file,
            )
        as_of = pd.Timestamp(m.group(1))
    as_of = pd.Timestamp(as_of).normalize()
    expiry = parse_dates(
        table.arrow("expiration_date"), table.lines, file=file, field="expiration_date"
    )
    settle = parse_numbers(
        table.arrow("settlement"),
        table.lines,
        file=file,
        field="settlement",
        positive=True,
        plausible=plausible_for("vx"),
    )
    check_increasing(expiry, table.lines, file=file, field="expiration_date")
    if (expiry < as_of).any():
        i = int(np.argmax(np.asarray(expiry < as_of)))
        raise DataError(
            f"expiry {expiry[i].date()} is before the snapshot date {as_of.date()}",
            file=file,
            row=int(table.lines[i]),
            field="expiration_date",
        )
    frame = pd.DataFrame(
        {
            "date": pd.DatetimeIndex([as_of] * len(expiry)).astype("datetime64[ns]"),
            "expiry": expiry.astype("datetime64[ns]"),
            "settle": settle,
        }
    )
    return Parsed(KIND, {"vx": frame}, table.skipped)


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse a CFE VX file into ``{"vx": frame}`` (settles in volatility points)."""
    file = display_name(source)

    def is_header(fields: list[str]) -> bool:
        low = [f.lower() for f in fields]
        return (low[:2] == ["trade date", "futures"]) or low[:3] == [
            "expiration_date",
            "symbol",
            "settlement",
        ]

    table = read_table(text, file=file, is_header=is_header, max_preamble=5)
    if table.header[0].lower() == "expiration_date":
        return _parse_snapshot(table, file, hints)
    return _parse_history(table, file)
