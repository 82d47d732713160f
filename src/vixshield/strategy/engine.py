"""`decide`: one close in, one `Decision` out.

A pure function of (date, market data known at the date, positions, account,
policy, previous state). Order of work at each close:

0. the state's pending cycle is dropped if its condor order was not filled
   (`StrategyState.reconcile`);
1. the regime and its inputs from the indicator row of ``date``;
2. mark the open positions (one quote call per underlying);
3. condor management: take profit, stop, DTE exit;
4. a new condor when one is due (every ``entry.every_n_days`` trading days,
   under the ladder cap) and every entry filter passes; its net credit at the
   modeled fill is recorded as a new cycle at once;
5. the credit-to-hedge budget cap over the last ``hedge.credit_to_hedge_window``
   cycles, including today's (`vixshield.strategy.state.credit_budget`): so the
   hedge of the first condor is bought on its entry day, after its credit is known,
   and with no cycle yet nothing is bought;
6. the hedge layers (targets from the regime multipliers, rolls, monetising,
   event pre-positioning), each buying at most its weight's share of the
   remaining cap; the premium of their buys (fill estimate plus costs) is
   recorded in the state at once. The condor order comes before the hedge
   orders. Chains are only built on entry days or when a hedge layer must buy.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from vixshield.errors import UserError
from vixshield.markets.types import MarketView
from vixshield.strategy.condor import MULTIPLIER, build_condor, entry_filters, event_filter
from vixshield.strategy.hedge import plan_hedges
from vixshield.strategy.indicators import EVENT_COLUMNS, compute_indicators
from vixshield.strategy.marks import PositionMark, mark_positions
from vixshield.strategy.policy import Policy
from vixshield.strategy.regime import entries_allowed, layer_multiplier, regime_inputs
from vixshield.strategy.state import StrategyState, credit_budget
from vixshield.strategy.types import AccountState, Decision, Order, Position, RuleFired

__all__ = ["decide", "manage_condors"]


def _json(v: object) -> object:
    """NaN/inf floats become None / "inf" so details stay strict JSON."""
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if isinstance(v, Mapping):
        return {str(k): _json(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_json(x) for x in v]
    return v


class _Columns:
    """Column arrays of an indicator frame, for O(1) row reads in `decide`."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.ref = weakref.ref(frame)
        self.index = pd.DatetimeIndex(frame.index).to_numpy(dtype="datetime64[ns]")
        self.arrays = {str(c): frame[c].to_numpy() for c in frame.columns}

    def position(self, date: pd.Timestamp, side: Literal["left", "right"] = "right") -> int:
        return int(np.searchsorted(self.index, np.datetime64(date, "ns"), side=side))

    def row(self, i: int) -> dict[str, object]:
        out: dict[str, object] = {}
        for c, a in self.arrays.items():
            v = a[i]
            out[c] = (
                float(v)
                if isinstance(v, np.floating)
                else (bool(v) if isinstance(v, np.bool_) else v)
            )
        return out


_CACHE: dict[int, _Columns] = {}  # id(frame) -> arrays; a read cache, checked by weakref


def _columns(frame: pd.DataFrame) -> _Columns:
    cols = _CACHE.get(id(frame))
    if cols is None or cols.ref() is not frame:
        for key in [k for k, v in _CACHE.items() if v.ref() is None]:
            del _CACHE[key]
        cols = _CACHE[id(frame)] = _Columns(frame)
    return cols


def _float(v: object) -> float:
    """A float from a row value; NaN for None, strings and other non-numbers."""
    return float(v) if isinstance(v, int | float | np.number) else math.nan


def _row(cols: _Columns, date: pd.Timestamp) -> tuple[int, dict[str, object]]:
    i = cols.position(date) - 1
    if i < 0:
        raise UserError(f"no market data on or before {date.date()}")
    return i, cols.row(i)


