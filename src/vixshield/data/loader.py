"""Assemble `MarketData` from the local store.

`load_store` reads the latest version of every stored series and lays the
daily ones on NYSE trading days. Missing values stay NaN: the only fill is the
T-bill rate, carried forward over at most `RATE_FFILL_LIMIT` trading days
(bond-market holidays on which the NYSE trades), and its provenance says so.
A series stored by two providers (S&P 500 from stooq and from Yahoo) is
combined, the primary provider preferred (see `load_store`); the dividend yield
is the shipped modeled table (`vixshield.data.dividends`) unless the store has one;
the Cboe strategy benchmarks go to `MarketData.benchmarks` on their own dates.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from vixshield.data.cache_files import (
    cached_pickle,
    data_code_files,
    library_versions,
    shipped_resources,
    source_digest,
)
from vixshield.data.calendars import CALENDAR_END, CALENDAR_START, trading_days
from vixshield.data.chains import ChainDataset
from vixshield.data.dividends import DIV_YIELD_NOTE, dividend_yield, dividend_yield_source
from vixshield.data.formats.events_csv import with_known_from
from vixshield.data.market import (
    BENCHMARK_COLUMNS,
    DAILY_COLUMNS,
    MarketData,
    Provenance,
    empty_benchmarks,
)
from vixshield.data.store import (
    SECONDARY_PROVIDERS,
    Store,
    VersionInfo,
    provider_series,
    read_parquet,
)

__all__ = [
    "EVENT_COLUMNS",
    "PROVIDER_AGREEMENT_TOL",
    "RATE_FFILL_LIMIT",
    "VX_COLUMNS",
    "load_store",
    "load_store_chains",
    "store_cache_key",
]

RATE_FFILL_LIMIT = 5
"""Trading days over which the T-bill ``rate`` may be carried forward (bond holidays)."""

PROVIDER_AGREEMENT_TOL = 0.005
"""Relative difference (decimal, 0.5 %) above which two providers' values of one series
on one day disagree; counted in a warning. stooq's and Yahoo's S&P 500 closes agree to
0.012 % on all 9,008 common days 1990-01-02 .. 2025-10-07 (tests/data/test_reference_real.py)."""

VX_COLUMNS: tuple[str, ...] = ("date", "expiry", "settle")
EVENT_COLUMNS: tuple[str, ...] = ("date", "kind", "label", "value")


def _empty_vx() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.Series([], dtype="datetime64[ns]"),
            "expiry": pd.Series([], dtype="datetime64[ns]"),
            "settle": pd.Series([], dtype="float64"),
        }
    )


def _empty_events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.Series([], dtype="datetime64[ns]"),
            "kind": pd.Series([], dtype="string"),
            "label": pd.Series([], dtype="string"),
            "value": pd.Series([], dtype="float64"),
        }
    )


def _read(store: Store, info: VersionInfo) -> pd.DataFrame:
    return read_parquet(store.root / info.file)


def _versioned(info: VersionInfo) -> Provenance:
    """The version's provenance naming the store version it is read from."""
    return replace(info.provenance, version=info.version)


def _shipped_events() -> tuple[pd.DataFrame | None, str]:
    """Data A's shipped calendars, or None with the reason where unavailable."""
    try:
        module = importlib.import_module("vixshield.data.events")
    except ImportError as err:  # the shipped calendars are another module's job
        return None, f"shipped event calendars unavailable ({err})"
    events: pd.DataFrame = module.load_events()
    return events, ""


def _fill_rate_gaps(rate: pd.Series, days: pd.DatetimeIndex) -> tuple[pd.Series, str]:
    """Fill days the stored T-bill rate does not cover with the modeled policy rate.

    The short rate only feeds discounting and the interest on idle cash, so a documented
    modeled value beats a NaN; the note says how many days are modeled.
    """
    missing = rate.isna()
    if not missing.any() or len(days) == 0:
        return rate, ""
    from vixshield.data.events import policy_rate_mid

    filled = rate.where(~missing, policy_rate_mid(days))
    n = int((missing & filled.notna()).sum())
    note = (
        f"{n} trading day(s) without a stored 3-month rate use the modeled Fed funds target "
        "mid-point"
        if n
        else ""
    )
    return filled, note


