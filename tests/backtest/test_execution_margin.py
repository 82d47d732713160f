"""Fills, costs, Reg-T margin and the shock repricing, against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.backtest.portfolio import payoff_at_expiry, reg_t_margin
from vixshield.backtest.shock import Shock, shocked_prices
from vixshield.markets.costs import CostModel
from vixshield.strategy.types import Leg

E = pd.Timestamp("2016-01-15")


def _leg(k: float, r: str, q: int, und: str = "SPX") -> Leg:
    return Leg(und, und, E, "AM", k, r, q)  # type: ignore[arg-type]


def test_fill_prices_pay_a_share_of_the_spread() -> None:
    # buy at mid + 0.25 x 1.0, sell at mid - 0.25 x 2.0, unknown spread -> mid
    costs = CostModel(spread_share=0.25)
    f = costs.fills([5.5, 10.0, 3.0], [5.0, 9.0, np.nan], [6.0, 11.0, np.nan], [2, -1, 1])
    np.testing.assert_allclose(f, [5.75, 9.5, 3.0])
    # never below zero (a worthless option sold at mid 0.05 with spread 0.1, share 1)
    assert CostModel(spread_share=1.0).fills([0.05], [0.0], [0.1], [-1])[0] == 0.0


def test_trade_costs_per_contract_per_leg() -> None:
    # 4 legs x 3 contracts = 12 contracts: 12 x 0.65 and 12 x 0.60
    c, f = CostModel(0.65, 0.60, 0.25).charges([3, -3, -3, 3])
    assert c == pytest.approx(7.8) and f == pytest.approx(7.2)


def test_trade_cash_by_hand() -> None:
    # buy 2 at mid 5.5 (spread 1.0) -> fill 5.75; sell 1 at mid 10 (spread 2) -> 9.5;
    # cash = -100 x (2 x 5.75 - 9.5) - 3 contracts x 1.25 = -200 - 3.75
    cash = CostModel(0.65, 0.60, 0.25).cash([5.5, 10.0], [5.0, 9.0], [6.0, 11.0], [2, -1])
    assert cash == pytest.approx(-203.75)


def test_condor_margin_is_widest_wing() -> None:
    legs = [_leg(1850, "P", 1), _leg(1900, "P", -1), _leg(2100, "C", -1), _leg(2175, "C", 1)]
    # put wing 50, call wing 75 -> 75 x 100 x 4 contracts
    assert reg_t_margin(legs, 4, 2000.0) == pytest.approx(30_000.0)


def test_long_options_need_no_margin() -> None:
    assert reg_t_margin([_leg(20, "C", 1, "VIX"), _leg(25, "C", 1, "VIX")], 10, 15.0) == 0.0


def test_naked_short_call_uses_twenty_percent_of_spot() -> None:
    # 1 uncovered call on SPX 2000: 20% x 2000 x 100 = 40,000 (no OTM reduction)
    assert reg_t_margin([_leg(2100, "C", -1)], 1, 2000.0) == pytest.approx(40_000.0)
    # a naked put: the max loss K x 100 (cash-secured)
    assert reg_t_margin([_leg(1900, "P", -1)], 1, 2000.0) == pytest.approx(190_000.0)


def test_payoff_hand_values() -> None:
    k = np.array([1850.0, 1900.0, 2100.0, 2150.0])
    call = np.array([False, False, True, True])
    q = np.array([1.0, -1.0, -1.0, 1.0])
    out = payoff_at_expiry(k, call, q, np.array([1800.0, 1875.0, 2000.0, 2125.0, 2500.0]))
    np.testing.assert_allclose(out, [-50.0, -25.0, 0.0, -25.0, -50.0])


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(10, 3000), st.booleans(), st.sampled_from([-2, -1, 1, 2])),
        min_size=1,
        max_size=5,
    ),
    st.floats(10, 3000),
)
def test_margin_covers_expiry_loss(legs: list[tuple[float, bool, int]], s: float) -> None:
    # the requirement is never below the expiry loss at the current underlying level
    lg = [_leg(k, "C" if c else "P", q) for k, c, q in legs]
    k = np.array([x[0] for x in legs])
    payoff = payoff_at_expiry(
        k,
        np.array([x[1] for x in legs]),
        np.array([x[2] for x in legs], dtype=float),
        np.array([s]),
    )[0]
    assert reg_t_margin(lg, 1, s) >= -payoff * 100 - 1e-6


def test_shock_raises_puts_and_vix_calls() -> None:
    is_vix = np.array([False, True])
    call = np.array([False, True])
    k = np.array([1900.0, 20.0])
    f = np.array([2000.0, 16.0])
    t = np.array([30 / 365, 30 / 365])
    iv = np.array([0.15, 0.8])
    mid = np.array([10.0, 1.0])
    base = shocked_prices(is_vix, call, k, f, t, iv, mid, Shock(0.0, 1.0, 0.5))
    hit = shocked_prices(is_vix, call, k, f, t, iv, mid, Shock())
    assert hit[0] > base[0] and hit[1] > base[1]
    # SPX after -10%: F = 1800 < K = 1900 -> the put is worth at least its intrinsic 100
    assert hit[0] >= 100.0
    # VIX forward 16 x 1.5 = 24 with K 20: worth at least 4
    assert hit[1] >= 4.0
    # unknown inputs keep the last mark
    nan = np.array([np.nan, np.nan])
    np.testing.assert_allclose(shocked_prices(is_vix, call, k, f, t, nan, mid, Shock()), mid)
