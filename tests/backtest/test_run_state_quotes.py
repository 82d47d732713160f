"""`RunState.quote`: the day's quote table (one market call per underlying, rows as fetched).

The reference is the hand-set quotes of `bt_fakes.FakeMarket` (bid/ask typed in here).
"""

from __future__ import annotations

import numpy as np
from bt_fakes import CountingMarket, make_data, ts

from vixshield.backtest.portfolio import Ledger
from vixshield.backtest.shock import Shock
from vixshield.backtest.state import RunState
from vixshield.markets.costs import CostModel
from vixshield.strategy.types import Leg

_DAY = "2020-03-02"


def _leg(und: str, expiry: str, strike: float, right: str) -> Leg:
    root = "SPX" if und == "SPX" else "VIX"
    return Leg(und, root, ts(expiry), "AM", strike, right, 1)  # type: ignore[arg-type]


def _state() -> tuple[RunState, CountingMarket]:
    market = CountingMarket(make_data([_DAY, "2020-03-03"]))
    market.calls = []
    hand = {  # (und, expiry, strike, right): (bid, ask), index points
        ("SPX", "2020-03-20", 3000.0, "P"): (10.0, 10.6),
        ("SPX", "2020-03-20", 3100.0, "C"): (4.1, 4.5),
        ("SPX", "2020-04-17", 2900.0, "P"): (20.2, 21.0),
        ("VIX", "2020-03-18", 20.0, "C"): (1.05, 1.15),
        ("VIX", "2020-04-15", 25.0, "C"): (0.80, 0.95),
    }
    for (und, e, k, r), (b, a) in hand.items():
        market.set(_DAY, und, e, k, r, b, a)
    run = RunState(market=market, costs=CostModel(), shock=Shock(), ledger=Ledger(cash=1e6))
    run.start_day(2000.0, 15.0)
    return run, market


def test_quotes_are_the_markets_rows_in_leg_order() -> None:
    run, market = _state()
    legs = [
        _leg("VIX", "2020-03-18", 20.0, "C"),
        _leg("SPX", "2020-03-20", 3000.0, "P"),
        _leg("SPX", "2020-04-17", 2900.0, "P"),
        _leg("VIX", "2020-04-15", 25.0, "C"),
    ]
    q = run.quote(ts(_DAY), legs)
    assert q.bid.tolist() == [1.05, 10.0, 20.2, 0.80]
    assert q.ask.tolist() == [1.15, 10.6, 21.0, 0.95]
    assert q.mid.tolist() == [(1.05 + 1.15) / 2, (10.0 + 10.6) / 2, (20.2 + 21.0) / 2, 0.875]
    assert q.forward.tolist() == [15.0, 2000.0, 2000.0, 15.0]  # the fake's spot per underlying
    assert q.origin == ["modeled"] * 4
    assert sorted(market.calls) == [("SPX", 2), ("VIX", 2)]  # one call per underlying
    for a in (q.bid, q.ask, q.mid, q.iv, q.t_years, q.forward, q.delta, q.vega, q.theta):
        assert a.flags["C_CONTIGUOUS"] and a.dtype == np.float64


def test_cached_quotes_are_reused_and_bitwise_equal_whatever_the_order() -> None:
    run, market = _state()
    a = _leg("SPX", "2020-03-20", 3000.0, "P")
    b = _leg("SPX", "2020-03-20", 3100.0, "C")
    c = _leg("VIX", "2020-03-18", 20.0, "C")
    first = run.quote(ts(_DAY), [a, c])
    again = run.quote(ts(_DAY), [b, a, c, a])  # only b is new
    assert market.calls == [("SPX", 1), ("VIX", 1), ("SPX", 1)]
    assert again.mid.tolist() == [4.3, first.mid[0], first.mid[1], first.mid[0]]
    ratios = np.array([1.0, -2.0])
    # marks must not depend on how the quotes were fetched (np.dot on contiguous rows)
    assert np.dot(ratios, run.quote(ts(_DAY), [a, c]).mid) == np.dot(ratios, first.mid)


def test_start_day_clears_the_table() -> None:
    run, market = _state()
    leg = _leg("SPX", "2020-03-20", 3000.0, "P")
    run.quote(ts(_DAY), [leg])
    run.start_day(2000.0, 15.0)
    q = run.quote(ts("2020-03-03"), [leg])  # nothing set by hand that day: unquoted
    assert market.calls == [("SPX", 1), ("SPX", 1)]
    assert np.isnan(q.bid).all() and np.isnan(q.mid).all()
    assert run.quote(ts("2020-03-03"), []).mid.shape == (0,)
