"""`decide`: one close in, one `Decision` out.

A pure function of (date, market data known at the date, positions, account,
policy, previous state). The day's `DayContext` is built once (the regime and the
hedge layer multipliers of the indicator row, the marks of the open positions, one
quote call per underlying), the state's pending cycle is dropped if its condor order
was not filled (`StrategyState.reconcile`), then the rules run in order
(`vixshield.strategy.rules`):

1. `regime_rule` - the regime of the row;
2. `manage_rule` - condor take profit, stop, DTE exit;
3. `scan_rule` - only with ``[regime.scan] enabled`` (absent otherwise): on a day an
   entry is due, the parity and VX curve scan of a real SPX chain, which may block
   the day's entries (a modeled chain is not scanned);
4. `entry_rule` - a new condor when one is due (every ``entry.every_n_days`` trading
   days, under the ladder cap), nothing blocked entries and every entry filter
   passes; its net credit at the modeled fill is recorded as a new cycle at once;
5. `hedge_rule` - the credit-to-hedge budget cap over the last
   ``hedge.credit_to_hedge_window`` cycles, including today's (so the hedge of the
   first condor is bought on its entry day, after its credit is known; with no cycle
   yet nothing is bought), then the hedge layers within it.

The condor orders come before the hedge orders. Chains are only built on entry days
or when a hedge layer must buy.

What does not change from close to close is derived once: per indicator frame content
(a run's own copy of the market's frame reads the rows an earlier run read), its
columns as Python values and the regime inputs and event distances of every row
(`vixshield.strategy.indicator_rows`); per policy object, the bound rules, the cost
model and, where no custom rule reads the row for a layer, each regime's layer
multipliers (`_Plan`). A close looks its values up; the values are those the per-row
rules give. The report details of a decision (`Decision.details`, strict JSON) are
made when first read (`Decision.deferred`): a backtest reads the last close's only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import partial
from itertools import chain
from typing import cast

import pandas as pd

from vixshield._daynumber import NS_PER_DAY
from vixshield.errors import UserError
from vixshield.markets.types import MarketView
from vixshield.strategy.indicator_rows import _PLAIN, _columns, _Row, _Spec
from vixshield.strategy.indicators import EVENT_COLUMNS, compute_indicators
from vixshield.strategy.marks import mark_positions
from vixshield.strategy.policy import Policy
from vixshield.strategy.regime import layer_multiplier, regime_input_keys
from vixshield.strategy.rules import (
    DayContext,
    Rule,
    entry_rule,
    fold,
    hedge_rule,
    manage_condors,
    manage_rule,
    regime_rule,
    scan_rule,
)
from vixshield.strategy.state import StrategyState
from vixshield.strategy.types import (
    AccountState,
    Decision,
    ForeignStateError,
    Position,
    PositionMark,
    RuleFired,
)

__all__ = ["decide", "manage_condors", "rules_of"]


def _json(v: object) -> object:
    """NaN/inf floats become None / "inf" so details stay strict JSON."""
    if type(v) is float:  # exact-type fast paths first (the audit is built every day)
        return v if v - v == 0.0 else _nonfinite(v)
    kind = type(v)
    if kind in _PLAIN:
        return v
    if kind is dict:  # finite floats and plain values inline, without a call each
        return {
            k if type(k) is str else str(k): (
                x if (t := type(x)) in _PLAIN or (t is float and x - x == 0.0) else _json(x)
            )
            for k, x in v.items()  # type: ignore[attr-defined]
        }
    if kind is list or kind is tuple:
        return [
            x if (t := type(x)) in _PLAIN or (t is float and x - x == 0.0) else _json(x)
            for x in v  # type: ignore[attr-defined]
        ]
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


def _nonfinite(v: float) -> object:
    """None for NaN, "inf" / "-inf" for the infinities."""
    if math.isnan(v):
        return None
    return "inf" if v > 0 else "-inf"


def _state(state: object) -> StrategyState:
    """The previous close's state; a state `decide` did not make is refused."""
    if state is None:
        return StrategyState()
    if not isinstance(state, StrategyState):
        raise ForeignStateError(
            f"decide was given a {type(state).__name__} as its state; it takes the"
            " StrategyState of its previous Decision (or None at the first close)"
        )
    return state


