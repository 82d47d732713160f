"""The rules of one close, as small pure functions (bt's ``AlgoStack``, without mutation).

Each rule takes the day's `DayContext` (date, market, positions and their marks,
account, indicator row, regime, costs, the orders of the rules before it), the
strategy state left by the rules before it and its own policy section; it returns a
`Step`: orders, audit entries, the state update and details for reports. `decide`
(`vixshield.strategy.engine`) folds the steps in order:

1. `regime_rule`: the regime of the indicator row (`day_context` reads it, with the
   hedge layer multipliers it sets);
2. `manage_rule`: condor take profit, stop and DTE exit (`manage_condors`);
3. `scan_rule` (only with ``[regime.scan] enabled``): on a day an entry is due, the
   parity and VX curve scan of a real chain (`vixshield.strategy.regime.scan_entries`);
   a finding above the policy's limits blocks the day's entries (`Step.entry_blocks`);
4. `entry_rule`: a new condor when one is due, no rule before it blocked entries and
   every entry filter passes; its net credit at the modeled fill is recorded as a new
   cycle at once;
5. `hedge_rule`: the credit-to-hedge budget cap over the last cycles, including
   today's, then the hedge layers within it (`vixshield.strategy.hedge.plan_hedges`);
   the premium of their buys is recorded in the state at once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import numpy as np
import pandas as pd

from vixshield._typing import IntArray
from vixshield.markets.costs import CONTRACT_MULTIPLIER, CostModel
from vixshield.markets.types import MarketView
from vixshield.strategy.condor import build_condor, entry_filters, event_filter
from vixshield.strategy.frozen_init import direct_init
from vixshield.strategy.hedge import HedgeContext, HedgeMemory, plan_hedges
from vixshield.strategy.marks import PositionMark, close_cash
from vixshield.strategy.policy import HedgePolicy, ManagementPolicy, Policy, ScanPolicy
from vixshield.strategy.regime import entries_allowed, scan_entries
from vixshield.strategy.state import StrategyState, credit_budget
from vixshield.strategy.types import AccountState, Order, Position, RuleFired

__all__ = [
    "DayContext",
    "Rule",
    "Step",
    "entry_rule",
    "fold",
    "hedge_rule",
    "manage_condors",
    "manage_rule",
    "regime_rule",
    "scan_rule",
]


@direct_init
@dataclass(frozen=True)
class DayContext:
    """Everything a rule may read at one close (never changed by a rule).

    Attributes
    ----------
    date : Timestamp
        The close decided for.
    market : MarketView
        Chains and quotes.
    positions : tuple of Position
        Open positions before the day's orders.
    marks : Mapping
        Position id -> `PositionMark` at the close.
    account : AccountState
        Equity, cash and margin, USD.
    row : Mapping
        The indicator row of the close (`compute_indicators`).
    regime : str
        The regime of the row.
    regime_inputs : Mapping
        The inputs the regime used (a dropped one maps to ``"missing"``).
    multipliers : Mapping
        Hedge layer name -> budget multiplier (regime effect and custom rules, bounded).
    multiplier_audit : tuple of RuleFired
        How the multipliers were set.
    days_to_events : Mapping
        Event kind -> trading days to its next known date (NaN: none known).
    sessions : ndarray
        The indicator frame's dates as ``datetime64[ns]`` (trading-day counts).
    session : int
        Position of ``date``'s row in ``sessions``.
    costs : CostModel
        The fill and cost model of the policy.
    orders : tuple of Order
        Orders of the rules before (the condor closes seen by the entry rule).
    entry_blocks : tuple of RuleFired
        Failed audit entries of the rules before that forbid the day's entries
        (`Step.entry_blocks`; the entry rule opens nothing while any is present).
    """

    date: pd.Timestamp
    market: MarketView
    positions: tuple[Position, ...]
    marks: Mapping[str, PositionMark]
    account: AccountState
    row: Mapping[str, object]
    regime: str
    regime_inputs: Mapping[str, float | str]
    multipliers: Mapping[str, float]
    multiplier_audit: tuple[RuleFired, ...]
    days_to_events: Mapping[str, float]
    sessions: IntArray
    session: int
    costs: CostModel
    orders: tuple[Order, ...] = ()
    entry_blocks: tuple[RuleFired, ...] = ()

    def trading_days_since(self, day: pd.Timestamp | None) -> float:
        """Trading days from ``day`` to the close (inf when None)."""
        if day is None:
            return math.inf
        return self.sessions_since(day.value)

    def sessions_since(self, ns: int) -> float:
        """Trading days from the day at ``ns`` (nanoseconds since the epoch) to the close."""
        return float(self.session - int(self.sessions.searchsorted(ns, side="left")))

    def number(self, key: str) -> float:
        """A numeric indicator of the row; NaN for a missing or non-numeric value."""
        v = self.row.get(key)
        return float(v) if isinstance(v, int | float | np.number) else math.nan


@direct_init
@dataclass(frozen=True)
class Step:
    """What one rule decided: orders, audit entries, the state after it, report details.

    ``entry_blocks`` are failed audit entries (also in ``audit``) that forbid the
    day's new condors; the rules after it see them in `DayContext.entry_blocks`.
    """

    state: StrategyState
    orders: tuple[Order, ...] = ()
    audit: tuple[RuleFired, ...] = ()
    details: Mapping[str, object] = field(default_factory=dict)
    entry_blocks: tuple[RuleFired, ...] = ()


@lru_cache(maxsize=4096)
def _iso_ns(day: str) -> int:
    """Nanoseconds since the epoch of an ISO date (a pure function of the string)."""
    return int(pd.Timestamp(day).value)


class Rule(Protocol):
    """A rule of the day, its policy section bound (`functools.partial`)."""

    def __call__(self, ctx: DayContext, state: StrategyState) -> Step: ...


def regime_rule(ctx: DayContext, state: StrategyState) -> Step:
    """The regime of the row (from the context); no order, no state change."""
    fired = RuleFired("regime", dict(ctx.regime_inputs), "info", ctx.regime)
    return Step(state, (), (fired,), {"regime": ctx.regime})


def manage_condors(
    positions: Sequence[Position],
    marks: Mapping[str, PositionMark],
    section: ManagementPolicy,
    costs: CostModel,
) -> tuple[list[Order], list[RuleFired]]:
    """Close condors at take profit, stop or the DTE exit.

    Credit c = -entry_price (points per unit). The cost to close x is what buying
    the condor back costs, in points per unit: ``x = -close_cash(p, mark, costs, 1) / 100``
    (`vixshield.strategy.marks.close_cash`: every leg at its `CostModel` fill, sells
    floored at 0, plus commission and fees), the cash the execution layer books.
    Take profit when ``x <= (1 - take_profit) c``; stop when the loss
    ``x - c >= stop_multiple c``; exit when DTE <= ``exit_dte``. Judging the exits at
    mid would book take-profits that the fill and costs then give back.
    """
    orders: list[Order] = []
    audit: list[RuleFired] = []
    for p in positions:
        if p.kind != "condor" or p.id not in marks:
            continue
        m = marks[p.id]
        credit = -p.entry_price
        cost = -close_cash(p, m, costs, 1) / CONTRACT_MULTIPLIER
        inputs: dict[str, float | str] = {
            "id": p.id,
            "credit": credit,
            "mid_to_close": -m.value,
            "cost_to_close": cost,
            "dte": m.dte,
        }
        reason = ""
        if credit > 0 and cost <= (1.0 - section.take_profit) * credit:
            reason = f"take profit ({section.take_profit:.0%} of credit)"
        elif credit > 0 and cost - credit >= section.stop_multiple * credit:
            reason = f"stop (loss {section.stop_multiple:g}x credit)"
        elif m.dte <= section.exit_dte:
            reason = f"dte exit ({section.exit_dte} days)"
        if reason:
            orders.append(Order("close", "condor", p.legs, p.contracts, reason, p.id))
        audit.append(RuleFired("condor_manage", inputs, "info", reason or "hold"))
    return orders, audit


def manage_rule(ctx: DayContext, state: StrategyState, section: ManagementPolicy) -> Step:
    """Condor exits (`manage_condors`) on the day's marks; the state is unchanged."""
    orders, audit = manage_condors(ctx.positions, ctx.marks, section, ctx.costs)
    return Step(state, tuple(orders), tuple(audit))


