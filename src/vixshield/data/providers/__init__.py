"""Network providers: Cboe, CFE, FRED and stooq downloads (no API keys).

Every provider follows the `Provider` protocol and downloads through
`HttpSession` (``urllib`` with a timeout and a User-Agent). The base URL of all
providers can be replaced with ``$VIXSHIELD_PROVIDER_BASE_URL`` or a
constructor argument (tests serve recorded files from a local server).
"""

from __future__ import annotations

from vixshield.data.providers.base import (
    BASE_URL_ENV,
    USER_AGENT,
    Download,
    FetchError,
    HttpError,
    HttpSession,
    Provider,
    SeriesRequest,
    UrlProvider,
    resolve_base,
)
from vixshield.data.providers.cboe import CboeIndexProvider, CboeQuotesProvider
from vixshield.data.providers.cfe import CfeVxProvider
from vixshield.data.providers.fetch import FetchResult, fetch_to_store
from vixshield.data.providers.fred import FRED_IDS, FredProvider
from vixshield.data.providers.registry import DEFAULT_SERIES, default_providers, provider_for
from vixshield.data.providers.stooq import StooqProvider

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_SERIES",
    "FRED_IDS",
    "USER_AGENT",
    "CboeIndexProvider",
    "CboeQuotesProvider",
    "CfeVxProvider",
    "Download",
    "FetchError",
    "FetchResult",
    "FredProvider",
    "HttpError",
    "HttpSession",
    "Provider",
    "SeriesRequest",
    "StooqProvider",
    "UrlProvider",
    "default_providers",
    "fetch_to_store",
    "provider_for",
    "resolve_base",
]
