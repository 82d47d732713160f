"""Every layer's hedge choice made for a block of dates at once (`choose_days`).

Reference: `choose_hedge` of each layer on each date alone, on a fresh market object
(no memo entry: the market is quoted for that date only). A date of a block must get
that choice to the last bit and the same audit entry (no look-ahead: a date reads its
own close only), including the dates before VIX options were listed and a spx_put
layer; `ExpiryQuotes` (the live path) is the block of one date.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from strategy_fakes import FakeMarket, ListedMarket, synthetic_data

from vixshield.data.embedded import load_embedded
from vixshield.markets.costs import CostModel
from vixshield.markets.view import Markets
from vixshield.strategy import load_policy
from vixshield.strategy.hedge_choice import choose_days, choose_hedge
from vixshield.strategy.policy import HedgeLayer

LAYERS = load_policy("alvh-442").hedge.layers
PUT = HedgeLayer(name="put", instrument="spx_put", dte_min=20, dte_max=60, weight=0.01)
SPREAD = LAYERS[1].model_copy(update={"name": "spread", "instrument": "vix_call_spread"})
COSTS = CostModel(spread_share=0.25, commission_per_contract=0.65)


def _alone(market: Any, day: pd.Timestamp, layer: HedgeLayer) -> object:
    try:
        return choose_hedge(day, market, layer, COSTS)
    except ValueError as err:
        return repr(err)


def _check(block: list[list[Any]], days: list[pd.Timestamp], fresh: Any, layers: Any) -> None:
    assert len(block) == len(days)
    for day, got in zip(days, block, strict=True):
        want = [_alone(fresh(), day, x) for x in layers]
        assert [repr(g) if isinstance(g, ValueError) else g for g in got] == want


def test_a_block_of_embedded_days_chooses_what_each_day_alone_chooses() -> None:
    data = load_embedded()
    idx = data.daily.index[data.daily["spx_close"].notna().to_numpy()]  # trading days
    start = int(idx.searchsorted(pd.Timestamp("2006-02-10")))  # VIX options from 02-24
    days = list(idx[start : start + 25]) + list(idx[-40::3])
    layers = (*LAYERS, PUT, SPREAD)
    block = choose_days(Markets(data), days, layers, COSTS)
    _check(block, days, lambda: Markets(data), layers)
    notes = {
        rf.note for day in block[:5] for got in day if isinstance(got, tuple) for rf in got[1:]
    }
    assert any("not listed" in n for n in notes)  # the block starts before the listing
    assert any(isinstance(got, tuple) and got[0] is not None for got in block[-1])


@pytest.mark.parametrize("kind", [ListedMarket, FakeMarket], ids=["listed", "chain"])
def test_a_block_on_the_fake_markets_matches_each_day(kind: Any) -> None:
    data = synthetic_data(120)
    days = list(data.daily.index[60:80])
    layers = (*LAYERS, SPREAD)
    block = choose_days(kind(data), days, layers, COSTS)
    _check(block, days, lambda: kind(data), layers)
    assert all(got[0][0] is not None for got in block)
