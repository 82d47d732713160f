"""The hedge layers' rules of one close: target, exits, temporal theta, rebalance.

Each rule reads its layer's slice of the close (`HedgeContext`, `HedgeMemory`) and its
policy section, and returns the layer's orders, audit entries and net premium at mid
(`_Step`); `vixshield.strategy.hedge.plan_hedges` runs them in order for every layer.
The rules are stated in the `vixshield.strategy.hedge` module docstring. The names are
private to the hedge modules (`vixshield.strategy.hedge` is the public face).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from vixshield.strategy.hedge_choice import ExpiryQuotes, HedgeChoice, choose_hedge
from vixshield.strategy.hedge_context import (
    _MULT,
    HedgeContext,
    HedgeMemory,
    _bid_proceeds,
    _held_days,
    _round_trip,
    _sellable,
    annual_budget,
    buy_cost,
    capped_contracts,
    smooth,
    target_premium,
)
from vixshield.strategy.marks import PositionMark
from vixshield.strategy.policy import HedgeLayer, HedgePolicy
from vixshield.strategy.types import Order, Position, RuleFired

__all__: list[str] = []  # the rules are run by `vixshield.strategy.hedge.plan_hedges`


def _richness(held: Sequence[tuple[int, PositionMark]]) -> float:
    """Held options' ``sum(|theta| n) / sum(V n) x mean DTE`` (see module docstring)."""
    value = sum(m.value * n for n, m in held)
    theta = sum(abs(m.theta) * n for n, m in held)
    dte = sum(m.dte * m.value * n for n, m in held) / value if value > 0 else math.nan
    return theta / value * dte if value > 0 else math.nan


_Held = list[tuple[Position, int, PositionMark]]
"""A layer's counted holdings: (position, contracts counted, its mark)."""


class _Step(NamedTuple):
    """Orders, audit entries and the net premium at mid (USD, buys > 0) of one rule."""

    orders: tuple[Order, ...] = ()
    audit: tuple[RuleFired, ...] = ()
    flow: float = 0.0


_NOTHING = _Step()


def _exits(
    ctx: HedgeContext, hp: HedgePolicy, layer: HedgeLayer, monetised: frozenset[str]
) -> tuple[_Step, set[str], _Held]:
    """Rolls (DTE floor, theta share) and monetising; returns the remaining holdings.

    DTE floor: at ``dte <= roll_dte`` the position is closed if its bid covers
    the round-trip cost, else held to expiry ("expire"); either way it stops
    counting towards the layer's holdings, so the layer buys its replacement.
    Theta share: ``|theta| > roll_theta_share x value`` closes the position only
    if it has been held ``min_hold_days`` and its bid proceeds are at least
    ``roll_min_multiple`` x the round-trip cost ("worth rolling"); otherwise it
    is kept (and counted) until the DTE floor.
    """
    name = layer.name
    held = ctx._grouped[0].get(name)
    if not held:
        return _NOTHING, set(), []
    date, marks, per_contract = ctx.date, ctx.marks, ctx.costs.per_contract
    orders: list[Order] = []
    audit: list[RuleFired] = []
    flow = 0.0
    new_monetised: set[str] = set()
    remaining: _Held = []

    def close(p: Position, n: int, why: str) -> None:
        orders.append(Order("close", "hedge", p.legs, n, why, p.id, layer=name))

    roll_dte, theta_share = layer.roll_dte, layer.roll_theta_share
    for p in held:
        m = marks.get(p.id)
        value = m.value if m is not None else math.nan
        if m is None or math.isnan(value):
            why = "no mark: held, not counted"
            audit.append(RuleFired(f"mark:{name}", {"id": p.id}, "warn", why))
            continue
        unit = value * _MULT  # USD per contract at mid
        if m.dte <= roll_dte:
            proceeds, rt = _bid_proceeds(m), _round_trip(p, m, per_contract)
            inputs: dict[str, float | str] = {
                "id": p.id,
                "dte": m.dte,
                "floor": roll_dte,
                "bid_proceeds": proceeds,
                "round_trip_cost": rt,
            }
            if proceeds >= rt:
                close(p, p.contracts, "roll: dte floor")
                audit.append(RuleFired(f"roll:{name}", inputs, "info", "roll"))
                flow -= unit * p.contracts
            else:
                why = "expire: bid below round-trip cost"
                audit.append(RuleFired(f"roll:{name}", inputs, "warn", why))
            continue
        if value > 0 and abs(m.theta) > theta_share * value:
            days = _held_days(p, date)
            proceeds, rt = _bid_proceeds(m), _round_trip(p, m, per_contract)
            worth = proceeds >= hp.roll_min_multiple * rt
            inputs = {
                "id": p.id,
                "theta": m.theta,
                "value": value,
                "share": theta_share,
                "held_days": days,
                "min_hold_days": hp.min_hold_days,
                "bid_proceeds": proceeds,
                "round_trip_cost": rt,
                "min_multiple": hp.roll_min_multiple,
            }
            if days >= hp.min_hold_days and worth:
                close(p, p.contracts, "roll: theta")
                audit.append(RuleFired(f"roll_theta:{name}", inputs, "info", "roll"))
                flow -= unit * p.contracts
                continue
            why = "hold: minimum holding period" if worth else "hold: not worth rolling"
            audit.append(RuleFired(f"roll_theta:{name}", inputs, "info", why))
        n, cost = p.contracts, p.entry_price
        if (
            cost > 0
            and value >= layer.monetise_multiple * cost
            and p.id not in monetised
            and _sellable(p, m, per_contract)
        ):
            k = min(n, max(1, math.floor(layer.monetise_share * n)))
            close(p, k, f"monetise at {value / cost:.2f}x cost")
            inputs = {
                "id": p.id,
                "value": value,
                "cost": cost,
                "multiple": layer.monetise_multiple,
            }
            audit.append(RuleFired(f"monetise:{name}", inputs, "info", f"sell {k} of {n}"))
            new_monetised.add(p.id)
            flow -= unit * k
            n -= k
        if n > 0:
            remaining.append((p, n, m))
    return _Step(tuple(orders), tuple(audit), flow), new_monetised, remaining


