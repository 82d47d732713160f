"""The engine's speed paths keep its results: quote batching and cached per-position margin."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from bt_fakes import FakeMarket, Script, at, check_invariants, condor_legs, make_data, policy, ts

from vixshield.backtest import Backtest
from vixshield.backtest.portfolio import OpenPosition
from vixshield.markets.types import QuoteBlock
from vixshield.strategy.types import Leg, Order, Position

DAYS = ["2016-01-04", "2016-01-05", "2016-01-06", "2016-01-07"]
EXPIRY = "2016-01-15"


class CountingMarket(FakeMarket):
    """A FakeMarket that counts ``quote`` calls per (date, underlying)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.calls: Counter[tuple[pd.Timestamp, str]] = Counter()

    def quote(self, date, underlying, expiry, strike, right) -> QuoteBlock:  # type: ignore[no-untyped-def]
        self.calls[(pd.Timestamp(date), underlying)] += 1
        return super().quote(date, underlying, expiry, strike, right)


def _market() -> CountingMarket:
    m = CountingMarket(make_data(DAYS))
    for d in DAYS:
        for k, r, b in ((1850, "P", 5.0), (1900, "P", 10.0), (2100, "C", 8.0), (2150, "C", 3.0)):
            m.set(d, "SPX", EXPIRY, k, r, b, b + 1)
    return m


def test_marks_and_closes_share_one_quote_call_per_underlying_per_day() -> None:
    # two condors on the same strikes opened on day 1; on day 3 one is closed and one
    # stays: the marks and the close are served by a single SPX quote call that day.
    m = _market()
    legs = condor_legs(EXPIRY, 1850, 1900, 2100, 2150)
    script = Script(
        at(
            {
                "2016-01-04": [
                    Order("open", "condor", legs, 1, "a"),
                    Order("open", "condor", legs, 2, "b"),
                ],
                "2016-01-06": [Order("close", "condor", (), 0, "exit", position_id="P000001")],
            }
        )
    )
    res = Backtest(policy(), m, decide=script).run()
    # day 1: one batched call for both openings; days 2-4: one call for marks (+ the close)
    assert m.calls == Counter({(ts(d), "SPX"): 1 for d in DAYS})
    assert len(res.cycles) == 1
    # closing P000001 (1 contract) at bid/ask 5-6,10-11,8-9,3-4 with spread share 0.25:
    # buy back 1900P at 10.75, 2100C at 8.75; sell 1850P at 5.25, 2150C at 3.25 -> debit 11.0 pts
    closed = res.trades[(res.trades["action"] == "close")]
    assert closed["cash_flow"].sum() == pytest.approx(-1100.0, abs=1e-9)
    check_invariants(res.daily, 100_000.0)


def _position(strikes: list[float], rights: list[str], ratios: list[int], n: int) -> Position:
    e = ts(EXPIRY)
    legs = tuple(
        Leg("SPX", "SPX", e, "AM", k, r, q)  # type: ignore[arg-type]
        for k, r, q in zip(strikes, rights, ratios, strict=True)
    )
    return Position("P1", "condor", legs, n, ts("2016-01-04"), 0.0)


def test_condor_margin_is_its_widest_wing() -> None:
    # hand: 1850/1900 put spread and 2100/2150 call spread, 3 contracts: max loss 50 points
    # x 100 x 3 = $15,000 at any spot (Cboe Margin Manual: defined-risk spreads)
    pos = _position([1850, 1900, 2100, 2150], ["P", "P", "C", "C"], [1, -1, -1, 1], 3)
    op = OpenPosition(pos, np.zeros(4), np.zeros(4), np.zeros(4), np.zeros(4))
    for spot in (1000.0, 1875.0, 2000.0, 2125.0, 2600.0):
        assert op.margin(spot) == pytest.approx(15_000.0, abs=1e-9)
