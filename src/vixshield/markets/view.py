"""`Markets`: the one chain interface (`MarketView`) over real or modeled quotes.

Every answer at a date uses that date's row of `MarketData.daily` (and, for the
rate and the VIX stand-in, earlier rows only), so data after the date never
changes it. Per-date calibrations are cached on the instance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from vixshield._typing import ArrayLike, FloatArray, Origin, Settlement, Underlying
from vixshield.data.market import MarketData
from vixshield.errors import UserError
from vixshield.markets import listing
from vixshield.markets.spx_model import (
    DEFAULT_SKEW,
    DIVIDEND_YIELD,
    SpxCalibration,
    calibrate_spx,
    expiry_quotes,
    spx_bid_ask,
)
from vixshield.markets.types import CHAIN_COLUMNS, Expiry, OptionChain, QuoteBlock
from vixshield.markets.vix_model import (
    vix_option_bid_ask,
    vix_option_vol,
    vvix_proxy,
    vx_mean_reversion,
    vx_term_structure,
)
from vixshield.pricing import black76_greeks, black76_price, bsm_greeks, bsm_price

__all__ = ["DEFAULT_RATE", "Markets", "chain"]

DEFAULT_RATE = 0.02  # decimal per year, used only where no rate is known up to the date
_INDEX_COLUMNS = {9: "vix9d", 30: "vix", 93: "vix3m", 182: "vix6m"}
_REAL_CHAIN_COLUMNS = (
    "quote_date",
    "underlying",
    "root",
    "expiry",
    "settlement",
    "strike",
    "right",
)
_GREEKS = ("delta", "gamma", "vega", "theta")
_RV_WINDOW = 21  # trading days of SPX returns behind the VIX stand-in


@dataclass(frozen=True)
class _Day:
    date: pd.Timestamp
    spot: float
    rate: float
    vix: float
    vix_origin: Origin
    vvix: float
    expiries: tuple[Expiry, ...]


class Markets:
    """Real or modeled SPX/VIX option quotes and the VX curve (implements `MarketView`).

    Parameters
    ----------
    data : MarketData
        Daily series and VX settlements.
    chains : DataFrame, optional
        Real chains in long form: quote_date, underlying, root, expiry,
        settlement, strike, right ("C"/"P"), bid, ask, iv. Dates and
        underlyings present there are answered from it (origin "real").

    Notes
    -----
    Where VIX itself is missing (e.g. before a VIX history starts) the modeled
    SPX surface uses ``VIX = clip(1.1 RV21 + 3, 9, 90)`` from the 21 previous
    SPX closes (tagged modeled). SKEW defaults to 125, the rate to the last
    known value (2 % where none).
    """

    def __init__(self, data: MarketData, chains: pd.DataFrame | None = None) -> None:
        self._data = data
        self._chains = _prepare_chains(chains) if chains is not None else None
        self._days: dict[pd.Timestamp, _Day] = {}
        self._calib: dict[pd.Timestamp, SpxCalibration] = {}

    @property
    def data(self) -> MarketData:
        """The underlying market data (whole history)."""
        return self._data

    # ------------------------------------------------------------------ inputs
    def _day(self, date: pd.Timestamp) -> _Day:
        ts = pd.Timestamp(date).normalize()
        if ts in self._days:
            return self._days[ts]
        daily = self._data.daily
        if ts not in daily.index:
            lo, hi = (daily.index[0].date(), daily.index[-1].date()) if len(daily) else ("-", "-")
            raise UserError(f"{ts.date()} is not a trading day in the data ({lo} .. {hi})")
        row = daily.loc[ts].to_dict()
        spot = float(row["spx_close"])
        if not np.isfinite(spot):
            raise UserError(f"no SPX close on {ts.date()}")
        hist = daily.loc[:ts]
        rates = hist["rate"].dropna()
        rate = float(rates.iloc[-1]) if len(rates) else DEFAULT_RATE
        vix = float(row["vix"])
        origin: Origin = "real"
        if not np.isfinite(vix):
            closes = hist["spx_close"].dropna().to_numpy()[-(_RV_WINDOW + 1) :]
            rv = (
                float(np.std(np.diff(np.log(closes)), ddof=1) * np.sqrt(252) * 100)
                if closes.size > 5
                else 18.0
            )
            vix, origin = float(np.clip(1.1 * rv + 3.0, 9.0, 90.0)), "modeled"
        vvix = float(row["vvix"])
        if not (np.isfinite(vvix) and vvix > 40.0):
            vvix = vvix_proxy(vix)
        day = _Day(ts, spot, rate, vix, origin, vvix, tuple(listing.listed_expiries(ts, "SPX")))
        self._days[ts] = day
        return day

    def calibration(self, date: pd.Timestamp) -> SpxCalibration:
        """The date's SSVI calibration (cached): targets, fitted index values, parameters."""
        day = self._day(date)
        if day.date not in self._calib:
            row = self._data.daily.loc[day.date].to_dict()
            targets = {30: day.vix}
            for tenor, col in _INDEX_COLUMNS.items():
                v = float(row[col])
                if tenor != 30 and np.isfinite(v) and v > 0 and day.vix_origin == "real":
                    targets[tenor] = v
            skew = float(row["skew"])
            skew = skew if np.isfinite(skew) else DEFAULT_SKEW
            et = np.array([e.t_years for e in day.expiries])
            self._calib[day.date] = calibrate_spx(day.spot, day.rate, targets, skew, et)
        return self._calib[day.date]

    # ------------------------------------------------------------- interface
    def expiries(self, date: pd.Timestamp, underlying: Underlying) -> list[Expiry]:
        """Expirations listed at ``date`` (real chain's where given, else the listing rules)."""
        ts = self._day(date).date
        real = self._real(ts, underlying)
        if real is not None:
            seen = real.drop_duplicates("expiry")
            out = []
            for e, r, s in zip(seen["expiry"], seen["root"], seen["settlement"], strict=True):
                st: Settlement = "AM" if str(s) == "AM" else "PM"
                e_ts = pd.Timestamp(e)
                out.append(Expiry(e_ts, str(r), st, listing.t_years_to_settlement(ts, e_ts, st)))
            return out
        return listing.listed_expiries(ts, underlying)

    def chain(
        self, date: pd.Timestamp, underlying: Underlying, expiry: pd.Timestamp | None = None
    ) -> OptionChain:
        """The chain at ``date``'s close (all listed expiries, or only ``expiry``)."""
        day = self._day(date)
        real = self._real(day.date, underlying)
        if real is not None:
            return self._real_chain(day, underlying, real, expiry)
        exps = listing.listed_expiries(day.date, underlying)
        if expiry is not None:
            want = pd.Timestamp(expiry).normalize()
            exps = [e for e in exps if e.date == want]
            if not exps:
                raise UserError(
                    f"{underlying} expiry {want.date()} is not listed on {day.date.date()}"
                )
        frames = [
            self._spx_frame(day, e) if underlying == "SPX" else self._vix_frame(day, e)
            for e in exps
        ]
        quotes = _to_frame(frames)
        spot = day.spot if underlying == "SPX" else day.vix
        return OptionChain(underlying, day.date, spot, day.rate, quotes, "modeled")

    def quote(
        self,
        date: pd.Timestamp,
        underlying: Underlying,
        expiry: Sequence[pd.Timestamp],
        strike: ArrayLike,
        right: Sequence[str],
    ) -> QuoteBlock:
        """Vectorised quotes of specific options at ``date``'s close (no chain is built).

        Options at or past expiry are worth their intrinsic value against the
        settlement (AM: open of the day; PM: the close), with zero greeks.
        """
        day = self._day(date)
        k = np.asarray(strike, dtype=np.float64)
        call = np.array([str(r).upper().startswith("C") for r in right])
        exp = pd.DatetimeIndex([pd.Timestamp(e) for e in expiry]).normalize()
        real = self._real(day.date, underlying)
        if real is not None:
            block = self._real_quote(day, real, exp, k, call)
            if block is not None:
                return block
        if underlying == "SPX":
            return self._spx_quote(day, exp, k, call)
        return self._vix_quote(day, exp, k, call)

    def vx_curve(self, date: pd.Timestamp) -> pd.DataFrame:
        """VX curve at ``date``: expiry, value (vol points), dte (calendar days), origin."""
        day = self._day(date)
        vx = self._data.vx
        real = vx[vx["date"] == day.date] if len(vx) else vx
        exps = [e.date for e in listing.listed_expiries(day.date, "VIX")]
        rows: dict[pd.Timestamp, tuple[float, str]] = {}
        for e, v in zip(real.get("expiry", []), real.get("settle", []), strict=True):
            if pd.Timestamp(e) > day.date and np.isfinite(v):
                rows[pd.Timestamp(e).normalize()] = (float(v), "real")
        missing = [e for e in exps if e not in rows]
        if missing:
            t = np.array([(e - day.date).days / 365.0 for e in missing])
            for e, v in zip(missing, self._vx_model(day, t), strict=True):
                rows[e] = (float(v), "modeled")
        out = pd.DataFrame(
            {
                "expiry": list(rows),
                "value": [v for v, _ in rows.values()],
                "dte": [(e - day.date).days for e in rows],
                "origin": [o for _, o in rows.values()],
            }
        )
        return out.sort_values("expiry").reset_index(drop=True)

    def settlement_value(self, underlying: Underlying, expiry: pd.Timestamp, root: str) -> float:
        """Final settlement: SPX AM = open, SPXW PM = close, VIX = SOQ (see `settlement`)."""
        return self.settlement(underlying, expiry, root)[0]

    def settlement(
        self, underlying: Underlying, expiry: pd.Timestamp, root: str
    ) -> tuple[float, Origin]:
        """Settlement value and its origin; NaN where the expiry is not in the data.

        VIX options settle at the special opening quotation, taken as
        ``vix_open`` on the expiry day; where that is missing, the previous
        day's VIX close (origin "modeled").
        """
        daily = self._data.daily
        e = pd.Timestamp(expiry).normalize()
        if e not in daily.index:
            return float("nan"), "real"
        row = daily.loc[e].to_dict()
        if underlying == "SPX":
            return float(row["spx_open" if root == "SPX" else "spx_close"]), "real"
        v = float(row["vix_open"])
        if np.isfinite(v):
            return v, "real"
        prev = daily.loc[: e - pd.Timedelta(days=1), "vix"].dropna()
        return (float(prev.iloc[-1]) if len(prev) else float("nan")), "modeled"

    # ------------------------------------------------------------ modeled SPX
    def _spx_frame(self, day: _Day, e: Expiry) -> dict[str, np.ndarray]:
        cal = self.calibration(day.date)
        eq = expiry_quotes(cal.params, day.spot, day.rate, DIVIDEND_YIELD, e.t_years, day.vix)
        n = eq.strike.size
        k = np.concatenate([eq.strike, eq.strike])
        iv = np.concatenate([eq.iv, eq.iv])
        is_call = np.concatenate([np.ones(n, bool), np.zeros(n, bool)])
        g = _g(bsm_greeks(day.spot, k, e.t_years, day.rate, DIVIDEND_YIELD, iv, is_call))
        return _frame(
            e, k, is_call,
            np.concatenate([eq.call_bid, eq.put_bid]),
            np.concatenate([eq.call_ask, eq.put_ask]),
            np.concatenate([eq.call_mid, eq.put_mid]),
            iv, g, eq.forward,
        )  # fmt: skip

    def _spx_quote(
        self, day: _Day, exp: pd.DatetimeIndex, k: FloatArray, call: np.ndarray
    ) -> QuoteBlock:
        cal = self.calibration(day.date)
        settle = np.array(
            ["AM" if e == listing.spx_monthly_expiry(e.year, e.month) else "PM" for e in exp]
        )
        t = _times(day.date, exp, settle)
        live = t > 0
        tl = np.where(live, t, 1.0)
        fwd = day.spot * np.exp((day.rate - DIVIDEND_YIELD) * tl)
        iv = cal.params.implied_vol(np.log(k / fwd), tl)
        mid = bsm_price(day.spot, k, tl, day.rate, DIVIDEND_YIELD, iv, call)
        g = _g(bsm_greeks(day.spot, k, tl, day.rate, DIVIDEND_YIELD, iv, call))
        bid, ask = spx_bid_ask(mid, tl, day.vix)
        if not live.all():
            ref = np.array(
                [
                    self.settlement("SPX", e, "SPX" if s == "AM" else "SPXW")[0]
                    for e, s in zip(exp, settle, strict=True)
                ]
            )
            ref = np.where(np.isfinite(ref), ref, day.spot)
            intr = np.maximum(np.where(call, ref - k, k - ref), 0.0)
            mid, bid, ask = (np.where(live, a, intr) for a in (mid, bid, ask))
            for key in ("delta", "gamma", "vega", "theta"):
                g[key] = np.where(live, g[key], 0.0)
            iv = np.where(live, iv, np.nan)
        return QuoteBlock(
            bid, ask, mid, iv, g["delta"], g["gamma"], g["vega"], g["theta"],
            np.where(live, fwd, day.spot), np.where(live, t, 0.0), "modeled",
        )  # fmt: skip

    # ------------------------------------------------------------ modeled VIX
    def _vx_model(self, day: _Day, t: FloatArray) -> FloatArray:
        row = self._data.daily.loc[day.date].to_dict()
        nodes = [
            (d, float(row[c])) for d, c in _INDEX_COLUMNS.items() if np.isfinite(float(row[c]))
        ]
        if day.vix_origin == "real" and any(d in (93, 182) for d, _ in nodes):
            return vx_term_structure(t, [d for d, _ in nodes], [v for _, v in nodes])
        return vx_mean_reversion(day.vix, t)

    def _vix_future(self, day: _Day, exp: pd.DatetimeIndex) -> FloatArray:
        curve = self.vx_curve(day.date).set_index("expiry")["value"]
        out = curve.reindex(exp).to_numpy(dtype=np.float64)
        if np.isnan(out).any():
            t = np.maximum((exp - day.date).days.to_numpy() / 365.0, 0.0)
            out = np.where(np.isnan(out), self._vx_model(day, t), out)
        return out

    def _vix_frame(self, day: _Day, e: Expiry) -> dict[str, np.ndarray]:
        f = float(self._vix_future(day, pd.DatetimeIndex([e.date]))[0])
        k = _vix_strikes(f)
        n = k.size
        kk = np.concatenate([k, k])
        is_call = np.concatenate([np.ones(n, bool), np.zeros(n, bool)])
        iv = vix_option_vol(kk, f, e.t_years, day.vvix)
        mid = black76_price(f, kk, e.t_years, day.rate, iv, is_call)
        bid, ask = vix_option_bid_ask(mid, day.vvix)
        g = _g(black76_greeks(f, kk, e.t_years, day.rate, iv, is_call))
        return _frame(e, kk, is_call, bid, ask, mid, iv, g, f)

    def _vix_quote(
        self, day: _Day, exp: pd.DatetimeIndex, k: FloatArray, call: np.ndarray
    ) -> QuoteBlock:
        t = _times(day.date, exp, np.full(len(exp), "AM"))
        live = t > 0
        tl = np.where(live, t, 1.0)
        f = self._vix_future(day, exp)
        iv = vix_option_vol(k, f, tl, day.vvix)
        mid = black76_price(f, k, tl, day.rate, iv, call)
        bid, ask = vix_option_bid_ask(mid, day.vvix)
        g = _g(black76_greeks(f, k, tl, day.rate, iv, call))
        if not live.all():
            ref = np.array([self.settlement("VIX", e, "VIX")[0] for e in exp])
            intr = np.maximum(np.where(call, ref - k, k - ref), 0.0)
            mid, bid, ask = (np.where(live, a, intr) for a in (mid, bid, ask))
            for key in ("delta", "gamma", "vega", "theta"):
                g[key] = np.where(live, g[key], 0.0)
        return QuoteBlock(
            bid, ask, mid, iv, g["delta"], g["gamma"], g["vega"], g["theta"],
            f, np.where(live, t, 0.0), "modeled",
        )  # fmt: skip

    # --------------------------------------------------------------- real
    def _real(self, date: pd.Timestamp, underlying: Underlying) -> pd.DataFrame | None:
        if self._chains is None:
            return None
        try:
            rows = self._chains.loc[[(date, underlying)]]
        except KeyError:
            return None
        return rows.reset_index(drop=True) if len(rows) else None

    def _real_chain(
        self, day: _Day, underlying: Underlying, real: pd.DataFrame, expiry: pd.Timestamp | None
    ) -> OptionChain:
        r = real if expiry is None else real[real["expiry"] == pd.Timestamp(expiry).normalize()]
        if not len(r):
            raise UserError(
                f"{underlying} expiry {expiry} is not in the real chain on {day.date.date()}"
            )
        frames = []
        for (e, root, st), g in r.groupby(["expiry", "root", "settlement"], sort=True):
            e_ts = pd.Timestamp(str(e))
            st_: Settlement = "AM" if str(st) == "AM" else "PM"
            ex = Expiry(e_ts, str(root), st_, listing.t_years_to_settlement(day.date, e_ts, st_))
            k = g["strike"].to_numpy(dtype=np.float64)
            is_call = (g["right"] == "C").to_numpy()
            iv = g["iv"].to_numpy(dtype=np.float64)
            t = max(ex.t_years, 1e-6)
            if underlying == "SPX":
                fwd = day.spot * float(np.exp((day.rate - DIVIDEND_YIELD) * t))
                gr = _g(bsm_greeks(day.spot, k, t, day.rate, DIVIDEND_YIELD, iv, is_call))
            else:
                fwd = float(self._vix_future(day, pd.DatetimeIndex([ex.date]))[0])
                gr = _g(black76_greeks(fwd, k, t, day.rate, iv, is_call))
            bid = g["bid"].to_numpy(dtype=np.float64)
            ask = g["ask"].to_numpy(dtype=np.float64)
            frames.append(_frame(ex, k, is_call, bid, ask, 0.5 * (bid + ask), iv, gr, fwd, "real"))
        spot = day.spot if underlying == "SPX" else day.vix
        return OptionChain(underlying, day.date, spot, day.rate, _to_frame(frames), "real")

    def _real_quote(
        self, day: _Day, real: pd.DataFrame, exp: pd.DatetimeIndex, k: FloatArray, call: np.ndarray
    ) -> QuoteBlock | None:
        key = pd.MultiIndex.from_arrays([exp, k, np.where(call, "C", "P")])
        idx = real.set_index(["expiry", "strike", "right"])
        idx = idx[~idx.index.duplicated()]
        if not key.isin(idx.index).all():
            return None
        sel = idx.loc[key]
        underlying: Underlying = "SPX" if str(sel["underlying"].iloc[0]) == "SPX" else "VIX"
        t = np.array(
            [
                listing.t_years_to_settlement(day.date, e, "AM" if str(s) == "AM" else "PM")
                for e, s in zip(exp, sel["settlement"], strict=True)
            ]
        )
        tl = np.maximum(t, 1e-6)
        iv = sel["iv"].to_numpy(dtype=np.float64)
        if underlying == "SPX":
            fwd = day.spot * np.exp((day.rate - DIVIDEND_YIELD) * tl)
            g = _g(bsm_greeks(day.spot, k, tl, day.rate, DIVIDEND_YIELD, iv, call))
        else:
            fwd = self._vix_future(day, exp)
            g = _g(black76_greeks(fwd, k, tl, day.rate, iv, call))
        bid = sel["bid"].to_numpy(dtype=np.float64)
        ask = sel["ask"].to_numpy(dtype=np.float64)
        return QuoteBlock(
            bid, ask, 0.5 * (bid + ask), iv, g["delta"], g["gamma"], g["vega"], g["theta"],
            np.asarray(fwd, dtype=np.float64), t, "real",
        )  # fmt: skip


