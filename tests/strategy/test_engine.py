"""decide: orders and reasons, management rules, laziness, causality, state."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategy_fakes import FakeMarket, synthetic_data

from vixshield.data.market import MarketData
from vixshield.errors import UserError
from vixshield.strategy import (
    AccountState,
    Decision,
    Policy,
    Position,
    StrategyState,
    compute_indicators,
    decide,
    load_policy,
)
from vixshield.strategy.marks import mark_positions

ACCOUNT = AccountState(equity=1_000_000.0, cash=1_000_000.0, margin=0.0)


def _normal_day(ind: pd.DataFrame, start: int = 150) -> pd.Timestamp:
    """A day whose regime allows entries and with a monthly expiry 45-60 days out."""
    for d in ind.index[start:]:
        tf = [
            pd.Timestamp(
                year=d.year + (d.month + m - 1) // 12, month=(d.month + m - 1) % 12 + 1, day=15
            )
            for m in (1, 2, 3)
        ]
        if ind.loc[d, "regime"] in ("calm", "normal") and any(45 <= (x - d).days <= 55 for x in tf):
            return d
    raise AssertionError("no suitable day")


def _open(dec: Decision, market: FakeMarket, start: int = 0) -> list[Position]:
    out = []
    for i, o in enumerate(o for o in dec.orders if o.action == "open"):
        q = market.quote(
            dec.date,
            o.legs[0].underlying,
            [x.expiry for x in o.legs],
            np.array([x.strike for x in o.legs]),
            [x.right for x in o.legs],
        )
        price = float(sum(x.ratio * q.mid[j] for j, x in enumerate(o.legs)))
        out.append(
            Position(f"p{start + i}", o.kind, o.legs, o.contracts, dec.date, price, layer=o.layer)
        )
    return out


def test_entry_day_opens_a_condor_and_hedges(
    data: MarketData, alvh: Policy, indicators: pd.DataFrame
) -> None:
    market = FakeMarket(data, weeklies=True)
    day = _normal_day(indicators)
    dec = decide(day, market, [], ACCOUNT, alvh, None, indicators)
    kinds = [o.label for o in dec.orders]
    assert "condor" in kinds
    condor = next(o for o in dec.orders if o.kind == "condor")
    assert [x.ratio for x in condor.legs] == [1, -1, -1, 1] and condor.contracts > 0
    assert {k for k in kinds if k.startswith("hedge:")} <= {
        "hedge:short",
        "hedge:medium",
        "hedge:long",
    }
    assert dec.regime == indicators.loc[day, "regime"]
    json.dumps(dec.details, allow_nan=False)
    assert dec.details["condor"]["entered"] is True
    assert dec.details["budget_basis"] == "equity"
    rules = [a.rule for a in dec.audit]
    for r in ("regime", "credit_to_hedge", "entry_schedule", "min_credit", "event_distance"):
        assert r in rules
    assert isinstance(dec.state, StrategyState) and len(dec.state.cycles) == 1


def test_quiet_day_builds_no_chain(data: MarketData, indicators: pd.DataFrame) -> None:
    policy = load_policy("no-hedge")
    market = FakeMarket(data, weeklies=True)
    day = _normal_day(indicators)
    first = decide(day, market, [], ACCOUNT, policy, None, indicators)
    positions = _open(first, market)
    nxt = indicators.index[indicators.index.get_loc(day) + 1]
    market.chain_calls = 0
    dec = decide(nxt, market, positions, ACCOUNT, policy, first.state, indicators)
    assert market.chain_calls == 0
    assert not any(o.action == "open" for o in dec.orders)
    sched = next(a for a in dec.audit if a.rule == "entry_schedule")
    assert sched.text == "fail: not due" and sched.inputs["trading_days_since_entry"] == 1.0


def test_schedule_every_n_days_and_ladder_cap(data: MarketData, indicators: pd.DataFrame) -> None:
    policy = load_policy("no-hedge")
    market = FakeMarket(data, weeklies=True)
    day = _normal_day(indicators)
    first = decide(day, market, [], ACCOUNT, policy, None, indicators)
    positions = _open(first, market)
    i = indicators.index.get_loc(day)
    due = indicators.index[i + 5]
    dec = decide(due, market, positions, ACCOUNT, policy, first.state, indicators)
    assert next(a for a in dec.audit if a.rule == "entry_schedule").text in (
        "pass: due",
        "fail: ladder full",
    )
    full = [replace(positions[0], id=f"c{k}") for k in range(6)]
    dec = decide(due, market, full, ACCOUNT, policy, first.state, indicators)
    assert next(a for a in dec.audit if a.rule == "entry_schedule").text == "fail: ladder full"


@pytest.mark.parametrize(
    ("scale", "reason"),
    [(0.4, "take profit"), (3.5, "stop"), (1.0, None)],
)
def test_condor_management(
    data: MarketData, indicators: pd.DataFrame, scale: float, reason: str | None
) -> None:
    policy = load_policy("no-hedge")
    market = FakeMarket(data, weeklies=True)
    day = _normal_day(indicators)
    first = decide(day, market, [], ACCOUNT, policy, None, indicators)
    pos = _open(first, market)[0]
    nxt = indicators.index[indicators.index.get_loc(day) + 1]
    cost = -mark_positions(nxt, market, [pos])[pos.id].value
    # credit c with cost x: take profit when x <= 0.5 c; stop when x - c >= 2 c
    credit = cost / scale
    held = replace(pos, entry_price=-credit)
    dec = decide(nxt, market, [held], ACCOUNT, policy, first.state, indicators)
    closes = [o for o in dec.orders if o.action == "close"]
    if reason is None:
        assert closes == []
    else:
        assert len(closes) == 1 and closes[0].reason.startswith(reason)
        assert closes[0].position_id == pos.id and closes[0].contracts == pos.contracts


def test_dte_exit(data: MarketData, indicators: pd.DataFrame) -> None:
    policy = load_policy("no-hedge")
    market = FakeMarket(data, weeklies=True)
    day = _normal_day(indicators)
    pos = _open(decide(day, market, [], ACCOUNT, policy, None, indicators), market)[0]
    expiry = pos.legs[0].expiry
    late = indicators.index[
        (indicators.index > expiry - pd.Timedelta(days=20)) & (indicators.index < expiry)
    ][0]
    cost = -mark_positions(late, market, [pos])[pos.id].value
    held = replace(pos, entry_price=-cost)  # neither profit nor stop
    dec = decide(late, market, [held], ACCOUNT, policy, None, indicators)
    assert [o.reason for o in dec.orders if o.action == "close"] == ["dte exit (21 days)"]


def test_stressed_regime_blocks_entries() -> None:
    data = synthetic_data(120, vix_level=45.0)
    policy = load_policy("no-hedge")
    ind = compute_indicators(data, policy)
    day = ind.index[100]
    assert ind.loc[day, "regime"] == "stressed"
    market = FakeMarket(data, weeklies=True)
    dec = decide(day, market, [], ACCOUNT, policy, None, ind)
    assert not any(o.kind == "condor" for o in dec.orders)
    assert any(a.rule == "regime_permission" and a.text == "fail: block" for a in dec.audit)
    assert market.chain_calls == 0


def test_missing_inputs_are_reported() -> None:
    data = synthetic_data(120, with_breadth=False, with_vvix=False)
    policy = load_policy("no-hedge")
    dec = decide(data.daily.index[100], FakeMarket(data), [], ACCOUNT, policy)
    assert dec.regime_inputs["vvix_rsi"] == "missing"
    assert dec.regime_inputs["ad_divergence"] == "missing"
    assert dec.regime_inputs["vrp"] == "missing"  # under 252 returns: no GARCH forecast yet


def test_no_data_before_date_is_a_user_error(data: MarketData, indicators: pd.DataFrame) -> None:
    with pytest.raises(UserError):
        decide(
            pd.Timestamp("1990-01-02"),
            FakeMarket(data),
            [],
            ACCOUNT,
            load_policy("no-hedge"),
            None,
            indicators,
        )


def _alter_after(data: MarketData, t: pd.Timestamp) -> MarketData:
    daily = data.daily.copy()
    after = daily.index > t
    daily.loc[after, "spx_close"] *= 0.6
    daily.loc[after, "vix"] += 30.0
    daily.loc[after, "vix3m"] -= 5.0
    daily.loc[after, "vvix"] = 170.0
    return replace(data, daily=daily)


@pytest.mark.parametrize("pos", [120, 180, 290])
def test_decision_is_causal(data: MarketData, alvh: Policy, pos: int) -> None:
    t = data.daily.index[pos]
    base = decide(
        t, FakeMarket(data, weeklies=True), [], ACCOUNT, alvh, None, compute_indicators(data, alvh)
    )
    alt_data = _alter_after(data, t)
    alt = decide(
        t,
        FakeMarket(alt_data, weeklies=True),
        [],
        ACCOUNT,
        alvh,
        None,
        compute_indicators(alt_data, alvh),
    )
    lazy = decide(
        t, FakeMarket(data, weeklies=True), [], ACCOUNT, alvh
    )  # recomputes from data.until(t)
    for other in (alt, lazy):
        assert other.orders == base.orders
        assert other.regime == base.regime
        assert other.regime_inputs == base.regime_inputs
        assert other.details == base.details
        assert other.audit == base.audit


def test_state_is_not_mutated(data: MarketData, alvh: Policy, indicators: pd.DataFrame) -> None:
    st = StrategyState(cycles=(("2021-01-04", 1000.0),))
    day = _normal_day(indicators)
    dec = decide(day, FakeMarket(data, weeklies=True), [], ACCOUNT, alvh, st, indicators)
    assert st.cycles == (("2021-01-04", 1000.0),)
    assert dec.state is not st


def _hedge_paid(dec: Decision) -> float:
    """Premium of the decision's hedge buys at the modeled fill plus costs (USD)."""
    return sum(float(h["premium_paid"]) for h in dec.details["hedge"])  # type: ignore[union-attr]


