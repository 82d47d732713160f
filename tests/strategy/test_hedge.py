"""ALVH hedge: budgets by hand, layer rules, the credit-to-hedge cap per layer."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import strategy_fakes
from strategy_fakes import FakeMarket, hedge_mark, synthetic_data

from vixshield.markets.costs import CostModel
from vixshield.strategy import load_policy, parse_policy
from vixshield.strategy.hedge import (
    annual_budget,
    buy_cost,
    choose_hedge,
    target_premium,
)
from vixshield.strategy.marks import mark_positions
from vixshield.strategy.policy import HedgeLayer
from vixshield.strategy.types import Leg, Position

DATA = synthetic_data(120)
DAY = DATA.daily.index[100]
ALVH = load_policy("alvh-442")
SHORT, MEDIUM, LONG = ALVH.hedge.layers


def _condor(entry: float, contracts: int) -> Position:
    e = DAY + pd.Timedelta(days=50)
    legs = (
        Leg("SPX", "SPX", e, "AM", 3900.0, "P", 1),
        Leg("SPX", "SPX", e, "AM", 3950.0, "P", -1),
        Leg("SPX", "SPX", e, "AM", 4300.0, "C", -1),
        Leg("SPX", "SPX", e, "AM", 4330.0, "C", 1),
    )
    return Position("c1", "condor", legs, contracts, DAY, entry)


def test_annual_budget_by_basis() -> None:
    condors = [_condor(-2.0, 3)]
    assert annual_budget(SHORT, "equity", 1_000_000.0, condors, 52) == pytest.approx(40_000.0)
    # credit: 2.00 x 100 x 3 = 600 USD per 52-day cycle, annualised 600 x 365 / 52
    assert annual_budget(SHORT, "credit", 1e6, condors, 52) == pytest.approx(0.04 * 600 * 365 / 52)
    # max loss: (wider width 50 - credit 2) x 100 x 3 = 14,400
    assert annual_budget(SHORT, "max_loss", 1e6, condors, 52) == pytest.approx(0.04 * 14_400)


def test_target_premium_by_hand() -> None:
    # short layer 15-45 DTE: tenor 30 days; 40,000 x 30 / 365 x 1.5
    assert target_premium(40_000.0, SHORT, 1.5) == pytest.approx(40_000 * 30 / 365 * 1.5)
    assert target_premium(20_000.0, LONG, 1.0) == pytest.approx(20_000 * 210 / 365)


def test_choose_hedge_by_delta_and_pct() -> None:
    m = FakeMarket(DATA)
    c, rf = choose_hedge(DAY, m, MEDIUM, CostModel(spread_share=0.25))
    assert c is not None and rf.note == "selected"
    q = m.chain(DAY, "VIX", c.legs[0].expiry).quotes
    calls = q[q["right"] == "C"]
    best = calls.iloc[int(np.argmin(np.abs(calls["delta"].to_numpy() - 0.30)))]
    assert c.legs[0].strike == best["strike"] and c.legs[0].right == "C"
    assert 60 <= c.dte <= 120
    assert c.fill == pytest.approx(best["mid"] + 0.25 * (best["ask"] - best["bid"]))
    pct = HedgeLayer(
        name="p", dte_min=60, dte_max=120, weight=0.01, strike_rule="pct_otm", strike_value=20
    )
    c2, _ = choose_hedge(DAY, m, pct, CostModel(spread_share=0.25))
    assert c2 is not None
    fwd = float(q["forward"].iloc[0])
    assert abs(c2.legs[0].strike - fwd * 1.2) <= 0.5
    spread = HedgeLayer(
        name="s",
        instrument="vix_call_spread",
        dte_min=60,
        dte_max=120,
        weight=0.01,
        spread_width=10,
    )
    c3, _ = choose_hedge(DAY, m, spread, CostModel(spread_share=0.25))
    assert c3 is not None and [x.ratio for x in c3.legs] == [1, -1]
    assert c3.legs[1].strike - c3.legs[0].strike == 10.0
    put = HedgeLayer(
        name="p", instrument="spx_put", dte_min=20, dte_max=90, weight=0.01, strike_value=0.2
    )
    c4, _ = choose_hedge(DAY, m, put, CostModel(spread_share=0.25))
    assert c4 is not None and c4.legs[0].underlying == "SPX" and c4.legs[0].right == "P"


def _plan(policy, positions, marks, **kw):  # type: ignore[no-untyped-def]
    args = {
        "equity": 1_000_000.0,
        "multipliers": {x.name: 1.0 for x in policy.hedge.layers},
        "days_to_events": {"FOMC": 20.0, "CPI": 20.0, "PPI": 20.0, "GDP": 20.0},
        "monetised": frozenset(),
        "prepositioned": frozenset(),
        "date": DAY,
    }
    args.update(kw)
    return strategy_fakes.plan(FakeMarket(DATA), policy, positions, marks, **args)


def test_empty_book_buys_each_layer_to_target() -> None:
    plans = _plan(ALVH, [], {}, multipliers={"short": 2.0, "medium": 1.0, "long": 0.0})
    by = {p.layer: p for p in plans}
    m = FakeMarket(DATA)
    c, _ = choose_hedge(DAY, m, MEDIUM, CostModel(spread_share=0.25))
    assert c is not None
    target = 40_000 * 90 / 365
    assert by["medium"].orders[0].contracts == math.floor(target / (100 * c.fill))
    assert by["medium"].details["target_premium"] == pytest.approx(target)
    assert by["short"].details["target_premium"] == pytest.approx(40_000 * 30 / 365 * 2.0)
    assert by["long"].orders == () and by["long"].details["target_premium"] == 0.0
    assert all(
        o.action == "open" and o.kind == "hedge" and o.layer == p.layer
        for p in plans
        for o in p.orders
    )


def _held(
    layer: str, pid: str, expiry_days: int, strike: float, contracts: int, entry: float
) -> Position:
    e = DAY + pd.Timedelta(days=expiry_days)
    return Position(
        pid, f"hedge:{layer}", (Leg("VIX", "VIX", e, "AM", strike, "C", 1),), contracts, DAY, entry
    )


def test_roll_at_dte_floor_and_monetise_half_once() -> None:
    m = FakeMarket(DATA)
    # 5 days left < roll_dte 7; strike 15 on the fake VIX future ~15.7: bid 0.67 covers the
    # round-trip cost (2 x 1.25 + 100 x 0.10 = 12.5 USD) -> rolled
    old = _held("short", "h1", 5, 15.0, 10, 1.0)
    mark = mark_positions(DAY, m, [old])
    plans = _plan(ALVH, [old], mark)
    short = plans[0]
    assert short.orders[0].action == "close" and short.orders[0].reason == "roll: dte floor"
    assert short.orders[0].contracts == 10
    rich = _held("medium", "h2", 90, 15.0, 9, 0.0)
    value = mark_positions(DAY, m, [rich])["h2"].value
    rich = Position("h2", "hedge:medium", rich.legs, 9, DAY, value / 3.5)  # worth 3.5x cost
    marks = mark_positions(DAY, m, [rich])
    medium = _plan(ALVH, [rich], marks)[1]
    sell = [o for o in medium.orders if o.action == "close"]
    assert sell[0].contracts == 4 and sell[0].reason.startswith("monetise")  # floor(0.5 x 9)
    assert "h2" in medium.monetised
    again = _plan(ALVH, [rich], marks, monetised=frozenset({"h2"}))[1]
    assert not any(o.reason.startswith("monetise") for o in again.orders)


def test_event_prepositioning_scales_then_sells_back() -> None:
    steward = load_policy("steward")
    before = _plan(
        steward, [], {}, days_to_events={"FOMC": 20.0, "CPI": 2.0, "PPI": 9.0, "GDP": 5.0}
    )
    normal = _plan(steward, [], {})
    assert before[0].prepositioned and not normal[0].prepositioned
    assert before[0].details["target_premium"] == pytest.approx(
        1.5 * normal[0].details["target_premium"]
    )
    assert before[0].details["event_scale"] == 1.5
    # after the event: holding 1.5x the normal target, flagged as pre-positioned -> sell to target
    m = FakeMarket(DATA)
    c, _ = choose_hedge(DAY, m, steward.hedge.layers[0], CostModel(spread_share=0.25))
    assert c is not None
    n = math.floor(float(before[0].details["target_premium"]) / (100 * c.fill))
    # held longer than min_hold_days (10), so the sell-down may touch it
    pos = Position("h9", "hedge:short", c.legs, n, DAY - pd.Timedelta(days=12), c.fill)
    marks = mark_positions(DAY, m, [pos])
    after = _plan(steward, [pos], marks, prepositioned=frozenset({"short"}))[0]
    sold = sum(o.contracts for o in after.orders if o.reason == "event passed")
    held_after = (n - sold) * marks["h9"].value * 100
    assert sold > 0 and held_after <= normal[0].details["target_premium"] + 100 * marks["h9"].value
    assert not after.prepositioned


def test_temporal_theta_rolls_short_into_medium() -> None:
    p = ALVH
    s = replace(_held("short", "s1", 30, 20.0, 10, 1.0), opened=DAY - pd.Timedelta(days=10))
    md = _held("medium", "m1", 90, 20.0, 10, 1.0)
    # short: theta 0.04/day on value 0.5 over 30 days -> R = 0.04/0.5*30 = 2.4
    # medium: theta 0.01/day on value 1.0 over 90 days -> R = 0.9; richness 2.4/0.9 = 2.67 > 2
    marks = {
        "s1": hedge_mark(0.5, 0.3, 0.02, -0.04, 30),
        "m1": hedge_mark(1.0, 0.3, 0.04, -0.01, 90),
    }
    plans = _plan(p, [s, md], marks)
    short, medium = plans[0], plans[1]
    rule = next(
        f for f in short.audit if f.rule == "temporal_theta:short" and "richness" in f.inputs
    )
    assert rule.inputs["richness"] == pytest.approx((0.04 / 0.5 * 30) / (0.01 / 1.0 * 90))
    assert [o.reason for o in short.orders] == ["temporal theta: roll into medium"]
    assert short.moved_until == str((DAY + pd.Timedelta(days=15)).date())
    own_medium = 40_000 * 90 / 365
    moved_short = 40_000 * 30 / 365
    assert medium.details["target_premium"] == pytest.approx(own_medium + moved_short)
    # bought 9 days ago (< min_hold_days 10): the rule fires but the position is kept
    young = _plan(p, [replace(s, opened=DAY - pd.Timedelta(days=9)), md], marks)[0]
    assert young.moved_until is not None
    assert not any(o.action == "close" for o in young.orders)
    # calm decay: keep
    marks["s1"] = hedge_mark(0.5, 0.3, 0.02, -0.01, 30)
    assert _plan(p, [s, md], marks)[0].moved_until is None


def test_cap_splits_4_4_2_and_binds_each_layer() -> None:
    # remaining cap 3,000 USD: shares 0.4 / 0.4 / 0.2 of it -> 1,200 / 1,200 / 600 USD
    m = FakeMarket(DATA)
    plans = _plan(ALVH, [], {}, cap=3_000.0)
    for plan, layer, share in zip(plans, ALVH.hedge.layers, (0.4, 0.4, 0.2), strict=True):
        c, _ = choose_hedge(DAY, m, layer, CostModel(spread_share=0.25))
        assert c is not None
        each = 100 * c.fill + 1 * (0.65 + 0.60)  # fill x 100 + one leg's commission and fees
        assert buy_cost(c, ALVH.costs.model()) == pytest.approx(each)
        by_target = math.floor(float(plan.details["target_premium"]) / (100 * c.fill))
        n = min(by_target, math.floor(share * 3_000.0 / each))
        assert sum(o.contracts for o in plan.orders) == n
        assert plan.premium_paid == pytest.approx(n * each)
        assert plan.premium_paid <= share * 3_000.0
        assert plan.details["budget_share"] == pytest.approx(share)
    assert sum(p.premium_paid for p in plans) <= 3_000.0


def test_no_cap_no_buy_and_no_chain() -> None:
    m = FakeMarket(DATA)
    plans = strategy_fakes.plan(
        m, ALVH, [], {}, 1_000_000.0, {x.name: 1.0 for x in ALVH.hedge.layers}, cap=0.0, date=DAY
    )
    assert all(p.orders == () and p.premium_paid == 0.0 for p in plans)
    assert m.chain_calls == 0
    for p in plans:
        rule = next(a for a in p.audit if a.rule == f"credit_budget:{p.layer}")
        assert rule.text == "fail: no credit-to-hedge budget; not bought"


def test_uncapped_plan_buys_to_target() -> None:
    full = _plan(ALVH, [], {})
    capped = _plan(ALVH, [], {}, cap=1e12)
    assert [p.orders for p in full] == [p.orders for p in capped]


def test_no_hedge_policy_has_no_plans() -> None:
    assert _plan(load_policy("no-hedge"), [], {}) == []


def test_custom_layer_budget_basis_in_details() -> None:
    p = parse_policy('name="x"\n[hedge]\nbudget_basis="max_loss"\n')
    plans = _plan(p, [_condor(-2.0, 3)], {})
    assert {x.details["budget_basis"] for x in plans} == {"max_loss"}
    assert plans[0].details["annual_budget"] == pytest.approx(0.04 * 14_400)
