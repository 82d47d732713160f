"""Response models of the JSON API (pydantic): what every ``/api/v1/...`` route returns.

Units: money in dollars (``USD``), option prices and net prices per unit of an order in
index points (one SPX or VIX point is 100 dollars a contract), greeks per the position
or book as the journal states them: delta in dollars per index point, gamma in
delta-dollars per point, vega in dollars per vol point, theta in dollars per day
(`vixshield.service.tickets.book_greeks`). Dates are ``YYYY-MM-DD`` strings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AccountOut",
    "ClosedPositionOut",
    "DecisionOut",
    "EquityOut",
    "EquityPoint",
    "ErrorOut",
    "EventOut",
    "FillIn",
    "FillOut",
    "FillResultOut",
    "GreeksOut",
    "HealthOut",
    "HistoryOut",
    "MarkedLegOut",
    "PositionOut",
    "PositionsOut",
    "ProvenanceOut",
    "SeriesOrigin",
    "SignalItem",
    "SignalOut",
    "SignalsOut",
    "TicketLegOut",
    "TicketOrigin",
    "TicketOut",
]

Origin = Literal["real", "modeled", "mixed", "missing"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ErrorOut(_Model):
    """The body of every 404 and 422: what was not found or not valid."""

    detail: str | list[Any]


class HealthOut(_Model):
    """Liveness and the journal's freshness (``stale`` when its latest signal is older
    than the last completed NYSE session)."""

    status: Literal["ok"]
    version: str
    journal: str = Field(description="Path of the journal database.")
    journal_exists: bool
    account: str | None
    latest_signal: str | None = Field(description="Date of the latest recorded signal.")
    last_session: str = Field(description="The last completed NYSE session (New York).")
    stale: bool
    stale_reason: str | None


class GreeksOut(_Model):
    """Greeks in dollars: delta per index point, gamma delta-dollars per point, vega per
    vol point, theta per day."""

    delta: float | None
    gamma: float | None
    vega: float | None
    theta: float | None


class AccountOut(_Model):
    """The journal account at the decision: dollars."""

    name: str
    equity: float | None
    cash: float | None
    margin: float | None


class TicketLegOut(_Model):
    """One leg of an order ticket: verb (BTO/STO/BTC/STC), OCC symbol, quotes in points."""

    verb: str
    quantity: int
    symbol: str
    bid: float | None
    ask: float | None
    mid: float | None
    origin: str


class TicketOut(_Model):
    """A broker-ready order (`vixshield.service.Ticket`) and its state in the journal."""

    order_id: str | None
    status: str | None = Field(description="open/partial/filled; None when not recorded.")
    filled: int | None
    action: str
    kind: str
    layer: str | None
    contracts: int
    position_id: str | None
    direction: str = Field(description="credit (received) or debit (paid).")
    mid: float | None
    limit: float | None = Field(description="Net limit per unit, points, on the tick.")
    worst: float | None
    tick: float | None
    max_loss: float | str | None = Field(description="Dollars, or 'unlimited'.")
    buying_power: float | None
    take_profit: float | None
    stop: float | None
    exit_date: str | None
    prices: str = Field(description="real or modeled: where the leg quotes came from.")
    reason: str | None
    legs: list[TicketLegOut]


class DecisionOut(_Model):
    """What to do at the close, in a trader's words."""

    condor: Literal["open", "close", "hold", "none"]
    condor_reason: str | None
    hedges: list[str] = Field(description="One line per hedge order (buy, sell, roll).")
    summary: str


class SignalOut(_Model):
    """A signal: recorded in the journal, or computed for a date (not recorded)."""

    id: int | None
    date: str
    source: Literal["journal", "computed"]
    policy: str | None
    regime: str | None
    decision: DecisionOut
    tickets: list[TicketOut]
    account: AccountOut | None
    book_greeks: dict[str, GreeksOut]
    warnings: list[str]
    settled: list[dict[str, Any]]
    created_at: str | None
    policy_hash: str | None
    data_versions: dict[str, str]
    document: dict[str, Any] = Field(description="The signal document as recorded.")


class SignalItem(_Model):
    """One row of the list of issued signals."""

    id: int
    date: str
    created_at: str
    regime: str | None
    orders: int
    condor: Literal["open", "close", "hold", "none"]
    policy_hash: str


