"""The Adaptive Layered VIX Hedge (ALVH): budgets, targets, rolls, monetising.

Budget to holding
-----------------
Each layer has an *annual* premium budget ``B = weight x basis``:

- "equity": basis = account equity;
- "credit": basis = annualised credit of the open condors,
  ``sum(credit x 100 x contracts) x 365 / dte_target``;
- "max_loss": basis = the max loss of the open condors (USD).

A layer holding options of tenor ``D`` days (the middle of its DTE window) and
rolling them at the end spends its premium about ``365 / D`` times a year, so
the premium to *hold* is ``B x D / 365``; that keeps spend at the budget rate.
The target is scaled by the layer multiplier (regime engine, bounded) and the
event factor.

Credit cover (``hedge.budget_cover``, off by default): the annual budget becomes
``min(weight x basis, share x credit_rate / ratio)``, share = weight / sum of the
weights, ratio = ``hedge.credit_to_hedge_min`` and ``credit_rate`` the condor credit
of the credit-to-hedge window annualised (USD per year, point in time: only the
cycles entered up to the close; `HedgeContext.credit_rate`). ``credit_rate / ratio``
is the yearly hedge spend the cap lets the credit fund, so the target sits at that
cover level and the multiplier moves it: below 1 (calm) the layers hold and spend
less than the cap allows, above 1 (stress) they may use the slack up to the cap,
which still binds on every buy. The ``target_smoothing`` audit entry then carries
the basis budget, the cover budget, the credit rate and which of the two bound.

Credit-to-hedge budget cap (`vixshield.strategy.state`): what a layer may
*spend* on a day is ``min(its basis-driven buy, share x remaining cap)``, its
share the layer's weight over the sum of the weights (0.4 / 0.4 / 0.2 for
4/4/2) and the remaining cap the window's condor credit / ratio less the
hedge premium already paid in the window. A buy is sized in whole contracts at
``fill x 100 + legs x (commission + fees)`` USD each (fill = mid +
spread_share x width, `vixshield.markets.costs.CostModel`), so it never exceeds
the layer's share. A layer whose
share is 0 builds no chain. The cap limits buys only: it never forces a sale.

Target smoothing: the layer's own target ``B x D / 365 x multiplier`` is an
exponential average over closes with half-life ``hedge.target_halflife``
(``s = s_prev + a (x - s_prev)``, ``a = 1 - 2^(-1/halflife)``): a regime flip
moves the holdings over days, not in one trade. Event pre-positioning scales
the smoothed target at once (deliberate).

Rebalancing, like a desk's ladder: the layer *buys* when its holdings' basis
``sum(max(entry_price, mark) x 100 x contracts)`` is below (1 - buy_band) x
target, up to the target. Each tranche counts at the larger of what it cost and
what it is worth: decay is not topped up (a layer re-buys when a tranche rolls
or expires or the target rises, so the spend stays at about ``B`` a year), and
a tranche that has gained counts at its value, so selling it down to the target
does not trigger a buy back the next day. It
*sells down* when the marked value exceeds (1 + sell_band) x target (or to the
target right after an event pre-positioning ends), selling only positions held
at least ``hedge.min_hold_days`` calendar days (no buy-then-sell flips) whose bid
covers the round-trip cost. The credit-to-hedge cap limits buying only: it stops
new premium, it does not force sales.

Exits: at ``roll_dte`` the position is rolled (closed; the layer buys the
replacement) - unless its bid is below the round-trip cost
``2 x legs x (commission + fees) + 100 x quoted width`` per contract: then it is
held to expiry ("expire: bid below round-trip cost") and no longer counted.
The theta-share roll (theta per day > ``roll_theta_share`` of the value) fires
only on a position still worth rolling: held ``min_hold_days`` and bid proceeds
>= ``hedge.roll_min_multiple`` x the round-trip cost (theta / value explodes as
the value goes to zero, so without this the rule sells options worth cents).
Monetise ``monetise_share`` of a position once its value reaches
``monetise_multiple`` x its cost (once per position). No rule ever sells an
option whose bid is below its round-trip cost.

Temporal theta: for a layer flagged ``temporal_theta`` (the short layer) the
measure is its held options' decay per premium dollar scaled by their time to
expiry, ``R = (|theta| / V) x DTE``, against the same for the next (medium)
layer's holdings: ``richness = R_short / R_next``. For options of similar
moneyness under a flat vol term structure ``|theta| / V ~ 1 / (2 DTE)`` so the
richness is about 1; it rises when short-dated options decay faster than
their tenor explains (short-dated vol bid, or the options far OTM). Above
``temporal_theta_ratio`` the short layer is rolled into the medium bucket: its
holdings are closed and, for the layer's ``dte_min`` calendar days, its target
is added to the next layer's. Positions held fewer than ``min_hold_days`` or
whose bid is below the round-trip cost are kept. Marks only: no chain is built
for this rule.

Which option a layer buys on a date (`choose_hedge`, `ExpiryQuotes`, `HedgeChoice`)
lives in `vixshield.strategy.hedge_choice`, the context and the money rules
(`HedgeContext`, `HedgeMemory`, `buy_cost`, `round_trip_cost` ...) in
`vixshield.strategy.hedge_context`, the rules above in `vixshield.strategy.hedge_rules`;
they are re-exported here. This module runs them per layer (`plan_hedges`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from vixshield.strategy.frozen_init import direct_init
from vixshield.strategy.hedge_choice import ExpiryQuotes, HedgeChoice, choose_hedge
from vixshield.strategy.hedge_context import (
    _MULT,
    HedgeContext,
    HedgeMemory,
    annual_budget,
    buy_cost,
    capped_contracts,
    round_trip_cost,
    sale_proceeds,
    smooth,
    target_premium,
)
from vixshield.strategy.hedge_rules import (
    _NOTHING,
    _exits,
    _Held,
    _layer_target,
    _Rebalance,
    _rebalance,
    _Step,
    _Target,
    _temporal_theta,
)
from vixshield.strategy.policy import HedgeLayer, HedgePolicy
from vixshield.strategy.types import Order, RuleFired

__all__ = [
    "ExpiryQuotes",
    "HedgeChoice",
    "HedgeContext",
    "HedgeMemory",
    "LayerPlan",
    "annual_budget",
    "buy_cost",
    "capped_contracts",
    "choose_hedge",
    "plan_hedges",
    "round_trip_cost",
    "sale_proceeds",
    "smooth",
    "target_premium",
]


@direct_init
@dataclass(frozen=True)
class LayerPlan:
    """One layer's target versus holdings, and its orders.

    ``premium_flow`` is the net premium at mid (USD, buys positive);
    ``premium_paid`` the buys at the modeled fill plus costs and ``proceeds``
    the sales at the modeled fill less costs (USD, both >= 0): `buy_cost`,
    `sale_proceeds`.
    """

    layer: str
    details: Mapping[str, float | int | str]
    orders: tuple[Order, ...]
    audit: tuple[RuleFired, ...]
    premium_flow: float = 0.0
    monetised: frozenset[str] = field(default_factory=frozenset)
    prepositioned: bool = False
    moved_until: str | None = None
    smoothed_target: float = math.nan
    premium_paid: float = 0.0
    proceeds: float = 0.0


class _Day(NamedTuple):
    """What every layer of one `plan_hedges` call shares: the day's `ExpiryQuotes` of the
    layers' candidate expiries and the sum of the layers' weights."""

    quotes: ExpiryQuotes
    weights: float


def _plan_layer(
    ctx: HedgeContext,
    hp: HedgePolicy,
    li: int,
    memory: HedgeMemory,
    carry: float,
    day: _Day,
) -> tuple[LayerPlan, float]:
    """One layer's plan and the target it carries to the next layer (USD).

    The rules in order: target (`_layer_target`), exits (`_exits`), temporal theta
    (`_temporal_theta`), rebalance (`_rebalance`). The layer's share of the cap is its
    weight over the sum of the weights (``day.weights``).
    """
    layer = hp.layers[li]
    name = layer.name
    weights = day.weights
    tgt = _layer_target(ctx, hp, layer, memory, weights)
    target = tgt.own + carry
    exits, new_mon, remaining = _exits(ctx, hp, layer, memory.monetised)
    moved_until = memory.moved.get(name)
    if moved_until is not None and moved_until < ctx._iso_date:
        moved_until = None
    theta, remaining, moved_until = _temporal_theta(ctx, hp, li, remaining, moved_until)
    steps = [exits, theta]
    carry_out = 0.0
    if moved_until is not None and li + 1 < len(hp.layers):
        carry_out, target = target, 0.0
        moved = RuleFired(
            f"temporal_theta:{name}",
            {"until": moved_until},
            "info",
            "target moved to next layer",
        )
        steps.append(_Step((), (moved,)))
    share = layer.weight / weights if weights > 0 else 0.0
    layer_cap = share * ctx.cap if ctx.cap > 0 else 0.0
    ended = name in memory.prepositioned and not tgt.in_window
    held = (  # `sum` of lists: the same terms in the same order as of generators
        sum([m.value * _MULT * n for _, n, m in remaining]),
        sum([max(p.entry_price, m.value, 0.0) * _MULT * n for p, n, m in remaining]),
    )
    reb = _rebalance(
        ctx,
        hp,
        layer,
        target,
        (share, layer_cap),
        remaining,
        held,
        ended,
        tgt.multiplier,
        day.quotes,
    )
    steps.append(reb.step)
    orders: tuple[Order, ...] = ()
    audit = tgt.audit
    for st in steps:  # the rules' orders and audit entries, in rule order
        if st is not _NOTHING:
            orders, audit = orders + st.orders, audit + st.audit
    details = _LayerDetails(
        (layer, hp, tgt, target, share, layer_cap, reb, remaining, held, moved_until, len(orders))
    )
    plan = LayerPlan(
        name,
        details,
        orders,
        audit,
        sum([st.flow for st in steps]),
        frozenset(memory.monetised | new_mon) if new_mon else frozenset(memory.monetised),
        tgt.in_window,
        moved_until,
        tgt.smoothed,
        reb.paid,
        _proceeds(ctx, orders) if orders else 0.0,
    )
    return plan, carry_out


def _proceeds(ctx: HedgeContext, orders: tuple[Order, ...]) -> float:
    """Modeled USD proceeds of the closing ``orders`` (`sale_proceeds`; 0 with none)."""
    closing = [o for o in orders if o.action == "close"]
    if not closing:
        return 0.0
    by_id = {p.id: p for p in ctx.positions}
    return sum(
        sale_proceeds(by_id[o.position_id], o.contracts, ctx.marks[o.position_id], ctx.costs)
        for o in closing
        if o.position_id in by_id and o.position_id in ctx.marks
    )


def _layer_details(
    layer: HedgeLayer,
    hp: HedgePolicy,
    tgt: _Target,
    target: float,
    share: float,
    layer_cap: float,
    reb: _Rebalance,
    remaining: _Held,
    held: tuple[float, float],
    moved_until: str | None,
    n_orders: int,
) -> dict[str, float | int | str]:
    """The layer's target versus holdings for reports (USD; deltas and vegas x100).

    ``target`` is the target premium, ``(share, layer_cap)`` the layer's budget share
    and cap, ``held`` (held premium, held basis), ``n_orders`` the day's order count.
    """
    if reb.choice is not None:
        c = reb.choice
        unit, unit_delta, unit_vega = c.fill * _MULT, c.delta * _MULT, c.vega * _MULT
    elif remaining:
        m0 = remaining[0][2]
        unit, unit_delta, unit_vega = (
            m0.value * _MULT,
            m0.delta * _MULT,
            m0.vega * _MULT,
        )
    else:
        unit = unit_delta = unit_vega = math.nan
    n_target = math.floor(target / unit) if unit > 0 and math.isfinite(target) else 0
    return {
        "layer": layer.name,
        "instrument": layer.instrument,
        "budget_basis": hp.budget_basis,
        "annual_budget": tgt.budget,
        "multiplier": tgt.multiplier,
        "event_scale": tgt.event_scale,
        "budget_share": share,
        "budget_cap": layer_cap if math.isfinite(layer_cap) else "inf",
        "premium_paid": reb.paid,
        "target_premium": target,
        "target_contracts": n_target,
        "target_delta": n_target * unit_delta if n_target else 0.0,
        "target_vega": n_target * unit_vega if n_target else 0.0,
        "held_contracts": sum(n for _, n, _ in remaining),
        "held_premium": held[0],
        "held_basis": held[1],
        "held_delta": sum(m.delta * _MULT * n for _, n, m in remaining),
        "held_vega": sum(m.vega * _MULT * n for _, n, m in remaining),
        "moved_until": moved_until or "",
        "orders": n_orders,
    }


_DetailArgs = tuple[
    HedgeLayer,
    HedgePolicy,
    _Target,
    float,
    float,
    float,
    _Rebalance,
    _Held,
    tuple[float, float],
    str | None,
    int,
]
"""`_layer_details`' arguments, in its order."""


