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


@lru_cache(maxsize=65536)
def _t_years_cached(as_of: dt.date, expiry: dt.date, settlement: Settlement) -> float:
    """Memoised `vixshield.pricing.t_years_to_settlement` (a pure function of its dates)."""
    return _t_years(as_of, expiry, settlement)


def _add_months(year: int, month: int, k: int) -> tuple[int, int]:
    m = month - 1 + k
    return year + m // 12, m % 12 + 1


def _spx_expiries(as_of: pd.Timestamp) -> list[tuple[pd.Timestamp, str, Settlement]]:
    out: dict[pd.Timestamp, tuple[str, Settlement]] = {}
    for k in range(0, 38):
        y, m = _add_months(as_of.year, as_of.month, k)
        if k > 12 and not ((k <= 24 and m % 3 == 0) or m == 12):
            continue
        e = spx_monthly_expiry(y, m)
        if e > as_of:
            out[e] = ("SPX", "AM")
    horizon = as_of + pd.Timedelta(days=_WEEKLY_HORIZON_DAYS)
    days = pd.date_range(as_of + pd.Timedelta(days=1), horizon, freq="D")
    for d in days:
        wd = d.weekday()
        listed = (
            (wd == 4 and as_of >= _FRIDAY_WEEKLIES)
            or (wd == 2 and as_of >= _WED_WEEKLIES)
            or (wd == 0 and as_of >= _MON_WEEKLIES)
            or (wd == 1 and as_of >= _TUE_WEEKLIES)
            or (wd == 3 and as_of >= _THU_WEEKLIES)
        )
        if not listed:
            continue
        if wd == 4 and d == third_friday(d.year, d.month):
            continue
        e = _previous_session(d)
        if e > as_of and e not in out:
            out[e] = ("SPXW", "PM")
    return [(e, root, st) for e, (root, st) in sorted(out.items())]


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
        Expiry(date=e, root=root, settlement=st, t_years=_t_years_cached(day, e.date(), st))
        for e, root, st in rows
    )


def listed_expiries(as_of: pd.Timestamp, underlying: Underlying) -> list[Expiry]:
    """Expirations listed at ``as_of``'s close with settlement still to come, by date."""
    return list(_listed(pd.Timestamp(as_of).normalize(), underlying))
