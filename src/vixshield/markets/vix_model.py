"""Modeled VX futures curve and VIX options (pure maths, no I/O).

VX futures
----------
Where VIX3M or VIX6M is known (term-structure anchored model, ``"ts"``):

``F(T) = S(T) - a S(T)^2 / 100 sqrt(T)``,  ``S(T) = 100 sqrt(FV(T))``

with ``FV(T)`` the 30-day forward variance starting at ``T``, from total
variance linear in time through the VIX9D/VIX/VIX3M/VIX6M nodes (flat vol
outside), and a convexity/variance-premium haircut ``a`` (Jensen: E[VIX] lies
below sqrt(E[VIX^2]) by about Var(VIX_T) / (2 S), which grows with S^2 T);
floored at ``S / 2``.
Otherwise (VIX only, ``"mr"``): the mean-reverting

``F(T) = theta_lr + (VIX - theta_lr) exp(-kappa T)``.

Both were fitted by least squares on the real CFE VX settlements 2004-2010
(``/work/shared/data/cfe_vx``, every contract and day with 1 to 250 days to
expiry) against the same day's Cboe indices; ``benchmarks/validate_markets.py``
refits them and prints the RMSE. Fitted values (vol points, years):
``theta_lr = 24.53, kappa = 1.442`` (RMSE 3.41 vol points, n = 9,695 contract-days,
2004-2010 including the 2008 crisis; 2.23 on the 4,508 rows before VIX6M exists,
where the model is used) and ``a = 0.3123`` (RMSE 1.87, n = 5,173;
the 2008-2010 rows where VIX6M is known; the mean-reversion model has RMSE 4.17
on those same rows).

VIX options
-----------
Black-76 on the VX future of the same expiry. ATM vol
``sigma_atm(T) = VVIX_ATM_RATIO * VVIX / 100 * (T / (30/365))^(-0.25)`` (clipped to
[0.5, 2] times the 30-day level; shorter tenors carry more vol of vol); where
VVIX is unknown a proxy ``VVIX = 77.9 + 0.796 VIX`` (least-squares line of
VVIX on VIX, 2006-2026 closes, VVIX above 40). Upward call skew:
``sigma(K) = sigma_atm (1 + 0.45 ln(K/F))`` floored at ``0.6 sigma_atm``.
Spreads: half-spread ``max(0.05, (0.03 + 0.03 mid) sqrt(clip(VVIX / 90, 0.7, 2.5)))``
rounded to the 0.05 tick.
"""

from __future__ import annotations

import numpy as np

from vixshield._typing import ArrayLike, FloatArray

__all__ = [
    "MR_PARAMS",
    "TS_PARAMS",
    "VVIX_ATM_RATIO",
    "forward_variance_30d",
    "vix_option_bid_ask",
    "vix_option_vol",
    "vvix_proxy",
    "vx_mean_reversion",
    "vx_term_structure",
]

MR_PARAMS: tuple[float, float] = (24.53, 1.442)  # theta_lr (vol points), kappa (per year); fitted
TS_PARAMS: float = 0.3123  # a, haircut per (vol point x sqrt(year)); fitted
VVIX_ATM_RATIO = 0.85  # ATM 30-day VIX option vol / VVIX (VVIX includes the call-skew wings)
_SKEW_SLOPE = 0.45  # d sigma / sigma_atm per unit ln(K/F) (VIX call skew)
_TERM_POWER = -0.25  # vol-of-vol term structure exponent
_T30 = 30.0 / 365.0


def vx_mean_reversion(
    vix: float, t_years: ArrayLike, params: tuple[float, float] = MR_PARAMS
) -> FloatArray:
    """VX futures from spot VIX by mean reversion, vol points."""
    theta, kappa = params
    t = np.asarray(t_years, dtype=np.float64)
    return np.asarray(theta + (vix - theta) * np.exp(-kappa * t))


def forward_variance_30d(
    t_years: ArrayLike, node_days: ArrayLike, node_level: ArrayLike
) -> FloatArray:
    """30-day forward variance from ``T`` (decimal^2 per year) off index nodes.

    Total variance ``w(T) = (level/100)^2 T`` is linear between nodes and flat
    in vol outside them.
    """
    t = np.asarray(t_years, dtype=np.float64)
    nt = np.asarray(node_days, dtype=np.float64) / 365.0
    nv = (np.asarray(node_level, dtype=np.float64) / 100.0) ** 2
    nw = nv * nt

    def w(x: FloatArray) -> FloatArray:
        inner = np.interp(x, nt, nw)
        return np.asarray(np.where(x < nt[0], nv[0] * x, np.where(x > nt[-1], nv[-1] * x, inner)))

    return np.asarray(np.maximum((w(t + _T30) - w(t)) / _T30, 1e-8))


def vx_term_structure(
    t_years: ArrayLike,
    node_days: ArrayLike,
    node_level: ArrayLike,
    a: float = TS_PARAMS,
) -> FloatArray:
    """VX futures anchored to the VIX term-structure indices, vol points."""
    t = np.asarray(t_years, dtype=np.float64)
    s = 100.0 * np.sqrt(forward_variance_30d(t, node_days, node_level))
    return np.asarray(np.maximum(s - a * s * s / 100.0 * np.sqrt(t), 0.5 * s))


def vvix_proxy(vix: float) -> float:
    """VVIX stand-in where it is unknown: ``77.9 + 0.796 VIX``, vol points."""
    return float(77.9 + 0.796 * vix)


def vix_option_vol(
    strike: ArrayLike, future: ArrayLike, t_years: ArrayLike, vvix: float
) -> FloatArray:
    """Black-76 implied vol of VIX options (decimal), with term structure and call skew."""
    k = np.asarray(strike, dtype=np.float64)
    f = np.asarray(future, dtype=np.float64)
    t = np.asarray(t_years, dtype=np.float64)
    base = VVIX_ATM_RATIO * vvix / 100.0
    term = np.clip((np.maximum(t, 1e-6) / _T30) ** _TERM_POWER, 0.5, 2.0)
    atm = base * term
    return np.asarray(np.maximum(atm * (1.0 + _SKEW_SLOPE * np.log(k / f)), 0.6 * atm))


def vix_option_bid_ask(mid: ArrayLike, vvix: float) -> tuple[FloatArray, FloatArray]:
    """Bid/ask of VIX options around a model mid (tick 0.05), vol points."""
    m = np.asarray(mid, dtype=np.float64)
    tick = 0.05
    half = np.maximum(tick, (0.03 + 0.03 * m) * np.sqrt(np.clip(vvix / 90.0, 0.7, 2.5)))
    bid = np.maximum(np.floor((m - half) / tick + 1e-9) * tick, 0.0)
    ask = np.ceil((m + half) / tick - 1e-9) * tick
    return np.round(bid, 2), np.round(ask, 2)
