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
lives in `vixshield.strategy.hedge_choice`; they are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import pandas as pd

from vixshield._typing import Outcome
from vixshield.markets.costs import CONTRACT_MULTIPLIER, CostModel
from vixshield.markets.types import MarketView
from vixshield.strategy.hedge_choice import ExpiryQuotes, HedgeChoice, choose_hedge
from vixshield.strategy.marks import PositionMark, close_cash
from vixshield.strategy.policy import HedgeLayer, HedgePolicy
from vixshield.strategy.types import Order, Position, RuleFired

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

_MULT = CONTRACT_MULTIPLIER  # VIX and SPX option multiplier, USD per point


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


def buy_cost(choice: HedgeChoice, costs: CostModel) -> float:
    """USD paid per contract bought: ``fill x 100 + commission and fees of its legs``.

    ``fill`` is the modeled fill of `choose_hedge` (`CostModel.fills`: mid + spread_share
    x width per leg bought, the floored sell fill per leg sold), the commission and fees
    `CostModel.charges`: the rule the execution layer books the buy at.
    """
    return choice.fill * _MULT + costs.per_contract * sum(abs(leg.ratio) for leg in choice.legs)


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
    position: Position, contracts: int, mark: PositionMark, costs: CostModel
) -> float:
    """Modeled USD proceeds of selling ``contracts`` of a hedge position.

    `vixshield.strategy.marks.close_cash`: every leg closed at its `CostModel` fill
    (sells floored at 0), less commission and fees per contract per leg.
    """
    return close_cash(position, mark, costs, contracts)


def annual_budget(
    layer: HedgeLayer,
    basis: str,
    equity: float,
    condors: Sequence[Position],
    dte_target: int,
) -> float:
    """Annual premium budget of ``layer`` on its basis, USD per year (module docstring).

    The ``hedge.budget_cover`` bound is applied on top of it by the layer's target
    (`HedgeContext.credit_rate`).
    """
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


def _richness(held: Sequence[tuple[Position, int, PositionMark]]) -> float:
    """Held options' ``sum(|theta| n) / sum(V n) x mean DTE`` (see module docstring)."""
    value = sum(m.value * n for _, n, m in held)
    theta = sum(abs(m.theta) * n for _, n, m in held)
    dte = sum(m.dte * m.value * n for _, n, m in held) / value if value > 0 else math.nan
    return theta / value * dte if value > 0 else math.nan


def round_trip_cost(position: Position, mark: PositionMark, costs: CostModel) -> float:
    """Round-trip cost of one contract of a hedge position, USD.

    ``2 x legs x (commission + fees) + 100 x spread``: commission and fees in
    and out on every leg, plus the whole quoted width (half paid on the way in,
    half on the way out, at a mid fill model). A position whose bid proceeds
    ``100 x bid_value`` are below this is never sold: it is held to expiry.
    """
    contracts = sum(abs(leg.ratio) for leg in position.legs)
    return 2.0 * costs.per_contract * contracts + _MULT * max(mark.spread, 0.0)


def _sellable(p: Position, m: PositionMark, costs: CostModel) -> tuple[bool, float, float]:
    """(bid proceeds >= round-trip cost, proceeds, round-trip cost), USD per contract."""
    rt = round_trip_cost(p, m, costs)
    proceeds = m.bid_value * _MULT if math.isfinite(m.bid_value) else m.value * _MULT
    return proceeds >= rt, proceeds, rt


def _held_days(p: Position, date: pd.Timestamp) -> int:
    return int((pd.Timestamp(date).normalize() - pd.Timestamp(p.opened).normalize()).days)


