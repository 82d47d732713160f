"""ACT/365 year fractions and settlement times (America/New_York)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from vixshield.pricing import (
    close_time,
    spx_am_settlement_time,
    spx_pm_settlement_time,
    t_years_to_settlement,
    vix_settlement_time,
    year_fraction,
)

NY = ZoneInfo("America/New_York")


def test_year_fraction_act_365() -> None:
    a = dt.datetime(2025, 1, 2, 16, 0, tzinfo=NY)
    assert year_fraction(a, a + dt.timedelta(days=365)) == 1.0
    assert year_fraction(a, a + dt.timedelta(minutes=1)) == 1.0 / 525_600
    assert year_fraction(a + dt.timedelta(days=73), a) == -0.2  # 73/365 across DST, reversed
    assert year_fraction(dt.date(2024, 1, 1), dt.date(2025, 1, 1)) == 366 / 365  # leap year
    # pandas Timestamps are datetimes
    assert (
        year_fraction(
            pd.Timestamp("2025-03-03 09:30", tz=NY), pd.Timestamp("2025-03-04 09:30", tz=NY)
        )
        == 1 / 365
    )


def test_year_fraction_rounds_to_the_minute() -> None:
    a = dt.datetime(2025, 1, 2, 12, 0, 0)
    assert year_fraction(a, a + dt.timedelta(seconds=29)) == 0.0
    assert year_fraction(a, a + dt.timedelta(seconds=91)) == 2 / 525_600


def test_year_fraction_counts_calendar_days_across_dst() -> None:
    # 2025-03-09 02:00 ET clocks jump forward: Friday close -> Monday close is 71 real hours
    # but three actual (calendar) days, which is what ACT/365 counts.
    fri = close_time(dt.date(2025, 3, 7))
    mon = close_time(dt.date(2025, 3, 10))
    assert year_fraction(fri, mon) == 3 / 365
    # the same instants given in UTC are read on the wall clock of the start's zone
    assert year_fraction(fri, mon.astimezone(dt.UTC)) == 3 / 365


def test_settlement_times() -> None:
    d = dt.date(2025, 3, 21)  # third Friday: AM-settled SPX monthly
    assert spx_am_settlement_time(d) == dt.datetime(2025, 3, 21, 9, 30, tzinfo=NY)
    assert spx_pm_settlement_time(d) == dt.datetime(2025, 3, 21, 16, 0, tzinfo=NY)
    assert close_time(d) == dt.datetime(2025, 3, 21, 16, 0, tzinfo=NY)
    vix = vix_settlement_time(dt.date(2025, 3, 19))  # VIX March 2025 expiry (Wednesday)
    assert (vix.hour, vix.minute, vix.tzinfo) == (9, 30, NY)
    # 09:30 ET is 13:30 UTC in summer (EDT) and 14:30 UTC in winter (EST)
    assert spx_am_settlement_time(dt.date(2025, 7, 18)).astimezone(dt.UTC).hour == 13
    assert spx_am_settlement_time(dt.date(2025, 1, 17)).astimezone(dt.UTC).hour == 14


def test_t_years_to_settlement() -> None:
    thu = dt.date(2025, 1, 16)
    fri = dt.date(2025, 1, 17)
    # Thursday 16:00 -> Friday 09:30 = 17.5 h; -> Friday 16:00 = 24 h (no DST change in January)
    assert t_years_to_settlement(thu, fri, "AM") == 17.5 * 60 / 525_600
    assert t_years_to_settlement(thu, fri, "PM") == 1 / 365
    # 0DTE PM option valued at its own close has no time left; an AM one has already settled.
    assert t_years_to_settlement(fri, fri, "PM") == 0.0
    assert t_years_to_settlement(fri, fri, "AM") == 0.0
    assert (
        t_years_to_settlement(pd.Timestamp("2025-01-16"), pd.Timestamp("2025-01-17"), "PM")
        == 1 / 365
    )
    with pytest.raises(ValueError, match="settlement"):
        t_years_to_settlement(thu, fri, "XX")  # type: ignore[arg-type]