def _schedule(ctx: DayContext, state: StrategyState, policy: Policy) -> tuple[bool, RuleFired]:
    """Whether a condor is due (every ``entry.every_n_days``) with room in the ladder."""
    closing = {o.position_id for o in ctx.orders if o.action == "close"}
    condors = [p for p in ctx.positions if p.kind == "condor"]
    open_condors = [p for p in condors if p.id not in closing]
    last_open = [p.opened.value for p in condors]  # ns since the epoch: ordered as the dates
    if state.cycles:
        last_open.append(_iso_ns(state.cycles[-1][0]))
    since = ctx.sessions_since(max(last_open)) if last_open else math.inf
    due = since >= policy.entry.every_n_days
    room = len(open_condors) < policy.entry.max_open_condors
    inputs: dict[str, float | str] = {
        "trading_days_since_entry": since if math.isfinite(since) else "none",
        "every_n_days": policy.entry.every_n_days,
        "open_condors": len(open_condors),
        "cap": policy.entry.max_open_condors,
    }
    if due and room:
        return True, RuleFired("entry_schedule", inputs, "pass", "due")
    return False, RuleFired("entry_schedule", inputs, "fail", "ladder full" if due else "not due")


def scan_rule(ctx: DayContext, state: StrategyState, policy: Policy, section: ScanPolicy) -> Step:
    """The scanner as a regime input: on a day an entry is due, scan and maybe block.

    Reads the entry schedule (``policy.entry``: nothing is scanned on a day no
    condor would open), the day's SPX chain and VX curve, and ``section``'s limits
    (`vixshield.strategy.regime.scan_entries`). A real chain with a parity edge
    above ``max_parity_edge`` or a VX kink above ``max_vx_kink`` blocks the day's
    entries (`Step.entry_blocks`, audit outcome "fail" naming the finding); a
    modeled chain is recorded as not scanned (info) and never blocks. The state is
    unchanged.
    """
    due, _ = _schedule(ctx, state, policy)
    if not due:
        return Step(state)
    allowed, fired = scan_entries(ctx.date, ctx.market, ctx.costs, section)
    details = {"scan": {"outcome": fired.outcome, "note": fired.note, **fired.inputs}}
    return Step(state, (), (fired,), details, () if allowed else (fired,))


