"""The journal's records (accounts, orders, fills, settlements) and the legs' JSON form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from vixshield._typing import Origin
from vixshield.strategy.types import Leg

__all__ = [
    "Account",
    "Fill",
    "JournalOrder",
    "Settled",
    "day_text",
    "leg_from",
    "leg_json",
    "now_text",
]


@dataclass(frozen=True)
class Account:
    """A journal account: ``capital`` dollars at ``start`` under ``policy``."""

    id: int
    name: str
    policy: str
    capital: float
    start: pd.Timestamp


@dataclass(frozen=True)
class JournalOrder:
    """An order the service issued (a row of ``orders``), with its fills so far."""

    id: str
    date: pd.Timestamp
    action: Literal["open", "close"]
    kind: str
    layer: str | None
    contracts: int
    position_id: str | None
    legs: tuple[Leg, ...]
    direction: Literal["credit", "debit"]
    limit_price: float | None
    fees_per_unit: float
    status: str
    filled: int


@dataclass(frozen=True)
class Fill:
    """One execution the trader reported: ``price`` per unit in the order's direction."""

    order_id: str
    position_id: str
    time: str
    price: float
    contracts: int
    fees: float
    cash: float


@dataclass(frozen=True)
class Settled:
    """A leg settled at expiry: its position, the leg, the value and the cash booked."""

    position_id: str
    leg: Leg
    value: float
    origin: Origin
    cash: float


def day_text(ts: pd.Timestamp | str) -> str:
    return f"{pd.Timestamp(ts):%Y-%m-%d}"


def now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def leg_json(leg: Leg) -> dict[str, object]:
    return {
        "underlying": leg.underlying,
        "root": leg.root,
        "expiry": day_text(leg.expiry),
        "settlement": leg.settlement,
        "strike": leg.strike,
        "right": leg.right,
        "ratio": leg.ratio,
    }


def leg_from(raw: Mapping[str, Any]) -> Leg:
    return Leg(
        underlying=raw["underlying"],
        root=str(raw["root"]),
        expiry=pd.Timestamp(raw["expiry"]),
        settlement=raw["settlement"],
        strike=float(raw["strike"]),
        right=raw["right"],
        ratio=int(raw["ratio"]),
    )
