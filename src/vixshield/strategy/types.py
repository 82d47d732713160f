"""Types shared by strategy (which decides) and backtest (which executes).

Money is in dollars per contract unless a name says otherwise; option prices
in index points per unit (x100 for SPX and VIX options).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol

import pandas as pd
from typing_extensions import TypeVar

from vixshield._typing import Outcome, PositionKind, Right, Settlement, Underlying
from vixshield.markets.types import MarketView
from vixshield.strategy.frozen_init import direct_init

__all__ = [
    "AccountState",
    "DecideFn",
    "Decision",
    "ForeignStateError",
    "Leg",
    "Order",
    "Position",
    "PositionMark",
    "RuleFired",
    "kind_label",
    "parse_kind_label",
]

StateT = TypeVar("StateT", default=object)
"""The type of a decision function's state (`vixshield.strategy.StrategyState` for `decide`)."""
StateT_co = TypeVar("StateT_co", covariant=True, default=object)
"""`StateT` where only read (a `Decision` of `StrategyState` is a `Decision` of object)."""


def kind_label(kind: PositionKind, layer: str | None) -> str:
    """The display and table label of a kind: ``"condor"`` or ``"hedge:<layer>"``.

    Used for result tables (trade ``kind`` column, ``pnl_<label>`` columns) and files;
    code compares ``kind`` and ``layer``, never labels.
    """
    return "condor" if kind == "condor" else f"hedge:{layer}"


def parse_kind_label(label: str) -> tuple[PositionKind, str | None]:
    """``(kind, layer)`` of a label written by `kind_label` (files, result tables).

    Raises ValueError for anything else.
    """
    if label == "condor":
        return "condor", None
    head, sep, layer = label.partition(":")
    if head == "hedge" and sep and layer:
        return "hedge", layer
    raise ValueError(f"expected 'condor' or 'hedge:<layer>', got {label!r}")


def _kind_fields(obj: object, kind: str, layer: str | None) -> None:
    """Check (kind, layer) of a frozen Position or Order; a legacy label is split once."""
    if kind not in ("condor", "hedge"):
        k, lay = parse_kind_label(kind)  # the legacy "hedge:<layer>" label
        if layer is not None and layer != lay:
            raise ValueError(f"kind {kind!r} names layer {lay!r}, layer field says {layer!r}")
        object.__setattr__(obj, "kind", k)
        object.__setattr__(obj, "layer", lay)
        return
    if kind == "hedge" and not layer:
        raise ValueError("a hedge needs its layer name")
    if kind == "condor" and layer is not None:
        raise ValueError(f"a condor has no layer (got {layer!r})")


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


@direct_init
@dataclass(frozen=True)
class Position:
    """An open position: legs times ``contracts``.

    ``kind`` is ``"condor"`` or ``"hedge"``; a hedge names its ``layer`` (a
    condor has None). ``entry_price`` is the net price paid per unit in index
    points (negative: a credit received). The legacy label ``"hedge:<layer>"`` as
    ``kind`` is split into the two fields at construction.
    """

    id: str
    kind: PositionKind
    legs: tuple[Leg, ...]
    contracts: int
    opened: pd.Timestamp
    entry_price: float
    meta: Mapping[str, float | str] = field(default_factory=dict)
    layer: str | None = None

    def __post_init__(self) -> None:
        _kind_fields(self, self.kind, self.layer)

    @property
    def label(self) -> str:
        """``"condor"`` or ``"hedge:<layer>"`` (`kind_label`), for tables and files."""
        return kind_label(self.kind, self.layer)


@direct_init
@dataclass(frozen=True)
class Order:
    """An instruction from the strategy to the execution layer.

    ``action`` "open" creates a position from ``legs`` x ``contracts``; "close"
    closes ``contracts`` of ``position_id`` (all of it when equal to its size).
    ``kind`` and ``layer`` as for `Position`.
    """

    action: Literal["open", "close"]
    kind: PositionKind
    legs: tuple[Leg, ...]
    contracts: int
    reason: str
    position_id: str | None = None
    layer: str | None = None

    def __post_init__(self) -> None:
        _kind_fields(self, self.kind, self.layer)

    @property
    def label(self) -> str:
        """``"condor"`` or ``"hedge:<layer>"`` (`kind_label`)."""
        return kind_label(self.kind, self.layer)


