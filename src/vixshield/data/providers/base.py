"""The provider interface and the one HTTP download path every provider uses.

A provider knows which series it supplies, which URL(s) hold each and which
parser ``kind`` reads them; it downloads bytes and never parses or stores them
(the store and the parsers are other modules' jobs).

**Start dates.** A provider whose site takes a first date (``supports_start``) is
asked for ``start`` onwards only (`vixshield.data.providers.each` passes the last
stored date, so a daily fetch downloads days, not decades); the others ignore it.

**Secrets.** A provider may send a secret query parameter (stooq's API key). It is
in the URL the request goes to and nowhere else: `UrlProvider.urls`, `Download.url`
(the provenance source), and every error message show it as ``***``.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

from vixshield import __version__
from vixshield.errors import UserError

__all__ = [
    "BASE_URL_ENV",
    "MASK",
    "USER_AGENT",
    "Download",
    "FetchError",
    "HttpError",
    "HttpSession",
    "Provider",
    "SeriesRequest",
    "UrlProvider",
    "resolve_base",
]

BASE_URL_ENV = "VIXSHIELD_PROVIDER_BASE_URL"
"""Environment variable that replaces every provider's scheme and host (tests, mirrors)."""

USER_AGENT = f"vixshield/{__version__} (+https://github.com/vixshield/vixshield)"

DEFAULT_TIMEOUT_S = 30.0
"""Seconds to wait for a connection or a read before giving up."""

MASK = "***"
"""What a secret query value is shown as."""


class FetchError(UserError):
    """One or more series could not be downloaded; one line per series."""


class HttpError(Exception):
    """A download failed; ``status`` is the HTTP status or None when unreachable."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url, self.reason, self.status = url, reason, status
        super().__init__(f"cannot reach {url}: {reason}")


@dataclass(frozen=True)
class Download:
    """Bytes downloaded from one URL."""

    url: str
    data: bytes


@dataclass(frozen=True)
class SeriesRequest:
    """Where one series is fetched from: URLs, parser kind and parser series hint."""

    series: str
    urls: tuple[str, ...]
    kind: str
    parse_series: str | None


@dataclass(frozen=True)
class HttpSession:
    """Plain ``urllib`` downloads with a timeout and a User-Agent (no API keys).

    Parameters
    ----------
    timeout : float
        Seconds for connect and read.
    user_agent : str
        ``User-Agent`` header sent with every request.
    """

    timeout: float = DEFAULT_TIMEOUT_S
    user_agent: str = USER_AGENT

    def get(self, url: str) -> bytes:
        """Download ``url``; raise `HttpError` with a one-line reason on failure."""
        try:
            req = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                data: bytes = resp.read()
        except urllib.error.HTTPError as err:
            raise HttpError(url, f"HTTP {err.code} {err.reason}", status=err.code) from None
        except urllib.error.URLError as err:
            raise HttpError(url, _reason(err.reason)) from None
        except (TimeoutError, OSError, http.client.HTTPException) as err:
            raise HttpError(url, _reason(err)) from None
        except ValueError as err:  # malformed URL, e.g. a --base-url without a scheme
            raise HttpError(url, f"invalid URL ({err})") from None
        if not data:
            raise HttpError(url, "empty response")
        return data


def _reason(err: object) -> str:
    if isinstance(err, TimeoutError):
        return "timed out"
    text = str(err).strip()
    return " ".join(text.split()) or type(err).__name__


def resolve_base(default: str, override: str | None) -> str:
    """The base URL: ``override``, else ``$VIXSHIELD_PROVIDER_BASE_URL``, else ``default``."""
    base = override or os.environ.get(BASE_URL_ENV) or default
    return base.rstrip("/")


@runtime_checkable
class Provider(Protocol):
    """A network source of one or more series.

    Attributes
    ----------
    name : str
        Short name recorded in provenance (``"cboe"``, ``"fred"`` ...).
    series : tuple of str
        Series keys it supplies.
    """

    @property
    def name(self) -> str:
        """Short name recorded in provenance."""
        ...

    @property
    def series(self) -> tuple[str, ...]:
        """Series keys this provider supplies."""
        ...

    @property
    def supports_start(self) -> bool:
        """True where the site serves a series from a given first date on."""
        ...

    def request(self, series: str, start: dt.date | None = None) -> SeriesRequest:
        """URLs (secrets masked), parser kind and parser series hint for ``series``."""
        ...

    def urls(self, series: str, start: dt.date | None = None) -> tuple[str, ...]:
        """The URL(s) ``series`` is downloaded from, secrets shown as ``***``."""
        ...

    def fetch(
        self, series: str, session: HttpSession, start: dt.date | None = None
    ) -> tuple[Download, ...]:
        """Download ``series`` (from ``start`` on where `supports_start`).

        Raises `FetchError` with one line ``"<series>: cannot reach <url>: <reason>"``.
        """
        ...


class UrlProvider:
    """A provider whose series map to fixed URL paths under one base URL.

    Subclasses set ``name``, ``default_base``, ``kind`` and ``paths``
    (series -> path including any query string).
    """

    name: str = ""
    default_base: str = ""
    kind: str = ""
    paths: ClassVar[Mapping[str, str]] = {}
    supports_start: bool = False

    def __init__(self, base_url: str | None = None) -> None:
        self._base_override = base_url

    @property
    def series(self) -> tuple[str, ...]:
        return tuple(self.paths)

    @property
    def base_url(self) -> str:
        """The base URL in force (see `resolve_base`)."""
        return resolve_base(self.default_base, self._base_override)

    def _check(self, series: str) -> None:
        if series not in self.series:
            raise UserError(f"{series}: not supplied by provider {self.name!r}")

    def start_query(self, start: dt.date) -> str:
        """Query parameters (``&k=v...``) asking for ``start`` onwards (none by default)."""
        return ""

    def secret_query(self) -> Mapping[str, str]:
        """Secret query parameters sent with every request (none by default)."""
        return {}

    def _real_urls(self, series: str, start: dt.date | None) -> tuple[str, ...]:
        """The URLs requests go to: paths, the start date's parameters, the secrets."""
        self._check(series)
        extra = self.start_query(start) if (start is not None and self.supports_start) else ""
        secret = "".join(f"&{k}={v}" for k, v in self.secret_query().items())
        return (f"{self.base_url}{self.paths[series]}{extra}{secret}",)

    def mask(self, text: str) -> str:
        """``text`` with every secret value replaced by ``***``."""
        for value in self.secret_query().values():
            if value:
                text = text.replace(value, MASK)
        return text

    def urls(self, series: str, start: dt.date | None = None) -> tuple[str, ...]:
        return tuple(self.mask(u) for u in self._real_urls(series, start))

    def parse_series(self, series: str) -> str | None:
        """The ``series`` hint given to the parser (the key itself by default)."""
        return series

    def request(self, series: str, start: dt.date | None = None) -> SeriesRequest:
        return SeriesRequest(series, self.urls(series, start), self.kind, self.parse_series(series))

    def _get(self, series: str, url: str, session: HttpSession) -> Download:
        """One download, its URL and any error with the secrets masked."""
        try:
            return Download(self.mask(url), session.get(url))
        except HttpError as err:
            raise FetchError(
                f"{series}: cannot reach {self.mask(url)}: {self.mask(err.reason)}"
            ) from None

    def fetch(
        self, series: str, session: HttpSession, start: dt.date | None = None
    ) -> tuple[Download, ...]:
        return tuple(self._get(series, url, session) for url in self._real_urls(series, start))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"
