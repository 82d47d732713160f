"""Per-date inputs of the markets layer: spot, rate, dividend yield, VIX, VVIX, listings.

`MarketInputs` reads `MarketData.daily` once into numpy columns and answers, for
any trading day, the `DayInputs` every source prices with, and the day's SPX
surface calibration. Every value at a date uses that date's row and earlier
rows only (the rate and the VIX stand-in look back, never forward), so data
after the date never changes it.

Stand-ins, each tagged ``modeled`` in `DayInputs.origins`
----------------------------------------------------------
* VIX missing (before the Cboe history starts): ``clip(1.1 RV21 + 3, 9, 90)``
  from the 21 previous SPX closes.
* VVIX missing or implausible (below 40): `vix_model.vvix_proxy`.
* Rate missing up to the date: the last known rate; 2 % where none yet.
* Dividend yield: the ``div_yield`` column where the data has it (itself a
  modeled series), else the constant `spx_model.DIVIDEND_YIELD`.
* SKEW missing: `spx_model.DEFAULT_SKEW`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from vixshield._typing import BoolArray, FloatArray, Origin
from vixshield.data.market import MarketData
from vixshield.errors import UserError
from vixshield.markets import listing
from vixshield.markets._days import expiry_day
from vixshield.markets.spx_model import (
    DEFAULT_SKEW,
    DIVIDEND_YIELD,
    SpxCalibration,
    calibrate_spx,
)
from vixshield.markets.types import Expiry
from vixshield.markets.vix_model import vvix_proxy, vx_anchor

__all__ = [
    "DEFAULT_RATE",
    "INPUT_KEYS",
    "STAND_INS",
    "VVIX_FLOOR",
    "DailyArrays",
    "DayInputs",
    "MarketInputs",
    "stand_in_rows",
    "vvix_usable",
    "vx_stand_in_days",
]

DEFAULT_RATE = 0.02  # decimal per year, used only where no rate is known up to the date
INPUT_KEYS = ("rate", "q", "vix", "vvix")
"""The inputs `DayInputs.origins` tags, in that order."""
INDEX_COLUMNS = {9: "vix9d", 30: "vix", 93: "vix3m", 182: "vix6m"}
"""Cboe volatility indices by constant maturity (days): the calibration targets."""
_RV_WINDOW = 21  # trading days of SPX returns behind the VIX stand-in
_DAILY_USED = (
    "spx_open",
    "spx_close",
    "spx_set",
    "vix",
    "vix_open",
    "vix9d",
    "vix3m",
    "vix6m",
    "vvix",
    "skew",
    "rate",
    "div_yield",
)


VVIX_FLOOR = 40.0
"""VVIX closes at or below this are implausible: the VVIX stand-in is used instead."""

STAND_INS: dict[str, str] = {
    "vix": "priced and decided on the realised-vol stand-in clip(1.1 x RV21 + 3, 9, 90)",
    "vvix": "VIX options priced with the VVIX stand-in 77.9 + 0.796 x VIX (vix_model.vvix_proxy)",
    "skew": f"SPX surface fitted to the constant SKEW {DEFAULT_SKEW:g}",
    "vix9d": "SPX surface not fitted to a 9-day index: its short end is modeled",
    "vix3m": "SPX surface not fitted to a 3-month index: its term structure is modeled",
    "vix6m": "SPX surface not fitted to a 6-month index: its long end is modeled",
    "vx": "VIX options and the hedge layers priced off the modeled VX term structure",
}
"""The inputs stood in for where a day has no usable value (module notes), and what
stands in: the daily columns, and ``vx`` (the VX futures curve, `vx_stand_in_days`)."""


def vvix_usable(vvix: FloatArray) -> BoolArray:
    """Per row, whether the VVIX close is the data's own: present and above `VVIX_FLOOR`."""
    with np.errstate(invalid="ignore"):
        usable: BoolArray = np.isfinite(vvix) & (vvix > VVIX_FLOOR)
    return usable


def stand_in_rows(daily: pd.DataFrame) -> dict[str, pd.DatetimeIndex]:
    """The rows of ``daily`` on which each input of `STAND_INS` it has is stood in for: no
    value, for the VVIX none above `VVIX_FLOOR` (`DailyArrays.real`), for the VIX9D,
    VIX3M and VIX6M none above 0 (the targets `MarketInputs.calibration` fits)."""
    out: dict[str, pd.DatetimeIndex] = {}
    for col in STAND_INS:
        if col not in daily:
            continue
        values = daily[col].to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            if col == "vvix":
                usable = vvix_usable(values)
            elif col in ("vix9d", "vix3m", "vix6m"):
                usable = np.isfinite(values) & (values > 0)
            else:
                usable = np.isfinite(values)
        if not usable.all():
            out[col] = pd.DatetimeIndex(daily.index[~usable])
    return out