def manage_condors(
    positions: Sequence[Position], marks: Mapping[str, PositionMark], policy: Policy
) -> tuple[list[Order], list[RuleFired]]:
    """Close condors at take profit, stop or the DTE exit.

    Credit c = -entry_price (points). The cost to close is what buying the
    condor back really costs, in points per unit:
    ``x = -value + spread_share x spread + legs x (commission + fees) / 100``
    (mid, plus the modeled fill's share of every leg's quoted width, plus the
    closing commission and fees). Take profit when ``x <= (1 - take_profit) c``;
    stop when the loss ``x - c >= stop_multiple c``; exit when DTE <= ``exit_dte``.
    Judging the exits at mid would book take-profits that the fill and costs
    then give back (a 50% target at mid is nearer 45% net on a 2-point credit).
    """
    mg = policy.management
    costs = policy.costs
    per_leg = (costs.commission_per_contract + costs.fees_per_contract) / MULTIPLIER
    orders: list[Order] = []
    audit: list[RuleFired] = []
    for p in positions:
        if p.kind != "condor" or p.id not in marks:
            continue
        m = marks[p.id]
        credit = -p.entry_price
        spread = m.spread if math.isfinite(m.spread) else 0.0
        cost = -m.value + costs.spread_share * spread + len(p.legs) * per_leg
        inputs: dict[str, float | str] = {
            "id": p.id,
            "credit": credit,
            "mid_to_close": -m.value,
            "cost_to_close": cost,
            "dte": m.dte,
        }
        reason = ""
        if credit > 0 and cost <= (1.0 - mg.take_profit) * credit:
            reason = f"take profit ({mg.take_profit:.0%} of credit)"
        elif credit > 0 and cost - credit >= mg.stop_multiple * credit:
            reason = f"stop (loss {mg.stop_multiple:g}x credit)"
        elif m.dte <= mg.exit_dte:
            reason = f"dte exit ({mg.exit_dte} days)"
        if reason:
            orders.append(Order("close", "condor", p.legs, p.contracts, reason, p.id))
        audit.append(RuleFired("condor_manage", inputs, reason or "hold"))
    return orders, audit


def _trading_days_since(cols: _Columns, i: int, last: pd.Timestamp | None) -> float:
    if last is None:
        return math.inf
    return float(i - cols.position(last, side="left"))


