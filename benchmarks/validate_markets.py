"""Validate the modeled markets against real index histories (../shared/data).

1. SPX surface calibration: every ``--step``-th trading day 2011 .. 2025-10, the
   Cboe VIX formula (tenors 9/30/93/182 days) and the Cboe SKEW formula are
   applied to the *modeled chain* (built through `Markets.chain`) and compared
   with the real VIX9D/VIX/VIX3M/VIX6M/SKEW closes: mean absolute and maximum
   error by year, in index points.
2. VX futures: each modeled curve against the real CFE settlements 2004-2010
   (contracts with 1-250 days to expiry): level RMSE and bias by days-to-expiry
   bucket (0-30, 30-60, 60-120, 120-250) and, next to the real one, the
   regression beta of daily changes of a contract's future on daily VIX changes.
   Models: ``mr`` (two-factor, VIX and its causal anchor only; all rows),
   ``mr-1f`` (the former one-factor ``24.53 + (VIX - 24.53) e^{-1.442 T}``, for
   comparison) and ``ts`` (VIX/VIX3M/VIX6M; rows where VIX6M is known,
   2008-2010). Then a refit of the constants (compare with
   `vixshield.markets.vix_model`).
3. Cboe strategy indices: PUT, BXM, PPUT and CLL replicated by their published
   rules on the modeled chains along the real SPX path, month by month from
   2007 (`vixshield.validation.validate`, what ``vixshield validate`` prints),
   against the real index histories of ``../shared/reference/cboe_strategy``;
   the shared files (and the Yahoo ^GSPC file of ``../shared/reference/spx``,
   SPX to 2026-09) are imported into a temporary store first.

Run: ``.venv/bin/python benchmarks/validate_markets.py [--step 5] [--only strategies]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from vixshield.data.market import DAILY_COLUMNS, MarketData
from vixshield.markets import Markets
from vixshield.validation import calibration_errors

SHARED = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()
REFERENCE = SHARED.parent / "reference"


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


def surface(step: int) -> None:
    data = market_data("2011-01-03", "2025-10-07")
    m = Markets(data)
    days = data.daily.index[data.daily["vix"].notna()][::step]
    t0 = time.perf_counter()
    err = calibration_errors(m, list(days))  # Cboe formulas on the modeled chain - real closes
    dt = time.perf_counter() - t0
    print(f"SPX surface: {len(days)} dates, {dt:.1f} s ({1000 * dt / len(days):.0f} ms/date)")
    print("calibration error = Cboe formula on modeled chain - real index (index points)")
    table = err.abs().groupby(pd.DatetimeIndex(err.index).year).agg(["mean", "max"])
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


_BUCKETS = [0, 30, 60, 120, 250]


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of ``y`` on ``x`` (with intercept)."""
    xc = x - x.mean()
    return float(xc @ (y - y.mean()) / (xc @ xc))


def vx_rows() -> pd.DataFrame:
    """Real settlements with 1-250 days to go, the day's indices and the previous day's row.

    Columns: date, expiry, dte, t (years), settle, vix, anchor (`vx_anchor` of the
    VIX closes from 2004, causal), v3, v6, and ``prev`` (row number of the same
    contract on the previous trading day, -1 where none).
    """
    from vixshield.markets.vix_model import vx_anchor

    data = market_data("2004-01-01", "2010-12-31")
    daily = data.daily[data.daily["vix"].notna()]
    pos = pd.Series(np.arange(len(daily)), index=daily.index)
    anchor = pd.Series(vx_anchor(daily["vix"].to_numpy()), index=daily.index)
    real = cfe_vx()
    real = real[real["date"].isin(daily.index)].copy()
    real["dte"] = (real["expiry"] - real["date"]).dt.days
    real = real[(real["dte"] >= 1) & (real["dte"] <= 250)]
    real = real.sort_values(["expiry", "date"]).reset_index(drop=True)
    real["t"] = real["dte"] / 365.0
    for col, src in (("vix", "vix"), ("v3", "vix3m"), ("v6", "vix6m")):
        real[col] = daily[src].reindex(real["date"]).to_numpy()
    real["anchor"] = anchor.reindex(real["date"]).to_numpy()
    p = pos.reindex(real["date"]).to_numpy()
    same = (real["expiry"].to_numpy() == real["expiry"].shift(1).to_numpy()) & (
        p - np.roll(p, 1) == 1
    )
    same[0] = False
    real["prev"] = np.where(same, np.arange(len(real)) - 1, -1)
    return real


