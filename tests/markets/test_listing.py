"""Listed expirations against the Cboe calendar rules (dates checked by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from vixshield.markets.listing import listed_expiries, t_years_to_settlement


def _dates(as_of: str, root: str | None = None) -> list[pd.Timestamp]:
    return [
        e.date
        for e in listed_expiries(pd.Timestamp(as_of), "SPX")
        if root is None or e.root == root
    ]


def test_good_friday_monthly_moves_to_thursday() -> None:
    # March 2008: third Friday 2008-03-21 was Good Friday; SPX expired Thursday 2008-03-20.
    assert pd.Timestamp("2008-03-20") in _dates("2008-03-03", "SPX")


def test_monthly_listing_horizon() -> None:
    monthly = _dates("2010-05-03", "SPX")
    assert monthly[0] == pd.Timestamp("2010-05-21")
    assert len([d for d in monthly if d <= pd.Timestamp("2011-05-31")]) == 13  # next 12 + May 11
    assert pd.Timestamp("2012-12-21") in monthly  # December out 3 years (LEAPS-like)
    assert max(monthly) <= pd.Timestamp("2013-06-01")


def test_no_weeklies_before_2005_and_fridays_after() -> None:
    assert _dates("2004-06-01", "SPXW") == []
    weeklies = _dates("2010-05-03", "SPXW")
    assert all(d.weekday() == 4 for d in weeklies)
    assert pd.Timestamp("2010-05-07") in weeklies and pd.Timestamp("2010-05-21") not in weeklies


def test_monday_wednesday_from_2016_daily_from_2022() -> None:
    days_2017 = {d.weekday() for d in _dates("2017-03-01", "SPXW")}
    assert days_2017 == {0, 2, 4}
    days_2023 = {d.weekday() for d in _dates("2023-03-01", "SPXW")}
    assert days_2023 == {0, 1, 2, 3, 4}


def test_vix_expiries_are_vx_dates() -> None:
    # CFE: Jan 2008 VX expired 2008-01-16, Feb 2008 on 2008-02-19 (Good Friday shift).
    vix = [e.date for e in listed_expiries(pd.Timestamp("2008-01-02"), "VIX")]
    assert vix[:2] == [pd.Timestamp("2008-01-16"), pd.Timestamp("2008-02-19")]
    assert all(e.settlement == "AM" for e in listed_expiries(pd.Timestamp("2008-01-02"), "VIX"))


def test_time_to_settlement_am_vs_pm() -> None:
    # 16:00 ET Monday 2017-03-13 to 09:30 ET Friday 2017-03-17 = 3 days 17.5 h; to 16:00 = 4 days.
    as_of, exp = pd.Timestamp("2017-03-13"), pd.Timestamp("2017-03-17")
    assert t_years_to_settlement(as_of, exp, "AM") == pytest.approx((3 + 17.5 / 24) / 365)
    assert t_years_to_settlement(as_of, exp, "PM") == pytest.approx(4 / 365)