class _Target(NamedTuple):
    """A layer's own target of the day (USD) and what set it."""

    budget: float
    multiplier: float
    in_window: bool
    event_scale: float
    smoothed: float
    audit: tuple[RuleFired, ...]

    @property
    def own(self) -> float:
        """The smoothed target times the event factor."""
        return self.smoothed * self.event_scale


def _layer_target(
    ctx: HedgeContext,
    hp: HedgePolicy,
    layer: HedgeLayer,
    memory: HedgeMemory,
    weights: float,
) -> _Target:
    """Budget -> smoothed target -> event pre-positioning (see the module docstring).

    Reads the layer's budget basis, multiplier, the events' distances and the previous
    smoothed target (``weights``: the sum of the layers' weights); decides the layer's
    own target premium of the day.
    """
    name = layer.name
    condors = ctx._grouped[1]
    budget = annual_budget(layer, hp.budget_basis, ctx.equity, condors, ctx.condor_dte_target)
    cover_inputs: dict[str, float | str] = {}
    if hp.budget_cover:  # bounded by the spend the condor credit funds (module docstring)
        share = layer.weight / weights if weights > 0 else 0.0
        rate = ctx.credit_rate
        cover = share * rate / hp.credit_to_hedge_min
        cover_inputs = {
            "basis_budget": budget,
            "cover_budget": cover,
            "credit_rate": rate,
            "budget_bound": "cover" if cover < budget else "basis",
        }
        budget = min(budget, cover)
    mult = ctx.multipliers.get(name, 1.0)
    audit: tuple[RuleFired, ...] = ()
    in_window, ev_scale = False, 1.0
    if layer.event_scale != 1.0:  # pre-positioning ahead of the layer's events
        near = [
            d
            for d in (ctx.days_to_events.get(k, math.nan) for k in layer.event_kinds)
            if not math.isnan(d)
        ]
        in_window = bool(near) and min(near) <= layer.event_days_before
        ev_scale = layer.event_scale if in_window else 1.0
        inputs: dict[str, float | str] = {
            "days_to_event": min(near) if near else "none",
            "before": layer.event_days_before,
        }
        note = f"scale x{ev_scale:g}" if in_window else "off"
        audit = (RuleFired(f"event_preposition:{name}", inputs, "info", note),)
    raw = target_premium(budget, layer, mult)
    previous = memory.smoothed.get(name)
    own_s = smooth(previous, raw, hp.target_halflife)
    inputs = {
        "raw": raw,
        "previous": previous if previous is not None else "none",
        "halflife": hp.target_halflife,
        **cover_inputs,
    }
    smoothing = RuleFired(f"target_smoothing:{name}", inputs, "info", f"target {own_s:.0f}")
    return _Target(budget, mult, in_window, ev_scale, own_s, (*audit, smoothing))