def _merged_events(
    store: Store,
    info: VersionInfo | None,
    provenance: dict[str, Provenance],
    warnings: list[str],
) -> pd.DataFrame:
    """The shipped calendars overlaid with the store's events (the store wins per date and kind).

    An imported partial list (say FOMC only, or CPI from 2021) therefore never hides the
    shipped PPI and GDP dates or the earlier CPI dates.
    """
    shipped, reason = _shipped_events()
    parts: list[pd.DataFrame] = []
    stored_kinds: set[str] = set()
    if info is not None:
        stored = _point_in_time(_read(store, info))
        parts.append(stored)
        stored_kinds = {str(k) for k in stored["kind"].dropna().unique()}
        for kind in sorted(stored_kinds):
            provenance[f"events:{kind}"] = replace(
                _versioned(info),
                series=f"events:{kind}",
                note="imported; merged with the shipped calendar (imported rows win)",
            )
    if shipped is None:
        warnings.append(f"events: {reason}")
    else:
        parts.append(_point_in_time(shipped))
        for kind in sorted(str(k) for k in shipped["kind"].dropna().unique()):
            if kind not in stored_kinds:
                provenance[f"events:{kind}"] = Provenance(
                    series=f"events:{kind}",
                    provider="vixshield",
                    source="vixshield.data.events (shipped calendars)",
                    fetched_at="",
                    origin="real",
                    note="shipped calendar; not imported into the store",
                )
    if not parts:
        return _empty_events()
    events = pd.concat(parts, ignore_index=True)
    events = events.drop_duplicates(subset=["date", "kind"], keep="first")
    return events.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)


def _point_in_time(events: pd.DataFrame) -> pd.DataFrame:
    """`EVENT_COLUMNS` plus ``scheduled`` and ``known_from`` (filled by the rule where absent)."""
    return with_known_from(events).loc[:, [*EVENT_COLUMNS, "scheduled", "known_from"]]


def _store_keys(col: str) -> tuple[str, ...]:
    """Store keys holding ``col``: the primary key, then one per secondary provider."""
    return (col, *(provider_series(col, p) for p in SECONDARY_PROVIDERS))


def _aligned(
    store: Store,
    key: str,
    info: VersionInfo,
    days: pd.DatetimeIndex,
    lo: pd.Timestamp,
    hi: pd.Timestamp,
    warnings: list[str],
) -> pd.Series:
    """Stored series ``key`` on ``days`` (NaN where it has no value); off-session rows dropped."""
    raw = _read(store, info)
    s = pd.Series(raw["value"].to_numpy(), index=pd.DatetimeIndex(raw["date"]), name=key)
    s = s[(s.index >= lo) & (s.index <= hi)]
    off = ~s.index.isin(days)
    if off.any():
        first = s.index[off][0].strftime("%Y-%m-%d")
        warnings.append(
            f"{key}: {int(off.sum())} row(s) dated on days the NYSE was closed "
            f"(first {first}) dropped"
        )
    return s.reindex(days)


def _span(days: pd.DatetimeIndex) -> str:
    if len(days) == 0:
        return "no days"
    return f"{len(days)} day(s) {days[0].date()} .. {days[-1].date()}"


def _combined(
    col: str,
    parts: list[tuple[Provenance, pd.Series]],
    warnings: list[str],
) -> tuple[pd.Series, Provenance]:
    """Combine one column from several providers, the first preferred where several have a value.

    Each later part only fills days the earlier ones leave NaN; on the days two
    parts both have a value they are compared (`PROVIDER_AGREEMENT_TOL`).
    """
    first_prov, out = parts[0]
    out = out.copy()
    source_of = np.where(out.notna().to_numpy(), 0, -1)
    checks: list[str] = []
    for k, (prov, part) in enumerate(parts[1:], start=1):
        both = (out.notna() & part.notna()).to_numpy()
        if both.any():
            rel = np.abs(part.to_numpy()[both] / out.to_numpy()[both] - 1.0)
            n_bad = int((rel > PROVIDER_AGREEMENT_TOL).sum())
            checks.append(
                f"on the {int(both.sum())} day(s) both {first_prov.provider} and {prov.provider} "
                f"have a value they differ by at most {float(rel.max()):.3%} "
                f"({n_bad} beyond {PROVIDER_AGREEMENT_TOL:.1%})"
            )
            if n_bad:
                worst = out.index[both][int(np.argmax(rel))].date()
                warnings.append(
                    f"{col}: {prov.provider} and {first_prov.provider} differ by more than "
                    f"{PROVIDER_AGREEMENT_TOL:.1%} on {n_bad} of {int(both.sum())} common day(s) "
                    f"(largest {float(rel.max()):.2%} on {worst}); "
                    f"{first_prov.provider}'s values used"
                )
        fill = (out.isna() & part.notna()).to_numpy()
        out[fill] = part[fill]
        source_of[fill] = k
    used = [
        f"{prov.provider} on {_span(out.index[source_of == k])}"
        + (" (preferred where both have a value)" if k == 0 else " where the above have none")
        for k, (prov, _) in enumerate(parts)
    ]
    note = "combined: " + "; ".join(used) + (("; " + "; ".join(checks)) if checks else "")
    provs = [p for p, _ in parts]
    prov = Provenance(
        series=col,
        provider="+".join(dict.fromkeys(p.provider for p in provs)),
        source="; ".join(_part_source(p) for p in provs),
        fetched_at=max(p.fetched_at for p in provs),
        origin="real" if all(p.origin == "real" for p in provs) else "modeled",
        note=note,
    )
    return out, prov


