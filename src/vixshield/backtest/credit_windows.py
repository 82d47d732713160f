"""The credit-to-hedge ratio over windows of condor cycles, measured from a run's trades.

The strategy bounds the hedge premium it pays by the condor credit of the last
``hedge.credit_to_hedge_window`` cycles over ``hedge.credit_to_hedge_min`` (3:1 in the
presets; the cap itself is `vixshield.strategy.state.credit_budget`). This module
measures the outcome after the fact, from the trades table alone (`TRADE_COLUMNS`), so a
test or a benchmark can check the cap held without reading the strategy's own books.

Credit is the opening condor legs' cash flows less commission and fees; premium paid is
minus the hedge opening legs' cash flows plus commission and fees; USD.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray

__all__ = ["credit_and_premium", "window_ratios"]


def credit_and_premium(trades: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Net condor credit per entry day and hedge premium paid per day, USD, from the trades.

    Parameters
    ----------
    trades : DataFrame
        A run's trades (`vixshield.backtest.frame.TRADE_COLUMNS`; ``date``, ``kind``,
        ``action``, ``cash_flow``, ``commission`` and ``fees`` are read).

    Returns
    -------
    credit : Series of float
        Net credit of the condor openings, USD, per entry day, sorted by date.
    paid : Series of float
        Hedge premium paid (opening hedge legs, costs included), USD, per day, sorted.
    """
    op = trades[trades["action"] == "open"]
    net = op["cash_flow"] - op["commission"] - op["fees"]
    condor = op["kind"] == "condor"
    hedge = op["kind"].str.startswith("hedge")
    credit = net[condor].groupby(op.loc[condor, "date"]).sum()
    paid = (-net[hedge]).groupby(op.loc[hedge, "date"]).sum()
    return credit.sort_index(), paid.sort_index()


def window_ratios(credit: pd.Series, paid: pd.Series, n: int) -> FloatArray:
    """Credit over premium paid for every window of ``n`` consecutive cycles.

    Parameters
    ----------
    credit : Series of float
        Credit per cycle, USD, indexed by entry date, sorted (`credit_and_premium`).
    paid : Series of float
        Premium paid per day, USD, indexed by date.
    n : int
        Cycles per window (``hedge.credit_to_hedge_window``).

    Returns
    -------
    ndarray
        One ratio per window of cycles ``i .. i+n-1``, whose days are ``[entry of i,
        entry of i+n)`` (the last window runs to the end); inf where nothing was paid.
        Empty with fewer than ``n`` cycles.
    """
    days = list(credit.index)
    out = []
    for i in range(len(days) - n + 1):
        hi = days[i + n] if i + n < len(days) else pd.Timestamp.max
        p = float(paid[(paid.index >= days[i]) & (paid.index < hi)].sum())
        c = float(credit.iloc[i : i + n].sum())
        out.append(c / p if p > 0 else math.inf)
    return np.array(out, dtype=np.float64)
