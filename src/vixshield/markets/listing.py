"""Which SPX and VIX expirations Cboe listed on a date, era by era, and their times to settlement.

Calendar rules come from `vixshield.data.calendars` (NYSE sessions), times from
`vixshield.pricing.t_years_to_settlement`. `listed_expiries` is called on every
backtest day, so the rules are stated once per calendar month, as spans: each
expiration with the run of the month's days that list it (a series once listed
stays listed to its expiry; the VX eras can drop far months). A day's listing is
then the month's run holding it, its times whole-minute arithmetic; both memoised
(bounded). ``tests/markets/test_listing_reference.py`` checks the spans against the
rules applied day by day.

Eras encoded
------------
Each row: what is listed from its first as-of date on, the public record it
comes from, and how sure that record is (written without internet access, from
Cboe's public record as remembered, except where the real CFE files in
``../shared/data/cfe_vx`` were read; **low** rows are the ones to check first).

Series and rule from the date on                                       Confidence
---------------------------------------------------------------------  ----------------
SPX monthly, root SPX, from 1983-07-01: third Friday (the Thursday     launch high,
  before where it is a holiday) of the next 12 months, Mar/Jun/Sep/Dec  shape medium
  to 24 months, Decembers to 36 months
  settlement PM for expiries before 1992-06-19, AM from that expiry     year medium,
                                                                        month low
SPXW Friday weeklies, from 2005-10-28: the next Friday only (7 days)    date high,
                                                                        horizon medium
  from 2011-01-03: four Fridays (28 days)                               date low
  from 2014-01-13: six Fridays past the current one (49 days)           month high (RG14-010)
SPXW quarterly (last session of Mar/Jun/Sep/Dec), from 2006-07-03:      date low,
  the next four quarter-ends and the December of the next year          rule medium
SPXW end of month (last session of the month), from 2014-07-01:         date low-medium,
  the next 12 month-ends                                                count low
SPXW Wednesday weeklies from 2016-02-23 (two, four from 2016-05-24,      dates medium-high,
  six from 2016-08-15), Monday from 2016-08-15 (six), Tuesday from      horizons medium
  2022-04-18 and Thursday from 2022-05-11 (four weeks each)
VX futures, root VX, from 2004-03-26: 2 serial + 2 February-cycle       high (CFE files)
  months; from 2006-03-08: 2 + 4; from 2006-10-20: 6 + 2; from
  2008-04-21: 10 serial months; from 2009-02-19: 8 serial months
VIX options, root VIX, from 2006-02-24: the VX futures months           date high,
                                                                        months medium

Sources
-------
* SPX launch, 1983-07-01: Cboe, "SPX options product history" and Cboe's
  history timeline (OEX in March 1983, SPX in July 1983).
* A.M. settlement: the SEC orders and Cboe/C2 filings on P.M.-settled SPX
  (SPXpm, 2011-2013) recount that standard SPX options were P.M.-settled until
  Cboe moved them to A.M. settlement in 1992. The month is not known here; the
  June 1992 expiry is a placeholder (`_SPX_AM_FROM`). A report that the
  March-cycle months moved earlier (1987, with the S&P 500 futures) is not
  modeled.
* Monthly months (12 near-term, quarterlies, LEAPS-like Decembers): Cboe SPX
  product specifications. The 1990s listed fewer near-term months (three
  consecutive plus the March cycle); the first two months, all a 45-60 day
  window needs, were always listed, so that is not modeled.
* SPX Weeklys, 2005-10-28: Cboe press release of October 2005 (first SPX
  Weeklys listed Friday 2005-10-28, expiring the next Friday) and the Short Term
  Option Series pilot of the time (a series opened on a Friday expires the next
  Friday; none in the week of the monthly expiration). Four Fridays before 2014
  and six after: Cboe Regulatory Circular RG14-010 (January 2014), "Expansion of
  Number of Expirations Listed in S&P 500 Index Weekly Options (SPXW)": Cboe
  "expanded the number of expirations from four to six Weeklys that expire on
  Fridays" and will "list out and maintain six consecutive SPXW expirations at
  once, not counting the current expiration" (Cboe Weeklys product pages). When
  the four-Friday era began is not known here (2011 is an estimate; the
  weekly-options literature, e.g. Andersen, Fusari and Todorov, J. Finance
  72(3), 2017, describes SPX weeklies out to about five weeks in 2011-2015).
  Cboe's rules allow up to 12 weekly expirations per weekday (Rule 4.13(e),
  formerly 24.9(e)); no record found here of SPXW Fridays listed beyond six
  weeks, so none are modeled.
* Wednesday (2016-02-23), Monday (2016-08-15), Tuesday (2022-04-18) and
  Thursday (2022-05-11) weeklies: Cboe press releases and blog posts announcing
  each launch (Wednesdays initially two expirations; Regulatory Circular
  RG16-102 of 2016-05-24: "maintain expirations in at least four consecutive
  weeks"; Cboe's SPXW page of 2016: Monday and Wednesday Weeklys up to 12
  listable, "six consecutive expirations" maintained; the 2022 SPX Weeklys
  specification: Tuesday and Thursday expirations "going out at least four
  weeks").
* Quarterlys: Cboe's Quarterly Options Series pilot (2006; root SPXQ, later
  SPXW), which lists "the next four calendar quarters and the fourth quarter of
  the next calendar year". Cboe also listed SPX end-of-quarter options in the
  late 1980s-1990s (remembered with low confidence; not modeled).
* EOM: Cboe End-of-Month SPX options under the Nonstandard Expirations Pilot
  (Rule 24.9(e)(2), now 4.13(e)(2)); the same rule caps EOMs at the standard
  count (12).
* VX futures, 2004-03-26 (CFE's first trade date) and the contract months of
  each era: the real CFE per-contract settlement files 2004-2010 (first rows of
  CFE_K04_VX ... CFE_Z10_VX). At launch CFE listed May, June, August and November
  2004 (no April). Not modeled: a May 2008 contract listed 2006-04-21, the few
  extra months of 2006-2008, CFE's listing of a new month a few days after an
  expiry, and the 2005 months missing from those files (April, July and
  September 2005, December 2004). After 2010: eight months, as in a real 2026
  snapshot (weeklies not modeled).
* VIX options, 2006-02-24: Cboe press release (launch date). Listed on the VX
  contract months (they settle on the same special opening quotation).

Rules common to all eras: an expiration falling on an exchange holiday moves to
the preceding business day (SPX monthly: the Thursday before a Good Friday);
the VIX/VX expiry is the Wednesday 30 days before the next month's standard
SPX expiry (`vx_expiry`). One expiration per date: the AM monthly wins over a
PM series on the same day (Cboe's P.M.-settled third-Friday SPXW is not listed
separately). Settlement belongs to the expiry date, not the as-of date (a
pre-1992 listing of a post-switch month is labeled AM), so a position keeps one
settlement for its whole life.

Consequence for a 45-60 calendar-day entry window (``tests/markets/
test_listing_coverage.py``): met on about 55% of trading days with monthlies
alone (1990-2005), about 65% with one-week weeklies and quarterlys (2006-2013),
94-95% with EOMs and five Fridays (2015-2017) and on every day from 2018; where
missed, the nearest expiry is at most 10 days outside the window (3 from 2015).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from functools import lru_cache
from typing import Literal

import pandas as pd

from vixshield._typing import Settlement, Underlying
from vixshield.data import calendars
from vixshield.data.calendars import spx_monthly_expiry, third_friday, vx_expiry
from vixshield.errors import NotListed
from vixshield.markets.listing_spans import (
    SETTLE_OFFSET,
    Fields,
    Row,
    add_months,
    dated,
    month_days,
    previous_session,
    spx_month,
    spx_settlement,
)
from vixshield.markets.types import Expiry
from vixshield.pricing import t_years_to_settlement as _t_years
from vixshield.pricing.timeutil import MINUTES_PER_YEAR

__all__ = [
    "ListingKind",
    "check_listed",
    "is_session",
    "listed_expiries",
    "listing_start",
    "previous_session",
    "spx_monthly_expiry",
    "spx_settlement",
    "t_years_to_settlement",
    "third_friday",
    "vx_expiry",
]

ListingKind = Literal["options", "futures"]
"""Options on an underlying, or its futures (VIX: the CFE VX futures)."""

_D = dt.date

_STARTS: dict[tuple[str, str], tuple[dt.date, str]] = {
    # (underlying, kind): (first day listed, the product as messages name it)
    ("SPX", "options"): (_D(1983, 7, 1), "SPX options"),  # Cboe SPX launch
    ("VIX", "futures"): (_D(2004, 3, 26), "VX futures"),  # CFE first trade date
    ("VIX", "options"): (_D(2006, 2, 24), "VIX options"),  # Cboe VIX options launch
}

_VX_ERAS: tuple[tuple[dt.date, int, int], ...] = (
    # (first as-of date, serial months, further February-cycle months), CFE files 2004-2010
    (_D(2004, 3, 26), 2, 2),
    (_D(2006, 3, 8), 2, 4),
    (_D(2006, 10, 20), 6, 2),
    (_D(2008, 4, 21), 10, 0),
    (_D(2009, 2, 19), 8, 0),
)
_VX_FIRST_CONTRACT = (2004, 5)  # May 2004 (K04): no April contract at launch
_FEB_CYCLE = frozenset({2, 5, 8, 11})


def is_session(day: pd.Timestamp) -> bool:
    """True where ``day`` is an NYSE trading session."""
    return calendars.is_trading_day(day)


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
    """`vixshield.pricing.t_years_to_settlement` in integer minutes (memoised).

    The pricing function counts wall-clock minutes in New York (every calendar
    day is 1440 minutes, DST changes included) and floors at zero, so the
    result is ``max(days * 1440 + settle_minute - 960, 0) / 525600`` exactly;
    ``tests/markets/test_kernels.py`` checks the two agree.
    """
    if settlement not in SETTLE_OFFSET:
        return _t_years(as_of, expiry, settlement)  # raises the pricing layer's ValueError
    return t_years_in_days((expiry - as_of).days, settlement)


def t_years_in_days(days: int, settlement: Settlement) -> float:
    """`t_years_to_settlement` of an expiry ``days`` calendar days after the as-of date.

    ``max(days * 1440 + settle_minute - 960, 0) / 525600``, the same arithmetic
    as `_t_years_cached` (so the same float); ``settlement`` is "AM" or "PM"
    (KeyError otherwise).
    """
    minutes = days * 1440 + SETTLE_OFFSET[settlement]
    return max(minutes / MINUTES_PER_YEAR, 0.0)


# ------------------------------------------------------------------ listing starts
def _start(underlying: str, kind: str) -> tuple[dt.date, str]:
    try:
        return _STARTS[(underlying, kind)]
    except KeyError:
        raise ValueError(f"no listing of {underlying} {kind} is modeled") from None


def listing_start(underlying: Underlying, kind: ListingKind = "options") -> pd.Timestamp:
    """First day Cboe (CFE for VX futures) listed ``underlying``'s options or futures.

    SPX options 1983-07-01, VX futures 2004-03-26, VIX options 2006-02-24 (see
    the module notes for the sources). ValueError for a pair not modeled
    (SPX futures).
    """
    return pd.Timestamp(_start(underlying, kind)[0])


def check_listed(
    as_of: pd.Timestamp, underlying: Underlying, kind: ListingKind = "options"
) -> None:
    """Raise `NotListed` where ``as_of`` falls before the product's `listing_start`.

    Raises
    ------
    NotListed
        E.g. ``"VIX options not listed before 2006-02-24"``; ``as_of`` is kept
        on the exception.
    ValueError
        For a pair not modeled (SPX futures).
    """
    start, product = _start(underlying, kind)
    ts = as_of if isinstance(as_of, pd.Timestamp) else pd.Timestamp(as_of)
    if ts.toordinal() < start.toordinal():
        raise NotListed(product, start, as_of=ts.date())


# ------------------------------------------------------------------ VIX
def _vx_months(day: dt.date) -> tuple[int, int]:
    """(serial months, further February-cycle months) of VX listed at ``day``."""
    serial, cycle = 0, 0
    for first, s, c in _VX_ERAS:
        if day < first:
            break
        serial, cycle = s, c
    return serial, cycle


def _vix_expiries(day: dt.date, kind: ListingKind) -> list[Row]:
    """The VX months (VIX options: the same months) listed at ``day``, by date."""
    if day < _start("VIX", kind)[0]:
        return []
    root = "VX" if kind == "futures" else "VIX"
    serial, cycle = _vx_months(day)
    out: list[Row] = []
    for k in range(0, 30):
        if serial == 0 and cycle == 0:
            break
        y, m = add_months(day.year, day.month, k)
        if (y, m) < _VX_FIRST_CONTRACT:
            continue
        e, ed = dated(vx_expiry(y, m))
        if ed <= day:
            continue
        if serial:
            serial -= 1
        elif m in _FEB_CYCLE:
            cycle -= 1
        else:
            continue
        out.append((e, ed, root, "AM"))
    return out


@lru_cache(maxsize=1024)
def _vix_runs(year: int, month: int, kind: ListingKind) -> tuple[int, ...]:
    """The days of ``year``-``month`` from which the VIX option (VX future) listing holds
    until the next one (ordinals; the month's end last), or just the end before listing.

    Only this month's contract can expire within the month (a VX expiry falls in its
    contract month), so the listing changes only there, at the listing start and where
    an era starts.
    """
    first, end = month_days(year, month)
    start = _start("VIX", kind)[0].toordinal()
    if end <= start:
        return (end,)
    cuts = {max(first, start), end}
    cuts.update(f.toordinal() for f, _, _ in _VX_ERAS if first < f.toordinal() < end)
    expiry = vx_expiry(year, month).date().toordinal()
    if first < expiry < end:
        cuts.add(expiry)
    return tuple(sorted(cuts))


@lru_cache(maxsize=1024)
def _vix_run(lo: int, kind: ListingKind) -> tuple[tuple[Fields, ...], tuple[int, ...]]:
    """Fields and settlement minutes of the months listed over a run of `_vix_runs`
    (`_vix_expiries` of its first day, ``lo``), by date."""
    rows = _vix_expiries(_D.fromordinal(lo), kind)
    return (
        tuple((e, root, st) for e, _, root, st in rows),
        tuple(ed.toordinal() * 1440 + SETTLE_OFFSET[st] for _, ed, _, st in rows),
    )


def _vix_listed(
    day: int, year: int, month: int, kind: ListingKind
) -> tuple[tuple[Fields, ...], tuple[int, ...]]:
    """`_vix_run` of the run of `_vix_runs` holding ``day`` (none before the listing)."""
    runs = _vix_runs(year, month, kind)
    i = bisect_right(runs, day)
    return _vix_run(runs[i - 1], kind) if 0 < i < len(runs) else ((), ())


@lru_cache(maxsize=8192)
def _listed(day: int, underlying: Underlying, kind: ListingKind) -> tuple[Expiry, ...]:
    """`listed_expiries` of the day with ordinal ``day``.

    Times are `t_years_in_days`'s arithmetic on whole minutes, ``(settlement minute -
    day * 1440) / MINUTES_PER_YEAR`` (the same float); every listed expiry settles after
    the day, so no floor at zero is needed.
    """
    d = _D.fromordinal(day)
    now = day * 1440
    if underlying == "SPX":
        _start(underlying, kind)  # ValueError for SPX futures
        table = spx_month(d.year, d.month)
        i = bisect_right(table.starts, day) - 1
        fields, minutes = table.fields[i], table.minutes[i]
    else:
        fields, minutes = _vix_listed(day, d.year, d.month, kind)
    return Expiry.many_at(fields, [(m - now) / MINUTES_PER_YEAR for m in minutes])


def listed_expiries(
    as_of: pd.Timestamp, underlying: Underlying, kind: ListingKind = "options"
) -> list[Expiry]:
    """Expirations listed at ``as_of``'s close with settlement still to come, by date.

    Parameters
    ----------
    as_of : Timestamp
        The date (its close, 16:00 ET, is the as-of time).
    underlying : {"SPX", "VIX"}
    kind : {"options", "futures"}
        ``"futures"`` only for VIX: the CFE VX futures months (root ``VX``).

    Returns
    -------
    list of Expiry
        SPX roots ``SPX`` (standard monthly; AM from 1992, PM before) and
        ``SPXW`` (PM weeklies, EOM, quarterlys); VIX root ``VIX`` (options) or
        ``VX`` (futures), AM. Empty before the product's `listing_start`
        (VIX options 2006-02-24, VX futures 2004-03-26).
    """
    ts = as_of if isinstance(as_of, pd.Timestamp) else pd.Timestamp(as_of)
    return list(_listed(ts.toordinal(), underlying, kind))
