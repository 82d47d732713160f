"""Building the run's result tables: the daily frame, trades and cycles, provenance.

Pure table work on what the loop collected (no market access, no mutation of the run).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray, Origin
from vixshield.data.market import Provenance
from vixshield.markets.inputs import STAND_INS, VVIX_FLOOR

__all__ = [
    "CYCLE_COLUMNS",
    "DAILY_ROW_COLUMNS",
    "TRADE_COLUMNS",
    "cycles_frame",
    "daily_frame",
    "options_provenance",
]

DAILY_ROW_COLUMNS = (
    "equity",
    "cash",
    "positions_value",
    "margin",
    "regime",
    "margin_call",
    "shock_demand",
    "credit",
    "hedge_premium",
    "n_positions",
)
"""Columns the loop collects per day, in frame order (before ``pnl`` is inserted)."""

TRADE_COLUMNS = [
    "date",
    "position_id",
    "kind",
    "action",
    "contracts",
    "root",
    "expiry",
    "strike",
    "right",
    "ratio",
    "mid",
    "fill",
    "cash_flow",
    "commission",
    "fees",
    "origin",
    "reason",
]
CYCLE_COLUMNS = [
    "position_id",
    "opened",
    "closed",
    "contracts",
    "credit",
    "hedge_cost",
    "costs",
    "pnl",
    "credit_to_hedge",
    "exit_reason",
]

_ROLLING_DAYS = 252  # trading days in the trailing credit-to-hedge window


def daily_frame(
    days: pd.DatetimeIndex,
    rows: Mapping[str, list[object]],
    comps: list[dict[str, float]],
    components: set[str],
    capital: float,
    spx: FloatArray,
    vix: FloatArray,
    rate: FloatArray,
) -> pd.DataFrame:
    """The daily frame: account rows, P&L by component, drawdown, market levels.

    Parameters
    ----------
    days : DatetimeIndex
        Simulated days.
    rows : mapping
        `DAILY_ROW_COLUMNS` -> one value per day.
    comps : list of dict
        Each day's P&L by component, dollars.
    components : set of str
        Every component name booked during the run.
    capital : float
        Starting equity, dollars.
    spx, vix, rate : ndarray
        Closes and T-bill rate per day.
    """
    frame = pd.DataFrame(dict(rows), index=pd.DatetimeIndex(days, name="date"))
    equity = frame["equity"].to_numpy(dtype=np.float64)
    prev = np.concatenate(([capital], equity[:-1]))
    frame.insert(4, "pnl", equity - prev)
    names = ["pnl_condor", *sorted(components - {"pnl_condor"})]
    for extra in ("pnl_interest", "pnl_costs"):
        if extra not in names:
            names.append(extra)
    fixed = {"pnl_condor", "pnl_interest", "pnl_costs"}
    hedges = sorted(c for c in names if c.startswith("pnl_hedge"))
    others = sorted(c for c in names if c not in fixed and not c.startswith("pnl_hedge"))
    names = ["pnl_condor", *hedges, *others, "pnl_interest", "pnl_costs"]
    for c in names:
        frame[c] = np.array([d.get(c, 0.0) for d in comps], dtype=np.float64)
    peak = np.maximum.accumulate(np.concatenate(([capital], equity)))[1:]
    frame["drawdown"] = equity / peak - 1.0
    frame["spx"] = spx
    frame["vix"] = vix
    frame["rate"] = rate
    credit = frame["credit"].rolling(_ROLLING_DAYS, min_periods=1).sum()
    hedge_pnl = frame[[c for c in names if c.startswith("pnl_hedge")]].sum(axis=1)
    hedge = -hedge_pnl.rolling(_ROLLING_DAYS, min_periods=1).sum()
    frame["credit_to_hedge"] = (credit / hedge).where(hedge > 0)
    frame["regime"] = frame["regime"].astype(object)
    frame["margin_call"] = frame["margin_call"].astype(bool)
    return frame


def cycles_frame(cycles: list[dict[str, object]]) -> pd.DataFrame:
    """Condor cycles with their credit-to-hedge ratio (inf where no hedge cost)."""
    frame = pd.DataFrame(cycles, columns=CYCLE_COLUMNS)
    cost = frame["hedge_cost"].astype("float64")
    frame["credit_to_hedge"] = (frame["credit"].astype("float64") / cost).where(cost > 0, np.inf)
    return frame


def stand_in_note(col: str, days: pd.DatetimeIndex) -> str:
    """How many simulated days ``col`` was stood in for, their span and the stand-in."""
    if col == "vx":
        what = "a real VX futures settlement"
    else:
        what = f"a {col} close" + (f" above {VVIX_FLOOR:g}" if col == "vvix" else "")
    return (
        f"{len(days)} simulated day(s) without {what} ({days[0]:%Y-%m-%d} .. "
        f"{days[-1]:%Y-%m-%d}): {STAND_INS[col]}"
    )


def options_provenance(
    base: Mapping[str, Provenance],
    origins: Mapping[str, set[str]],
    stand_ins: Mapping[str, pd.DatetimeIndex] | None = None,
) -> dict[str, Provenance]:
    """The data's provenance plus one entry per option underlying quoted, and a modeled
    ``<input>:modeled_fill`` entry for each input of the data's (one ``base`` has) that
    the run stood in for on some of its days (``stand_ins``,
    `vixshield.markets.inputs.stand_in_rows`)."""
    prov = dict(base)
    for col, days in (stand_ins or {}).items():
        if col not in base or not len(days):
            continue
        key = f"{col}:modeled_fill"
        prov[key] = Provenance(
            series=key,
            provider="model",
            source="vixshield.markets.inputs",
            fetched_at="",
            origin="modeled",
            note=stand_in_note(col, days),
        )
    for und, seen in sorted(origins.items()):
        origin: Origin = "modeled" if "modeled" in seen else "real"
        prov[f"options:{und}"] = Provenance(
            series=f"options:{und}",
            provider="model" if origin == "modeled" else "market",
            source="vixshield.markets",
            fetched_at="",
            origin=origin,
            note="option quotes used for fills and marks",
        )
    return prov