def test_first_condor_hedged_on_its_entry_day_within_its_credit(
    data: MarketData, alvh: Policy, indicators: pd.DataFrame
) -> None:
    # no cycle before: the condor's credit is recorded first, then the layers buy within
    # credit / 3, and the condor order comes before the hedge orders
    day = _normal_day(indicators)
    dec = decide(day, FakeMarket(data, weeklies=True), [], ACCOUNT, alvh, None, indicators)
    assert dec.orders[0].kind == "condor"
    st = dec.state
    assert isinstance(st, StrategyState) and len(st.cycles) == 1
    credit = st.cycles[0][1]
    rule = next(a for a in dec.audit if a.rule == "credit_to_hedge")
    assert rule.inputs["credit"] == pytest.approx(credit)
    assert rule.inputs["cap"] == pytest.approx(credit / 3.0)
    paid = _hedge_paid(dec)
    assert 0.0 <= paid <= credit / 3.0
    assert sum(f for _, f in st.hedge_paid) == pytest.approx(paid)
    assert dec.details["hedge_budget"]["paid"] == pytest.approx(paid)  # type: ignore[index]


def test_no_cycle_no_hedge_buys_with_the_reason(
    data: MarketData, alvh: Policy, indicators: pd.DataFrame
) -> None:
    day = _normal_day(indicators)
    nxt = indicators.index[indicators.index.get_loc(day) + 1]  # no entry due? no cycle yet
    st = StrategyState(cycles=(), hedge_paid=())
    # a state whose last entry was yesterday: no entry today, and no cycle in the window
    yesterday = StrategyState(cycles=((str(day.date()), 0.0),))
    dec = decide(nxt, FakeMarket(data, weeklies=True), [], ACCOUNT, alvh, yesterday, indicators)
    assert not any(o.action == "open" for o in dec.orders)
    rule = next(a for a in dec.audit if a.rule == "credit_to_hedge")
    assert rule.note == "cap 0: no condor credit in the window, no hedge buys"
    assert any(a.text == "fail: no credit-to-hedge budget; not bought" for a in dec.audit)
    none = decide(nxt, FakeMarket(data, weeklies=True), [], ACCOUNT, alvh, st, indicators)
    first = next(a for a in none.audit if a.rule == "credit_to_hedge")
    if not any(o.kind == "condor" for o in none.orders):
        assert first.note == "cap 0: no condor cycle yet, no hedge buys"
        assert not any(o.action == "open" for o in none.orders)


