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
The target is scaled by the layer multiplier (regime engine, bounded), the
event factor and the credit-to-hedge shrink factor.

Rebalancing: buy when held premium < (1 - buy_band) x target; sell down when
held > (1 + sell_band) x target, or to the target right after an event
pre-positioning ends. The credit-to-hedge shrink factor scales the target for
buying only: it stops new premium, it does not force sales. Exits: roll
(close) at ``roll_dte`` or when theta per day
exceeds ``roll_theta_share`` of the value; monetise ``monetise_share`` of a
position once its value reaches ``monetise_multiple`` x its cost (once per
position).

Temporal theta: for a layer flagged ``temporal_theta`` (the short layer) the
measure is its held options' decay per premium dollar scaled by their time to
expiry, ``R = (|theta| / V) x DTE``, against the same for the next (medium)
layer's holdings: ``richness = R_short / R_next``. For options of similar
moneyness under a flat vol term structure ``|theta| / V ~ 1 / (2 DTE)`` so the
richness is about 1; it rises when short-dated options decay faster than
their tenor explains (short-dated vol bid, or the options far OTM). Above
``temporal_theta_ratio`` the short layer is rolled into the medium bucket: its
holdings are closed and, for the layer's ``dte_min`` calendar days, its target
is added to the next layer's. Marks only: no chain is built for this rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from vixshield._typing import Right, Underlying
from vixshield.markets.types import Expiry, MarketView
from vixshield.strategy.condor import chain_mask, float_col
from vixshield.strategy.marks import PositionMark
from vixshield.strategy.policy import HedgeLayer, Policy
from vixshield.strategy.types import Leg, Order, Position, RuleFired

__all__ = [
    "HedgeChoice",
    "LayerPlan",
    "annual_budget",
    "choose_hedge",
    "plan_hedges",
    "target_premium",
]

_MULT = 100.0  # VIX and SPX option multiplier, USD per point


@dataclass(frozen=True)
class HedgeChoice:
    """The option (or spread) a layer would buy today, per unit (points)."""

    legs: tuple[Leg, ...]
    mid: float
    fill: float
    delta: float
    vega: float
    theta: float
    dte: int

    @property
    def decay_rate(self) -> float:
        """|theta per day| / mid: share of the premium lost per calendar day."""
        return abs(self.theta) / self.mid if self.mid > 0 else math.nan


@dataclass(frozen=True)
class LayerPlan:
    """One layer's target versus holdings, and its orders."""

    layer: str
    details: dict[str, float | int | str]
    orders: tuple[Order, ...]
    audit: tuple[RuleFired, ...]
    premium_flow: float = 0.0
    monetised: frozenset[str] = field(default_factory=frozenset)
    prepositioned: bool = False
    moved_until: str | None = None


def annual_budget(
    layer: HedgeLayer,
    basis: str,
    equity: float,
    condors: Sequence[Position],
    dte_target: int,
) -> float:
    """Annual premium budget of ``layer`` in USD (see the module docstring)."""
    if basis == "equity":
        base = equity
    elif basis == "credit":
        credit = sum(-p.entry_price * _MULT * p.contracts for p in condors)
        base = credit * 365.0 / dte_target
    else:
        base = 0.0
        for p in condors:
            puts = sorted(leg.strike for leg in p.legs if leg.right == "P")
            calls = sorted(leg.strike for leg in p.legs if leg.right == "C")
            width = max(puts[-1] - puts[0] if puts else 0.0, calls[-1] - calls[0] if calls else 0.0)
            base += (width + p.entry_price) * _MULT * p.contracts
    return layer.weight * max(base, 0.0)


def target_premium(budget: float, layer: HedgeLayer, multiplier: float) -> float:
    """Premium to hold (USD): ``budget x D / 365 x multiplier``, D the mid-window tenor in days."""
    tenor = 0.5 * (layer.dte_min + layer.dte_max)
    return budget * tenor / 365.0 * multiplier


def _pick_expiry(date: pd.Timestamp, expiries: list[Expiry], layer: HedgeLayer) -> Expiry | None:
    mid = 0.5 * (layer.dte_min + layer.dte_max)
    best: tuple[float, int] | None = None
    pick = None
    for e in expiries:
        dte = int((pd.Timestamp(e.date).normalize() - date.normalize()).days)
        if layer.dte_min <= dte <= layer.dte_max and (best is None or (abs(dte - mid), dte) < best):
            best, pick = (abs(dte - mid), dte), e
    return pick


