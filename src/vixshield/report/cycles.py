"""``cycles.csv``: one row per condor cycle, for a trader's trade log.

Built from `BacktestResult.cycles` (dates, contracts, credit, hedge cost, P&L,
exit reason) and the condor's opening fills in `BacktestResult.trades` (expiry,
strikes, entry credit per spread). Money is rounded to cents, the entry credit
(a quote) to the SPX tick.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vixshield.backtest.result import BacktestResult

__all__ = ["CYCLE_CSV_COLUMNS", "SPX_TICK", "cycles_table", "round_to_tick"]

SPX_TICK = 0.05  # index points: SPX minimum tick below 3.00 and for spreads (Cboe SPX specs)

CYCLE_CSV_COLUMNS: tuple[str, ...] = (
    "position_id",
    "open_date",
    "close_date",
    "expiry",
    "long_put_strike",
    "short_put_strike",
    "short_call_strike",
    "long_call_strike",
    "contracts",
    "entry_credit_pts",
    "credit_usd",
    "costs_usd",
    "hedge_cost_usd",
    "gross_pnl_usd",
    "pnl_usd",
    "exit_reason",
)
"""Columns of ``cycles.csv``: dates ISO, strikes and ``*_pts`` in index points, ``*_usd`` dollars.

``entry_credit_pts`` is the net credit per spread at the opening fills;
``credit_usd`` the premium received; ``costs_usd`` commissions and fees;
``hedge_cost_usd`` the hedge premium consumed over the cycle (attributed by the
engine pro rata to the credit of the condors live each day); ``gross_pnl_usd``
the condor's own cash flows (opening credit less closing debits and settlement),
before costs: over a run whose condors are all closed it sums to the ``condor``
component of ``summary.json`` (the run books costs in their own component);
``pnl_usd`` the cycle's P&L after its costs, before the hedge cost.
"""

_STRIKES = {
    ("P", True): "long_put_strike",
    ("P", False): "short_put_strike",
    ("C", False): "short_call_strike",
    ("C", True): "long_call_strike",
}


def round_to_tick(points: float, tick: float = SPX_TICK) -> float:
    """``points`` to the nearest multiple of ``tick`` (index points)."""
    return round(round(points / tick) * tick, 2)


def _opening_legs(trades: pd.DataFrame, position_id: str) -> dict[str, object]:
    rows = trades[
        (trades["position_id"] == position_id)
        & (trades["kind"] == "condor")
        & (trades["action"] == "open")
    ]
    if rows.empty:
        raise ValueError(f"cycle {position_id}: no opening fills in trades")
    first = rows[rows["date"] == rows["date"].iloc[0]]
    out: dict[str, object] = {"expiry": pd.Timestamp(first["expiry"].iloc[0]).normalize()}
    for r in first.to_dict("records"):
        right = "C" if str(r["right"]).upper().startswith("C") else "P"
        key = _STRIKES[(right, int(r["ratio"]) > 0)]
        if key in out:
            raise ValueError(f"cycle {position_id}: two {key.replace('_', ' ')}s")
        out[key] = float(r["strike"])
    ratio = first["ratio"].astype("float64").to_numpy()
    fill = first["fill"].astype("float64").to_numpy()
    out["entry_credit_pts"] = round_to_tick(float(-(ratio * fill).sum()))
    return out


def cycles_table(result: BacktestResult) -> pd.DataFrame:
    """The run's closed condor cycles as `CYCLE_CSV_COLUMNS`, in the order they closed.

    Raises
    ------
    ValueError
        A cycle whose opening fills are missing from ``result.trades`` (the
        result is inconsistent).
    """
    cycles = result.cycles
    rows: list[dict[str, object]] = []
    for c in cycles.to_dict("records"):
        pid = str(c["position_id"])
        row: dict[str, object] = {
            "position_id": pid,
            "open_date": pd.Timestamp(c["opened"]).normalize(),
            "close_date": pd.Timestamp(c["closed"]).normalize(),
            "contracts": int(c["contracts"]),
        }
        row.update(_opening_legs(result.trades, pid))
        for src, dst in (
            ("credit", "credit_usd"),
            ("costs", "costs_usd"),
            ("hedge_cost", "hedge_cost_usd"),
            ("pnl", "pnl_usd"),
        ):
            row[dst] = round(float(c[src]), 2) + 0.0  # + 0.0: no "-0.0" in the file
        row["gross_pnl_usd"] = round(float(c["pnl"]) + float(c["costs"]), 2) + 0.0
        row["exit_reason"] = str(c["exit_reason"])
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(CYCLE_CSV_COLUMNS))
    for col in ("long_put_strike", "short_put_strike", "short_call_strike", "long_call_strike"):
        frame[col] = frame[col].astype(np.float64)
    return frame