def _g(greeks: Mapping[str, float | FloatArray]) -> dict[str, FloatArray]:
    """The four chain greeks as float arrays."""
    return {k: np.atleast_1d(np.asarray(greeks[k], dtype=np.float64)) for k in _GREEKS}


def _times(as_of: pd.Timestamp, exp: pd.DatetimeIndex, settle: np.ndarray) -> FloatArray:
    """Years to settlement per option, computed once per distinct (expiry, settlement)."""
    memo: dict[tuple[pd.Timestamp, str], float] = {}
    out = np.empty(len(exp))
    for i, (e, s) in enumerate(zip(exp, settle, strict=True)):
        key = (e, str(s))
        if key not in memo:
            memo[key] = listing.t_years_to_settlement(as_of, e, key[1])  # type: ignore[arg-type]
        out[i] = memo[key]
    return out


def _vix_strikes(f: float) -> FloatArray:
    """VIX option strikes: 1 point from max(9, F/2) to 50, 2.5 points to 80, 5 points to 3F."""
    lo = max(9.0, float(np.floor(0.5 * f)))
    hi = max(3.0 * f, 30.0)
    one = np.arange(lo, min(50.0, hi) + 1.0, 1.0)
    two = np.arange(52.5, min(80.0, hi) + 2.5, 2.5)
    five = np.arange(85.0, hi + 5.0, 5.0)
    return np.asarray(np.concatenate([one, two, five]), dtype=np.float64)