def choose_hedge(
    date: pd.Timestamp, market: MarketView, layer: HedgeLayer, spread_share: float
) -> tuple[HedgeChoice | None, RuleFired]:
    """The option a layer buys: expiry nearest the middle of its window, strike by
    delta (nearest |delta|) or percent OTM of the forward (VIX future / SPX forward)."""
    und: Underlying = "SPX" if layer.instrument == "spx_put" else "VIX"
    right: Right = "P" if layer.instrument == "spx_put" else "C"
    exp = _pick_expiry(date, market.expiries(date, und), layer)
    if exp is None:
        return None, RuleFired(
            f"hedge_select:{layer.name}",
            {"dte_min": layer.dte_min, "dte_max": layer.dte_max},
            "fail: no expiry in window",
        )
    qf = market.chain(date, und, exp.date).quotes
    sel = chain_mask(qf, exp.date, exp.root) & (qf["right"].to_numpy() == right)
    rows = np.flatnonzero(sel)
    cols = ("strike", "mid", "bid", "ask", "delta", "vega", "theta", "forward")
    arr = {c: float_col(qf, c)[rows] for c in cols}
    order = np.argsort(arr["strike"], kind="stable")
    arr = {c: v[order] for c, v in arr.items()}
    k, mid = arr["strike"], arr["mid"]
    ok = mid > 0
    if not ok.any():
        return None, RuleFired(
            f"hedge_select:{layer.name}", {"expiry": str(exp.date.date())}, "fail: no quotes"
        )
    fwd = float(np.nanmedian(arr["forward"]))
    if layer.strike_rule == "delta":
        d = np.abs(arr["delta"])
        i = int(np.nanargmin(np.where(ok, np.abs(d - layer.strike_value), np.inf)))
    else:
        sign = -1.0 if right == "P" else 1.0
        target = fwd * (1.0 + sign * layer.strike_value / 100.0)
        i = int(np.argmin(np.where(ok, np.abs(k - target), np.inf)))
    spread = arr["ask"] - arr["bid"]
    greeks = {g: arr[g] for g in ("delta", "vega", "theta")}
    legs = [Leg(und, exp.root, exp.date, exp.settlement, float(k[i]), right, 1)]
    price, fill = float(mid[i]), float(mid[i] + spread_share * spread[i])
    dl, vg, th = (float(greeks[g][i]) for g in ("delta", "vega", "theta"))
    if layer.instrument == "vix_call_spread":
        j = int(
            np.argmin(np.where(ok & (k > k[i]), np.abs(k - (k[i] + layer.spread_width)), np.inf))
        )
        if j != i and k[j] > k[i]:
            legs.append(Leg(und, exp.root, exp.date, exp.settlement, float(k[j]), right, -1))
            price -= float(mid[j])
            fill -= float(mid[j] - spread_share * spread[j])
            dl, vg, th = (dl - greeks["delta"][j], vg - greeks["vega"][j], th - greeks["theta"][j])
    dte = int((pd.Timestamp(exp.date).normalize() - date.normalize()).days)
    choice = HedgeChoice(tuple(legs), price, fill, float(dl), float(vg), float(th), dte)
    return choice, RuleFired(
        f"hedge_select:{layer.name}",
        {"expiry": str(exp.date.date()), "strike": float(k[i]), "forward": fwd, "mid": price},
        "selected",
    )


def _layer_positions(positions: Sequence[Position], layer: str) -> list[Position]:
    return [p for p in positions if p.kind == f"hedge:{layer}"]


def _richness(held: Sequence[tuple[Position, int, PositionMark]]) -> float:
    """Held options' ``sum(|theta| n) / sum(V n) x mean DTE`` (see module docstring)."""
    value = sum(m.value * n for _, n, m in held)
    theta = sum(abs(m.theta) * n for _, n, m in held)
    dte = sum(m.dte * m.value * n for _, n, m in held) / value if value > 0 else math.nan
    return theta / value * dte if value > 0 else math.nan


