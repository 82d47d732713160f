"""`Markets`: the one chain interface (`MarketView`) over real or modeled quotes.

Every answer at a date uses that date's row of `MarketData.daily` (and, for the
rate and the VIX stand-in, earlier rows only), so data after the date never
changes it. The daily rows are read once into numpy columns; per-date inputs,
calibrations and VX curves are cached on the instance (``vx_curve`` still
returns a fresh DataFrame built from the cached arrays), and ``quote`` works on
day numbers without building pandas objects. A modeled chain is priced for all
its expiries in one compiled call (one numpy array per column) and becomes a
table in one DataFrame construction (string columns built in Arrow, no per-row
Python work).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype

from vixshield._typing import ArrayLike, FloatArray, Origin, Settlement, Underlying
from vixshield.data.market import CHAIN_FRAME_COLUMNS, MarketData
from vixshield.errors import UserError
from vixshield.markets import listing
from vixshield.markets.smile import atm_total_variance
from vixshield.markets.spx_model import (
    DEFAULT_SKEW,
    DIVIDEND_YIELD,
    LISTED_SD,
    SpxCalibration,
    calibrate_spx,
    spx_strikes,
    strike_grid,
)
from vixshield.markets.types import CHAIN_COLUMNS, Expiry, OptionChain, QuoteBlock
from vixshield.markets.vix_model import (
    TS_NODE_COLUMNS,
    vix_option_vol,
    vvix_proxy,
    vx_anchor,
    vx_mean_reversion,
    vx_term_structure,
)
from vixshield.pricing import black76_greeks, bsm_greeks

__all__ = ["DEFAULT_RATE", "Markets", "chain"]

DEFAULT_RATE = 0.02  # decimal per year, used only where no rate is known up to the date
_INDEX_COLUMNS = {9: "vix9d", 30: "vix", 93: "vix3m", 182: "vix6m"}
_GREEKS = ("delta", "gamma", "vega", "theta")
_LABEL_COLUMNS = ("expiry", "root", "settlement", "right", "origin")
_FLOAT_COLUMNS = tuple(c for c in CHAIN_COLUMNS if c not in _LABEL_COLUMNS)
"""Float columns of a chain, in chain order (`_kernels.CHAIN_ROWS`)."""
_RV_WINDOW = 21  # trading days of SPX returns behind the VIX stand-in
_DAILY_USED = (
    "spx_open",
    "spx_close",
    "vix",
    "vix_open",
    "vix9d",
    "vix3m",
    "vix6m",
    "vvix",
    "skew",
    "rate",
)


def _day_numbers(values: list[pd.Timestamp] | pd.DatetimeIndex) -> np.ndarray:
    """Calendar day numbers since the epoch of datetime-like values (any unit)."""
    arr = np.asarray(pd.DatetimeIndex(values).values).astype("datetime64[D]")
    return np.asarray(arr.astype(np.int64), dtype=np.int64)


class _DailyArrays:
    """`MarketData.daily` as numpy columns plus a date -> row map (built once).

    ``rate_known`` is the last non-NaN rate up to and including each row
    (NaN where none yet) and ``vix_anchor`` the slow VIX anchor `vx_anchor` of
    the VIX closes up to and including each row (starting at the first close),
    so every value at a row depends only on rows up to it.
    """

    def __init__(self, daily: pd.DataFrame) -> None:
        self.index = pd.DatetimeIndex(daily.index)
        n = len(daily)
        # keyed by nanoseconds since the epoch: no Timestamp is built per row
        ns = self.index.as_unit("ns").asi8.tolist()
        self._pos: dict[int, int] = dict(zip(ns, range(n), strict=True))
        self._tz = self.index.tz
        self.cols: dict[str, FloatArray] = {
            c: (
                daily[c].to_numpy(dtype=np.float64, na_value=np.nan)
                if c in daily.columns
                else np.full(n, np.nan)
            )
            for c in _DAILY_USED
        }
        self.rate_known = np.asarray(
            pd.Series(self.cols["rate"]).ffill().to_numpy(dtype=np.float64), dtype=np.float64
        )
        self.vix_anchor = vx_anchor(self.cols["vix"])  # causal: row i uses rows <= i only

    def col(self, name: str, i: int) -> float:
        return float(self.cols[name][i])

    def row(self, ts: pd.Timestamp) -> int | None:
        """Row of the date-time ``ts`` (exact match), None where it is not in the index."""
        if (ts.tzinfo is None) != (self._tz is None):
            return None  # naive and aware times never match
        return self._pos.get(ts.value)


def _row(arrays: _DailyArrays, ts: pd.Timestamp) -> int:
    """Row of a date known to be in the data (a trading day already checked by `_day`)."""
    i = arrays.row(ts)
    if i is None:
        raise KeyError(ts)
    return i


@dataclass(frozen=True)
class _Curve:
    """One date's VX curve: expiries (day numbers, sorted), values (vol points), origins."""

    days: np.ndarray
    expiry: tuple[pd.Timestamp, ...]
    value: FloatArray
    origin: tuple[str, ...]


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
        self._curves: dict[pd.Timestamp, _Curve] = {}
        self._strikes: dict[tuple[pd.Timestamp, str, pd.Timestamp], FloatArray] = {}
        self._arrays: _DailyArrays | None = None
        self._vx_by_date: dict[pd.Timestamp, tuple[np.ndarray, FloatArray]] | None = None

    def _daily(self) -> _DailyArrays:
        """Numpy view of the daily rows (built on first use, then shared)."""
        if self._arrays is None:
            self._arrays = _DailyArrays(self._data.daily)
        return self._arrays

    def _vx_rows(self, date: pd.Timestamp) -> tuple[np.ndarray, FloatArray] | None:
        """Real VX settlements quoted on ``date``: expiries (datetime64) and settles, file order."""
        if self._vx_by_date is None:
            vx = self._data.vx
            groups: dict[pd.Timestamp, tuple[np.ndarray, FloatArray]] = {}
            if len(vx) and "expiry" in vx.columns and "settle" in vx.columns:
                dates = pd.DatetimeIndex(vx["date"])
                exp = np.asarray(pd.DatetimeIndex(vx["expiry"]).values)
                settle = vx["settle"].to_numpy(dtype=np.float64, na_value=np.nan)
                codes, uniq = pd.factorize(dates)
                for j, d in enumerate(uniq):
                    sel = np.flatnonzero(codes == j)
                    groups[pd.Timestamp(d)] = (exp[sel], settle[sel])
            self._vx_by_date = groups
        return self._vx_by_date.get(date)

    @property
    def data(self) -> MarketData:
        """The underlying market data (whole history)."""
        return self._data

    # ------------------------------------------------------------------ inputs
    def _day(self, date: pd.Timestamp) -> _Day:
        ts = pd.Timestamp(date).normalize()
        cached = self._days.get(ts)
        if cached is not None:
            return cached
        arrays = self._daily()
        i = arrays.row(ts)
        if i is None:
            idx = arrays.index
            lo, hi = (idx[0].date(), idx[-1].date()) if len(idx) else ("-", "-")
            raise UserError(f"{ts.date()} is not a trading day in the data ({lo} .. {hi})")
        spot = arrays.col("spx_close", i)
        if not np.isfinite(spot):
            raise UserError(f"no SPX close on {ts.date()}")
        known = float(arrays.rate_known[i])
        rate = known if np.isfinite(known) else DEFAULT_RATE
        vix = arrays.col("vix", i)
        origin: Origin = "real"
        if not np.isfinite(vix):
            hist_close = arrays.cols["spx_close"][: i + 1]
            closes = hist_close[~np.isnan(hist_close)][-(_RV_WINDOW + 1) :]
            rv = (
                float(np.std(np.diff(np.log(closes)), ddof=1) * np.sqrt(252) * 100)
                if closes.size > 5
                else 18.0
            )
            vix, origin = float(np.clip(1.1 * rv + 3.0, 9.0, 90.0)), "modeled"
        vvix = arrays.col("vvix", i)
        if not (np.isfinite(vvix) and vvix > 40.0):
            vvix = vvix_proxy(vix)
        day = _Day(ts, spot, rate, vix, origin, vvix, tuple(listing.listed_expiries(ts, "SPX")))
        self._days[ts] = day
        return day

    def calibration(self, date: pd.Timestamp) -> SpxCalibration:
        """The date's surface calibration (cached): targets, fitted index values, parameters."""
        day = self._day(date)
        if day.date not in self._calib:
            arrays = self._daily()
            i = _row(arrays, day.date)
            targets = {30: day.vix}
            for tenor, col in _INDEX_COLUMNS.items():
                v = arrays.col(col, i)
                if tenor != 30 and np.isfinite(v) and v > 0 and day.vix_origin == "real":
                    targets[tenor] = v
            skew = arrays.col("skew", i)
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
        quotes = self._spx_chain(day, exps) if underlying == "SPX" else self._vix_chain(day, exps)
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
        call = np.array([_is_call(r) for r in right], dtype=bool)
        real = self._real(day.date, underlying)
        if real is not None:
            exp = pd.DatetimeIndex([pd.Timestamp(e) for e in expiry]).normalize()
            block = self._real_quote(day, real, exp, k, call)
            if block is not None:
                return block
        ed = np.fromiter((_expiry_day(e) for e in expiry), dtype=np.int64, count=len(expiry))
        if underlying == "SPX":
            return self._spx_quote(day, ed, k, call)
        return self._vix_quote(day, ed, k, call)

    def strikes(
        self, date: pd.Timestamp, underlying: Underlying, expiry: pd.Timestamp
    ) -> FloatArray:
        """Listed strikes of one expiry at ``date`` (sorted, index points), without pricing them.

        The grid `chain` shows for that expiry: the real chain's strikes where
        it is given, else the modeled SPX grid truncated where out-of-the-money
        values fall below 0.05 (found in one compiled pass, no greeks or
        frames), or the VIX strike grid around the VX future. Cached per
        (date, underlying, expiry); the returned array is read-only.
        """
        day = self._day(date)
        want = pd.Timestamp(expiry).normalize()
        key = (day.date, underlying, want)
        cached = self._strikes.get(key)
        if cached is not None:
            return cached
        real = self._real(day.date, underlying)
        if real is not None:
            rows = real[real["expiry"] == want]
            if not len(rows):
                raise UserError(
                    f"{underlying} expiry {want.date()} is not in the real chain on "
                    f"{day.date.date()}"
                )
            k = np.unique(rows["strike"].to_numpy(dtype=np.float64))
        else:
            exp = [e for e in listing.listed_expiries(day.date, underlying) if e.date == want]
            if not exp:
                raise UserError(
                    f"{underlying} expiry {want.date()} is not listed on {day.date.date()}"
                )
            if underlying == "SPX":
                cal = self.calibration(day.date)
                k = spx_strikes(cal.params, day.spot, day.rate, DIVIDEND_YIELD, exp[0].t_years)
            else:
                f = float(self._vix_future_days(day, np.array([_expiry_day(want)]))[0])
                k = _vix_strikes(f)
        k = np.array(k, dtype=np.float64)
        k.setflags(write=False)
        self._strikes[key] = k
        return k

    def vx_curve(self, date: pd.Timestamp) -> pd.DataFrame:
        """VX curve at ``date``: expiry, value (vol points), dte (calendar days), origin."""
        day = self._day(date)
        c = self._curve(day)
        out = pd.DataFrame(
            {
                "expiry": list(c.expiry),
                "value": c.value.tolist(),
                "dte": [(e - day.date).days for e in c.expiry],
                "origin": list(c.origin),
            }
        )
        return out.sort_values("expiry").reset_index(drop=True)

    def _curve(self, day: _Day) -> _Curve:
        """The date's VX curve as arrays (cached): real settlements, listed gaps modeled."""
        cached = self._curves.get(day.date)
        if cached is not None:
            return cached
        real = self._vx_rows(day.date)
        exps = [e.date for e in listing.listed_expiries(day.date, "VIX")]
        rows: dict[pd.Timestamp, tuple[float, str]] = {}
        if real is not None:
            for e, v in zip(real[0], real[1], strict=True):
                if pd.Timestamp(e) > day.date and np.isfinite(v):
                    rows[pd.Timestamp(e).normalize()] = (float(v), "real")
        missing = [e for e in exps if e not in rows]
        if missing:
            t = np.array([(e - day.date).days / 365.0 for e in missing])
            for e, v in zip(missing, self._vx_model(day, t), strict=True):
                rows[e] = (float(v), "modeled")
        ordered = sorted(rows)
        curve = _Curve(
            np.array([_expiry_day(e) for e in ordered], dtype=np.int64),
            tuple(ordered),
            np.array([rows[e][0] for e in ordered], dtype=np.float64),
            tuple(rows[e][1] for e in ordered),
        )
        self._curves[day.date] = curve
        return curve

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
        arrays = self._daily()
        e = pd.Timestamp(expiry).normalize()
        i = arrays.row(e)
        if i is None:
            return float("nan"), "real"
        if underlying == "SPX":
            return arrays.col("spx_open" if root == "SPX" else "spx_close", i), "real"
        v = arrays.col("vix_open", i)
        if np.isfinite(v):
            return v, "real"
        prev = arrays.cols["vix"][:i]
        prev = prev[~np.isnan(prev)]
        return (float(prev[-1]) if prev.size else float("nan")), "modeled"

    # ------------------------------------------------------------ modeled SPX
    def _spx_chain(self, day: _Day, exps: Sequence[Expiry]) -> pd.DataFrame:
        """The modeled SPX chain of ``exps``: every column over all expiries in one kernel call.

        Reference (numpy, checked in ``tests/markets/test_kernels.py`` and
        ``test_chain_table.py``): per expiry `expiry_quotes` and `bsm_greeks` at the model vol.
        """
        if not exps:
            return _empty()
        p = self.calibration(day.date).params
        k = strike_grid(day.spot)
        t = np.array([e.t_years for e in exps], dtype=np.float64)
        # forwards, discounts, model vols and listed ranges in numpy, as `expiry_quotes` has them
        fwd = day.spot * np.exp((day.rate - DIVIDEND_YIELD) * t)
        disc = np.exp(-day.rate * t)
        iv = p.implied_vol(np.log(k / fwd[:, None]), t[:, None])
        listed = LISTED_SD * np.sqrt(atm_total_variance(t, p.node_t, p.node_theta))
        n_strikes, out = _quote_kernels().spx_chain(
            k, day.spot, day.rate, DIVIDEND_YIELD, day.vix, t, fwd, disc, iv, listed
        )
        return _chain_frame(exps, n_strikes, out, "modeled")

    def _spx_quote(self, day: _Day, ed: np.ndarray, k: FloatArray, call: np.ndarray) -> QuoteBlock:
        cal = self.calibration(day.date)
        uniq, inv = np.unique(ed, return_inverse=True)
        u_settle = [_spx_settlement(int(d)) for d in uniq]
        u_t = np.array(
            [_t_years(day.date, int(d), st) for d, st in zip(uniq, u_settle, strict=True)]
        )
        settle = np.array(u_settle, dtype="U2")[inv] if uniq.size else np.empty(0, dtype="U2")
        t = u_t[inv] if uniq.size else np.empty(0)
        live = t > 0
        tl = np.where(live, t, 1.0)
        p = cal.params
        kk, tt, cc = _kernel_args(k, tl, call)
        o = _quote_kernels().spx_quotes(
            day.spot, day.rate, DIVIDEND_YIELD, day.vix, kk, tt, cc,
            np.asarray(p.node_t, dtype=np.float64), np.asarray(p.node_theta, dtype=np.float64),
            p.shape.as_array(),
        )  # fmt: skip
        fwd, iv, mid, bid, ask = o[0], o[1], o[2], o[3], o[4]
        g = {"delta": o[5], "gamma": o[6], "vega": o[7], "theta": o[8]}
        if not live.all():
            ref = np.array(
                [
                    self.settlement("SPX", _day_ts(int(e)), "SPX" if s == "AM" else "SPXW")[0]
                    for e, s in zip(ed, settle, strict=True)
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
        """Modeled VX futures (vol points) at times to expiry ``t`` (years).

        The term-structure model off VIX/VIX3M/VIX6M where VIX is real and
        VIX3M or VIX6M is known, else the two-factor model around the causal
        anchor (the stand-in VIX itself where no real VIX close is known yet).
        """
        arrays = self._daily()
        i = _row(arrays, day.date)
        nodes = [
            (d, arrays.col(c, i))
            for d, c in TS_NODE_COLUMNS.items()
            if np.isfinite(arrays.col(c, i))
        ]
        if day.vix_origin == "real" and any(d in (93, 182) for d, _ in nodes):
            return vx_term_structure(t, [d for d, _ in nodes], [v for _, v in nodes])
        anchor = float(arrays.vix_anchor[i])
        if day.vix_origin != "real" or not np.isfinite(anchor):
            anchor = day.vix
        return vx_mean_reversion(day.vix, anchor, t)

    def _vix_future(self, day: _Day, exp: pd.DatetimeIndex) -> FloatArray:
        return self._vix_future_days(day, _day_numbers(exp))

    def _vix_future_days(self, day: _Day, want: np.ndarray) -> FloatArray:
        """VX futures of the expiries given as day numbers: the curve, else the model."""
        c = self._curve(day)
        out = np.full(want.size, np.nan)
        if c.days.size and want.size:
            j = np.minimum(np.searchsorted(c.days, want), c.days.size - 1)
            hit = c.days[j] == want
            out = np.where(hit, c.value[j], np.nan)
        if np.isnan(out).any():
            t = np.maximum((want - _expiry_day(day.date)) / 365.0, 0.0)
            out = np.where(np.isnan(out), self._vx_model(day, t), out)
        return out

    def _vix_chain(self, day: _Day, exps: Sequence[Expiry]) -> pd.DataFrame:
        """The modeled VIX chain of ``exps`` (Black-76 on each expiry's VX future), one kernel call.

        Strikes `_vix_strikes` of the expiry's future, calls then puts, by strike.
        Reference (numpy, checked in ``tests/markets/test_kernels.py`` and
        ``test_chain_table.py``): `vix_option_vol`, `black76_price`, `vix_option_bid_ask`,
        `black76_greeks`.
        """
        if not exps:
            return _empty()
        f = self._vix_future_days(day, np.array([_expiry_day(e.date) for e in exps]))
        grids = [_vix_strikes(float(fi)) for fi in f]
        n_strikes = np.array([g.size for g in grids], dtype=np.int64)
        rows = 2 * n_strikes
        k = np.concatenate([np.concatenate([g, g]) for g in grids])
        t = np.repeat(np.array([e.t_years for e in exps], dtype=np.float64), rows)
        ff = np.repeat(f, rows)
        call = _call_flags(n_strikes)
        # the model vols per expiry (a scalar T), exactly as the numpy reference computes them
        iv = np.concatenate(
            [
                vix_option_vol(np.concatenate([g, g]), fi, e.t_years, day.vvix)
                for g, fi, e in zip(grids, f.tolist(), exps, strict=True)
            ]
        )
        o = _quote_kernels().vix_quotes_at(day.rate, day.vvix, ff, k, t, call, iv)
        # rows of o: forward, iv, mid, bid, ask, delta, gamma, vega, theta (QUOTE_ROWS)
        cols = (k, o[3], o[4], o[2], o[1], o[5], o[6], o[7], o[8], t, ff)
        return _chain_frame(exps, n_strikes, cols, "modeled")

    def _vix_quote(self, day: _Day, ed: np.ndarray, k: FloatArray, call: np.ndarray) -> QuoteBlock:
        uniq, inv = np.unique(ed, return_inverse=True)
        u_t = np.array([_t_years(day.date, int(d), "AM") for d in uniq])
        t = u_t[inv] if uniq.size else np.empty(0)
        live = t > 0
        tl = np.where(live, t, 1.0)
        f = self._vix_future_days(day, ed)
        kk, tt, cc = _kernel_args(k, tl, call)
        o = _quote_kernels().vix_quotes(
            day.rate, day.vvix, np.broadcast_to(f, kk.shape), kk, tt, cc
        )
        iv, mid, bid, ask = o[1], o[2], o[3], o[4]
        g = {"delta": o[5], "gamma": o[6], "vega": o[7], "theta": o[8]}
        if not live.all():
            ref = np.array([self.settlement("VIX", _day_ts(int(e)), "VIX")[0] for e in ed])
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


def _quote_kernels() -> ModuleType:
    """The compiled quote kernels (`vixshield.markets._kernels`), imported on first use."""
    from vixshield.markets import _kernels

    return _kernels


def _kernel_args(
    k: FloatArray, t: FloatArray, call: np.ndarray
) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """Strikes, times and call flags broadcast to one 1-D shape, contiguous, as the kernels take.

    The kernels' plain-numpy reference (smile/VIX vol, `bsm_price`/`black76_price`,
    their greeks and the spread models) is checked against them in
    ``tests/markets/test_kernels.py``.
    """
    kb, tb, cb = np.broadcast_arrays(
        np.asarray(k, dtype=np.float64), np.asarray(t, dtype=np.float64), call.astype(bool)
    )
    # fresh, writable, C-contiguous copies: one compiled signature whatever the input
    return np.array(kb.ravel()), np.array(tb.ravel()), np.array(cb.ravel())


def _g(greeks: Mapping[str, float | FloatArray]) -> dict[str, FloatArray]:
    """The four chain greeks as float arrays."""
    return {k: np.atleast_1d(np.asarray(greeks[k], dtype=np.float64)) for k in _GREEKS}


def _is_call(right: object) -> bool:
    return str(right).upper().startswith("C")


_NS_PER_DAY = 86_400_000_000_000  # nanoseconds per calendar day


@lru_cache(maxsize=65536)
def _expiry_day(e: object) -> int:
    """Calendar day number since the epoch of a date-like (time of day dropped), memoised."""
    ts = pd.Timestamp(e)  # type: ignore[arg-type]
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return int(ts.as_unit("ns").value // _NS_PER_DAY)


@lru_cache(maxsize=65536)
def _day_ts(day: int) -> pd.Timestamp:
    """The midnight Timestamp of a day number."""
    return pd.Timestamp(day * _NS_PER_DAY)


@lru_cache(maxsize=65536)
def _spx_settlement(day: int) -> Settlement:
    """ "AM" where the day is the standard SPX monthly expiry of its month, else "PM"."""
    e = _day_ts(day)
    return "AM" if e == listing.spx_monthly_expiry(e.year, e.month) else "PM"


def _t_years(as_of: pd.Timestamp, day: int, settlement: Settlement) -> float:
    return listing.t_years_to_settlement(as_of, _day_ts(day), settlement)


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


def _call_flags(n_strikes: np.ndarray) -> np.ndarray:
    """Per expiry ``n`` True (calls) then ``n`` False (puts), for ``n`` in ``n_strikes``."""
    sides = np.tile(np.array([True, False]), n_strikes.size)
    return np.repeat(sides, np.repeat(n_strikes, 2))


@lru_cache(maxsize=1)
def _str_dtype() -> ExtensionDtype:
    """pandas' default string dtype (``"str"``; pyarrow-backed where pyarrow is installed)."""
    return pd.array(np.array([], dtype=object), dtype="str").dtype


def _str_column(labels: Sequence[str], codes: np.ndarray) -> ExtensionArray:
    """``labels[codes]`` as a column of the default string dtype, built in one vectorised step.

    With pyarrow storage the column is one Arrow ``take`` (no Python string per row).
    """
    dtype = _str_dtype()
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        import pyarrow as pa

        values = pa.array(list(labels), type=pa.large_string()).take(pa.array(codes))
        column: ExtensionArray = pd.array(values, dtype=dtype)
    else:
        column = pd.array(np.asarray(list(labels), dtype=object)[codes], dtype="str")
    return column


def _per_expiry(values: Sequence[str], rows: np.ndarray) -> ExtensionArray:
    """One label per expiry repeated over its ``rows``, as a string column."""
    labels = list(dict.fromkeys(values))
    codes = np.array([labels.index(v) for v in values], dtype=np.intp)
    return _str_column(labels, np.repeat(codes, rows))


def _chain_frame(
    exps: Sequence[Expiry],
    n_strikes: np.ndarray,
    floats: Sequence[FloatArray] | FloatArray,
    origin: Origin,
) -> pd.DataFrame:
    """The chain table of ``exps`` from its float columns, in one DataFrame construction.

    Parameters
    ----------
    exps : sequence of Expiry
        The expiries, in row order.
    n_strikes : ndarray of int
        Strikes per expiry; expiry ``i`` has ``2 n_strikes[i]`` rows, the calls
        then the puts, each by strike.
    floats : sequence of ndarray, or 2-D ndarray
        The float columns `_FLOAT_COLUMNS` (rows), each over all expiries.
    origin : {"real", "modeled"}
        Tag of every row.
    """
    rows = 2 * np.asarray(n_strikes, dtype=np.int64)
    n = int(rows.sum())
    expiry = np.array([np.datetime64(e.date, "ns") for e in exps], dtype="datetime64[ns]")
    data: dict[str, object] = {
        "expiry": np.repeat(expiry, rows),
        "root": _per_expiry([e.root for e in exps], rows),
        "settlement": _per_expiry([e.settlement for e in exps], rows),
        "right": _str_column(("C", "P"), (~_call_flags(n_strikes)).view(np.int8)),
        "origin": _str_column((origin,), np.zeros(n, dtype=np.int8)),
    }
    for name, col in zip(_FLOAT_COLUMNS, floats, strict=True):
        data[name] = col
    return pd.DataFrame(data, columns=list(CHAIN_COLUMNS), copy=False)


def _to_frame(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    if not parts:
        return _empty()
    data: dict[str, object] = {}
    for c in CHAIN_COLUMNS:
        col = np.concatenate([p[c] for p in parts]) if len(parts) > 1 else parts[0][c]
        if col.dtype.kind == "U":  # straight to the default string dtype
            data[c] = pd.array(col.astype(object), dtype="str")
        else:
            data[c] = col
    # the column arrays are fresh (built per call), so the frame may own them without a copy
    return pd.DataFrame(data, columns=list(CHAIN_COLUMNS), copy=False)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in CHAIN_COLUMNS})


def _prepare_chains(chains: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in CHAIN_FRAME_COLUMNS if c not in chains.columns]
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