@dataclass(frozen=True)
class HedgeContext:
    """What every hedge layer reads at one close.

    Attributes
    ----------
    date : Timestamp
        The close.
    market : MarketView
        Chains and quotes (a chain is built only when a layer buys).
    positions : tuple of Position
        The open positions (condors and hedges of every layer).
    marks : Mapping
        Position id -> `PositionMark` at the close.
    equity : float
        Account equity, USD (the "equity" budget basis).
    multipliers : Mapping
        Layer name -> budget multiplier of the regime engine.
    days_to_events : Mapping
        Event kind -> trading days to its next known date (NaN: none known).
    costs : CostModel
        The fill and cost model.
    cap : float
        Remaining credit-to-hedge budget of the day, USD (inf: no cap;
        `vixshield.strategy.state.CreditBudget.remaining`).
    condor_dte_target : int
        The condors' target DTE, days (annualises the "credit" basis).
    expiry_quotes : ExpiryQuotes, optional
        The day's quotes of the layers' candidate expiries (`plan_hedges` sets it).
    cycles : tuple of (date, credit)
        The condor cycles of the credit-to-hedge window up to today (ISO entry
        date, net credit USD; `vixshield.strategy.state.StrategyState.cycles`),
        oldest first: the `credit_rate` of the ``hedge.budget_cover`` bound.
    """

    date: pd.Timestamp
    market: MarketView
    positions: tuple[Position, ...]
    marks: Mapping[str, PositionMark]
    equity: float
    multipliers: Mapping[str, float]
    days_to_events: Mapping[str, float]
    costs: CostModel
    cap: float = math.inf
    condor_dte_target: int = 52
    expiry_quotes: ExpiryQuotes | None = None
    cycles: tuple[tuple[str, float], ...] = ()

    @property
    def credit_rate(self) -> float:
        """The window's condor credit annualised, USD per year (0 with no cycle).

        Notes
        -----
        ``rate = max(C, 0) x 365 / days``, ``C`` the net credit of the window's
        cycles (entered at ``t_1 .. t_N``, calendar days), ``days = max(T - t_1,
        N / (N - 1) x (t_N - t_1))`` at the close ``T``: the span of the window,
        but at least ``N`` entry intervals at the window's own mean spacing, so
        the rate holds still between entries and on the day a cycle ages out, and
        decays as ``1 / (T - t_1)`` once entries stop. With one cycle (or all on
        one day) the spacing is unknown and the floor is ``condor_dte_target``
        days: the credit of one condor earned over its life.
        """
        if not self.cycles:
            return 0.0
        credit = sum(c for _, c in self.cycles)
        if not (math.isfinite(credit) and credit > 0):
            return 0.0
        t_1, t_n = (pd.Timestamp(self.cycles[i][0]) for i in (0, -1))
        n = len(self.cycles)
        spread = (t_n - t_1).days
        floor = n / (n - 1) * spread if n > 1 and spread > 0 else float(self.condor_dte_target)
        days = max((pd.Timestamp(self.date).normalize() - t_1).days, floor, 1.0)
        return credit * 365.0 / days

    def held(self, layer: str) -> list[Position]:
        """The open hedges of ``layer``."""
        return list(self._grouped[0].get(layer, ()))

    @property
    def condors(self) -> list[Position]:
        """The open condors."""
        return list(self._grouped[1])

    @cached_property
    def _grouped(self) -> tuple[dict[str | None, list[Position]], list[Position]]:
        """The open hedges by layer and the open condors, each in `positions` order."""
        hedges: dict[str | None, list[Position]] = {}
        condors: list[Position] = []
        for p in self.positions:
            if p.kind == "hedge":
                hedges.setdefault(p.layer, []).append(p)
            elif p.kind == "condor":
                condors.append(p)
        return hedges, condors


@dataclass(frozen=True)
class HedgeMemory:
    """The hedge layers' slice of the strategy state at the previous close.

    ``monetised``: hedge ids already partly sold by the monetise rule;
    ``prepositioned``: layers scaled up ahead of an event; ``moved``: layer -> ISO date
    until which its target goes to the next layer (temporal theta); ``smoothed``:
    layer -> its smoothed own target premium (USD).
    """

    monetised: frozenset[str] = frozenset()
    prepositioned: frozenset[str] = frozenset()
    moved: Mapping[str, str] = field(default_factory=dict)
    smoothed: Mapping[str, float] = field(default_factory=dict)


_Held = list[tuple[Position, int, PositionMark]]


@dataclass(frozen=True)
class _Step:
    """Orders, audit entries and the net premium at mid (USD, buys > 0) of one rule."""

    orders: tuple[Order, ...] = ()
    audit: tuple[RuleFired, ...] = ()
    flow: float = 0.0