def _temporal_theta(
    ctx: HedgeContext,
    hp: HedgePolicy,
    li: int,
    remaining: _Held,
    moved_until: str | None,
) -> tuple[_Step, _Held, str | None]:
    """The temporal theta roll of layer ``li`` into the next (see the module docstring).

    Reads the layer's remaining holdings and the next layer's marks; returns its
    closing orders, the holdings kept and the date until which its target is moved.
    """
    layer = hp.layers[li]
    if not (layer.temporal_theta and li + 1 < len(hp.layers)) or moved_until or not remaining:
        return _NOTHING, remaining, moved_until
    nxt = hp.layers[li + 1].name
    marks = ctx.marks
    held_next = [(p.contracts, marks[p.id]) for p in ctx._grouped[0].get(nxt, ()) if p.id in marks]
    own = [(n, m) for _, n, m in remaining]
    rich = _richness(own) / _richness(held_next) if held_next else math.nan
    fire = rich > hp.temporal_theta_ratio
    inputs: dict[str, float | str] = {
        "richness": rich if not math.isnan(rich) else "missing",
        "limit": hp.temporal_theta_ratio,
    }
    rule = f"temporal_theta:{layer.name}"
    audit = (RuleFired(rule, inputs, "info", f"roll into {nxt}" if fire else "keep"),)
    if not fire:
        return _Step((), audit), remaining, moved_until
    orders: list[Order] = []
    flow = 0.0
    kept: _Held = []
    per_contract = ctx.costs.per_contract
    for p, n, m in remaining:
        young = _held_days(p, ctx.date) < hp.min_hold_days
        if young or not _sellable(p, m, per_contract):
            kept.append((p, n, m))  # too young to sell, or worth less than costs
            continue
        why = f"temporal theta: roll into {nxt}"
        orders.append(Order("close", "hedge", p.legs, n, why, p.id, layer=layer.name))
        flow -= m.value * _MULT * n
    until = str((pd.Timestamp(ctx.date) + pd.Timedelta(days=layer.dte_min)).date())
    return _Step(tuple(orders), audit, flow), kept, until


class _Rebalance(NamedTuple):
    """The rebalance rule's orders and the buy it chose (None: nothing bought)."""

    step: _Step
    paid: float = 0.0
    choice: HedgeChoice | None = None


def _sell_down(
    ctx: HedgeContext,
    hp: HedgePolicy,
    layer: HedgeLayer,
    target: float,
    remaining: _Held,
    held_premium: float,
    ended: bool,
) -> _Step:
    """Sell the nearest expiries down to ``target`` (those held long enough and sellable)."""
    excess = held_premium - target
    blocked = 0
    orders: list[Order] = []
    flow = 0.0
    per_contract = ctx.costs.per_contract
    for p, n, m in sorted(remaining, key=lambda x: x[2].dte):
        unit = m.value * _MULT
        if excess <= 0 or unit <= 0:
            break
        if _held_days(p, ctx.date) < hp.min_hold_days or not _sellable(p, m, per_contract):
            blocked += n
            continue
        k = min(n, math.floor(excess / unit))
        if k > 0:
            why = "event passed" if ended else "above target"
            orders.append(Order("close", "hedge", p.legs, k, why, p.id, layer=layer.name))
            excess -= k * unit
            flow -= k * unit
    inputs: dict[str, float | str] = {
        "held": held_premium,
        "target": target,
        "min_hold_days": hp.min_hold_days,
        "contracts_held_back": blocked,
    }
    audit = (RuleFired(f"rebalance:{layer.name}", inputs, "info", "sell down"),)
    return _Step(tuple(orders), audit, flow)


