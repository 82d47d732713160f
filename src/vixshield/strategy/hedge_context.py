"""What the hedge layers read at one close, and their money rules (USD).

`HedgeContext` is the close every layer reads (positions, marks, equity, multipliers,
events, costs, the remaining credit-to-hedge cap) and `HedgeMemory` the layers' state
of the previous close. The money rules turn quotes into dollars per contract: a buy's
cost (`buy_cost`, `capped_contracts`), a sale's proceeds (`sale_proceeds`), the
round-trip cost below which no rule sells (`round_trip_cost`), the budget and the
target (`annual_budget`, `target_premium`, `smooth`). The layers' rules are in
`vixshield.strategy.hedge_rules`, run per layer by `vixshield.strategy.hedge.plan_hedges`
(whose module docstring states them all).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from vixshield._daynumber import NS_PER_DAY
from vixshield.markets.costs import CONTRACT_MULTIPLIER, CostModel
from vixshield.markets.types import MarketView
from vixshield.strategy.frozen_init import direct_init
from vixshield.strategy.hedge_choice import ExpiryQuotes, HedgeChoice
from vixshield.strategy.marks import PositionMark, close_cash
from vixshield.strategy.policy import HedgeLayer
from vixshield.strategy.types import Position

__all__ = [
    "HedgeContext",
    "HedgeMemory",
    "annual_budget",
    "buy_cost",
    "capped_contracts",
    "round_trip_cost",
    "sale_proceeds",
    "smooth",
    "target_premium",
]

_MULT = CONTRACT_MULTIPLIER  # VIX and SPX option multiplier, USD per point


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
            width = max(
                puts[-1] - puts[0] if puts else 0.0,
                calls[-1] - calls[0] if calls else 0.0,
            )
            base += (width + p.entry_price) * _MULT * p.contracts
    return layer.weight * max(base, 0.0)


def target_premium(budget: float, layer: HedgeLayer, multiplier: float) -> float:
    """Premium to hold (USD): ``budget x D / 365 x multiplier``, D the mid-window tenor in days."""
    tenor = 0.5 * (layer.dte_min + layer.dte_max)
    return budget * tenor / 365.0 * multiplier


def round_trip_cost(position: Position, mark: PositionMark, costs: CostModel) -> float:
    """Round-trip cost of one contract of a hedge position, USD.

    ``2 x legs x (commission + fees) + 100 x spread``: commission and fees in
    and out on every leg, plus the whole quoted width (half paid on the way in,
    half on the way out, at a mid fill model). A position whose bid proceeds
    ``100 x bid_value`` are below this is never sold: it is held to expiry.
    """
    return _round_trip(position, mark, costs.per_contract)


def _round_trip(position: Position, mark: PositionMark, per_contract: float) -> float:
    """`round_trip_cost` given the commission plus fees per contract per leg (USD)."""
    contracts = sum([abs(leg.ratio) for leg in position.legs])
    return 2.0 * per_contract * contracts + _MULT * max(mark.spread, 0.0)


def _bid_proceeds(mark: PositionMark) -> float:
    """USD per contract of selling at the bids (``100 x bid_value``; the mid value when
    the bid value is not finite)."""
    return mark.bid_value * _MULT if math.isfinite(mark.bid_value) else mark.value * _MULT


def _sellable(position: Position, mark: PositionMark, per_contract: float) -> bool:
    """Whether the bid proceeds cover the round-trip cost (`round_trip_cost`): no rule
    sells a position that fails this."""
    return _bid_proceeds(mark) >= _round_trip(position, mark, per_contract)


def _held_days(p: Position, date: pd.Timestamp) -> int:
    """Calendar days from ``p.opened`` to ``date``, times of day dropped.

    Two tz-naive timestamps: the difference of their day numbers (``value // ns per
    day`` floors to midnight as ``normalize`` does); anything else through pandas.
    """
    opened = p.opened
    naive = type(date) is pd.Timestamp and type(opened) is pd.Timestamp
    if naive and date.tz is None and opened.tz is None:
        return int(date.value // NS_PER_DAY - opened.value // NS_PER_DAY)
    return int((pd.Timestamp(date).normalize() - pd.Timestamp(opened).normalize()).days)


@direct_init
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
        The day's quotes of the layers' candidate expiries (None: `plan_hedges` makes
        them).
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

    @cached_property
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

    @cached_property
    def _iso_date(self) -> str:
        """The close as an ISO date (time of day dropped)."""
        return str(pd.Timestamp(self.date).date())

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


@direct_init
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


def smooth(previous: float | None, value: float, halflife: float) -> float:
    """One step of an exponential average with ``halflife`` steps (0: no smoothing).

    ``s = s_prev + a (x - s_prev)`` with ``a = 1 - 2^(-1/halflife)``; the first
    value (``previous`` None or not finite) starts the average.
    """
    if previous is None or not math.isfinite(previous) or halflife <= 0:
        return value
    a = 1.0 - math.pow(2.0, -1.0 / halflife)
    return previous + a * (value - previous)
