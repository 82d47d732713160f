"""The VX futures curve and modeled VIX options (Black-76 on the future of the same expiry).

The curve takes the real CFE settlements quoted on the date and models the
listed expiries they lack (`vix_model`: the term-structure model off
VIX/VIX3M/VIX6M where VIX is real and VIX3M or VIX6M is known, else the
two-factor model around the causal anchor); every point carries its origin.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, cast

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray
from vixshield.markets import listing
from vixshield.markets._days import (
    DayRuns,
    day_ts,
    expand_runs,
    expiry_day,
    kernel_args,
    live_block,
    quote_kernels,
    t_years_days,
)
from vixshield.markets.frames import call_flags, chain_frame, empty_chain
from vixshield.markets.inputs import DayInputs, MarketInputs
from vixshield.markets.spx_source import SettlementFn
from vixshield.markets.types import Expiry, QuoteBlock
from vixshield.markets.vix_model import (
    TS_NODE_COLUMNS,
    vix_option_vol,
    vx_mean_reversion,
    vx_term_structure,
)

__all__ = ["ModeledVix", "VxCurve", "vix_strikes"]

_TimeUnit = Literal["s", "ms", "us", "ns"]


@dataclass(frozen=True)
class VxCurve:
    """One date's VX curve: expiries (day numbers, sorted), values (vol points), origins.

    Pickled compactly (the market cache holds one per trading day): as lists of day
    numbers and values where every expiry is the midnight ``ns`` Timestamp of its day
    number, rebuilt as equal arrays and Timestamps; as its fields otherwise.
    """

    days: np.ndarray
    expiry: tuple[pd.Timestamp, ...]
    value: FloatArray
    origin: tuple[str, ...]

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        days = self.days.tolist()
        midnights = len(days) == len(self.expiry) and all(
            type(e) is pd.Timestamp and e.tzinfo is None and e == _midnight(d, e.unit)
            for e, d in zip(self.expiry, days, strict=True)
        )
        if midnights and self.days.dtype == np.int64 and self.value.dtype == np.float64:
            units = tuple(e.unit for e in self.expiry)
            return _compact_curve, (days, self.value.tolist(), self.origin, units)
        return VxCurve, (self.days, self.expiry, self.value, self.origin)


@lru_cache(maxsize=65536)
def _midnight(day: int, unit: str) -> pd.Timestamp:
    """The midnight Timestamp of a day number, in ``unit`` (shared: Timestamps are immutable)."""
    return day_ts(day).as_unit(cast(_TimeUnit, unit))


def _compact_curve(
    days: list[int], values: list[float], origin: tuple[str, ...], units: tuple[str, ...]
) -> VxCurve:
    """The `VxCurve` a compact pickle holds (`VxCurve.__reduce__`)."""
    return VxCurve(
        np.array(days, dtype=np.int64),
        tuple(map(_midnight, days, units)),
        np.array(values, dtype=np.float64),
        origin,
    )


def vix_strikes(f: float) -> FloatArray:
    """VIX option strikes: 1 point from max(9, F/2) to 50, 2.5 points to 80, 5 points to 3F.

    ``np.arange(lo, min(50, hi) + 1, 1)``, ``np.arange(52.5, min(80, hi) + 2.5, 2.5)`` and
    ``np.arange(85, hi + 5, 5)`` with ``lo = max(9, floor(F / 2))``, ``hi = max(3F, 30)``,
    concatenated. The grid depends on ``F`` only through ``lo`` and the three lengths,
    so it is built once per such key (cached; the array is shared and read-only).
    """
    if not math.isfinite(f):  # the reference's answer (an empty part, or numpy's error)
        return _vix_strikes_numpy(f)
    lo = max(9.0, float(math.floor(0.5 * f)))
    hi = max(3.0 * f, 30.0)
    return _strike_grid(
        lo,
        _arange_len(lo, min(50.0, hi) + 1.0, 1.0),
        _arange_len(52.5, min(80.0, hi) + 2.5, 2.5),
        _arange_len(85.0, hi + 5.0, 5.0),
    )


def _vix_strikes_numpy(f: float) -> FloatArray:
    """`vix_strikes` as three ``np.arange`` (the reference the cached grid reproduces)."""
    lo = max(9.0, float(np.floor(0.5 * f)))
    hi = max(3.0 * f, 30.0)
    one = np.arange(lo, min(50.0, hi) + 1.0, 1.0)
    two = np.arange(52.5, min(80.0, hi) + 2.5, 2.5)
    five = np.arange(85.0, hi + 5.0, 5.0)
    return np.asarray(np.concatenate([one, two, five]), dtype=np.float64)


def _arange_len(start: float, stop: float, step: float) -> int:
    """Length of ``np.arange(start, stop, step)``: ``ceil((stop - start) / step)``, at least 0."""
    return max(math.ceil((stop - start) / step), 0)


@lru_cache(maxsize=1024)
def _strike_grid(lo: float, n_one: int, n_two: int, n_five: int) -> FloatArray:
    """`vix_strikes`' grid of ``lo`` and its three lengths (arange's values ``start + i step``)."""
    one = np.arange(n_one) * 1.0 + lo
    two = 52.5 + 2.5 * np.arange(n_two)
    five = 85.0 + 5.0 * np.arange(n_five)
    grid = np.asarray(np.concatenate([one, two, five]), dtype=np.float64)
    grid.setflags(write=False)  # cached: shared between calls
    return grid


class ModeledVix:
    """VX curve and modeled VIX options of one `MarketInputs` (curves cached per date)."""

    def __init__(self, inputs: MarketInputs, settle: SettlementFn) -> None:
        self._inputs = inputs
        self._settle = settle
        self._curves: dict[pd.Timestamp, VxCurve] = {}
        self._vx_by_date: dict[pd.Timestamp, tuple[np.ndarray, FloatArray]] | None = None
        # the last (day, curve) served: a `DayInputs` is immutable, so the same object
        # asks for the same curve (held here, so its identity is not reused meanwhile)
        self._last: tuple[DayInputs, VxCurve] | None = None
        self._lut: tuple[VxCurve, dict[int, float]] | None = None  # a curve's day -> value

    def _vx_rows(self, date: pd.Timestamp) -> tuple[np.ndarray, FloatArray] | None:
        """Real VX settlements quoted on ``date``: expiries (datetime64) and settles, file order."""
        if self._vx_by_date is None:
            vx = self._inputs.data.vx
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

    def curves(self) -> dict[pd.Timestamp, VxCurve]:
        """The curves built (or seeded) so far, by trading day (a copy)."""
        return dict(self._curves)

    def seed_curves(self, curves: Mapping[pd.Timestamp, VxCurve]) -> None:
        """Take curves built earlier on the same data (`markets.cache`) as built."""
        self._curves.update(curves)
        self._last = None  # a date's curve may be replaced

    def curve(self, day: DayInputs) -> VxCurve:
        """The date's VX curve (cached): real settlements, listed gaps modeled."""
        last = self._last
        if last is not None and last[0] is day:  # the usual call: the day asked for last
            return last[1]
        cached = self._curves.get(day.date)
        if cached is None:
            cached = self._build_curve(day)
        self._last = (day, cached)
        return cached

    def _build_curve(self, day: DayInputs) -> VxCurve:
        """`curve` of a date not built yet (stored in the cache)."""
        real = self._vx_rows(day.date)
        exps = [e.date for e in listing.listed_expiries(day.date, "VIX", kind="futures")]
        rows: dict[pd.Timestamp, tuple[float, str]] = {}
        if real is not None:
            for e, v in zip(real[0], real[1], strict=True):
                if pd.Timestamp(e) > day.date and np.isfinite(v):
                    rows[pd.Timestamp(e).normalize()] = (float(v), "real")
        missing = [e for e in exps if e not in rows]
        if missing:
            t = np.array([(e - day.date).days / 365.0 for e in missing])
            for e, v in zip(missing, self._model(day, t), strict=True):
                rows[e] = (float(v), "modeled")
        ordered = sorted(rows)
        curve = VxCurve(
            np.array([expiry_day(e) for e in ordered], dtype=np.int64),
            tuple(ordered),
            np.array([rows[e][0] for e in ordered], dtype=np.float64),
            tuple(rows[e][1] for e in ordered),
        )
        self._curves[day.date] = curve
        return curve

    def _model(self, day: DayInputs, t: FloatArray) -> FloatArray:
        """Modeled VX futures (vol points) at times to expiry ``t`` (years): module notes."""
        arrays = self._inputs.arrays
        i = day.row
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

    def _points(self, day: DayInputs) -> dict[int, float]:
        """The finite points of the date's curve, day number -> value (NaN ones: as missing)."""
        c = self.curve(day)
        lut = self._lut
        if lut is None or lut[0] is not c:
            pts = zip(c.days.tolist(), c.value.tolist(), strict=True)
            lut = self._lut = (c, {d: v for d, v in pts if v == v})
        return lut[1]

    def futures(self, day: DayInputs, want: np.ndarray) -> FloatArray:
        """VX futures of the expiries given as day numbers: the curve, else the model."""
        points = self._points(day)
        days = np.asarray(want).tolist()
        try:  # the usual request: every expiry on the curve
            return np.array(list(map(points.__getitem__, days)), dtype=np.float64)
        except KeyError:  # an expiry off the curve: modeled
            out = np.array([points.get(w, np.nan) for w in days], dtype=np.float64)
            t = np.maximum((want - day.day_number) / 365.0, 0.0)
            return np.where(np.isnan(out), self._model(day, t), out)

    def chain(self, day: DayInputs, exps: Sequence[Expiry]) -> pd.DataFrame:
        """The chain of ``exps`` (strikes `vix_strikes` of each future), one kernel call.

        Reference (numpy, checked in ``tests/markets/test_kernels.py`` and
        ``test_chain_table.py``): `vix_option_vol`, `black76_price`,
        `vix_option_bid_ask`, `black76_greeks`.
        """
        if not exps:
            return empty_chain()
        f = self.futures(day, np.array([expiry_day(e.date) for e in exps]))
        grids = [vix_strikes(float(fi)) for fi in f]
        n_strikes = np.array([g.size for g in grids], dtype=np.int64)
        rows = 2 * n_strikes
        k = np.concatenate([np.concatenate([g, g]) for g in grids])
        t = np.repeat(np.array([e.t_years for e in exps], dtype=np.float64), rows)
        ff = np.repeat(f, rows)
        call = call_flags(n_strikes)
        # the model vols per expiry (a scalar T), exactly as the numpy reference computes them
        iv = np.concatenate(
            [
                vix_option_vol(np.concatenate([g, g]), fi, e.t_years, day.vvix)
                for g, fi, e in zip(grids, f.tolist(), exps, strict=True)
            ]
        )
        o = quote_kernels().vix_quotes_at(day.rate, day.vvix, ff, k, t, call, iv)
        # rows of o: forward, iv, mid, bid, ask, delta, gamma, vega, theta (QUOTE_ROWS)
        cols = (k, o[3], o[4], o[2], o[1], o[5], o[6], o[7], o[8], t, ff)
        return chain_frame(exps, n_strikes, cols, "modeled")

    def quote(self, day: DayInputs, runs: DayRuns, k: FloatArray, call: np.ndarray) -> QuoteBlock:
        """Quotes of options (expiry day numbers and their runs: `_days.expiry_runs`).

        Expired ones at intrinsic value. Each run's time and future are found once.
        """
        ed = runs.days
        n = ed.shape[0]
        times = [listing.t_years_in_days(d - day.day_number, "AM") for d in runs.run_days]
        if n and min(times) > 0.0 and k.shape == (n,) and call.shape == (n,):
            # every expiry live: every row priced, none at intrinsic value
            points = self._points(day)
            fs = [points.get(d) for d in runs.run_days]
            f = self.futures(day, ed) if None in fs else expand_runs(fs, runs)  # type: ignore[arg-type]
            f.setflags(write=False)  # as a broadcast view (the kernel's compiled signature)
            t = expand_runs(times, runs)
            kk, cc = np.array(k, dtype=np.float64), np.array(call, dtype=bool)
            o = quote_kernels().vix_quotes(day.rate, day.vvix, f, kk, t, cc)
            return live_block(o, t)  # its forward row: the futures f
        t = t_years_days(day.day_number, ed, True)
        live = t > 0
        tl = np.where(live, t, 1.0)
        f = self.futures(day, ed)
        kk, tt, cc = kernel_args(k, tl, call)
        o = quote_kernels().vix_quotes(day.rate, day.vvix, np.broadcast_to(f, kk.shape), kk, tt, cc)
        iv, mid, bid, ask = o[1], o[2], o[3], o[4]
        g = {"delta": o[5], "gamma": o[6], "vega": o[7], "theta": o[8]}
        if not live.all():
            ref = np.array([self._settle("VIX", day_ts(int(e)), "VIX")[0] for e in ed])
            intr = np.maximum(np.where(call, ref - k, k - ref), 0.0)
            mid, bid, ask = (np.where(live, a, intr) for a in (mid, bid, ask))
            for key in ("delta", "gamma", "vega", "theta"):
                g[key] = np.where(live, g[key], 0.0)
        return QuoteBlock(
            bid, ask, mid, iv, g["delta"], g["gamma"], g["vega"], g["theta"],
            f, np.where(live, t, 0.0), "modeled",
        )  # fmt: skip

    def grid_quotes(
        self, day: DayInputs, days: Sequence[int], call: bool
    ) -> tuple[FloatArray, tuple[int, ...], QuoteBlock] | None:
        """Every strike of each expiry (day numbers ``days``, distinct) and their quotes.

        Each expiry's grid is `strikes`' (`vix_strikes` of its future on the curve), and
        the quotes are `quote`'s of the grids one after the other: the same kernel call
        on the same arrays, without the request's run detection. Returns (strikes,
        row edges of each expiry, quotes), or None where an expiry's future is off the
        curve or its settlement is not after the close (`strikes` and `quote` answer).
        """
        points = self._points(day)
        fs = [points.get(d) for d in days]
        times = [listing.t_years_in_days(d - day.day_number, "AM") for d in days]
        if not fs or None in fs or min(times) <= 0.0:
            return None
        grids = [vix_strikes(fi) for fi in fs]  # type: ignore[arg-type]
        lengths = [g.size for g in grids]
        edges = (0, *itertools.accumulate(lengths))
        k = np.concatenate(grids)
        if len(fs) == 1:
            f = np.full(k.size, fs[0], dtype=np.float64)
            t = np.full(k.size, times[0], dtype=np.float64)
        else:
            f = np.repeat(np.array(fs, dtype=np.float64), lengths)
            t = np.repeat(np.array(times, dtype=np.float64), lengths)
        f.setflags(write=False)  # as `quote`'s (the kernel's compiled signature)
        cc = np.full(k.size, call, dtype=bool)
        o = quote_kernels().vix_quotes(day.rate, day.vvix, f, k, t, cc)  # (reads k only)
        return k, edges, live_block(o, t)

    def strikes(self, day: DayInputs, expiry: Expiry) -> FloatArray:
        """The strike grid of one expiry around its future (`vix_strikes`)."""
        d = expiry_day(expiry.date)
        f = self._points(day).get(d)  # on the curve, else the model
        return vix_strikes(f if f is not None else float(self.futures(day, np.array([d]))[0]))
