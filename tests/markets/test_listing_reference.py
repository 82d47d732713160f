"""The month tables of `vixshield.markets.listing` against a plain day-by-day statement.

`listed_expiries` reads what is listed on a day from per-month tables of listing
spans (`listing_spans.spx_month`, `listing._vix_runs`). The reference below restates
the same Cboe/CFE rules (the module notes and their sources) the direct way: for
one day, the next 12 monthlies plus the March-cycle months to 24 and Decembers to
36 months, the first 12 EOMs and first four quarter-ends after the day, next
year's December, each weekday's weeklies within its era's horizon, and the VX
months; then one expiration per date. Days of the range the store covers
(1990-01-02 .. 2026-09-25, weekends included: every day within 40 days of an era
start, every 9th elsewhere) must give the same expirations, in the same order,
with the same times to the float.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import pandas as pd
import pytest

from vixshield.data.calendars import (
    is_trading_day,
    previous_trading_day,
    spx_monthly_expiry,
    vx_expiry,
)
from vixshield.markets.listing import listed_expiries, t_years_to_settlement

_D = dt.date
Row = tuple[dt.date, str, str]  # (expiry, root, settlement)

# Cboe/CFE record, as in the listing module's notes (dates of first listing)
SPX_AM_FROM = _D(1992, 6, 19)  # first A.M.-settled standard monthly (placeholder month)
QUARTERLY_FROM = _D(2006, 7, 3)  # Quarterly Options Series
EOM_FROM = _D(2014, 7, 1)  # SPXW end-of-month options
WEEKLIES = {  # weekday -> [(from, calendar days listed ahead)]
    4: [(_D(2005, 10, 28), 7), (_D(2011, 1, 3), 28), (_D(2014, 1, 13), 49)],  # RG14-010
    2: [(_D(2016, 2, 23), 14), (_D(2016, 5, 24), 28), (_D(2016, 8, 15), 42)],  # RG16-102
    0: [(_D(2016, 8, 15), 42)],
    1: [(_D(2022, 4, 18), 28)],
    3: [(_D(2022, 5, 11), 28)],
}
VX_ERAS = [  # (from, serial months, further Feb-cycle months): CFE files 2004-2010
    (_D(2004, 3, 26), 2, 2),
    (_D(2006, 3, 8), 2, 4),
    (_D(2006, 10, 20), 6, 2),
    (_D(2008, 4, 21), 10, 0),
    (_D(2009, 2, 19), 8, 0),
]
VIX_OPTIONS_FROM = _D(2006, 2, 24)


def _months(day: dt.date, count: int) -> list[tuple[int, int]]:
    return [
        ((day.year * 12 + day.month - 1 + k) // 12, (day.month - 1 + k) % 12 + 1)
        for k in range(count)
    ]


@cache
def _session_on_or_before(d: dt.date) -> dt.date:
    return d if is_trading_day(pd.Timestamp(d)) else previous_trading_day(pd.Timestamp(d)).date()


@cache
def _month_end(y: int, m: int) -> dt.date:
    first_next = _D(y + m // 12, m % 12 + 1, 1)
    return _session_on_or_before(first_next - dt.timedelta(days=1))


def spx_reference(day: dt.date) -> list[Row]:
    """SPX expirations listed at ``day``'s close, the day's rules applied directly."""
    rows: dict[dt.date, Row] = {}
    for k, (y, m) in enumerate(_months(day, 38)):
        if k <= 12 or (k <= 24 and m % 3 == 0) or m == 12:
            e = spx_monthly_expiry(y, m).date()
            if e > day:
                rows[e] = (e, "SPX", "AM" if e >= SPX_AM_FROM else "PM")

    def spxw(e: dt.date) -> None:
        if e > day and e not in rows:
            rows[e] = (e, "SPXW", "PM")

    if day >= EOM_FROM:
        ends = [_month_end(y, m) for y, m in _months(day, 13)]
        for e in [e for e in ends if e > day][:12]:
            spxw(e)
    if day >= QUARTERLY_FROM:
        q = [(y, m) for y, m in _months(day, 15) if m % 3 == 0][:5]
        for e in [e for e in (_month_end(y, m) for y, m in q) if e > day][:4]:
            spxw(e)
        spxw(_month_end(day.year + 1, 12))
    for wd in range(5):
        horizon = max([days for start, days in WEEKLIES[wd] if start <= day], default=0)
        for ahead in range(1, horizon + 1):
            due = day + dt.timedelta(days=ahead)
            if due.weekday() == wd and not (wd == 4 and 15 <= due.day <= 21):
                spxw(_session_on_or_before(due))
    return [rows[e] for e in sorted(rows)]


def vix_reference(day: dt.date, kind: str) -> list[Row]:
    """VX months (VIX options: the same) listed at ``day``: serial, then Feb-cycle months."""
    if day < (VIX_OPTIONS_FROM if kind == "options" else VX_ERAS[0][0]):
        return []
    serial, cycle = next((s, c) for start, s, c in reversed(VX_ERAS) if start <= day)
    rows: list[Row] = []
    for y, m in _months(day, 30):
        e = vx_expiry(y, m).date()
        if (y, m) < (2004, 5) or e <= day:  # CFE's first contract: May 2004
            continue
        if serial:
            serial -= 1
        elif cycle and m in (2, 5, 8, 11):
            cycle -= 1
        else:
            continue
        rows.append((e, "VX" if kind == "futures" else "VIX", "AM"))
    return rows


def _got(day: dt.date, underlying: str, kind: str) -> list[tuple[Row, float]]:
    exps = listed_expiries(pd.Timestamp(day), underlying, kind)  # type: ignore[arg-type]
    return [((e.date.date(), e.root, e.settlement), e.t_years) for e in exps]


def _want(day: dt.date, rows: list[Row]) -> list[tuple[Row, float]]:
    ts = pd.Timestamp(day)
    return [(r, t_years_to_settlement(ts, pd.Timestamp(r[0]), r[2])) for r in rows]  # type: ignore[arg-type]


def _days(start: str, end: str, step: int = 1) -> list[dt.date]:
    first, last = _D.fromisoformat(start), _D.fromisoformat(end)
    return [first + dt.timedelta(days=k) for k in range(0, (last - first).days + 1, step)]


ERA_STARTS = [  # every day around these is checked; a stride of 9 days elsewhere
    "1992-06-19",  # the first A.M.-settled monthly
    "2005-10-28",  # Weeklys
    "2006-07-03",  # quarterlys
    "2011-01-03",  # four Fridays
    "2014-01-13",  # six Fridays (RG14-010)
    "2014-07-01",  # EOMs
    "2016-02-23",  # Wednesdays
    "2016-05-24",  # four Wednesdays (RG16-102)
    "2016-08-15",  # Mondays, six Wednesdays
    "2022-04-18",  # Tuesdays
    "2022-05-11",  # Thursdays
    "2004-03-26",  # VX futures (CFE)
    "2006-02-24",  # VIX options
    "2006-03-08",  # VX eras (CFE files)
    "2006-10-20",
    "2008-04-21",
    "2009-02-19",
]


def _sample(start: str, end: str) -> list[dt.date]:
    """Every 9th day (all weekdays in turn) plus every day within 40 days of an era start."""
    first, last = _D.fromisoformat(start), _D.fromisoformat(end)
    near = {
        d
        for era in ERA_STARTS
        for d in _days(str(_D.fromisoformat(era) - dt.timedelta(days=40)), era)
        + _days(era, str(_D.fromisoformat(era) + dt.timedelta(days=40)))
    }
    return sorted({d for d in near if first <= d <= last} | set(_days(start, end, 9)))


@pytest.mark.parametrize(
    "start,end",
    [
        ("1990-01-02", "2005-12-31"),  # monthlies; PM -> AM 1992; the first weeklies 2005
        ("2006-01-01", "2013-12-31"),  # quarterlys, one then four Fridays
        ("2014-01-01", "2018-12-31"),  # six Fridays, EOMs, Wednesdays, Mondays
        ("2019-01-01", "2026-09-25"),  # Tuesdays and Thursdays: daily expirations
    ],
)
def test_spx_listings_match_the_day_rules(start: str, end: str) -> None:
    for day in _sample(start, end):
        assert _got(day, "SPX", "options") == _want(day, spx_reference(day)), day


@pytest.mark.parametrize("kind", ["options", "futures"])
def test_vix_listings_match_the_day_rules(kind: str) -> None:
    for day in _sample("2004-01-01", "2026-09-25"):
        assert _got(day, "VIX", kind) == _want(day, vix_reference(day, kind)), day


def test_reference_pins_the_era_starts() -> None:
    # Independent facts (Cboe/CFE record, see test_listing.py): the reference itself
    # lists what those sources say on the first day of each era.
    def spxw(day: str) -> list[dt.date]:
        return [r[0] for r in spx_reference(_D.fromisoformat(day)) if r[1] == "SPXW"]

    assert spxw("2005-10-27") == [] and spxw("2005-10-28") == [_D(2005, 11, 4)]  # Weeklys launch
    assert _D(2016, 2, 24) in spxw("2016-02-23") and _D(2016, 2, 24) not in spxw("2016-02-22")
    assert _D(2022, 4, 19) in spxw("2022-04-18") and _D(2022, 4, 19) not in spxw("2022-04-14")
    assert [r[0] for r in vix_reference(_D(2004, 3, 26), "futures")] == [  # CFE K04 M04 Q04 X04
        _D(2004, 5, 19),
        _D(2004, 6, 16),
        _D(2004, 8, 18),
        _D(2004, 11, 17),
    ]
    assert vix_reference(_D(2006, 2, 23), "options") == []
    assert vix_reference(_D(2006, 2, 24), "options")[0][0] == _D(2006, 3, 22)  # CFE_H06_VX


def test_a_series_once_listed_stays_listed_until_it_expires() -> None:
    # Cboe lists a series and keeps it to expiration: from one day to the next only
    # expired series leave (SPX, every calendar day of the years eras start in).
    for year in (1992, 2005, 2006, 2011, 2014, 2016, 2022):
        days = _days(f"{year}-01-01", f"{year + 1}-01-31")
        before = {r for r, _ in _got(days[0], "SPX", "options")}
        for day in days[1:]:
            now = {r for r, _ in _got(day, "SPX", "options")}
            assert {r for r in before - now if r[0] > day} == set(), day
            before = now
