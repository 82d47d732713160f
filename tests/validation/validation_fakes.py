"""A `MarketView` double with hand-set option prices, for hand-computed replica returns.

`PricedMarket` answers ``quote`` only from the prices a test sets (a KeyError
for any other option, so a test sees exactly what the replica asked), lists
the given SPX monthlies (root SPX, AM) plus one SPXW weekly (PM) before each
(the replicas must skip it), strikes every 5 points from 50 to 200 unless set
per (date, expiry), and settles an expiry at the data's ``spx_open`` of that
day. It does not implement ``chain`` or ``vx_curve`` (the replicas do not use
them; they raise NotImplementedError).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from vixshield._typing import ArrayLike, FloatArray, Origin
from vixshield.data.market import DAILY_COLUMNS, MarketData
from vixshield.markets.types import Expiry, OptionChain, QuoteBlock

__all__ = ["PricedMarket", "make_data", "read_index_csv"]

GRID = np.arange(50.0, 205.0, 5.0)


def make_data(
    days: Mapping[str, tuple[float, float]],
    rate: float = 0.036,
    div_yield: float | None = 0.0,
) -> MarketData:
    """MarketData with rows on ``days`` only: date -> (SPX open, SPX close).

    ``div_yield`` fills the daily ``div_yield`` column (None: no such column).
    """
    idx = pd.DatetimeIndex(sorted(pd.Timestamp(d) for d in days), name="date")
    df = pd.DataFrame(np.nan, index=idx, columns=list(DAILY_COLUMNS))
    if div_yield is None:
        df = df.drop(columns=[c for c in ("div_yield",) if c in df.columns])
    else:
        df["div_yield"] = div_yield
    for d, (o, c) in days.items():
        df.loc[pd.Timestamp(d), ["spx_open", "spx_close"]] = (o, c)
    df["rate"] = rate
    no = pd.to_datetime([])
    return MarketData(
        daily=df,
        vx=pd.DataFrame({"date": no, "expiry": no, "settle": []}),
        events=pd.DataFrame({"date": no, "kind": [], "label": [], "value": []}),
    )


class PricedMarket:
    """MarketView double (see module docstring)."""

    def __init__(
        self,
        data: MarketData,
        monthlies: Sequence[str],
        prices: Mapping[tuple[str, str, float, str], float] | None = None,
        strikes: Mapping[tuple[str, str], Sequence[float]] | None = None,
        origin: Origin = "modeled",
    ) -> None:
        self._data = data
        self.monthlies = sorted(pd.Timestamp(m) for m in monthlies)
        self.prices = {
            (pd.Timestamp(d), pd.Timestamp(e), float(k), r): float(v)
            for (d, e, k, r), v in (prices or {}).items()
        }
        self.grids = {
            (pd.Timestamp(d), pd.Timestamp(e)): np.asarray(k, dtype=np.float64)
            for (d, e), k in (strikes or {}).items()
        }
        self.origin: Origin = origin
        self.asked: list[tuple[pd.Timestamp, pd.Timestamp, float, str]] = []

    @property
    def data(self) -> MarketData:
        return self._data

    def expiries(self, date: pd.Timestamp, underlying: str) -> list[Expiry]:
        out = []
        for m in self.monthlies:
            weekly = m - pd.Timedelta(days=1)
            if weekly > date:
                out.append(Expiry(weekly, "SPXW", "PM", (weekly - date).days / 365.0))
            if m > date:
                out.append(Expiry(m, "SPX", "AM", (m - date).days / 365.0))
        return out

    def strikes(self, date: pd.Timestamp, underlying: str, expiry: pd.Timestamp) -> FloatArray:
        return self.grids.get((pd.Timestamp(date), pd.Timestamp(expiry)), GRID)

    def quote(
        self,
        date: pd.Timestamp,
        underlying: str,
        expiry: Sequence[pd.Timestamp],
        strike: ArrayLike,
        right: Sequence[str],
    ) -> QuoteBlock:
        k = np.atleast_1d(np.asarray(strike, dtype=np.float64))
        keys = [
            (pd.Timestamp(date), pd.Timestamp(e), float(kk), str(r))
            for e, kk, r in zip(expiry, k, right, strict=True)
        ]
        self.asked.extend(keys)
        mid = np.array([self.prices[key] for key in keys])
        nan = np.full(mid.shape, np.nan)
        return QuoteBlock(mid, mid, mid, nan, nan, nan, nan, nan, nan, nan, self.origin)

    def chain(
        self, date: pd.Timestamp, underlying: str, expiry: pd.Timestamp | None = None
    ) -> OptionChain:
        raise NotImplementedError("PricedMarket has no chains")

    def vx_curve(self, date: pd.Timestamp) -> pd.DataFrame:
        raise NotImplementedError("PricedMarket has no VX curve")

    def settlement_value(self, underlying: str, expiry: pd.Timestamp, root: str) -> float:
        return self.settlement(underlying, expiry, root)[0]

    def settlement(self, underlying: str, expiry: pd.Timestamp, root: str) -> tuple[float, Origin]:
        e = pd.Timestamp(expiry)
        if e not in self._data.daily.index:
            return float("nan"), "real"
        return float(self._data.daily.loc[e, "spx_open"]), "real"


def read_index_csv(path: str) -> pd.Series:
    """A Cboe strategy index download (``DATE,<NAME>``, dates MM/DD/YYYY) as closes by date."""
    df = pd.read_csv(path)
    dates = pd.to_datetime(df["DATE"], format="%m/%d/%Y")
    s = pd.Series(df.iloc[:, 1].to_numpy(dtype=np.float64), index=pd.DatetimeIndex(dates))
    return s[~s.index.duplicated(keep="last")].sort_index()
