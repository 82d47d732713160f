"""Fixtures of the markets tests: a small synthetic MarketData and real index histories.

The repository runs pytest with ``--import-mode=importlib``; this folder is put on
``sys.path`` so the uniquely named helper module ``markets_fakes`` imports.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.data.market import DAILY_COLUMNS, MarketData

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from markets_fakes import make_data  # noqa: E402


@pytest.fixture(scope="session")
def small_data() -> MarketData:
    return make_data()


def _index(folder: Path, name: str) -> pd.Series:
    df = pd.read_csv(folder / "cboe_indices" / f"{name}_History.csv")
    col = "CLOSE" if "CLOSE" in df.columns else df.columns[1]
    s = pd.Series(
        df[col].to_numpy(dtype=float), index=pd.to_datetime(df["DATE"], format="%m/%d/%Y")
    )
    return s[~s.index.duplicated()].sort_index()


@pytest.fixture(scope="session")
def real_indices(shared_data: Path) -> pd.DataFrame:
    """Real Cboe index closes (vix, vix9d, vix3m, vix6m, skew, vvix) by date."""
    cols = {
        "VIX": "vix",
        "VIX9D": "vix9d",
        "VIX3M": "vix3m",
        "VIX6M": "vix6m",
        "SKEW": "skew",
        "VVIX": "vvix",
    }
    return pd.DataFrame({v: _index(shared_data, k) for k, v in cols.items()})


@pytest.fixture(scope="session")
def real_data(shared_data: Path, real_indices: pd.DataFrame) -> MarketData:
    """MarketData from the real Cboe index closes and the stooq SPX history (2008-2025)."""
    spx = pd.read_csv(shared_data / "spx" / "spx_stooq_daily.csv", parse_dates=["Date"])
    spx = spx.set_index("Date").sort_index()
    spx = spx[spx.index >= pd.Timestamp("2008-01-02")]
    idx = spx.index.intersection(real_indices.index)
    idx.name = "date"
    df = pd.DataFrame(np.nan, index=idx, columns=list(DAILY_COLUMNS))
    for c, src in (("spx_open", "Open"), ("spx_high", "High"), ("spx_low", "Low")):
        df[c] = spx.loc[idx, src].to_numpy(dtype=float)
    df["spx_close"] = spx.loc[idx, "Close"].to_numpy(dtype=float)
    for c in ("vix", "vix9d", "vix3m", "vix6m", "skew", "vvix"):
        df[c] = real_indices.loc[idx, c].to_numpy(dtype=float)
    df["rate"] = 0.01
    no_dates = pd.to_datetime([])
    vx = pd.DataFrame({"date": no_dates, "expiry": no_dates, "settle": []})
    events = pd.DataFrame({"date": no_dates, "kind": [], "label": [], "value": []})
    return MarketData(daily=df, vx=vx, events=events)
