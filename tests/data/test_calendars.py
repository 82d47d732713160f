"""Calendars: NYSE sessions and the SPX / VIX expiration rules.

Reference dates: Cboe's published VIX futures/options expiration calendar
(2024: Jan 17, Feb 14, Mar 20, Apr 17, May 22, Jun 18, Jul 17, Aug 21, Sep 18,
Oct 16, Nov 20, Dec 18), the NYSE holiday calendar, and the real last trade
dates of the 76 CFE VX contract files in ../shared/data/cfe_vx.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.data.calendars import (
    early_closes,
    is_trading_day,
    previous_trading_day,
    spx_monthly_expiry,
    third_friday,
    trading_days,
    vx_expiries,
    vx_expiry,
)

CBOE_VIX_EXPIRIES_2024 = [
    "2024-01-17",
    "2024-02-14",
    "2024-03-20",
    "2024-04-17",
    "2024-05-22",
    "2024-06-18",  # Tuesday: Wednesday 2024-06-19 was Juneteenth
    "2024-07-17",
    "2024-08-21",
    "2024-09-18",
    "2024-10-16",
    "2024-11-20",
    "2024-12-18",
]


def test_trading_days_2024_has_252_sessions() -> None:
    # NYSE 2024: 366 days - 104 weekend days - 10 holidays = 252 sessions.
    days = trading_days("2024-01-01", "2024-12-31")
    assert len(days) == 252
    assert days.is_monotonic_increasing and days.is_unique
    assert pd.Timestamp("2024-07-04") not in days
    assert pd.Timestamp("2024-03-29") not in days  # Good Friday


def test_special_closures_are_not_sessions() -> None:
    # Hurricane Sandy, the national days of mourning for Presidents Bush and Carter.
    for d in ("2012-10-29", "2012-10-30", "2018-12-05", "2025-01-09"):
        assert not is_trading_day(d)
    assert is_trading_day("2018-12-06")


def test_early_closes_2024() -> None:
    assert list(early_closes("2024-01-01", "2024-12-31").strftime("%Y-%m-%d")) == [
        "2024-07-03",
        "2024-11-29",
        "2024-12-24",
    ]


def test_previous_trading_day_skips_weekend_and_holiday() -> None:
    assert previous_trading_day("2024-07-05") == pd.Timestamp("2024-07-03")
    assert previous_trading_day("2024-01-16") == pd.Timestamp("2024-01-12")  # MLK Monday


def test_third_friday_and_good_friday_expiry() -> None:
    assert third_friday(2014, 4) == pd.Timestamp("2014-04-18")
    assert spx_monthly_expiry(2014, 4) == pd.Timestamp("2014-04-17")  # Good Friday
    assert spx_monthly_expiry(2024, 3) == pd.Timestamp("2024-03-15")


def test_vx_expiry_matches_cboe_2024_calendar() -> None:
    got = [vx_expiry(2024, m).strftime("%Y-%m-%d") for m in range(1, 13)]
    assert got == CBOE_VIX_EXPIRIES_2024
    assert list(vx_expiries("2024-01-01", "2024-12-31").strftime("%Y-%m-%d")) == got


def test_vx_expiry_when_next_month_friday_is_good_friday() -> None:
    # Feb 2008: 2008-03-21 was Good Friday, so 30 days before Thursday 03-20 -> Tue 02-19
    # (the real last trade date in CFE_G08_VX.csv).
    assert vx_expiry(2008, 2) == pd.Timestamp("2008-02-19")


@settings(max_examples=60, deadline=None)
@given(year=st.integers(1995, 2034), month=st.integers(1, 12))
def test_expiry_rule_properties(year: int, month: int) -> None:
    spx = spx_monthly_expiry(year, month)
    assert 15 <= third_friday(year, month).day <= 21
    assert is_trading_day(spx)
    assert 0 <= (third_friday(year, month) - spx).days <= 3
    vx = vx_expiry(year, month)
    assert is_trading_day(vx)
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    gap = (spx_monthly_expiry(ny, nm) - vx).days
    assert 30 <= gap <= 33
    if gap == 30:
        assert vx.day_of_week in (1, 2)  # Wednesday, or Tuesday after a Good Friday shift
    assert (vx.year, vx.month) == (year, month)


@pytest.mark.shared_data
def test_expiry_rule_vs_real_cfe_last_trade_dates(shared_data: Path) -> None:
    """74 of the 76 CFE contract files end on vx_expiry(); Jul and Oct 2004 final-settled a week
    earlier (Wednesday before the contract month's own 3rd Friday), an early-2004 rule."""
    codes = "FGHJKMNQUVXZ"
    files = sorted((shared_data / "cfe_vx").glob("CFE_*_VX.csv"))
    assert len(files) == 76  # + the curve snapshot = the 77 files of cfe_vx/
    mismatched = []
    for f in files:
        m = re.search(r"CFE_([A-Z])(\d\d)_VX", f.name)
        assert m is not None
        year, month = 2000 + int(m.group(2)), codes.index(m.group(1)) + 1
        rows = [ln for ln in f.read_text().splitlines() if ln.strip()]
        last = pd.Timestamp(rows[-1].split(",")[0])
        if last != vx_expiry(year, month):
            mismatched.append((f.name, last.strftime("%Y-%m-%d")))
    assert mismatched == [("CFE_N04_VX.csv", "2004-07-14"), ("CFE_V04_VX.csv", "2004-10-13")]


def test_is_trading_day_accepts_any_date_form() -> None:
    # 2024-07-04 (Independence Day) is an NYSE holiday; 2024-07-05 (Friday) a session.
    for holiday in ("2024-07-04", dt.date(2024, 7, 4), pd.Timestamp("2024-07-04 15:30")):
        assert not is_trading_day(holiday)
    for session in (
        "2024-07-05",
        dt.date(2024, 7, 5),
        pd.Timestamp("2024-07-05 09:30"),
        pd.Timestamp("2024-07-05", tz="America/New_York"),
        pd.Timestamp("2024-07-05").as_unit("s"),
    ):
        assert is_trading_day(session)
    assert previous_trading_day(pd.Timestamp("2024-07-05 12:00")) == pd.Timestamp("2024-07-03")


def test_dates_outside_the_calendar_raise() -> None:
    with pytest.raises(ValueError, match="outside the supported calendar"):
        is_trading_day("1980-01-02")
    with pytest.raises(ValueError, match="outside the supported calendar"):
        previous_trading_day("2040-01-02")


def test_shipped_sessions_match_exchange_calendars() -> None:
    """The shipped XNYS session list equals exchange_calendars' (the oracle) over its whole range.

    A failure means exchange_calendars knows a new closure: run scripts/build_sessions.py.
    """
    import warnings

    import exchange_calendars as xcals

    from vixshield.data.calendars import CALENDAR_END, CALENDAR_START, trading_days

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        oracle = xcals.get_calendar("XNYS", start=CALENDAR_START, end=CALENDAR_END).sessions
    expected = pd.DatetimeIndex(oracle).tz_localize(None).astype("datetime64[ns]")
    shipped = trading_days(CALENDAR_START, CALENDAR_END)
    assert shipped.equals(pd.DatetimeIndex(expected, name="date"))
