"""The shock demand priced in batches of days is the demand priced day by day, to the bit."""

from __future__ import annotations

import numpy as np
import pytest

from vixshield.backtest import Backtest
from vixshield.backtest.marking import ShockDemands
from vixshield.data import load_embedded
from vixshield.markets.view import Markets
from vixshield.strategy.policy import load_policy


def _demand(monkeypatch: pytest.MonkeyPatch, batch_legs: int) -> np.ndarray:
    monkeypatch.setattr(ShockDemands, "BATCH_LEGS", batch_legs)
    res = Backtest(
        load_policy("alvh-442"), Markets(load_embedded()), start="2017-10-02", end="2018-06-29"
    ).run()
    margin = res.daily["margin"].to_numpy(dtype=np.float64)
    demand = res.daily["shock_demand"].to_numpy(dtype=np.float64)
    assert (demand >= margin).all()
    assert (demand > margin).sum() > 100  # the book loses under the shock on most days
    return demand


def test_batches_of_days_give_the_day_by_day_demand(monkeypatch: pytest.MonkeyPatch) -> None:
    # BATCH_LEGS = 1 prices every day on its own (one shocked_prices call a day); the
    # default and one batch for the whole run price many days per call. Feb 2018 included.
    alone = _demand(monkeypatch, 1)
    assert _demand(monkeypatch, 2048).tobytes() == alone.tobytes()
    assert _demand(monkeypatch, 10**9).tobytes() == alone.tobytes()