def _part_source(p: Provenance) -> str:
    """One part's source in a combined provenance, with the store version it came from."""
    return f"{p.series}@v{p.version:04d}: {p.source}" if p.version is not None else p.source


def _rate_origins(
    stored: pd.Series, filled: pd.Series, final: pd.Series, prov: Provenance
) -> pd.Series:
    """Per day: ``"real"`` where stored, ``"filled"`` where carried forward, else ``"modeled"``.

    ``stored`` is the rate on the trading days before any fill, ``filled`` after the
    forward fill, ``final`` after the modeled gaps are filled; NA where ``final`` is NaN.
    A stored series whose own provenance is modeled counts as ``"modeled"``.
    """
    out = pd.Series(pd.NA, index=final.index, dtype="string", name="rate_origin")
    out[final.notna().to_numpy()] = "modeled"
    out[(filled.notna() & stored.isna()).to_numpy()] = "filled"
    out[stored.notna().to_numpy()] = "real" if prov.origin == "real" else "modeled"
    return out


def _benchmarks(
    store: Store,
    latest: Mapping[str, VersionInfo],
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    fallback: MarketData | None,
    provenance: dict[str, Provenance],
    warnings: list[str],
) -> pd.DataFrame:
    """The stored Cboe strategy benchmarks on their own dates, cut to ``start .. end`` if given."""
    columns: dict[str, pd.Series] = {}
    missing: list[str] = []
    for key in BENCHMARK_COLUMNS:
        info = latest.get(key)
        if info is not None:
            raw = _read(store, info)
            s = pd.Series(
                raw["value"].to_numpy(dtype=np.float64), index=pd.DatetimeIndex(raw["date"])
            )
            provenance[key] = _versioned(info)
        elif (
            fallback is not None
            and key in fallback.benchmarks.columns
            and fallback.benchmarks[key].notna().any()
        ):
            s = fallback.benchmarks[key].dropna()
            provenance[key] = fallback.provenance.get(key) or Provenance(
                key, "fallback", "fallback MarketData", "", "modeled"
            )
            warnings.append(f"{key}: not in the store; taken from the fallback data")
        else:
            missing.append(key)
            continue
        if start is not None:
            s = s[s.index >= start]
        if end is not None:
            s = s[s.index <= end]
        columns[key] = s
    if missing:
        warnings.append(
            f"benchmarks: {', '.join(missing)} not in the store; NaN in MarketData.benchmarks"
        )
    if not columns:
        return empty_benchmarks()
    frame = pd.DataFrame(columns).reindex(columns=list(BENCHMARK_COLUMNS)).astype("float64")
    frame.index = pd.DatetimeIndex(frame.index, name="date").astype("datetime64[ns]")
    return frame.sort_index()


