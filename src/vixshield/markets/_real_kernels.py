"""Numba-compiled kernel of the real chains: a month's option keys in one pass.

Private module of `vixshield.markets.real_source` (`_month_index`): import it lazily
(it pulls in numba). The kernel runs without the GIL (``nogil``): the month read
ahead is indexed on a worker thread (`real_source.RealChains`), where each of the
NumPy passes it replaces would wait for the day loop to hand the GIL back.
``tests/markets/test_real_kernels.py`` checks it against the NumPy expressions of
its docstring.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["BAD_DAYS", "KEYED", "UNKEYED", "month_keys"]

KEYED, UNKEYED, BAD_DAYS = 0, 1, 2
"""`month_keys` outcomes: keys in order, keys out of order, expiries out of range."""

_INT64_MIN = np.int64(-(2**63))
_TWO_63 = 9.223372036854775808e18  # 2**63, exact as a float


@njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
def month_keys(
    ex: np.ndarray,
    strike: np.ndarray,
    put: np.ndarray,
    start: np.ndarray,
    max_day: int,
    max_strike: float,
    scale: float,
    shift: int,
) -> tuple[np.ndarray, int]:
    """Each row's packed key, and whether every date's rows come in key order.

    Parameters
    ----------
    ex : int64 array
        Expiry of each row, days since 1970.
    strike : float64 array
        Strike of each row (index points).
    put : bool array
        Whether each row is a put.
    start : int64 array
        Rows of date ``i`` are ``start[i]:start[i + 1]``.
    max_day, max_strike, scale, shift : int, float, float, int
        Expiries held (``|ex| < max_day``), strikes held (``0 <= strike < max_strike``),
        key units per index point and the key bits below the expiry day.

    Returns
    -------
    keys : int64 array
        ``(ex << shift) | (rint(strike * scale).astype(int64) << 1) | put``, NumPy's
        arithmetic (a strike whose product is NaN or beyond int64 is keyed as
        ``int64`` min, as NumPy's cast gives on x86).
    outcome : int
        `BAD_DAYS` where an expiry is out of range; else `KEYED` where every strike
        is held and, within each date, no key is below the one before it nor, where
        the two keys are 0 or 1 apart (one expiry and key strike), the strike; else
        `UNKEYED`.
    """
    n = ex.size
    keys = np.empty(n, dtype=np.int64)
    days_ok = True
    strikes_ok = True
    for i in range(n):
        e = ex[i]
        if not (e > -max_day and e < max_day):
            days_ok = False
        s = strike[i]
        if not (s >= 0.0 and s < max_strike):
            strikes_ok = False
        v = np.rint(s * scale)
        k = np.int64(v) if (v >= -_TWO_63 and v < _TWO_63) else _INT64_MIN
        keys[i] = (e << shift) | (k << 1) | np.int64(put[i])
    if not days_ok:
        return keys, BAD_DAYS
    if not strikes_ok:
        return keys, UNKEYED
    for d in range(start.size - 1):
        for i in range(start[d] + 1, start[d + 1]):
            dk = keys[i] - keys[i - 1]
            if dk < 0 or (dk < 2 and strike[i] < strike[i - 1]):
                return keys, UNKEYED
    return keys, KEYED
