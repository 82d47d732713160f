"""The in-memory market data bundle every upper layer reads.

`MarketData` is the one object the data layer hands to ``markets``,
``strategy`` and ``backtest``. It is immutable; `MarketData.until` gives the
view known at a date's close, which is how the upper layers avoid look-ahead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import pandas as pd

from vixshield._typing import Origin

__all__ = [
    "BENCHMARK_COLUMNS",
    "CHAIN_FRAME_COLUMNS",
    "CHAIN_REQUIRED",
    "DAILY_COLUMNS",
    "EVENT_KINDS",
    "RATE_ORIGINS",
    "MarketData",
    "Provenance",
    "RateOrigin",
    "empty_benchmarks",
]

RateOrigin = Literal["real", "filled", "modeled", "missing"]
"""Where one day's ``rate`` came from (`MarketData.rate_origin`)."""

RATE_ORIGINS: tuple[RateOrigin, ...] = ("real", "filled", "modeled")
"""The values of `MarketData.rate_origins` (NA where the rate is NaN)."""

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
    "spx_set",  # S&P 500 special opening quotation (SOQ/SET) on AM-settlement days, index points
    "div_yield",  # S&P 500 trailing 12-month dividend yield, decimal per year (modeled, annual)
)
"""Columns of `MarketData.daily`, with their units. NaN where unknown.

``spx_set`` is NaN except on the days a settlement value was imported (the
monthly AM-settlement days of SPX options). ``div_yield`` is the simple annual
yield (dividends over price) of the previous calendar year, stepped on 1 January
(see `vixshield.data.dividends`).
"""

BENCHMARK_COLUMNS: tuple[str, ...] = (
    "put",  # Cboe S&P 500 PutWrite Index (PUT), index points
    "bxm",  # Cboe S&P 500 BuyWrite Index (BXM), index points
    "pput",  # Cboe S&P 500 5% Put Protection Index (PPUT), index points
    "cll",  # Cboe S&P 500 95-110 Collar Index (CLL), index points
)
"""Columns of `MarketData.benchmarks`: Cboe's strategy benchmark indices (closing values)."""

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


def empty_benchmarks() -> pd.DataFrame:
    """An empty `MarketData.benchmarks` frame: no rows, index ``date``, `BENCHMARK_COLUMNS`."""
    index = pd.DatetimeIndex([], dtype="datetime64[ns]", name="date")
    return pd.DataFrame(
        {c: pd.Series([], index=index, dtype="float64") for c in BENCHMARK_COLUMNS}, index=index
    )


@dataclass(frozen=True)
class Provenance:
    """Where one series came from.

    Attributes
    ----------
    series : str
        Series key: a column of `MarketData.daily`, ``"vx"`` or ``"events:KIND"``.
    provider : str
        Short provider name: ``"arch"``, ``"cboe"``, ``"cfe"``, ``"fred"``,
        ``"stooq"``, ``"yahoo"``, ``"vixshield"`` (shipped tables), ``"file"``,
        ``"model"``; two joined by ``+`` (``"stooq+yahoo"``) where a series was
        combined from two providers (the note says which dates came from which).
    source : str
        File path, URL or package resource the values were read from.
    fetched_at : str
        ISO-8601 UTC time the values were fetched or imported.
    origin : {"real", "modeled"}
        ``"real"`` for observed market data, ``"modeled"`` for substitutes.
    note : str
        Free text: the model used for a modeled series, known quirks handled.
    version : int or None
        The store version the values were read from (set by
        `vixshield.data.loader.load_store`; None for data not read from the store, and
        in the store's own catalogue, whose entries carry their version apart).
    """

    series: str
    provider: str
    source: str
    fetched_at: str
    origin: Origin
    note: str = ""
    version: int | None = None

    @property
    def data_version(self) -> str:
        """The exact data a decision read, as a signal records it.

        ``"vix@v0003 (cboe, https://cdn.cboe.com/.../VIX_History.csv, fetched
        2026-12-01T22:31:05Z)"``; without ``@vNNNN`` where the values were not read
        from one store version (shipped tables, a combined series, whose source then
        names each part's version).
        """
        at = f"@v{self.version:04d}" if self.version is not None else ""
        fetched = f", fetched {self.fetched_at}" if self.fetched_at else ""
        return f"{self.series}{at} ({self.provider}, {self.source}{fetched})"


