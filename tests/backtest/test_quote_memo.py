"""`LegQuoteMemo`: the leg quotes a run over a `Markets` object leaves for the next run.

References: a run's result on a fresh market (no memo to read), and the hand-set rows
written here; the origin rule is `QuoteBlock.origin`'s ("real" only where every row is).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from bt_fakes import CountingMarkets, FakeMarket, make_data

from vixshield.backtest import Backtest
from vixshield.backtest.quote_memo import LegQuoteMemo
from vixshield.data.embedded import load_embedded
from vixshield.markets import Markets
from vixshield.strategy.policy import load_policy, with_overrides

_WINDOW = {"start": "2015-01-02", "end": "2015-06-30"}


def _frames(result: object) -> tuple[str, str]:
    return result.daily.to_csv(), result.trades.to_csv()  # type: ignore[attr-defined]


def test_a_second_run_on_one_market_reads_the_quotes_back_and_gives_the_fresh_result() -> None:
    data = load_embedded()
    base = load_policy("alvh-442")
    variant = with_overrides(base, {"sizing.risk_per_condor": 0.006}, "test")
    fresh_variant = _frames(Backtest(variant, Markets(data), **_WINDOW).run())
    shared = CountingMarkets(data)
    Backtest(base, shared, **_WINDOW).run()  # the market's first run: no memo
    shared.calls = 0
    Backtest(base, shared, **_WINDOW).run()  # stores its quotes
    first = shared.calls
    shared.calls = 0
    again = _frames(Backtest(variant, shared, **_WINDOW).run())
    assert again == fresh_variant
    assert shared.calls < first  # the marks of the legs both runs held were read back


def _key(strike: float) -> tuple[str, int, float, str]:
    return ("SPX", pd.Timestamp("2020-03-20").value, strike, "P")


def test_rows_and_origin_round_trip_and_a_partial_request_is_not_served() -> None:
    memo = LegQuoteMemo(Markets(load_embedded()), first=True)
    day = pd.Timestamp("2020-03-02").value
    block = np.arange(18, dtype=np.float64).reshape(9, 2)  # 9 quote fields x 2 options
    memo.write(day, [_key(3000.0), _key(3100.0)], block, ("real", "modeled"))
    got = memo.read(day, [_key(3100.0), _key(3000.0)], 9)
    assert got is not None
    np.testing.assert_array_equal(got[0], block[:, ::-1])
    assert got[1] == "modeled"
    one = memo.read(day, [_key(3000.0)], 9)
    assert one is not None and one[1] == "real"
    assert memo.read(day, [_key(3000.0), _key(2900.0)], 9) is None
    assert memo.read(day + 86_400_000_000_000, [_key(3000.0)], 9) is None


def test_oldest_days_are_dropped_past_the_limit() -> None:
    memo = LegQuoteMemo(Markets(load_embedded()), limit=3, first=True)
    block = np.ones((9, 2))
    days = [pd.Timestamp(d).value for d in ("2020-03-02", "2020-03-03", "2020-03-04")]
    for d in days:
        memo.write(d, [_key(3000.0), _key(3100.0)], block, ("modeled", "modeled"))
    assert memo.read(days[0], [_key(3000.0)], 9) is None  # 6 legs > 3: older days gone
    assert memo.read(days[1], [_key(3000.0)], 9) is None
    assert memo.read(days[2], [_key(3000.0), _key(3100.0)], 9) is not None


def test_a_markets_first_memo_neither_stores_nor_reads_by_default() -> None:
    market = Markets(load_embedded())
    day = pd.Timestamp("2020-03-02").value
    LegQuoteMemo(market).write(day, [_key(3000.0)], np.ones((9, 1)), ("modeled",))
    later = LegQuoteMemo(market)
    assert later.read(day, [_key(3000.0)], 9) is None  # nothing was stored
    later.write(day, [_key(3000.0)], np.ones((9, 1)), ("modeled",))
    assert LegQuoteMemo(market).read(day, [_key(3000.0)], 9) is not None


def test_other_market_views_have_no_memo() -> None:
    memo = LegQuoteMemo(FakeMarket(make_data(["2020-03-02"])), first=True)
    day = pd.Timestamp("2020-03-02").value
    memo.write(day, [_key(3000.0)], np.ones((9, 1)), ("modeled",))
    assert memo.read(day, [_key(3000.0)], 9) is None


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one leg"):
        LegQuoteMemo(FakeMarket(make_data(["2020-03-02"])), limit=0)
