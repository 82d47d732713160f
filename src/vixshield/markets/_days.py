"""Day numbers, times to settlement and kernel arguments shared by the quote sources."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import groupby
from types import ModuleType
from typing import NamedTuple

import numpy as np
import pandas as pd

from vixshield._daynumber import NS_PER_DAY, day_number
from vixshield._typing import FloatArray, Settlement
from vixshield.markets import listing
from vixshield.markets.types import QuoteBlock
from vixshield.pricing.timeutil import MINUTES_PER_YEAR

__all__ = [
    "DayRuns",
    "day_ts",
    "expand_runs",
    "expiry_day",
    "expiry_days",
    "expiry_runs",
    "is_call",
    "kernel_args",
    "live_block",
    "quote_kernels",
    "spx_settlement",
    "t_years",
    "t_years_days",
]

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


def live_block(o: FloatArray, t: FloatArray) -> QuoteBlock:
    """The modeled `QuoteBlock` of a quote kernel's rows ``o`` (`_kernels.QUOTE_ROWS`), all live.

    ``o`` holds forward, iv, mid, bid, ask, delta, gamma, vega, theta; ``t`` the
    times to settlement (years, all positive): the arrays a source returns where
    no row is at or past expiry.
    """
    return QuoteBlock(o[3], o[4], o[2], o[1], o[5], o[6], o[7], o[8], o[0], t, "modeled")


def is_call(right: object) -> bool:
    """True for "C"/"call" (any case)."""
    return str(right).upper().startswith("C")


@lru_cache(maxsize=65536)
def expiry_day(e: object) -> int:
    """`vixshield._daynumber.day_number` of a date-like, memoised."""
    return day_number(e)  # type: ignore[arg-type]


class DayRuns(NamedTuple):
    """Expiry day numbers of a request's rows, and its runs of consecutive equal days."""

    days: np.ndarray
    """int64 day number of every row."""
    run_days: list[int]
    """The day number of each run of consecutive rows with one expiry day."""
    run_lengths: list[int]
    """Rows in each run (they sum to ``len(days)``)."""


def expiry_days(expiry: Sequence[object]) -> np.ndarray:
    """`expiry_day` of every date-like, as int64 day numbers (`expiry_runs`)."""
    return expiry_runs(expiry).days


def expiry_runs(expiry: Sequence[object]) -> DayRuns:
    """`expiry_day` of every date-like as int64 day numbers, with their runs.

    A request's rows come in runs of one expiry (a grid's strikes, a condor's
    legs), usually the same object repeated: each run's day number is found once
    (naive Timestamps by a floor division of their ``value``, always nanoseconds:
    `expiry_day`'s arithmetic; anything else through `expiry_day`) and the
    sources time and price each expiry once.
    """
    seq = expiry if isinstance(expiry, list | tuple) else list(expiry)
    n = len(seq)
    first = seq[0] if n else None
    if (
        type(first) is pd.Timestamp
        and first.tzinfo is None
        and seq[-1] is first
        and seq.count(first) == n
    ):
        # every row equal to a naive Timestamp: the same instant, so the same day number
        one = first.value // NS_PER_DAY
        return DayRuns(np.full(n, one, dtype=np.int64), [one], [n])
    days: list[int] = []
    lengths: list[int] = []
    for _, group in groupby(seq, id):  # runs of one object, by identity (all alive in seq)
        run = list(group)
        e, m = run[0], len(run)
        naive = type(e) is pd.Timestamp and e.tzinfo is None
        d = e.value // NS_PER_DAY if naive else expiry_day(e)
        if days and days[-1] == d:  # equal neighbouring days (other objects): one run
            lengths[-1] += m
        else:
            days.append(d)
            lengths.append(m)
    if len(days) == 1:
        return DayRuns(np.full(n, days[0], dtype=np.int64), days, lengths)
    return DayRuns(np.repeat(np.array(days, dtype=np.int64), lengths), days, lengths)


def expand_runs(values: list[float], runs: DayRuns) -> FloatArray:
    """One float per run of ``runs`` -> one per row (``np.repeat``), as float64."""
    if len(values) == 1:
        return np.full(len(runs.days), values[0], dtype=np.float64)
    return np.repeat(np.array(values, dtype=np.float64), runs.run_lengths)


@lru_cache(maxsize=65536)
def day_ts(day: int) -> pd.Timestamp:
    """The midnight Timestamp of a day number."""
    return pd.Timestamp(day * NS_PER_DAY)


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
