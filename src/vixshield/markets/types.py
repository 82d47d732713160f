"""Types of the markets layer: the one chain interface strategy and backtest see."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

import pandas as pd

from vixshield._typing import ArrayLike, FloatArray, Origin, Settlement, Underlying
from vixshield.data.market import MarketData

__all__ = ["CHAIN_COLUMNS", "Expiry", "GridQuotes", "MarketView", "OptionChain", "QuoteBlock"]

CHAIN_COLUMNS: tuple[str, ...] = (
    "expiry",  # Timestamp (date) of expiration
    "root",  # "SPX" (monthly, AM), "SPXW" (weekly/daily, PM), "VIX"
    "settlement",  # "AM" or "PM"
    "strike",  # index points
    "right",  # "C" or "P"
    "bid",  # index points per unit (x100 for dollars per contract)
    "ask",
    "mid",
    "iv",  # implied vol, decimal
    "delta",  # per 1 point of the underlying (VIX: of the VIX future)
    "gamma",
    "vega",  # per 1 vol point
    "theta",  # per calendar day
    "t_years",  # ACT/365 from the as-of close to the settlement time
    "forward",  # forward of that expiry (SPX: S e^{(r-q)T}; VIX: the VX future)
    "origin",  # "real" or "modeled"
)


@dataclass(frozen=True, slots=True)
class Expiry:
    """One listed expiration on a date.

    Slotted: the listing rules build ~40 per day and a run keeps them all, so
    one object each (no ``__dict__``) halves what the garbage collector tracks.
    """

    date: pd.Timestamp
    root: str
    settlement: Settlement
    t_years: float
    """ACT/365 years from the as-of date's close (16:00 ET) to settlement."""

    @classmethod
    def many(
        cls, rows: Iterable[tuple[pd.Timestamp, str, Settlement, float]]
    ) -> tuple[Expiry, ...]:
        """``Expiry(*row)`` of every ``(date, root, settlement, t_years)`` row, as a tuple.

        The same objects as the constructor's (fields, equality, hash), built
        without the frozen dataclass's `object.__setattr__` per field.
        """
        listed = list(rows)
        return cls.many_at([row[:3] for row in listed], [row[3] for row in listed])

    @classmethod
    def many_at(
        cls, fields: Sequence[tuple[pd.Timestamp, str, Settlement]], t_years: Sequence[float]
    ) -> tuple[Expiry, ...]:
        """``Expiry(date, root, settlement, t)`` of each ``fields`` row with its ``t_years``.

        Parameters
        ----------
        fields : sequence of (Timestamp, str, str)
            Date, root and settlement of each expiry (rows shared across days).
        t_years : sequence of float
            The as-of day's years to each settlement, in the order of ``fields``.

        Returns
        -------
        tuple of Expiry
            The same objects as the constructor's (fields, equality, hash).
        """
        new = object.__new__
        set_date, set_root, set_settlement, set_t = _SLOT_SETTERS
        out: list[Expiry] = []
        for (date, root, settlement), t in zip(fields, t_years, strict=True):
            obj = new(cls)
            set_date(obj, date)
            set_root(obj, root)
            set_settlement(obj, settlement)
            set_t(obj, t)
            out.append(obj)
        return tuple(out)


def _slot_setter(name: str) -> Callable[[Expiry, object], None]:
    """The slot descriptor's setter of `Expiry` field ``name`` (bypasses the frozen guard)."""
    return cast(Callable[[Expiry, object], None], vars(Expiry)[name].__set__)


_SLOT_SETTERS = tuple(_slot_setter(n) for n in ("date", "root", "settlement", "t_years"))


@dataclass(frozen=True)
class OptionChain:
    """An option chain at a date's close.

    ``quotes`` has exactly the columns `CHAIN_COLUMNS`, one row per
    (expiry, strike, right), sorted by expiry, right, strike.
    """

    underlying: Underlying
    as_of: pd.Timestamp
    spot: float
    rate: float
    quotes: pd.DataFrame
    origin: Origin


@dataclass(frozen=True)
class QuoteBlock:
    """Vectorised quotes for specific options (the fast path for backtests).

    All arrays have the length of the request; prices in index points per unit.
    """

    bid: FloatArray
    ask: FloatArray
    mid: FloatArray
    iv: FloatArray
    delta: FloatArray
    gamma: FloatArray
    vega: FloatArray
    theta: FloatArray
    forward: FloatArray
    t_years: FloatArray
    origin: Origin
    """``"real"`` only where every row is real (see `row_origins`)."""
    row_origins: tuple[Origin, ...] | None = None
    """Per-row origin where the rows differ (a real chain covering part of the request);
    None where every row is `origin`."""

    def origins(self) -> tuple[Origin, ...]:
        """The origin of every row."""
        if self.row_origins is not None:
            return self.row_origins
        return (self.origin,) * len(self.mid)


@dataclass(frozen=True)
class GridQuotes:
    """Quotes of every listed strike of several expiries of one right (`Markets.quote_grids`).

    Rows ``edges[n]:edges[n + 1]`` are the ``n``-th expiry's, by ascending strike
    (index points); ``quotes`` holds every row's quote, in the same order.
    """

    strike: FloatArray
    edges: tuple[int, ...]
    quotes: QuoteBlock


class MarketView(Protocol):
    """What strategy and backtest may ask of the markets layer.

    Every method answers with data known at ``date``'s close only.
    """

    @property
    def data(self) -> MarketData:
        """The underlying market data (whole history; callers cut with ``until``)."""
        ...

    def expiries(self, date: pd.Timestamp, underlying: Underlying) -> list[Expiry]:
        """Expirations listed at ``date`` (SPX: monthlies AM + weeklies PM as listed then)."""
        ...

    def chain(
        self, date: pd.Timestamp, underlying: Underlying, expiry: pd.Timestamp | None = None
    ) -> OptionChain:
        """The full chain (or one expiry of it) at ``date``'s close."""
        ...

    def quote(
        self,
        date: pd.Timestamp,
        underlying: Underlying,
        expiry: Sequence[pd.Timestamp],
        strike: ArrayLike,
        right: Sequence[str],
    ) -> QuoteBlock:
        """Quotes for specific options at ``date``'s close (vectorised)."""
        ...

    def strikes(
        self, date: pd.Timestamp, underlying: Underlying, expiry: pd.Timestamp
    ) -> FloatArray:
        """Listed strikes of one expiry at ``date`` (sorted, index points), without pricing them."""
        ...

    def vx_curve(self, date: pd.Timestamp) -> pd.DataFrame:
        """VX futures curve: columns expiry, value (vol points), dte (days), origin."""
        ...

    def settlement_value(self, underlying: Underlying, expiry: pd.Timestamp, root: str) -> float:
        """Final settlement value: SPX AM = open on expiry, SPXW PM = close, VIX = SOQ.

        NaN where the expiry has not happened in the data.
        """
        ...

    def settlement(
        self, underlying: Underlying, expiry: pd.Timestamp, root: str
    ) -> tuple[float, Origin]:
        """`settlement_value` with its origin: ``"modeled"`` where a proxy stands in
        (VIX options without a ``vix_open`` on expiry day settle at the prior close)."""
        ...
