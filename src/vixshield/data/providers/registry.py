"""The default providers and which one supplies each series."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from vixshield.data.providers.base import Provider
from vixshield.data.providers.cboe import CboeIndexProvider, CboeQuotesProvider
from vixshield.data.providers.cfe import CfeVxProvider
from vixshield.data.providers.fred import FredProvider
from vixshield.data.providers.stooq import StooqProvider
from vixshield.errors import UserError

__all__ = ["DEFAULT_SERIES", "OPTIONAL_SERIES", "default_providers", "provider_for"]

DEFAULT_SERIES: tuple[str, ...] = (
    "vix",
    "vix_open",
    "vix9d",
    "vix3m",
    "vix6m",
    "vvix",
    "skew",
    "spx_open",
    "spx_high",
    "spx_low",
    "spx_close",
    "rate",
    "vx",
)
"""Series `vixshield data fetch` downloads when none are named (no option chains)."""

OPTIONAL_SERIES: frozenset[str] = frozenset({"vix9d", "vix3m", "vix6m", "vvix", "skew"})
"""Series the strategy can decide without (the regime drops a missing one): each is
fetched on its own (`vixshield.data.providers.each`), so its failure is a warning and
never keeps the VIX, SPX or rate closes out of the store."""


def default_providers(
    base_url: str | None = None,
    stooq_api_key: str | None = None,
    as_of: str | pd.Timestamp | None = None,
) -> tuple[Provider, ...]:
    """All built-in providers in order of preference (the first supplier of a series wins).

    Parameters
    ----------
    base_url : str, optional
        Replace every provider's scheme and host (a mirror, or a test server).
    stooq_api_key : str, optional
        stooq's API key (default ``$STOOQ_API_KEY``; see `StooqProvider`).
    as_of : date-like, optional
        The session fetched for (default today): where CFE's contract window is centred.
    """
    return (
        CboeIndexProvider(base_url),
        StooqProvider(base_url, stooq_api_key),
        FredProvider(base_url),
        CfeVxProvider(base_url, as_of=as_of),
        CboeQuotesProvider(base_url),
    )


def provider_for(
    series: str, providers: Sequence[Provider], provider: str | None = None
) -> Provider:
    """The first of ``providers`` supplying ``series`` (restricted to ``provider`` if named)."""
    for p in providers:
        if series in p.series and (provider is None or p.name == provider):
            return p
    known = sorted({s for p in providers for s in p.series})
    where = f" by provider {provider!r}" if provider else ""
    raise UserError(f"{series}: not supplied{where} (known series: {', '.join(known)})")
