"""Numba-compiled pricing kernels (prices, greeks, implied volatility).

Private module: import it lazily (it pulls in numba). The public, broadcasting
wrappers live in :mod:`vixshield.pricing.black` and
:mod:`vixshield.pricing.implied`; the plain-numpy reference the kernels are
tested against is :mod:`vixshield.pricing.reference`.

Every driver takes seven 1-D arrays (``S, K, T, r, q, sigma, call`` for prices
and greeks, ``price, S, K, T, r, q, call`` for implied vols), each of length
``n`` or 1 (a length-1 array is broadcast: its stride is 0), and returns fresh
arrays. Black-76 is the same model with ``q = r`` (so the forward is ``F = S``)
and, for rho only, ``black76=True`` (the forward is held fixed when the rate
moves).

All kernels use ``error_model="numpy"``: a division by zero gives inf/NaN as in
IEEE arithmetic instead of raising, identically in the serial and the
multi-threaded drivers; the code then treats non-finite values explicitly.

Units: ``T`` in years ACT/365, rates continuously compounded per year, ``sigma``
per sqrt(year). Greeks are returned in raw units (per 1.0 of vol, per year,
per 1.0 of rate); the wrapper scales them.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from vixshield.pricing import _python

__all__ = [
    "IV_ABOVE_UPPER_BOUND",
    "IV_BELOW_INTRINSIC",
    "IV_NON_POSITIVE_INPUT",
    "IV_NO_CONVERGENCE",
    "IV_OK",
    "N_GREEKS",
    "greeks_parallel",
    "greeks_serial",
    "iv_parallel",
    "iv_serial",
    "price_parallel",
    "price_serial",
]

_INV_SQRT2 = 0.7071067811865476  # 1/sqrt(2)
_INV_SQRT_2PI = 0.3989422804014327  # 1/sqrt(2*pi)
_IV_MAX_ITER = 100  # safeguarded Halley iterations; 3-8 are typical
# Convergence, as fractions of s = sigma sqrt(T): a Halley step below _IV_HALLEY_TOL is the
# last one (error then ~ tol^3); a Newton step below _IV_REL_TOL likewise (error ~ tol^2).
_IV_HALLEY_TOL = 1e-5
_IV_REL_TOL = 1e-10

# Implied-volatility status codes (mirrored by vixshield.pricing.implied.IVStatus).
IV_OK = 0
IV_BELOW_INTRINSIC = 1
IV_ABOVE_UPPER_BOUND = 2
IV_NON_POSITIVE_INPUT = 3
IV_NO_CONVERGENCE = 4

N_GREEKS = 8  # delta, gamma, vega, theta, rho, vanna, volga, charm (raw units)


@njit(cache=True, fastmath=False, error_model="numpy")
def _ncdf(x: float) -> float:
    return 0.5 * math.erfc(-x * _INV_SQRT2)


_price_one = njit(cache=True, fastmath=False, error_model="numpy")(_python.price_one)
"""The price of one option, compiled from the plain-Python `vixshield.pricing._python.price_one`."""


@njit(cache=True, fastmath=False, error_model="numpy")
def _greeks_one(
    S: float,
    K: float,
    T: float,
    r: float,
    q: float,
    sigma: float,
    w: float,
    black76: bool,
    out: np.ndarray,
    i: int,
) -> None:
    # Generalised BSM with cost of carry b = r - q (Haug 2007, ch. 2.1); Black-76 is b = 0.
    b = r - q
    cq = math.exp(-q * T)
    dr = math.exp(-r * T)
    sqt = math.sqrt(T)
    sd = sigma * sqt
    if sd > 0.0:
        d1 = (math.log(S / K) + (b + 0.5 * sigma * sigma) * T) / sd
        d2 = d1 - sd
        n1 = _ncdf(w * d1)
        n2 = _ncdf(w * d2)
        pdf = _INV_SQRT_2PI * math.exp(-0.5 * d1 * d1)
        gamma = cq * pdf / (S * sd)
        vega = S * cq * pdf * sqt
        theta_pdf = -S * cq * pdf * sigma / (2.0 * sqt)
        vanna = -cq * pdf * d2 / sigma
        volga = vega * d1 * d2 / sigma
        charm_pdf = -cq * pdf * (b / sd - d2 / (2.0 * T))
    elif sd == 0.0:
        # Limit of the payoff: N(w d) -> 1 in the money, 0 out of it, 1/2 at the money.
        m = w * (S * math.exp(b * T) - K)
        n1 = 1.0 if m > 0.0 else (0.0 if m < 0.0 else 0.5)
        n2 = n1
        gamma = vega = theta_pdf = vanna = volga = charm_pdf = 0.0
    else:
        for j in range(N_GREEKS):
            out[j, i] = math.nan
        return
    price = w * (S * cq * n1 - K * dr * n2)
    out[0, i] = w * cq * n1
    out[1, i] = gamma
    out[2, i] = vega
    out[3, i] = theta_pdf + w * q * S * cq * n1 - w * r * K * dr * n2
    out[4, i] = -T * price if black76 else w * K * T * dr * n2
    out[5, i] = vanna
    out[6, i] = volga
    out[7, i] = w * q * cq * n1 + charm_pdf


@njit(cache=True, fastmath=False, error_model="numpy")
def _nblack(x: float, s: float, ex: float, emx: float) -> float:
    """Normalised OTM call ``b(x, s)`` for ``x <= 0`` (Jaeckel's notation)."""
    h = x / s
    t = 0.5 * s
    return ex * _ncdf(h + t) - emx * _ncdf(h - t)


@njit(cache=True, fastmath=False, error_model="numpy")
def _nblack_complement(x: float, s: float, ex: float, emx: float) -> float:
    """``exp(x/2) - b(x, s)`` computed without cancellation."""
    h = x / s
    t = 0.5 * s
    return ex * _ncdf(-h - t) + emx * _ncdf(h - t)


@njit(cache=True, fastmath=False, error_model="numpy")
def _solve_normalised(x: float, beta: float) -> tuple[float, int]:
    """Solve ``b(x, s) = beta`` for ``s = sigma sqrt(T)``, ``x <= 0``, ``0 < beta < e^{x/2}``.

    Safeguarded Halley iteration with a bisection bracket. Below the inflection
    point ``s_c = sqrt(-2x)`` the objective is ``ln b(s) - ln beta``; above it,
    ``ln(e^{x/2} - b(s)) - ln(e^{x/2} - beta)``. Both are monotone in ``s`` on the
    whole half-line, so the bracket always holds the unique root.
    """
    ex = math.exp(0.5 * x)
    emx = math.exp(-0.5 * x)
    s_c = math.sqrt(-2.0 * x)
    b_c = _nblack(x, s_c, ex, emx) if s_c > 0.0 else 0.0
    lower = beta < b_c
    if lower:
        lo = 0.0
        hi = s_c
        target = math.log(beta)
        # Deep OTM asymptote ln b ~ -x^2 / (2 s^2) gives a guess left of the root.
        s = -x / math.sqrt(-2.0 * target)
        # Refine with the Mills-ratio asymptote
        # ln b ~ -x^2/(2s^2) - s^2/8 + ln(s^3/(x^2 sqrt(2 pi))).
        for _ in range(2):
            arg = math.log(s * s * s / (x * x) * _INV_SQRT_2PI) - 0.125 * s * s - target
            if arg > 0.0:
                s = -x / math.sqrt(2.0 * arg)
        # Brenner-Subrahmanyam s ~ beta sqrt(2 pi) is also below the root (b(x, s) <= b(0, s)).
        s = max(s, beta * 2.5066282746310002)
        if not (s < hi):
            s = 0.5 * hi
    else:
        lo = s_c
        hi = math.inf
        target = math.log(ex - beta)
        # Brenner-Subrahmanyam (at the money, b ~ s / sqrt(2 pi)) as a first guess.
        s = max(s_c, beta * 2.5066282746310002)
        if s <= 0.0:
            s = 1e-3
    for _ in range(_IV_MAX_ITER):
        h = x / s
        t = 0.5 * s
        b1 = _INV_SQRT_2PI * math.exp(-0.5 * (h * h + t * t))  # db/ds
        b2 = b1 * (h * h / s - 0.25 * s)  # d2b/ds2 = b1 (x^2 / s^3 - s / 4)
        f1 = 0.0
        f2 = 0.0
        if lower:
            b = _nblack(x, s, ex, emx)
            if b <= 0.0:
                f = -math.inf
            else:
                f = math.log(b) - target
                f1 = b1 / b
                f2 = b2 / b - f1 * f1
            increasing = True
        else:
            c = _nblack_complement(x, s, ex, emx)
            if c <= 0.0:
                f = -math.inf
            else:
                f = math.log(c) - target
                f1 = -b1 / c
                f2 = -b2 / c - f1 * f1
            increasing = False
        if f == 0.0:
            return s, IV_OK
        too_high = (f > 0.0) == increasing
        if too_high:
            hi = s
        else:
            lo = s
        if math.isfinite(f) and f1 != 0.0 and math.isfinite(f1):
            newton = -f / f1
            if abs(newton) <= _IV_REL_TOL * s:
                return s + newton, IV_OK
            denom = 1.0 + 0.5 * newton * f2 / f1
            # Halley's correction only where it is modest; far from the root use Newton.
            halley = 0.5 < denom < 2.0
            s_new = s + (newton / denom if halley else newton)
            if lo < s_new < hi:
                if halley and abs(newton) <= _IV_HALLEY_TOL * s:
                    return s_new, IV_OK  # cubic convergence: the error is now ~ tol^3
                s = s_new
                continue
        if math.isfinite(hi):
            if hi - lo <= 4e-16 * hi:
                return 0.5 * (lo + hi), IV_OK
            s = 0.5 * (lo + hi)
        else:
            s = 2.0 * max(lo, s)
    return math.nan, IV_NO_CONVERGENCE


@njit(cache=True, fastmath=False, error_model="numpy")
def _iv_one(
    price: float, S: float, K: float, T: float, r: float, q: float, w: float
) -> tuple[float, int]:
    F = S * math.exp((r - q) * T)
    D = math.exp(-r * T)
    ok = F > 0.0 and K > 0.0 and T > 0.0 and D > 0.0 and price == price
    if not ok or math.isinf(F) or math.isinf(K) or math.isinf(T) or math.isinf(price):
        return math.nan, IV_NON_POSITIVE_INPUT
    p = price / D
    if w > 0.0:
        intrinsic = max(F - K, 0.0)
        upper = F
    else:
        intrinsic = max(K - F, 0.0)
        upper = K
    if p < intrinsic:
        return math.nan, IV_BELOW_INTRINSIC
    if p >= upper:
        return math.nan, IV_ABOVE_UPPER_BOUND
    tv = p - intrinsic
    if tv <= 0.0:
        return 0.0, IV_OK
    x = -abs(math.log(F / K))
    beta = tv / math.sqrt(F * K)
    if beta >= math.exp(0.5 * x):
        return math.nan, IV_ABOVE_UPPER_BOUND
    s, status = _solve_normalised(x, beta)
    return s / math.sqrt(T), status


@njit(cache=True, fastmath=False, error_model="numpy")
def _steps(
    S: np.ndarray,
    K: np.ndarray,
    T: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    v: np.ndarray,
    c: np.ndarray,
) -> tuple[int, int, int, int, int, int, int]:
    return (
        1 if S.shape[0] > 1 else 0,
        1 if K.shape[0] > 1 else 0,
        1 if T.shape[0] > 1 else 0,
        1 if r.shape[0] > 1 else 0,
        1 if q.shape[0] > 1 else 0,
        1 if v.shape[0] > 1 else 0,
        1 if c.shape[0] > 1 else 0,
    )


@njit(cache=True, fastmath=False, error_model="numpy")
def price_serial(
    S: np.ndarray,
    K: np.ndarray,
    T: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    sig: np.ndarray,
    call: np.ndarray,
    n: int,
) -> np.ndarray:
    a, b, c, d, e, f, g = _steps(S, K, T, r, q, sig, call)
    out = np.empty(n)
    for i in range(n):
        w = 1.0 if call[i * g] else -1.0
        out[i] = _price_one(S[i * a], K[i * b], T[i * c], r[i * d], q[i * e], sig[i * f], w)
    return out


@njit(cache=True, fastmath=False, error_model="numpy", parallel=True)
def price_parallel(
    S: np.ndarray,
    K: np.ndarray,
    T: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    sig: np.ndarray,
    call: np.ndarray,
    n: int,
) -> np.ndarray:
    a, b, c, d, e, f, g = _steps(S, K, T, r, q, sig, call)
    out = np.empty(n)
    for i in prange(n):
        w = 1.0 if call[i * g] else -1.0
        out[i] = _price_one(S[i * a], K[i * b], T[i * c], r[i * d], q[i * e], sig[i * f], w)
    return out


@njit(cache=True, fastmath=False, error_model="numpy")
def greeks_serial(
    S: np.ndarray,
    K: np.ndarray,
    T: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    sig: np.ndarray,
    call: np.ndarray,
    n: int,
    black76: bool,
) -> np.ndarray:
    a, b, c, d, e, f, g = _steps(S, K, T, r, q, sig, call)
    out = np.empty((N_GREEKS, n))
    for i in range(n):
        w = 1.0 if call[i * g] else -1.0
        _greeks_one(
            S[i * a], K[i * b], T[i * c], r[i * d], q[i * e], sig[i * f], w, black76, out, i
        )
    return out


@njit(cache=True, fastmath=False, error_model="numpy", parallel=True)
def greeks_parallel(
    S: np.ndarray,
    K: np.ndarray,
    T: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    sig: np.ndarray,
    call: np.ndarray,
    n: int,
    black76: bool,
) -> np.ndarray:
    a, b, c, d, e, f, g = _steps(S, K, T, r, q, sig, call)
    out = np.empty((N_GREEKS, n))
    for i in prange(n):
        w = 1.0 if call[i * g] else -1.0
        _greeks_one(
            S[i * a], K[i * b], T[i * c], r[i * d], q[i * e], sig[i * f], w, black76, out, i
        )
    return out


@njit(cache=True, fastmath=False, error_model="numpy")
def iv_serial(
    P: np.ndarray,
    S: np.ndarray,
    K: np.ndarray,
    T: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    call: np.ndarray,
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    a, b, c, d, e, f, g = _steps(P, S, K, T, r, q, call)
    out = np.empty(n)
    status = np.empty(n, dtype=np.int8)
    for i in range(n):
        w = 1.0 if call[i * g] else -1.0
        out[i], status[i] = _iv_one(P[i * a], S[i * b], K[i * c], T[i * d], r[i * e], q[i * f], w)
    return out, status


@njit(cache=True, fastmath=False, error_model="numpy", parallel=True)
def iv_parallel(
    P: np.ndarray,
    S: np.ndarray,
    K: np.ndarray,
    T: np.ndarray,
    r: np.ndarray,
    q: np.ndarray,
    call: np.ndarray,
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    a, b, c, d, e, f, g = _steps(P, S, K, T, r, q, call)
    out = np.empty(n)
    status = np.empty(n, dtype=np.int8)
    for i in prange(n):
        w = 1.0 if call[i * g] else -1.0
        out[i], status[i] = _iv_one(P[i * a], S[i * b], K[i * c], T[i * d], r[i * e], q[i * f], w)
    return out, status