def ts_model(r: pd.DataFrame, a: float) -> np.ndarray:
    """The ``"ts"`` model on rows with VIX6M known (NaN elsewhere), vol points."""
    from vixshield.markets.vix_model import vx_term_structure

    out = np.full(len(r), np.nan)
    for _, g in r.groupby("date"):
        v, v3, v6 = (float(g[c].iloc[0]) for c in ("vix", "v3", "v6"))
        if not np.isfinite(v6):
            continue
        days, lv = ([30, 93, 182], [v, v3, v6]) if np.isfinite(v3) else ([30, 182], [v, v6])
        out[g.index.to_numpy()] = vx_term_structure(g["t"].to_numpy(), days, lv, a)
    return out


def vx_report(r: pd.DataFrame, models: dict[str, np.ndarray]) -> None:
    """Level RMSE/bias and change betas (model vs real) by days-to-expiry bucket."""
    bucket = pd.cut(r["dte"], _BUCKETS).astype(str).to_numpy()
    prev = r["prev"].to_numpy()
    has = prev >= 0
    s, v = r["settle"].to_numpy(), r["vix"].to_numpy()
    rows = []
    for name, f in models.items():
        ok = np.isfinite(f)
        chg = has & ok & np.isfinite(np.where(has, f[np.maximum(prev, 0)], np.nan))
        ds = s - s[np.maximum(prev, 0)]
        dv = v - v[np.maximum(prev, 0)]
        df = f - f[np.maximum(prev, 0)]
        for b in [*sorted(set(bucket), key=lambda x: float(x[1:].split(",")[0])), "all"]:
            inb = np.ones(len(r), bool) if b == "all" else bucket == b
            e = (f - s)[inb & ok]
            c = inb & chg
            rows.append(
                {
                    "model": name,
                    "dte": b,
                    "n": e.size,
                    "rmse": float(np.sqrt(np.mean(e**2))),
                    "bias": float(np.mean(e)),
                    "n_chg": int(c.sum()),
                    "beta_model": _slope(dv[c], df[c]),
                    "beta_real": _slope(dv[c], ds[c]),
                }
            )
    print("\nVX modeled curve vs real CFE settlements 2004-2010 (vol points; error = model - real)")
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(pd.DataFrame(rows).set_index(["model", "dte"]))


def vx() -> None:
    from scipy.optimize import least_squares

    from vixshield.markets.vix_model import (
        MR_PARAMS,
        TS_PARAMS,
        MeanReversionParams,
        vx_anchor,
        vx_mean_reversion,
    )

    r = vx_rows()
    t, v, s, lv = (r[c].to_numpy() for c in ("t", "vix", "settle", "anchor"))
    mr = np.asarray(vx_mean_reversion(v, lv, t))
    old = 24.53 + (v - 24.53) * np.exp(-1.442 * t)
    vx_report(r, {"mr": mr, "mr-1f": old, "ts": ts_model(r, TS_PARAMS)})

    # Markets wiring: the curve of Markets.vx_curve equals the functions above
    data = market_data("2004-01-01", "2010-12-31")
    m = Markets(data)
    d = pd.Timestamp("2008-11-20")
    g = r[r["date"] == d].reset_index(drop=True)
    curve = m.vx_curve(d).set_index("expiry")["value"].reindex(g["expiry"]).to_numpy()
    gap = float(np.nanmax(np.abs(curve - ts_model(g, TS_PARAMS))))
    print(f"Markets.vx_curve({d.date()}) - ts model: max abs {gap:.2e}")

    # refit (constants in vixshield.markets.vix_model): level MSE + 100 x squared beta gaps
    closes = market_data("2004-01-01", "2010-12-31").daily["vix"].dropna().to_numpy()
    prev = r["prev"].to_numpy()
    has = prev >= 0
    pv = np.maximum(prev, 0)
    bucket = pd.cut(r["dte"], _BUCKETS).astype(str).to_numpy()
    masks = [has & (bucket == b) for b in sorted(set(bucket))]
    dv, ds = v - v[pv], s - s[pv]
    real_beta = np.array([_slope(dv[k], ds[k]) for k in masks])
    daily = market_data("2004-01-01", "2010-12-31").daily
    on = daily.index[daily["vix"].notna()]
    row = pd.Series(np.arange(len(on)), index=on).reindex(r["date"]).to_numpy()

    def resid(p: np.ndarray) -> np.ndarray:
        prm = MeanReversionParams(*p)
        anchor = vx_anchor(closes, prm.half_life_days)[row]
        f = np.asarray(vx_mean_reversion(v, anchor, t, prm))
        df = f - f[pv]
        bm = np.array([_slope(dv[k], df[k]) for k in masks])
        return np.concatenate([(f - s) / np.sqrt(len(s)), 10.0 * (bm - real_beta)])

    names = list(MeanReversionParams.__dataclass_fields__)
    p0 = [getattr(MR_PARAMS, k) for k in names]
    fit = least_squares(
        resid, p0, bounds=([5, 0, 0, 0, 0, 1], [50, 20, 300, 50, 1, 1000]), diff_step=1e-4
    )
    n = len(s)
    print(
        "refit two-factor mean reversion: "
        + ", ".join(f"{k}={x:.4g}" for k, x in zip(names, fit.x, strict=True))
        + f"; level RMSE {np.sqrt(np.sum(fit.fun[:n] ** 2)):.3f} (n={n})"
    )
    tsr = r[np.isfinite(r["v6"])].reset_index(drop=True)
    fit2 = least_squares(lambda p: ts_model(tsr, float(p[0])) - tsr["settle"].to_numpy(), [0.3])
    print(
        f"refit term-structure haircut a={fit2.x[0]:.4f} RMSE={np.sqrt(np.mean(fit2.fun**2)):.3f}"
        f" (n={len(tsr)})"
    )


