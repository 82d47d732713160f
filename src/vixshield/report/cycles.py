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


def _leg_rows(trades: pd.DataFrame) -> dict[str, list[int]]:
    """Position id -> row numbers of its condor's opening fills on the first opening date.

    One pass over the trades (in their order), instead of one filter per cycle.
    """
    if trades.empty:
        return {}
    opens = np.flatnonzero(
        (trades["kind"] == "condor").to_numpy() & (trades["action"] == "open").to_numpy()
    )
    pids = trades["position_id"].to_numpy()[opens]
    dates = trades["date"].to_numpy()[opens]
    first: dict[str, object] = {}
    rows: dict[str, list[int]] = {}
    for i, pid, day in zip(opens.tolist(), pids, dates, strict=True):
        key = str(pid)
        if key not in first:
            first[key] = day
            rows[key] = [i]
        elif day == first[key]:
            rows[key].append(i)
    return rows


class _Fills:
    """The trades' columns `_opening_legs` reads, extracted once (row numbers index them)."""

    def __init__(self, trades: pd.DataFrame) -> None:
        self.expiry = trades["expiry"].tolist()
        self.right = trades["right"].tolist()
        self.ratio = trades["ratio"].tolist()
        self.strike = trades["strike"].tolist()
        self.ratio_f = trades["ratio"].astype("float64").to_numpy()
        self.fill_f = trades["fill"].astype("float64").to_numpy()


def _opening_legs(fills: _Fills, rows: list[int], position_id: str) -> dict[str, object]:
    out: dict[str, object] = {"expiry": pd.Timestamp(fills.expiry[rows[0]]).normalize()}
    for i in rows:
        right = "C" if str(fills.right[i]).upper().startswith("C") else "P"
        key = _STRIKES[(right, int(fills.ratio[i]) > 0)]
        if key in out:
            raise ValueError(f"cycle {position_id}: two {key.replace('_', ' ')}s")
        out[key] = float(fills.strike[i])
    ratio = fills.ratio_f[rows]
    fill = fills.fill_f[rows]
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
    legs = _leg_rows(result.trades) if len(cycles) else {}
    fills = _Fills(result.trades) if legs else None
    rows: list[dict[str, object]] = []
    for c in cycles.to_dict("records"):
        pid = str(c["position_id"])
        row: dict[str, object] = {
            "position_id": pid,
            "open_date": pd.Timestamp(c["opened"]).normalize(),
            "close_date": pd.Timestamp(c["closed"]).normalize(),
            "contracts": int(c["contracts"]),
        }
        if fills is None or pid not in legs:
            raise ValueError(f"cycle {pid}: no opening fills in trades")
        row.update(_opening_legs(fills, legs[pid], pid))
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
