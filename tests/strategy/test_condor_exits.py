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
from vixshield.strategy.types import Leg, Position

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


def _reason(mid_to_close: float, spread: float) -> str:
    m = PositionMark(-mid_to_close, 0.0, 0.0, 0.0, 40, spread=spread)
    orders, audit = manage_condors([_condor(2.0)], {"c1": m}, ALVH)
    return orders[0].reason if orders else audit[0].outcome


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
    m = PositionMark(-0.95, 0.0, 0.0, 0.0, 40, spread=0.40)
    _, audit = manage_condors([_condor(2.0)], {"c1": m}, ALVH)
    assert audit[0].inputs["mid_to_close"] == pytest.approx(0.95)
    assert audit[0].inputs["cost_to_close"] == pytest.approx(1.10)
