"""The fast quote path of `Markets`: day numbers, times to settlement, per-day memos.

References come from outside the fast code: `vixshield.pricing.t_years_to_settlement`
(the pricing layer's minute-precision wall-clock count), numpy's ``datetime64[D]``
day numbers, the `Expiry` dataclass constructor and the VX curve table
(`Markets.vx_curve`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from vixshield.data.market import MarketData
from vixshield.errors import NotListed
from vixshield.markets import listing
from vixshield.markets._days import expiry_days, kernel_args, t_years_days
from vixshield.markets.types import Expiry
from vixshield.markets.view import Markets
from vixshield.pricing import t_years_to_settlement

_SAMPLE_DAYS = pd.date_range("1990-01-02", "2032-06-30", freq="37D")  # ~420 dates, any weekday


def test_t_years_days_is_the_pricing_count() -> None:
    # pricing.t_years_to_settlement: minutes in New York between the close and 09:30 / 16:00
    for as_of in _SAMPLE_DAYS[::5]:
        ahead = np.array([-3, 0, 1, 2, 7, 30, 45, 400, 1200])
        days = (as_of.value // 86_400_000_000_000) + ahead
        for am in (True, False):
            got = t_years_days(as_of.value // 86_400_000_000_000, days, am)
            want = [
                t_years_to_settlement(
                    as_of.date(), (as_of + pd.Timedelta(days=int(a))).date(), "AM" if am else "PM"
                )
                for a in ahead
            ]
            assert got.dtype == np.float64
            assert got.tolist() == want  # the same floats, not merely close


def test_t_years_days_per_row_settlement() -> None:
    as_of = pd.Timestamp("2020-03-02")
    d0 = as_of.value // 86_400_000_000_000
    days = np.array([d0 + 4, d0 + 4, d0 + 18])
    am = np.array([True, False, True])
    want = [
        t_years_to_settlement(as_of.date(), (as_of + pd.Timedelta(days=int(d - d0))).date(), s)
        for d, s in zip(days, ("AM", "PM", "AM"), strict=True)
    ]
    assert t_years_days(d0, days, am).tolist() == want


@pytest.mark.parametrize(
    "values",
    [
        [pd.Timestamp("2020-01-17"), pd.Timestamp("2021-06-30 15:45")],
        [pd.Timestamp("1969-12-31 13:00"), pd.Timestamp("1965-02-01")],  # before the epoch
        [pd.Timestamp("2021-03-04 23:59").as_unit("s")],  # a non-nanosecond unit
        [pd.Timestamp("2020-01-17 22:00", tz="US/Eastern")],  # aware: its wall date
        [np.datetime64("2020-01-17"), dt.date(2020, 1, 18), "2020-01-19"],
        [pd.Timestamp("2020-01-17"), dt.datetime(2020, 1, 18, 9, 30)],  # mixed
        [],
    ],
)
def test_expiry_days_are_numpy_day_numbers(values: list[object]) -> None:
    want = [
        int(np.datetime64(pd.Timestamp(v).tz_localize(None).date(), "D").astype(np.int64))  # type: ignore[arg-type]
        for v in values
    ]
    got = expiry_days(values)
    assert got.dtype == np.int64 and got.tolist() == want


def test_kernel_args_are_fresh_contiguous_copies() -> None:
    k = np.arange(10.0)[::2]  # strided view
    t = np.full(5, 0.1)
    call = np.array([True, False, True, False, True])
    kk, tt, cc = kernel_args(k, t, call)
    for out, src, dtype in ((kk, k, np.float64), (tt, t, np.float64), (cc, call, np.bool_)):
        assert out.flags["C_CONTIGUOUS"] and out.flags["WRITEABLE"] and out.dtype == dtype
        assert not np.shares_memory(out, src)
        assert out.tolist() == src.tolist()
    kb, tb, cb = kernel_args(np.array([1.0, 2.0]), np.array(0.5), np.array(True))  # broadcast
    assert kb.tolist() == [1.0, 2.0] and tb.tolist() == [0.5, 0.5] and cb.tolist() == [True] * 2


def test_expiry_many_builds_what_the_constructor_builds() -> None:
    rows = [
        (pd.Timestamp("2020-01-17"), "SPX", "AM", 0.25),
        (pd.Timestamp("2020-01-22"), "SPXW", "PM", 0.0),
    ]
    got = Expiry.many(rows)  # type: ignore[arg-type]
    want = tuple(Expiry(*r) for r in rows)  # type: ignore[arg-type]
    assert got == want and [hash(e) for e in got] == [hash(e) for e in want]
    assert [repr(e) for e in got] == [repr(e) for e in want]
    with pytest.raises(AttributeError):  # still frozen
        got[0].root = "VIX"  # type: ignore[misc]


@pytest.mark.parametrize(
    "underlying,kind", [("SPX", "options"), ("VIX", "options"), ("VIX", "futures")]
)
def test_listed_times_are_the_pricing_count(underlying: str, kind: str) -> None:
    for as_of in _SAMPLE_DAYS:
        exps = listing.listed_expiries(as_of, underlying, kind)  # type: ignore[arg-type]
        assert [e.date for e in exps] == sorted({e.date for e in exps})
        for e in exps:
            assert e.t_years == t_years_to_settlement(as_of.date(), e.date.date(), e.settlement)


def test_spx_month_end_rules_hold_on_month_end_sessions() -> None:
    # on the last session of a quarter, that quarter's end is gone: 12 EOMs and 4 quarters ahead
    for as_of in (
        pd.Timestamp("2019-06-28"),
        pd.Timestamp("2020-12-31"),
        pd.Timestamp("2021-09-30"),
    ):
        exps = listing.listed_expiries(as_of, "SPX")
        month_ends = [
            e.date
            for e in exps
            if e.root == "SPXW"
            and e.date == listing.previous_session(e.date + pd.offsets.MonthEnd(0))
        ]
        assert month_ends[0] > as_of
        # next 12 month ends (Cboe Rule 4.13(e)(2) cap) are all listed
        first = as_of.replace(day=1)
        want = [
            listing.previous_session(first + pd.offsets.MonthBegin(k) + pd.offsets.MonthEnd(0))
            for k in range(1, 13)
        ]
        assert set(want) <= set(month_ends)


def test_view_memos_answer_as_computed(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[10]
    first = m.expiries(d, "SPX")
    assert first == listing.listed_expiries(d, "SPX")
    first.clear()  # the caller's copy: later answers are unchanged
    assert m.expiries(d, "SPX") == listing.listed_expiries(d, "SPX")
    assert m.expiries(d, "VIX") == listing.listed_expiries(d, "VIX")
    e = m.expiries(d, "VIX")[0].date
    assert m.strikes(d, "VIX", e) is m.strikes(d, "VIX", e)
    assert (
        m.strikes(d, "VIX", e).tolist() == m.strikes(d + pd.Timedelta(hours=3), "VIX", e).tolist()
    )


def test_vix_options_refused_before_listing_every_time() -> None:
    from markets_fakes import make_data

    m = Markets(make_data("2005-06-01", 30))
    d = m.data.daily.index[5]
    for _ in range(2):
        with pytest.raises(NotListed):
            m.expiries(d, "VIX")
        with pytest.raises(NotListed):
            m.quote(d, "VIX", [pd.Timestamp("2005-07-20")], [15.0], ["C"])


def test_vix_quote_forwards_are_the_curve(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[30]
    curve = m.vx_curve(d)
    exps = [e.date for e in m.expiries(d, "VIX")][:3]
    q = m.quote(d, "VIX", exps, [15.0] * len(exps), ["C"] * len(exps))
    want = [float(curve.loc[curve["expiry"] == e, "value"].iloc[0]) for e in exps]
    assert q.forward.tolist() == want
