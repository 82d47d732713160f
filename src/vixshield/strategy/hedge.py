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

Credit-to-hedge budget cap (`vixshield.strategy.state`): what a layer may
*spend* on a day is ``min(its basis-driven buy, share x remaining cap)``, its
share the layer's weight over the sum of the weights (0.4 / 0.4 / 0.2 for
4/4/2) and the remaining cap the window's condor credit / ratio less the
hedge premium already paid in the window. A buy is sized in whole contracts at
``fill x 100 + legs x (commission + fees)`` USD each (fill = mid +
spread_share x width), so it never exceeds the layer's share. A layer whose
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
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray, Right, Underlying
from vixshield.errors import NotListed
from vixshield.markets.types import Expiry, MarketView
from vixshield.strategy.condor import chain_mask, day_number, float_col
from vixshield.strategy.marks import PositionMark
from vixshield.strategy.policy import CostsPolicy, HedgeLayer, HedgePolicy, Policy
from vixshield.strategy.types import Leg, Order, Position, RuleFired

__all__ = [
    "HedgeChoice",
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
    """One layer's target versus holdings, and its orders.

    ``premium_flow`` is the net premium at mid (USD, buys positive);
    ``premium_paid`` the buys at the modeled fill plus costs and ``proceeds``
    the sales at the modeled fill less costs (USD, both >= 0): `buy_cost`,
    `sale_proceeds`.
    """

    layer: str
    details: dict[str, float | int | str]
    orders: tuple[Order, ...]
    audit: tuple[RuleFired, ...]
    premium_flow: float = 0.0
    monetised: frozenset[str] = field(default_factory=frozenset)
    prepositioned: bool = False
    moved_until: str | None = None
    smoothed_target: float = math.nan
    premium_paid: float = 0.0
    proceeds: float = 0.0


def buy_cost(choice: HedgeChoice, costs: CostsPolicy) -> float:
    """USD paid per contract bought: ``fill x 100 + legs x (commission + fees)``.

    ``fill`` is the modeled fill of `choose_hedge` (mid + spread_share x width
    per leg bought, minus it per leg sold), the rule the execution layer fills at.
    """
    per_leg = costs.commission_per_contract + costs.fees_per_contract
    return choice.fill * _MULT + len(choice.legs) * per_leg


def capped_contracts(by_target: int, layer_cap: float, cost_each: float) -> int:
    """Contracts a layer buys: ``max(min(by_target, floor(layer_cap / cost_each)), 0)``.

    ``by_target`` contracts would bring the layer to its target; ``layer_cap``
    (USD, inf: none) is its share of the remaining credit-to-hedge budget and
    ``cost_each`` (USD, > 0) what one contract costs with costs (`buy_cost`), so
    the premium paid ``n x cost_each`` never exceeds ``layer_cap``.
    """
    if not math.isfinite(layer_cap):
        return max(by_target, 0)
    if not (cost_each > 0) or not (layer_cap > 0):
        return 0
    return max(min(by_target, math.floor(layer_cap / cost_each)), 0)


def sale_proceeds(
    position: Position, contracts: int, mark: PositionMark, costs: CostsPolicy
) -> float:
    """Modeled USD proceeds of selling ``contracts`` of a hedge position.

    ``contracts x (100 x max(value - spread_share x spread, 0) - legs x (commission + fees))``,
    with ``spread`` the summed quoted width of its legs (points per unit).
    """
    per_leg = costs.commission_per_contract + costs.fees_per_contract
    spread = mark.spread if math.isfinite(mark.spread) else 0.0
    unit = max(mark.value - costs.spread_share * max(spread, 0.0), 0.0) * _MULT
    return contracts * (unit - len(position.legs) * per_leg)


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
    today = day_number(date)
    for e in expiries:
        dte = day_number(e.date) - today
        if layer.dte_min <= dte <= layer.dte_max and (best is None or (abs(dte - mid), dte) < best):
            best, pick = (abs(dte - mid), dte), e
    return pick


_QUOTE_COLS = ("strike", "mid", "bid", "ask", "delta", "vega", "theta", "forward")


def _expiry_quotes(
    date: pd.Timestamp, market: MarketView, und: Underlying, exp: Expiry, right: Right
) -> dict[str, FloatArray]:
    """Quotes of one expiry's ``right`` options, by ascending strike.

    Uses ``market.strikes`` plus one vectorised ``market.quote`` (prices only
    the options of one right of one expiry); a market without ``strikes``
    (before the markets layer added it) is read through ``market.chain``.
    """
    strikes = getattr(market, "strikes", None)
    if strikes is not None:
        k = np.sort(np.asarray(strikes(date, und, exp.date), dtype=np.float64))
        qb = market.quote(date, und, [exp.date] * len(k), k, [right] * len(k))
        arr = {
            "strike": k,
            "mid": qb.mid,
            "bid": qb.bid,
            "ask": qb.ask,
            "delta": qb.delta,
            "vega": qb.vega,
            "theta": qb.theta,
            "forward": qb.forward,
        }
        return {c: np.asarray(v, dtype=np.float64) for c, v in arr.items()}
    qf = market.chain(date, und, exp.date).quotes
    sel = chain_mask(qf, exp.date, exp.root) & (qf["right"].to_numpy() == right)
    rows = np.flatnonzero(sel)
    out = {c: float_col(qf, c)[rows] for c in _QUOTE_COLS}
    order = np.argsort(out["strike"], kind="stable")
    return {c: v[order] for c, v in out.items()}


def choose_hedge(
    date: pd.Timestamp, market: MarketView, layer: HedgeLayer, spread_share: float
) -> tuple[HedgeChoice | None, RuleFired]:
    """The option a layer buys: expiry nearest the middle of its window, strike by
    delta (nearest |delta|) or percent OTM of the forward (VIX future / SPX forward)."""
    und: Underlying = "SPX" if layer.instrument == "spx_put" else "VIX"
    right: Right = "P" if layer.instrument == "spx_put" else "C"
    try:
        listed = market.expiries(date, und)
    except NotListed as err:  # e.g. VIX options before 2006-02-24: the layer stays idle
        return None, RuleFired(
            f"hedge_select:{layer.name}", {"instrument": layer.instrument}, f"fail: {err}"
        )
    exp = _pick_expiry(date, listed, layer)
    if exp is None:
        return None, RuleFired(
            f"hedge_select:{layer.name}",
            {"dte_min": layer.dte_min, "dte_max": layer.dte_max},
            "fail: no expiry in window",
        )
    arr = _expiry_quotes(date, market, und, exp, right)
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


def _richness(held: Sequence[tuple[Position, int, PositionMark]]) -> float:
    """Held options' ``sum(|theta| n) / sum(V n) x mean DTE`` (see module docstring)."""
    value = sum(m.value * n for _, n, m in held)
    theta = sum(abs(m.theta) * n for _, n, m in held)
    dte = sum(m.dte * m.value * n for _, n, m in held) / value if value > 0 else math.nan
    return theta / value * dte if value > 0 else math.nan


def round_trip_cost(position: Position, mark: PositionMark, costs: CostsPolicy) -> float:
    """Round-trip cost of one contract of a hedge position, USD.

    ``2 x legs x (commission + fees) + 100 x spread``: commission and fees in
    and out on every leg, plus the whole quoted width (half paid on the way in,
    half on the way out, at a mid fill model). A position whose bid proceeds
    ``100 x bid_value`` are below this is never sold: it is held to expiry.
    """
    per_leg = costs.commission_per_contract + costs.fees_per_contract
    return 2.0 * len(position.legs) * per_leg + _MULT * max(mark.spread, 0.0)


def _sellable(p: Position, m: PositionMark, costs: CostsPolicy) -> tuple[bool, float, float]:
    """(bid proceeds >= round-trip cost, proceeds, round-trip cost), USD per contract."""
    rt = round_trip_cost(p, m, costs)
    proceeds = m.bid_value * _MULT if math.isfinite(m.bid_value) else m.value * _MULT
    return proceeds >= rt, proceeds, rt


def _held_days(p: Position, date: pd.Timestamp) -> int:
    return int((pd.Timestamp(date).normalize() - pd.Timestamp(p.opened).normalize()).days)


def _exits(
    layer: HedgeLayer,
    held: Sequence[Position],
    marks: Mapping[str, PositionMark],
    monetised: frozenset[str],
    date: pd.Timestamp,
    hp: HedgePolicy,
    costs: CostsPolicy,
) -> tuple[list[Order], list[RuleFired], float, set[str], list[tuple[Position, int, PositionMark]]]:
    """Rolls (DTE floor, theta share) and monetising; returns the remaining holdings.

    DTE floor: at ``dte <= roll_dte`` the position is closed if its bid covers
    the round-trip cost, else held to expiry ("expire"); either way it stops
    counting towards the layer's holdings, so the layer buys its replacement.
    Theta share: ``|theta| > roll_theta_share x value`` closes the position only
    if it has been held ``min_hold_days`` and its bid proceeds are at least
    ``roll_min_multiple`` x the round-trip cost ("worth rolling"); otherwise it
    is kept (and counted) until the DTE floor.
    """
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
        ok, proceeds, rt = _sellable(p, m, costs)
        if m.dte <= layer.roll_dte:
            inputs: dict[str, float | str] = {
                "id": p.id,
                "dte": m.dte,
                "floor": layer.roll_dte,
                "bid_proceeds": proceeds,
                "round_trip_cost": rt,
            }
            if ok:
                orders.append(Order("close", kind, p.legs, p.contracts, "roll: dte floor", p.id))
                audit.append(RuleFired(f"roll:{layer.name}", inputs, "roll"))
                flow -= unit * p.contracts
            else:
                audit.append(
                    RuleFired(f"roll:{layer.name}", inputs, "expire: bid below round-trip cost")
                )
            continue
        if m.value > 0 and abs(m.theta) > layer.roll_theta_share * m.value:
            days = _held_days(p, date)
            worth = proceeds >= hp.roll_min_multiple * rt
            inputs = {
                "id": p.id,
                "theta": m.theta,
                "value": m.value,
                "share": layer.roll_theta_share,
                "held_days": days,
                "min_hold_days": hp.min_hold_days,
                "bid_proceeds": proceeds,
                "round_trip_cost": rt,
                "min_multiple": hp.roll_min_multiple,
            }
            if days >= hp.min_hold_days and worth:
                orders.append(Order("close", kind, p.legs, p.contracts, "roll: theta", p.id))
                audit.append(RuleFired(f"roll_theta:{layer.name}", inputs, "roll"))
                flow -= unit * p.contracts
                continue
            why = "hold: minimum holding period" if worth else "hold: not worth rolling"
            audit.append(RuleFired(f"roll_theta:{layer.name}", inputs, why))
        n = p.contracts
        if (
            p.id not in monetised
            and p.entry_price > 0
            and m.value >= layer.monetise_multiple * p.entry_price
            and ok
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


def smooth(previous: float | None, value: float, halflife: float) -> float:
    """One step of an exponential average with ``halflife`` steps (0: no smoothing).

    ``s = s_prev + a (x - s_prev)`` with ``a = 1 - 2^(-1/halflife)``; the first
    value (``previous`` None or not finite) starts the average.
    """
    if previous is None or not math.isfinite(previous) or halflife <= 0:
        return value
    a = 1.0 - math.pow(2.0, -1.0 / halflife)
    return previous + a * (value - previous)


def plan_hedges(
    date: pd.Timestamp,
    market: MarketView,
    policy: Policy,
    positions: Sequence[Position],
    marks: Mapping[str, PositionMark],
    equity: float,
    multipliers: Mapping[str, float],
    days_to_events: Mapping[str, float],
    monetised: frozenset[str],
    prepositioned: frozenset[str],
    moved: Mapping[str, str] | None = None,
    smoothed: Mapping[str, float] | None = None,
    cap: float = math.inf,
) -> list[LayerPlan]:
    """Plan every layer for the day (see the module docstring for the rules).

    ``cap`` is the remaining credit-to-hedge budget of the day (USD,
    `vixshield.strategy.state.CreditBudget.remaining`; inf: no cap); each layer
    may spend its weight's share of it.

    ``moved`` maps a layer rolled by the temporal theta rule to the ISO date
    until which its target goes to the next layer. ``smoothed`` maps a layer to
    its smoothed own target of the previous close (USD; `LayerPlan.smoothed_target`).
    Premium flows are at mid.
    """
    hp = policy.hedge
    moved = moved or {}
    smoothed = smoothed or {}
    day = str(pd.Timestamp(date).date())
    condors = [p for p in positions if p.kind == "condor"]
    plans: list[LayerPlan] = []
    weights = sum(layer.weight for layer in hp.layers)
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
        raw = target_premium(budget, layer, mult)
        own_s = smooth(smoothed.get(layer.name), raw, hp.target_halflife)
        audit.append(
            RuleFired(
                f"target_smoothing:{layer.name}",
                {
                    "raw": raw,
                    "previous": smoothed.get(layer.name, "none"),
                    "halflife": hp.target_halflife,
                },
                f"target {own_s:.0f}",
            )
        )
        own = own_s * ev_scale
        target = own + carry
        carry = 0.0
        orders, ex_audit, flow, new_mon, remaining = _exits(
            layer,
            [p for p in positions if p.kind == kind],
            marks,
            monetised,
            date,
            hp,
            policy.costs,
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
                kept = []
                for p, n, m in remaining:
                    young = _held_days(p, date) < hp.min_hold_days
                    if young or not _sellable(p, m, policy.costs)[0]:
                        kept.append((p, n, m))  # too young to sell, or worth less than costs
                        continue
                    orders.append(
                        Order("close", kind, p.legs, n, f"temporal theta: roll into {nxt}", p.id)
                    )
                    flow -= m.value * _MULT * n
                remaining = kept
                moved_until = str((pd.Timestamp(date) + pd.Timedelta(days=layer.dte_min)).date())
        if moved_until is not None and has_next:
            carry = target
            target = 0.0
            audit.append(
                RuleFired(
                    f"temporal_theta:{layer.name}",
                    {"until": moved_until},
                    "target moved to next layer",
                )
            )
        share = layer.weight / weights if weights > 0 else 0.0
        layer_cap = share * cap if cap > 0 else 0.0
        paid = 0.0
        held_premium = sum(m.value * _MULT * n for _, n, m in remaining)
        held_basis = sum(max(p.entry_price, m.value, 0.0) * _MULT * n for p, n, m in remaining)
        ended = layer.name in prepositioned and not in_window
        sell_to = target if ended else (1.0 + hp.sell_band) * target
        choice: HedgeChoice | None = None
        if held_premium > sell_to and remaining:
            excess = held_premium - target
            blocked = 0
            for p, n, m in sorted(remaining, key=lambda x: x[2].dte):
                unit = m.value * _MULT
                if excess <= 0 or unit <= 0:
                    break
                if _held_days(p, date) < hp.min_hold_days or not _sellable(p, m, policy.costs)[0]:
                    blocked += n
                    continue
                k = min(n, math.floor(excess / unit))
                if k > 0:
                    why = "event passed" if ended else "above target"
                    orders.append(Order("close", kind, p.legs, k, why, p.id))
                    excess -= k * unit
                    flow -= k * unit
            audit.append(
                RuleFired(
                    f"rebalance:{layer.name}",
                    {
                        "held": held_premium,
                        "target": target,
                        "min_hold_days": hp.min_hold_days,
                        "contracts_held_back": blocked,
                    },
                    "sell down",
                )
            )
        elif target > 0 and held_basis < (1.0 - hp.buy_band) * target and layer_cap <= 0:
            audit.append(
                RuleFired(
                    f"credit_budget:{layer.name}",
                    {"held_basis": held_basis, "target": target, "share": share, "cap": 0.0},
                    "fail: no credit-to-hedge budget; not bought",
                )
            )
        elif target > 0 and held_basis < (1.0 - hp.buy_band) * target:
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
                by_target = math.floor((target - held_basis) / (choice.fill * _MULT))
                each = buy_cost(choice, policy.costs)
                bought = capped_contracts(by_target, layer_cap, each)
                by_cap: float | str = (
                    math.floor(layer_cap / each) if math.isfinite(layer_cap) else "inf"
                )
                audit.append(
                    RuleFired(
                        f"credit_budget:{layer.name}",
                        {
                            "share": share,
                            "cap": layer_cap if math.isfinite(layer_cap) else "inf",
                            "cost_per_contract": each,
                            "by_target": by_target,
                            "by_cap": by_cap,
                        },
                        "capped" if bought < by_target else "within cap",
                    )
                )
                if bought > 0:
                    orders.append(
                        Order(
                            "open", kind, choice.legs, bought, f"buy to target (x{mult:g} regime)"
                        )
                    )
                    flow += bought * choice.fill * _MULT
                    paid = bought * each
            audit.append(
                RuleFired(
                    f"rebalance:{layer.name}",
                    {"held_basis": held_basis, "target": target},
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
            "budget_share": share,
            "budget_cap": layer_cap if math.isfinite(layer_cap) else "inf",
            "premium_paid": paid,
            "target_premium": target,
            "target_contracts": n_target,
            "target_delta": n_target * unit_delta if n_target else 0.0,
            "target_vega": n_target * unit_vega if n_target else 0.0,
            "held_contracts": sum(n for _, n, _ in remaining),
            "held_premium": held_premium,
            "held_basis": held_basis,
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
                own_s,
                paid,
                sum(
                    sale_proceeds(p, o.contracts, marks[p.id], policy.costs)
                    for o in orders
                    if o.action == "close"
                    for p in positions
                    if p.id == o.position_id and p.id in marks
                ),
            )
        )
    return plans
