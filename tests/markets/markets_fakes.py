"""Format-true synthetic MarketData for the markets tests (importable via conftest)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vixshield.data.market import DAILY_COLUMNS, MarketData

__all__ = ["make_data"]


def make_data(
    start: str = "2017-01-03",
    periods: int = 80,
    *,
    vix: float = 15.0,
    with_term: bool = True,
    vx: pd.DataFrame | None = None,
) -> MarketData:
    """A format-true MarketData on NYSE sessions with a gently moving SPX and VIX family."""
    from vixshield.data.calendars import trading_days

    idx = trading_days(start, pd.Timestamp(start) + pd.Timedelta(days=2 * periods))[:periods]
    rng = np.random.default_rng(7)
    spx = 2250.0 * np.exp(np.cumsum(rng.normal(0.0003, 0.008, periods)))
    v = vix * np.exp(np.cumsum(rng.normal(0.0, 0.03, periods)))
    df = pd.DataFrame(np.nan, index=idx, columns=list(DAILY_COLUMNS))
    df["spx_close"] = spx
    df["spx_open"] = spx * (1 + rng.normal(0, 0.002, periods))
    df["spx_high"] = np.maximum(df["spx_open"], spx) * 1.003
    df["spx_low"] = np.minimum(df["spx_open"], spx) * 0.997
    df["vix"] = v
    df["vix_open"] = v * 1.01
    df["skew"] = 128.0
    df["vvix"] = 90.0
    df["rate"] = 0.01
    if with_term:
        df["vix9d"] = v * 0.92
        df["vix3m"] = v * 1.12
        df["vix6m"] = v * 1.2
    empty_vx = pd.DataFrame(
        {"date": pd.to_datetime([]), "expiry": pd.to_datetime([]), "settle": []}
    )
    events = pd.DataFrame({"date": pd.to_datetime([]), "kind": [], "label": [], "value": []})
    return MarketData(daily=df, vx=vx if vx is not None else empty_vx, events=events)
