"""The credit-to-hedge budget cap: hand-computed windows, ageing out, no mark-to-market,
and a Hypothesis property over random cycles and buys.

Every expected number is worked out by hand from the seed rule (credit over hedge
premium paid >= 3 over the last 3 condor cycles) and the module docstring of
`vixshield.strategy.state`.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategy_fakes import FakeMarket

from vixshield.data.market import MarketData
from vixshield.errors import PolicyError
from vixshield.markets.costs import CostModel
from vixshield.strategy import (
    AccountState,
    Policy,
    Position,
    StrategyState,
    decide,
    parse_policy,
)
from vixshield.strategy.hedge import capped_contracts, choose_hedge
from vixshield.strategy.state import credit_budget

ACCOUNT = AccountState(equity=1_000_000.0, cash=1_000_000.0, margin=0.0)


def _spend(s: StrategyState, day: str, usd: float) -> StrategyState:
    return s.record(pd.Timestamp(day), usd, 0.0, frozenset(), frozenset())


def test_three_cycles_of_3000_allow_3000_of_premium() -> None:
    # entries of 3,000 USD on three Tuesdays; each day the layers spend what is left
    s = StrategyState().add_cycle("2024-01-02", 3000.0, 3)
    b, rule = credit_budget(s, 3, 3.0)
    assert (b.credit, b.cap, b.paid, b.remaining) == (3000.0, 1000.0, 0.0, 1000.0)
    assert rule.outcome == "pass" and rule.note == "cap: 1000 USD left"
    s = _spend(s, "2024-01-02", 1000.0)  # the first condor's hedge, on its entry day
    assert credit_budget(s, 3, 3.0)[0].remaining == 0.0
    s = s.add_cycle("2024-01-09", 3000.0, 3)
    # suffixes: from 01-02: 6000/3 - 1000 = 1000; from 01-09: 3000/3 - 0 = 1000
    assert credit_budget(s, 3, 3.0)[0].remaining == pytest.approx(1000.0)
    s = _spend(s, "2024-01-10", 1000.0)
    s = s.add_cycle("2024-01-16", 3000.0, 3)
    b, _ = credit_budget(s, 3, 3.0)
    # from 01-02: 3000 - 2000; from 01-09: 2000 - 1000; from 01-16: 1000 - 0 -> 1000
    assert (b.credit, b.cap, b.paid, b.remaining) == (9000.0, 3000.0, 2000.0, 1000.0)
    s = _spend(s, "2024-01-16", 1000.0)
    b, rule = credit_budget(s, 3, 3.0)
    assert b.paid == 3000.0 and b.remaining == 0.0  # 3 x 3,000 credit: 3,000 of premium
    assert rule.outcome == "warn" and rule.note == "cap reached: no hedge buys"


def test_unspent_budget_of_older_cycles_does_not_pile_up() -> None:
    # nothing bought for two cycles: on the third entry day only the latest cycle's
    # credit / 3 may be spent, since the older cycles age out of the windows to come
    s = StrategyState()
    for d in ("2024-01-02", "2024-01-09", "2024-01-16"):
        s = s.add_cycle(d, 3000.0, 3)
    b, rule = credit_budget(s, 3, 3.0)
    assert b.cap - b.paid == 3000.0 and b.remaining == pytest.approx(1000.0)
    assert b.binding_start == "2024-01-16" and rule.inputs["binding_start"] == "2024-01-16"


def test_a_fourth_cycle_ages_the_first_out() -> None:
    s = StrategyState()
    s = _spend(s.add_cycle("2024-01-02", 3000.0, 3), "2024-01-03", 1000.0)
    s = _spend(s.add_cycle("2024-01-09", 3000.0, 3), "2024-01-10", 500.0)
    s = s.add_cycle("2024-01-16", 3000.0, 3)
    # from 01-02: 3000 - 1500; from 01-09: 2000 - 500; from 01-16: 1000 -> 1000
    assert credit_budget(s, 3, 3.0)[0].remaining == pytest.approx(1000.0)
    s4 = s.add_cycle("2024-01-23", 1500.0, 3)
    b, rule = credit_budget(s4, 3, 3.0)
    # window from 2024-01-09: credit 3000 + 3000 + 1500 = 7500, cap 2500; the 1,000 paid on
    # 2024-01-03 left with the first cycle, the 500 of 2024-01-10 stays. Suffixes: from
    # 01-09: 2500 - 500 = 2000; from 01-16: 1500; from 01-23: 500 -> 500
    assert b.window_start == "2024-01-09" and b.credit == 7500.0
    assert b.cap == 2500.0 and b.paid == 500.0 and b.remaining == pytest.approx(500.0)
    assert [d for d, _ in s4.cycles] == ["2024-01-09", "2024-01-16", "2024-01-23"]
    assert [d for d, _ in s4.hedge_paid] == ["2024-01-10"]  # pruned with the cycle
    assert rule.inputs["window_start"] == "2024-01-09"
    assert s.cycles[0] == ("2024-01-02", 3000.0)  # the old state is not mutated


def test_sales_and_gains_do_not_raise_the_cap() -> None:
    s = _spend(StrategyState().add_cycle("2024-01-02", 3000.0, 3), "2024-01-02", 800.0)
    before, _ = credit_budget(s, 3, 3.0)
    # the hedges spike and a sale brings 50,000: realised P&L is reported, the cap is not
    # moved (premium paid is never given back)
    s2 = s.record(pd.Timestamp("2024-01-05"), 0.0, 50_000.0, frozenset(), frozenset())
    after, rule = credit_budget(s2, 3, 3.0)
    assert after.remaining == before.remaining == pytest.approx(200.0)
    assert rule.inputs["hedge_proceeds"] == 50_000.0
    assert rule.inputs["realised_net_hedge_pnl"] == pytest.approx(50_000.0 - 800.0)


def test_no_cycle_or_no_credit_means_cap_zero() -> None:
    b, rule = credit_budget(StrategyState(), 3, 3.0)
    assert b.remaining == 0.0 and rule.note == "cap 0: no condor cycle yet, no hedge buys"
    assert math.isnan(b.ratio)
    b, rule = credit_budget(StrategyState().add_cycle("2024-01-02", -10.0, 3), 3, 3.0)
    assert b.remaining == 0.0 and rule.note.startswith("cap 0: no condor credit")
    b, _ = credit_budget(StrategyState(), 3, 0.0)  # ratio 0 turns the cap off
    assert b.remaining == math.inf


def test_flows_before_the_first_cycle_are_not_kept() -> None:
    s = StrategyState().record(pd.Timestamp("2024-01-01"), 100.0, 0.0, frozenset(), frozenset())
    assert s.hedge_paid == ()


def test_capped_contracts_by_hand() -> None:
    # share 600 USD, 251.25 USD a contract (fill 2.50 + 1.25 costs): 2 contracts (502.50)
    assert capped_contracts(10, 600.0, 251.25) == 2
    assert capped_contracts(1, 600.0, 251.25) == 1  # the target binds
    assert capped_contracts(10, 0.0, 251.25) == 0
    assert capped_contracts(10, math.inf, 251.25) == 10
    assert capped_contracts(-3, 600.0, 251.25) == 0


def test_a_hedge_spike_in_decide_leaves_the_cap(
    data: MarketData, alvh: Policy, indicators: pd.DataFrame
) -> None:
    # one cycle of 6,000 USD credit today - 2 days; 1,000 paid: cap 2,000, 1,000 left. A
    # held VIX call bought at 0.01 is now worth far more (a spike): the cap does not move.
    market = FakeMarket(data, weeklies=True)
    day = indicators.index[200]
    entry = indicators.index[198]
    st = StrategyState(
        cycles=((str(entry.date()), 6000.0),), hedge_paid=((str(entry.date()), 1000.0),)
    )
    choice, _ = choose_hedge(day, market, alvh.hedge.layers[1], CostModel(spread_share=0.25))
    assert choice is not None
    held = Position("h1", "hedge:medium", choice.legs, 5, entry, 0.01)
    for positions in ([], [held]):
        dec = decide(day, market, positions, ACCOUNT, alvh, st, indicators)
        rule = next(a for a in dec.audit if a.rule == "credit_to_hedge")
        assert rule.inputs["cap"] == pytest.approx(2000.0)
        if not any(o.kind == "condor" for o in dec.orders):
            assert rule.inputs["remaining"] == pytest.approx(1000.0)
        paid = sum(float(h["premium_paid"]) for h in dec.details["hedge"])  # type: ignore[union-attr]
        assert paid <= float(rule.inputs["remaining"]) + 1e-9


_CYCLE = st.one_of(st.none(), st.floats(min_value=0.0, max_value=10_000.0))
_LAYER_DAY = st.tuples(
    st.integers(min_value=0, max_value=40),  # contracts wanted by the target
    st.floats(min_value=20.0, max_value=3_000.0),  # USD per contract with costs
)


@settings(max_examples=200, deadline=None)
@given(
    days=st.lists(st.tuples(_CYCLE, st.lists(_LAYER_DAY, min_size=3, max_size=3)), max_size=80),
    window=st.integers(min_value=1, max_value=4),
    ratio=st.floats(min_value=0.5, max_value=6.0),
)
def test_property_premium_over_any_n_cycles_within_credit_over_ratio(
    days: list[tuple[float | None, list[tuple[int, float]]]], window: int, ratio: float
) -> None:
    weights = (0.04, 0.04, 0.02)  # the 4/4/2 split
    s = StrategyState()
    dates = pd.bdate_range("2020-01-01", periods=max(len(days), 1))
    entries: list[tuple[pd.Timestamp, float]] = []
    paid_by_day: list[tuple[pd.Timestamp, float]] = []
    for t, (credit, layers) in zip(dates, days, strict=False):
        if credit is not None:
            s = s.add_cycle(t, credit, window)
            entries.append((t, credit))
        b, _ = credit_budget(s, window, ratio)
        paid = 0.0
        for w, (wanted, each) in zip(weights, layers, strict=True):
            n = capped_contracts(wanted, w / sum(weights) * b.remaining, each)
            paid += n * each
        assert paid <= b.remaining * (1 + 1e-12) + 1e-9
        s = s.record(t, paid, 0.0, frozenset(), frozenset())
        paid_by_day.append((t, paid))
    first = entries[0][0] if entries else pd.Timestamp.max
    assert sum(p for t, p in paid_by_day if t < first) == 0.0
    for i in range(len(entries) - window + 1):
        lo = entries[i][0]
        hi = entries[i + window][0] if i + window < len(entries) else pd.Timestamp.max
        spent = sum(p for t, p in paid_by_day if lo <= t < hi)
        credit = sum(c for _, c in entries[i : i + window])
        assert spent <= credit / ratio * (1 + 1e-9) + 1e-6


def test_the_old_ratio_action_is_refused_with_the_reason() -> None:
    with pytest.raises(PolicyError, match="credit_to_hedge_action is removed"):
        parse_policy('name="x"\n[hedge]\ncredit_to_hedge_action="shrink"\n')