def _buy_up(
    ctx: HedgeContext,
    layer: HedgeLayer,
    target: float,
    held_basis: float,
    cap: tuple[float, float],
    mult: float,
    quotes: ExpiryQuotes,
) -> _Rebalance:
    """Buy up to ``target`` within the layer's cap, the option of `choose_hedge`.

    ``cap``: (the layer's share of the weights, its share of the remaining cap in USD);
    ``quotes``: the day's quotes of the layers' candidate expiries.
    """
    name = layer.name
    share, layer_cap = cap
    choice, rf = choose_hedge(ctx.date, ctx.market, layer, ctx.costs, quotes)
    audit = [rf]
    orders: list[Order] = []
    bought, paid, flow = 0, 0.0, 0.0
    if choice is not None and choice.decay_rate > layer.roll_theta_share:
        inputs: dict[str, float | str] = {
            "decay_rate": choice.decay_rate,
            "roll_theta_share": layer.roll_theta_share,
        }
        why = "would roll at once; not bought"
        audit.append(RuleFired(f"hedge_decay:{name}", inputs, "fail", why))
        choice = None
    if choice is not None and choice.fill > 0:
        by_target = math.floor((target - held_basis) / (choice.fill * _MULT))
        each = buy_cost(choice, ctx.costs)
        bought = capped_contracts(by_target, layer_cap, each)
        by_cap: float | str = math.floor(layer_cap / each) if math.isfinite(layer_cap) else "inf"
        inputs = {
            "share": share,
            "cap": layer_cap if math.isfinite(layer_cap) else "inf",
            "cost_per_contract": each,
            "by_target": by_target,
            "by_cap": by_cap,
        }
        capped = bought < by_target
        audit.append(
            RuleFired(
                f"credit_budget:{name}",
                inputs,
                "warn" if capped else "pass",
                "capped" if capped else "within cap",
            )
        )
        if bought > 0:
            why = f"buy to target (x{mult:g} regime)"
            orders.append(Order("open", "hedge", choice.legs, bought, why, layer=name))
            flow = bought * choice.fill * _MULT
            paid = bought * each
    inputs = {"held_basis": held_basis, "target": target}
    audit.append(RuleFired(f"rebalance:{name}", inputs, "info", f"buy {bought}"))
    return _Rebalance(_Step(tuple(orders), tuple(audit), flow), paid, choice)


def _rebalance(
    ctx: HedgeContext,
    hp: HedgePolicy,
    layer: HedgeLayer,
    target: float,
    cap: tuple[float, float],
    remaining: _Held,
    held: tuple[float, float],
    ended: bool,
    mult: float,
    quotes: ExpiryQuotes,
) -> _Rebalance:
    """Sell down above the band, buy up below it within the layer's share of the cap.

    ``cap``: the layer's (share of the weights, share of the remaining cap in USD).
    Holdings count at ``held = (held_premium, held_basis)``: the marked value for
    selling, the larger of cost and value per tranche for buying (module docstring).
    ``quotes``: the day's quotes of the layers' candidate expiries (`_buy_up`).
    """
    share, layer_cap = cap
    held_premium, held_basis = held
    sell_to = target if ended else (1.0 + hp.sell_band) * target
    if held_premium > sell_to and remaining:
        return _Rebalance(_sell_down(ctx, hp, layer, target, remaining, held_premium, ended))
    if not (target > 0 and held_basis < (1.0 - hp.buy_band) * target):
        return _Rebalance(_NOTHING)
    if layer_cap <= 0:
        inputs: dict[str, float | str] = {
            "held_basis": held_basis,
            "target": target,
            "share": share,
            "cap": 0.0,
        }
        why = "no credit-to-hedge budget; not bought"
        fired = RuleFired(f"credit_budget:{layer.name}", inputs, "fail", why)
        return _Rebalance(_Step((), (fired,)))
    return _buy_up(ctx, layer, target, held_basis, (share, layer_cap), mult, quotes)
