"""Cboe: daily index histories and the delayed-quotes option chains (no API key)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import ClassVar

from vixshield.data.providers.base import UrlProvider

__all__ = ["CBOE_BASE", "CboeIndexProvider", "CboeQuotesProvider"]

CBOE_BASE = "https://cdn.cboe.com"
_HISTORY = "/api/global/us_indices/daily_prices/{name}_History.csv"
_QUOTES = "/api/global/delayed_quotes/options/_{symbol}.json"

_INDEX_FILES: dict[str, str] = {
    "vix": "VIX",
    "vix_open": "VIX",  # the OPEN column of the VIX history
    "vix9d": "VIX9D",
    "vix3m": "VIX3M",
    "vix6m": "VIX6M",
    "vvix": "VVIX",
    "skew": "SKEW",
}


class CboeIndexProvider(UrlProvider):
    """Cboe index histories ``<NAME>_History.csv`` (VIX, VIX9D, VIX3M, VIX6M, VVIX, SKEW).

    Values are index points (volatility points for the VIX family), one row per
    Cboe trading day; parsed by the ``cboe_index`` format.
    """

    name = "cboe"
    default_base = CBOE_BASE
    kind = "cboe_index"
    paths: ClassVar[Mapping[str, str]] = {
        key: _HISTORY.format(name=name) for key, name in _INDEX_FILES.items()
    }

    def parse_series(self, series: str) -> str | None:
        # vix_open comes from the VIX file: the parser is told which index it reads.
        return "vix" if series == "vix_open" else series


class CboeQuotesProvider(UrlProvider):
    """Today's delayed SPX and VIX option chains (Cboe delayed-quotes JSON, ~15 min delay).

    One series, ``chain``, downloaded from ``_SPX.json`` and ``_VIX.json``. Each file is a
    snapshot stamped with its New York time; the fetch stores it in the store's chain
    dataset under that date, not as a store series, and skips with a warning one that is
    not a session's close (`vixshield.data.chains.fetched`). Fetch it after the close, by
    20:15 ET: ``vixshield data fetch chain``.
    """

    name = "cboe_quotes"
    default_base = CBOE_BASE
    kind = "cboe_quotes_json"
    paths: ClassVar[Mapping[str, str]] = {"chain": _QUOTES.format(symbol="SPX")}
    symbols: tuple[str, ...] = ("SPX", "VIX")

    def _real_urls(self, series: str, start: dt.date | None) -> tuple[str, ...]:
        self._check(series)  # today's quotes only: no start date
        return tuple(f"{self.base_url}{_QUOTES.format(symbol=s)}" for s in self.symbols)

    def parse_series(self, series: str) -> str | None:
        return None