class _Plan:
    """What `decide` derives from the policy alone, once per policy object.

    The rules (`rules_of`), the cost model, the regime inputs' columns and the event
    columns; where no custom rule reads the row for the layers (``effect = "layer"``),
    each regime's layer multipliers and their audit, made once per regime. A `Policy`
    is frozen: the same object is the same policy.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.rules = rules_of(policy)
        self.costs = policy.costs.model()
        self.inputs: _Spec = tuple((key, key, kind) for key, kind in regime_input_keys(policy))
        self.events: _Spec = tuple((k, col, "event") for k, col in EVENT_COLUMNS.items())
        self.static = not any(spec.effect == "layer" for spec in policy.custom)
        self._by_regime: dict[str, tuple[dict[str, float], tuple[RuleFired, ...]]] = {}

    def multipliers(
        self, regime: str, row: Mapping[str, object]
    ) -> tuple[dict[str, float], tuple[RuleFired, ...]]:
        """Layer name -> multiplier at the row, and the audit entries that set them."""
        got = self._by_regime.get(regime) if self.static else None
        if got is not None:
            return dict(got[0]), got[1]
        policy = self.policy
        multipliers: dict[str, float] = {}
        audit: list[RuleFired] = []
        effect = policy.regime.effect(regime)
        for layer in policy.hedge.layers:
            m, fired = layer_multiplier(layer.name, regime, row, policy, effect)
            multipliers[layer.name] = m
            audit += fired
        got = (multipliers, tuple(audit))
        if self.static and len(self._by_regime) < _MAX_REGIMES:
            self._by_regime[regime] = got
            return dict(multipliers), got[1]
        return got


_MAX_REGIMES = 16  # regime names memoised per plan (four are known; a bound all the same)
_MAX_PLANS = 64  # policies kept: a sweep's variants run one after another
_PLANS: dict[int, _Plan] = {}  # id(policy) -> plan; the plan holds its policy (no id reuse)


def _plan(policy: Policy) -> _Plan:
    plan = _PLANS.get(id(policy))
    if plan is None or plan.policy is not policy:
        plan = _Plan(policy)
        _PLANS[id(policy)] = plan
        while len(_PLANS) > _MAX_PLANS:
            del _PLANS[next(iter(_PLANS))]
    return plan


def _context(
    date: pd.Timestamp,
    market: MarketView,
    positions: Sequence[Position],
    account: AccountState,
    plan: _Plan,
    indicators: pd.DataFrame,
    marks: Mapping[str, PositionMark] | None,
) -> DayContext:
    """The day's context: indicator row, regime and multipliers, marks, costs."""
    cols = _columns(indicators)
    i = cols.position(date.value)
    if i < 0:
        raise UserError(f"no market data on or before {date.date()}")
    row = _Row(cols, i)
    regime = cast(str, cols.derived("regime", "regime")[i])
    multipliers, audit = plan.multipliers(regime, row)
    held = tuple(positions)
    if marks is None:
        marks = mark_positions(date, market, held)
    elif set(marks) != {p.id for p in held}:
        raise ValueError(f"marks given for {sorted(marks)}, positions {[p.id for p in held]}")
    return DayContext(
        date=date,
        market=market,
        positions=held,
        marks=marks,
        account=account,
        row=row,
        regime=regime,
        regime_inputs=cols.mapping(plan.inputs, i),  # type: ignore[arg-type]
        multipliers=multipliers,
        multiplier_audit=audit,
        days_to_events=cols.mapping(plan.events, i),  # type: ignore[arg-type]
        sessions=cols.index,
        session=i,
        costs=plan.costs,
    )


def rules_of(policy: Policy) -> tuple[Rule, ...]:
    """The day's rules in order, each bound to its policy section.

    `scan_rule` is in the list only where ``policy.regime.scan.enabled``.
    """
    scan: tuple[Rule, ...] = ()
    if policy.regime.scan.enabled:
        scan = (partial(scan_rule, policy=policy, section=policy.regime.scan),)
    return (
        regime_rule,
        partial(manage_rule, section=policy.management),
        *scan,
        partial(entry_rule, policy=policy),
        partial(hedge_rule, section=policy.hedge, condor_dte_target=policy.condor.dte_target),
    )


def decide(
    date: pd.Timestamp,
    market: MarketView,
    positions: Sequence[Position],
    account: AccountState,
    policy: Policy,
    state: StrategyState | None = None,
    indicators: pd.DataFrame | None = None,
    marks: Mapping[str, PositionMark] | None = None,
) -> Decision[StrategyState]:
    """The strategy's decision at ``date``'s close (see the module docstring).

    A `vixshield.strategy.types.DecideFn` of `StrategyState`.

    Parameters
    ----------
    date : Timestamp
        The close decided for; only data known then is used.
    market : MarketView
        Chains, quotes and the market data.
    positions : sequence of Position
        Open positions (condors and hedges of each layer).
    account : AccountState
        Equity, cash and margin in USD.
    policy : Policy
    state : StrategyState or None
        ``Decision.state`` of the previous close (None at the start). Any other
        object raises `ForeignStateError`.
    indicators : DataFrame or None
        From `compute_indicators` over the run; recomputed from
        ``market.data.until(date)`` when None (slow: fits GARCH).
    marks : mapping of position id to PositionMark, optional
        The positions' marks at this close, when the caller has quoted them already
        (the backtest hands those it marked the book with); quoted here when None.
    """
    if type(date) is not pd.Timestamp or date.tz is not None or date.value % NS_PER_DAY:
        date = pd.Timestamp(date).normalize()  # else already a tz-naive midnight
    st = _state(state).reconcile(date, positions)
    if indicators is None:
        indicators = compute_indicators(market.data.until(date), policy, start=date)
    plan = _plan(policy)
    ctx = _context(date, market, positions, account, plan, indicators, marks)
    steps = fold(ctx, st, plan.rules)
    return Decision.deferred(
        partial(_details, ctx.regime, tuple(s.details for s in steps), ctx.days_to_events),
        date=date,
        regime=ctx.regime,
        regime_inputs=ctx.regime_inputs,
        orders=tuple(chain.from_iterable(s.orders for s in steps)),
        audit=tuple(chain.from_iterable(s.audit for s in steps)),
        state=steps[-1].state,
    )


def _details(
    regime: str, steps: tuple[Mapping[str, object], ...], days_to_events: Mapping[str, float]
) -> Mapping[str, object]:
    """`Decision.details`: the regime, then each step's details in rule order, then the
    event distances (None where none is known), as strict JSON (`_json`).

    Made when the decision's details are first read (`Decision.deferred`): the steps'
    details and the distances are fresh objects of the day no rule changes afterwards.
    """
    details: dict[str, object] = {"regime": regime, "condor": None}
    for d in steps:
        details.update(d)
    details["events"] = {k: (None if math.isnan(v) else v) for k, v in days_to_events.items()}
    return cast(Mapping[str, object], _json(details))