def test_unfilled_condor_cycle_is_dropped_at_the_next_close(
    data: MarketData, alvh: Policy, indicators: pd.DataFrame
) -> None:
    market = FakeMarket(data, weeklies=True)
    day = _normal_day(indicators)
    first = decide(day, market, [], ACCOUNT, alvh, None, indicators)
    assert isinstance(first.state, StrategyState) and first.state.pending == str(day.date())
    nxt = indicators.index[indicators.index.get_loc(day) + 1]
    rejected = decide(nxt, market, [], ACCOUNT, alvh, first.state, indicators)
    assert isinstance(rejected.state, StrategyState)
    # the rejected cycle is gone (with no condor then, a new one is due today)
    assert str(day.date()) not in [d for d, _ in rejected.state.cycles]
    filled = decide(nxt, market, _open(first, market), ACCOUNT, alvh, first.state, indicators)
    assert isinstance(filled.state, StrategyState)
    assert filled.state.cycles == first.state.cycles and filled.state.pending is None


SMALL = synthetic_data(150, seed=3)


@settings(max_examples=8, deadline=None)
@given(
    pos=st.integers(min_value=60, max_value=140),
    shock=st.floats(min_value=-0.5, max_value=2.0),
    vix_add=st.floats(min_value=-5.0, max_value=60.0),
)
def test_property_decision_ignores_data_after_t(pos: int, shock: float, vix_add: float) -> None:
    policy = load_policy("alvh-442")
    t = SMALL.daily.index[pos]
    daily = SMALL.daily.copy()
    after = daily.index > t
    daily.loc[after, "spx_close"] *= 1.0 + shock
    daily.loc[after, "vix"] += vix_add
    daily.loc[after, "declines"] = 3000.0
    altered = replace(SMALL, daily=daily)
    a = decide(
        t,
        FakeMarket(SMALL, weeklies=True),
        [],
        ACCOUNT,
        policy,
        None,
        compute_indicators(SMALL, policy),
    )
    b = decide(
        t,
        FakeMarket(altered, weeklies=True),
        [],
        ACCOUNT,
        policy,
        None,
        compute_indicators(altered, policy),
    )
    assert (a.orders, a.regime, a.audit, a.details) == (b.orders, b.regime, b.audit, b.details)
