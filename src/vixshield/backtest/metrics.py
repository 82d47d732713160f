"""Performance and risk metrics: pure functions on numpy arrays / pandas series.

`summary_dict` / `summary_json` (defined in `vixshield.backtest.summary`) are
re-exported here: the summary of a run is these metrics plus its header.

Conventions: returns are simple daily returns of equity (decimal); annualisation
uses 252 trading days; the risk-free rate is the 3-month T-bill yield (decimal
per year), taken per day as ``rate / 252``; money in dollars.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from vixshield._typing import ArrayLike, FloatArray
from vixshield.backtest.summary import summary_dict, summary_json
from vixshield.data.stress import default_stress_windows

__all__ = [
    "STRESS_WINDOWS",
    "TRADING_DAYS",
    "annual_volatility",
    "cagr",
    "capm_alpha_beta",
    "compute_metrics",
    "cvar",
    "daily_returns",
    "event_study",
    "max_drawdown",
    "profit_stats",
    "sharpe",
    "sortino",
    "stress_windows",
    "summary_dict",
    "summary_json",
    "worst_period",
    "xirr",
]

TRADING_DAYS = 252  # trading days per year, for annualisation

STRESS_WINDOWS: Mapping[str, tuple[str, str]] = {
    w.name: (f"{w.start:%Y-%m-%d}", f"{w.end:%Y-%m-%d}") for w in default_stress_windows()
}
"""Named stress windows, inclusive ISO dates (SPX peak-to-trough or the shock's span),
from the shipped ``stress_windows.csv`` (1998-2025)."""


def _arr(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def daily_returns(equity: ArrayLike, capital: float) -> FloatArray:
    """Simple daily returns ``E_t / E_{t-1} - 1`` with ``E_{-1} = capital``."""
    e = _arr(equity)
    prev = np.concatenate(([capital], e[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(e / prev - 1.0, dtype=np.float64)


def cagr(final_equity: float, capital: float, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Compound annual growth rate, decimal.

    Notes
    -----
    ``(final / capital) ** (1 / years) - 1`` with ``years = (end - start).days / 365.25``;
    NaN for a span under one day or non-positive final equity.
    """
    years = (pd.Timestamp(end) - pd.Timestamp(start)).days / 365.25
    if years <= 0 or final_equity <= 0 or capital <= 0:
        return float("nan")
    return float((final_equity / capital) ** (1.0 / years) - 1.0)


def annual_volatility(returns: ArrayLike) -> float:
    """Sample standard deviation of daily returns times ``sqrt(252)``."""
    r = _arr(returns)
    return float(np.std(r, ddof=1) * np.sqrt(TRADING_DAYS)) if r.size > 1 else float("nan")


def sharpe(returns: ArrayLike, rf_annual: ArrayLike = 0.0) -> float:
    """Annualised Sharpe ratio of excess daily returns.

    Notes
    -----
    ``mean(x) / std(x, ddof=1) * sqrt(252)``, ``x = r - rf / 252`` (Sharpe, 1994).
    """
    x = _arr(returns) - _arr(rf_annual) / TRADING_DAYS
    sd = float(np.std(x, ddof=1)) if x.size > 1 else 0.0
    return float(np.mean(x) / sd * np.sqrt(TRADING_DAYS)) if sd > 0 else float("nan")


def sortino(returns: ArrayLike, rf_annual: ArrayLike = 0.0) -> float:
    """Annualised Sortino ratio of excess daily returns.

    Notes
    -----
    ``mean(x) / sqrt(mean(min(x, 0)^2)) * sqrt(252)``, ``x = r - rf / 252``: the
    downside deviation is taken over all days with target 0 (Sortino and Price, 1994).
    """
    x = _arr(returns) - _arr(rf_annual) / TRADING_DAYS
    dd = float(np.sqrt(np.mean(np.minimum(x, 0.0) ** 2))) if x.size else 0.0
    return float(np.mean(x) / dd * np.sqrt(TRADING_DAYS)) if dd > 0 else float("nan")


def max_drawdown(equity: ArrayLike, capital: float | None = None) -> tuple[float, int]:
    """Maximum drawdown and its duration.

    Parameters
    ----------
    equity : array_like
        Equity path, dollars.
    capital : float, optional
        Starting equity, counted as the first peak.

    Returns
    -------
    (depth, duration) : (float, int)
        ``depth = min(E / running_peak - 1)`` (<= 0); ``duration`` is the longest
        number of trading days spent below a previous peak (from the peak day to the
        day equity regains it, or to the end of the path).
    """
    e = _arr(equity)
    if capital is not None:
        e = np.concatenate(([capital], e))
    if e.size == 0:
        return float("nan"), 0
    peak = np.maximum.accumulate(e)
    depth = float(np.min(e / peak - 1.0))
    longest = run = 0
    for under in e < peak:
        run = run + 1 if under else 0
        longest = max(longest, run)
    return depth, int(longest)


def worst_period(equity: pd.Series, capital: float, freq: str) -> float:
    """Worst calendar-period return (``freq``: ``"D"``, ``"W-FRI"`` or ``"ME"``), decimal."""
    if len(equity) == 0:
        return float("nan")
    ends = equity if freq == "D" else equity.resample(freq).last().dropna()
    r = daily_returns(ends.to_numpy(dtype=np.float64), capital)
    return float(np.nanmin(r))


def cvar(returns: ArrayLike, level: float) -> float:
    """Historical conditional value at risk of daily returns: the mean return of the tail.

    Negative for a loss, like ``worst_day`` (a CVaR 95 of -0.02 means the worst 5 % of
    days lost 2 % on average).

    Notes
    -----
    ``mean(r | r <= q)`` where ``q`` is the ``1 - level`` empirical quantile (linear
    interpolation); e.g. ``level=0.95`` averages the worst 5% of days.
    """
    r = _arr(returns)
    r = r[np.isfinite(r)]
    if r.size == 0:
        return float("nan")
    q = np.quantile(r, 1.0 - level)
    return float(np.mean(r[r <= q]))


_BRENT_RTOL = 4.0 * float(np.finfo(np.float64).eps)  # scipy.optimize.brentq's default rtol


def _brentq(
    f: Callable[[float], float],
    xa: float,
    xb: float,
    xtol: float = 2e-12,
    rtol: float = _BRENT_RTOL,
    maxiter: int = 100,
) -> float:
    """A root of ``f`` in ``[xa, xb]`` by Brent's method, step for step as scipy's.

    The same iteration as ``scipy.optimize.brentq`` (its C code, ``brentq.c`` by
    C. Harris), in the same floating-point operations, so the root is the same to
    the bit (tested against scipy), without importing ``scipy.optimize`` (0.5 s) in
    every process. Like scipy: ``f(xa)`` and ``f(xb)`` must differ in sign (else
    ValueError), a NaN value raises ValueError, no convergence in ``maxiter``
    iterations raises RuntimeError.

    References
    ----------
    Brent, R. P. (1973). Algorithms for Minimization Without Derivatives, ch. 4.
    """

    def call(x: float) -> float:
        v = float(f(x))
        if math.isnan(v):
            raise ValueError(f"The function value at x={x:f} is NaN; solver cannot continue.")
        return v

    xpre, xcur = float(xa), float(xb)
    xblk = fblk = spre = scur = 0.0
    fpre, fcur = call(xpre), call(xcur)
    if fpre == 0:
        return xpre
    if fcur == 0:
        return xcur
    if math.copysign(1.0, fpre) == math.copysign(1.0, fcur):
        raise ValueError("f(a) and f(b) must have different signs")
    for _ in range(maxiter):
        if fpre != 0 and fcur != 0 and math.copysign(1.0, fpre) != math.copysign(1.0, fcur):
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return xcur
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:  # interpolate
                stry = -fcur * (xcur - xpre) / (fcur - fpre)
            else:  # extrapolate
                dpre = (fpre - fcur) / (xpre - xcur)
                dblk = (fblk - fcur) / (xblk - xcur)
                stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            a, b = abs(spre), 3 * abs(sbis) - delta
            if 2 * abs(stry) < (a if a < b else b):  # good short step (C's MIN(a, b))
                spre, scur = scur, stry
            else:  # bisect
                spre = scur = sbis
        else:  # bisect
            spre = scur = sbis
        xpre, fpre = xcur, fcur
        xcur += scur if abs(scur) > delta else (delta if sbis > 0 else -delta)
        fcur = call(xcur)
    raise RuntimeError(f"Failed to converge after {maxiter} iterations, value is {xcur}.")


def xirr(cash_flows: ArrayLike, dates: Sequence[pd.Timestamp] | pd.DatetimeIndex) -> float:
    """Internal rate of return of dated cash flows, decimal per year (ACT/365).

    Notes
    -----
    The root of ``sum_i cf_i / (1 + r) ** ((d_i - d_0) / 365) = 0`` found with
    Brent's method on ``(-0.9999, 100)``; NaN where no sign change brackets a root.
    """
    cf = _arr(cash_flows)
    d = pd.DatetimeIndex(list(dates))
    t = np.asarray((d - d[0]).days, dtype=np.float64) / 365.0

    def npv(r: float) -> float:
        return float(np.sum(cf / (1.0 + r) ** t))

    lo, hi = -0.9999, 100.0
    try:
        f_lo, f_hi = npv(lo), npv(hi)
    except (OverflowError, FloatingPointError):
        return float("nan")
    if not (np.isfinite(f_lo) and np.isfinite(f_hi)) or f_lo * f_hi > 0:
        return float("nan")
    return _brentq(npv, lo, hi, xtol=1e-12, maxiter=500)


def capm_alpha_beta(
    returns: ArrayLike, market_returns: ArrayLike, rf_annual: ArrayLike = 0.0
) -> tuple[float, float]:
    """CAPM alpha (annualised, decimal) and beta by OLS on daily excess returns.

    Notes
    -----
    ``r - rf = a + b (m - rf) + e`` over days where both are finite;
    ``beta = cov(x, y) / var(x)``, ``alpha = 252 a``.
    """
    rf = np.broadcast_to(_arr(rf_annual) / TRADING_DAYS, _arr(returns).shape)
    y = _arr(returns) - rf
    x = _arr(market_returns) - rf
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 3 or np.var(x) == 0:
        return float("nan"), float("nan")
    beta = float(np.cov(x, y, ddof=1)[0, 1] / np.var(x, ddof=1))
    alpha = float(np.mean(y) - beta * np.mean(x))
    return alpha * TRADING_DAYS, beta


def profit_stats(pnl: ArrayLike) -> dict[str, float]:
    """Win rate, average win / loss (dollars) and profit factor of per-cycle P&L.

    Notes
    -----
    ``profit_factor = sum(wins) / |sum(losses)|`` (NaN without losses).
    """
    p = _arr(pnl)
    wins, losses = p[p > 0], p[p < 0]
    nan = float("nan")
    return {
        "win_rate": float(wins.size / p.size) if p.size else nan,
        "avg_win": float(wins.mean()) if wins.size else nan,
        "avg_loss": float(losses.mean()) if losses.size else nan,
        "profit_factor": float(wins.sum() / -losses.sum()) if losses.size else nan,
    }


def _hedge_cols(daily: pd.DataFrame) -> list[str]:
    return [c for c in daily.columns if c.startswith("pnl_hedge")]


def stress_windows(
    daily: pd.DataFrame, windows: Mapping[str, tuple[str, str]] = STRESS_WINDOWS
) -> dict[str, dict[str, object]]:
    """P&L of the run inside each named window that overlaps it.

    Returns
    -------
    dict
        Window name -> ``start``, ``end`` (the window), ``days`` (trading days
        covered), ``partial`` (bool: the run covers only part of it), ``pnl``,
        ``pnl_condor``, ``pnl_hedge`` (all layers) and each ``pnl_hedge:<layer>``
        (dollars), ``spx_return`` (decimal, from the close before the window to its
        last close inside the run) and ``vix_max`` (highest VIX close in it).

    Notes
    -----
    ``daily`` is indexed by its days in ascending order (a run's frame): a window
    is the rows from the first day at or after its start to the last at or before
    its end, found by bisection, and its sums are pandas' own (`_window_sum`).
    """
    out: dict[str, dict[str, object]] = {}
    if len(daily) == 0:
        return out
    idx = pd.DatetimeIndex(daily.index)
    first, last = idx[0], idx[-1]
    hedges = _hedge_cols(daily)
    col = {c: daily[c].to_numpy() for c in ("pnl", "pnl_condor", "spx", "vix", *hedges)}
    for name, (a, b) in windows.items():
        lo, hi = pd.Timestamp(a), pd.Timestamp(b)
        i0, i1 = idx.searchsorted(lo, side="left"), idx.searchsorted(hi, side="right")
        if i1 <= i0:
            continue
        j = idx.searchsorted(lo - pd.Timedelta(days=1), side="right")  # closes before lo
        base = float(col["spx"][j - 1]) if j else float(col["spx"][i0])
        per_layer = {c: _window_sum(col[c][i0:i1]) for c in hedges}
        entry: dict[str, object] = {
            "start": a,
            "end": b,
            "days": int(i1 - i0),
            "partial": bool(lo < first or hi > last),
            "pnl": float(_window_sum(col["pnl"][i0:i1])),
            "pnl_condor": float(_window_sum(col["pnl_condor"][i0:i1])),
            "pnl_hedge": float(_window_sum(np.array(list(per_layer.values())))) if hedges else 0.0,
            "spx_return": float(col["spx"][i1 - 1] / base - 1.0) if base else float("nan"),
            "vix_max": float(np.fmax.reduce(col["vix"][i0:i1])),
        }
        for c in hedges:
            entry[c] = float(per_layer[c])
        out[name] = entry
    return out


def _window_sum(values: FloatArray) -> np.float64:
    """``pd.Series(values).sum()`` (NaN counted as zero), summed in the same order.

    pandas zeroes the missing values of a copy and sums it with numpy (pairwise);
    so does this, on the same slice of the same column.
    """
    missing = np.isnan(values)
    return np.float64(np.where(missing, 0.0, values).sum() if missing.any() else values.sum())


def event_study(daily: pd.DataFrame, events: pd.DataFrame) -> dict[str, dict[str, object]]:
    """Average P&L around macro events (days -1, 0, +1).

    Day 0 is the event date, or the next trading day where it is not one; -1 and +1
    are the neighbouring trading days of the run.

    Returns
    -------
    dict
        Kind -> ``count`` (events inside the run) and, per offset ``"-1"``, ``"0"``,
        ``"+1"``: ``pnl``, ``pnl_condor``, ``pnl_hedge`` (average dollars per event).
    """
    out: dict[str, dict[str, object]] = {}
    if len(daily) == 0 or len(events) == 0:
        return out
    idx = daily.index
    hedges = _hedge_cols(daily)
    pnl = daily["pnl"].to_numpy(dtype=np.float64)
    cond = daily["pnl_condor"].to_numpy(dtype=np.float64)
    hed = daily[hedges].sum(axis=1).to_numpy(dtype=np.float64) if hedges else np.zeros(len(idx))
    ev = events[(events["date"] >= idx[0]) & (events["date"] <= idx[-1])]
    for kind in sorted(ev["kind"].astype(str).unique()):
        dates = pd.DatetimeIndex(ev.loc[ev["kind"] == kind, "date"]).normalize().unique()
        pos = idx.searchsorted(dates, side="left")
        entry: dict[str, object] = {"count": len(pos)}
        for off, key in ((-1, "-1"), (0, "0"), (1, "+1")):
            j = pos + off
            j = j[(j >= 0) & (j < len(idx))]
            entry[key] = {
                "pnl": float(pnl[j].mean()) if j.size else float("nan"),
                "pnl_condor": float(cond[j].mean()) if j.size else float("nan"),
                "pnl_hedge": float(hed[j].mean()) if j.size else float("nan"),
            }
        out[kind] = entry
    return out


def compute_metrics(
    daily: pd.DataFrame, cycles: pd.DataFrame, events: pd.DataFrame, capital: float
) -> dict[str, object]:
    """All summary metrics of a run (JSON-serialisable; NaN where undefined).

    Parameters
    ----------
    daily, cycles : DataFrame
        As in `BacktestResult`.
    events : DataFrame
        Macro calendar (``date``, ``kind``).
    capital : float
        Starting equity, dollars.

    Notes
    -----
    Returns are daily equity returns; ``rf`` is ``daily["rate"]`` (NaN as 0).

    * ``irr``: `xirr` of ``-capital`` on the first day and ``+final equity`` on the last.
    * ``alpha``, ``beta``: `capm_alpha_beta` against SPX *price* returns (no dividends).
    * ``credit_collected``: condor premium received at opening (sum of ``daily["credit"]``).
      ``hedge_cost``: the premium the hedges consumed, minus the sum of the hedge layers'
      P&L (spread and decay; negative when they gained), as the strategy's credit-to-hedge
      rule counts it; ``hedge_premium_paid``: gross premium paid at hedge openings (rolls
      included). ``credit_to_hedge_ratio`` = credit / hedge cost over the run (NaN, i.e.
      null, when the hedges cost nothing: they gained); per cycle in ``cycles`` and its
      median ``credit_to_hedge_per_cycle_median`` (inf where a cycle's cost <= 0).
      ``credit_to_hedge_premium_ratio`` = credit / gross hedge premium paid: the desk's
      "3x" test on what was spent, defined even when the hedges gained.
    * ``win_rate``, ``avg_win``, ``avg_loss``, ``profit_factor``: per condor cycle, on its
      P&L net of its own costs (hedges excluded).
    * ``min_quick_ratio``: minimum over days with a requirement of
      ``max(cash, 0) / shock_demand``, where ``shock_demand`` is the Reg-T margin plus the
      loss of the open positions repriced under a 10% SPX drop with the VIX doubling
      (`vixshield.backtest.shock.Shock`); cash is assumed held in T-bills.
    * ``max_drawdown_duration_days``: trading days (see `max_drawdown`).
    """
    equity = daily["equity"]
    e = equity.to_numpy(dtype=np.float64)
    r = daily_returns(e, capital)
    rf = daily["rate"].fillna(0.0).to_numpy(dtype=np.float64)
    spx = daily["spx"].to_numpy(dtype=np.float64)
    m = daily_returns(spx, spx[0]) if len(spx) else spx
    start, end = daily.index[0], daily.index[-1]
    final = float(e[-1])
    depth, duration = max_drawdown(e, capital)
    growth = cagr(final, capital, start, end)
    alpha, beta = capm_alpha_beta(r, m, rf)
    credit = float(daily["credit"].sum()) if "credit" in daily else float("nan")
    hedge_cols = _hedge_cols(daily)
    hedge_cost = -float(daily[hedge_cols].sum().sum()) if hedge_cols else 0.0
    paid = float(daily["hedge_premium"].sum()) if "hedge_premium" in daily else float("nan")
    components = [c for c in daily.columns if c.startswith("pnl_")]
    demand = daily["shock_demand"].to_numpy(dtype=np.float64) if "shock_demand" in daily else None
    quick = float("nan")
    if demand is not None and (demand > 0).any():
        cash = np.maximum(daily["cash"].to_numpy(dtype=np.float64), 0.0)
        quick = float(np.min(cash[demand > 0] / demand[demand > 0]))
    per_cycle = (
        cycles["credit_to_hedge"].astype("float64") if len(cycles) else pd.Series(dtype="float64")
    )
    metrics: dict[str, object] = {
        "total_return": final / capital - 1.0,
        "cagr": growth,
        "annual_volatility": annual_volatility(r),
        "sharpe": sharpe(r, rf),
        "sortino": sortino(r, rf),
        "max_drawdown": depth,
        "max_drawdown_duration_days": duration,
        "calmar": growth / -depth if depth < 0 else float("nan"),
        "worst_day": worst_period(equity, capital, "D"),
        "worst_week": worst_period(equity, capital, "W-FRI"),
        "worst_month": worst_period(equity, capital, "ME"),
        "cvar_95": cvar(r, 0.95),
        "cvar_99": cvar(r, 0.99),
        "irr": xirr([-capital, final], [start, end]),
        "alpha": alpha,
        "beta": beta,
        "cycles": len(cycles),
        **profit_stats(cycles["pnl"].to_numpy(dtype=np.float64) if len(cycles) else []),
        "credit_collected": credit,
        "hedge_cost": hedge_cost,
        "hedge_premium_paid": paid,
        "credit_to_hedge_ratio": credit / hedge_cost if hedge_cost > 0 else float("nan"),
        "credit_to_hedge_premium_ratio": credit / paid if paid > 0 else float("nan"),
        "credit_to_hedge_per_cycle_median": float(per_cycle.median())
        if per_cycle.notna().any()
        else float("nan"),
        "pnl_by_component": {c[4:]: float(daily[c].sum()) for c in components if c != "pnl"},
        "min_quick_ratio": quick,
        "margin_call_days": int(daily["margin_call"].sum()) if "margin_call" in daily else 0,
        "stress_windows": stress_windows(daily),
        "event_study": event_study(daily, events),
    }
    return metrics
