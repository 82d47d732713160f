"""Modeled VX futures curve and VIX options (pure maths, no I/O).

VX futures
----------
Where VIX3M or VIX6M is known (term-structure anchored model, ``"ts"``):

``F(T) = S(T) - a S(T)^2 / 100 sqrt(T)``,  ``S(T) = 100 sqrt(FV(T))``

with ``FV(T)`` the 30-day forward variance starting at ``T``, from total
variance linear in time through the VIX/VIX3M/VIX6M nodes (30, 93, 182 days;
flat vol before the first node, flat forward variance after the last), and a
convexity/variance-premium haircut ``a`` (Jensen: E[VIX] lies below
sqrt(E[VIX^2]) by about Var(VIX_T) / (2 S), which grows with S^2 T); floored
at ``S / 2``. VIX9D is NOT a node: ``a`` was fitted on 2008-2010, before VIX9D
existed, and VIX9D overshoots in spikes (2018-02-05: VIX9D 59.34 over VIX
37.32 put the 9-day future at 21.85 on a non-monotone curve; without it 33.0,
between VIX3M 28.13 and VIX 37.32, decreasing with expiry). Fitted
``a = 0.2917`` (least squares on the 5,221 real CFE contract-days with 1-250
days to expiry, 2008-2010, VIX6M known): level RMSE 1.50 vol points (bias
-0.27, -0.96, -0.60, -0.15 in the 0-30, 30-60, 60-120, 120-250 day buckets);
change betas model/real 0.59/0.54, 0.30/0.33, 0.28/0.26, 0.24/0.18.
(The former version, flat vol after the last node and ``a = 0.3123``: RMSE 1.87.)

Otherwise (VIX only, ``"mr"``): a two-factor mean reversion around a causal
slow anchor ``L_t`` (`vx_anchor`: exponentially weighted mean of the VIX closes
up to and including ``t``, half-life ``h`` trading days):

``F(T) = theta + (L_t - theta) e^{-k_l T}
+ (VIX_t - L_t) (w e^{-k_f T} + (1 - w) e^{-k_m T})``

The slow factor (``L - theta``) reverts over years; the transient gap
(``VIX - L``) reverts fast: a share ``w`` within days (spike noise), the rest
over months. A one-exponential gap cannot fit both the levels and the small
change sensitivity of real futures (real dF/dVIX falls from 0.53 at 0-30 days
to 0.33 at 30-60 days, then only to 0.18 at 120-250 days). Fitted on the real
CFE VX settlements 2004-2010 (9,794 contract-days, 1-250 days to expiry;
9,717 one-day changes of the same contract) against the same day's VIX close,
minimising level SSE / n plus 100 x the squared gap between model and real
regression betas of daily futures changes on VIX changes in the buckets
0-30, 30-60, 60-120, 120-250 days (``benchmarks/validate_markets.py`` prints
them). Fitted values (`MR_PARAMS`): ``theta = 25.97`` vol points,
``k_l = 0.755``/year, ``k_f = 31.6``/year, ``k_m = 1.76``/year, ``w = 0.604``,
``h = 37.5`` trading days. Level RMSE 1.90 vol points (the former one-factor
``theta + (VIX - theta) e^{-1.442 T}`` had 3.40); betas model/real
0.54/0.53, 0.34/0.33, 0.26/0.26, 0.17/0.18 (one-factor: 0.93, 0.83, 0.70, 0.49).
Known bias: in spikes (VIX more than 10 points above ``L``, 600 contract-days
2004-2010) the model sits below the real futures by 3.0 / 1.4 / 0.8 vol points
on average at 0-30 / 30-60 / 60-120 days (e.g. 2008-10-24, VIX 79.13: front
52.7 against 55.8 real), and above them by 1.6 / 1.1 / 0.8 when VIX is more than
5 points below ``L``: spike hedges are valued conservatively.
Where the VIX history is shorter than ``h`` (the start of any data set, e.g.
the embedded 2014 data) the anchor starts at the first VIX close and is a
shorter-memory average for its first months.

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

import math
from dataclasses import dataclass

import numpy as np

from vixshield._typing import ArrayLike, FloatArray

__all__ = [
    "MR_PARAMS",
    "TS_NODE_COLUMNS",
    "TS_PARAMS",
    "VVIX_ATM_RATIO",
    "MeanReversionParams",
    "forward_variance_30d",
    "vix_option_bid_ask",
    "vix_option_vol",
    "vvix_proxy",
    "vx_anchor",
    "vx_mean_reversion",
    "vx_term_structure",
]


@dataclass(frozen=True)
class MeanReversionParams:
    """Constants of the two-factor VX model (`vx_mean_reversion`).

    Attributes
    ----------
    theta : float
        Long-run level, vol points.
    k_long : float
        Reversion speed of the slow anchor towards ``theta``, per year.
    k_fast, k_mid : float
        Reversion speeds of the transient gap ``VIX - L``, per year.
    w_fast : float
        Share of the gap reverting at ``k_fast`` (the rest at ``k_mid``), in [0, 1].
    half_life_days : float
        Half-life of the anchor's exponential weights, trading days (VIX closes).
    """

    theta: float
    k_long: float
    k_fast: float
    k_mid: float
    w_fast: float
    half_life_days: float


MR_PARAMS = MeanReversionParams(
    theta=25.97, k_long=0.755, k_fast=31.6, k_mid=1.76, w_fast=0.604, half_life_days=37.5
)  # fitted on CFE VX 2004-2010, levels and change betas (module docstring)
TS_PARAMS: float = 0.2917  # a, haircut per (vol point x sqrt(year)); fitted
TS_NODE_COLUMNS: dict[int, str] = {30: "vix", 93: "vix3m", 182: "vix6m"}
"""Nodes of the ``"ts"`` model: days to expiry -> daily column (no VIX9D, see above)."""
VVIX_ATM_RATIO = 0.85  # ATM 30-day VIX option vol / VVIX (VVIX includes the call-skew wings)
_SKEW_SLOPE = 0.45  # d sigma / sigma_atm per unit ln(K/F) (VIX call skew)
_TERM_POWER = -0.25  # vol-of-vol term structure exponent
_T30 = 30.0 / 365.0


def vx_anchor(vix: ArrayLike, half_life_days: float = MR_PARAMS.half_life_days) -> FloatArray:
    """Causal slow anchor ``L_t`` of daily VIX closes, vol points.

    ``L_t = L_{t-1} + lam (VIX_t - L_{t-1})`` with ``lam = 1 - 2^(-1/h)``, started
    at the first finite close (NaN before it); a NaN close carries ``L`` forward.
    ``L_t`` uses closes up to and including row ``t`` only.

    Parameters
    ----------
    vix : array_like
        Daily VIX closes in date order, vol points (NaN where unknown).
    half_life_days : float
        Half-life ``h`` of the weights, trading days (rows).
    """
    x = np.asarray(vix, dtype=np.float64)
    lam = 1.0 - 0.5 ** (1.0 / half_life_days)
    out = np.full(x.shape, np.nan)
    level = math.nan
    started = False
    values = x.tolist()
    for i, v in enumerate(values):
        if math.isfinite(v):
            level = level + lam * (v - level) if started else v
            started = True
        values[i] = level
    out[:] = values
    return out


def vx_mean_reversion(
    vix: ArrayLike, anchor: ArrayLike, t_years: ArrayLike, params: MeanReversionParams = MR_PARAMS
) -> FloatArray:
    """VX futures from spot VIX and its slow anchor (two-factor model), vol points.

    Parameters
    ----------
    vix : array_like
        Spot VIX, vol points (broadcast against ``t_years``).
    anchor : array_like
        Slow anchor ``L_t`` (`vx_anchor`) at the same date, vol points.
    t_years : array_like
        Time to expiry, years ACT/365.
    params : MeanReversionParams
        Model constants (fitted `MR_PARAMS`).
    """
    p = params
    t = np.asarray(t_years, dtype=np.float64)
    v = np.asarray(vix, dtype=np.float64)
    lt = np.asarray(anchor, dtype=np.float64)
    gap = p.w_fast * np.exp(-p.k_fast * t) + (1.0 - p.w_fast) * np.exp(-p.k_mid * t)
    return np.asarray(p.theta + (lt - p.theta) * np.exp(-p.k_long * t) + (v - lt) * gap)


def forward_variance_30d(
    t_years: ArrayLike, node_days: ArrayLike, node_level: ArrayLike
) -> FloatArray:
    """30-day forward variance from ``T`` (decimal^2 per year) off index nodes.

    Total variance ``w(T) = (level/100)^2 T`` is linear between nodes, linear
    from zero to the first node (flat vol) and, beyond the last node, continues
    with the last segment's forward variance (flat forward variance; a single
    node is flat vol). Continuing with the last node's *vol* instead would make
    the forward curve jump back up past the last node in backwardation.
    """
    t = np.asarray(t_years, dtype=np.float64)
    nt = np.asarray(node_days, dtype=np.float64) / 365.0
    nv = (np.asarray(node_level, dtype=np.float64) / 100.0) ** 2
    nw = nv * nt
    tail = (nw[-1] - nw[-2]) / (nt[-1] - nt[-2]) if nt.size > 1 else nv[-1]

    def w(x: FloatArray) -> FloatArray:
        inner = np.interp(x, nt, nw)
        after = nw[-1] + tail * (x - nt[-1])
        return np.asarray(np.where(x < nt[0], nv[0] * x, np.where(x > nt[-1], after, inner)))

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