def strategy_data() -> MarketData:
    """The shared files (and the Yahoo SPX file where present) through a temporary store."""
    from vixshield.data.loader import load_store
    from vixshield.data.store import Store
    from vixshield.data.store_import import import_path

    home = Path(tempfile.mkdtemp(prefix="vixshield-validate-"))
    store = Store(home)
    for f in ("spx/spx_stooq_daily.csv", "cboe_indices", "rates/tbill13week_2005_2014.csv"):
        import_path(SHARED / f, store)
    yahoo = REFERENCE / "spx" / "GSPC_yahoo_1990_2026.csv"
    if yahoo.is_file():
        import_path(yahoo, store)
    return load_store(home=home)


def strategy_indices() -> pd.DataFrame:
    """Real PUT, BXM, PPUT and CLL closes by date (``DATE,<NAME>``, MM/DD/YYYY downloads)."""
    cols = {}
    for name in ("PUT", "BXM", "PPUT", "CLL"):
        df = pd.read_csv(REFERENCE / "cboe_strategy" / f"{name}_History.csv")
        dates = pd.to_datetime(df["DATE"], format="%m/%d/%Y")
        s = pd.Series(df[name].to_numpy(dtype=float), index=dates)
        cols[name.lower()] = s[~s.index.duplicated(keep="last")].sort_index()
    return pd.DataFrame(cols)


def strategies(with_calibration: bool) -> None:
    from vixshield.validation import calibration_summary, validate
    from vixshield.validation.report import format_calibration, format_comparison

    data = strategy_data()
    m = Markets(data)
    t0 = time.perf_counter()
    res = validate(m, strategy_indices())
    dt = time.perf_counter() - t0
    months = sum(c.months for c in res.indices)
    print(f"\nCboe strategy indices on the modeled chains: {months} months, {dt:.1f} s")
    print("real minus replica, monthly returns between the same roll dates")
    with pd.option_context("display.width", 220, "display.max_columns", 20):
        print(format_comparison(res).to_string(index=False))
    print(f"quotes: {res.quotes}; dividends: {res.dividends}")
    print(f"settlement: {res.settlement}")
    for a in res.approximations:
        print(f"approximation: {a}")
    for c in res.indices:
        for n in c.notes:
            print(f"{c.spec.ticker}: {n}")
    if with_calibration:
        days = sorted({d for c in res.indices for d in c.monthly["start"]})
        t0 = time.perf_counter()
        summary = calibration_summary(calibration_errors(m, days))
        dt = time.perf_counter() - t0
        print(f"\nVIX-family calibration on the {len(days)} roll dates ({dt:.1f} s)")
        print(format_calibration(summary).to_string(index=False))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--step", type=int, default=5, help="use every n-th trading day")
    ap.add_argument("--vx-only", action="store_true", help="only the VX futures part")
    ap.add_argument("--only", choices=("surface", "vx", "strategies"), help="run only this part")
    args = ap.parse_args()
    only = "vx" if args.vx_only else args.only
    if only in (None, "surface"):
        surface(args.step)
    if only in (None, "vx"):
        vx()
    if only in (None, "strategies"):
        strategies(with_calibration=only == "strategies")


if __name__ == "__main__":
    main()
