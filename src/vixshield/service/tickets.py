"""Order tickets a broker can take: OCC symbols, verbs, per-leg quotes, limits, risk.

A ticket turns one strategy `Order` into what a trader types: for each leg the OCC
symbol and BTO/STO/BTC/STC verb with its bid/ask/mid, the net limit price on the tick,
the worst acceptable price, max loss, buying-power effect, the take-profit and stop as
debits to close (condor opens), the exit date, and whether the quotes are real or
modeled: ``prices`` is "real" where every leg is quoted from a real chain (the store's
chain dataset, e.g. the session's fetched Cboe delayed quotes), "modeled" where none
is, "mixed" otherwise; a ticket not wholly real carries a ``prices_note`` naming its
modeled legs.

Conventions
-----------
- A close order's legs are the position's sides (as `Order` carries them); the trade
  reverses them, so a short leg is bought to close (BTC) and a long one sold (STC).
- ``net`` per unit of the order, index points: ``sum(trade ratio x mid)``; > 0 a debit
  paid, < 0 a credit received. The ticket shows its absolute value with the direction.
- Limit: the mid net rounded to the nearest tick. Worst acceptable: the mid net moved
  against the trader by ``spread_share x sum(|ratio| x (ask - bid))`` (the policy's fill
  model, `vixshield.markets.costs.CostModel`), rounded to the tick away from the trader
  (a credit down, a debit up).

Ticks (Cboe): a single-leg SPX, SPXW or VIX order trades in 0.05 below 3.00 and 0.10 at
3.00 and above (Cboe SPX and VIX options product specifications); a complex (multi-leg)
order's net price in 0.05 (Cboe regulatory circular RG10-125: "the minimum increment for
limit prices on complex orders ... is $.05"; brokers such as tastyworks document the same
0.05 for SPX spreads). `TICK_SOURCE` names them in every ticket.

OCC symbols (Options Symbology Initiative, 2010): the root padded with spaces to 6
characters, the expiry as YYMMDD, C or P, the strike x 1000 in 8 digits
(``SPXW  251121P06250000``). The expiry written is the leg's, the last trading day (an
SPX monthly before February 2015 was dated the Saturday after it by OCC; those are
printed with the trading day, and the ticket says symbols are for current listings).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from vixshield._typing import Origin
from vixshield.backtest.portfolio import payoff_at_expiry, reg_t_margin
from vixshield.data.calendars import trading_days
from vixshield.markets.costs import CONTRACT_MULTIPLIER
from vixshield.markets.types import MarketView
from vixshield.strategy.types import Leg, Order, Position

__all__ = [
    "TICK_SOURCE",
    "LegQuote",
    "Prices",
    "Ticket",
    "build_ticket",
    "net_tick",
    "occ_symbol",
    "parse_occ_symbol",
    "round_to_tick",
    "verb",
]

Prices = Literal["real", "mixed", "modeled"]
"""A ticket's prices: every leg real, some, or none."""

TICK_SOURCE = "Cboe ticks: single leg 0.05 < 3.00 <= 0.10; complex orders 0.05 (Cboe RG10-125)"


def occ_symbol(root: str, expiry: pd.Timestamp, right: str, strike: float) -> str:
    """The 21-character OCC (OSI) symbol of an option.

    >>> occ_symbol("SPXW", pd.Timestamp("2025-11-21"), "P", 6250)
    'SPXW  251121P06250000'
    """
    r = root.strip().upper()
    if not 1 <= len(r) <= 6 or not r.isalnum():
        raise ValueError(f"OCC root must be 1-6 letters or digits, got {root!r}")
    if right not in ("C", "P"):
        raise ValueError(f"right must be C or P, got {right!r}")
    milli = round(strike * 1000)
    if strike <= 0 or not math.isclose(milli, strike * 1000, abs_tol=1e-6) or milli >= 10**8:
        raise ValueError(f"strike {strike!r} cannot be written in 8 digits of 1/1000")
    return f"{r:<6}{pd.Timestamp(expiry):%y%m%d}{right}{milli:08d}"


