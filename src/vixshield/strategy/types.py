"""Types shared by strategy (which decides) and backtest (which executes).

Money is in dollars per contract unless a name says otherwise; option prices
in index points per unit (x100 for SPX and VIX options).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from vixshield._typing import Right, Settlement, Underlying

__all__ = ["AccountState", "Decision", "Leg", "Order", "Position", "RuleFired"]


@dataclass(frozen=True)
class Leg:
    """One option leg, per one unit of its position.

    ``ratio`` is signed: +1 long one contract, -1 short one contract.
    """

    underlying: Underlying
    root: str  # "SPX", "SPXW" or "VIX"
    expiry: pd.Timestamp
    settlement: Settlement
    strike: float
    right: Right
    ratio: int


@dataclass(frozen=True)
class Position:
    """An open position: legs times ``contracts``.

    ``kind`` is ``"condor"`` or ``"hedge:<layer name>"``. ``entry_price`` is the
    net price paid per unit in index points (negative: a credit received).
    """

    id: str
    kind: str
    legs: tuple[Leg, ...]
    contracts: int
    opened: pd.Timestamp
    entry_price: float
    meta: Mapping[str, float | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Order:
    """An instruction from the strategy to the execution layer.

    ``action`` "open" creates a position from ``legs`` x ``contracts``; "close"
    closes ``contracts`` of ``position_id`` (all of it when equal to its size).
    """

    action: Literal["open", "close"]
    kind: str
    legs: tuple[Leg, ...]
    contracts: int
    reason: str
    position_id: str | None = None


@dataclass(frozen=True)
class RuleFired:
    """One entry of a decision's audit trail."""

    rule: str
    inputs: Mapping[str, float | str]
    outcome: str


@dataclass(frozen=True)
class AccountState:
    """The account as the strategy sees it at a close (dollars)."""

    equity: float
    cash: float
    margin: float


@dataclass(frozen=True)
class Decision:
    """What the strategy decided at one close, with its reasons.

    Attributes
    ----------
    date : Timestamp
        The close the decision is for (uses data known then only).
    regime : str
        Regime name (for example ``"calm"``, ``"normal"``, ``"elevated"``, ``"stressed"``).
    regime_inputs : Mapping
        Indicator values the regime used; a dropped input maps to ``"missing"``.
    orders : tuple of Order
        Orders to execute at this close.
    audit : tuple of RuleFired
        Every rule evaluated, with inputs and outcome.
    details : Mapping
        Layer-specific structured output for reports (condor candidate analytics,
        hedge layer targets versus holdings, upcoming events, credit-to-hedge
        ratio). JSON-serialisable values only.
    state : object
        Opaque strategy state to pass to the next call (regime hysteresis, the
        cycle history of the credit-to-hedge rule). Never mutated.
    """

    date: pd.Timestamp
    regime: str
    regime_inputs: Mapping[str, float | str]
    orders: tuple[Order, ...]
    audit: tuple[RuleFired, ...]
    details: Mapping[str, object] = field(default_factory=dict)
    state: object = None