@direct_init
@dataclass(frozen=True)
class RuleFired:
    """One entry of a decision's audit trail.

    ``outcome`` is the verdict (`vixshield._typing.Outcome`: "fail" refuses what
    the rule guards, "pass" lets it through, "warn" lets it through with a caveat,
    "info" records a choice); ``note`` says why or what, in words.
    """

    rule: str
    inputs: Mapping[str, float | str]
    outcome: Outcome
    note: str = ""

    @property
    def failed(self) -> bool:
        """True when the rule refused (outcome "fail")."""
        return self.outcome == "fail"

    @property
    def text(self) -> str:
        """``"<outcome>: <note>"`` (or the outcome alone), for reading."""
        return f"{self.outcome}: {self.note}" if self.note else self.outcome


@direct_init
@dataclass(frozen=True)
class AccountState:
    """The account as the strategy sees it at a close (dollars)."""

    equity: float
    cash: float
    margin: float


@dataclass(frozen=True)
class Decision(Generic[StateT_co]):
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
        ratio). JSON-serialisable values only. Made on first read for a decision
        built with `Decision.deferred`.
    state : StateT_co or None
        The strategy state to pass to the next call (for `decide` a
        `vixshield.strategy.StrategyState`: the cycle history of the
        credit-to-hedge rule, smoothed targets, flags). Never mutated.
    """

    date: pd.Timestamp
    regime: str
    regime_inputs: Mapping[str, float | str]
    orders: tuple[Order, ...]
    audit: tuple[RuleFired, ...]
    details: Mapping[str, object] = field(default_factory=dict)
    state: StateT_co | None = None

    @classmethod
    def deferred(
        cls,
        make_details: Callable[[], Mapping[str, object]],
        date: pd.Timestamp,
        regime: str,
        regime_inputs: Mapping[str, float | str],
        orders: tuple[Order, ...],
        audit: tuple[RuleFired, ...],
        state: StateT_co | None = None,
    ) -> Decision[StateT_co]:
        """A decision whose ``details`` are made by ``make_details()`` when first read.

        Reading ``details`` (directly, or through ``==``, ``repr``, `dataclasses.replace`)
        calls ``make_details`` once and keeps its answer, so the field reads as the
        mapping a decision made with ``details=make_details()`` holds. A backtest keeps
        only its last decision: the reports of the other closes are never built.
        ``make_details`` must be a pure function of values that are not changed later
        (a `functools.partial` of plain data pickles with the decision).
        """
        new = object.__new__(cls)
        new.__dict__.update(
            date=date,
            regime=regime,
            regime_inputs=regime_inputs,
            orders=orders,
            audit=audit,
            state=state,
            _make_details=make_details,
        )
        return new

    if not TYPE_CHECKING:  # typed as the field above; only reached while it is unmade

        def __getattr__(self, name: str) -> object:
            make = self.__dict__.get("_make_details") if name == "details" else None
            if make is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            details = self.__dict__["details"] = make()
            self.__dict__.pop("_make_details", None)
            return details


@direct_init
@dataclass(frozen=True)
class PositionMark:
    """Mark of one position per unit: value (points), greeks, calendar days to the first expiry.

    ``spread`` and ``bid_value`` in points per unit (see `vixshield.strategy.marks`);
    their defaults (0 and NaN) mean "not quoted". ``legs`` holds each leg's
    ``(mid, bid, ask)`` in index points, in the position's leg order (empty: not
    kept: the mark cannot price a close, `close_cash` raises).
    """

    value: float
    delta: float
    vega: float
    theta: float
    dte: int
    spread: float = 0.0
    bid_value: float = math.nan
    legs: tuple[tuple[float, float, float], ...] = ()


class ForeignStateError(TypeError):
    """A decision function was given a state it did not make (a bug in the caller)."""


class DecideFn(Protocol[StateT]):
    """The seam between the strategy and the backtest: one close in, one decision out.

    ``state`` is the ``Decision.state`` the same function returned at the previous
    close (None at the first); a function given a state of another type raises
    `ForeignStateError` rather than starting afresh. `vixshield.strategy.decide` is a
    ``DecideFn[StrategyState]``; tests script their own.
    """

    def __call__(
        self,
        date: pd.Timestamp,
        market: MarketView,
        positions: tuple[Position, ...],
        account: AccountState,
        policy: Any,
        state: StateT | None = None,
        indicators: pd.DataFrame | None = None,
        marks: Mapping[str, PositionMark] | None = None,
    ) -> Decision[StateT]: ...