def entry_rule(ctx: DayContext, state: StrategyState, policy: Policy) -> Step:
    """A new condor when due and every filter passes; records its cycle in the state.

    Reads the entry, condor, sizing and regime sections (the condor builder's rules)
    and the hedge window (cycles kept). The cycle's credit is the entry's net credit
    at the modeled fill, USD: ``(credit_fill x 100 - open_costs) x contracts``.
    """
    due, schedule = _schedule(ctx, state, policy)
    audit: list[RuleFired] = [schedule]
    if not due:
        return Step(state, (), tuple(audit), {"condor": None})
    if ctx.entry_blocks:
        names = ", ".join(sorted({b.rule for b in ctx.entry_blocks}))
        audit.append(
            RuleFired("condor_entry", {"blocked_by": names}, "fail", f"blocked by {names}")
        )
        return Step(state, (), tuple(audit), {"condor": None})
    allowed, fired = entries_allowed(ctx.regime, ctx.row, policy)
    audit += fired
    kinds = policy.entry.event_kinds
    known = [ctx.days_to_events[k] for k in kinds if not math.isnan(ctx.days_to_events[k])]
    unknown = [k for k in kinds if math.isnan(ctx.days_to_events[k])]
    ev_rule = event_filter(
        min(known) if known else math.nan, policy.entry.min_days_to_event, unknown
    )
    if not allowed or ev_rule.failed:
        audit.append(ev_rule)
        audit.append(
            RuleFired("condor_entry", {"regime": ctx.regime}, "fail", "blocked before building")
        )
        return Step(state, (), tuple(audit), {"condor": None})
    effect = policy.regime.effect(ctx.regime)
    cand, fired = build_condor(
        ctx.date, ctx.market, policy, ctx.number("iv_rank"), effect.k_multiplier, ctx.account.equity
    )
    audit += fired
    if cand is None:
        return Step(state, (), tuple(audit), {"condor": None})
    a = cand.analytics
    filters = entry_filters(a, policy, allowed, ctx.regime, ev_rule)
    audit += filters
    ok = not any(f.failed for f in filters)
    details = {"condor": {**a.to_dict(), "entered": ok}}
    if not ok:
        return Step(state, (), tuple(audit), details)
    order = Order("open", "condor", cand.legs, a.contracts, "scheduled entry")
    credit = (a.credit_fill * CONTRACT_MULTIPLIER - a.open_costs) * a.contracts
    st = state.add_cycle(ctx.date, credit, policy.hedge.credit_to_hedge_window)
    return Step(st, (order,), tuple(audit), details)