def _frame(
    e: Expiry,
    k: FloatArray,
    is_call: np.ndarray,
    bid: FloatArray,
    ask: FloatArray,
    mid: FloatArray,
    iv: FloatArray,
    g: dict[str, FloatArray],
    forward: float | FloatArray,
    origin: Origin = "modeled",
) -> dict[str, np.ndarray]:
    """Columns of one expiry, rows ordered by right ("C" first) then strike."""
    n = k.size
    order = np.lexsort((k, ~is_call))
    cols: dict[str, np.ndarray] = {
        "expiry": np.repeat(np.datetime64(e.date, "ns"), n),
        "root": np.full(n, e.root, dtype="U4"),
        "settlement": np.full(n, e.settlement, dtype="U2"),
        "strike": k[order],
        "right": np.where(is_call[order], "C", "P"),
        "bid": bid[order],
        "ask": ask[order],
        "mid": mid[order],
        "iv": iv[order],
        "delta": g["delta"][order],
        "gamma": g["gamma"][order],
        "vega": g["vega"][order],
        "theta": g["theta"][order],
        "t_years": np.full(n, e.t_years),
        "forward": np.broadcast_to(np.asarray(forward, dtype=np.float64), (n,))[order]
        if np.ndim(forward)
        else np.full(n, float(forward)),
        "origin": np.full(n, origin, dtype="U7"),
    }
    return cols


