"""FRED CSV downloads (``fredgraph.csv``; no API key).

A start date is sent as ``cosd=YYYY-MM-DD`` (the observation start of FRED's graph
download links; the series then runs to its latest observation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import ClassVar

from vixshield.data.providers.base import UrlProvider

__all__ = ["FRED_BASE", "FRED_IDS", "FredProvider"]

FRED_BASE = "https://fred.stlouisfed.org"

FRED_IDS: dict[str, str] = {
    "rate": "DTB3",  # 3-month T-bill secondary market rate, percent (parsed to decimal)
    "cpi": "CPIAUCSL",  # CPI-U, all items, index 1982-84=100, monthly
    "ppi": "PPIFIS",  # PPI final demand, index Nov 2009=100, monthly
    "vix": "VIXCLS",  # VIX close, volatility points (alternative to Cboe)
    "spx_close": "SP500",  # S&P 500 close, index points (last ten years only)
}
"""Series key -> FRED series id."""


class FredProvider(UrlProvider):
    """FRED series as ``fredgraph.csv``.

    Header ``observation_date,<ID>``; a missing value is ``.`` or an empty field.
    """

    name = "fred"
    default_base = FRED_BASE
    kind = "fred"
    paths: ClassVar[Mapping[str, str]] = {
        key: f"/graph/fredgraph.csv?id={fid}" for key, fid in FRED_IDS.items()
    }
    supports_start = True

    def start_query(self, start: dt.date) -> str:
        return f"&cosd={start:%Y-%m-%d}"
