"""Download series, parse them and write them to the store in one atomic step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from vixshield.data.chains.fetched import QuoteSnapshot, store_snapshots
from vixshield.data.market import Provenance
from vixshield.data.providers.base import Download, FetchError, HttpSession, Provider
from vixshield.data.providers.cboe import CboeQuotesProvider
from vixshield.data.providers.registry import DEFAULT_SERIES, default_providers, provider_for
from vixshield.data.store import Store, WriteResult

__all__ = ["FetchResult", "ParseFn", "fetch_to_store"]

ParseFn = Callable[[Download, str, str | None], tuple[Mapping[str, pd.DataFrame], Sequence[str]]]
"""(download, kind, series hint) -> (series key -> frame, warnings)."""


@dataclass(frozen=True)
class FetchResult:
    """What a fetch wrote: one `WriteResult` per series, and parser warnings."""

    written: tuple[WriteResult, ...]
    warnings: tuple[str, ...]


def _parse_with_formats(
    download: Download, kind: str, series: str | None
) -> tuple[Mapping[str, pd.DataFrame], Sequence[str]]:
    from vixshield.data.formats import parse_bytes

    parsed = parse_bytes(download.data, source=download.url, kind=kind, series=series)
    return parsed.frames, parsed.warnings


def _now() -> str:
    return pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


_Group = tuple[tuple[str, tuple[str, ...], str, str | None], tuple[Download, ...]]


def _store_chains(
    downloads: list[_Group], store: Store, parse_fn: ParseFn
) -> tuple[list[_Group], tuple[str, ...]]:
    """Write the downloads holding ``chain`` into the chain dataset; return the others.

    The option chains (Cboe delayed quotes) are not a store series: each snapshot goes
    to the partitioned chain dataset under its own quote date
    (`vixshield.data.chains.fetched.store_snapshots`, which skips, with a warning, a
    snapshot that is not a session's close). Returns the downloads left for the store
    and the lines reporting what was stored or skipped.
    """
    rest: list[_Group] = []
    snaps: list[QuoteSnapshot] = []
    warns: list[str] = []
    for group in downloads:
        (_, _, kind, hint), dls = group
        if kind != CboeQuotesProvider.kind:
            rest.append(group)
            continue
        for dl in dls:
            frames, parse_warnings = parse_fn(dl, kind, hint)
            warns.extend(parse_warnings)
            snaps.append(QuoteSnapshot(dl.url, dl.data, frames["chain"]))
    if not snaps:
        return rest, ()
    return rest, (*warns, *store_snapshots(snaps, store).lines())


def fetch_to_store(
    series: Sequence[str] | None,
    store: Store,
    *,
    providers: Sequence[Provider] | None = None,
    provider: str | None = None,
    session: HttpSession | None = None,
    parse: ParseFn | None = None,
    start: dt.date | None = None,
) -> FetchResult:
    """Fetch ``series`` from the network and write them to ``store``, all or nothing.

    Parameters
    ----------
    series : sequence of str, optional
        Series keys; `DEFAULT_SERIES` where None or empty.
    store : Store
        Destination.
    providers : sequence of Provider, optional
        Default: `default_providers` (base URL from ``$VIXSHIELD_PROVIDER_BASE_URL``).
    provider : str, optional
        Use only the provider of this name.
    session : HttpSession, optional
        Download settings (timeout, User-Agent).
    parse : callable, optional
        Parser; default `vixshield.data.formats.parse_bytes`.
    start : date, optional
        Ask the providers that take a first date (``supports_start``) for this day
        onwards only; the store merges what comes back into the latest version.

    Returns
    -------
    FetchResult
        Option chains (``chain``) go to the chain dataset, one snapshot per quote date
        (`_store_chains`); the lines saying what was stored or skipped are in
        ``warnings``.

    Raises
    ------
    FetchError
        If any series could not be downloaded; the message has one line per
        failed series and the store is unchanged.
    vixshield.errors.DataError
        If a download does not parse; the store is unchanged.
    """
    wanted = list(dict.fromkeys(series or DEFAULT_SERIES))
    provs = tuple(providers) if providers is not None else default_providers()
    sess = session or HttpSession()
    parse_fn = parse or _parse_with_formats

    # Group series that share a download (vix + vix_open, the four stooq columns).
    groups: dict[tuple[str, tuple[str, ...], str, str | None], list[str]] = {}
    owner: dict[str, Provider] = {}
    for s in wanted:
        p = provider_for(s, provs, provider)
        req = p.request(s, start)
        groups.setdefault((p.name, req.urls, req.kind, req.parse_series), []).append(s)
        owner[p.name] = p

    errors: list[str] = []
    downloads: list[tuple[tuple[str, tuple[str, ...], str, str | None], tuple[Download, ...]]] = []
    for key, members in groups.items():
        try:
            downloads.append((key, owner[key[0]].fetch(members[0], sess, start)))
        except FetchError as err:
            first = str(err).split(": ", 1)[1] if ": " in str(err) else str(err)
            errors.extend(f"{m}: {first}" for m in members)
    if errors:
        raise FetchError("\n".join(errors))

    downloads, chain_lines = _store_chains(downloads, store, parse_fn)
    fetched_at = _now()
    frames: dict[str, list[pd.DataFrame]] = {}
    provenance: dict[str, Provenance] = {}
    warnings: list[str] = list(chain_lines)
    for (pname, urls, kind, hint), dls in downloads:
        for dl in dls:
            parsed, warns = parse_fn(dl, kind, hint)
            warnings.extend(warns)
            for skey, frame in parsed.items():
                frames.setdefault(skey, []).append(frame)
                source = urls[0] if len(urls) == 1 else f"{len(dls)} files like {urls[0]}"
                provenance[skey] = Provenance(skey, pname, source, fetched_at, "real")
    merged = {
        k: v[0] if len(v) == 1 else pd.concat(v, ignore_index=True) for k, v in frames.items()
    }
    written = store.write(merged, provenance)
    return FetchResult(written=written, warnings=tuple(warnings))
