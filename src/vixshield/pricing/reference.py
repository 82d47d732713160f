"""Plain-numpy reference implementation of Black-76 / Black-Scholes-Merton.

This is the readable reference that the compiled kernels are tested against
(as py_vollib keeps ``ref_python``). Every function broadcasts its arguments.

Units: ``T`` in years (ACT/365), ``r`` and ``q`` continuously compounded
decimals per year, ``sigma`` a decimal per sqrt(year), prices in index points
per unit of underlying (multiply by the contract multiplier for dollars).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from vixshield._typing import ArrayLike, FloatArray

__all__ = ["black76_greeks_ref", "black76_price_ref", "bsm_greeks_ref", "bsm_price_ref"]

_INV_SQRT_2PI = 0.3989422804014327  # 1/sqrt(2*pi)


def _npdf(x: FloatArray) -> FloatArray:
    return np.asarray(_INV_SQRT_2PI * np.exp(-0.5 * x * x), dtype=np.float64)


def black76_price_ref(
    F: ArrayLike, K: ArrayLike, T: ArrayLike, r: ArrayLike, sigma: ArrayLike, call: ArrayLike
) -> FloatArray:
    """Black-76 price of a European option on a forward ``F``.

    Notes
    -----
    ``D * [w F N(w d1) - w K N(w d2)]`` with ``D = exp(-r T)``, ``w = +1`` for
    a call and ``-1`` for a put, ``d1 = (ln(F/K) + sigma^2 T / 2) / (sigma sqrt(T))``.

    References
    ----------
    Black, F. (1976). The pricing of commodity contracts. JFE 3, 167-179.
    """
    F, K, T, r, sigma = (np.asarray(a, dtype=np.float64) for a in (F, K, T, r, sigma))
    w = np.where(np.asarray(call, dtype=bool), 1.0, -1.0)
    D = np.exp(-r * T)
    sd = sigma * np.sqrt(T)
    with np.errstate(divide="ignore", invalid="ignore"):
        d1 = (np.log(F / K) + 0.5 * sd * sd) / sd
    d2 = d1 - sd
    price = D * w * (F * ndtr(w * d1) - K * ndtr(w * d2))
    intrinsic = D * np.maximum(w * (F - K), 0.0)
    return np.asarray(np.where(sd > 0.0, price, intrinsic), dtype=np.float64)


def bsm_price_ref(
    S: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    sigma: ArrayLike,
    call: ArrayLike,
) -> FloatArray:
    """Black-Scholes-Merton price: Black-76 on ``F = S exp((r - q) T)``."""
    S, T, r, q = (np.asarray(a, dtype=np.float64) for a in (S, T, r, q))
    return black76_price_ref(S * np.exp((r - q) * T), K, T, r, sigma, call)


def bsm_greeks_ref(
    S: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    sigma: ArrayLike,
    call: ArrayLike,
) -> dict[str, FloatArray]:
    """BSM greeks by closed form.

    Returns delta, gamma, vega (per 1 vol point, i.e. per 0.01 of sigma),
    theta (per calendar day, i.e. dV/dt / 365), rho (per 1 rate point),
    vanna (d delta / d sigma per vol point), volga (d vega / d sigma per vol
    point, per vol point) and charm (d delta / dt per calendar day).
    """
    S, K, T, r, q, sigma = (np.asarray(a, dtype=np.float64) for a in (S, K, T, r, q, sigma))
    w = np.where(np.asarray(call, dtype=bool), 1.0, -1.0)
    sqT = np.sqrt(T)
    sd = sigma * sqT
    d1 = (np.log(S / K) + (r - q + 0.5 * sigma * sigma) * T) / sd
    d2 = d1 - sd
    dq = np.exp(-q * T)
    dr = np.exp(-r * T)
    pdf1 = _npdf(d1)
    delta = w * dq * ndtr(w * d1)
    gamma = dq * pdf1 / (S * sd)
    vega = S * dq * pdf1 * sqT
    theta_year = (
        -S * dq * pdf1 * sigma / (2.0 * sqT)
        - w * r * K * dr * ndtr(w * d2)
        + w * q * S * dq * ndtr(w * d1)
    )
    rho = w * K * T * dr * ndtr(w * d2)
    vanna = -dq * pdf1 * d2 / sigma
    volga = vega * d1 * d2 / sigma
    charm_year = w * q * dq * ndtr(w * d1) - dq * pdf1 * (
        2.0 * (r - q) * T - d2 * sd
    ) / (2.0 * T * sd)
    return {
        "delta": np.asarray(delta, dtype=np.float64),
        "gamma": np.asarray(gamma, dtype=np.float64),
        "vega": np.asarray(vega / 100.0, dtype=np.float64),
        "theta": np.asarray(theta_year / 365.0, dtype=np.float64),
        "rho": np.asarray(rho / 100.0, dtype=np.float64),
        "vanna": np.asarray(vanna / 100.0, dtype=np.float64),
        "volga": np.asarray(volga / 1e4, dtype=np.float64),
        "charm": np.asarray(-charm_year / 365.0, dtype=np.float64),
    }


def black76_greeks_ref(
    F: ArrayLike, K: ArrayLike, T: ArrayLike, r: ArrayLike, sigma: ArrayLike, call: ArrayLike
) -> dict[str, FloatArray]:
    """Black-76 greeks with respect to the forward ``F`` (same units as BSM).

    Black-76 is BSM with ``S = F`` and ``q = r``; delta is dV/dF.
    """
    return bsm_greeks_ref(F, K, T, r, r, sigma, call)
