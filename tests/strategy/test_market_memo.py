"""Market-only decisions memoised per market object (`vixshield.strategy.memo`).

Reference: the same decision made on a *fresh* market object (no memo entry), and the
market calls a counting wrapper sees. A hit must equal the fresh decision and make no
market call; a changed layer spec, cost model, condor section, date or iv rank must
miss (quote again). The condor's size is the documented rule
``floor(risk_per_condor x equity / max_loss)`` (at least 1 with ``min_one``), applied
after the memo, so a sweep variant differing in sizing reads the candidate back.
"""

from __future__ import annotations

import gc
import math
import weakref
from typing import Any

import pandas as pd
import pytest
from strategy_fakes import ListedMarket, synthetic_data

from vixshield.backtest import Backtest
from vixshield.data.embedded import load_embedded
from vixshield.markets.costs import CostModel
from vixshield.markets.view import Markets
from vixshield.strategy import load_policy
from vixshield.strategy.condor import build_condor
from vixshield.strategy.hedge import ExpiryQuotes, choose_hedge
from vixshield.strategy.memo import MarketMemo

DATA = synthetic_data(120)
DAY = DATA.daily.index[100]
ALVH = load_policy("alvh-442")
LAYERS = ALVH.hedge.layers
COSTS = CostModel(spread_share=0.25)


class _Counted:
    """Counts the ``quote``, ``strikes`` and ``chain`` calls of the market it wraps."""

    def __init__(self, market: Any) -> None:
        self.market = market
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.market, name)
        if name not in ("quote", "strikes", "chain"):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return attr(*args, **kwargs)

        return counted


class _Unhashable:
    __hash__ = None  # type: ignore[assignment]


class _Key:
    pass


def test_memo_keeps_at_most_its_limit_oldest_dropped_first() -> None:
    memo: MarketMemo[int] = MarketMemo(2, "test-limit")
    market = _Key()
    for n in range(3):
        memo.put(market, n, n * 10)
    assert memo.size(market) == 2
    assert memo.get(market, 0) is None  # the oldest went first
    assert (memo.get(market, 1), memo.get(market, 2)) == (10, 20)
    with pytest.raises(ValueError, match="at least one entry"):
        MarketMemo(0, "test-zero")


def test_memo_holds_its_market_weakly_and_per_object() -> None:
    memo: MarketMemo[str] = MarketMemo(10, "test-weak")
    a, b = _Key(), _Key()
    memo.put(a, "k", "of a")
    assert memo.get(b, "k") is None  # another market object: its own table
    gone = weakref.ref(a)
    del a
    gc.collect()
    assert gone() is None  # the memo did not keep the market alive


def test_a_market_without_hash_is_served_without_memo() -> None:
    memo: MarketMemo[str] = MarketMemo(10, "test-unhashable")
    market = _Unhashable()
    memo.put(market, "k", "v")
    assert memo.get(market, "k") is None
    assert memo.size(market) == 0


def test_hedge_choice_hits_only_for_the_same_date_layer_and_cost_model() -> None:
    counted = _Counted(ListedMarket(DATA))
    layer = LAYERS[0]
    first = choose_hedge(DAY, counted, layer, COSTS)  # type: ignore[arg-type]
    assert first[0] is not None
    calls = counted.calls
    assert calls > 0
    again = choose_hedge(DAY, counted, layer.model_copy(), CostModel(spread_share=0.25))  # type: ignore[arg-type]
    assert counted.calls == calls  # an equal spec and cost model: read back
    assert again == first == choose_hedge(DAY, ListedMarket(DATA), layer, COSTS)

    variants: list[tuple[pd.Timestamp, Any, CostModel]] = [
        (DAY, layer.model_copy(update={"strike_value": 0.2}), COSTS),
        (DAY, layer, CostModel(spread_share=0.5)),
        (DATA.daily.index[101], layer, COSTS),
    ]
    for day, spec, costs in variants:
        before = counted.calls
        got = choose_hedge(day, counted, spec, costs)  # type: ignore[arg-type]
        assert counted.calls > before  # a miss quotes again
        assert got == choose_hedge(day, ListedMarket(DATA), spec, costs)
    wide = choose_hedge(DAY, counted, layer, CostModel(spread_share=0.5))[0]  # type: ignore[arg-type]
    assert wide is not None and first[0] is not None
    assert wide.fill > first[0].fill  # the fill moved with the cost model, not stale


def test_a_later_days_book_reads_every_layer_back_without_quoting() -> None:
    counted = _Counted(ListedMarket(DATA))
    book = ExpiryQuotes(DAY, counted, LAYERS)  # type: ignore[arg-type]
    made = [choose_hedge(DAY, counted, x, COSTS, book) for x in LAYERS]  # type: ignore[arg-type]
    calls = counted.calls
    other_variant = ExpiryQuotes(DAY, counted, tuple(x.model_copy() for x in LAYERS))  # type: ignore[arg-type]
    again = [choose_hedge(DAY, counted, x, COSTS, other_variant) for x in other_variant._layers]  # type: ignore[arg-type]
    assert counted.calls == calls
    fresh = ListedMarket(DATA)
    assert again == made == [choose_hedge(DAY, fresh, x, COSTS) for x in LAYERS]


