"""Causal indicators for the regime engine (one row per trading day).

Every value in row ``t`` uses data up to ``t`` only: exponential averages and
Wilder smoothing run forward, rolling windows end at ``t``, the GARCH(1,1)
model is refit quarterly (see `garch_forecast`) on an expanding window
ending at the refit date and its parameters filter the returns from the
refit date on, and event distances use the exchange calendar (known in
advance) and only the events known at each row's close (``known_from``).

Columns (units)
---------------
vix, vix3m, vvix : vol points (copies of the inputs)
ts_slope : term-structure slope, a ratio minus one. VIX3M/VIX - 1 where VIX3M
    exists; else VX2/VX1 - 1 from the two nearest VIX futures (the "VX1-VX2
    spread" expressed relative to VX1 so both sources share a unit); else NaN.
ts_source : "vix3m", "vx" or "missing".
ts_state : "contango" (slope > 0), "backwardation" (slope < 0), "flat" or "missing".
macd, macd_signal, macd_hist : MACD(12, 26, 9) of ts_slope (EMA, ``adjust=False``).
vvix_rsi : Wilder RSI(14) of VVIX, 0-100.
ad_line : cumulative NYSE advances minus declines (issues).
ad_divergence : +1 bearish (SPX up, A-D line down over 20 days), -1 bullish
    (SPX down, A-D line up), 0 otherwise.
vix_pct : share of the last 252 VIX closes at or below today's (0-1).
iv_rank : (VIX - min) / (max - min) over the last 252 closes (0-1).
garch_vol : GARCH(1,1) forecast of SPX volatility over the next 21 trading
    days, annualised with 252 days, vol points.
vrp : vix - garch_vol (vol points).
days_to_fomc, days_to_cpi, days_to_ppi, days_to_gdp : trading days to the next
    event of that kind known at the row's close (0 on the day; NaN where the
    calendar is unknown).
days_to_fomc_status, ... : "known" or "calendar unknown" (the reason for a NaN).
custom:<name>, custom:<name>:on : a custom input's value and whether its rule holds.
regime_score, regime : see `vixshield.strategy.regime`.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import warnings
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray
from vixshield.data.events import CALENDAR_UNKNOWN, EventStatus, days_to_next
from vixshield.data.market import MarketData
from vixshield.markets.cache import cache_folder, load_array, save_array
from vixshield.strategy.policy import CustomIndicator, Policy

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_STATUS_COLUMNS",
    "WARMUP_DAYS",
    "compute_indicators",
    "custom_signal",
    "event_inputs",
    "garch_cache_key",
    "garch_forecast",
    "indicator_policy_key",
    "macd",
    "rolling_percentile",
    "rsi_wilder",
    "trading_days_to_events",
]

EVENT_COLUMNS: dict[str, str] = {
    "FOMC": "days_to_fomc",
    "CPI": "days_to_cpi",
    "PPI": "days_to_ppi",
    "GDP": "days_to_gdp",
}
EVENT_STATUS_COLUMNS: dict[str, str] = {k: f"{v}_status" for k, v in EVENT_COLUMNS.items()}
"""Kind -> column saying whether the distance is ``"known"`` or ``"calendar unknown"``."""
_LOOKBACK = 252  # trading days, one year (IV rank, percentile)
_MIN_LOOKBACK = 60  # trading days before a rank is reported
_HORIZON = 21  # trading days of the GARCH volatility forecast
_ANNUAL = 252.0  # trading days per year for annualising daily variance
_REFIT_MONTHS = 3  # months between GARCH refits (calendar quarters; see `garch_forecast`)


def macd(
    x: pd.Series, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """MACD line, signal line and histogram (causal EMAs, ``adjust=False``).

    Notes
    -----
    ``macd = EMA_fast(x) - EMA_slow(x)``, ``signal = EMA_signal(macd)``,
    ``hist = macd - signal`` with ``EMA_n`` weight ``2 / (n + 1)``
    (Appel, 1979). NaN inputs are skipped (the EMA holds its last value).
    """
    ema_f = x.ewm(span=fast, adjust=False, ignore_na=True).mean()
    ema_s = x.ewm(span=slow, adjust=False, ignore_na=True).mean()
    line = ema_f - ema_s
    sig = line.ewm(span=signal, adjust=False, ignore_na=True).mean()
    return line, sig, line - sig


def rsi_wilder(x: pd.Series, n: int = 14) -> pd.Series:
    """Wilder's RSI(n), 0-100.

    Notes
    -----
    The first average gain/loss is the simple mean of the first ``n`` changes;
    then ``avg = (avg * (n - 1) + change) / n``. ``RSI = 100 - 100 / (1 + RS)``,
    ``RS = avg_gain / avg_loss`` (Wilder, *New Concepts in Technical Trading
    Systems*, 1978). Rows before ``n`` changes exist are NaN.
    """
    vals = x.to_numpy(dtype=np.float64)
    out = np.full(vals.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(vals))
    if len(valid) <= n:
        return pd.Series(out, index=x.index)
    v = vals[valid]
    d = np.diff(v)
    gain = np.maximum(d, 0.0)
    loss = np.maximum(-d, 0.0)
    ag = gain[:n].mean()
    al = loss[:n].mean()
    res = np.full(len(v), np.nan)
    res[n] = 100.0 if al == 0 else 100.0 - 100.0 / (1.0 + ag / al)
    for i in range(n, len(d)):
        ag = (ag * (n - 1) + gain[i]) / n
        al = (al * (n - 1) + loss[i]) / n
        res[i + 1] = 100.0 if al == 0 else 100.0 - 100.0 / (1.0 + ag / al)
    out[valid] = res
    return pd.Series(out, index=x.index)


def _garch_variance_path(
    r: FloatArray, mu: float, omega: float, alpha: float, beta: float, v0: float
) -> FloatArray:
    """sigma^2_{t+1|t} for every t (GARCH(1,1) recursion started at ``v0``).

    ``v_t = omega + alpha (r_t - mu)^2 + beta v_{t-1}``, a first-order linear
    recursion run as one IIR filter (`scipy.signal.lfilter`); the plain loop is
    `_garch_variance_path_loop` (reference, tested against this).
    """
    from scipy.signal import lfilter

    e = np.asarray(r, dtype=np.float64) - mu
    x = omega + alpha * e * e
    if x.size == 0:
        return np.empty(0)
    out, _ = lfilter([1.0], [1.0, -beta], x, zi=np.array([beta * v0]))
    return np.asarray(out, dtype=np.float64)


def _garch_variance_path_loop(
    r: FloatArray, mu: float, omega: float, alpha: float, beta: float, v0: float
) -> FloatArray:
    """Plain-Python reference of `_garch_variance_path`."""
    out = np.empty(len(r))
    v = v0
    for t in range(len(r)):
        e = r[t] - mu
        v = omega + alpha * e * e + beta * v
        out[t] = v
    return out


WARMUP_DAYS = 365
"""Calendar days of full indicator history `compute_indicators` keeps before ``start``."""


def garch_forecast(
    close: pd.Series,
    min_obs: int = 252,
    horizon: int = _HORIZON,
    refit_months: int = _REFIT_MONTHS,
    from_date: pd.Timestamp | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
) -> pd.Series:
    """Causal GARCH(1,1) volatility forecast, annualised vol points.

    The model (constant mean, normal errors, returns in percent) is fitted with
    ``arch`` on the first trading day of the first month once ``min_obs``
    returns exist, then on the first trading day of every ``refit_months``-th
    calendar month (default 3: January, April, July, October), each time on all
    returns up to and including that day (warm-started from the previous fit).
    From that day until the next refit, the fitted parameters filter the returns
    known at each day into ``sigma^2_{t+1|t}`` (so the forecast still moves
    every day and stays causal) and the ``horizon``-day forecast is

    ``mean_h(vbar + (alpha + beta)^(h-1) (sigma^2_{t+1|t} - vbar))``, h = 1..horizon,

    with ``vbar = omega / (1 - alpha - beta)``; reported as
    ``sqrt(252 x mean)`` (percent per year = vol points).

    Parameters
    ----------
    close : Series
        Daily closes (NaN where missing).
    min_obs : int
        Returns needed before the first fit.
    horizon : int
        Trading days averaged in the forecast.
    refit_months : int
        Months between refits, at least 1 (1 = monthly, the behaviour before
        2026-11). The default 3 makes a third of the fits (76 instead of 228
        over the embedded 1999-2019 data), the main cost of this function.
    from_date : Timestamp, optional
        Forecasts are only needed from this day on (a backtest's warm-up start):
        fits whose whole segment ends before it are skipped, and the first fit
        kept starts cold instead of warm. NaN before that fit's segment. The
        forecasts kept differ from a full run only by the optimiser's tolerance.
    cache_dir : path, optional
        A folder of on-disk results (`vixshield.markets.cache.cache_folder` in a
        backtest): the forecast is read from ``garch-<key>.npy`` there when present and
        valid (`garch_cache_key`), else computed and written there. None: in-process only.

    References
    ----------
    Bollerslev, T. (1986). Generalized autoregressive conditional
    heteroskedasticity. J. Econometrics 31, 307-327.

    Notes
    -----
    The fits depend only on ``close``, the arguments and the code (this module, the
    versions of arch, scipy and numpy), never on the policy's other fields: the
    result is memoised in-process (`_GARCH_MEMO`, keyed by a hash of the closes and
    their dates), so every backtest of a data set after the first reuses it (a copy is
    returned), and with ``cache_dir`` on disk under `garch_cache_key`, so a later
    process reuses it without importing arch. A stored file holds the float64 values
    exactly as computed (bit for bit); one that cannot be read, or of the wrong shape
    or type, is recomputed and overwritten, never trusted. A file that cannot be
    written only loses the reuse (a `RuntimeWarning`).
    """
    if refit_months < 1:
        raise ValueError(f"refit_months must be at least 1, got {refit_months}")
    digest = pd.util.hash_pandas_object(close, index=True).to_numpy().tobytes()
    key = (digest, close.name, min_obs, horizon, refit_months, from_date)
    memo = _GARCH_MEMO.get(key)
    if memo is None:
        path = None
        if cache_dir is not None:
            name = garch_cache_key(close, min_obs, horizon, refit_months, from_date, digest)
            path = Path(cache_dir) / f"garch-{name}.npy"
        stored = load_array(path, len(close)) if path is not None else None
        if stored is not None:
            memo = pd.Series(stored, index=close.index, dtype=np.float64)
        else:
            memo = _garch_forecast(close, min_obs, horizon, refit_months, from_date)
            if path is not None:
                _store(path, memo)
        if len(_GARCH_MEMO) >= _GARCH_MEMO_SIZE:
            _GARCH_MEMO.pop(next(iter(_GARCH_MEMO)))
        _GARCH_MEMO[key] = memo
    return memo.copy()


_GARCH_MEMO: dict[tuple[object, ...], pd.Series] = {}
"""`garch_forecast` results by (closes hash, name, arguments); oldest dropped first."""
_GARCH_MEMO_SIZE = 16  # data sets x warm-up starts kept
_GARCH_FORMAT = 1  # bump when the stored layout or the key's contents change
_GARCH_DEPENDS = ("arch", "scipy", "numpy")
"""Packages whose versions the stored forecasts depend on (the fit, the filter)."""


@functools.cache
def _garch_code_digest() -> str:
    """SHA-256 of this module's source and of the versions in `_GARCH_DEPENDS`."""
    h = hashlib.sha256(f"garch format {_GARCH_FORMAT}".encode())
    h.update(Path(__file__).read_bytes())
    for dist in _GARCH_DEPENDS:
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "<missing>"
        h.update(f"{dist}=={version}".encode())
    return h.hexdigest()


def garch_cache_key(
    close: pd.Series,
    min_obs: int = 252,
    horizon: int = _HORIZON,
    refit_months: int = _REFIT_MONTHS,
    from_date: pd.Timestamp | None = None,
    digest: bytes | None = None,
) -> str:
    """The on-disk key (SHA-256, hex) of a `garch_forecast` (arguments as there).

    Hashes the closes with their dates (``digest``: their
    `pandas.util.hash_pandas_object`, computed when None), their dtype and length, the
    arguments, this module's source and the versions of arch, scipy and numpy: any
    change to what the forecast depends on gives a new key, never a stale answer.
    """
    if digest is None:
        digest = pd.util.hash_pandas_object(close, index=True).to_numpy().tobytes()
    h = hashlib.sha256(_garch_code_digest().encode())
    h.update(digest)
    stamp = None if from_date is None else pd.Timestamp(from_date).isoformat()
    args = (str(close.dtype), len(close), min_obs, horizon, refit_months, stamp)
    h.update(repr(args).encode())
    return h.hexdigest()


def _store(path: Path, values: pd.Series) -> None:
    """Write a forecast to its cache file; a write that fails only loses the reuse."""
    try:
        save_array(path, values.to_numpy(dtype=np.float64))
    except OSError as err:
        warnings.warn(f"GARCH cache not saved to {path}: {err}", RuntimeWarning, stacklevel=3)


def _garch_forecast(
    close: pd.Series,
    min_obs: int,
    horizon: int,
    refit_months: int,
    from_date: pd.Timestamp | None,
) -> pd.Series:
    """`garch_forecast` computed (no memo)."""
    from arch import arch_model

    px = close.dropna()
    out = pd.Series(np.nan, index=close.index, dtype=np.float64)
    if len(px) < min_obs + 2:
        return out
    r = 100.0 * np.log(px.to_numpy(dtype=np.float64)[1:] / px.to_numpy(dtype=np.float64)[:-1])
    dates = pd.DatetimeIndex(px.index[1:])
    month = dates.year * 12 + dates.month
    first_of_month = np.r_[True, month[1:] != month[:-1]]
    eligible = [int(i) for i in np.flatnonzero(first_of_month) if i + 1 >= min_obs]
    # the first eligible month start, then the month starts of every refit_months-th month
    refits = eligible[:1] + [i for i in eligible[1:] if (month[i] - 1) % refit_months == 0]
    if from_date is not None:
        needed = int(dates.searchsorted(pd.Timestamp(from_date), side="right"))
        # keep the last refit at or before from_date and every later one
        first = max((j for j, i in enumerate(refits) if i < needed), default=0)
        refits = refits[first:]
    if not refits:
        return out
    h = np.arange(horizon, dtype=np.float64)
    start_values: FloatArray | None = None  # warm start from the previous (earlier) fit
    for j, start in enumerate(refits):
        stop = refits[j + 1] if j + 1 < len(refits) else len(r)
        train = r[: start + 1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res: Any = arch_model(train, mean="Constant", vol="GARCH", p=1, q=1).fit(
                disp="off", show_warning=False, starting_values=start_values
            )
        start_values = np.asarray(res.params, dtype=np.float64)
        mu, omega, alpha, beta = (
            float(res.params[k]) for k in ("mu", "omega", "alpha[1]", "beta[1]")
        )
        persist = alpha + beta
        v0 = float(np.var(train))
        path = _garch_variance_path(r[:stop], mu, omega, alpha, beta, v0)[start:stop]
        if persist < 1.0:
            vbar = omega / (1.0 - persist)
            mean_var = vbar + np.mean(persist**h) * (path - vbar)
        else:
            mean_var = path + omega * np.mean(h)
        out.loc[dates[start:stop]] = np.sqrt(_ANNUAL * mean_var)
    return out


def trading_days_to_events(
    dates: pd.DatetimeIndex, events: pd.DataFrame, kinds: tuple[str, ...] = tuple(EVENT_COLUMNS)
) -> pd.DataFrame:
    """Trading days from each date to the next event of each kind known at its close.

    Point in time: row ``t`` reads only events with ``known_from <= t``
    (`vixshield.data.events.days_to_next`), so an unscheduled FOMC action is invisible
    before its day and a release calendar not yet published is not used.

    Returns
    -------
    DataFrame
        Indexed by ``dates``: per kind, `EVENT_COLUMNS` (NYSE sessions, 0 on the day,
        float) and `EVENT_STATUS_COLUMNS` (``"known"`` or ``"calendar unknown"``; the
        count is NaN exactly where the calendar is unknown: before a kind's first
        known release, in a gap of the calendar, after its end).
    """
    out = pd.DataFrame(index=dates)
    statuses: dict[str, list[EventStatus]] = {}
    for kind in kinds:
        days, statuses[kind] = days_to_next(pd.DatetimeIndex(dates), events, kind)
        out[EVENT_COLUMNS[kind]] = days
    for kind in kinds:
        out[EVENT_STATUS_COLUMNS[kind]] = pd.Series(statuses[kind], index=dates, dtype=object)
    return out


def event_inputs(
    row: Mapping[str, object], kinds: Iterable[str] = tuple(EVENT_COLUMNS)
) -> dict[str, float | str]:
    """The event distances a rule read at an indicator row, for the audit trail.

    Kind -> trading days to its next known event, or ``"calendar unknown"`` (the
    row's status) where none is known: the reason a rule that skips the kind
    shows instead of a distance.
    """
    out: dict[str, float | str] = {}
    for kind in kinds:
        v = row.get(EVENT_COLUMNS[kind], math.nan)
        value = float(v) if isinstance(v, int | float | np.floating) else math.nan
        if math.isnan(value):
            out[kind] = str(row.get(EVENT_STATUS_COLUMNS[kind], CALENDAR_UNKNOWN))
        else:
            out[kind] = value
    return out


def rolling_percentile(x: FloatArray, window: int, min_periods: int) -> FloatArray:
    """Share of the trailing ``window`` values (today's included) at or below today's.

    Parameters
    ----------
    x : ndarray of float
        A daily series (NaN where missing).
    window : int
        Values in the window (trading days); fewer at the start of the series.
    min_periods : int
        Non-NaN values a window needs; NaN below that.

    Returns
    -------
    ndarray of float
        ``count(w <= x[i]) / len(w)`` over the window ``w`` ending at ``i`` (a NaN,
        or an infinity, which pandas' windows read as NaN, compares False, so a NaN
        ``x[i]`` gives 0): pandas'
        ``Series.rolling(window, min_periods).apply(lambda w: np.mean(w <= w[-1]), raw=True)``,
        on all windows at once (the count and the length are whole numbers, so the
        quotient is the mean ``np.mean`` returns).
    """
    n = len(x)
    out = np.full(n, np.nan)
    if n == 0:
        return out
    a = np.asarray(x, dtype=np.float64)
    a = np.where(np.isinf(a), np.nan, a)  # pandas' windows read an infinity as NaN
    padded = np.concatenate([np.full(window - 1, np.nan), a])
    windows = np.lib.stride_tricks.sliding_window_view(padded, window)  # row i ends at x[i]
    at_or_below = np.count_nonzero(windows <= windows[:, -1:], axis=1)
    observed = np.count_nonzero(~np.isnan(windows), axis=1)
    length = np.minimum(np.arange(1, n + 1), window)
    ok = observed >= min_periods
    out[ok] = at_or_below[ok] / length[ok]
    return out


def _vx_slope(data: MarketData, index: pd.DatetimeIndex) -> pd.Series:
    """VX2/VX1 - 1 from the two nearest unexpired VIX futures on each date."""
    vx = data.vx
    if len(vx) == 0:
        return pd.Series(np.nan, index=index)
    live = vx[(vx["expiry"] > vx["date"]) & (vx["settle"] > 0)].sort_values(["date", "expiry"])
    rank = live.groupby("date").cumcount()
    front = live[rank == 0].set_index("date")["settle"]
    second = live[rank == 1].set_index("date")["settle"]
    slope = (second / front - 1.0).reindex(index)
    return slope.astype(np.float64)


def custom_signal(data: MarketData, spec: CustomIndicator) -> tuple[pd.Series, pd.Series]:
    """Value and on/off of a custom input (see `CustomIndicator`); NaN/False where missing.

    z-scores use the trailing ``window`` values up to and including the date.
    """
    idx = data.daily.index
    if spec.series not in data.daily.columns:
        return pd.Series(np.nan, index=idx), pd.Series(False, index=idx)
    x = data.daily[spec.series].astype(np.float64)
    if spec.rule.startswith("zscore"):
        roll = x.rolling(spec.window, min_periods=min(spec.window, 20))
        value = (x - roll.mean()) / roll.std()
    else:
        value = x
    vals = value.to_numpy(dtype=np.float64)
    on = vals > spec.threshold if spec.rule.endswith("above") else vals < spec.threshold
    return value, pd.Series(on & ~np.isnan(vals), index=idx)


def indicator_policy_key(policy: Policy) -> tuple[str, ...]:
    """Every part of ``policy`` that `compute_indicators` reads (its ``regime`` and
    ``custom`` sections, as JSON): two policies with equal keys give equal frames of the
    same data, so a frame can be kept for another policy variant of a sweep."""
    return (policy.regime.model_dump_json(), *(c.model_dump_json() for c in policy.custom))


def compute_indicators(
    data: MarketData,
    policy: Policy,
    start: pd.Timestamp | None = None,
    *,
    cache: bool | str | os.PathLike[str] = True,
) -> pd.DataFrame:
    """All regime inputs and the regime, one causal row per trading day.

    Parameters
    ----------
    data : MarketData
        Daily series (NaN where missing), VX settlements and the event calendar.
    policy : Policy
        Supplies the regime thresholds, GARCH minimum history and custom inputs.
    start : Timestamp, optional
        First day the caller needs (a backtest's start): the GARCH forecast, the
        costly input, is then only fitted from `WARMUP_DAYS` calendar days before it,
        so the regime has a year of history with every input at ``start``. Rows
        before the warm-up have no GARCH input. Every row stays causal.
    cache : bool or path
        Where `garch_forecast` keeps its forecast on disk: True (default) the
        market cache folder (`vixshield.markets.cache.cache_folder`: none where
        ``$VIXSHIELD_MARKET_CACHE=off``), False nowhere, or that folder.

    Returns
    -------
    DataFrame
        Indexed like ``data.daily``; columns as in the module docstring.
    """
    from vixshield.strategy.regime import classify_regimes

    d = data.daily
    idx = pd.DatetimeIndex(d.index)
    out = pd.DataFrame(index=idx)
    for col in ("vix", "vix3m", "vvix"):
        out[col] = d[col].astype(np.float64) if col in d.columns else np.nan
    ratio = out["vix3m"] / out["vix"] - 1.0
    vx_slope = _vx_slope(data, idx)
    slope = ratio.where(ratio.notna(), vx_slope)
    out["ts_slope"] = slope
    out["ts_source"] = np.where(ratio.notna(), "vix3m", np.where(vx_slope.notna(), "vx", "missing"))
    s = slope.to_numpy(dtype=np.float64)
    out["ts_state"] = np.where(
        np.isnan(s),
        "missing",
        np.where(s > 0, "contango", np.where(s < 0, "backwardation", "flat")),
    )
    line, sig, hist = macd(slope)
    valid = slope.notna().cumsum() > 0
    out["macd"] = line.where(valid)
    out["macd_signal"] = sig.where(valid)
    out["macd_hist"] = hist.where(valid)
    out["vvix_rsi"] = rsi_wilder(out["vvix"])
    if "advances" in d.columns and "declines" in d.columns:
        net = (d["advances"] - d["declines"]).astype(np.float64)
        has_ad = net.notna()
        ad_line = net.fillna(0.0).cumsum().where(has_ad)
    else:
        ad_line = pd.Series(np.nan, index=idx)
    out["ad_line"] = ad_line
    spx = d["spx_close"].astype(np.float64) if "spx_close" in d.columns else ad_line * np.nan
    d_spx = spx - spx.shift(20)
    d_ad = ad_line - ad_line.shift(20)
    div = np.where((d_spx > 0) & (d_ad < 0), 1.0, np.where((d_spx < 0) & (d_ad > 0), -1.0, 0.0))
    out["ad_divergence"] = np.where(d_ad.notna() & d_spx.notna(), div, np.nan)
    vix = out["vix"]
    roll = vix.rolling(_LOOKBACK, min_periods=_MIN_LOOKBACK)
    lo, hi = roll.min(), roll.max()
    rank = np.where(
        hi > lo, (vix - lo) / (hi - lo), np.where(hi.notna() & vix.notna(), 0.5, np.nan)
    )
    out["iv_rank"] = rank
    out["vix_pct"] = rolling_percentile(vix.to_numpy(dtype=np.float64), _LOOKBACK, _MIN_LOOKBACK)
    warmup = None if start is None else pd.Timestamp(start) - pd.Timedelta(days=WARMUP_DAYS)
    folder = cache_folder() if cache is True else (cache or None)
    out["garch_vol"] = garch_forecast(
        spx, policy.regime.garch_min_obs, from_date=warmup, cache_dir=folder
    )
    out["vrp"] = vix - out["garch_vol"]
    ev = trading_days_to_events(idx, data.events)
    for col in ev.columns:
        out[col] = ev[col]
    for spec in policy.custom:
        value, on = custom_signal(data, spec)
        out[f"custom:{spec.name}"] = value
        out[f"custom:{spec.name}:on"] = on
    score, regime = classify_regimes(out, policy.regime)
    out["regime_score"] = score
    out["regime"] = regime
    return out
