"""The default indicators kept per `Markets` object for the next runs (`loop._INDICATORS`).

Reference: `compute_indicators` called directly on the policy (no memo), and a fresh
market's run.
"""

from __future__ import annotations

import pandas as pd
import pytest

import vixshield.backtest.loop as loop
from vixshield.backtest import Backtest
from vixshield.data.embedded import load_embedded
from vixshield.markets import Markets
from vixshield.strategy import compute_indicators
from vixshield.strategy.policy import load_policy, with_overrides

_START = pd.Timestamp("2015-01-02")


def test_runs_that_differ_outside_regime_and_custom_share_one_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[object] = []

    def counted(*args: object, **kwargs: object) -> pd.DataFrame:
        calls.append(args[1])
        return compute_indicators(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loop, "compute_indicators", counted)
    market = Markets(load_embedded())
    base = load_policy("alvh-442")
    sized = with_overrides(base, {"sizing.risk_per_condor": 0.006}, "test")
    other = with_overrides(base, {"regime.persist_days": 5}, "test")
    _, first = loop._default_strategy(base, market, _START)
    _, second = loop._default_strategy(sized, market, _START)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(second, compute_indicators(market.data, sized, start=_START))
    assert second is not first  # each run its own copy
    _, third = loop._default_strategy(other, market, _START)
    assert len(calls) == 2  # another regime section: computed again
    pd.testing.assert_frame_equal(third, compute_indicators(market.data, other, start=_START))
    loop._default_strategy(base, market, _START + pd.Timedelta(days=1))
    assert len(calls) == 3  # another start: computed again


def test_a_run_with_the_kept_frame_equals_a_fresh_markets_run() -> None:
    data = load_embedded()
    policy = load_policy("alvh-442")
    window = {"start": "2016-01-04", "end": "2016-03-31"}
    shared = Markets(data)
    Backtest(policy, shared, **window).run()
    again = Backtest(policy, shared, **window).run()
    fresh = Backtest(policy, Markets(data), **window).run()
    pd.testing.assert_frame_equal(again.daily, fresh.daily)
    pd.testing.assert_frame_equal(again.trades, fresh.trades)
