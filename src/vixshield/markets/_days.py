"""Day numbers, times to settlement and kernel arguments shared by the quote sources."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from types import ModuleType

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray, Settlement
from vixshield.markets import listing
from vixshield.pricing.timeutil import MINUTES_PER_YEAR

__all__ = [
    "day_ts",
    "expiry_day",
    "expiry_days",
    "is_call",
    "kernel_args",
    "quote_kernels",
    "spx_settlement",
    "t_years",
    "t_years_days",
]

_NS_PER_DAY = 86_400_000_000_000  # nanoseconds per calendar day
_MINUTES_PER_DAY = 1440
_CLOSE_MINUTE = 16 * 60  # the as-of time: the 16:00 ET close, minutes after midnight
_AM_MINUTE, _PM_MINUTE = 9 * 60 + 30, 16 * 60  # settlement times, minutes after midnight ET


def quote_kernels() -> ModuleType:
    """The compiled quote kernels (`vixshield.markets._kernels`), imported on first use."""
    from vixshield.markets import _kernels

    return _kernels


def kernel_args(
    k: FloatArray, t: FloatArray, call: np.ndarray
) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """Strikes, times and call flags broadcast to one 1-D shape, contiguous, as the kernels take.

    The kernels' plain-numpy reference (smile/VIX vol, `bsm_price`/`black76_price`,
    their greeks and the spread models) is checked against them in
    ``tests/markets/test_kernels.py``.
    """
    if np.ndim(k) == 1 and np.shape(k) == np.shape(t) == np.shape(call):
        # already one 1-D shape: only the fresh contiguous copies (the result is the same)
        return (
            np.array(k, dtype=np.float64),
            np.array(t, dtype=np.float64),
            np.array(call, dtype=bool),
        )
    kb, tb, cb = np.broadcast_arrays(
        np.asarray(k, dtype=np.float64), np.asarray(t, dtype=np.float64), call.astype(bool)
    )
    # fresh, writable, C-contiguous copies: one compiled signature whatever the input
    return np.array(kb.ravel()), np.array(tb.ravel()), np.array(cb.ravel())


def is_call(right: object) -> bool:
    """True for "C"/"call" (any case)."""
    return str(right).upper().startswith("C")


@lru_cache(maxsize=65536)
def expiry_day(e: object) -> int:
    """Calendar day number since the epoch of a date-like (time of day dropped), memoised."""
    ts = pd.Timestamp(e)  # type: ignore[arg-type]
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return int(ts.as_unit("ns").value // _NS_PER_DAY)


def expiry_days(expiry: Sequence[object]) -> np.ndarray:
    """`expiry_day` of every date-like, as int64 day numbers.

    Time-zone-naive Timestamps (the usual request) are converted in one numpy
    floor division of their ``value`` (always nanoseconds: `expiry_day`'s
    arithmetic), and a request of one expiry (a condor's rows) from the first
    alone; a request with anything else goes through `expiry_day`.
    """
    n = len(expiry)
    first = expiry[0] if n and isinstance(expiry, list | tuple) else None
    if type(first) is pd.Timestamp and first.tzinfo is None and expiry.count(first) == n:
        # every row equals the first: the same instant, so the same day number
        return np.full(n, first.value // _NS_PER_DAY, dtype=np.int64)
    try:  # the naive ones' nanoseconds, in one pass
        ns = [e.value for e in expiry if e.tzinfo is None]  # type: ignore[attr-defined]
    except AttributeError:  # not Timestamps (datetime64, date, str): one at a time
        ns = []
    if len(ns) < n:  # some aware or not Timestamps
        return np.array([expiry_day(e) for e in expiry], dtype=np.int64)
    return np.asarray(np.array(ns, dtype=np.int64) // _NS_PER_DAY, dtype=np.int64)


@lru_cache(maxsize=65536)
def day_ts(day: int) -> pd.Timestamp:
    """The midnight Timestamp of a day number."""
    return pd.Timestamp(day * _NS_PER_DAY)


@lru_cache(maxsize=65536)
def spx_settlement(day: int) -> Settlement:
    """Settlement of the SPX expiration on day number ``day`` (`listing.spx_settlement`)."""
    return listing.spx_settlement(day_ts(day))


def t_years(as_of: pd.Timestamp, day: int, settlement: Settlement) -> float:
    """ACT/365 years from ``as_of``'s close to the settlement of expiry day number ``day``."""
    return listing.t_years_to_settlement(as_of, day_ts(day), settlement)


def t_years_days(as_of_day: int, days: np.ndarray, am: np.ndarray | bool) -> FloatArray:
    """`t_years` of expiry day numbers ``days`` from day number ``as_of_day``'s close, vectorised.

    ``max(dd * 1440 + settle_minute - 960, 0) / 525600`` with ``dd`` the calendar
    days between them and the settlement minute 09:30 (``am``) or 16:00 ET: the
    arithmetic of `listing.t_years_in_days` on exact integers, so the same floats.
    """
    # one settlement time for all (a Python bool): a Python int, the same integers
    settle = (
        (_AM_MINUTE if am else _PM_MINUTE)
        if isinstance(am, bool)
        else np.where(am, _AM_MINUTE, _PM_MINUTE)
    )
    minutes = (np.asarray(days, dtype=np.int64) - as_of_day) * _MINUTES_PER_DAY
    minutes = minutes + (settle - _CLOSE_MINUTE)
    return np.asarray(np.maximum(minutes / MINUTES_PER_YEAR, 0.0), dtype=np.float64)
