"""The Cboe VIX and SKEW formulas on an option chain (pure maths, no I/O).

The kernels work on one expiry's strike-sorted arrays; `vix_index` and
`cboe_skew` apply them to an `OptionChain` and interpolate to a target tenor.

References
----------
Cboe (2009, 2019). The CBOE Volatility Index - VIX. White paper.
Cboe (2010). The CBOE SKEW Index - SKEW. White paper.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vixshield._typing import ArrayLike, FloatArray
from vixshield.markets.types import OptionChain

__all__ = [
    "ExpiryMoments",
    "cboe_skew",
    "expiry_moments",
    "interpolate_variance",
    "select_terms",
    "vix_index",
]

_MIN_T_YEARS = 1.0 / 365.0  # expiries closer than one day are skipped (Cboe rolls before expiry)


@dataclass(frozen=True)
class ExpiryMoments:
    """One expiry's ingredients of the Cboe formulas.

    Attributes
    ----------
    variance : float
        sigma^2 of the VIX formula, per year.
    skewness : float
        Risk-neutral skewness ``S`` of the SKEW formula (dimensionless).
    forward : float
        Forward from put-call parity, index points.
    k0 : float
        First strike at or below the forward.
    n_strikes : int
        Number of strikes that contributed.
    t_years : float
        Time to expiration used, years.
    """

    variance: float
    skewness: float
    forward: float
    k0: float
    n_strikes: int
    t_years: float


def _select_side(bids: FloatArray) -> FloatArray:
    """Mask of strikes kept, walking away from K0 (index 0 = next to K0).

    A strike with a zero bid is skipped; after two consecutive zero bids no
    further strike is used (Cboe cut-off rule).
    """
    zero = ~(bids > 0.0)
    pair = zero[:-1] & zero[1:]
    stop = int(np.argmax(pair)) if pair.any() else bids.shape[0]
    keep = ~zero
    keep[stop:] = False
    return keep.astype(np.float64)


def expiry_moments(
    strike: ArrayLike,
    call_bid: ArrayLike,
    call_ask: ArrayLike,
    put_bid: ArrayLike,
    put_ask: ArrayLike,
    t_years: float,
    rate: float,
) -> ExpiryMoments:
    """Cboe variance (VIX) and skewness (SKEW) of one expiry.

    Parameters
    ----------
    strike : array_like
        Strikes, index points, strictly increasing.
    call_bid, call_ask, put_bid, put_ask : array_like
        Quotes per strike, index points (NaN where not quoted).
    t_years : float
        Time to expiration in years (the Cboe minute count / minutes per year).
    rate : float
        Risk-free rate, continuously compounded decimal per year.

    Returns
    -------
    ExpiryMoments

    Notes
    -----
    ``F = K* + e^{RT} (C(K*) - P(K*))`` at the strike ``K*`` with the smallest
    absolute call-put mid difference; ``K0`` the first strike at or below ``F``;
    out-of-the-money mids ``Q(K)`` (the K0 put/call average at ``K0``), walking
    away from ``K0`` and stopping after two consecutive zero bids;
    ``dK_i = (K_{i+1} - K_{i-1}) / 2`` over the kept strikes (one-sided at the
    ends) and

    ``sigma^2 = 2/T sum dK/K^2 e^{RT} Q(K) - 1/T (F/K0 - 1)^2``.

    The SKEW moments are ``P1, P2, P3`` of the SKEW white paper with the
    ``eps`` corrections, ``S = (P3 - 3 P1 P2 + 2 P1^3) / (P2 - P1^2)^{3/2}``.
    """
    k = np.asarray(strike, dtype=np.float64)
    cb, ca, pb, pa = (
        np.asarray(a, dtype=np.float64) for a in (call_bid, call_ask, put_bid, put_ask)
    )
    T = float(t_years)
    growth = float(np.exp(rate * T))
    cm = 0.5 * (cb + ca)
    pm = 0.5 * (pb + pa)
    diff = np.abs(cm - pm)
    both = np.isfinite(diff) & (cb > 0.0) & (pb > 0.0)
    if not both.any():
        both = np.isfinite(diff)
    if not both.any():
        nan = float("nan")
        return ExpiryMoments(nan, nan, nan, nan, 0, T)
    j = int(np.argmin(np.where(both, diff, np.inf)))
    fwd = float(k[j] + growth * (cm[j] - pm[j]))
    below = np.nonzero(k <= fwd)[0]
    i0 = int(below[-1]) if below.size else 0
    k0 = float(k[i0])

    put_keep = _select_side(pb[:i0][::-1])[::-1]  # NaN bids count as zero bids
    call_keep = _select_side(cb[i0 + 1 :])
    keep = np.concatenate([put_keep, [1.0], call_keep]).astype(bool)
    q = np.concatenate([pm[:i0], [0.5 * (pm[i0] + cm[i0])], cm[i0 + 1 :]])
    ks = k[keep]
    qs = q[keep]
    n = ks.shape[0]
    if n < 2:
        nan = float("nan")
        return ExpiryMoments(nan, nan, fwd, k0, n, T)
    dk = np.empty(n)
    dk[1:-1] = 0.5 * (ks[2:] - ks[:-2])
    dk[0] = ks[1] - ks[0]
    dk[-1] = ks[-1] - ks[-2]
    base = dk / (ks * ks) * growth * qs
    variance = float(2.0 / T * base.sum() - (fwd / k0 - 1.0) ** 2 / T)

    lk = np.log(ks / fwd)
    l0 = float(np.log(k0 / fwd))
    e1 = -(1.0 + np.log(fwd / k0) - fwd / k0)
    e2 = 2.0 * l0 * (fwd / k0 - 1.0) + 0.5 * l0 * l0
    e3 = 3.0 * l0 * l0 * (l0 / 3.0 - 1.0 + fwd / k0)
    p1 = float(-base.sum() + e1)
    p2 = float((2.0 * (1.0 - lk) * base).sum() + e2)
    p3 = float((3.0 * (2.0 * lk - lk * lk) * base).sum() + e3)
    var_m = p2 - p1 * p1
    skewness = (p3 - 3.0 * p1 * p2 + 2.0 * p1**3) / var_m**1.5 if var_m > 0.0 else float("nan")
    return ExpiryMoments(variance, float(skewness), fwd, k0, n, T)


def interpolate_variance(
    t1: float, var1: float, t2: float, var2: float, tenor_years: float
) -> float:
    """Cboe interpolation of two expiries' variances to a constant tenor.

    Notes
    -----
    ``sigma^2 = [T1 s1^2 (T2 - tau)/(T2 - T1) + T2 s2^2 (tau - T1)/(T2 - T1)] / tau``,
    i.e. linear in total variance over the minute count (extrapolates when
    ``tau`` lies outside ``[T1, T2]``). With ``T1 == T2`` it returns ``var1``.
    """
    if t2 == t1:
        return var1
    w1 = (t2 - tenor_years) / (t2 - t1)
    return (t1 * var1 * w1 + t2 * var2 * (1.0 - w1)) / tenor_years


def select_terms(t_years: ArrayLike, tenor_years: float) -> tuple[int, int]:
    """Indices of the near- and next-term expiries bracketing a tenor.

    The near term is the latest expiry with ``T <= tenor`` and at least one day
    to go, the next term the first with ``T > tenor``. Where no expiry lies on
    one side, the two nearest on the other side are used (extrapolation).
    Where only one expiry is usable both indices are that one.
    """
    t = np.asarray(t_years, dtype=np.float64)
    ok = np.nonzero(t >= _MIN_T_YEARS)[0]
    if ok.size == 0:
        raise ValueError("no expiry with at least one day to go")
    order = ok[np.argsort(t[ok])]
    ts = t[order]
    n_below = int(np.searchsorted(ts, tenor_years, side="right"))
    if ok.size == 1:
        return int(order[0]), int(order[0])
    if n_below == 0:
        return int(order[0]), int(order[1])
    if n_below == order.size:
        return int(order[-2]), int(order[-1])
    return int(order[n_below - 1]), int(order[n_below])


def _expiry_arrays(
    g: pd.DataFrame,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Strike-sorted (strike, call bid, call ask, put bid, put ask) of one expiry."""
    calls = g[g["right"] == "C"]
    puts = g[g["right"] == "P"]
    k = np.union1d(calls["strike"].to_numpy(np.float64), puts["strike"].to_numpy(np.float64))
    out: list[FloatArray] = []
    for side in (calls, puts):
        ks = side["strike"].to_numpy(np.float64)
        pos = np.searchsorted(k, ks)
        for col in ("bid", "ask"):
            a = np.full(k.size, np.nan)
            a[pos] = side[col].to_numpy(np.float64)
            out.append(a)
    return k, out[0], out[1], out[2], out[3]


