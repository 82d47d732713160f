"""stooq daily CSV for the S&P 500 index (``^SPX``; no API key)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from vixshield.data.providers.base import UrlProvider

__all__ = ["STOOQ_BASE", "StooqProvider"]

STOOQ_BASE = "https://stooq.com"
_SPX = "/q/d/l/?s=^spx&i=d"


class StooqProvider(UrlProvider):
    """S&P 500 open, high, low and close (index points) from one stooq file."""

    name = "stooq"
    default_base = STOOQ_BASE
    kind = "stooq"
    paths: ClassVar[Mapping[str, str]] = {
        key: _SPX for key in ("spx_open", "spx_high", "spx_low", "spx_close")
    }

    def parse_series(self, series: str) -> str | None:
        return None  # one file holds all four columns
