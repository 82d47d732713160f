"""Which SPX and VIX expirations were listed on a date, and their times to settlement.

Calendar rules come from `vixshield.data.calendars` (NYSE sessions), times from
`vixshield.pricing.t_years_to_settlement`.

Listing assumptions (documented simplifications of Cboe's history)
-------------------------------------------------------------------
* SPX monthlies (root ``SPX``, AM-settled): the third Friday of each of the
  next 12 months, the March/June/September/December quarterlies out to
  24 months and the Decembers out to 36 months.
* SPXW Friday weeklies (PM-settled): from 2005-10-28 (Cboe's first SPX
  Weeklys), every Friday except the third Friday within 42 calendar days.
  None before that date.
* SPXW Wednesday weeklies from 2016-02-24, Monday weeklies from 2016-08-15,
  Tuesday weeklies from 2022-04-19 and Thursday weeklies from 2022-05-12 (i.e.
  daily expirations from mid-2022), all within 42 calendar days.
* An expiration falling on an exchange holiday moves to the preceding
  business day.
* VIX options and VX futures (AM, SOQ): the Wednesday 30 days before the
  third Friday of the following month (the business day before where that
  Friday is a holiday, and the preceding business day where the Wednesday is
  one), monthly out to 8 months (weeklies are not modeled).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pandas as pd

from vixshield._typing import Settlement, Underlying
from vixshield.data import calendars
from vixshield.data.calendars import spx_monthly_expiry, third_friday, vx_expiry
from vixshield.markets.types import Expiry
from vixshield.pricing import t_years_to_settlement as _t_years
from vixshield.pricing.timeutil import MINUTES_PER_YEAR

__all__ = [
    "is_session",
    "listed_expiries",
    "previous_session",
    "spx_monthly_expiry",
    "t_years_to_settlement",
    "third_friday",
    "vx_expiry",
]

_WEEKLY_HORIZON_DAYS = 42  # calendar days of weeklies listed (assumption, see module notes)
_FRIDAY_WEEKLIES = pd.Timestamp("2005-10-28")
_WED_WEEKLIES = pd.Timestamp("2016-02-24")
_MON_WEEKLIES = pd.Timestamp("2016-08-15")
_TUE_WEEKLIES = pd.Timestamp("2022-04-19")
_THU_WEEKLIES = pd.Timestamp("2022-05-12")


def is_session(day: pd.Timestamp) -> bool:
    """True where ``day`` is an NYSE trading session."""
    return calendars.is_trading_day(day)


def previous_session(day: pd.Timestamp) -> pd.Timestamp:
    """``day`` itself where it is a session, else the preceding session."""
    return _previous_session(pd.Timestamp(day).normalize())


@lru_cache(maxsize=16384)
def _previous_session(d: pd.Timestamp) -> pd.Timestamp:
    return d if calendars.is_trading_day(d) else calendars.previous_trading_day(d)


def t_years_to_settlement(
    as_of: pd.Timestamp, expiry: pd.Timestamp, settlement: Settlement
) -> float:
    """ACT/365 years from 16:00 ET of ``as_of`` to 09:30 ET (AM) or 16:00 ET (PM) of ``expiry``.

    Delegates to `vixshield.pricing.t_years_to_settlement` (minute precision,
    daylight-saving aware, floored at zero).
    """
    return _t_years_cached(pd.Timestamp(as_of).date(), pd.Timestamp(expiry).date(), settlement)


_SETTLE_MINUTE = {"AM": 9 * 60 + 30, "PM": 16 * 60}  # minutes after midnight ET (pricing)
_CLOSE_MINUTE = 16 * 60  # the as-of time: 16:00 ET close


@lru_cache(maxsize=65536)
def _t_years_cached(as_of: dt.date, expiry: dt.date, settlement: Settlement) -> float:
    """Memoised `_t_years_of`."""
    return _t_years_of(as_of, expiry, settlement)


def _t_years_of(as_of: dt.date, expiry: dt.date, settlement: Settlement) -> float:
    """`vixshield.pricing.t_years_to_settlement` in integer minutes.

    The pricing function counts wall-clock minutes in New York (every calendar
    day is 1440 minutes, DST changes included) and floors at zero, so the
    result is ``max(days * 1440 + settle_minute - 960, 0) / 525600`` exactly;
    ``tests/markets/test_kernels.py`` checks the two agree.
    """
    if settlement not in _SETTLE_MINUTE:
        return _t_years(as_of, expiry, settlement)  # raises the pricing layer's ValueError
    minutes = (expiry - as_of).days * 1440 + _SETTLE_MINUTE[settlement] - _CLOSE_MINUTE
    return max(minutes / MINUTES_PER_YEAR, 0.0)


def _add_months(year: int, month: int, k: int) -> tuple[int, int]:
    m = month - 1 + k
    return year + m // 12, m % 12 + 1


@lru_cache(maxsize=16384)
def _dated(e: pd.Timestamp) -> tuple[pd.Timestamp, dt.date]:
    """A listing date with its ``datetime.date`` (memoised: dates compare much faster)."""
    return e, e.date()


@lru_cache(maxsize=16384)
def _weekly_expiry(d: dt.date) -> tuple[pd.Timestamp, dt.date]:
    """The session a weekly due on ``d`` expires on (the one before where ``d`` is a holiday)."""
    return _dated(_previous_session(pd.Timestamp(d)))


def _weekly_days(as_of: pd.Timestamp) -> frozenset[int]:
    """Weekdays (Monday = 0) with SPXW weeklies listed at ``as_of``."""
    starts = (
        (4, _FRIDAY_WEEKLIES),
        (2, _WED_WEEKLIES),
        (0, _MON_WEEKLIES),
        (1, _TUE_WEEKLIES),
        (3, _THU_WEEKLIES),
    )
    return frozenset(wd for wd, first in starts if as_of >= first)


def _spx_expiries(as_of: pd.Timestamp) -> list[tuple[pd.Timestamp, str, Settlement]]:
    start = as_of.date()
    out: dict[dt.date, tuple[pd.Timestamp, str, Settlement]] = {}
    for k in range(0, 38):
        y, m = _add_months(as_of.year, as_of.month, k)
        if k > 12 and not ((k <= 24 and m % 3 == 0) or m == 12):
            continue
        e, ed = _dated(spx_monthly_expiry(y, m))
        if ed > start:
            out[ed] = (e, "SPX", "AM")
    weekly = _weekly_days(as_of)
    if weekly:
        for off in range(1, _WEEKLY_HORIZON_DAYS + 1):
            d = start + dt.timedelta(days=off)
            wd = d.weekday()
            if wd not in weekly:
                continue
            if wd == 4 and 15 <= d.day <= 21:  # the third Friday: a monthly, not a weekly
                continue
            e, ed = _weekly_expiry(d)
            if ed > start and ed not in out:
                out[ed] = (e, "SPXW", "PM")
    return [out[ed] for ed in sorted(out)]


def _vix_expiries(as_of: pd.Timestamp) -> list[tuple[pd.Timestamp, str, Settlement]]:
    out: list[tuple[pd.Timestamp, str, Settlement]] = []
    for k in range(0, 10):
        y, m = _add_months(as_of.year, as_of.month, k)
        e = vx_expiry(y, m)
        if e > as_of:
            out.append((e, "VIX", "AM"))
    return out[:8]


@lru_cache(maxsize=8192)
def _listed(as_of: pd.Timestamp, underlying: Underlying) -> tuple[Expiry, ...]:
    rows = _spx_expiries(as_of) if underlying == "SPX" else _vix_expiries(as_of)
    day = as_of.date()
    return tuple(
        Expiry(date=e, root=root, settlement=st, t_years=_t_years_of(day, _dated(e)[1], st))
        for e, root, st in rows
    )


def listed_expiries(as_of: pd.Timestamp, underlying: Underlying) -> list[Expiry]:
    """Expirations listed at ``as_of``'s close with settlement still to come, by date."""
    return list(_listed(pd.Timestamp(as_of).normalize(), underlying))
