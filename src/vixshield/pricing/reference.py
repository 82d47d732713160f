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

from vixshield._typing import ArrayLike, FloatArray, IntArray

__all__ = [
    "black76_greeks_ref",
    "black76_price_ref",
    "bsm_greeks_ref",
    "bsm_price_ref",
    "implied_vol_ref",
]

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
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = sigma * np.sqrt(T)
        d1 = (np.log(F / K) + 0.5 * sd * sd) / sd
    d2 = d1 - sd
    price = D * w * (F * ndtr(w * d1) - K * ndtr(w * d2))
    intrinsic = D * np.maximum(w * (F - K), 0.0)
    # sd > 0: formula; sd == 0: intrinsic of the forward; negative T/sigma or NaN: NaN.
    out = np.where(sd > 0.0, price, np.where(sd == 0.0, intrinsic, np.nan))
    return np.asarray(out, dtype=np.float64)


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


def _greeks_ref(
    S: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    sigma: ArrayLike,
    call: ArrayLike,
    black76: bool,
) -> dict[str, FloatArray]:
    """Generalised BSM greeks with cost of carry ``b = r - q`` (Haug 2007, ch. 2.1)."""
    S, K, T, r, q, sigma = (np.asarray(a, dtype=np.float64) for a in (S, K, T, r, q, sigma))
    w = np.where(np.asarray(call, dtype=bool), 1.0, -1.0)
    b = r - q
    dq = np.exp(-q * T)
    dr = np.exp(-r * T)
    with np.errstate(divide="ignore", invalid="ignore"):
        sqT = np.sqrt(T)
        sd = sigma * sqT
        d1 = (np.log(S / K) + (b + 0.5 * sigma * sigma) * T) / sd
        d2 = d1 - sd
        live = sd > 0.0
        # sd == 0: payoff limit, N(w d) -> 1 ITM, 0 OTM, 1/2 ATM; density terms 0.
        m = w * (S * np.exp(b * T) - K)
        step = np.where(m > 0.0, 1.0, np.where(m < 0.0, 0.0, 0.5))
        n1 = np.where(live, ndtr(w * d1), step)
        n2 = np.where(live, ndtr(w * d2), step)
        pdf = np.where(live, _npdf(d1), 0.0)
        vega = S * dq * pdf * sqT
        theta_pdf = np.where(live, -S * dq * pdf * sigma / (2.0 * sqT), 0.0)
        charm_pdf = np.where(live, -dq * pdf * (b / sd - d2 / (2.0 * T)), 0.0)
        greeks = {
            "delta": w * dq * n1,
            "gamma": np.where(live, dq * pdf / (S * sd), 0.0),
            "vega": vega / 100.0,
            "theta": (theta_pdf + w * q * S * dq * n1 - w * r * K * dr * n2) / 365.0,
            "rho": (-T * w * (S * dq * n1 - K * dr * n2) if black76 else w * K * T * dr * n2)
            / 100.0,
            "vanna": np.where(live, -dq * pdf * d2 / sigma, 0.0) / 100.0,
            "volga": np.where(live, vega * d1 * d2 / sigma, 0.0) / 1e4,
            "charm": (w * q * dq * n1 + charm_pdf) / 365.0,
        }
    bad = ~(live | (sd == 0.0))
    return {k: np.asarray(np.where(bad, np.nan, v), dtype=np.float64) for k, v in greeks.items()}


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
    theta (per calendar day as time passes, i.e. -dV/dT / 365), rho (per 1
    rate point, S and q fixed), vanna (d delta / d sigma per vol point), volga
    (d vega / d sigma, vega per vol point per vol point) and charm (d delta per
    calendar day as time passes, -d delta / dT / 365).

    References
    ----------
    Haug, E. G. (2007). The Complete Guide to Option Pricing Formulas, 2nd ed., ch. 2.
    """
    return _greeks_ref(S, K, T, r, q, sigma, call, black76=False)


def black76_greeks_ref(
    F: ArrayLike, K: ArrayLike, T: ArrayLike, r: ArrayLike, sigma: ArrayLike, call: ArrayLike
) -> dict[str, FloatArray]:
    """Black-76 greeks with respect to the forward ``F`` (same units as BSM).

    Black-76 is BSM with ``S = F`` and ``q = r``; delta is dV/dF; rho holds
    ``F`` fixed, so it is ``-T V`` (per rate point: ``-T V / 100``).
    """
    return _greeks_ref(F, K, T, r, r, sigma, call, black76=True)


def _nblack_ref(x: FloatArray, s: FloatArray) -> FloatArray:
    h = x / s
    t = 0.5 * s
    return np.asarray(
        np.exp(0.5 * x) * ndtr(h + t) - np.exp(-0.5 * x) * ndtr(h - t), dtype=np.float64
    )


def implied_vol_ref(
    price: ArrayLike,
    S_or_F: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    call: ArrayLike,
    model: str = "bsm",
    max_iter: int = 300,
) -> tuple[FloatArray, IntArray]:
    """Reference implied volatility: vectorised Newton on ``ln b(s)`` with bisection.

    Same normalised space and status codes as the compiled solver
    (:class:`vixshield.pricing.implied.IVStatus`) but a plainer iteration:
    Newton steps on ``ln b(s) - ln beta`` that leave the bracket are replaced
    by bisection. Returns ``(vol, status)``.
    """
    from vixshield.pricing.implied import IVStatus

    price, S_or_F, K, T, r, q = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (price, S_or_F, K, T, r, q))
    )
    w = np.broadcast_to(np.where(np.asarray(call, dtype=bool), 1.0, -1.0), price.shape)
    if model == "black76":
        q = r
    with np.errstate(all="ignore"):
        F = S_or_F * np.exp((r - q) * T)
        D = np.exp(-r * T)
        finite = np.isfinite(F) & np.isfinite(K) & np.isfinite(T) & np.isfinite(price)
        invalid = ~(finite & (F > 0.0) & (K > 0.0) & (T > 0.0) & (D > 0.0))
        p = price / D
        intrinsic = np.maximum(w * (F - K), 0.0)
        upper = np.where(w > 0.0, F, K)
        below = ~invalid & (p < intrinsic)
        tv = p - intrinsic
        x = -np.abs(np.log(F / K))
        beta = tv / np.sqrt(F * K)
        above = ~invalid & ~below & ((p >= upper) | (beta >= np.exp(0.5 * x)))
        zero = ~invalid & ~below & ~above & (tv == 0.0)
        active = ~(invalid | below | above | zero)
        x = np.where(active, x, -1.0)
        beta = np.where(active, beta, 0.1)
        log_beta = np.log(beta)
        lo = np.zeros_like(x)
        hi = np.ones_like(x)
        for _ in range(12):  # grow the bracket: b(hi) > beta
            hi = np.where(_nblack_ref(x, hi) < beta, 2.0 * hi, hi)
        s = 0.5 * (lo + hi)
        done = ~active
        for _ in range(max_iter):
            b = _nblack_ref(x, s)
            f = np.where(b > 0.0, np.log(b) - log_beta, -np.inf)
            lo = np.where(f < 0.0, s, lo)
            hi = np.where(f > 0.0, s, hi)
            fp = _npdf(x / s + 0.5 * s) * np.exp(0.5 * x) / b
            newton = s - f / fp
            inside = np.isfinite(newton) & (newton > lo) & (newton < hi)
            s_next = np.where(inside, newton, 0.5 * (lo + hi))
            converged = (f == 0.0) | (np.abs(s_next - s) <= 1e-14 * s) | (hi - lo <= 4e-16 * hi)
            s = np.where(done, s, s_next)
            done = done | converged
            if done.all():
                break
        vol = np.where(active & done, s / np.sqrt(T), np.nan)
    vol = np.where(zero, 0.0, vol)
    status = np.full(price.shape, int(IVStatus.OK), dtype=np.int64)
    status[active & ~done] = IVStatus.NO_CONVERGENCE
    status[invalid] = IVStatus.NON_POSITIVE_INPUT
    status[below] = IVStatus.BELOW_INTRINSIC
    status[above] = IVStatus.ABOVE_UPPER_BOUND
    return np.asarray(vol, dtype=np.float64), status