def _exits(
    layer: HedgeLayer,
    held: Sequence[Position],
    marks: Mapping[str, PositionMark],
    monetised: frozenset[str],
) -> tuple[list[Order], list[RuleFired], float, set[str], list[tuple[Position, int, PositionMark]]]:
    """Rolls (DTE floor, theta share) and monetising; returns the remaining holdings."""
    kind = f"hedge:{layer.name}"
    orders: list[Order] = []
    audit: list[RuleFired] = []
    flow = 0.0
    new_monetised: set[str] = set()
    remaining: list[tuple[Position, int, PositionMark]] = []
    for p in held:
        m = marks.get(p.id)
        if m is None or math.isnan(m.value):
            audit.append(
                RuleFired(f"mark:{layer.name}", {"id": p.id}, "no mark: held, not counted")
            )
            continue
        unit = m.value * _MULT  # USD per contract at mid
        if m.dte <= layer.roll_dte:
            orders.append(Order("close", kind, p.legs, p.contracts, "roll: dte floor", p.id))
            audit.append(
                RuleFired(
                    f"roll:{layer.name}",
                    {"id": p.id, "dte": m.dte, "floor": layer.roll_dte},
                    "roll",
                )
            )
            flow -= unit * p.contracts
            continue
        if m.value > 0 and abs(m.theta) > layer.roll_theta_share * m.value:
            orders.append(Order("close", kind, p.legs, p.contracts, "roll: theta", p.id))
            audit.append(
                RuleFired(
                    f"roll_theta:{layer.name}",
                    {
                        "id": p.id,
                        "theta": m.theta,
                        "value": m.value,
                        "share": layer.roll_theta_share,
                    },
                    "roll",
                )
            )
            flow -= unit * p.contracts
            continue
        n = p.contracts
        if (
            p.id not in monetised
            and p.entry_price > 0
            and m.value >= layer.monetise_multiple * p.entry_price
        ):
            k = min(n, max(1, math.floor(layer.monetise_share * n)))
            orders.append(
                Order(
                    "close",
                    kind,
                    p.legs,
                    k,
                    f"monetise at {m.value / p.entry_price:.2f}x cost",
                    p.id,
                )
            )
            audit.append(
                RuleFired(
                    f"monetise:{layer.name}",
                    {
                        "id": p.id,
                        "value": m.value,
                        "cost": p.entry_price,
                        "multiple": layer.monetise_multiple,
                    },
                    f"sell {k} of {n}",
                )
            )
            new_monetised.add(p.id)
            flow -= unit * k
            n -= k
        if n > 0:
            remaining.append((p, n, m))
    return orders, audit, flow, new_monetised, remaining


