"""Exchange trading days and the SPX / VIX expiration rules.

Trading days come from the ``XNYS`` calendar of ``exchange_calendars`` (NYSE
holidays, including the unscheduled closures such as 2012-10-29/30, 2018-12-05
and 2025-01-09), shipped as a session list built from it (see `_SESSIONS_RESOURCE`).
Cboe options and CFE futures follow the same holidays, so the
expiry rules below use it too.
"""

from __future__ import annotations

import datetime as dt
import warnings
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from vixshield._daynumber import NS_PER_DAY, day_number

__all__ = [
    "CALENDAR_END",
    "CALENDAR_START",
    "early_closes",
    "is_trading_day",
    "previous_trading_day",
    "spx_monthly_expiry",
    "third_friday",
    "trading_days",
    "vx_expiries",
    "vx_expiry",
]

CALENDAR_START = pd.Timestamp("1990-01-02")
"""First day the cached calendar covers (start of the Cboe VIX history)."""
CALENDAR_END = pd.Timestamp("2035-12-31")
"""Last day the cached calendar covers."""

DateLike = str | dt.date | pd.Timestamp


@lru_cache(maxsize=1)
def _xnys() -> Any:
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        # exchange_calendars itself triggers pandas deprecation warnings on build
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        return xcals.get_calendar("XNYS", start=CALENDAR_START, end=CALENDAR_END)


_SESSIONS_RESOURCE = "xnys_sessions.txt.gz"
"""XNYS sessions CALENDAR_START..CALENDAR_END, one ISO date a line, written by
``scripts/build_sessions.py`` from exchange_calendars and tested against it; reading it
takes milliseconds where building the calendar takes over a second."""


@lru_cache(maxsize=1)
def _sessions() -> pd.DatetimeIndex:
    import gzip
    from importlib.resources import files

    raw = (files("vixshield.data") / "resources" / _SESSIONS_RESOURCE).read_bytes()
    text = gzip.decompress(raw).decode("ascii").split()
    days = np.array(text, dtype="datetime64[D]").astype("datetime64[ns]")
    return pd.DatetimeIndex(days, name="date")


_MIN_DAY = (CALENDAR_START - pd.Timedelta(days=40)).value // NS_PER_DAY  # range check bounds
_MAX_DAY = CALENDAR_END.value // NS_PER_DAY


@lru_cache(maxsize=1)
def _session_days() -> tuple[np.ndarray, frozenset[int]]:
    """Sessions as sorted day numbers since the epoch, and the same as a set (O(1) lookups)."""
    days = np.asarray(_sessions().asi8 // NS_PER_DAY, dtype=np.int64)
    return days, frozenset(int(x) for x in days)


def _check_day(day: int) -> None:
    if day < _MIN_DAY or day > _MAX_DAY:
        _check_range(pd.Timestamp(day * NS_PER_DAY))


def _ts(value: DateLike) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def _check_range(*dates: pd.Timestamp) -> None:
    for d in dates:
        if d < CALENDAR_START - pd.Timedelta(days=40) or d > CALENDAR_END:
            raise ValueError(
                f"date {d.date()} outside the supported calendar "
                f"{CALENDAR_START.date()} .. {CALENDAR_END.date()}"
            )


def trading_days(start: DateLike, end: DateLike) -> pd.DatetimeIndex:
    """NYSE trading days from ``start`` to ``end`` inclusive.

    Parameters
    ----------
    start, end : str, date or Timestamp
        Inclusive bounds (tz-naive dates).

    Returns
    -------
    pandas.DatetimeIndex
        Sorted tz-naive session dates named ``date``.
    """
    s, e = _ts(start), _ts(end)
    sessions = _sessions()
    lo = int(sessions.searchsorted(s, side="left"))
    hi = int(sessions.searchsorted(e, side="right"))
    return sessions[lo:hi]


def early_closes(start: DateLike, end: DateLike) -> pd.DatetimeIndex:
    """NYSE half days (13:00 ET close) from ``start`` to ``end`` inclusive."""
    s, e = _ts(start), _ts(end)
    closes = pd.DatetimeIndex(_xnys().early_closes).tz_localize(None).astype("datetime64[ns]")
    return pd.DatetimeIndex(closes[(closes >= s) & (closes <= e)], name="date")


def is_trading_day(date: DateLike) -> bool:
    """True where ``date`` is an NYSE session (a set lookup on precomputed day numbers)."""
    day = day_number(date)
    _check_day(day)
    return day in _session_days()[1]


def previous_trading_day(date: DateLike) -> pd.Timestamp:
    """The last NYSE session strictly before ``date``."""
    day = day_number(date)
    _check_day(day)
    days = _session_days()[0]
    i = int(np.searchsorted(days, day, side="left"))
    if i == 0:
        raise ValueError(f"no trading day before {_ts(date).date()} in the calendar")
    return pd.Timestamp(_sessions()[i - 1])


@lru_cache(maxsize=4096)
def third_friday(year: int, month: int) -> pd.Timestamp:
    """The third Friday of ``year``-``month`` (no holiday adjustment)."""
    first = dt.date(year, month, 1)
    offset = (4 - first.weekday()) % 7  # Friday is weekday 4
    return pd.Timestamp(first + dt.timedelta(days=offset + 14))


@lru_cache(maxsize=4096)
def spx_monthly_expiry(year: int, month: int) -> pd.Timestamp:
    """Standard (AM-settled) SPX monthly expiration date.

    The third Friday of the month, or the business day before it when that
    Friday is an exchange holiday (e.g. Good Friday 2014-04-18 -> 2014-04-17).
    """
    friday = third_friday(year, month)
    return friday if is_trading_day(friday) else previous_trading_day(friday)


@lru_cache(maxsize=4096)
def vx_expiry(year: int, month: int) -> pd.Timestamp:
    """Final settlement date of the VIX future (and VIX option) of a contract month.

    Notes
    -----
    Cboe rule: the Wednesday 30 days before the third Friday of the calendar
    month *following* the contract month. If that Friday is an exchange holiday,
    30 days before the business day preceding it (e.g. Feb 2008: Good Friday
    2008-03-21 -> 2008-02-19). If the resulting day is itself a holiday, the
    business day before.

    References
    ----------
    Cboe Futures Exchange, VX contract specifications ("Final Settlement Date").
    """
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    settle = spx_monthly_expiry(ny, nm) - pd.Timedelta(days=30)
    return settle if is_trading_day(settle) else previous_trading_day(settle)


def vx_expiries(start: DateLike, end: DateLike) -> pd.DatetimeIndex:
    """Monthly VX expiration dates falling between ``start`` and ``end`` inclusive."""
    s, e = _ts(start), _ts(end)
    out: list[pd.Timestamp] = []
    year, month = s.year, s.month
    # The expiry of contract month m falls in month m (mid-month), so start one
    # month early to be safe and filter.
    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    while (year, month) <= (e.year, e.month):
        x = vx_expiry(year, month)
        if s <= x <= e:
            out.append(x)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return pd.DatetimeIndex(out, name="date")
