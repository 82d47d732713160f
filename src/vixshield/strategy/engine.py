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
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping, Sequence
from functools import partial
from itertools import chain

import numpy as np
import pandas as pd

from vixshield.errors import UserError
from vixshield.markets.types import MarketView
from vixshield.strategy.indicators import EVENT_COLUMNS, compute_indicators
from vixshield.strategy.marks import mark_positions
from vixshield.strategy.policy import Policy
from vixshield.strategy.regime import layer_multiplier, regime_inputs
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


_PLAIN = frozenset({str, int, bool, type(None)})  # returned as they are


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


def _cell(v: object) -> object:
    """A row value as `decide` hands it out: numpy floats and bools as Python ones."""
    if isinstance(v, np.floating):
        return float(v)
    return bool(v) if isinstance(v, np.bool_) else v


class _Columns:
    """The rows of an indicator frame, read once, for O(1) row reads in `decide`.

    The frame is read when first seen (the indicator frame of a run is never
    changed after `compute_indicators` returns it).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.ref = weakref.ref(frame)
        self.index = pd.DatetimeIndex(frame.index).to_numpy(dtype="datetime64[ns]").view(np.int64)
        self.names = tuple(str(c) for c in frame.columns)
        cols: list[list[object]] = []
        for c in frame.columns:
            a = frame[c].to_numpy()
            kind = a.dtype.kind
            if kind in "fb":  # ``tolist``: the Python floats / bools `_cell` makes
                cols.append(a.tolist())
            elif kind == "O":  # objects as they are, numpy floats / bools among them converted
                cols.append(
                    [v if type(v) in _PLAIN or type(v) is float else _cell(v) for v in a.tolist()]
                )
            else:  # ints, dates: the numpy scalars ``a[i]`` gives (`_cell` keeps them)
                cols.append(list(a))
        self.rows = list(zip(*cols, strict=True)) if cols else [()] * len(frame)

    def row(self, i: int) -> dict[str, object]:
        """Row ``i`` as a dict in column order."""
        return dict(zip(self.names, self.rows[i], strict=True))


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


def _context(
    date: pd.Timestamp,
    market: MarketView,
    positions: Sequence[Position],
    account: AccountState,
    policy: Policy,
    indicators: pd.DataFrame,
    marks: Mapping[str, PositionMark] | None,
) -> DayContext:
    """The day's context: indicator row, regime and multipliers, marks, costs."""
    cols = _columns(indicators)
    i = int(np.searchsorted(cols.index, date.value, side="right")) - 1
    if i < 0:
        raise UserError(f"no market data on or before {date.date()}")
    row = cols.row(i)
    regime = str(row.get("regime", "normal"))
    multipliers: dict[str, float] = {}
    audit: list[RuleFired] = []
    effect = policy.regime.effect(regime)
    for layer in policy.hedge.layers:
        m, fired = layer_multiplier(layer.name, regime, row, policy, effect)
        multipliers[layer.name] = m
        audit += fired
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
        regime_inputs=regime_inputs(row, policy),
        multipliers=multipliers,
        multiplier_audit=tuple(audit),
        days_to_events={k: _float(row.get(col)) for k, col in EVENT_COLUMNS.items()},
        sessions=cols.index,
        session=i,
        costs=policy.costs.model(),
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
    date = pd.Timestamp(date).normalize()
    st = _state(state).reconcile(date, positions)
    if indicators is None:
        indicators = compute_indicators(market.data.until(date), policy, start=date)
    ctx = _context(date, market, positions, account, policy, indicators, marks)
    steps = fold(ctx, st, rules_of(policy))
    details: dict[str, object] = {"regime": ctx.regime, "condor": None}
    for step in steps:
        details.update(step.details)
    details["events"] = {k: (None if math.isnan(v) else v) for k, v in ctx.days_to_events.items()}
    return Decision(
        date=date,
        regime=ctx.regime,
        regime_inputs=ctx.regime_inputs,
        orders=tuple(chain.from_iterable(s.orders for s in steps)),
        audit=tuple(chain.from_iterable(s.audit for s in steps)),
        details=_json(details),  # type: ignore[arg-type]
        state=steps[-1].state,
    )
