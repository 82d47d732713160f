"""Plain-Python pricing of a few options at a time (no numba).

The compiled kernels (`vixshield.pricing._kernels`) cost about 0.9 s per process before
their first result (importing numba 0.4 s, loading the cached machine code 0.5 s), and a
call on a handful of options costs more in numba's dispatch than in the arithmetic. A
daily loop that prices a few dozen legs a day (the liquidity shock) is faster here, and a
process that needs no other kernel never imports numba.

`price_one` is the only copy of the price formula: the compiled kernels are this
function compiled (``njit(price_one)``, without fast math, so without fused
multiply-adds), and `math`'s ``exp``, ``log``, ``sqrt`` and ``erfc`` are the C
library's, as in numba. The two paths therefore give the same prices bit for bit
(tests/pricing/test_python_kernels.py checks it over random and edge inputs).

Units: ``T`` in years ACT/365, rates continuously compounded per year, ``sigma`` per
sqrt(year); prices in the units of ``S`` and ``K``.
"""

from __future__ import annotations

import math

import numpy as np

from vixshield._typing import FloatArray

__all__ = ["SMALL_N", "price_one", "price_small"]

SMALL_N = 4096
"""Options per call up to which `price_small` is used while numba is not loaded.

Measured on this project's 2-core machine: a compiled call costs about 3 us plus 0.09 us
per option once numba is loaded, which costs about 0.9 s per process; this module about
1.8 us per option. A day's shock prices a few dozen legs (median 24 in the embedded
backtest) and the report's risk graph about 1,600 options at a time (the book's legs
over its SPX grid: 3 ms here), so a backtest whose other results are read from its
memos pays milliseconds here against 0.9 s to load numba. The bound caps what a process
that does load numba later loses: at most about 7 ms a call."""

_INV_SQRT2 = 0.7071067811865476  # 1/sqrt(2)


def price_one(S: float, K: float, T: float, r: float, q: float, sigma: float, w: float) -> float:
    """Generalised BSM price of one option (``w = 1`` call, ``-1`` put).

    Notes
    -----
    ``V = e^{-rT} w [F N(w d1) - K N(w d2)]`` with ``F = S e^{(r-q)T}``,
    ``d1,2 = (ln(F/K) +- sigma^2 T / 2) / (sigma sqrt T)``; ``N(x) = erfc(-x / sqrt 2) / 2``.
    The payoff ``e^{-rT} max(w (F - K), 0)`` where ``sigma sqrt T = 0``; NaN where it is
    negative. Black-76 is ``q = r`` (then ``F = S``).
    """
    F = S * math.exp((r - q) * T)
    D = math.exp(-r * T)
    sd = sigma * math.sqrt(T)
    if sd > 0.0:
        d1 = (math.log(F / K) + 0.5 * sd * sd) / sd
        d2 = d1 - sd
        n1 = 0.5 * math.erfc(-(w * d1) * _INV_SQRT2)
        n2 = 0.5 * math.erfc(-(w * d2) * _INV_SQRT2)
        return D * w * (F * n1 - K * n2)
    if sd == 0.0:
        return D * max(w * (F - K), 0.0)
    return math.nan


def price_small(
    S: FloatArray,
    K: FloatArray,
    T: FloatArray,
    r: FloatArray,
    q: FloatArray,
    sig: FloatArray,
    call: np.ndarray,
    n: int,
) -> FloatArray | None:
    """`price_one` over ``n`` options; each argument has length ``n`` or 1 (broadcast).

    The arguments and the result are those of the compiled ``price_serial``. None where
    Python's `math` raises instead of giving an IEEE inf or NaN (a strike or forward of
    0 or less, a division by zero, an overflow): the compiled kernels, whose error model
    is numpy's, give those prices.
    """
    cols = [a.tolist() if len(a) == n else a.tolist() * n for a in (S, K, T, r, q, sig)]
    flags = call.tolist() if len(call) == n else call.tolist() * n
    try:
        prices = [
            price_one(s, k, t, rr, qq, v, 1.0 if c else -1.0)
            for s, k, t, rr, qq, v, c in zip(*cols, flags, strict=True)
        ]
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return np.array(prices, dtype=np.float64)