def _fired(rule: str, inputs: Mapping[str, float | str], outcome: Outcome, note: str) -> RuleFired:
    return RuleFired(rule, dict(inputs), outcome, note)


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
    date, costs, name = ctx.date, ctx.costs, layer.name
    orders: list[Order] = []
    audit: list[RuleFired] = []
    flow = 0.0
    new_monetised: set[str] = set()
    remaining: _Held = []

    def close(p: Position, n: int, why: str) -> None:
        orders.append(Order("close", "hedge", p.legs, n, why, p.id, layer=name))

    for p in ctx.held(name):
        m = ctx.marks.get(p.id)
        if m is None or math.isnan(m.value):
            audit.append(_fired(f"mark:{name}", {"id": p.id}, "warn", "no mark: held, not counted"))
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
                close(p, p.contracts, "roll: dte floor")
                audit.append(_fired(f"roll:{name}", inputs, "info", "roll"))
                flow -= unit * p.contracts
            else:
                why = "expire: bid below round-trip cost"
                audit.append(_fired(f"roll:{name}", inputs, "warn", why))
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
                close(p, p.contracts, "roll: theta")
                audit.append(_fired(f"roll_theta:{name}", inputs, "info", "roll"))
                flow -= unit * p.contracts
                continue
            why = "hold: minimum holding period" if worth else "hold: not worth rolling"
            audit.append(_fired(f"roll_theta:{name}", inputs, "info", why))
        n = p.contracts
        if (
            p.id not in monetised
            and p.entry_price > 0
            and m.value >= layer.monetise_multiple * p.entry_price
            and ok
        ):
            k = min(n, max(1, math.floor(layer.monetise_share * n)))
            close(p, k, f"monetise at {m.value / p.entry_price:.2f}x cost")
            inputs = {
                "id": p.id,
                "value": m.value,
                "cost": p.entry_price,
                "multiple": layer.monetise_multiple,
            }
            audit.append(_fired(f"monetise:{name}", inputs, "info", f"sell {k} of {n}"))
            new_monetised.add(p.id)
            flow -= unit * k
            n -= k
        if n > 0:
            remaining.append((p, n, m))
    return _Step(tuple(orders), tuple(audit), flow), new_monetised, remaining


def smooth(previous: float | None, value: float, halflife: float) -> float:
    """One step of an exponential average with ``halflife`` steps (0: no smoothing).

    ``s = s_prev + a (x - s_prev)`` with ``a = 1 - 2^(-1/halflife)``; the first
    value (``previous`` None or not finite) starts the average.
    """
    if previous is None or not math.isfinite(previous) or halflife <= 0:
        return value
    a = 1.0 - math.pow(2.0, -1.0 / halflife)
    return previous + a * (value - previous)


@dataclass(frozen=True)
class _Target:
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
    ctx: HedgeContext, hp: HedgePolicy, layer: HedgeLayer, memory: HedgeMemory
) -> _Target:
    """Budget -> smoothed target -> event pre-positioning (see the module docstring).

    Reads the layer's budget basis, multiplier, the events' distances and the previous
    smoothed target; decides the layer's own target premium of the day.
    """
    name = layer.name
    budget = annual_budget(layer, hp.budget_basis, ctx.equity, ctx.condors, ctx.condor_dte_target)
    cover_inputs: dict[str, float | str] = {}
    if hp.budget_cover:  # bounded by the spend the condor credit funds (module docstring)
        weights = sum(x.weight for x in hp.layers)
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
    audit: list[RuleFired] = []
    near = [
        d
        for d in (ctx.days_to_events.get(k, math.nan) for k in layer.event_kinds)
        if not math.isnan(d)
    ]
    in_window = layer.event_scale != 1.0 and bool(near) and min(near) <= layer.event_days_before
    ev_scale = layer.event_scale if in_window else 1.0
    if layer.event_scale != 1.0:
        inputs: dict[str, float | str] = {
            "days_to_event": min(near) if near else "none",
            "before": layer.event_days_before,
        }
        note = f"scale x{ev_scale:g}" if in_window else "off"
        audit.append(_fired(f"event_preposition:{name}", inputs, "info", note))
    raw = target_premium(budget, layer, mult)
    own_s = smooth(memory.smoothed.get(name), raw, hp.target_halflife)
    inputs = {
        "raw": raw,
        "previous": memory.smoothed.get(name, "none"),
        "halflife": hp.target_halflife,
        **cover_inputs,
    }
    audit.append(_fired(f"target_smoothing:{name}", inputs, "info", f"target {own_s:.0f}"))
    return _Target(budget, mult, in_window, ev_scale, own_s, tuple(audit))


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
        return _Step(), remaining, moved_until
    nxt = hp.layers[li + 1].name
    held_next = [(p, p.contracts, ctx.marks[p.id]) for p in ctx.held(nxt) if p.id in ctx.marks]
    rich = _richness(remaining) / _richness(held_next) if held_next else math.nan
    fire = rich > hp.temporal_theta_ratio
    inputs: dict[str, float | str] = {
        "richness": rich if not math.isnan(rich) else "missing",
        "limit": hp.temporal_theta_ratio,
    }
    rule = f"temporal_theta:{layer.name}"
    audit = [_fired(rule, inputs, "info", f"roll into {nxt}" if fire else "keep")]
    if not fire:
        return _Step((), tuple(audit)), remaining, moved_until
    orders: list[Order] = []
    flow = 0.0
    kept: _Held = []
    for p, n, m in remaining:
        young = _held_days(p, ctx.date) < hp.min_hold_days
        if young or not _sellable(p, m, ctx.costs)[0]:
            kept.append((p, n, m))  # too young to sell, or worth less than costs
            continue
        why = f"temporal theta: roll into {nxt}"
        orders.append(Order("close", "hedge", p.legs, n, why, p.id, layer=layer.name))
        flow -= m.value * _MULT * n
    until = str((pd.Timestamp(ctx.date) + pd.Timedelta(days=layer.dte_min)).date())
    return _Step(tuple(orders), tuple(audit), flow), kept, until