def _terms(chain: OptionChain, tenor_years: float, field: str) -> tuple[ExpiryMoments, ...]:
    """Moments of the near/next expiries around a tenor, skipping unusable expiries."""
    groups = {e: g for e, g in chain.quotes.groupby("expiry", sort=True)}
    times = {e: float(g["t_years"].iloc[0]) for e, g in groups.items()}
    memo: dict[object, ExpiryMoments] = {}
    while True:
        keys = list(times)
        if not keys:
            raise ValueError("no expiry in the chain gives a finite value")
        i, j = select_terms([times[e] for e in keys], tenor_years)
        bad = False
        for e in {keys[i], keys[j]}:
            if e not in memo:
                memo[e] = expiry_moments(*_expiry_arrays(groups[e]), times[e], chain.rate)
            if not np.isfinite(getattr(memo[e], field)):
                del times[e]
                bad = True
        if not bad:
            return memo[keys[i]], memo[keys[j]]


def vix_index(
    chain: OptionChain, as_of: pd.Timestamp | None = None, tenor_days: float = 30
) -> float:
    """The Cboe VIX formula on a chain, generalised to any tenor.

    Parameters
    ----------
    chain : OptionChain
        Quotes with columns expiry, strike, right, bid, ask and t_years (the
        time to each expiry's settlement, years).
    as_of : Timestamp, optional
        Must equal ``chain.as_of`` when given (times come from ``t_years``).
    tenor_days : float
        Target constant maturity in calendar days (9, 30, 93, 182 for VIX9D,
        VIX, VIX3M, VIX6M).

    Returns
    -------
    float
        The index in volatility points (100 x annualised vol).
    """
    if as_of is not None and pd.Timestamp(as_of).normalize() != chain.as_of.normalize():
        raise ValueError("as_of differs from the chain's as_of")
    tau = tenor_days / 365.0
    a, b = _terms(chain, tau, "variance")
    var = interpolate_variance(a.t_years, a.variance, b.t_years, b.variance, tau)
    return float(100.0 * np.sqrt(max(var, 0.0)))


def cboe_skew(
    chain: OptionChain, as_of: pd.Timestamp | None = None, tenor_days: float = 30
) -> float:
    """The Cboe SKEW index on a chain: ``100 - 10 S`` of the 30-day skewness.

    The two expiries bracketing the tenor are weighted as in the SKEW white
    paper: ``S = w S1 + (1 - w) S2``, ``w = (T2 - tau) / (T2 - T1)``.
    """
    if as_of is not None and pd.Timestamp(as_of).normalize() != chain.as_of.normalize():
        raise ValueError("as_of differs from the chain's as_of")
    tau = tenor_days / 365.0
    a, b = _terms(chain, tau, "skewness")
    w = 1.0 if b.t_years == a.t_years else (b.t_years - tau) / (b.t_years - a.t_years)
    return float(100.0 - 10.0 * (w * a.skewness + (1.0 - w) * b.skewness))
