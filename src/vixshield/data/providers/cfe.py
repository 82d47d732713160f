"""CFE VIX futures settlement files, one per monthly contract (no API key)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import ClassVar

import pandas as pd

from vixshield.data.calendars import vx_expiries
from vixshield.data.providers.base import (
    Download,
    FetchError,
    HttpError,
    HttpSession,
    UrlProvider,
)

__all__ = ["CFE_BASE", "CfeVxProvider"]

CFE_BASE = "https://cdn.cboe.com"
_VX = "/data/us/futures/market_statistics/historical_data/VX/VX_{expiry}.csv"

HISTORY_DAYS = 400
"""Default look-back: contracts that expired up to this many calendar days ago."""
AHEAD_DAYS = 280
"""Default look-ahead: contracts expiring up to this many calendar days ahead (~9 listed)."""


class CfeVxProvider(UrlProvider):
    """VX settlements (volatility points) from ``VX_<YYYY-MM-DD>.csv``, one file per expiry.

    Parameters
    ----------
    base_url : str, optional
        Replaces ``https://cdn.cboe.com`` (see `resolve_base`).
    expiries : sequence of date-like, optional
        Contract expiries to download. Default: the monthly expiries from
        `HISTORY_DAYS` before ``as_of`` to `AHEAD_DAYS` after it (rule in
        `vixshield.data.calendars.vx_expiry`).
    as_of : date-like, optional
        The session the data is fetched for (``daily --date``); default today. A
        catch-up or back-dated run asks for the contracts listed around that session,
        not around the wall clock.

    Notes
    -----
    A contract whose file answers HTTP 404 (not listed yet) is skipped; the
    fetch fails if every file is missing or on any other error. With a start date
    only the contracts expiring on or after it are downloaded (one that expired
    before holds no settlement after it).
    """

    name = "cfe"
    default_base = CFE_BASE
    kind = "cfe_vx"
    paths: ClassVar[Mapping[str, str]] = {"vx": _VX}
    supports_start = True

    def __init__(
        self,
        base_url: str | None = None,
        expiries: Sequence[str | pd.Timestamp] | None = None,
        as_of: str | pd.Timestamp | None = None,
    ) -> None:
        super().__init__(base_url)
        self._expiries = None if expiries is None else tuple(pd.Timestamp(e) for e in expiries)
        self._as_of = None if as_of is None else pd.Timestamp(as_of).normalize()

    def expiries(self) -> tuple[pd.Timestamp, ...]:
        """The contract expiries this provider downloads."""
        if self._expiries is not None:
            return self._expiries
        today = self._as_of if self._as_of is not None else pd.Timestamp.now().normalize()
        days = vx_expiries(
            today - pd.Timedelta(days=HISTORY_DAYS), today + pd.Timedelta(days=AHEAD_DAYS)
        )
        return tuple(pd.Timestamp(d) for d in days)

    def _real_urls(self, series: str, start: dt.date | None) -> tuple[str, ...]:
        self._check(series)
        first = None if start is None else pd.Timestamp(start)
        return tuple(
            f"{self.base_url}{_VX.format(expiry=e.strftime('%Y-%m-%d'))}"
            for e in self.expiries()
            if first is None or e >= first
        )

    def parse_series(self, series: str) -> str | None:
        return None

    def fetch(
        self, series: str, session: HttpSession, start: dt.date | None = None
    ) -> tuple[Download, ...]:
        urls = self._real_urls(series, start)
        out: list[Download] = []
        missing: list[HttpError] = []
        for url in urls:
            try:
                out.append(Download(url, session.get(url)))
            except HttpError as err:
                if err.status != 404:
                    raise FetchError(f"{series}: {err}") from None
                missing.append(err)
        if not out:
            first = missing[0] if missing else None
            detail = f": {first}" if first else ""
            raise FetchError(f"{series}: none of {len(urls)} contract file(s) found{detail}")
        return tuple(out)