class SignalsOut(_Model):
    """Every signal the account was issued, oldest first."""

    account: str
    signals: list[SignalItem]


class MarkedLegOut(_Model):
    """A leg of an open position with its quote at the mark date (points, per option)."""

    symbol: str
    underlying: str
    expiry: str
    strike: float
    right: str
    ratio: int
    bid: float | None
    ask: float | None
    mid: float | None
    origin: Origin
    delta: float | None
    gamma: float | None
    vega: float | None
    theta: float | None


class PositionOut(_Model):
    """An open position: entry and mark per unit (points, < 0 a credit), value and P&L."""

    id: str
    kind: str
    layer: str | None
    label: str
    contracts: int
    opened: str
    entry_price: float
    mark: float | None = Field(description="Net mid per unit at the mark date, points.")
    value: float | None = Field(description="100 x contracts x mark, dollars.")
    pnl: float | None = Field(description="100 x contracts x (mark - entry), dollars.")
    greeks: GreeksOut | None
    origin: Origin
    legs: list[MarkedLegOut]


class PositionsOut(_Model):
    """The account's open positions marked at ``as_of``."""

    account: str
    as_of: str | None = Field(description="Mark date (the latest signal's, or ?date=).")
    cash: float
    value: float | None
    pnl: float | None
    greeks: dict[str, GreeksOut]
    positions: list[PositionOut]
    problems: list[str] = Field(description="Legs that could not be marked, and why.")


class FillOut(_Model):
    """An execution the trader reported (``journal fill``)."""

    order_id: str
    position_id: str
    time: str
    date: str
    action: str
    kind: str
    layer: str | None
    direction: str
    price: float = Field(description="Per unit, points, in the order's direction.")
    contracts: int
    fees: float
    cash: float = Field(description="Dollars, > 0 received.")


class FillIn(_Model):
    """An execution to book, as ``vixshield journal fill ORDER_ID --price P ...``."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    order_id: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}#\d+$", description="YYYY-MM-DD#n.")
    price: float = Field(ge=0, description="Net per unit, points, in the order's direction.")
    contracts: int | None = Field(default=None, gt=0, description="Default: all unfilled.")
    time: dt.datetime | None = Field(default=None, description="Execution time, ISO 8601.")
    fees: float | None = Field(default=None, ge=0, description="Dollars (default: policy's).")


class FillResultOut(_Model):
    """The fill booked: the position it opened or reduced and the cash it moved."""

    order_id: str
    position_id: str
    time: str
    price: float
    contracts: int
    fees: float
    cash: float = Field(description="Dollars, > 0 received.")


class ClosedPositionOut(_Model):
    """A closed position: its realised P&L is the sum of its cash flows (dollars)."""

    id: str
    kind: str
    layer: str | None
    label: str
    opened: str
    closed: str | None
    entry_price: float
    pnl: float


class EventOut(_Model):
    """A row of the journal history: a signal, a fill, a settlement or an import."""

    date: str
    kind: str
    amount: float | None
    position_id: str | None
    note: str


class HistoryOut(_Model):
    """Fills, closed positions and every event of the account."""

    account: str
    fills: list[FillOut]
    closed: list[ClosedPositionOut]
    events: list[EventOut]


class EquityPoint(_Model):
    """The account at one decision: cash + positions at mid, dollars."""

    date: str
    equity: float
    cash: float
    margin: float


class EquityOut(_Model):
    """The account's equity at each recorded signal."""

    account: str
    capital: float
    points: list[EquityPoint]


class TicketOrigin(_Model):
    """Where one ticket's quotes came from."""

    order_id: str | None
    prices: str
    real_legs: int
    modeled_legs: int


class SeriesOrigin(_Model):
    """One input series of the data: its provider and whether it is real or modeled."""

    series: str
    provider: str
    origin: str
    version: str | None = Field(description="provider@fetched_at recorded with the signal.")
    note: str


class ProvenanceOut(_Model):
    """Which inputs of the latest signal were real and which were modeled."""

    date: str
    signal_id: int | None
    data_source: str
    data_last_day: str | None = Field(description="Last day with SPX and VIX closes.")
    overall: Origin
    tickets: list[TicketOrigin]
    series: list[SeriesOrigin]
    regime_missing: list[str] = Field(description="Regime inputs the data did not have.")
    summary: str