def _to_frame(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    if not parts:
        return _empty()
    data: dict[str, object] = {}
    for c in CHAIN_COLUMNS:
        col = np.concatenate([p[c] for p in parts])
        if col.dtype.kind == "U":  # few distinct values: map codes to strings once
            uniq, codes = np.unique(col, return_inverse=True)
            data[c] = pd.Categorical.from_codes(codes, pd.Index(uniq.tolist())).astype("str")
        else:
            data[c] = col
    return pd.DataFrame(data, columns=list(CHAIN_COLUMNS))


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in CHAIN_COLUMNS})


def _prepare_chains(chains: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in (*_REAL_CHAIN_COLUMNS, "bid", "ask", "iv") if c not in chains.columns]
    if missing:
        raise UserError(f"real chain frame lacks columns: {', '.join(missing)}")
    c = chains.copy()
    c["quote_date"] = pd.to_datetime(c["quote_date"]).dt.normalize()
    c["expiry"] = pd.to_datetime(c["expiry"]).dt.normalize()
    c["right"] = c["right"].astype(str).str.upper().str[0]
    c = c.sort_values(["quote_date", "underlying", "expiry", "right", "strike"])
    return c.set_index(["quote_date", "underlying"], drop=False).sort_index()


@lru_cache(maxsize=1)
def _default_markets() -> Markets:
    from vixshield.data.embedded import load_embedded

    return Markets(load_embedded())


def chain(date: pd.Timestamp, underlying: Underlying) -> OptionChain:
    """Convenience: the chain at ``date`` on the embedded data (`load_embedded`)."""
    return _default_markets().chain(date, underlying)