def hedge_rule(
    ctx: DayContext, state: StrategyState, section: HedgePolicy, condor_dte_target: int
) -> Step:
    """The credit-to-hedge cap (`credit_budget`), then the layers within it (`plan_hedges`).

    The layers see the window's cycles (``HedgeContext.cycles``, today's entry
    included), whose annualised credit bounds their budgets under
    ``hedge.budget_cover``. The state records the day's hedge premium paid and sale
    proceeds, the monetised positions, the pre-positioned layers, the temporal theta
    moves and the smoothed targets.
    """
    budget, c2h = credit_budget(state, section.credit_to_hedge_window, section.credit_to_hedge_min)
    hctx = HedgeContext(
        date=ctx.date,
        market=ctx.market,
        positions=ctx.positions,
        marks=ctx.marks,
        equity=ctx.account.equity,
        multipliers=ctx.multipliers,
        days_to_events=ctx.days_to_events,
        costs=ctx.costs,
        cap=budget.remaining,
        condor_dte_target=condor_dte_target,
        cycles=state.cycles[-section.credit_to_hedge_window :],
    )
    memory = HedgeMemory(
        state.monetised, state.prepositioned, dict(state.moved), dict(state.targets)
    )
    plans = plan_hedges(hctx, section, memory)
    monetised: frozenset[str] = frozenset().union(*(pl.monetised for pl in plans))
    if monetised:  # those still open (an empty set stays empty)
        monetised &= {p.id for p in ctx.positions}
    paid = sum(pl.premium_paid for pl in plans)
    st = state.record(
        ctx.date,
        paid,
        sum(pl.proceeds for pl in plans),
        monetised,
        frozenset(pl.layer for pl in plans if pl.prepositioned),
        tuple((pl.layer, pl.moved_until) for pl in plans if pl.moved_until is not None),
        tuple((pl.layer, pl.smoothed_target) for pl in plans),
    )
    window_paid = budget.paid + paid
    if budget.cycles == 0:
        ratio = math.nan
    else:
        ratio = budget.credit / window_paid if window_paid > 0 else math.inf
    details: dict[str, object] = {
        "hedge": [pl.details for pl in plans],
        "budget_basis": section.budget_basis,
        "credit_to_hedge": ratio,
        "hedge_budget": {
            "window_start": budget.window_start,
            "credit": budget.credit,
            "cap": budget.cap,
            "paid": window_paid,
            "remaining": max(budget.cap - window_paid, 0.0),
        },
    }
    orders = tuple(o for pl in plans for o in pl.orders)
    audit = (c2h, *ctx.multiplier_audit, *(r for pl in plans for r in pl.audit))
    return Step(st, orders, audit, details)


def fold(ctx: DayContext, state: StrategyState, rules: Sequence[Rule]) -> list[Step]:
    """Run ``rules`` in order, each seeing the orders, entry blocks and state of those before it."""
    steps: list[Step] = []
    orders: tuple[Order, ...] = ()
    blocks: tuple[RuleFired, ...] = ()
    if ctx.orders or ctx.entry_blocks:  # the first rule sees none
        ctx = _with_news(ctx, orders, blocks)
    last = len(rules) - 1
    for n, rule in enumerate(rules):
        step = rule(ctx, state)
        steps.append(step)
        state = step.state
        if (step.orders or step.entry_blocks) and n < last:  # news for a rule after it
            orders, blocks = orders + step.orders, blocks + step.entry_blocks
            ctx = _with_news(ctx, orders, blocks)
    return steps


def _with_news(
    ctx: DayContext, orders: tuple[Order, ...], blocks: tuple[RuleFired, ...]
) -> DayContext:
    """``replace(ctx, orders=orders, entry_blocks=blocks)``: every other field as it is.

    `DayContext` has no ``__post_init__``, so the copy of its fields is all ``replace``
    does; made here without ``replace``'s per-field keyword pass.
    """
    new = object.__new__(DayContext)
    new.__dict__.update(ctx.__dict__, orders=orders, entry_blocks=blocks)
    return new