def load_store(
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    home: str | os.PathLike[str] | None = None,
    *,
    fallback: MarketData | None = None,
) -> MarketData:
    """Load the store's latest versions as `MarketData`.

    Parameters
    ----------
    start, end : date-like, optional
        Inclusive bounds. Defaults: the earliest and latest date of any stored
        daily series (1990-01-02 .. today where none is stored).
    home : path, optional
        Data home (see `vixshield.data.store.data_home`).
    fallback : MarketData, optional
        Where a daily series or ``vx`` is not in the store, take it from here
        (e.g. `vixshield.data.embedded.load_embedded()`), with its provenance
        and a warning saying so. Default: nothing; missing columns stay NaN.

    Returns
    -------
    MarketData
        ``daily`` on NYSE trading days with exactly `DAILY_COLUMNS` (NaN where
        a series has no value), ``vx`` settlements, ``events`` (the store's
        ``events`` series if imported, else the shipped calendars),
        ``benchmarks`` (the stored Cboe strategy indices on their own dates,
        cut to ``start .. end`` only where those are given), one `Provenance`
        per loaded series (naming the store version read: `Provenance.version`),
        warnings for missing series and dropped rows, and ``rate_origins``: per day,
        whether the rate is the stored one, carried forward or modeled
        (`MarketData.rate_origin`, `MarketData.rate_warning`).

    Notes
    -----
    Rows dated on days that are not NYSE sessions are dropped with a warning.
    Only ``rate`` is forward-filled, over at most `RATE_FFILL_LIMIT` trading
    days; every other gap stays NaN (e.g. VIX after its last stored close,
    where SPX runs on).

    The trading days run from the earliest to the latest date of any stored
    daily series, secondary providers' copies included.

    **Two providers of one series.** Series a secondary provider also supplies
    (`vixshield.data.store.SECONDARY_PROVIDERS`: Yahoo's S&P 500 open, high,
    low and close) are stored apart (``spx_close-yahoo``) and combined here, day
    by day: the primary store series (``spx_close``: stooq's file, the
    exchange-like source VixShield has always read, or FRED's) is used on every
    day it has a value, and Yahoo's only on the days it has none (so SPX runs to
    the later of the two last dates). The column's provenance names both
    providers (``"stooq+yahoo"``, both sources) and its note says which days
    came from which and how closely the two agree on their common days; where
    they differ by more than `PROVIDER_AGREEMENT_TOL` on some days, a warning
    counts them.

    **Dividend yield.** ``div_yield`` is the stored series where one was
    imported, else the shipped annual table stepped onto the trading days
    (`vixshield.data.dividends.dividend_yield`: every day of year Y uses year
    Y-1's year-end value), origin ``modeled``, provider ``vixshield``.

    **Cache.** Without ``fallback``, the result is kept in the cache folder
    (`vixshield.data.cache_files.cached_pickle`, none where
    ``$VIXSHIELD_MARKET_CACHE=off``) under `store_cache_key`, which covers every byte
    it is read from, so a later process reads it back as built.
    """
    store = Store(home)
    latest = {st.series: st.latest for st in store.status()}  # one snapshot: key and read
    if fallback is not None:
        return _read_store(store, latest, start, end, fallback)
    return cached_pickle(
        "store",
        store_cache_key(store, latest, start, end),
        MarketData,
        lambda: _read_store(store, latest, start, end, None),
    )


def store_cache_key(
    store: Store,
    latest: Mapping[str, VersionInfo],
    start: str | pd.Timestamp | None,
    end: str | pd.Timestamp | None,
) -> str:
    """The on-disk key of `load_store` reading ``latest`` (series -> version) of ``store``.

    SHA-256 of the store's folder, of the versions (their catalogue entries) and of
    their files (bytes), of the bounds (and of today's date, the default end of a
    store without daily series), of the data layer's code (`data_code_files`), of the
    shipped resource files and of the library versions: anything `load_store` reads
    gives a new key when it changes.
    """
    files = sorted({store.root / info.file for info in latest.values()})
    versions = repr(sorted((series, repr(info)) for series, info in latest.items()))
    bounds = repr((str(start), str(end), pd.Timestamp.now().normalize().isoformat()))
    return source_digest(
        [*files, *data_code_files()],
        str(store.root.resolve()),
        versions,
        bounds,
        *shipped_resources(),
        *library_versions(),
    )