def decide(
    date: pd.Timestamp,
    market: MarketView,
    positions: Sequence[Position],
    account: AccountState,
    policy: Policy,
    state: object | None = None,
    indicators: pd.DataFrame | None = None,
) -> Decision:
    """The strategy's decision at ``date``'s close (see the module docstring).

    Parameters
    ----------
    date : Timestamp
        The close decided for; only data known then is used.
    market : MarketView
        Chains, quotes and the market data.
    positions : sequence of Position
        Open positions (condors and ``hedge:<layer>``).
    account : AccountState
        Equity, cash and margin in USD.
    policy : Policy
    state : StrategyState or None
        ``Decision.state`` of the previous close (None at the start).
    indicators : DataFrame or None
        From `compute_indicators` over the run; recomputed from
        ``market.data.until(date)`` when None (slow: fits GARCH).
    """
    date = pd.Timestamp(date).normalize()
    st = state if isinstance(state, StrategyState) else StrategyState()
    st = st.reconcile(date, positions)
    if indicators is None:
        indicators = compute_indicators(market.data.until(date), policy, start=date)
    cols = _columns(indicators)
    i, row = _row(cols, date)
    regime = str(row.get("regime", "normal"))
    inputs = regime_inputs(row, policy)
    audit: list[RuleFired] = [RuleFired("regime", dict(inputs), regime)]
    orders: list[Order] = []

    marks = mark_positions(date, market, positions)
    close_orders, manage_audit = manage_condors(positions, marks, policy)
    orders += close_orders
    audit += manage_audit

    hp = policy.hedge
    days_to = {k: _float(row.get(col)) for k, col in EVENT_COLUMNS.items()}

    # entry
    closing = {o.position_id for o in close_orders}
    open_condors = [p for p in positions if p.kind == "condor" and p.id not in closing]
    last_open = [p.opened for p in positions if p.kind == "condor"]
    if st.cycles:
        last_open.append(pd.Timestamp(st.cycles[-1][0]))
    since = _trading_days_since(cols, i, max(last_open) if last_open else None)
    due = since >= policy.entry.every_n_days
    room = len(open_condors) < policy.entry.max_open_condors
    audit.append(
        RuleFired(
            "entry_schedule",
            {
                "trading_days_since_entry": since if math.isfinite(since) else "none",
                "every_n_days": policy.entry.every_n_days,
                "open_condors": len(open_condors),
                "cap": policy.entry.max_open_condors,
            },
            "due" if due and room else ("ladder full" if due else "not due"),
        )
    )
    condor_details: dict[str, object] | None = None
    if due and room:
        allowed, fired = entries_allowed(regime, row, policy)
        audit += fired
        ev_days = [days_to[k] for k in policy.entry.event_kinds if not math.isnan(days_to[k])]
        unknown = [k for k in policy.entry.event_kinds if math.isnan(days_to[k])]
        ev_rule = event_filter(
            min(ev_days) if ev_days else math.nan, policy.entry.min_days_to_event, unknown
        )
        if not allowed or ev_rule.outcome.startswith("fail"):
            audit.append(ev_rule)
            audit.append(RuleFired("condor_entry", {"regime": regime}, "blocked before building"))
        else:
            effect = policy.regime.effect(regime)
            iv_rank = _float(row.get("iv_rank"))
            cand, fired = build_condor(
                date, market, policy, iv_rank, effect.k_multiplier, account.equity
            )
            audit += fired
            if cand is not None:
                a = cand.analytics
                filters = entry_filters(a, policy, allowed, regime, ev_rule)
                audit += filters
                ok = all(not f.outcome.startswith("fail") for f in filters)
                condor_details = {**a.to_dict(), "entered": ok}
                if ok:
                    orders.append(
                        Order("open", "condor", cand.legs, a.contracts, "scheduled entry")
                    )
                    # the cycle's credit is known now: record it before the hedge budget
                    credit = (a.credit_fill * MULTIPLIER - a.open_costs) * a.contracts
                    st = st.add_cycle(date, credit, hp.credit_to_hedge_window)

    # the credit-to-hedge budget cap, then the hedge layers within it
    budget, c2h = credit_budget(st, hp.credit_to_hedge_window, hp.credit_to_hedge_min)
    audit.append(c2h)
    multipliers: dict[str, float] = {}
    for layer in hp.layers:
        m, fired = layer_multiplier(layer.name, regime, row, policy)
        multipliers[layer.name] = m
        audit += fired
    plans = plan_hedges(
        date,
        market,
        policy,
        positions,
        marks,
        account.equity,
        multipliers,
        days_to,
        st.monetised,
        st.prepositioned,
        dict(st.moved),
        dict(st.targets),
        cap=budget.remaining,
    )
    for plan in plans:
        orders += plan.orders
        audit += plan.audit
    open_ids = {p.id for p in positions}
    monetised = (
        frozenset().union(*(pl.monetised for pl in plans)) & open_ids if plans else frozenset()
    )
    prepositioned = frozenset(pl.layer for pl in plans if pl.prepositioned)
    moved = tuple((pl.layer, pl.moved_until) for pl in plans if pl.moved_until is not None)
    paid = sum(pl.premium_paid for pl in plans)
    new_state = st.record(
        date,
        paid,
        sum(pl.proceeds for pl in plans),
        monetised,
        prepositioned,
        moved,
        tuple((pl.layer, pl.smoothed_target) for pl in plans),
    )
    window_paid = budget.paid + paid
    if budget.cycles == 0:
        window_ratio = math.nan
    else:
        window_ratio = budget.credit / window_paid if window_paid > 0 else math.inf
    details: dict[str, object] = {
        "regime": regime,
        "condor": condor_details,
        "hedge": [pl.details for pl in plans],
        "budget_basis": hp.budget_basis,
        "credit_to_hedge": window_ratio,
        "hedge_budget": {
            "window_start": budget.window_start,
            "credit": budget.credit,
            "cap": budget.cap,
            "paid": window_paid,
            "remaining": max(budget.cap - window_paid, 0.0),
        },
        "events": {k: (None if math.isnan(v) else v) for k, v in days_to.items()},
    }
    return Decision(
        date=date,
        regime=regime,
        regime_inputs=inputs,
        orders=tuple(orders),
        audit=tuple(audit),
        details=_json(details),  # type: ignore[arg-type]
        state=new_state,
    )