def parse_occ_symbol(symbol: str) -> tuple[str, pd.Timestamp, str, float]:
    """(root, expiry, right, strike) of an OCC symbol, padded or compact (``SPXW251121P...``)."""
    s = symbol.strip()
    if len(s) < 16 or not s[-8:].isdigit() or s[-9] not in "CP" or not s[-15:-9].isdigit():
        raise ValueError(f"not an OCC option symbol: {symbol!r}")
    root = s[:-15].strip()
    if not root:
        raise ValueError(f"not an OCC option symbol (no root): {symbol!r}")
    expiry = pd.Timestamp(f"20{s[-15:-13]}-{s[-13:-11]}-{s[-11:-9]}")
    return root, expiry, s[-9], int(s[-8:]) / 1000.0


def verb(ratio: int, action: str) -> str:
    """BTO/STO for an open (buy a long ratio, sell a short one), BTC/STC for a close.

    A close order carries the position's sides: its short legs are bought to close.
    """
    if action == "open":
        return "BTO" if ratio > 0 else "STO"
    return "BTC" if ratio < 0 else "STC"


def net_tick(price: float, legs: int) -> float:
    """Minimum price increment, index points, for a net ``price`` over ``legs`` legs."""
    if legs > 1:
        return 0.05
    return 0.05 if abs(price) < 3.0 else 0.10


def round_to_tick(price: float, tick: float, mode: str = "nearest") -> float:
    """``price`` on the ``tick`` grid: ``"nearest"``, ``"down"`` or ``"up"`` (index points)."""
    steps = price / tick
    steps = round(steps, 9)  # 1.15 / 0.05 is 22.999999999999996 in binary floating point
    if mode == "nearest":
        n = math.floor(steps + 0.5)
    elif mode == "down":
        n = math.floor(steps)
    elif mode == "up":
        n = math.ceil(steps)
    else:
        raise ValueError(f"mode: expected nearest, down or up, got {mode!r}")
    return round(n * tick, 2)


@dataclass(frozen=True)
class LegQuote:
    """One leg of a ticket: what to type and its quote (index points per unit)."""

    verb: str
    quantity: int
    symbol: str
    bid: float
    ask: float
    mid: float
    delta: float
    gamma: float
    vega: float
    theta: float
    origin: Origin


@dataclass(frozen=True)
class Ticket:
    """A broker-ready order (module docstring for every convention).

    Money in dollars for the whole order (``contracts`` units); prices per unit in index
    points. ``max_loss`` is None for a close (it only reduces risk) and inf where
    unbounded; ``take_profit``/``stop`` are the debits to close a condor opened at the limit.
    """

    action: str
    kind: str
    layer: str | None
    contracts: int
    position_id: str | None
    legs: tuple[LegQuote, ...]
    direction: str
    mid: float
    limit: float
    worst: float
    tick: float
    max_loss: float | None
    buying_power: float
    take_profit: float | None
    stop: float | None
    exit_date: pd.Timestamp | None
    origin: Prices
    reason: str

    @property
    def prices_note(self) -> str | None:
        """Which legs are modeled and why, None where every leg is real."""
        modeled = [q.symbol.strip() for q in self.legs if q.origin != "real"]
        if not modeled:
            return None
        return (
            f"modeled prices for {len(modeled)} of {len(self.legs)} leg(s) "
            f"({', '.join(modeled)}): no real quote of them is stored for the day "
            "(the Cboe delayed quotes are stored by `vixshield data fetch chain` after the close)"
        )

    def as_dict(self) -> dict[str, object]:
        """Plain JSON values (journal, notifications, ``--json``)."""
        return {
            "action": self.action,
            "kind": self.kind,
            "layer": self.layer,
            "contracts": self.contracts,
            "position_id": self.position_id,
            "direction": self.direction,
            "mid": self.mid,
            "limit": self.limit,
            "worst": self.worst,
            "tick": self.tick,
            "tick_source": TICK_SOURCE,
            "max_loss": None if self.max_loss is None else _finite_or_text(self.max_loss),
            "buying_power": self.buying_power,
            "take_profit": self.take_profit,
            "stop": self.stop,
            "exit_date": None if self.exit_date is None else f"{self.exit_date:%Y-%m-%d}",
            "prices": self.origin,
            "prices_note": self.prices_note,
            "reason": self.reason,
            "legs": [
                {
                    "verb": q.verb,
                    "quantity": q.quantity,
                    "symbol": q.symbol,
                    "bid": q.bid,
                    "ask": q.ask,
                    "mid": q.mid,
                    "origin": q.origin,
                }
                for q in self.legs
            ],
        }


