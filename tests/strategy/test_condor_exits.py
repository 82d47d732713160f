"""Condor exits judged on the real cost to close (fill and costs), by hand.

alvh-442: take profit 50%, stop 2x credit, spread_share 0.25, commission 0.65 +
fees 0.60 USD per contract and leg (4 legs -> 5 USD = 0.05 points per condor).
"""

from __future__ import annotations

import pandas as pd
import pytest

from vixshield.strategy import load_policy
from vixshield.strategy.engine import manage_condors
from vixshield.strategy.marks import PositionMark
from vixshield.strategy.types import Leg, Order, Position, RuleFired

ALVH = load_policy("alvh-442")
DAY = pd.Timestamp("2024-03-01")


def _condor(credit: float) -> Position:
    e = DAY + pd.Timedelta(days=40)
    legs = (
        Leg("SPX", "SPX", e, "AM", 4800.0, "P", 1),
        Leg("SPX", "SPX", e, "AM", 4850.0, "P", -1),
        Leg("SPX", "SPX", e, "AM", 5300.0, "C", -1),
        Leg("SPX", "SPX", e, "AM", 5350.0, "C", 1),
    )
    return Position("c1", "condor", legs, 4, DAY - pd.Timedelta(days=10), -credit)


def _mark(mid_to_close: float, spread: float, wing_mid: float = 0.5) -> PositionMark:
    """A mark whose legs (lp, sp, sc, lc) cost ``mid_to_close`` at mid to buy back, each
    quoted ``spread / 4`` wide: long wings at ``wing_mid``, the rest on the short legs."""
    w = spread / 4.0
    short = (mid_to_close + 2.0 * wing_mid) / 2.0
    legs = tuple((m, m - w / 2.0, m + w / 2.0) for m in (wing_mid, short, short, wing_mid))
    return PositionMark(-mid_to_close, 0.0, 0.0, 0.0, 40, spread=spread, legs=legs)


def _manage(m: PositionMark) -> tuple[list[Order], list[RuleFired]]:
    return manage_condors([_condor(2.0)], {"c1": m}, ALVH.management, ALVH.costs.model())


def _reason(mid_to_close: float, spread: float) -> str:
    orders, audit = _manage(_mark(mid_to_close, spread))
    return orders[0].reason if orders else audit[0].note


def test_take_profit_needs_the_buy_back_fill_not_the_mid() -> None:
    # credit 2.00: take profit when the cost to close <= 1.00 point.
    # mid 0.95, widths summing 0.40: cost = 0.95 + 0.25 x 0.40 + 0.05 = 1.10 -> hold
    assert _reason(0.95, 0.40) == "hold"
    # mid 0.84: cost = 0.84 + 0.10 + 0.05 = 0.99 -> take profit
    assert _reason(0.84, 0.40).startswith("take profit")


def test_stop_counts_the_cost_of_getting_out() -> None:
    # stop when cost - credit >= 2 x 2.00, i.e. cost >= 6.00.
    # mid 5.90, widths 0.60: cost = 5.90 + 0.15 + 0.05 = 6.10 -> stop (at mid it would hold)
    assert _reason(5.90, 0.60).startswith("stop")
    assert _reason(5.70, 0.60) == "hold"  # 5.70 + 0.15 + 0.05 = 5.90 < 6.00


def test_audit_records_mid_and_cost_to_close() -> None:
    _, audit = _manage(_mark(0.95, 0.40))
    assert audit[0].inputs["mid_to_close"] == pytest.approx(0.95)
    assert audit[0].inputs["cost_to_close"] == pytest.approx(1.10)


def test_a_worthless_wing_sells_for_nothing_not_less() -> None:
    # long wings at mid 0.01, quoted 0.10 wide: their sell fill 0.01 - 0.25 x 0.10 < 0
    # is floored at 0 (the execution layer's rule). Buy back the shorts at mid 0.51 +
    # 0.025 each, sell the wings at 0: cost = 2 x 0.535 + 0.05 = 1.12 points.
    _, audit = _manage(_mark(1.00, 0.40, wing_mid=0.01))
    assert audit[0].inputs["cost_to_close"] == pytest.approx(2 * 0.535 + 0.05)
    # without the floor it would be 1.00 + 0.10 + 0.05 = 1.15
