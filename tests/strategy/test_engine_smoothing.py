"""decide carries the smoothed hedge targets in its state (by hand)."""

from __future__ import annotations

import pandas as pd
import pytest
from strategy_fakes import FakeMarket

from vixshield.data.market import MarketData
from vixshield.strategy import AccountState, Policy, StrategyState, decide

ACCOUNT = AccountState(equity=1_000_000.0, cash=1_000_000.0, margin=0.0)
A = 1.0 - 2.0 ** (-1.0 / 10.0)  # alvh-442: target_halflife 10 closes


def test_targets_are_smoothed_across_closes(
    data: MarketData, alvh: Policy, indicators: pd.DataFrame
) -> None:
    market = FakeMarket(data, weeklies=True)
    day = indicators.index[200]
    prev = StrategyState(targets=(("medium", 1_000.0),))
    dec = decide(day, market, [], ACCOUNT, alvh, prev, indicators)
    st = dec.state
    assert isinstance(st, StrategyState)
    # the medium layer's own target moves from 1_000 USD towards its raw value
    sm = next(a for a in dec.audit if a.rule == "target_smoothing:medium")
    raw = float(sm.inputs["raw"])
    assert dict(st.targets)["medium"] == pytest.approx(1_000.0 + A * (raw - 1_000.0))
    # a fresh state starts at the raw values (nothing to smooth)
    fresh = decide(day, market, [], ACCOUNT, alvh, None, indicators).state
    assert isinstance(fresh, StrategyState)
    assert dict(fresh.targets)["medium"] == pytest.approx(raw)