def _sized(policy: Any, risk: float) -> Any:
    return policy.model_copy(
        update={"sizing": policy.sizing.model_copy(update={"risk_per_condor": risk})}
    )


def test_condor_candidate_is_read_back_and_sized_for_each_variant() -> None:
    counted = _Counted(ListedMarket(DATA))
    first, fired = build_condor(DAY, counted, ALVH, 0.5, 1.0, 1_000_000.0)  # type: ignore[arg-type]
    assert first is not None
    calls = counted.calls
    assert calls > 0
    small = _sized(ALVH, 0.01)
    got, got_fired = build_condor(DAY, counted, small, 0.5, 1.0, 500_000.0)  # type: ignore[arg-type]
    assert counted.calls == calls  # sizing and equity are not read before the size
    assert got is not None
    max_loss = first.analytics.max_loss
    assert got.analytics.max_loss == max_loss
    assert got.analytics.contracts == max(math.floor(0.01 * 500_000.0 / max_loss), 1)
    assert (got, got_fired) == build_condor(DAY, ListedMarket(DATA), small, 0.5, 1.0, 500_000.0)
    assert got_fired[:-1] == fired[:-1] and got_fired[-1].inputs["equity"] == 500_000.0


@pytest.mark.parametrize(
    ("policy", "iv_rank", "k_mult", "day"),
    [
        (ALVH.model_copy(update={"condor": ALVH.condor.model_copy(update={"dte_target": 40})}),
         0.5, 1.0, DAY),
        (ALVH.model_copy(update={"costs": ALVH.costs.model_copy(update={"spread_share": 0.5})}),
         0.5, 1.0, DAY),
        (ALVH, 0.9, 1.0, DAY),
        (ALVH, 0.5, 1.2, DAY),
        (ALVH, math.nan, 1.0, DAY),
        (ALVH, 0.5, 1.0, DATA.daily.index[101]),
    ],
    ids=["condor-spec", "costs", "iv-rank", "k-multiplier", "iv-rank-nan", "date"],
)  # fmt: skip
def test_condor_memo_misses_on_anything_it_reads(
    policy: Any, iv_rank: float, k_mult: float, day: pd.Timestamp
) -> None:
    counted = _Counted(ListedMarket(DATA))
    build_condor(DAY, counted, ALVH, 0.5, 1.0, 1_000_000.0)  # type: ignore[arg-type]
    before = counted.calls
    got = build_condor(day, counted, policy, iv_rank, k_mult, 1_000_000.0)  # type: ignore[arg-type]
    assert counted.calls > before
    assert got == build_condor(day, ListedMarket(DATA), policy, iv_rank, k_mult, 1_000_000.0)
    before = counted.calls
    assert build_condor(day, counted, policy, iv_rank, k_mult, 1_000_000.0) == got  # type: ignore[arg-type]
    assert counted.calls == before  # NaN iv rank hits itself too


def test_sweep_variants_on_one_market_equal_runs_on_fresh_markets() -> None:
    """Two sizing variants run one after the other on one market (a sweep in process)
    give the trades and equity each gives on a market of its own."""
    data = load_embedded()
    start, end = pd.Timestamp("2017-01-03"), pd.Timestamp("2017-06-30")
    shared = Markets(data)
    for risk in (0.02, 0.01):
        policy = _sized(ALVH, risk)
        a = Backtest(policy, shared, start=start, end=end).run()
        b = Backtest(policy, Markets(data), start=start, end=end).run()
        pd.testing.assert_frame_equal(a.trades, b.trades)
        pd.testing.assert_frame_equal(a.daily, b.daily)
        assert len(a.trades) > 0


def test_spec_keys_are_equal_for_equal_specs_and_tell_floats_apart() -> None:
    import pickle

    from vixshield.markets.costs import CostModel
    from vixshield.strategy.memo import spec_key
    from vixshield.strategy.policy import load_policy

    layer = load_policy("alvh-442").hedge.layers[0]
    twin = layer.model_copy()
    assert twin is not layer and spec_key(twin) == spec_key(layer)
    assert hash(spec_key(twin)) == hash(spec_key(layer))
    assert spec_key(layer.model_copy(update={"weight": 0.05})) != spec_key(layer)
    assert pickle.loads(pickle.dumps(spec_key(layer))) == spec_key(layer)
    costs = CostModel(commission_per_contract=0.65, fees_per_contract=0.0, spread_share=0.25)
    negative_zero = CostModel(
        commission_per_contract=0.65, fees_per_contract=-0.0, spread_share=0.25
    )
    assert costs == negative_zero  # equal as numbers ...
    assert spec_key(costs) != spec_key(negative_zero)  # ... told apart by the key (a miss, safe)
    assert spec_key(costs) != spec_key(layer)