@dataclass(frozen=True)
class _Rebalance:
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
    for p, n, m in sorted(remaining, key=lambda x: x[2].dte):
        unit = m.value * _MULT
        if excess <= 0 or unit <= 0:
            break
        if _held_days(p, ctx.date) < hp.min_hold_days or not _sellable(p, m, ctx.costs)[0]:
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
    audit = (_fired(f"rebalance:{layer.name}", inputs, "info", "sell down"),)
    return _Step(tuple(orders), audit, flow)


def _buy_up(
    ctx: HedgeContext,
    layer: HedgeLayer,
    target: float,
    held_basis: float,
    layer_cap: float,
    share: float,
    mult: float,
) -> _Rebalance:
    """Buy up to ``target`` within ``layer_cap`` (USD), the option of `choose_hedge`."""
    name = layer.name
    choice, rf = choose_hedge(ctx.date, ctx.market, layer, ctx.costs, ctx.expiry_quotes)
    audit = [rf]
    orders: list[Order] = []
    bought, paid, flow = 0, 0.0, 0.0
    if choice is not None and choice.decay_rate > layer.roll_theta_share:
        inputs: dict[str, float | str] = {
            "decay_rate": choice.decay_rate,
            "roll_theta_share": layer.roll_theta_share,
        }
        audit.append(
            _fired(f"hedge_decay:{name}", inputs, "fail", "would roll at once; not bought")
        )
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
            _fired(
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
    audit.append(_fired(f"rebalance:{name}", inputs, "info", f"buy {bought}"))
    return _Rebalance(_Step(tuple(orders), tuple(audit), flow), paid, choice)


def _rebalance(
    ctx: HedgeContext,
    hp: HedgePolicy,
    layer: HedgeLayer,
    target: float,
    share: float,
    remaining: _Held,
    ended: bool,
    mult: float,
) -> _Rebalance:
    """Sell down above the band, buy up below it within the layer's share of the cap.

    Holdings count at ``held_premium`` (marked value) for selling and ``held_basis``
    (the larger of cost and value per tranche) for buying (module docstring).
    """
    layer_cap = share * ctx.cap if ctx.cap > 0 else 0.0
    held_premium = sum(m.value * _MULT * n for _, n, m in remaining)
    held_basis = sum(max(p.entry_price, m.value, 0.0) * _MULT * n for p, n, m in remaining)
    sell_to = target if ended else (1.0 + hp.sell_band) * target
    if held_premium > sell_to and remaining:
        return _Rebalance(_sell_down(ctx, hp, layer, target, remaining, held_premium, ended))
    if not (target > 0 and held_basis < (1.0 - hp.buy_band) * target):
        return _Rebalance(_Step())
    if layer_cap <= 0:
        inputs: dict[str, float | str] = {
            "held_basis": held_basis,
            "target": target,
            "share": share,
            "cap": 0.0,
        }
        why = "no credit-to-hedge budget; not bought"
        return _Rebalance(_Step((), (_fired(f"credit_budget:{layer.name}", inputs, "fail", why),)))
    return _buy_up(ctx, layer, target, held_basis, layer_cap, share, mult)


def _plan_layer(
    ctx: HedgeContext, hp: HedgePolicy, li: int, memory: HedgeMemory, carry: float
) -> tuple[LayerPlan, float]:
    """One layer's plan and the target it carries to the next layer (USD).

    The rules in order: target (`_layer_target`), exits (`_exits`), temporal theta
    (`_temporal_theta`), rebalance (`_rebalance`).
    """
    layer = hp.layers[li]
    name = layer.name
    tgt = _layer_target(ctx, hp, layer, memory)
    target = tgt.own + carry
    exits, new_mon, remaining = _exits(ctx, hp, layer, memory.monetised)
    moved_until = memory.moved.get(name)
    if moved_until is not None and moved_until < str(pd.Timestamp(ctx.date).date()):
        moved_until = None
    theta, remaining, moved_until = _temporal_theta(ctx, hp, li, remaining, moved_until)
    steps = [exits, theta]
    carry_out = 0.0
    if moved_until is not None and li + 1 < len(hp.layers):
        carry_out, target = target, 0.0
        moved = _fired(
            f"temporal_theta:{name}", {"until": moved_until}, "info", "target moved to next layer"
        )
        steps.append(_Step((), (moved,)))
    weights = sum(x.weight for x in hp.layers)
    share = layer.weight / weights if weights > 0 else 0.0
    ended = name in memory.prepositioned and not tgt.in_window
    reb = _rebalance(ctx, hp, layer, target, share, remaining, ended, tgt.multiplier)
    steps.append(reb.step)
    orders = tuple(o for st in steps for o in st.orders)
    audit = tgt.audit + tuple(r for st in steps for r in st.audit)
    layer_cap = share * ctx.cap if ctx.cap > 0 else 0.0
    details = _layer_details(
        layer, hp, tgt, target, share, layer_cap, reb, remaining, moved_until, len(orders)
    )
    closing = [o for o in orders if o.action == "close"]
    by_id = {p.id: p for p in ctx.positions} if closing else {}
    proceeds = sum(
        sale_proceeds(by_id[o.position_id], o.contracts, ctx.marks[o.position_id], ctx.costs)
        for o in closing
        if o.position_id in by_id and o.position_id in ctx.marks
    )
    plan = LayerPlan(
        name,
        details,
        orders,
        audit,
        sum(st.flow for st in steps),
        frozenset(memory.monetised | new_mon),
        tgt.in_window,
        moved_until,
        tgt.smoothed,
        reb.paid,
        proceeds,
    )
    return plan, carry_out


def _layer_details(
    layer: HedgeLayer,
    hp: HedgePolicy,
    tgt: _Target,
    target: float,
    share: float,
    layer_cap: float,
    reb: _Rebalance,
    remaining: _Held,
    moved_until: str | None,
    n_orders: int,
) -> dict[str, float | int | str]:
    """The layer's target versus holdings for reports (USD; deltas and vegas x100)."""
    if reb.choice is not None:
        c = reb.choice
        unit, unit_delta, unit_vega = c.fill * _MULT, c.delta * _MULT, c.vega * _MULT
    elif remaining:
        m0 = remaining[0][2]
        unit, unit_delta, unit_vega = m0.value * _MULT, m0.delta * _MULT, m0.vega * _MULT
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
        "held_premium": sum(m.value * _MULT * n for _, n, m in remaining),
        "held_basis": sum(max(p.entry_price, m.value, 0.0) * _MULT * n for p, n, m in remaining),
        "held_delta": sum(m.delta * _MULT * n for _, n, m in remaining),
        "held_vega": sum(m.vega * _MULT * n for _, n, m in remaining),
        "moved_until": moved_until or "",
        "orders": n_orders,
    }


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
    if ctx.expiry_quotes is None:  # one quote call for every layer's candidate expiry
        ctx = replace(ctx, expiry_quotes=ExpiryQuotes(ctx.date, ctx.market, hp.layers))
    plans: list[LayerPlan] = []
    carry = 0.0  # target premium moved in from the previous layer (temporal theta)
    for li in range(len(hp.layers)):
        plan, carry = _plan_layer(ctx, hp, li, memory, carry)
        plans.append(plan)
    return plans
