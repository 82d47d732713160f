"""The VIX-family calibration check: Cboe formulas on the chains against the real indices.

On each date, the Cboe VIX formula (tenors 9, 30, 93 and 182 days) and the
Cboe SKEW formula are applied to the chain `MarketView.chain` returns and
compared with the real VIX9D, VIX, VIX3M, VIX6M and SKEW closes of the data
(the same check as ``benchmarks/validate_markets.py``).

References
----------
Cboe (2019). The Cboe Volatility Index - VIX. White paper.
Cboe (2010). The CBOE SKEW Index - SKEW. White paper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from vixshield.markets import cboe_skew, vix_index
from vixshield.markets.types import MarketView

__all__ = ["CALIBRATION_INDICES", "SUMMARY_COLUMNS", "calibration_errors", "calibration_summary"]

CALIBRATION_INDICES: Mapping[str, tuple[int, str]] = {
    "VIX9D": (9, "vix9d"),
    "VIX": (30, "vix"),
    "VIX3M": (93, "vix3m"),
    "VIX6M": (182, "vix6m"),
    "SKEW": (30, "skew"),
}
"""Index -> (tenor in calendar days, column of `MarketData.daily`); SKEW uses the SKEW formula."""

SUMMARY_COLUMNS: tuple[str, ...] = ("index", "n", "mean_abs", "bias", "max_abs")


def calibration_errors(market: MarketView, dates: Sequence[pd.Timestamp]) -> pd.DataFrame:
    """Formula on the date's chain minus the real close, index points, one row per date.

    Columns are the keys of `CALIBRATION_INDICES`; NaN where the real index
    has no close that day (the formula is not evaluated there). Dates without
    a VIX close (or not in the data) are skipped.
    """
    daily = market.data.daily
    n = len(daily)
    cols = {
        c: daily[c].to_numpy(dtype=np.float64) if c in daily.columns else np.full(n, np.nan)
        for _, c in CALIBRATION_INDICES.values()
    }
    where = daily.index.get_indexer(pd.DatetimeIndex(list(dates)))
    rows: list[dict[str, float]] = []
    index: list[pd.Timestamp] = []
    for d, i in zip(dates, where, strict=True):
        if i < 0 or not np.isfinite(cols["vix"][i]):
            continue
        chain = market.chain(d, "SPX")
        rec: dict[str, float] = {}
        for name, (tenor, col) in CALIBRATION_INDICES.items():
            real = float(cols[col][i])
            if not np.isfinite(real):
                rec[name] = float("nan")
            elif name == "SKEW":
                rec[name] = cboe_skew(chain, tenor_days=tenor) - real
            else:
                rec[name] = vix_index(chain, tenor_days=tenor) - real
        rows.append(rec)
        index.append(pd.Timestamp(d))
    return pd.DataFrame(
        rows, index=pd.DatetimeIndex(index, name="date"), columns=list(CALIBRATION_INDICES)
    )


def calibration_summary(errors: pd.DataFrame) -> pd.DataFrame:
    """Per index: dates compared, mean absolute error, mean error (bias), maximum |error|.

    Columns `SUMMARY_COLUMNS`; errors in index points (formula minus real).
    """
    rows = []
    for name in errors.columns:
        e = errors[name].dropna().to_numpy(dtype=np.float64)
        n = int(e.size)
        rows.append(
            (
                str(name),
                n,
                float(np.abs(e).mean()) if n else float("nan"),
                float(e.mean()) if n else float("nan"),
                float(np.abs(e).max()) if n else float("nan"),
            )
        )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
