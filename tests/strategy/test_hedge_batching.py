"""The hedge layers' candidate expiries quoted in one call (`ExpiryQuotes`).

Reference: `choose_hedge` quoting each layer's expiry on its own (the path before the
batching). The shared quotes must give the same choice to the last bit (a quote row
does not depend on the rows quoted with it) with one ``quote`` call per day for all
three alvh-442 layers instead of one per layer.
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
from vixshield.strategy.hedge import ExpiryQuotes, choose_hedge

DATA = synthetic_data(120)
DAY = DATA.daily.index[100]
LAYERS = load_policy("alvh-442").hedge.layers
COSTS = CostModel(spread_share=0.25)


class _Counted:
    """Counts ``quote`` calls of the market it wraps (delegates everything else)."""

    def __init__(self, market: Any) -> None:
        self.market, self.calls = market, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.market, name)

    def quote(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.market.quote(*args, **kwargs)


@pytest.mark.parametrize("kind", [ListedMarket, FakeMarket], ids=["listed", "chain"])
def test_shared_quotes_choose_what_each_layer_alone_chooses(kind: Any) -> None:
    market = kind(DATA)
    book = ExpiryQuotes(DAY, market, LAYERS)
    for layer in LAYERS:
        alone, rf_alone = choose_hedge(DAY, kind(DATA), layer, COSTS)  # own market: no memo
        shared, rf_shared = choose_hedge(DAY, market, layer, COSTS, book)
        assert alone is not None
        assert shared == alone
        assert rf_shared == rf_alone


def test_one_quote_call_for_every_layer_on_the_embedded_data() -> None:
    markets = Markets(load_embedded())
    day = pd.Timestamp("2017-03-15")
    counted = _Counted(markets)
    book = ExpiryQuotes(day, counted, LAYERS)  # type: ignore[arg-type]
    shared = [choose_hedge(day, counted, layer, COSTS, book)[0] for layer in LAYERS]  # type: ignore[arg-type]
    assert counted.calls == 1  # three layers, three expiries, one VIX quote call
    alone = [choose_hedge(day, markets, layer, COSTS)[0] for layer in LAYERS]
    assert shared == alone
    assert len({c.legs[0].expiry for c in alone if c is not None}) == 3
