"""Human labels, units and display rounding of the report's numbers.

Money is shown to the cent, option prices to the exchange tick, rates in
percent. Sign convention of the tail metrics: ``worst_day``, ``worst_week``,
``worst_month``, ``cvar_95`` and ``cvar_99`` are returns (decimal), negative
for a loss (`vixshield.report.summary.build_summary` turns the positive
loss fraction of `vixshield.backtest.metrics.cvar` into that convention).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from vixshield._typing import ArrayLike, BoolArray, FloatArray

__all__ = [
    "METRIC_LABELS",
    "column_kind",
    "fmt_value",
    "metric_label",
    "money_cents",
    "price_tick",
    "round_money",
    "round_price",
    "tick_prices",
    "tick_round_trades",
]

METRIC_LABELS: Mapping[str, tuple[str, str]] = {
    "capital": ("Starting capital $", "usd"),
    "final_equity": ("Final equity $", "usd"),
    "total_return": ("Total return %", "pct"),
    "cagr": ("CAGR %", "pct"),
    "irr": ("IRR %", "pct"),
    "annual_volatility": ("Annual volatility %", "pct"),
    "sharpe": ("Sharpe ratio", "num"),
    "sortino": ("Sortino ratio", "num"),
    "calmar": ("Calmar ratio", "num"),
    "max_drawdown": ("Max drawdown %", "pct"),
    "max_drawdown_duration_days": ("Max drawdown duration, trading days", "int"),
    "worst_day": ("Worst day %", "pct"),
    "worst_week": ("Worst week %", "pct"),
    "worst_month": ("Worst month %", "pct"),
    "cvar_95": ("CVaR 95 %, mean of the worst 5 % of days, %", "pct"),
    "cvar_99": ("CVaR 99 %, mean of the worst 1 % of days, %", "pct"),
    "alpha": ("Alpha vs SPX, annual %", "pct"),
    "beta": ("Beta to SPX", "num"),
    "cycles": ("Condor cycles", "int"),
    "positions_opened": ("Positions opened", "int"),
    "trades": ("Order legs executed", "int"),
    "win_rate": ("Win rate, condor cycles %", "pct"),
    "avg_win": ("Average winning cycle $", "usd"),
    "avg_loss": ("Average losing cycle $", "usd"),
    "profit_factor": ("Profit factor", "num"),
    "credit_collected": ("Condor credit collected $", "usd"),
    "hedge_cost": ("Hedge cost (minus hedge P&L) $", "usd"),
    "hedge_premium_paid": ("Hedge premium paid $", "usd"),
    "credit_to_hedge_ratio": ("Credit / hedge cost", "num"),
    "credit_to_hedge_premium_ratio": ("Credit / hedge premium", "num"),
    "credit_to_hedge_per_cycle_median": ("Credit / hedge cost, median per cycle", "num"),
    "min_quick_ratio": ("Least quick ratio (cash / shock demand)", "num"),
    "margin_call_days": ("Margin-call days", "int"),
}
"""Summary key -> (label with its unit, display kind: usd, pct, num, int)."""


def metric_label(key: str) -> tuple[str, str]:
    """(label, kind) of a summary key; unknown keys are spelled out in words, kind auto."""
    if key in METRIC_LABELS:
        return METRIC_LABELS[key]
    return key.replace("_", " ").capitalize(), "auto"


def money_cents(values: ArrayLike) -> FloatArray:
    """Dollars rounded to the cent (half away from zero), element-wise; NaN stays NaN.

    ``floor(|v| 100 + 0.5) / 100`` with the sign of ``v`` (``0.0`` where that is
    zero cents); non-finite values are returned as given.
    """
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        cents = np.floor(np.abs(v) * 100.0 + 0.5)
        rounded = np.where(cents != 0.0, np.copysign(cents / 100.0, v), 0.0)
    return np.where(np.isfinite(v), rounded, v)


def round_money(value: float) -> float:
    """Dollars rounded to the cent (half away from zero); NaN stays NaN (`money_cents`)."""
    return float(money_cents(np.array([value], dtype=np.float64))[0])


def _ticks(vix: BoolArray, prices: FloatArray) -> FloatArray:
    """`price_tick` element-wise: ``vix`` marks VIX rows (else SPX/SPXW)."""
    small = np.abs(prices) < 3.0
    return np.where(vix, np.where(small, 0.01, 0.05), np.where(small, 0.05, 0.10))


def price_tick(root: str, price: float) -> float:
    """Minimum price increment of a single-leg option quote, index points.

    SPX/SPXW: 0.05 below 3.00, 0.10 from 3.00 (Cboe SPX contract specs).
    VIX: 0.01 below 3.00, 0.05 from 3.00 (Cboe notice of 29 Nov 2022; before
    it 0.05 / 0.10).
    """
    vix = np.array([root.upper() == "VIX"])
    return float(_ticks(vix, np.array([price], dtype=np.float64))[0])


def tick_prices(roots: ArrayLike, prices: ArrayLike) -> FloatArray:
    """``prices`` rounded to the nearest tick of their ``roots`` (`price_tick`), to 2 decimals.

    ``floor(|p| / tick + 1e-9 + 0.5)`` ticks with the sign of ``p`` (``0.0`` where
    that is zero ticks); non-finite prices are returned as given.
    """
    p = np.asarray(prices, dtype=np.float64)
    codes, names = pd.factorize(np.asarray(roots, dtype=object))
    vix = np.array([str(n).upper() == "VIX" for n in names], dtype=np.bool_)
    is_vix = vix[codes] if len(names) else np.zeros(len(p), dtype=np.bool_)
    is_vix = np.where(codes >= 0, is_vix, False)  # a missing root is not VIX
    with np.errstate(invalid="ignore"):
        tick = _ticks(is_vix, p)
        ticks = np.floor(np.abs(p) / tick + 1e-9 + 0.5)
        rounded = np.where(ticks != 0.0, np.copysign(np.round(ticks * tick, 2), p), 0.0)
    return np.where(np.isfinite(p), rounded, p)


def round_price(root: str, price: float) -> float:
    """``price`` rounded to the nearest tick of ``root`` (`tick_prices`), to 2 decimals."""
    return float(tick_prices([root], [price])[0])


_MONEY_COLUMNS = ("cash_flow", "commission", "fees")


def tick_round_trades(trades: pd.DataFrame) -> pd.DataFrame:
    """``trades`` as shown in ``trades.csv``: fills to the tick, money to the cent.

    ``fill`` is rounded to its root's tick; the engine's exact fill (what the
    cash flows were computed from) is kept in ``fill_model``; ``mid`` is rounded
    to 4 decimals; ``cash_flow``, ``commission``, ``fees`` to the cent. A new
    frame (the input is not changed).
    """
    out = trades.copy()
    if out.empty:
        return out
    if {"fill", "root"}.issubset(out.columns):
        out["fill_model"] = out["fill"]
        out["fill"] = tick_prices(out["root"].astype(str), out["fill"].astype(float))
    if "mid" in out.columns:
        out["mid"] = np.round(out["mid"].astype(float), 4)
    for col in _MONEY_COLUMNS:
        if col in out.columns:
            out[col] = money_cents(out[col].astype(float))
    return out


def fmt_value(value: object, kind: str = "auto") -> str:
    """Format a value for display.

    ``kind`` is ``"pct"`` (a decimal fraction shown in percent), ``"usd"``
    (dollars to the cent), ``"num"`` (two decimals), ``"int"`` (a whole number)
    or ``"auto"``. None and NaN show as an en dash.
    """
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "–" if math.isnan(value) else ("∞" if value > 0 else "-∞")
    if kind == "pct":
        return f"{100.0 * value:,.2f}%"
    if kind == "usd":
        cents = round_money(float(value))
        return f"-${-cents:,.2f}" if cents < 0 else f"${cents:,.2f}"
    if kind == "num":
        return f"{value:,.2f}"
    if kind == "int":
        return f"{round(value):,d}"
    if isinstance(value, int):
        return f"{value:,d}"
    return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"


_PCT_NAMES = frozenset(
    {
        "total_return",
        "cagr",
        "annual_volatility",
        "max_drawdown",
        "worst_day",
        "worst_week",
        "worst_month",
        "cvar_95",
        "cvar_99",
        "irr",
        "alpha",
        "win_rate",
        "drawdown",
    }
)  # decimal fractions, shown in percent
_USD_NAMES = frozenset(
    {"capital", "final_equity", "avg_win", "avg_loss", "credit_collected", "hedge_cost"}
)  # dollars


def column_kind(name: str) -> str:
    """Display format of a field by its name: ``"usd"``, ``"pct"`` or ``"auto"``.

    ``pnl*`` fields and known money fields are dollars; ``*_return`` and known
    rate fields are decimal fractions shown in percent.
    """
    if name.startswith("pnl") or name in _USD_NAMES:
        return "usd"
    if name.endswith("_return") or name in _PCT_NAMES:
        return "pct"
    return "auto"
