"""Day numbers, times to settlement and kernel arguments shared by the quote sources."""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray, Settlement
from vixshield.markets import listing

__all__ = [
    "day_ts",
    "expiry_day",
    "is_call",
    "kernel_args",
    "quote_kernels",
    "spx_settlement",
    "t_years",
]

_NS_PER_DAY = 86_400_000_000_000  # nanoseconds per calendar day


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
