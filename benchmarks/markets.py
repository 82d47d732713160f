"""Speed of the markets layer, as ratios against a plain-numpy baseline in the same run.

Figures: a full modeled SPX chain for one date (cold = with the date's
calibration, warm = calibration cached), one expiry warm, a year of dates, and
the backtest's fast path `Markets.quote` (10 options a day over 5 years).
Baseline: the plain-numpy reference BSM price + greeks
(`vixshield.pricing.reference`) of the same number of options as the full chain.
Target (issue): the full chain, cold and warm, under 5 ms.

Run: ``/work/venv/bin/python benchmarks/markets.py``
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from validate_markets import market_data
from vixshield.markets import Markets
from vixshield.markets.listing import listed_expiries
from vixshield.markets.spx_model import calibrate_spx
from vixshield.pricing.reference import bsm_greeks_ref, bsm_price_ref

TENOR_COLUMNS = {9: "vix9d", 30: "vix", 93: "vix3m", 182: "vix6m"}


def _best(fn: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    data = market_data("2013-01-02", "2018-12-31")
    days = data.daily.index[data.daily.index >= pd.Timestamp("2014-01-02")]
    day = days[len(days) // 2]
    listed_expiries(days[0], "SPX")  # load the exchange calendar once

    m = Markets(data)
    rows = len(m.chain(day, "SPX").quotes)
    k = np.linspace(0.5, 1.5, rows) * float(data.daily.loc[day, "spx_close"])
    t = np.full(rows, 0.1)

    def baseline() -> None:
        bsm_price_ref(2000.0, k, t, 0.01, 0.018, 0.2, True)
        bsm_greeks_ref(2000.0, k, t, 0.01, 0.018, 0.2, True)

    base = _best(baseline)

    def cold() -> None:
        Markets(data).chain(day, "SPX")

    cold_t = _best(cold, 3)
    warm_t = _best(lambda: m.chain(day, "SPX"))
    exp45 = min(listed_expiries(day, "SPX"), key=lambda e: abs(e.t_years - 45 / 365)).date
    one_t = _best(lambda: m.chain(day, "SPX", exp45))

    year = days[:252]

    def year_one_expiry() -> None:
        mm = Markets(data)
        for d in year:
            e = min(listed_expiries(d, "SPX"), key=lambda x: abs(x.t_years - 45 / 365)).date
            mm.chain(d, "SPX", e)

    t0 = time.perf_counter()
    year_one_expiry()
    year_one = time.perf_counter() - t0
    t0 = time.perf_counter()
    mm = Markets(data)
    for d in year:
        mm.chain(d, "SPX")
    year_full = time.perf_counter() - t0

    five = days[:1250]
    strikes = np.array([0.9, 0.92, 1.05, 1.07, 0.95, 0.97, 1.0, 1.02, 1.03, 0.99])

    def quotes(mk: Markets) -> None:
        for d in five:
            s = float(data.daily.loc[d, "spx_close"])
            e = min(listed_expiries(d, "SPX"), key=lambda x: abs(x.t_years - 45 / 365)).date
            mk.quote(d, "SPX", [e] * 10, np.round(s * strikes / 5) * 5, ["P", "C"] * 5)

    mq = Markets(data)
    t0 = time.perf_counter()
    quotes(mq)
    q_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    quotes(mq)
    q_warm = time.perf_counter() - t0

    # Daily SSVI calibration: compiled kernel (default) against the numpy reference, same
    # dates and inputs, alternated so machine-speed drift hits both alike.
    cal_days = days[:120]
    inputs = []
    for d in cal_days:
        r = data.daily.loc[d]
        targets = {t: float(r[c]) for t, c in TENOR_COLUMNS.items() if np.isfinite(r[c])}
        et = np.array([e.t_years for e in listed_expiries(d, "SPX")])
        inputs.append((float(r["spx_close"]), float(r["skew"]), targets, et))

    def calibrate(engine: str) -> float:
        t0 = time.perf_counter()
        for spot, skew, targets, et in inputs:
            calibrate_spx(spot, 0.01, targets, skew, et, engine=engine)  # type: ignore[arg-type]
        return time.perf_counter() - t0

    calibrate("numba")  # compile / load the kernel cache first
    cal = {"numpy": float("inf"), "numba": float("inf")}
    for _ in range(3):
        for engine in ("numpy", "numba"):
            cal[engine] = min(cal[engine], calibrate(engine))

    print(f"date {day.date()}, full chain {rows} rows")
    print(f"baseline numpy reference price+greeks, {rows} options: {1e3 * base:8.2f} ms (= 1.0)")
    for name, v in (
        ("full chain, cold (calibration included)", cold_t),
        ("full chain, warm (calibration cached)", warm_t),
        ("one ~45-DTE expiry, warm", one_t),
    ):
        print(f"{name:48s}: {1e3 * v:8.2f} ms  ({v / base:6.1f} x baseline)")
    print(f"{'year (252 d): calibration + one expiry each':48s}: {year_one:8.2f} s")
    print(f"{'year (252 d): calibration + full chain each':48s}: {year_full:8.2f} s")
    print(f"{'quote(): 10 options x 1250 days, cold':48s}: {q_cold:8.2f} s")
    print(f"{'quote(): 10 options x 1250 days, warm':48s}: {q_warm:8.2f} s")
    per = {k: 1e3 * v / len(inputs) for k, v in cal.items()}
    print(f"{'calibration per date, numpy reference':48s}: {per['numpy']:8.2f} ms  (= 1.0)")
    print(
        f"{'calibration per date, numba kernel':48s}: {per['numba']:8.2f} ms  "
        f"({cal['numpy'] / cal['numba']:6.1f} x faster)"
    )


if __name__ == "__main__":
    main()
