"""The hedge layers' daily plan: what is made only where it is read, and the day counts.

References: a layer's report fields by hand (``held_premium = value x 100 x n``,
``held_basis = max(cost, value) x 100 x n``, ``held_delta = delta x 100 x n``); calendar
days between dates by hand (2016 is a leap year); the choices a fresh market makes
(no memo entry) for the memo's read-back; pandas' ``normalize`` for tz-aware dates.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
import strategy_fakes
from strategy_fakes import ListedMarket, hedge_mark, synthetic_data

import vixshield.strategy.hedge as hedge
from vixshield.markets.costs import CostModel
from vixshield.strategy import load_policy
from vixshield.strategy.hedge import ExpiryQuotes, choose_hedge
from vixshield.strategy.hedge_context import _held_days
from vixshield.strategy.memo import MarketMemo
from vixshield.strategy.types import Leg, Position

DATA = synthetic_data(120)
DAY = DATA.daily.index[100]
ALVH = load_policy("alvh-442")
LAYERS = ALVH.hedge.layers
COSTS = CostModel(spread_share=0.25)


def _medium_call(opened: pd.Timestamp, contracts: int, entry: float) -> Position:
    leg = Leg("VIX", "VIX", DAY + pd.Timedelta(days=90), "AM", 25.0, "C", 1)
    return Position("h1", "hedge", (leg,), contracts, opened, entry, layer="medium")


def test_layer_details_are_made_when_first_read_with_the_fields_by_hand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[object] = []
    real = hedge._layer_details

    def counted(*args: Any) -> dict[str, float | int | str]:
        made.append(args)
        return real(*args)

    monkeypatch.setattr(hedge, "_layer_details", counted)
    pos = _medium_call(DAY - pd.Timedelta(days=20), 4, 1.50)
    mark = hedge_mark(2.0, 0.35, 0.04, -0.02, 90, spread=0.1)
    plans = strategy_fakes.plan(ListedMarket(DATA), ALVH, [pos], {"h1": mark}, cap=0.0)
    assert made == []  # planning the day builds no report fields
    medium = {p.layer: p for p in plans}["medium"].details
    assert medium["held_contracts"] == 4
    assert made and len(made) == 1  # the first read made this layer's fields, once
    assert medium["held_premium"] == pytest.approx(2.0 * 100 * 4)
    assert medium["held_basis"] == pytest.approx(2.0 * 100 * 4)  # value above the 1.50 cost
    assert medium["held_delta"] == pytest.approx(0.35 * 100 * 4)
    assert medium["held_vega"] == pytest.approx(0.04 * 100 * 4)
    assert len(made) == 1  # later reads keep the first answer
    assert dict(medium) == json.loads(json.dumps(dict(medium)))  # plain JSON values
    assert len(medium) == len(dict(medium)) and "orders" in medium


def test_held_days_are_calendar_days_with_times_of_day_dropped() -> None:
    def held(opened: str, date: str) -> int:
        return _held_days(_medium_call(pd.Timestamp(opened), 1, 1.0), pd.Timestamp(date))

    assert held("2016-02-27 23:59", "2016-03-01 00:01") == 3  # 27 Feb -> 1 Mar, leap year
    assert held("2016-03-01 00:01", "2016-03-01 23:59") == 0
    assert held("1969-12-31 18:00", "1970-01-02") == 2  # before the epoch too
    assert held("2016-03-18", "2016-03-08") == -10


def test_held_days_of_tz_aware_dates_follow_pandas_normalize() -> None:
    opened = pd.Timestamp("2016-03-12 23:00", tz="US/Eastern")
    date = pd.Timestamp("2016-03-14 01:00", tz="US/Eastern")
    expected = (date.normalize() - opened.normalize()).days  # 47 h across the DST change
    assert _held_days(_medium_call(opened, 1, 1.0), date) == expected == 1


def test_memo_get_many_reads_in_order_and_misses_as_none() -> None:
    memo: MarketMemo[str] = MarketMemo(10, "test-get-many")

    class _Market:
        pass

    market, other = _Market(), _Market()
    memo.put_many(market, [("a", "A"), ("b", "B")])
    assert memo.get_many(market, ["b", "x", "a"]) == ["B", None, "A"]
    assert memo.get_many(other, ["a", "b"]) == [None, None]  # no table for that market
    assert memo.get_many(market, []) == []


def test_a_variant_with_one_new_layer_quotes_the_day_once_and_equals_fresh_choices() -> None:
    market = ListedMarket(DATA)
    book = ExpiryQuotes(DAY, market, LAYERS)  # type: ignore[arg-type]
    stored = [choose_hedge(DAY, market, x, COSTS, book) for x in LAYERS]  # type: ignore[arg-type]
    changed = (LAYERS[0], LAYERS[1].model_copy(update={"strike_value": 0.2}), LAYERS[2])
    variant = ExpiryQuotes(DAY, market, changed)  # type: ignore[arg-type]
    got = [choose_hedge(DAY, market, x, COSTS, variant) for x in changed]  # type: ignore[arg-type]
    fresh = ListedMarket(DATA)
    assert got == [choose_hedge(DAY, fresh, x, COSTS) for x in changed]
    assert got[0] == stored[0] and got[2] == stored[2]
    assert got[1][0] is not None and stored[1][0] is not None
    assert got[1][0].legs != stored[1][0].legs  # the changed spec chose anew, not stale