def vx_stand_in_days(vx: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The ``days`` from the first VX futures listing (2004-03-26) on with no real VX
    settlement of a future still to expire in ``vx`` (`MarketData.vx`): on them the whole
    VX curve is the modeled term structure (`vixshield.markets.vix_source`)."""
    listed = days[days >= listing.listing_start("VIX", "futures")]
    if len(vx) == 0 or not {"date", "expiry", "settle"} <= set(vx.columns):
        return pd.DatetimeIndex(listed)
    settle = vx["settle"].to_numpy(dtype=np.float64, na_value=np.nan)
    dates = pd.DatetimeIndex(vx["date"])
    live = np.isfinite(settle) & (pd.DatetimeIndex(vx["expiry"]) > dates)
    real = pd.DatetimeIndex(dates[live]).normalize().unique()
    return pd.DatetimeIndex(listed[~listed.isin(real)])


class DailyArrays:
    """`MarketData.daily` as numpy columns plus a date -> row map (built once).

    ``rate_known`` is the last non-NaN rate up to and including each row
    (NaN where none yet) and ``vix_anchor`` the slow VIX anchor `vx_anchor` of
    the VIX closes up to and including each row (starting at the first close),
    so every value at a row depends only on rows up to it. Columns the data
    lacks are all-NaN.
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

    @cached_property
    def real(self) -> dict[str, BoolArray]:
        """Input (`INPUT_KEYS`) -> per row, whether the day's value is the data's own.

        Elsewhere a stand-in is used (module notes) and the day's origin is
        ``modeled``: the rate where the row has none, the dividend yield always
        (the ``div_yield`` series is itself modeled), the VIX where the row has
        no close, the VVIX where it has none above `VVIX_FLOOR`.
        """
        vvix_real = vvix_usable(self.cols["vvix"])
        return {
            "rate": np.isfinite(self.cols["rate"]),
            "q": np.zeros(len(self.index), dtype=np.bool_),
            "vix": np.isfinite(self.cols["vix"]),
            "vvix": vvix_real,
        }

    @cached_property
    def vix_anchor(self) -> FloatArray:
        """`vx_anchor` of the VIX closes (causal: row i uses rows <= i only), built on first use."""
        return vx_anchor(self.cols["vix"])

    def col(self, name: str, i: int) -> float:
        """Value of column ``name`` at row ``i`` (NaN where unknown)."""
        return float(self.cols[name][i])

    def row(self, ts: pd.Timestamp) -> int | None:
        """Row of the date-time ``ts`` (exact match), None where it is not in the index."""
        if (ts.tzinfo is None) != (self._tz is None):
            return None  # naive and aware times never match
        return self._pos.get(ts.value)


@dataclass(frozen=True)
class DayInputs:
    """What every source prices with on one trading day.

    Attributes
    ----------
    date : Timestamp
        The trading day (midnight).
    row : int
        Its row in `DailyArrays`.
    spot : float
        SPX close, index points.
    rate : float
        Risk-free rate, decimal per year (continuous).
    q : float
        SPX dividend yield, decimal per year (continuous).
    vix, vvix : float
        VIX and VVIX, vol points (stand-ins where missing, see `origins`).
    listed : tuple of Expiry or None
        The SPX expirations listed at the close where given, None to list them
        (`listing.listed_expiries`) on first use of `expiries`: most days are
        marked and never ask.
    origins : dict
        Input name -> "real" or "modeled" (``vix``, ``vvix``, ``rate``, ``q``).
    """

    date: pd.Timestamp
    row: int
    spot: float
    rate: float
    q: float
    vix: float
    vvix: float
    listed: tuple[Expiry, ...] | None
    origins: dict[str, Origin]

    @cached_property
    def expiries(self) -> tuple[Expiry, ...]:
        """SPX expirations listed at the close (``listed``, else the listing rules)."""
        if self.listed is not None:
            return self.listed
        return tuple(listing.listed_expiries(self.date, "SPX"))

    @cached_property
    def day_number(self) -> int:
        """``date`` as whole calendar days since 1970-01-01 (`_days.expiry_day`)."""
        return expiry_day(self.date)

    @property
    def vix_origin(self) -> Origin:
        """Whether the VIX the surface is fitted to is the real close."""
        return self.origins["vix"]


class MarketInputs:
    """Per-date inputs and calibrations of one `MarketData` (cached per date).

    Parameters
    ----------
    data : MarketData
        Daily series (whole history).
    """

    def __init__(self, data: MarketData) -> None:
        self.data = data
        self._arrays: DailyArrays | None = None
        self._days: dict[pd.Timestamp, DayInputs] = {}
        # naive Timestamps asked for -> their day: keyed by the nanoseconds (time of day kept)
        self._by_ns: dict[int, DayInputs] = {}
        self._calib: dict[pd.Timestamp, SpxCalibration] = {}

    @property
    def arrays(self) -> DailyArrays:
        """Numpy view of the daily rows (built on first use, then shared)."""
        if self._arrays is None:
            self._arrays = DailyArrays(self.data.daily)
        return self._arrays

    def day(self, date: pd.Timestamp) -> DayInputs:
        """The inputs of trading day ``date``; a `UserError` naming the data's range otherwise."""
        naive = type(date) is pd.Timestamp and date.tzinfo is None
        if naive:  # the usual call: a naive Timestamp seen before, one dict hit on its value
            cached = self._by_ns.get(date.value)
            if cached is not None:
                return cached
        ts = pd.Timestamp(date).normalize()
        cached = self._days.get(ts)
        if cached is None:
            cached = self._new_day(ts)
            self._days[ts] = cached
        if naive:
            self._by_ns[date.value] = cached
        return cached

    def _new_day(self, ts: pd.Timestamp) -> DayInputs:
        """The inputs of the normalised date ``ts`` (`day`, uncached)."""
        arrays = self.arrays
        i = arrays.row(ts)
        if i is None:
            raise self._not_trading(ts)
        spot = arrays.col("spx_close", i)
        if not np.isfinite(spot):
            raise UserError(f"no SPX close on {ts.date()}")
        real = arrays.real
        origins: dict[str, Origin] = {
            key: "real" if real[key][i] else "modeled" for key in INPUT_KEYS
        }
        known = float(arrays.rate_known[i])
        rate = known if np.isfinite(known) else DEFAULT_RATE
        q = arrays.col("div_yield", i)
        if not np.isfinite(q):
            q = DIVIDEND_YIELD
        vix = arrays.col("vix", i) if real["vix"][i] else self._vix_stand_in(i)
        vvix = arrays.col("vvix", i) if real["vvix"][i] else vvix_proxy(vix)
        return DayInputs(ts, i, spot, rate, q, vix, vvix, None, origins)

    def _not_trading(self, ts: pd.Timestamp) -> UserError:
        """The error for a date that is not a row of the data, naming the data's range."""
        idx = self.arrays.index
        lo, hi = (idx[0].date(), idx[-1].date()) if len(idx) else ("-", "-")
        return UserError(f"{ts.date()} is not a trading day in the data ({lo} .. {hi})")

    def origin_counts(self, dates: pd.DatetimeIndex) -> dict[str, int]:
        """Input (`INPUT_KEYS`) -> on how many of the trading days ``dates`` it was real.

        The count of ``day(d).origins[key] == "real"`` over ``dates``, from the
        rows at once (`DailyArrays.real`) without building a `DayInputs` per
        day; the same `UserError` as `day` for a date that is not a trading day
        or has no SPX close.
        """
        arrays = self.arrays
        days = pd.DatetimeIndex(dates).normalize()
        rows = arrays.index.get_indexer(days) if len(days) else np.zeros(0, dtype=np.intp)
        missing = np.flatnonzero(rows < 0)
        if missing.size:
            raise self._not_trading(days[missing[0]])
        no_close = np.flatnonzero(~np.isfinite(arrays.cols["spx_close"][rows]))
        if no_close.size:
            raise UserError(f"no SPX close on {days[no_close[0]].date()}")
        real = arrays.real
        return {key: int(np.count_nonzero(real[key][rows])) for key in INPUT_KEYS}

    def _vix_stand_in(self, i: int) -> float:
        """``clip(1.1 RV21 + 3, 9, 90)`` from the SPX closes up to row ``i`` (module notes)."""
        hist_close = self.arrays.cols["spx_close"][: i + 1]
        closes = hist_close[~np.isnan(hist_close)][-(_RV_WINDOW + 1) :]
        rv = (
            float(np.std(np.diff(np.log(closes)), ddof=1) * np.sqrt(252) * 100)
            if closes.size > 5
            else 18.0
        )
        return float(np.clip(1.1 * rv + 3.0, 9.0, 90.0))

    def calibrations(self) -> dict[pd.Timestamp, SpxCalibration]:
        """The calibrations computed (or seeded) so far, by trading day (a copy)."""
        return dict(self._calib)

    def seed_calibrations(self, calibrations: Mapping[pd.Timestamp, SpxCalibration]) -> None:
        """Take calibrations computed earlier on the same data (`markets.cache`) as computed."""
        self._calib.update(calibrations)

    def calibration(self, date: pd.Timestamp) -> SpxCalibration:
        """The date's surface calibration (cached): targets, fitted index values, parameters."""
        day = self.day(date)
        cal = self._calib.get(day.date)
        if cal is None:
            arrays = self.arrays
            targets = {30: day.vix}
            for tenor, col in INDEX_COLUMNS.items():
                v = arrays.col(col, day.row)
                if tenor != 30 and np.isfinite(v) and v > 0 and day.vix_origin == "real":
                    targets[tenor] = v
            skew = arrays.col("skew", day.row)
            skew = skew if np.isfinite(skew) else DEFAULT_SKEW
            et = np.array([e.t_years for e in day.expiries])
            cal = calibrate_spx(day.spot, day.rate, targets, skew, et, q=day.q)
            self._calib[day.date] = cal
        return cal
