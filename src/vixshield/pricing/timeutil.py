"""Time to expiry: ACT/365 year fractions and SPX / VIX settlement times.

Pure functions, no I/O. Times are timezone-aware in America/New_York.

Settlement conventions (Cboe):
- AM-settled SPX (monthly third-Friday SPX) and VIX options settle on the
  special opening quotation (SOQ) from opening prices on the settlement date,
  taken here as 09:30 ET.
- PM-settled SPX (SPXW weeklies, dailies) settle on the 16:00 ET close.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = [
    "MINUTES_PER_YEAR",
    "NEW_YORK",
    "close_time",
    "spx_am_settlement_time",
    "spx_pm_settlement_time",
    "t_years_to_settlement",
    "vix_settlement_time",
    "year_fraction",
]

NEW_YORK = ZoneInfo("America/New_York")
MINUTES_PER_YEAR = 525_600  # 365 days * 1440 minutes (ACT/365)
_OPEN = dt.time(9, 30)  # Cboe/NYSE regular open, ET (SOQ reference time)
_CLOSE = dt.time(16, 0)  # regular close, ET


def _date(d: dt.date) -> dt.date:
    return d.date() if isinstance(d, dt.datetime) else d


def _at(d: dt.date, t: dt.time) -> dt.datetime:
    return dt.datetime.combine(_date(d), t, tzinfo=NEW_YORK)


def year_fraction(start: dt.date, end: dt.date) -> float:
    """ACT/365 year fraction from ``start`` to ``end``, to the nearest minute.

    Parameters
    ----------
    start, end : datetime.datetime or datetime.date
        Both timezone-aware or both naive (a ``date`` counts as naive midnight;
        ``pandas.Timestamp`` works). Aware times are compared on the wall clock
        of ``start``'s timezone: every calendar day counts 1/365, including the
        23- and 25-hour days of a DST change (ACT/365 counts actual days).

    Returns
    -------
    float
        ``minutes(end - start) / 525600``; 365 days is 1.0. Negative when
        ``end`` is before ``start``.
    """
    a = start if isinstance(start, dt.datetime) else dt.datetime.combine(start, dt.time())
    b = end if isinstance(end, dt.datetime) else dt.datetime.combine(end, dt.time())
    if a.tzinfo is not None and b.tzinfo is not None:
        a, b = a.replace(tzinfo=None), b.astimezone(a.tzinfo).replace(tzinfo=None)
    minutes = round((b - a).total_seconds() / 60.0)
    return minutes / MINUTES_PER_YEAR


def spx_am_settlement_time(expiry_date: dt.date) -> dt.datetime:
    """09:30 ET on the expiry date: the SOQ of AM-settled SPX options."""
    return _at(expiry_date, _OPEN)


def spx_pm_settlement_time(expiry_date: dt.date) -> dt.datetime:
    """16:00 ET on the expiry date: the close that settles PM-settled SPXW options."""
    return _at(expiry_date, _CLOSE)


def vix_settlement_time(expiry_date: dt.date) -> dt.datetime:
    """09:30 ET on the VIX expiry date (usually a Wednesday): the VRO/SOQ settlement."""
    return _at(expiry_date, _OPEN)


def close_time(d: dt.date) -> dt.datetime:
    """16:00 ET on date ``d``: the regular close, the as-of time of daily data."""
    return _at(d, _CLOSE)


def t_years_to_settlement(
    as_of_date: dt.date, expiry_date: dt.date, settlement: Literal["AM", "PM"]
) -> float:
    """Years (ACT/365, minute precision) from the as-of close to settlement.

    Parameters
    ----------
    as_of_date : datetime.date
        Valuation date; time is measured from its 16:00 ET close.
    expiry_date : datetime.date
        Expiry (settlement) date.
    settlement : {"AM", "PM"}
        ``"AM"``: 09:30 ET SOQ on the expiry date (SPX monthlies, VIX);
        ``"PM"``: 16:00 ET close.

    Returns
    -------
    float
        Time to settlement in years, floored at 0.0 once settlement has passed
        (e.g. an AM option valued at the close of its expiry date).
    """
    if settlement == "AM":
        settle = spx_am_settlement_time(expiry_date)
    elif settlement == "PM":
        settle = spx_pm_settlement_time(expiry_date)
    else:
        raise ValueError(f"settlement must be 'AM' or 'PM', got {settlement!r}")
    return max(year_fraction(close_time(as_of_date), settle), 0.0)
