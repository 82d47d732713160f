"""Calendar-period returns of a run: monthly (years by months) and yearly.

A period's return is its last equity over the last equity before it, minus one
(decimal); the first period of the run is measured from the starting capital.
A period the run covers only in part (the first and last) is the return over
the days it covers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MONTH_LABELS", "monthly_returns", "yearly_returns"]

MONTH_LABELS: tuple[str, ...] = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def _period_returns(equity: pd.Series, capital: float, freq: str) -> pd.Series:
    if capital <= 0:
        raise ValueError(f"capital must be positive, got {capital}")
    if not isinstance(equity.index, pd.DatetimeIndex):
        raise TypeError("equity must be indexed by date")
    last = equity.astype("float64").groupby(equity.index.to_period(freq)).last()
    prev = last.shift(1)
    if len(prev):
        prev.iloc[0] = capital
    return last / prev - 1.0


def monthly_returns(equity: pd.Series, capital: float) -> pd.DataFrame:
    """Monthly returns as a table: one row per year, columns `MONTH_LABELS` (decimal).

    Parameters
    ----------
    equity : Series
        End-of-day equity in dollars, indexed by trading day (`BacktestResult.daily`).
    capital : float
        Starting equity in dollars (the base of the first month).

    Returns
    -------
    DataFrame
        Index ``year`` (int); months outside the run are NaN.
    """
    r = _period_returns(equity, capital, "M")
    periods = pd.PeriodIndex(r.index)
    years = sorted(set(periods.year.tolist()))
    cells = np.full((len(years), len(MONTH_LABELS)), np.nan)
    row = np.searchsorted(np.asarray(years, dtype=np.int64), periods.year.to_numpy())
    cells[row, periods.month.to_numpy() - 1] = r.to_numpy(dtype=np.float64)
    return pd.DataFrame(cells, index=pd.Index(years, name="year"), columns=list(MONTH_LABELS))


def yearly_returns(equity: pd.Series, capital: float) -> pd.Series:
    """Calendar-year returns (decimal), indexed by ``year`` (int); see `monthly_returns`."""
    r = _period_returns(equity, capital, "Y")
    return pd.Series(
        r.to_numpy(dtype="float64"),
        index=pd.Index([p.year for p in r.index], name="year"),
        name="return",
    )
