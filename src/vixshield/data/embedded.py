"""The embedded default market data: works offline on a fresh machine.

Built from the data sets that ship with the ``arch`` package plus
VixShield's own event calendars:

* SPX open/high/low/close, daily 1999-01-04 .. 2018-12-31 (``arch.data.sp500``);
* VIX close 2014-01-03 .. 2019-01-03 (``arch.data.vix``);
* core CPI (CPILFESL, index level) as the ``value`` of CPI release events whose
  reference month it covers (``arch.data.core_cpi``); a value is never placed
  before its release date;
* FOMC/CPI/PPI/GDP calendars 2014-2026 (``vixshield/data/resources``);
* a *modeled* 3-month rate: the mid-point of the Fed funds target range,
  stepped on FOMC decision dates (``resources/fed_funds_target.csv``);
* a *modeled* dividend yield: the S&P 500's year-end trailing yield of the
  previous year (``resources/dividend_yield.csv``, `vixshield.data.dividends`).

Nothing else is available offline: VIX before 2014, VIX9D/3M/6M, VVIX, SKEW,
the SPX special opening quotation, VX futures, NYSE breadth and the Cboe
strategy benchmarks are NaN/empty and listed in `MarketData.warnings`.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from vixshield.data.cache_files import (
    cached_pickle,
    data_code_files,
    library_versions,
    shipped_resources,
    source_digest,
)
from vixshield.data.calendars import trading_days
from vixshield.data.dividends import DIV_YIELD_NOTE, dividend_yield, dividend_yield_source
from vixshield.data.events import EVENT_FILES, load_events, policy_rate_mid, resource_path
from vixshield.data.market import DAILY_COLUMNS, EVENT_KINDS, MarketData, Provenance
from vixshield.errors import DataError

__all__ = ["EMBEDDED_FETCHED_AT", "RATE_MODEL_NOTE", "embedded_cache_key", "load_embedded"]

EMBEDDED_FETCHED_AT = "2026-11-26T00:00:00+00:00"
"""Fixed ``fetched_at`` of every embedded series (the package's data date), so
that two loads are identical."""

RATE_MODEL_NOTE = (
    "modeled: mid-point of the Fed funds target range (single target before 2008-12-16), "
    "stepped on the FOMC decision date (the close after a 14:00 ET announcement); "
    "a stand-in for the 3-month T-bill yield, which tracks it to within about 0.1-0.3 "
    "percentage points except around expected moves. Table checked against the Federal "
    "Reserve's published target-range history (resources/fed_funds_target.csv and its "
    "README); decisions after 2026-10-28 unknown."
)

_SPX_COLUMNS = {"Open": "spx_open", "High": "spx_high", "Low": "spx_low", "Close": "spx_close"}


_ARCH_FILES: dict[str, tuple[str, str]] = {
    "sp500": ("sp500", "sp500.csv.gz"),
    "vix": ("vix", "vix.csv.gz"),
    "core_cpi": ("core_cpi", "core-cpi.csv.gz"),
}
"""Data set -> (``arch.data`` package, file) of the series the embedded default reads."""


def _arch_path(name: str, filename: str) -> Path:
    """Where ``arch`` ships ``arch/data/<name>/<filename>`` (DataError where it does not)."""
    spec = importlib.util.find_spec("arch")
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    if not roots:
        raise DataError("embedded data: the arch package is not installed (pip install arch)")
    path = Path(roots[0]) / "data" / name / filename
    if not path.is_file():
        raise DataError(f"embedded data: {path} is missing from the installed arch package")
    return path


def _arch_data(name: str, filename: str) -> pd.DataFrame:
    """One of the data sets shipped inside ``arch`` (``arch/data/<name>/<filename>``).

    Read as ``arch.data.<name>.load()`` reads it (``arch.data.utility.load_file``: CSV,
    ``Date`` parsed to the index, every column numeric) but without importing ``arch``,
    whose package import loads its GARCH models and numba (about 1.5 s per process);
    only the GARCH fit in `vixshield.strategy.indicators` needs those.
    """
    data = pd.read_csv(_arch_path(name, filename))
    if "Date" in data:
        data["Date"] = pd.to_datetime(data["Date"])
        data = data.set_index("Date")
    for col in data:
        data[col] = pd.to_numeric(data[col], errors="coerce")
    return data


def _naive_ns(index: pd.Index) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(index)
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    return pd.DatetimeIndex(idx.astype("datetime64[ns]")).normalize()


def _cpi_values(events: pd.DataFrame, core_cpi: pd.Series) -> pd.DataFrame:
    """Fill ``value`` of CPI events with the core CPI level of their reference month."""
    out = events.copy()
    levels = pd.Series(core_cpi.to_numpy(dtype=np.float64), index=_naive_ns(core_cpi.index))
    levels.index = pd.DatetimeIndex(levels.index).to_period("M")
    is_cpi = (out["kind"] == "CPI").to_numpy()
    ref = pd.PeriodIndex(
        [str(lbl).split()[-1] if k else "NaT" for lbl, k in zip(out["label"], is_cpi, strict=True)],
        freq="M",
    )
    values = levels.reindex(ref).to_numpy(dtype=np.float64)
    # A value may only appear on a release strictly after its reference month.
    month_end = np.asarray(ref.to_timestamp(how="end").normalize())
    ok = is_cpi & np.isfinite(values) & (out["date"].to_numpy() > month_end)
    out["value"] = np.where(ok, values, np.nan)
    return out


def embedded_cache_key() -> str:
    """The on-disk key of the embedded default (`vixshield.data.cache_files`).

    SHA-256 of the ``arch`` data files read, of every shipped resource file (calendars,
    rates, dividend yields), of the data layer's code (`data_code_files`) and of the
    library versions: any change to what `load_embedded` returns gives a new key.
    """
    arch = [_arch_path(name, filename) for name, filename in _ARCH_FILES.values()]
    return source_digest([*arch, *data_code_files()], *shipped_resources(), *library_versions())


def _compute() -> MarketData:
    """The embedded default built from its files (`load_embedded`, without the cache)."""
    spx = _arch_data(*_ARCH_FILES["sp500"])
    vixd = _arch_data(*_ARCH_FILES["vix"])
    cpi = _arch_data(*_ARCH_FILES["core_cpi"])
    spx.index = _naive_ns(spx.index)
    vixd.index = _naive_ns(vixd.index)
    start = min(spx.index.min(), vixd.index.min())
    end = max(spx.index.max(), vixd.index.max())
    days = pd.DatetimeIndex(trading_days(start, end).to_numpy(), name="date")
    daily = pd.DataFrame(np.nan, index=days, columns=list(DAILY_COLUMNS), dtype=np.float64)
    warnings: list[str] = []
    for src, dst in _SPX_COLUMNS.items():
        daily[dst] = spx[src].astype(np.float64).reindex(days)
    daily["vix"] = vixd["vix"].astype(np.float64).reindex(days)
    off = spx.index.difference(days).union(vixd.index.difference(days))
    if len(off):
        warnings.append(
            f"embedded: {len(off)} arch rows on exchange holidays (NaN in arch's FRED-based VIX) "
            "dropped"
        )

    daily["rate"] = policy_rate_mid(days).to_numpy()
    daily["div_yield"] = dividend_yield(days).to_numpy()

    events = _cpi_values(load_events(), cpi["CPILFESL"])

    vx = pd.DataFrame(
        {
            "date": pd.Series([], dtype="datetime64[ns]"),
            "expiry": pd.Series([], dtype="datetime64[ns]"),
            "settle": pd.Series([], dtype=np.float64),
        }
    )
    prov: dict[str, Provenance] = {}
    for col in _SPX_COLUMNS.values():
        prov[col] = Provenance(col, "arch", "arch.data.sp500", EMBEDDED_FETCHED_AT, "real")
    prov["vix"] = Provenance(
        "vix",
        "arch",
        "arch.data.vix",
        EMBEDDED_FETCHED_AT,
        "real",
        "VIX close 2014-01-03 .. 2019-01-03",
    )
    prov["rate"] = Provenance(
        "rate",
        "model",
        resource_path("fed_funds_target.csv"),
        EMBEDDED_FETCHED_AT,
        "modeled",
        RATE_MODEL_NOTE,
    )
    prov["div_yield"] = Provenance(
        "div_yield",
        "vixshield",
        dividend_yield_source(),
        EMBEDDED_FETCHED_AT,
        "modeled",
        DIV_YIELD_NOTE,
    )
    for kind in EVENT_KINDS:
        note = ""
        if kind == "CPI":
            note = (
                "value = core CPI level (CPILFESL, 1982-84=100) of the reference month from "
                "arch.data.core_cpi: latest vintage, not the first print; NaN after 2018-11"
            )
        prov[f"events:{kind}"] = Provenance(
            f"events:{kind}",
            "vixshield",
            resource_path(EVENT_FILES[kind]),
            EMBEDDED_FETCHED_AT,
            "real",
            note,
        )
    for col in DAILY_COLUMNS:
        if col not in prov:
            warnings.append(f"{col}: no data in the embedded default")
    warnings.append("vix: embedded default covers 2014-01-03 .. 2019-01-03 only (NaN before)")
    warnings.append("rate: modeled from the Fed funds target range (no real 3-month rate offline)")
    warnings.append("div_yield: modeled from annual S&P 500 dividend yields (previous year's)")
    warnings.append("vx: no VIX futures in the embedded default")
    warnings.append("benchmarks: no Cboe strategy benchmark indices in the embedded default")
    warnings.append("PPI and GDP release dates partly unverified or estimated (see their notes)")
    return MarketData(daily=daily, vx=vx, events=events, provenance=prov, warnings=tuple(warnings))


@lru_cache(maxsize=1)
def _build() -> MarketData:
    """`_compute`, once per data and code (kept in the cache folder between processes)."""
    return cached_pickle("embedded", embedded_cache_key(), MarketData, _compute)


def load_embedded() -> MarketData:
    """The embedded default market data (offline, cached in-process).

    Returns
    -------
    MarketData
        ``daily`` on NYSE trading days 1999-01-04 .. 2019-01-03 with
        `DAILY_COLUMNS` (NaN where no data), an empty ``vx`` frame, empty
        ``benchmarks`` (`vixshield.data.market.empty_benchmarks`), the shipped
        event calendar (CPI values = core CPI levels where known), provenance
        for every loaded series and warnings for every missing one.

    Notes
    -----
    The same object is returned on every call; `MarketData` is frozen and its
    frames must not be mutated (take ``.copy()`` before editing). Built once per
    data and code and kept in the cache folder (`embedded_cache_key`,
    `vixshield.data.cache_files.cached_pickle`; none where
    ``$VIXSHIELD_MARKET_CACHE=off``), so a later process reads it back as built.
    """
    return _build()
