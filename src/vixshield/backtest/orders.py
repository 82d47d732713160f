"""Order execution: opening and closing positions at the modeled fill, and margin-call cuts.

Orders fill at the day's close through the one cost model
(`vixshield.markets.costs.CostModel`: the modeled fill plus commissions and fees per
contract per leg), the rule the strategy estimates its trades with. An opening order
is rejected (with a warning) when its Reg-T requirement would exceed equity less the
current requirement, or when its debit with costs exceeds idle cash (long options are
paid in full). A closing order for ``contracts <= 0`` or more than held closes it all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vixshield.backtest.portfolio import LegsMargin, OpenPosition
from vixshield.backtest.state import RunState
from vixshield.strategy.types import Order, Position

__all__ = ["close_position", "open_position", "reduce_for_margin"]


def open_position(run: RunState, t: pd.Timestamp, order: Order) -> None:
    """Execute an opening order at ``t``'s close, or reject it with a warning."""
    legs = tuple(order.legs)
    if not legs or order.contracts <= 0:
        run.warn("empty opening order ignored", t)
        return
    q = run.quote(t, legs)
    mid = q.mid
    if not np.isfinite(mid).all():
        run.warn(f"no quote for a leg of an opening {order.label} order: rejected", t)
        return
    ratios = np.array([lg.ratio for lg in legs], dtype=np.float64)
    qty = ratios * order.contracts
    fill = run.costs.fills(mid, q.bid, q.ask, qty)
    led = run.ledger
    margin_now = led.margin(run.spot)
    legs_margin = LegsMargin.of(legs)
    margin_new = legs_margin.margin(order.contracts, run.spot.get(legs[0].underlying, 0.0))
    if margin_new > led.equity - margin_now:
        run.warn(f"{order.label} opening rejected: margin would exceed equity", t)
        return
    cash_flow = run.costs.premium(fill, qty)
    commission, fees = run.costs.charges(qty)
    net = cash_flow - commission - fees
    if net < 0 and -net > led.cash - margin_now:
        run.warn(f"{order.label} opening rejected: debit exceeds idle cash (Reg-T)", t)
        return
    run.next_id += 1
    pid = f"P{run.next_id:06d}"
    pos = Position(
        pid,
        order.kind,
        legs,
        int(order.contracts),
        t,
        float(np.dot(ratios, fill)),
        {"reason": order.reason, "_contracts0": int(order.contracts)},
        layer=order.layer,
    )
    op = OpenPosition(pos, mid.copy(), q.iv, q.t_years, q.forward, legs_margin=legs_margin)
    led.open(op, cash_flow)
    led.charge(commission + fees, pid)
    run.trade_rows(
        t, pos, "open", order.contracts, mid, fill, q.origin, commission, fees, order.reason, 1.0
    )
    if order.kind == "condor":
        run.today_credit += cash_flow
        op.hedge_cost += run.pending_hedge_cost
        run.pending_hedge_cost = 0.0
    elif order.kind == "hedge" and cash_flow < 0:
        run.today_hedge += -cash_flow


def close_position(
    run: RunState, t: pd.Timestamp, pid: str | None, contracts: int, reason: str
) -> None:
    """Close ``contracts`` of position ``pid`` (all of it when ``contracts <= 0``) at the close."""
    led = run.ledger
    if pid is None or pid not in led.positions:
        run.warn(f"close order for unknown position {pid}: ignored", t)
        return
    op = led.positions[pid]
    k = min(int(contracts), op.position.contracts) if contracts > 0 else op.position.contracts
    q = run.quote(t, op.position.legs)
    mid = np.where(np.isfinite(q.mid), q.mid, op.mid)
    qty = -op.ratios * k
    fill = run.costs.fills(mid, q.bid, q.ask, qty)
    cash_flow = run.costs.premium(fill, qty)
    commission, fees = run.costs.charges(qty)
    run.trade_rows(t, op.position, "close", k, mid, fill, q.origin, commission, fees, reason, -1.0)
    led.charge(commission + fees, pid)
    op = led.close(pid, k, cash_flow)
    if pid not in led.positions:
        run.finish(op, t, reason)


def reduce_for_margin(run: RunState, t: pd.Timestamp) -> None:
    """Close condors, largest requirement first, until margin is within equity."""
    led = run.ledger
    spx = run.spot.get("SPX", 0.0)
    while led.equity < led.margin(run.spot):
        condors = [p for p in led.positions.values() if p.position.kind == "condor"]
        if not condors:
            break
        worst = max(condors, key=lambda p: p.margin(spx))
        close_position(run, t, worst.position.id, worst.position.contracts, "margin call")
