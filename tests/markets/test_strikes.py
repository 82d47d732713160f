"""`Markets.strikes`: the strike grid of one expiry without building the chain."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vixshield._typing import Underlying
from vixshield.data.market import MarketData
from vixshield.errors import UserError
from vixshield.markets.view import Markets


@pytest.mark.parametrize("row", [3, 20, 41, 79])
@pytest.mark.parametrize("underlying", ["SPX", "VIX"])
def test_strikes_match_the_chain(small_data: MarketData, row: int, underlying: Underlying) -> None:
    d = small_data.daily.index[row]
    m = Markets(small_data)
    fresh = Markets(small_data)  # strikes first, on a cold instance: no chain cached
    for e in m.expiries(d, underlying):
        k = fresh.strikes(d, underlying, e.date)
        q = m.chain(d, underlying, e.date).quotes
        for right in ("C", "P"):
            np.testing.assert_array_equal(k, q.loc[q["right"] == right, "strike"].to_numpy())
        assert np.all(np.diff(k) > 0)


def test_strikes_on_embedded_data() -> None:
    from vixshield.data.embedded import load_embedded

    m = Markets(load_embedded())
    for day in ("2014-06-02", "2018-02-06"):
        d = pd.Timestamp(day)
        for und in ("SPX", "VIX"):
            exps = m.expiries(d, und)
            for e in (exps[0], exps[len(exps) // 2]):
                q = m.chain(d, und, e.date).quotes
                want = np.unique(q["strike"].to_numpy())
                np.testing.assert_array_equal(m.strikes(d, und, e.date), want)


def test_strikes_are_cached_and_read_only(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[10]
    e = m.expiries(d, "SPX")[3].date
    a = m.strikes(d, "SPX", e)
    assert m.strikes(d, "SPX", str(e.date())) is a  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="read-only"):
        a[0] = 1.0


def test_unlisted_expiry_is_a_user_error(small_data: MarketData) -> None:
    m = Markets(small_data)
    d = small_data.daily.index[10]
    with pytest.raises(UserError, match="not listed"):
        m.strikes(d, "VIX", d + pd.Timedelta(days=1))


def test_strikes_from_a_real_chain(small_data: MarketData) -> None:
    d = small_data.daily.index[20]
    rows = [
        {
            "quote_date": d,
            "underlying": "SPX",
            "root": "SPX",
            "expiry": pd.Timestamp("2017-03-17"),
            "settlement": "AM",
            "strike": k,
            "right": r,
            "bid": 10.0,
            "ask": 11.0,
            "iv": 0.12,
        }
        for k in (2400.0, 2300.0, 2350.0)
        for r in ("P", "C")
    ]
    m = Markets(small_data, chains=pd.DataFrame(rows))
    k = m.strikes(d, "SPX", pd.Timestamp("2017-03-17"))
    np.testing.assert_array_equal(k, [2300.0, 2350.0, 2400.0])
    with pytest.raises(UserError, match="not in the real chain"):
        m.strikes(d, "SPX", pd.Timestamp("2017-04-21"))
