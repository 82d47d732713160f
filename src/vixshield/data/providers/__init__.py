"""Network providers: Cboe, CFE, FRED and stooq downloads (stooq with the user's API key).

Every provider follows the `Provider` protocol and downloads through
`HttpSession` (``urllib`` with a timeout and a User-Agent). The base URL of all
providers can be replaced with ``$VIXSHIELD_PROVIDER_BASE_URL`` or a
constructor argument (tests serve recorded files from a local server).
`fetch_each` fetches provider by provider, only what is new, with FRED's SP500
standing in for stooq's S&P 500 close; `fetch_to_store` is one all-or-nothing write.
"""

from __future__ import annotations

from vixshield.data.providers.base import (
    BASE_URL_ENV,
    MASK,
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
from vixshield.data.providers.each import (
    FALLBACKS,
    FetchReport,
    ProviderOutcome,
    fetch_each,
    resume_from,
)
from vixshield.data.providers.fetch import FetchResult, fetch_to_store
from vixshield.data.providers.fred import FRED_IDS, FredProvider
from vixshield.data.providers.registry import DEFAULT_SERIES, default_providers, provider_for
from vixshield.data.providers.stooq import STOOQ_KEY_ENV, StooqProvider

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_SERIES",
    "FALLBACKS",
    "FRED_IDS",
    "MASK",
    "STOOQ_KEY_ENV",
    "USER_AGENT",
    "CboeIndexProvider",
    "CboeQuotesProvider",
    "CfeVxProvider",
    "Download",
    "FetchError",
    "FetchReport",
    "FetchResult",
    "FredProvider",
    "HttpError",
    "HttpSession",
    "Provider",
    "ProviderOutcome",
    "SeriesRequest",
    "StooqProvider",
    "UrlProvider",
    "default_providers",
    "fetch_each",
    "fetch_to_store",
    "provider_for",
    "resolve_base",
    "resume_from",
]
