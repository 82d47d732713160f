"""The run summary: a deterministic, JSON-serialisable digest of a `BacktestResult`.

Schema (``summary_dict``), version ``SUMMARY_SCHEMA``; money in dollars, rates and
returns decimal, floats rounded to `SIGNIFICANT_DIGITS` significant digits, NaN and
infinities as ``null``:

``schema``, ``policy`` (name), ``start``, ``end`` (ISO dates), ``capital``,
``final_equity``, ``trades`` (number of executed leg rows, settlements included),
``positions_opened`` (by kind), every metric of `vixshield.backtest.metrics.compute_metrics`
(``total_return``, ``cagr``, ``annual_volatility``, ``sharpe``, ``sortino``,
``max_drawdown``, ``max_drawdown_duration_days``, ``calmar``, ``worst_day``,
``worst_week``, ``worst_month``, ``cvar_95``, ``cvar_99``, ``irr``, ``alpha``, ``beta``,
``cycles``, ``win_rate``, ``avg_win``, ``avg_loss``, ``profit_factor``,
``credit_collected``, ``hedge_cost``, ``hedge_premium_paid``, ``credit_to_hedge_ratio``,
``credit_to_hedge_premium_ratio``,
``credit_to_hedge_per_cycle_median``, ``pnl_by_component`` (component -> dollars),
``min_quick_ratio``, ``margin_call_days``, ``stress_windows``, ``event_study``),
``provenance`` (series -> ``{"origin", "provider"}``), ``warnings`` (list of str) and
``settings`` (`BacktestResult.settings`: capital, costs, interest day count, hedge
budget basis, margin rule, shock scenario).
No run timestamps: the same inputs give a byte-identical ``summary_json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vixshield._json import FLOAT_DIGITS, dumps_stable, to_jsonable

if TYPE_CHECKING:
    from vixshield.backtest.result import BacktestResult

__all__ = ["SIGNIFICANT_DIGITS", "SUMMARY_SCHEMA", "summary_dict", "summary_json"]

SUMMARY_SCHEMA = "vixshield.backtest.summary/1"
SIGNIFICANT_DIGITS = FLOAT_DIGITS


def summary_dict(result: BacktestResult) -> dict[str, object]:
    """The summary of a run (schema in the module docstring)."""
    trades = result.trades
    opened: dict[str, int] = {}
    if len(trades):
        opens = trades[trades["action"] == "open"].drop_duplicates("position_id")
        opened = {str(k): int(v) for k, v in opens["kind"].value_counts().sort_index().items()}
    out: dict[str, object] = {
        "schema": SUMMARY_SCHEMA,
        "policy": result.policy_name,
        "start": result.start,
        "end": result.end,
        "capital": result.capital,
        "final_equity": float(result.daily["equity"].iloc[-1]),
        "trades": len(trades),
        "positions_opened": opened,
        **dict(result.metrics),
        "provenance": {
            k: {"origin": p.origin, "provider": p.provider}
            for k, p in sorted(result.provenance.items())
        },
        "warnings": list(result.warnings),
        "settings": dict(result.settings),
    }
    cleaned = to_jsonable(out)
    assert isinstance(cleaned, dict)
    return cleaned


def summary_json(result: BacktestResult) -> str:
    """``summary_dict`` as canonical JSON (sorted keys, two-space indent, trailing newline)."""
    return dumps_stable(summary_dict(result))