def _read_store(
    store: Store,
    latest: Mapping[str, VersionInfo],
    start: str | pd.Timestamp | None,
    end: str | pd.Timestamp | None,
    fallback: MarketData | None,
) -> MarketData:
    """`load_store` read from the versions ``latest`` of the store's series (no cache)."""
    warnings: list[str] = []
    provenance: dict[str, Provenance] = {}

    present = [k for c in DAILY_COLUMNS for k in _store_keys(c) if k in latest]
    firsts = [pd.Timestamp(f) for c in present if (f := latest[c].first) is not None]
    lasts = [pd.Timestamp(d) for c in present if (d := latest[c].last) is not None]
    lo = pd.Timestamp(start) if start is not None else min(firsts, default=CALENDAR_START)
    hi = (
        pd.Timestamp(end) if end is not None else max(lasts, default=pd.Timestamp.now().normalize())
    )
    if lo < CALENDAR_START or hi > CALENDAR_END:
        warnings.append(
            f"dates before {CALENDAR_START.date()} or after {CALENDAR_END.date()} are outside "
            "the trading calendar and not loaded"
        )
        lo, hi = max(lo, CALENDAR_START), min(hi, CALENDAR_END)
    days = trading_days(lo, hi)

    columns: dict[str, pd.Series] = {}
    rate_origins: pd.Series | None = None
    for col in DAILY_COLUMNS:
        stored = [(k, latest[k]) for k in _store_keys(col) if k in latest]
        if not stored and col == "div_yield":
            columns[col] = dividend_yield(days)
            provenance[col] = Provenance(
                col, "vixshield", dividend_yield_source(), "", "modeled", DIV_YIELD_NOTE
            )
            warnings.append(
                "div_yield: modeled from the shipped annual S&P 500 dividend yields "
                "(previous year's value, approximate)"
            )
            continue
        if not stored:
            if fallback is not None and fallback.has(col):
                columns[col] = fallback.daily[col].reindex(days)
                provenance[col] = fallback.provenance.get(col) or Provenance(
                    col, "fallback", "fallback MarketData", "", "modeled"
                )
                warnings.append(f"{col}: not in the store; taken from the fallback data")
            else:
                warnings.append(f"{col}: not in the store; the column is NaN")
            continue
        parts = [
            (_versioned(info), _aligned(store, key, info, days, lo, hi, warnings))
            for key, info in stored
        ]
        if len(parts) == 1:
            prov, aligned = parts[0]
            prov = replace(prov, series=col)
        else:
            aligned, prov = _combined(col, parts, warnings)
        if col == "rate":
            stored_rate = aligned
            filled = aligned.ffill(limit=RATE_FFILL_LIMIT)
            n_filled = int(filled.notna().sum() - aligned.notna().sum())
            aligned = filled
            note = (
                f"forward-filled over at most {RATE_FFILL_LIMIT} trading days "
                f"({n_filled} value(s) filled)"
            )
            prov = replace(prov, note=f"{prov.note}; {note}" if prov.note else note)
            aligned, gap_note = _fill_rate_gaps(aligned, days)
            if gap_note:
                provenance["rate:modeled_fill"] = Provenance(
                    "rate:modeled_fill",
                    "model",
                    "vixshield.data.events.policy_rate_mid",
                    "",
                    "modeled",
                    gap_note,
                )
                warnings.append(f"rate: {gap_note}")
            rate_origins = _rate_origins(stored_rate, filled, aligned, prov)
        columns[col] = aligned
        provenance[col] = prov

    daily = pd.DataFrame(
        {c: columns[c] if c in columns else float("nan") for c in DAILY_COLUMNS},
        index=days,
        dtype="float64",
    )
    daily.index.name = "date"

    vx_info = latest.get("vx")
    if vx_info is None and fallback is not None and len(fallback.vx):
        fvx = fallback.vx
        vx = fvx.loc[(fvx["date"] >= lo) & (fvx["date"] <= hi), list(VX_COLUMNS)]
        vx = vx.reset_index(drop=True)
        if "vx" in fallback.provenance:
            provenance["vx"] = fallback.provenance["vx"]
        warnings.append("vx: not in the store; taken from the fallback data")
    elif vx_info is None:
        vx = _empty_vx()
        warnings.append("vx: not in the store; no VIX futures settlements")
    else:
        raw = _read(store, vx_info)
        vx = raw.loc[(raw["date"] >= lo) & (raw["date"] <= hi), list(VX_COLUMNS)]
        vx = vx.sort_values(["date", "expiry"], kind="stable").reset_index(drop=True)
        provenance["vx"] = _versioned(vx_info)

    events = _merged_events(store, latest.get("events"), provenance, warnings)
    benchmarks = _benchmarks(
        store,
        latest,
        pd.Timestamp(start) if start is not None else None,
        pd.Timestamp(end) if end is not None else None,
        fallback,
        provenance,
        warnings,
    )

    return MarketData(
        daily=daily,
        vx=vx,
        events=events,
        provenance=provenance,
        warnings=tuple(warnings),
        benchmarks=benchmarks,
        rate_origins=rate_origins,
    )


def load_store_chains(
    home: str | os.PathLike[str] | None = None,
) -> ChainDataset | pd.DataFrame | None:
    """Real option chains imported into the store, or None where there are none.

    Returns the store's chain dataset (`vixshield.data.chains.ChainDataset`: read a
    day at a time, never whole), which `vixshield.markets.Markets` takes as ``chains``,
    so that a user with OptionsDX, DataShop or ORATS files gets real prices wherever
    they cover a date. A store imported before the dataset existed holds its chains
    in the ``chain`` series: that frame is returned as it is (`len` of either is the
    number of quotes); import the files again to move them to the dataset.
    """
    dataset = ChainDataset(home)
    if len(dataset):
        return dataset
    store = Store(home)
    if "chain" in store:
        return store.read("chain")
    return None