def _finite_or_text(x: float) -> float | str:
    return x if math.isfinite(x) else "unlimited"


def _max_loss(legs: Sequence[Leg], sign: int, net: float, contracts: int) -> float:
    """Worst expiry loss of the opened legs plus the net paid, dollars (inf: unbounded)."""
    strike = np.array([lg.strike for lg in legs], dtype=np.float64)
    is_call = np.array([lg.right == "C" for lg in legs], dtype=bool)
    ratio = np.array([sign * lg.ratio for lg in legs], dtype=np.float64)
    if float(ratio[is_call].sum()) < 0:
        return math.inf  # net short calls: the loss grows without bound with the index
    spots = np.concatenate(([0.0], strike))
    worst = float(payoff_at_expiry(strike, is_call, ratio, spots).min())
    return max(net - worst, 0.0) * CONTRACT_MULTIPLIER * contracts


def _exit_date(expiry: pd.Timestamp, exit_dte: int) -> pd.Timestamp | None:
    days = trading_days(expiry - pd.Timedelta(days=exit_dte), expiry)
    return pd.Timestamp(days[0]) if len(days) else None


def build_ticket(
    order: Order,
    market: MarketView,
    date: pd.Timestamp,
    policy: object,
    positions: Mapping[str, Position] | None = None,
) -> Ticket:
    """The ticket of ``order`` at ``date``'s close, quoted by ``market``.

    ``policy`` supplies ``costs.spread_share`` and ``management`` (take profit, stop
    multiple, exit DTE); ``positions`` (by id) the closed position's legs where the order
    carries none.
    """
    legs = order.legs
    if not legs and order.position_id and positions and order.position_id in positions:
        legs = positions[order.position_id].legs
    if not legs:
        raise ValueError(f"order {order.reason!r} has no legs to quote")
    sign = 1 if order.action == "open" else -1
    quotes: list[LegQuote] = []
    nets: list[tuple[int, float, float, float]] = []
    for underlying in dict.fromkeys(lg.underlying for lg in legs):
        group = [lg for lg in legs if lg.underlying == underlying]
        block = market.quote(
            date,
            underlying,
            [lg.expiry for lg in group],
            np.array([lg.strike for lg in group], dtype=np.float64),
            [lg.right for lg in group],
        )
        for i, (lg, origin) in enumerate(zip(group, block.origins(), strict=True)):
            q = LegQuote(
                verb=verb(lg.ratio, order.action),
                quantity=abs(lg.ratio) * order.contracts,
                symbol=occ_symbol(lg.root, lg.expiry, lg.right, lg.strike),
                bid=float(block.bid[i]),
                ask=float(block.ask[i]),
                mid=float(block.mid[i]),
                delta=float(block.delta[i]),
                gamma=float(block.gamma[i]),
                vega=float(block.vega[i]),
                theta=float(block.theta[i]),
                origin=origin,
            )
            quotes.append(q)
            nets.append((sign * lg.ratio, q.mid, q.bid, q.ask))
    net = sum(r * m for r, m, _, _ in nets)
    spread = sum(abs(r) * (a - b) for r, _, b, a in nets if math.isfinite(a - b) and a >= b)
    share = float(policy.costs.spread_share)  # type: ignore[attr-defined]
    direction = "debit" if net > 0 else "credit"
    tick = net_tick(net, len(legs))
    limit = round_to_tick(abs(net), tick, "nearest")
    worst_net = net + share * spread  # always against the trader
    worst = (
        round_to_tick(worst_net, tick, "up")
        if direction == "debit"
        else round_to_tick(max(-worst_net, 0.0), tick, "down")
    )
    signed_limit = limit if direction == "debit" else -limit
    mgmt = policy.management  # type: ignore[attr-defined]
    take_profit = stop = None
    exit_date = None
    # Reg-T of the position's legs: what an open requires and a close releases
    if order.action == "open":
        max_loss: float | None = _max_loss(legs, sign, signed_limit, order.contracts)
        margin = reg_t_margin(legs, order.contracts, _spot(market, date, legs[0].underlying))
        buying_power = margin + max(signed_limit, 0.0) * CONTRACT_MULTIPLIER * order.contracts
        if order.kind == "condor" and direction == "credit":
            take_profit = round_to_tick((1.0 - float(mgmt.take_profit)) * limit, tick, "nearest")
            stop = round_to_tick((1.0 + float(mgmt.stop_multiple)) * limit, tick, "nearest")
            exit_date = _exit_date(min(lg.expiry for lg in legs), int(mgmt.exit_dte))
    else:
        max_loss = None
        margin = reg_t_margin(legs, order.contracts, _spot(market, date, legs[0].underlying))
        buying_power = -margin + max(signed_limit, 0.0) * CONTRACT_MULTIPLIER * order.contracts
    origins = {q.origin for q in quotes}
    return Ticket(
        action=order.action,
        kind=order.kind,
        layer=order.layer,
        contracts=order.contracts,
        position_id=order.position_id,
        legs=tuple(quotes),
        direction=direction,
        mid=abs(net),
        limit=limit,
        worst=worst,
        tick=tick,
        max_loss=max_loss,
        buying_power=buying_power,
        take_profit=take_profit,
        stop=stop,
        exit_date=exit_date,
        origin=_prices(origins),
        reason=order.reason,
    )


