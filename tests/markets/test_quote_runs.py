"""The per-expiry shortcuts of the quote path answer what the per-row path answers.

A request's rows come in runs of one expiry (`_days.expiry_runs`); the sources time,
settle and price each run once. References come from outside the shortcut: numpy's
``datetime64[D]`` day numbers, `vixshield.pricing.t_years_to_settlement` (the pricing
layer's wall-clock count), the listing rules (`listing.listed_expiries`), the rule of
`vix_strikes` written out with ``np.arange``, and the same rows quoted one at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.data.market import MarketData
from vixshield.markets import listing
from vixshield.markets._days import expiry_runs
from vixshield.markets.inputs import MarketInputs
from vixshield.markets.listing import t_years_in_days
from vixshield.markets.view import Markets
from vixshield.markets.vix_source import vix_strikes
from vixshield.pricing import t_years_to_settlement

_A, _B = pd.Timestamp("2020-03-20"), pd.Timestamp("2020-04-17")


def _numpy_days(values: list[object]) -> list[int]:
    out = []
    for v in values:
        ts = pd.Timestamp(v)  # type: ignore[arg-type]
        ts = ts.tz_localize(None) if ts.tzinfo is not None else ts
        out.append(int(np.datetime64(ts.date(), "D").astype(np.int64)))
    return out


@pytest.mark.parametrize(
    "values",
    [
        [_A] * 5,  # one object
        [_A] * 3 + [_B] * 2 + [_A],  # runs, an expiry back again
        [_A, pd.Timestamp("2020-03-20 00:00")] * 2,  # equal objects
        [pd.Timestamp("2020-03-20 15:00"), _A, _B],  # equal day, not equal
        [_A, _A.tz_localize("US/Eastern"), _A],  # an aware one between naive ones
        [_A.tz_localize("UTC"), pd.Timestamp("2020-03-19 21:00", tz="US/Eastern")],  # one instant
        (_B, _B.as_unit("s"), pd.Timestamp("1969-12-31 23:00")),  # a tuple, before the epoch
        [np.datetime64("2020-03-20"), "2020-04-17", dt.date(2020, 4, 17)],  # not Timestamps
        pd.Series([_A, _A, _B]),  # not a list
        [],
    ],
)
def test_runs_are_the_day_numbers(values: list[object]) -> None:
    runs = expiry_runs(values)
    assert runs.days.dtype == np.int64 and runs.days.tolist() == _numpy_days(list(values))
    assert np.repeat(runs.run_days, runs.run_lengths).tolist() == runs.days.tolist()
    assert all(a != b for a, b in zip(runs.run_days, runs.run_days[1:], strict=False))


def test_one_time_is_the_pricing_count() -> None:
    # pricing.t_years_to_settlement: minutes in New York between the close and 09:30 / 16:00
    for as_of in pd.date_range("1990-01-02", "2032-06-30", freq="191D"):
        for ahead in (-3, 0, 1, 2, 7, 30, 45, 400, 1200):
            for am in (True, False):
                want = t_years_to_settlement(
                    as_of.date(), (as_of + pd.Timedelta(days=ahead)).date(), "AM" if am else "PM"
                )
                assert t_years_in_days(ahead, "AM" if am else "PM") == want


def _strikes_by_rule(f: float) -> list[float]:
    # the docstring's rule: 1 point from max(9, floor(F/2)) to 50, 2.5 to 80, 5 to max(3F, 30)
    lo, hi = max(9.0, float(np.floor(0.5 * f))), max(3.0 * f, 30.0)
    parts = [
        np.arange(lo, min(50.0, hi) + 1.0, 1.0),
        np.arange(52.5, min(80.0, hi) + 2.5, 2.5),
        np.arange(85.0, hi + 5.0, 5.0),
    ]
    return np.concatenate(parts).tolist()


@settings(max_examples=400, deadline=None)
@given(st.floats(0.0, 250.0) | st.sampled_from([10.0, 50 / 3, 80 / 3, 85 / 3, 100 / 3, 30.0]))
def test_vix_strikes_are_the_rule(f: float) -> None:
    got = vix_strikes(f)
    assert got.dtype == np.float64 and got.tolist() == _strikes_by_rule(f)
    assert not got.flags.writeable  # shared between calls


def test_vix_strikes_by_hand() -> None:
    # F = 14.3: from 9 (floor(7.15) < 9) by 1 up to 3F = 42.9, so 9..43 and nothing past
    assert vix_strikes(14.3).tolist() == [float(k) for k in range(9, 44)]
    # F = 31: 15..50, 52.5..80 by 2.5, 85..95 (3F = 93 -> arange to 98)
    want = [float(k) for k in range(15, 51)] + [52.5 + 2.5 * i for i in range(12)]
    assert vix_strikes(31.0).tolist() == [*want, 85.0, 90.0, 95.0]


def _alone(m: Markets, d: pd.Timestamp, und: str, e: pd.Timestamp, k: float, r: str) -> dict:
    q = m.quote(d, und, [e], [k], [r])  # type: ignore[arg-type]
    fields = ("bid", "ask", "mid", "iv", "delta", "gamma", "vega", "theta", "forward", "t_years")
    return {f: getattr(q, f)[0] for f in fields}


@pytest.mark.parametrize("und", ["SPX", "VIX"])
def test_rows_in_runs_are_the_rows_alone(small_data: MarketData, und: str) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[40]
    exps = [e.date for e in m.expiries(d, und)][:3]  # type: ignore[arg-type]
    off = d + pd.Timedelta(days=45)  # VIX: off the curve, the model's future
    past = d - pd.Timedelta(days=3)  # expired: the intrinsic value (the per-row path)
    spot = m.inputs(d).spot if und == "SPX" else m.inputs(d).vix
    ks = [round(spot * x) for x in (0.9, 1.0, 1.2)]
    requests = [
        [(exps[0], k, "C") for k in ks],  # one run
        [(e, k, r) for e in exps for k in ks for r in ("C", "P")],  # runs of expiries
        [(exps[1], ks[0], "P"), (exps[0], ks[1], "C"), (exps[1], ks[2], "call")],  # interleaved
        [(exps[0], ks[0], "C"), (off, ks[1], "C")],
        [(exps[0], ks[0], "C"), (past, ks[1], "P"), (exps[0], ks[2], "put")],
    ]
    for rows in requests:
        e, k, r = (list(x) for x in zip(*rows, strict=True))
        q = m.quote(d, und, e, np.array(k, dtype=np.float64), r)  # type: ignore[arg-type]
        for i, row in enumerate(rows):
            want = _alone(m, d, und, *row)
            for f, v in want.items():
                got = getattr(q, f)[i]
                assert got == v or (np.isnan(got) and np.isnan(v)), (rows, i, f)


def test_spx_quotes_follow_a_replaced_calibration(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[30]
    e = m.expiries(d, "SPX")[3].date
    k = [round(m.inputs(d).spot * 0.95 / 5) * 5]
    before = m.quote(d, "SPX", [e], k, ["P"]).mid[0]
    cal = m.calibration(d)
    steeper = replace(
        cal, params=replace(cal.params, node_theta=tuple(2 * x for x in cal.params.node_theta))
    )
    m._inputs.seed_calibrations({d: steeper})
    fresh = Markets(small_data)
    fresh._inputs.seed_calibrations({d: steeper})
    after = m.quote(d, "SPX", [e], k, ["P"]).mid[0]
    assert after == fresh.quote(d, "SPX", [e], k, ["P"]).mid[0] and after > before


def test_spx_expiries_are_the_listing_rules(small_data: MarketData) -> None:
    inputs = MarketInputs(small_data)
    for d in small_data.daily.index[[0, 17, 79]]:
        day = inputs.day(d)
        assert day.listed is None  # listed on first use
        assert list(day.expiries) == listing.listed_expiries(d, "SPX")
        assert inputs.day(d).expiries is day.expiries


def test_strikes_of_any_spelling_of_the_expiry(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[40]
    for und in ("SPX", "VIX"):
        e = m.expiries(d, und)[1].date  # type: ignore[arg-type]
        want = m.strikes(d, und, e).tolist()  # type: ignore[arg-type]
        for other in (e + pd.Timedelta(hours=9), e.as_unit("s"), e.to_pydatetime()):
            assert m.strikes(d, und, other).tolist() == want  # type: ignore[arg-type]
