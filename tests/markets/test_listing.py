"""Listed expirations against Cboe's calendar rules and listing history (dates checked by hand).

Sources are named per test: Cboe launch announcements, the CFE per-contract VX
files (``../shared/data/cfe_vx``, first and last rows), the NYSE holiday calendar
(Good Fridays), and the rules in `vixshield.markets.listing`'s notes.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from vixshield.data.calendars import spx_monthly_expiry
from vixshield.errors import NotListed, UserError
from vixshield.markets.listing import (
    check_listed,
    listed_expiries,
    listing_start,
    spx_settlement,
    t_years_to_settlement,
)

T = pd.Timestamp


def _dates(as_of: str, root: str | None = None) -> list[pd.Timestamp]:
    return [e.date for e in listed_expiries(T(as_of), "SPX") if root is None or e.root == root]


def _within(as_of: str, days: int, root: str = "SPXW") -> list[pd.Timestamp]:
    return [d for d in _dates(as_of, root) if (d - T(as_of)).days <= days]


# ----------------------------------------------------------------- SPX monthlies
def test_good_friday_monthly_moves_to_thursday() -> None:
    # March 2008: third Friday 2008-03-21 was Good Friday; SPX expired Thursday 2008-03-20.
    assert T("2008-03-20") in _dates("2008-03-03", "SPX")


def test_monthly_listing_horizon() -> None:
    monthly = _dates("2010-05-03", "SPX")
    assert monthly[0] == T("2010-05-21")
    assert len([d for d in monthly if d <= T("2011-05-31")]) == 13  # next 12 + May 11
    assert T("2012-12-21") in monthly  # December out 3 years (LEAPS-like)
    assert max(monthly) <= T("2013-06-01")


def test_monthlies_pm_settled_before_1992_am_after() -> None:
    # Standard SPX moved from P.M. to A.M. settlement in 1992 (module notes; month a placeholder).
    early = [e for e in listed_expiries(T("1991-05-01"), "SPX") if e.date.year == 1991]
    assert early and all(e.root == "SPX" and e.settlement == "PM" for e in early)
    late = listed_expiries(T("1993-05-03"), "SPX")
    assert all(e.root == "SPX" and e.settlement == "AM" for e in late)
    assert spx_settlement(T("1991-05-17")) == "PM"
    assert spx_settlement(T("2014-04-17")) == "AM"  # Good Friday 2014-04-18 -> Thursday
    assert spx_settlement(T("2014-04-25")) == "PM"  # a Friday weekly


def test_settlement_labels_by_root() -> None:
    # Cboe: SPX (standard monthly) A.M.-settled; SPXW weeklies, EOMs, quarterlys P.M.-settled.
    for e in listed_expiries(T("2023-03-01"), "SPX"):
        if e.root == "SPX":
            assert e.settlement == "AM" and e.date == spx_monthly(e.date)
        else:
            assert e.root == "SPXW" and e.settlement == "PM" and e.date != spx_monthly(e.date)
        assert spx_settlement(e.date) == e.settlement


def spx_monthly(d: pd.Timestamp) -> pd.Timestamp:
    return spx_monthly_expiry(d.year, d.month)


# ----------------------------------------------------------------- SPXW weeklies
def test_no_weeklies_before_2005_10_28() -> None:
    # Cboe's first SPX Weeklys were listed Friday 2005-10-28, expiring Friday 2005-11-04.
    assert _dates("2004-06-01", "SPXW") == []
    assert _dates("2005-10-27", "SPXW") == []
    assert _dates("2005-10-28", "SPXW") == [T("2005-11-04")]


def test_first_era_lists_the_next_friday_only() -> None:
    # 2005-2010: a weekly opened on a Friday expires the next Friday; none in the
    # monthly expiration week (the third Friday is the standard SPX).
    assert _within("2010-05-03", 45) == [T("2010-05-07")]
    assert _within("2010-05-14", 45) == []  # 2010-05-21 is the monthly
    assert T("2010-05-21") in _dates("2010-05-14", "SPX")


def test_four_fridays_then_six_from_rg14_010() -> None:
    fridays_2012 = [d for d in _dates("2012-03-01", "SPXW") if d.weekday() == 4]
    assert [d for d in fridays_2012 if d <= T("2012-04-05")] == [
        T("2012-03-02"),
        T("2012-03-09"),
        T("2012-03-23"),  # 2012-03-16 is the monthly
        T("2012-03-30"),  # also the Q1 quarterly
    ]
    # Cboe RG14-010 (January 2014): six consecutive Friday expirations past the current
    # one. 2022-06-13 (Monday): Fridays to 2022-07-22 (39 days), skipping 2022-06-17 and
    # 2022-07-15 (monthlies), none after.
    fridays_2022 = [d for d in _within("2022-06-13", 84) if d.weekday() == 4]
    weekly = [d for d in fridays_2022 if not 15 <= d.day <= 21]
    assert weekly[-1] == T("2022-07-29")  # the July EOM is a Friday too
    assert T("2022-08-05") not in fridays_2022


def test_weekdays_by_launch_date() -> None:
    # Cboe launches: Wednesday SPX Weeklys 2016-02-23, Monday 2016-08-15,
    # Tuesday 2022-04-18, Thursday 2022-05-11 (daily expirations).
    def days(as_of: str) -> set[int]:
        return {d.weekday() for d in _within(as_of, 35)}

    assert 2 not in days("2016-02-22")  # Fridays and the Feb/Mar EOMs (Monday, Thursday)
    assert T("2016-02-24") in _dates("2016-02-23", "SPXW")
    assert days("2017-03-01") == {0, 2, 4}
    assert T("2022-04-19") not in _dates("2022-04-14", "SPXW")
    assert T("2022-04-19") in _dates("2022-04-18", "SPXW")
    assert T("2022-05-12") in _dates("2022-05-11", "SPXW")
    assert days("2023-03-01") == {0, 1, 2, 3, 4}


def test_good_friday_weekly_moves_to_thursday() -> None:
    # Good Friday 2021-04-02 (NYSE closed, not a third Friday): the weekly expired Thursday.
    w = _dates("2021-03-26", "SPXW")
    assert T("2021-04-01") in w and T("2021-04-02") not in w


# ------------------------------------------------------------ quarterlys and EOM
def test_quarterlys_from_2006() -> None:
    # Quarterly Options Series: the next four quarter-ends and the December of the next year.
    q = [d for d in _dates("2007-02-01", "SPXW") if (d - T("2007-02-01")).days > 7]
    assert q == [
        T("2007-03-30"),
        T("2007-06-29"),
        T("2007-09-28"),
        T("2007-12-31"),
        T("2008-12-31"),
    ]
    assert T("2006-06-30") not in _dates("2006-06-01", "SPXW")


def test_end_of_month_from_2014_07() -> None:
    # SPXW EOM: the last session of the month; none before the 2014-07 launch.
    assert T("2014-07-31") not in _dates("2014-06-30", "SPXW")
    eom = _dates("2014-07-01", "SPXW")
    assert T("2014-07-31") in eom and T("2014-08-29") in eom and T("2015-06-30") in eom
    # March 2018 ended on Good Friday 2018-03-30: the EOM/quarterly expired Thursday 03-29.
    assert T("2018-03-29") in _dates("2018-03-01", "SPXW")


def test_2022_06_13_has_a_45_to_60_day_expiry() -> None:
    # Was a gap 2022-07-20 .. 2022-08-19 before EOMs: now the 2022-07-29 EOM (46 days).
    as_of = T("2022-06-13")
    dte = {(d - as_of).days for d in _dates("2022-06-13")}
    assert 46 in dte


# ----------------------------------------------------------------- VIX
def test_vix_expiries_are_vx_dates() -> None:
    # CFE: Jan 2008 VX expired 2008-01-16, Feb 2008 on 2008-02-19 (Good Friday shift).
    vix = [e.date for e in listed_expiries(T("2008-01-02"), "VIX")]
    assert vix[:2] == [T("2008-01-16"), T("2008-02-19")]
    assert all(e.settlement == "AM" for e in listed_expiries(T("2008-01-02"), "VIX"))


def test_vix_options_from_2006_02_24() -> None:
    # Cboe launched VIX options on 2006-02-24; the March 2006 series expired 2006-03-22
    # with the VX contract (CFE_H06_VX.csv last row).
    assert listed_expiries(T("2006-02-23"), "VIX") == []
    first = listed_expiries(T("2006-02-24"), "VIX")
    assert first[0].date == T("2006-03-22") and all(e.root == "VIX" for e in first)


def test_vx_futures_from_2004_03_26() -> None:
    # CFE's first VX trade date 2004-03-26: May, June, August and November 2004 listed
    # (first rows of CFE_K04/M04/Q04/X04_VX.csv; no April contract).
    assert listed_expiries(T("2004-03-25"), "VIX", "futures") == []
    vx = listed_expiries(T("2004-03-26"), "VIX", "futures")
    assert [(e.date.year, e.date.month) for e in vx] == [
        (2004, 5),
        (2004, 6),
        (2004, 8),
        (2004, 11),
    ]
    assert all(e.root == "VX" and e.settlement == "AM" for e in vx)
    assert listed_expiries(T("2005-06-01"), "VIX") == []  # futures, but no options yet


def test_vx_month_count_by_era() -> None:
    # CFE files: four contracts 2004-2006, ten in 2008, eight from 2009 (and in 2026).
    def n(d: str) -> int:
        return len(listed_expiries(T(d), "VIX", "futures"))

    assert n("2005-01-03") == 4
    assert n("2008-06-02") == 10
    assert n("2010-06-01") == 8
    assert n("2026-07-23") == 8


# ----------------------------------------------------------------- starts
def test_listing_start_and_check_listed() -> None:
    assert listing_start("VIX") == T("2006-02-24")
    assert listing_start("VIX", "futures") == T("2004-03-26")
    assert listing_start("SPX") == T("1983-07-01")
    with pytest.raises(NotListed) as err:
        check_listed(T("2006-02-23"), "VIX", "options")
    assert str(err.value) == "VIX options not listed before 2006-02-24"
    assert isinstance(err.value, UserError)
    assert err.value.start == dt.date(2006, 2, 24) and err.value.as_of == dt.date(2006, 2, 23)
    with pytest.raises(NotListed, match=r"^VX futures not listed before 2004-03-26$"):
        check_listed(T("2004-03-25"), "VIX", "futures")
    check_listed(T("2006-02-24"), "VIX", "options")
    check_listed(T("2004-03-26"), "VIX", "futures")
    check_listed(T("1990-01-02"), "SPX")
    with pytest.raises(ValueError, match="SPX futures"):
        listing_start("SPX", "futures")
    with pytest.raises(ValueError, match="SPX futures"):
        listed_expiries(T("2020-01-02"), "SPX", "futures")


def test_time_to_settlement_am_vs_pm() -> None:
    # 16:00 ET Monday 2017-03-13 to 09:30 ET Friday 2017-03-17 = 3 days 17.5 h; to 16:00 = 4 days.
    as_of, exp = T("2017-03-13"), T("2017-03-17")
    assert t_years_to_settlement(as_of, exp, "AM") == pytest.approx((3 + 17.5 / 24) / 365)
    assert t_years_to_settlement(as_of, exp, "PM") == pytest.approx(4 / 365)


def test_expiries_sorted_unique_and_in_the_future() -> None:
    for as_of in ("1990-01-02", "2007-12-31", "2016-08-15", "2022-05-11", "2026-09-25"):
        for und, kind in (("SPX", "options"), ("VIX", "options"), ("VIX", "futures")):
            exps = listed_expiries(T(as_of), und, kind)  # type: ignore[arg-type]
            d = [e.date for e in exps]
            assert d == sorted(set(d)) and all(x > T(as_of) for x in d)
            assert all(e.t_years > 0 for e in exps)
