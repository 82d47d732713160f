"""`stress_windows` (vixshield.backtest.metrics) gives pandas' own window sums, to the bit.

Reference: pandas label slicing (``daily.loc[start:end]``) and ``Series.sum`` /
``DataFrame.sum`` on a run-shaped frame with missing values and several hedge layers:
the summary's stress rows must not move by a rounding when the computation is rewritten.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vixshield.backtest.metrics import stress_windows

WINDOWS = {
    "inside": ("2020-02-19", "2020-03-23"),
    "before the run": ("2019-06-01", "2020-01-10"),  # partial: starts before the first day
    "after the run": ("2020-11-20", "2021-03-01"),  # partial: ends after the last day
    "a weekend": ("2020-03-07", "2020-03-08"),  # no trading day: left out
    "outside": ("2018-01-01", "2018-12-31"),  # no overlap: left out
    "one day": ("2020-06-01", "2020-06-01"),
}


def _daily() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    days = pd.bdate_range("2020-01-02", "2020-12-31", name="date")
    n = len(days)
    frame = pd.DataFrame(
        {
            "pnl": rng.normal(0.0, 1234.567, n),
            "pnl_condor": rng.normal(10.0, 987.65, n),
            "pnl_hedge:a": rng.normal(-3.0, 321.0, n),
            "pnl_hedge:b": rng.normal(-1.0, 77.7, n),
            "pnl_hedge:c": rng.normal(0.0, 1e-3, n),
            "spx": 3200.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n))),
            "vix": rng.uniform(12.0, 80.0, n),
        },
        index=days,
    )
    frame.iloc[::17, 0] = np.nan  # missing values count as zero
    frame.iloc[5:9, 2] = np.nan
    frame.iloc[40:45, 6] = np.nan
    return frame


def _pandas(daily: pd.DataFrame) -> dict[str, dict[str, object]]:
    first, last = daily.index[0], daily.index[-1]
    hedges = [c for c in daily.columns if c.startswith("pnl_hedge")]
    out: dict[str, dict[str, object]] = {}
    for name, (a, b) in WINDOWS.items():
        lo, hi = pd.Timestamp(a), pd.Timestamp(b)
        w = daily.loc[lo:hi]
        if len(w) == 0:
            continue
        before = daily["spx"].loc[: lo - pd.Timedelta(days=1)]
        base = float(before.iloc[-1]) if len(before) else float(w["spx"].iloc[0])
        out[name] = {
            "start": a,
            "end": b,
            "days": len(w),
            "partial": bool(lo < first or hi > last),
            "pnl": float(w["pnl"].sum()),
            "pnl_condor": float(w["pnl_condor"].sum()),
            "pnl_hedge": float(w[hedges].sum().sum()),
            "spx_return": float(daily["spx"].loc[:hi].iloc[-1] / base - 1.0),
            "vix_max": float(w["vix"].max()),
            **{c: float(w[c].sum()) for c in hedges},
        }
    return out


def test_window_sums_are_pandas_sums_to_the_bit() -> None:
    daily = _daily()
    got = stress_windows(daily, WINDOWS)
    expected = _pandas(daily)
    assert list(got) == ["inside", "before the run", "after the run", "one day"]
    assert {k: repr(v) for k, v in got.items()} == {k: repr(v) for k, v in expected.items()}


def test_a_run_without_hedge_layers_has_no_hedge_pnl() -> None:
    daily = _daily().drop(columns=["pnl_hedge:a", "pnl_hedge:b", "pnl_hedge:c"])
    got = stress_windows(daily, WINDOWS)
    assert got["inside"]["pnl_hedge"] == 0.0
    assert got["inside"]["pnl"] == float(daily.loc["2020-02-19":"2020-03-23", "pnl"].sum())
