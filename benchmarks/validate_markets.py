"""Validate the modeled markets against real index histories (../shared/data).

1. SPX surface calibration: every ``--step``-th trading day 2011 .. 2025-10, the
   Cboe VIX formula (tenors 9/30/93/182 days) and the Cboe SKEW formula are
   applied to the *modeled chain* (built through `Markets.chain`) and compared
   with the real VIX9D/VIX/VIX3M/VIX6M/SKEW closes: mean absolute and maximum
   error by year, in index points.
2. VX futures: the modeled curve (from that day's VIX, VIX3M, VIX6M only)
   against the real CFE settlements 2004-2010, RMSE by days-to-expiry bucket,
   and a refit of the model constants (compare with `vixshield.markets.vix_model`).

Run: ``/work/venv/bin/python benchmarks/validate_markets.py [--step 5]``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from vixshield.data.market import DAILY_COLUMNS, MarketData
from vixshield.markets import Markets, cboe_skew, vix_index
from vixshield.markets.vix_model import forward_variance_30d

SHARED = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()


def cboe_index(name: str) -> pd.Series:
    """Close of a Cboe index history (``VIX``, ``VIX9D``, ... ``SKEW``), by date."""
    df = pd.read_csv(SHARED / "cboe_indices" / f"{name}_History.csv")
    col = "CLOSE" if "CLOSE" in df.columns else df.columns[1]
    dates = pd.to_datetime(df["DATE"], format="%m/%d/%Y")
    s = pd.Series(df[col].to_numpy(dtype=float), index=dates)
    return s[~s.index.duplicated()].sort_index()


def cfe_vx() -> pd.DataFrame:
    """Real VX settlements 2004-2010: columns date, expiry, settle (vol points).

    Quirks handled (README): mixed M/D/YYYY dates, zero rows before trading,
    prices ten times larger before 2007-03-26, a trailing comma on some rows.
    """
    from vixshield.data.calendars import vx_expiry

    codes = "FGHJKMNQUVXZ"
    rows = []
    for f in sorted((SHARED / "cfe_vx").glob("CFE_*_VX.csv")):
        code = f.name.split("_")[1]
        df = pd.read_csv(f, usecols=range(11), index_col=False)
        d = pd.to_datetime(df["Trade Date"], format="mixed")
        s = df["Settle"].astype(float).to_numpy().copy()
        s[(d < pd.Timestamp("2007-03-26")).to_numpy()] /= 10.0
        exp = vx_expiry(2000 + int(code[1:]), codes.index(code[0]) + 1)
        out = pd.DataFrame({"date": d, "expiry": exp, "settle": s})
        rows.append(out[out["settle"] > 0])
    return pd.concat(rows, ignore_index=True).sort_values(["date", "expiry"]).reset_index(drop=True)


def market_data(start: str, end: str, default_rate: float = 0.02) -> MarketData:
    """MarketData from the real files: SPX (stooq), the Cboe indices, T-bill rate.

    The rate is the 13-week T-bill where the file covers the day (2005-2014),
    else ``default_rate``. No VX settlements (``vx`` empty: the curve is modeled).
    """
    spx = pd.read_csv(SHARED / "spx" / "spx_stooq_daily.csv", parse_dates=["Date"])
    spx = spx.set_index("Date").sort_index()
    spx = spx[(spx.index >= pd.Timestamp(start)) & (spx.index <= pd.Timestamp(end))]
    idx = pd.DatetimeIndex(spx.index, name="date")
    df = pd.DataFrame(np.nan, index=idx, columns=list(DAILY_COLUMNS))
    for c, src in (("spx_open", "Open"), ("spx_high", "High"), ("spx_low", "Low")):
        df[c] = spx[src].to_numpy(dtype=float)
    df["spx_close"] = spx["Close"].to_numpy(dtype=float)
    for name in ("VIX", "VIX9D", "VIX3M", "VIX6M", "SKEW", "VVIX"):
        df[name.lower()] = cboe_index(name).reindex(idx).to_numpy()
    vo = pd.read_csv(SHARED / "cboe_indices" / "VIX_History.csv")
    vo.index = pd.to_datetime(vo["DATE"], format="%m/%d/%Y")
    df["vix_open"] = vo["OPEN"][~vo.index.duplicated()].reindex(idx).to_numpy()
    tb = pd.read_csv(SHARED / "rates" / "tbill13week_2005_2014.csv", parse_dates=["Date"])
    rate = tb.set_index("Date")["Value"].sort_index()
    df["rate"] = rate.reindex(idx).fillna(default_rate).to_numpy()
    no = pd.to_datetime([])
    return MarketData(
        daily=df,
        vx=pd.DataFrame({"date": no, "expiry": no, "settle": []}),
        events=pd.DataFrame({"date": no, "kind": [], "label": [], "value": []}),
    )


_COLS = {"VIX9D": (9, "vix9d"), "VIX": (30, "vix"), "VIX3M": (93, "vix3m"), "VIX6M": (182, "vix6m")}


def surface(step: int) -> None:
    data = market_data("2011-01-03", "2025-10-07")
    m = Markets(data)
    days = data.daily.index[data.daily["vix"].notna()][::step]
    rows = []
    t0 = time.perf_counter()
    for d in days:
        ch = m.chain(d, "SPX")
        row = data.daily.loc[d]
        rec = {"date": d}
        for name, (tenor, col) in _COLS.items():
            if np.isfinite(row[col]):
                rec[name] = vix_index(ch, tenor_days=tenor) - row[col]
        if np.isfinite(row["skew"]):
            rec["SKEW"] = cboe_skew(ch) - row["skew"]
        rows.append(rec)
    dt = time.perf_counter() - t0
    err = pd.DataFrame(rows).set_index("date")
    print(f"SPX surface: {len(days)} dates, {dt:.1f} s ({1000 * dt / len(days):.0f} ms/date)")
    print("calibration error = Cboe formula on modeled chain - real index (index points)")
    table = err.abs().groupby(err.index.year).agg(["mean", "max"])
    table.loc["all"] = err.abs().agg(["mean", "max"]).T.stack()
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(table)
    skew = data.daily.loc[days, "skew"]
    for lo, hi in ((0, 140), (140, 150), (150, 200)):
        sel = (skew >= lo) & (skew < hi)
        if sel.any():
            e = err.loc[sel[sel].index, "SKEW"].abs()
            print(
                f"SKEW in [{lo}, {hi}): n={sel.sum()}, mean abs {e.mean():.2f}, max {e.max():.2f}"
            )


def vx() -> None:
    from scipy.optimize import least_squares

    real = cfe_vx()
    data = market_data("2004-01-01", "2010-12-31")
    m = Markets(data)
    real = real[real["date"].isin(data.daily.index[data.daily["vix"].notna()])]
    out = []
    for d, g in real.groupby("date"):
        curve = m.vx_curve(d).set_index("expiry")["value"]
        model = curve.reindex(g["expiry"]).to_numpy()
        out.append(g.assign(model=model, dte=(g["expiry"] - d).dt.days))
    res = pd.concat(out).dropna(subset=["model"])
    res = res[(res["dte"] >= 1) & (res["dte"] <= 250)]
    res["err"] = res["model"] - res["settle"]
    has6 = data.daily["vix6m"].notna()
    res["model_kind"] = np.where(has6.reindex(res["date"]).to_numpy(), "term", "mean-rev")
    bucket = pd.cut(res["dte"], [0, 30, 60, 120, 250])
    rmse = res.groupby(["model_kind", bucket], observed=True)["err"].agg(
        rmse=lambda e: float(np.sqrt(np.mean(e**2))), bias="mean", n="size"
    )
    print("\nVX modeled curve vs real CFE settlements 2004-2010 (vol points)")
    with pd.option_context("display.float_format", "{:.3f}".format):
        print(rmse)
    for kind, g in res.groupby("model_kind"):
        print(f"{kind}: overall RMSE {np.sqrt(np.mean(g['err'] ** 2)):.3f} (n={len(g)})")

    # refit both models (constants in vixshield.markets.vix_model)
    vix, v3, v6 = cboe_index("VIX"), cboe_index("VIX3M"), cboe_index("VIX6M")
    r = res.assign(t=res["dte"] / 365)
    r["vix"] = vix.reindex(r["date"]).to_numpy()
    t, v, s = r["t"].to_numpy(), r["vix"].to_numpy(), r["settle"].to_numpy()
    fit = least_squares(lambda p: p[0] + (v - p[0]) * np.exp(-p[1] * t) - s, [20.0, 3.0])
    rm = np.sqrt(np.mean(fit.fun**2))
    th, ka = fit.x
    print(f"refit mean reversion (all rows): theta_lr={th:.3f} kappa={ka:.3f} RMSE={rm:.3f}")
    ts = r[r["model_kind"] == "term"].copy()
    ts["v3"] = v3.reindex(ts["date"]).to_numpy()
    ts["v6"] = v6.reindex(ts["date"]).to_numpy()
    groups = list(ts.groupby(["date"]))

    def resid(p: np.ndarray) -> np.ndarray:
        parts = []
        for _, g in groups:
            a, b, c = g["vix"].iloc[0], g["v3"].iloc[0], g["v6"].iloc[0]
            days, lv = ([30, 93, 182], [a, b, c]) if np.isfinite(b) else ([30, 182], [a, c])
            sv = 100 * np.sqrt(forward_variance_30d(g["t"].to_numpy(), days, lv))
            f = np.maximum(sv - p[0] * sv * sv / 100 * np.sqrt(g["t"].to_numpy()), sv / 2)
            parts.append(f - g["settle"].to_numpy())
        return np.concatenate(parts)

    fit2 = least_squares(resid, [0.3])
    print(
        f"refit term-structure haircut a={fit2.x[0]:.4f} RMSE={np.sqrt(np.mean(fit2.fun**2)):.3f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--step", type=int, default=5, help="use every n-th trading day")
    args = ap.parse_args()
    surface(args.step)
    vx()


if __name__ == "__main__":
    main()
