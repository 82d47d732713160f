"""The in-memory market data bundle every upper layer reads.

`MarketData` is the one object the data layer hands to ``markets``,
``strategy`` and ``backtest``. It is immutable; `MarketData.until` gives the
view known at a date's close, which is how the upper layers avoid look-ahead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from vixshield._typing import Origin

__all__ = [
    "CHAIN_FRAME_COLUMNS",
    "CHAIN_REQUIRED",
    "DAILY_COLUMNS",
    "EVENT_KINDS",
    "MarketData",
    "Provenance",
]

DAILY_COLUMNS: tuple[str, ...] = (
    "spx_open",  # S&P 500 index open, index points
    "spx_high",  # index points
    "spx_low",  # index points
    "spx_close",  # index points
    "vix",  # Cboe VIX close, volatility points (30-day)
    "vix_open",  # Cboe VIX open, volatility points (settles VIX options: SOQ proxy)
    "vix9d",  # Cboe VIX9D close, volatility points
    "vix3m",  # Cboe VIX3M close, volatility points (93-day)
    "vix6m",  # Cboe VIX6M close, volatility points (182-day)
    "vvix",  # Cboe VVIX close, volatility points
    "skew",  # Cboe SKEW close, index points
    "rate",  # 3-month T-bill yield, decimal per year (0.05 = 5%)
    "advances",  # NYSE advancing issues, count
    "declines",  # NYSE declining issues, count
)
"""Columns of `MarketData.daily`, with their units. NaN where unknown."""

EVENT_KINDS: tuple[str, ...] = ("FOMC", "CPI", "PPI", "GDP")

CHAIN_FRAME_COLUMNS: tuple[str, ...] = (
    "quote_date",  # Timestamp, trade date of the quote
    "underlying",  # "SPX" or "VIX"
    "root",  # "SPX", "SPXW", "VIX", "VIXW"
    "expiry",  # Timestamp, expiration date
    "settlement",  # "AM" or "PM"
    "strike",  # index points
    "right",  # "C" or "P"
    "bid",  # index points per unit
    "ask",  # index points per unit
    "iv",  # implied vol, decimal; NaN where the file has none
)
"""Columns of a real option chain in long form (every chain importer returns them)."""

CHAIN_REQUIRED: tuple[str, ...] = CHAIN_FRAME_COLUMNS[:-1]
"""The chain columns a file must provide (``iv`` is optional)."""


@dataclass(frozen=True)
class Provenance:
    """Where one series came from.

    Attributes
    ----------
    series : str
        Series key: a column of `MarketData.daily`, ``"vx"`` or ``"events:KIND"``.
    provider : str
        Short provider name: ``"arch"``, ``"cboe"``, ``"cfe"``, ``"fred"``,
        ``"stooq"``, ``"vixshield"`` (shipped calendars), ``"file"``, ``"model"``.
    source : str
        File path, URL or package resource the values were read from.
    fetched_at : str
        ISO-8601 UTC time the values were fetched or imported.
    origin : {"real", "modeled"}
        ``"real"`` for observed market data, ``"modeled"`` for substitutes.
    note : str
        Free text: the model used for a modeled series, known quirks handled.
    """

    series: str
    provider: str
    source: str
    fetched_at: str
    origin: Origin
    note: str = ""


@dataclass(frozen=True)
class MarketData:
    """All daily series, VIX futures settlements and the macro calendar.

    Attributes
    ----------
    daily : pandas.DataFrame
        Indexed by a sorted, unique, tz-naive ``DatetimeIndex`` named ``date``
        (exchange trading days), with exactly the columns `DAILY_COLUMNS`
        (float64, NaN where a series has no value that day).
    vx : pandas.DataFrame
        VIX futures settlements in long form, columns ``date``, ``expiry``
        (both tz-naive Timestamps) and ``settle`` (volatility points), sorted by
        ``date`` then ``expiry``. Empty where no VX data is loaded.
    events : pandas.DataFrame
        Macro calendar, columns ``date`` (release/decision day), ``kind`` (one of
        `EVENT_KINDS`), ``label`` (e.g. ``"CPI 2016-05"``) and ``value``
        (float, NaN where not known), sorted by ``date``. Future scheduled
        events are known in advance, so they are *not* cut by `until`.
    provenance : Mapping[str, Provenance]
        One entry per loaded series key.
    warnings : tuple of str
        Suspicious-but-kept values and missing inputs, for the reports.
    """

    daily: pd.DataFrame
    vx: pd.DataFrame
    events: pd.DataFrame
    provenance: Mapping[str, Provenance] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def until(self, date: pd.Timestamp) -> MarketData:
        """Return the data known at ``date``'s close (no look-ahead).

        Daily rows and VX settlements after ``date`` are dropped; the event
        calendar is kept whole because release dates are scheduled in advance,
        but event *values* released after ``date`` are blanked.
        """
        ts = pd.Timestamp(date).normalize()
        events = self.events.copy()
        if "value" in events.columns:
            events.loc[events["date"] > ts, "value"] = float("nan")
        return replace(
            self,
            daily=self.daily.loc[:ts],
            vx=self.vx[self.vx["date"] <= ts] if len(self.vx) else self.vx,
            events=events,
        )

    def has(self, column: str) -> bool:
        """True where ``column`` has at least one value."""
        return column in self.daily.columns and bool(self.daily[column].notna().any())

    def origin(self, series: str) -> Origin | None:
        """``"real"``/``"modeled"`` for a loaded series, None where absent."""
        p = self.provenance.get(series)
        return p.origin if p is not None else None
