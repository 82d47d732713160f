"""Implied volatility for BSM and Black-76 prices (compiled, broadcasting).

The solver works in Jaeckel's normalised Black space: ``x = ln(F/K)``, the
out-of-the-money option obtained by put-call parity, ``beta = time value /
sqrt(F K)`` (undiscounted), unknown ``s = sigma sqrt(T)``. It runs a Halley
iteration safeguarded by a bisection bracket on ``ln b(s) - ln beta`` below the
inflection point ``s_c = sqrt(2 |x|)`` and on ``ln(e^{x/2} - b(s)) -
ln(e^{x/2} - beta)`` above it (both monotone in ``s``, so the root is unique).
Impossible prices give NaN with a reason code, never a sentinel.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Literal, overload

import numpy as np

from vixshield._typing import ArrayLike, FloatArray, IntArray
from vixshield.pricing._broadcast import (
    PARALLEL_THRESHOLD,
    flatten_args,
    kernels,
)

__all__ = ["IVStatus", "implied_vol", "implied_vol_status"]

Model = Literal["bsm", "black76"]


class IVStatus(IntEnum):
    """Why an implied volatility is (or is not) available, per element."""

    OK = 0
    """Solved (a price exactly at intrinsic value gives volatility 0.0)."""
    BELOW_INTRINSIC = 1
    """Price below the discounted intrinsic ``e^{-rT} max(w (F - K), 0)`` (or negative)."""
    ABOVE_UPPER_BOUND = 2
    """Price at or above the bound: ``e^{-rT} F`` for a call, ``e^{-rT} K`` for a put."""
    NON_POSITIVE_INPUT = 3
    """Spot/forward, strike or ``T`` not positive and finite, or a NaN price or rate."""
    NO_CONVERGENCE = 4
    """The safeguarded iteration did not converge (not observed in tests; reported, not hidden)."""


def _solve(
    price: ArrayLike,
    S_or_F: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    call: ArrayLike,
    model: Model,
) -> tuple[FloatArray, IntArray, tuple[int, ...]]:
    if model not in ("bsm", "black76"):
        raise ValueError(f"model must be 'bsm' or 'black76', got {model!r}")
    k = kernels()
    if model == "black76":
        q = r
    (p_, s_, k_, t_, r_, q_), c_, shape, n = flatten_args((price, S_or_F, K, T, r, q), call)
    fn = k.iv_parallel if n >= PARALLEL_THRESHOLD else k.iv_serial
    vol, status = fn(p_, s_, k_, t_, r_, q_, c_, n)
    return vol.reshape(shape), status.astype(np.int64).reshape(shape), shape


@overload
def implied_vol(
    price: float,
    S_or_F: float,
    K: float,
    T: float,
    r: float,
    q: float,
    call: bool,
    model: Model = "bsm",
) -> float: ...
@overload
def implied_vol(
    price: ArrayLike,
    S_or_F: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    call: ArrayLike,
    model: Model = "bsm",
) -> FloatArray: ...
def implied_vol(
    price: ArrayLike,
    S_or_F: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    call: ArrayLike,
    model: Model = "bsm",
) -> float | FloatArray:
    """Implied volatility of European option prices.

    Parameters
    ----------
    price : float or array_like
        Option price, in the underlying's points per unit (not per contract).
    S_or_F : float or array_like
        Spot (``model="bsm"``) or forward/future price (``model="black76"``).
    K : float or array_like
        Strike.
    T : float or array_like
        Time to expiry in years (ACT/365); one minute is ``1 / 525600``.
    r, q : float or array_like
        Rate and dividend yield, continuously compounded per year. ``q`` is
        ignored for Black-76 (pass 0).
    call : bool or array_like of bool
        True for a call, False for a put.
    model : {"bsm", "black76"}
        Pricing model the price comes from.

    Returns
    -------
    float or ndarray
        Volatility, decimal per sqrt(year); NaN where no volatility exists
        (see :func:`implied_vol_status` for the reason). A float when every
        input is a scalar.

    Notes
    -----
    Accuracy: iteration stops once a Newton step is below 1e-10 of ``sigma sqrt(T)``
    (the step is applied, so the remaining error is of the order of its square).
    The round trip ``sigma -> price -> sigma`` is within 1e-8 absolute wherever
    vega (per 1.0 of vol) divided by the price scale ``e^{-rT} max(F, K)`` exceeds
    1e-6; below that, the rounding of the price itself moves the volatility more.
    Typically 3-5 iterations, each two ``erfc``, one ``exp`` and one ``log``.

    References
    ----------
    Jaeckel, P. (2015). Let's be rational. Wilmott 2015(75), 40-53 (normalised Black space).
    Brenner, M. & Subrahmanyam, M. G. (1988). A simple formula to compute the implied
    standard deviation. Financial Analysts Journal 44(5), 80-83 (initial guess).
    """
    vol, _, shape = _solve(price, S_or_F, K, T, r, q, call, model)
    return float(vol) if not shape else vol


def implied_vol_status(
    price: ArrayLike,
    S_or_F: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    call: ArrayLike,
    model: Model = "bsm",
) -> tuple[FloatArray, IntArray]:
    """Implied volatility and an :class:`IVStatus` code per element.

    Parameters are as :func:`implied_vol`.

    Returns
    -------
    vol : ndarray
        As :func:`implied_vol` (a 0-d array for scalar input).
    status : ndarray of int64
        :class:`IVStatus` values; ``vol`` is finite exactly where status is ``OK``.
    """
    vol, status, _ = _solve(price, S_or_F, K, T, r, q, call, model)
    return vol, status