@dataclass(frozen=True)
class MarketData:
    """All daily series, VIX futures settlements, the macro calendar and the benchmarks.

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
        `EVENT_KINDS`), ``label`` (e.g. ``"CPI 2016-05"``), ``value`` (float,
        NaN where not known), ``known_from`` (Timestamp: the first day at whose
        close the event's date was public, never after ``date``) and
        ``scheduled`` (bool; False for an unscheduled FOMC action), sorted by
        ``date``. A frame built before the last two columns existed may lack
        them (`vixshield.data.events.with_known_from` fills them by the rule).
        `until` drops the events not yet known at its date.
    provenance : Mapping[str, Provenance]
        One entry per loaded series key.
    warnings : tuple of str
        Suspicious-but-kept values and missing inputs, for the reports.
    benchmarks : pandas.DataFrame
        Cboe strategy benchmark indices (closing values, index points), indexed by
        a sorted, unique, tz-naive ``DatetimeIndex`` named ``date`` (the dates the
        files carry, *not* aligned to `daily`: PUT has isolated values before 2007,
        CLL has rows on three market holidays) with exactly the float64 columns
        `BENCHMARK_COLUMNS`, NaN where a series has no value (a whole column where
        it is not loaded). No rows where none is loaded (`empty_benchmarks`).
    rate_origins : pandas.Series or None
        Where each day's ``daily.rate`` came from, on ``daily``'s index: ``"real"``
        (the stored 3-month rate of that day), ``"filled"`` (an earlier stored day's,
        carried forward over a bond-market holiday or a failed fetch), ``"modeled"``
        (the modeled Fed funds target mid-point); NA where the rate is NaN. None where
        the builder did not record it (`rate_origin` then answers from the rate's
        provenance). Read it through `rate_origin` and `rate_warning`.
    """

    daily: pd.DataFrame
    vx: pd.DataFrame
    events: pd.DataFrame
    provenance: Mapping[str, Provenance] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    benchmarks: pd.DataFrame = field(default_factory=empty_benchmarks)
    rate_origins: pd.Series | None = None

    def until(self, date: pd.Timestamp) -> MarketData:
        """Return the data known at ``date``'s close (no look-ahead).

        Daily rows, benchmark rows and VX settlements after ``date`` are dropped. Events
        whose ``known_from`` is after ``date`` (an unscheduled FOMC action, a meeting of a
        year whose schedule was not out yet, a release not yet announced) are dropped;
        the known future events stay, with their *values* blanked. A calendar without a
        ``known_from`` column is kept whole (values blanked).
        """
        ts = pd.Timestamp(date).normalize()
        events = self.events
        if "known_from" in events.columns:
            events = events.loc[(events["known_from"] <= ts).to_numpy()].reset_index(drop=True)
        events = events.copy()
        if "value" in events.columns:
            events.loc[events["date"] > ts, "value"] = float("nan")
        return replace(
            self,
            daily=self.daily.loc[:ts],
            benchmarks=self.benchmarks.loc[:ts],
            vx=self.vx[self.vx["date"] <= ts] if len(self.vx) else self.vx,
            events=events,
            rate_origins=None if self.rate_origins is None else self.rate_origins.loc[:ts],
        )

    def has(self, column: str) -> bool:
        """True where ``column`` has at least one value."""
        return column in self.daily.columns and bool(self.daily[column].notna().any())

    def origin(self, series: str) -> Origin | None:
        """``"real"``/``"modeled"`` for a loaded series, None where absent."""
        p = self.provenance.get(series)
        return p.origin if p is not None else None

    def rate_origin(self, date: str | pd.Timestamp) -> RateOrigin:
        """Where ``date``'s ``rate`` came from: real, filled, modeled or missing.

        ``"missing"`` where ``date`` is not a row of `daily` or its rate is NaN. Without
        `rate_origins`, a value is ``"modeled"`` where the rate's provenance says so and
        ``"real"`` otherwise.
        """
        ts = pd.Timestamp(date).normalize()
        if "rate" not in self.daily.columns or ts not in self.daily.index:
            return "missing"
        if not math.isfinite(self._rate_on(ts)):
            return "missing"
        if self.rate_origins is not None and ts in self.rate_origins.index:
            kind = self.rate_origins.at[ts]
            for known in RATE_ORIGINS:
                if kind == known:
                    return known
        return "modeled" if self.origin("rate") == "modeled" else "real"

    def rate_warning(self, date: str | pd.Timestamp) -> str | None:
        """One line for the run's warnings where ``date``'s rate is not that day's own.

        None where it is real (or missing: no value, which the caller's freshness
        check reports). ``"filled"`` names the stored day carried forward,
        ``"modeled"`` the last stored day (if any) and the modeled value.
        """
        ts = pd.Timestamp(date).normalize()
        kind = self.rate_origin(ts)
        if kind in ("real", "missing"):
            return None
        value = self._rate_on(ts)
        last = self._last_real_rate(ts)
        day = f"{ts:%Y-%m-%d}"
        if kind == "filled":
            since = f"{last:%Y-%m-%d}'s" if last is not None else "an earlier day's"
            return (
                f"rate: no 3-month T-bill rate stored for {day}; {since} {value:.3%} "
                "carried forward (not published that day, or its fetch failed)"
            )
        if last is None and self.rate_origins is None:
            p = self.provenance.get("rate")
            where = f" ({p.provider}, {p.source})" if p is not None else ""
            return f"rate: {day}'s {value:.3%} is modeled{where}, not a stored 3-month rate"
        since = f"none since {last:%Y-%m-%d}" if last is not None else "none stored before"
        return (
            f"rate: no 3-month T-bill rate stored for {day} ({since}): the modeled Fed "
            f"funds target mid-point {value:.3%} is used"
        )

    def _rate_on(self, date: pd.Timestamp) -> float:
        """``daily.rate`` on ``date``, a row of `daily` (decimal per year)."""
        return float(self.daily["rate"].loc[[date]].to_numpy(dtype="float64")[0])

    def _last_real_rate(self, date: pd.Timestamp) -> pd.Timestamp | None:
        """The last day on or before ``date`` whose rate is its own stored value."""
        if self.rate_origins is None:
            return None
        real = self.rate_origins.loc[:date]
        real = real[(real == "real").fillna(False).to_numpy(dtype=bool)]
        return pd.Timestamp(real.index[-1]) if len(real) else None