def plan_hedges(
    date: pd.Timestamp,
    market: MarketView,
    policy: Policy,
    positions: Sequence[Position],
    marks: Mapping[str, PositionMark],
    equity: float,
    multipliers: Mapping[str, float],
    days_to_events: Mapping[str, float],
    shrink: float,
    monetised: frozenset[str],
    prepositioned: frozenset[str],
    moved: Mapping[str, str] | None = None,
) -> list[LayerPlan]:
    """Plan every layer for the day (see the module docstring for the rules).

    ``moved`` maps a layer rolled by the temporal theta rule to the ISO date
    until which its target goes to the next layer. Premium flows are at mid.
    """
    hp = policy.hedge
    moved = moved or {}
    day = str(pd.Timestamp(date).date())
    condors = [p for p in positions if p.kind == "condor"]
    plans: list[LayerPlan] = []
    carry = 0.0  # target premium moved in from the previous layer (temporal theta)
    for li, layer in enumerate(hp.layers):
        kind = f"hedge:{layer.name}"
        budget = annual_budget(layer, hp.budget_basis, equity, condors, policy.condor.dte_target)
        mult = multipliers.get(layer.name, 1.0)
        audit: list[RuleFired] = []
        near = [
            d
            for d in (days_to_events.get(k, math.nan) for k in layer.event_kinds)
            if not math.isnan(d)
        ]
        in_window = layer.event_scale != 1.0 and bool(near) and min(near) <= layer.event_days_before
        ev_scale = layer.event_scale if in_window else 1.0
        if layer.event_scale != 1.0:
            audit.append(
                RuleFired(
                    f"event_preposition:{layer.name}",
                    {
                        "days_to_event": min(near) if near else "none",
                        "before": layer.event_days_before,
                    },
                    f"scale x{ev_scale:g}" if in_window else "off",
                )
            )
        own = target_premium(budget, layer, mult) * ev_scale
        unshrunk = own + carry
        carry = 0.0
        orders, ex_audit, flow, new_mon, remaining = _exits(
            layer, [p for p in positions if p.kind == kind], marks, monetised
        )
        audit += ex_audit
        moved_until = moved.get(layer.name)
        if moved_until is not None and moved_until < day:
            moved_until = None
        has_next = li + 1 < len(hp.layers)
        if layer.temporal_theta and has_next and moved_until is None and remaining:
            nxt = hp.layers[li + 1].name
            held_next = [
                (p, p.contracts, marks[p.id])
                for p in positions
                if p.kind == f"hedge:{nxt}" and p.id in marks
            ]
            rich = _richness(remaining) / _richness(held_next) if held_next else math.nan
            fire = rich > hp.temporal_theta_ratio
            audit.append(
                RuleFired(
                    f"temporal_theta:{layer.name}",
                    {
                        "richness": rich if not math.isnan(rich) else "missing",
                        "limit": hp.temporal_theta_ratio,
                    },
                    f"roll into {nxt}" if fire else "keep",
                )
            )
            if fire:
                for p, n, m in remaining:
                    orders.append(
                        Order("close", kind, p.legs, n, f"temporal theta: roll into {nxt}", p.id)
                    )
                    flow -= m.value * _MULT * n
                remaining = []
                moved_until = str((pd.Timestamp(date) + pd.Timedelta(days=layer.dte_min)).date())
        if moved_until is not None and has_next:
            carry = unshrunk
            unshrunk = 0.0
            audit.append(
                RuleFired(
                    f"temporal_theta:{layer.name}",
                    {"until": moved_until},
                    "target moved to next layer",
                )
            )
        target = unshrunk * shrink
        held_premium = sum(m.value * _MULT * n for _, n, m in remaining)
        ended = layer.name in prepositioned and not in_window
        sell_to = unshrunk if ended else (1.0 + hp.sell_band) * unshrunk
        choice: HedgeChoice | None = None
        if held_premium > sell_to and remaining:
            excess = held_premium - unshrunk
            for p, n, m in sorted(remaining, key=lambda x: x[2].dte):
                unit = m.value * _MULT
                if excess <= 0 or unit <= 0:
                    break
                k = min(n, math.floor(excess / unit))
                if k > 0:
                    why = "event passed" if ended else "above target"
                    orders.append(Order("close", kind, p.legs, k, why, p.id))
                    excess -= k * unit
                    flow -= k * unit
            audit.append(
                RuleFired(
                    f"rebalance:{layer.name}",
                    {"held": held_premium, "target": unshrunk},
                    "sell down",
                )
            )
        elif target > 0 and held_premium < (1.0 - hp.buy_band) * target:
            choice, rf = choose_hedge(date, market, layer, policy.costs.spread_share)
            audit.append(rf)
            bought = 0
            if choice is not None and choice.decay_rate > layer.roll_theta_share:
                audit.append(
                    RuleFired(
                        f"hedge_decay:{layer.name}",
                        {
                            "decay_rate": choice.decay_rate,
                            "roll_theta_share": layer.roll_theta_share,
                        },
                        "fail: would roll at once; not bought",
                    )
                )
                choice = None
            if choice is not None and choice.fill > 0:
                bought = math.floor((target - held_premium) / (choice.fill * _MULT))
                if bought > 0:
                    orders.append(
                        Order(
                            "open", kind, choice.legs, bought, f"buy to target (x{mult:g} regime)"
                        )
                    )
                    flow += bought * choice.fill * _MULT
            audit.append(
                RuleFired(
                    f"rebalance:{layer.name}",
                    {"held": held_premium, "target": target},
                    f"buy {bought}",
                )
            )
        if choice is not None:
            unit = choice.fill * _MULT
            unit_delta, unit_vega = choice.delta * _MULT, choice.vega * _MULT
        elif remaining:
            m0 = remaining[0][2]
            unit, unit_delta, unit_vega = m0.value * _MULT, m0.delta * _MULT, m0.vega * _MULT
        else:
            unit = unit_delta = unit_vega = math.nan
        n_target = math.floor(target / unit) if unit > 0 and math.isfinite(target) else 0
        details: dict[str, float | int | str] = {
            "layer": layer.name,
            "instrument": layer.instrument,
            "budget_basis": hp.budget_basis,
            "annual_budget": budget,
            "multiplier": mult,
            "event_scale": ev_scale,
            "shrink": shrink,
            "target_premium": target,
            "target_contracts": n_target,
            "target_delta": n_target * unit_delta if n_target else 0.0,
            "target_vega": n_target * unit_vega if n_target else 0.0,
            "held_contracts": sum(n for _, n, _ in remaining),
            "held_premium": held_premium,
            "held_delta": sum(m.delta * _MULT * n for _, n, m in remaining),
            "held_vega": sum(m.vega * _MULT * n for _, n, m in remaining),
            "moved_until": moved_until or "",
            "orders": len(orders),
        }
        plans.append(
            LayerPlan(
                layer.name,
                details,
                tuple(orders),
                tuple(audit),
                flow,
                frozenset(monetised | new_mon),
                in_window,
                moved_until,
            )
        )
    return plans