class _LayerDetails(Mapping[str, float | int | str]):
    """`LayerPlan.details`: the mapping ``_layer_details(*args)`` returns, made when first
    read (as `Decision.deferred` makes its details).

    A backtest reads a day's details only where it shows them (`Decision.details`
    is deferred too), so the layer's report fields are not built every close. The
    inputs are the day's immutable values (frozen policy, marks, plans) and lists
    no rule changes afterwards: the mapping read later is the one made at once.
    """

    __slots__ = ("_args", "_made")

    def __init__(self, args: _DetailArgs) -> None:
        self._args = args
        self._made: dict[str, float | int | str] | None = None

    def _dict(self) -> dict[str, float | int | str]:
        made = self._made
        if made is None:
            made = self._made = _layer_details(*self._args)
        return made

    def __getitem__(self, key: str) -> float | int | str:
        return self._dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())

    def __repr__(self) -> str:
        return repr(self._dict())


def plan_hedges(ctx: HedgeContext, hp: HedgePolicy, memory: HedgeMemory) -> list[LayerPlan]:
    """Plan every layer for the day (see the module docstring for the rules).

    Parameters
    ----------
    ctx : HedgeContext
        The close: positions, marks, equity, multipliers, events, costs and the
        remaining credit-to-hedge cap (each layer may spend its weight's share of it).
    hp : HedgePolicy
        The hedge section of the policy.
    memory : HedgeMemory
        The hedge state of the previous close.

    Returns
    -------
    list of LayerPlan
        One per layer, in the policy's order; a layer rolled by temporal theta hands
        its target to the next one.
    """
    quotes = ctx.expiry_quotes  # one quote call for every layer's candidate expiry
    if quotes is None:
        quotes = ExpiryQuotes(ctx.date, ctx.market, hp.layers)
    day = _Day(quotes, sum(x.weight for x in hp.layers))
    plans: list[LayerPlan] = []
    carry = 0.0  # target premium moved in from the previous layer (temporal theta)
    for li in range(len(hp.layers)):
        plan, carry = _plan_layer(ctx, hp, li, memory, carry, day)
        plans.append(plan)
    return plans