def _prices(origins: set[Origin]) -> Prices:
    if origins == {"real"}:
        return "real"
    return "mixed" if "real" in origins else "modeled"


def _spot(market: MarketView, date: pd.Timestamp, underlying: str) -> float:
    column = "spx_close" if underlying == "SPX" else "vix"
    value = float(market.data.daily[column].get(pd.Timestamp(date), float("nan")))
    return value if math.isfinite(value) else 0.0


def book_greeks(
    tickets: Sequence[Ticket], held: Sequence[tuple[Position, Sequence[LegQuote]]]
) -> dict[str, dict[str, float]]:
    """Net delta, gamma, vega, theta of the book after the orders, per underlying.

    Units: per one contract multiplier (x100): delta in dollars per index point, gamma in
    delta-dollars per point, vega in dollars per vol point, theta in dollars per day.
    ``held`` pairs each open position with its legs' quotes (in leg order).
    """
    out: dict[str, dict[str, float]] = {}

    def add(underlying: str, qty: float, q: LegQuote) -> None:
        g = out.setdefault(underlying, {"delta": 0.0, "gamma": 0.0, "vega": 0.0, "theta": 0.0})
        for name in g:
            value = getattr(q, name)
            if math.isfinite(value):
                g[name] += qty * value * CONTRACT_MULTIPLIER

    for p, quotes in held:
        for lg, q in zip(p.legs, quotes, strict=True):
            add(lg.underlying, lg.ratio * p.contracts, q)
    for t in tickets:
        for q in t.legs:
            signed = q.quantity if q.verb in ("BTO", "BTC") else -q.quantity
            add("VIX" if q.symbol.startswith("VIX") else "SPX", signed, q)
    return out
