"""The hedge choice made for every layer at once (`ExpiryQuotes.choice`, `choose_hedge`).

References, computed here from the quotes without the code under test:

- the strike rule of the policy docs (`vixshield.strategy.policy.HedgeLayer`): the
  quoted option (mid > 0) whose |delta| is nearest ``strike_value``, the first on a
  tie, options with no delta skipped; the expiry of the layer's window nearest its
  middle (the shorter on a tie);
- the fill rule of `vixshield.markets.costs.CostModel`: a bought leg fills at
  ``mid + spread_share x (ask - bid)``, floored at 0;
- ``np.nanargmin`` for the distance search.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vixshield.data.embedded import load_embedded
from vixshield.data.market import MarketData
from vixshield.markets.costs import CostModel
from vixshield.markets.view import Markets
from vixshield.strategy import load_policy
from vixshield.strategy.hedge import ExpiryQuotes, choose_hedge
from vixshield.strategy.hedge_choice import _nearest

LAYERS = load_policy("alvh-442").hedge.layers
COSTS = CostModel(spread_share=0.25, commission_per_contract=0.65)


class _Counted:
    """Counts the calls of each market method (delegates everything)."""

    def __init__(self, market: Any) -> None:
        self.market, self.calls = market, {"expiries": 0, "quote": 0, "strikes": 0}

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.market, name)
        if name not in self.calls:
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attr(*args, **kwargs)

        return counted


def _reference(
    market: Markets, day: pd.Timestamp, layer: Any
) -> tuple[float, float, float, int] | None:
    """(strike, mid, fill, dte) of the layer's VIX call by the documented rules, in plain Python
    (None: no listed expiry in the layer's window)."""
    exps = market.expiries(day, "VIX")
    mid_dte = 0.5 * (layer.dte_min + layer.dte_max)
    in_window = [
        (abs((e.date - day).days - mid_dte), (e.date - day).days, n, e)
        for n, e in enumerate(exps)
        if layer.dte_min <= (e.date - day).days <= layer.dte_max
    ]
    if not in_window:
        return None
    *_, exp = min(in_window, key=lambda x: x[:3])
    strikes = sorted(float(k) for k in market.strikes(day, "VIX", exp.date))
    q = market.quote(day, "VIX", [exp.date] * len(strikes), strikes, ["C"] * len(strikes))
    best: tuple[float, int] | None = None
    for r in range(len(strikes)):
        d = abs(abs(float(q.delta[r])) - layer.strike_value)
        if float(q.mid[r]) > 0 and not math.isnan(d) and (best is None or d < best[0]):
            best = (d, r)
    assert best is not None
    r = best[1]
    mid, bid, ask = float(q.mid[r]), float(q.bid[r]), float(q.ask[r])
    fill = max(mid + COSTS.spread_share * max(ask - bid, 0.0), 0.0)
    return strikes[r], mid, fill, (exp.date - day).days


def _check_days(data: MarketData, days: list[pd.Timestamp]) -> int:
    """Checks every layer on ``days``; returns how many layer-days had a choice."""
    markets = Markets(data)
    chosen = 0
    for day in days:
        book = ExpiryQuotes(day, markets, LAYERS)
        for layer in LAYERS:
            c, rf = choose_hedge(day, markets, layer, COSTS, book)
            ref = _reference(markets, day, layer)
            if ref is None:
                assert c is None and rf.note == "no expiry in window"
                continue
            assert c is not None, rf
            strike, mid, fill, dte = ref
            assert (c.legs[0].strike, c.dte) == (strike, dte)
            assert c.mid == mid
            assert c.fill == pytest.approx(fill, rel=1e-12)
            assert rf.inputs["strike"] == strike
            chosen += 1
    return chosen


def test_every_layer_gets_the_documented_choice_on_the_embedded_data() -> None:
    data = load_embedded()
    days = list(data.daily.index[-900::150])
    assert _check_days(data, days) == len(days) * len(LAYERS)


@pytest.mark.shared_data
def test_every_layer_gets_the_documented_choice_over_the_real_history(
    real_history: MarketData,
) -> None:
    idx = real_history.daily.index
    days = [d for d in idx[idx >= pd.Timestamp("2006-06-01")][::500]] + [idx[-1]]
    assert _check_days(real_history, days) >= (len(days) - 1) * len(LAYERS)


def test_one_listing_one_quote_and_one_strike_list_per_expiry_a_day() -> None:
    markets = Markets(load_embedded())
    day = pd.Timestamp("2016-06-24")
    counted = _Counted(markets)
    book = ExpiryQuotes(day, counted, LAYERS)  # type: ignore[arg-type]
    shared = [choose_hedge(day, counted, layer, COSTS, book)[0] for layer in LAYERS]  # type: ignore[arg-type]
    assert counted.calls == {"expiries": 1, "quote": 1, "strikes": 3}  # three VIX layers
    alone = [choose_hedge(day, markets, layer, COSTS)[0] for layer in LAYERS]
    assert shared == alone


def test_a_layer_outside_the_book_is_chosen_on_its_own() -> None:
    markets = Markets(load_embedded())
    day = pd.Timestamp("2017-03-15")
    book = ExpiryQuotes(day, markets, LAYERS[:1])
    other = LAYERS[1].model_copy(update={"strike_value": 0.2})
    assert not book.covers(other)
    got, _ = choose_hedge(day, markets, other, COSTS, book)
    alone, _ = choose_hedge(day, Markets(markets.data), other, COSTS)  # fresh: no memo
    assert got == alone and got is not None
    with pytest.raises(ValueError, match="not one of this book's layers"):
        book.choice(other, COSTS)


def test_before_vix_options_every_layer_records_why() -> None:
    markets = Markets(load_embedded())
    day = markets.data.daily.index[0]  # the embedded history starts before 2006-02-24
    book = ExpiryQuotes(day, markets, LAYERS)
    for layer in LAYERS:
        c, rf = choose_hedge(day, markets, layer, COSTS, book)
        assert c is None
        assert (rf.outcome, rf.inputs) == ("fail", {"instrument": layer.instrument})
        assert "not listed" in rf.note


_DIST = arrays(
    np.float64,
    st.integers(1, 12),
    elements=st.one_of(
        st.floats(0, 2, allow_nan=False), st.just(math.inf), st.just(math.nan), st.just(0.5)
    ),
)


@settings(max_examples=300, deadline=None)
@given(_DIST)
def test_nearest_is_nanargmin(distance: np.ndarray) -> None:
    if np.isnan(distance).all():
        with pytest.raises(ValueError):
            _nearest(distance)
        with pytest.raises(ValueError):
            np.nanargmin(distance)
        return
    assert _nearest(distance) == int(np.nanargmin(distance))
