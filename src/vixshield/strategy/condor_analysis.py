"""The analytics of one iron condor on an expiry's quotes: credits, risk, odds, greeks.

Prices in index points per unit, money in dollars per contract (x100), time ACT/365,
theta per calendar day, vega per vol point. A condor is short put ``sp`` / long put
``lp`` < ``sp`` and short call ``sc`` / long call ``lc`` > ``sc``, one unit each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np

from vixshield._typing import FloatArray
from vixshield.markets.costs import CONTRACT_MULTIPLIER, CostModel
from vixshield.strategy.condor_quotes import SideQuotes
from vixshield.strategy.condor_strikes import grid_positions
from vixshield.strategy.types import Leg

__all__ = [
    "MULTIPLIER",
    "CondorAnalytics",
    "CondorCandidate",
    "analyse_condor",
    "gradient_rows",
    "risk_neutral_cdf",
    "vertical_credits",
]

MULTIPLIER = CONTRACT_MULTIPLIER  # SPX option contract multiplier, USD per index point


@dataclass(frozen=True)
class CondorAnalytics:
    """Analytics of one iron condor candidate (see `analyse_condor` for formulas).

    Prices (strikes, credits, break-evens, widths) are in index points per condor;
    ``put_credit``/``call_credit`` are each vertical's credit at the modeled fill
    (they sum to ``credit_fill``), ``sd_vol`` the vol the strikes were placed with
    (`sd_vol`; NaN where the caller gave none).
    Money fields (``max_profit``, ``max_loss*``, ``expected_value``, ``open_costs``,
    ``extrinsic``, ``decay_per_day``, ``theta_per_day``, ``margin``) are dollars per
    condor (one contract of each leg, x100). The position greeks ``delta``, ``gamma``,
    ``vega`` (per vol point) and ``theta`` (per calendar day) are for the whole
    position: x100 x ``contracts``.
    """

    expiry: str
    dte: int
    t_years: float
    forward: float
    atm_iv: float
    sd_vol: float
    k_put: float
    k_call: float
    long_put: float
    short_put: float
    short_call: float
    long_call: float
    put_width: float
    call_width: float
    credit_mid: float
    credit_fill: float
    put_credit: float
    call_credit: float
    max_profit: float
    max_loss_put: float
    max_loss_call: float
    max_loss: float
    breakeven_put: float
    breakeven_call: float
    return_on_risk: float
    pop: float
    p_touch_put: float
    p_touch_call: float
    p_below_short_put: float
    p_above_short_call: float
    expected_value: float
    open_costs: float
    extrinsic: float
    decay_per_day: float
    theta_per_day: float
    delta: float
    gamma: float
    vega: float
    theta: float
    margin: float
    irr: float
    contracts: int

    def to_dict(self) -> dict[str, float | int | str]:
        """JSON-friendly dict: NaN floats become the string ``"nan"``."""
        out: dict[str, float | int | str] = {}
        for name in _ANALYTICS_FIELDS:  # scalars only: no deep copy (`asdict`) needed
            v = getattr(self, name)
            out[name] = "nan" if isinstance(v, float) and math.isnan(v) else v
        return out


_ANALYTICS_FIELDS = tuple(f.name for f in fields(CondorAnalytics))


@dataclass(frozen=True)
class CondorCandidate:
    """Legs (one unit each) and analytics of a proposed condor."""

    legs: tuple[Leg, ...]
    analytics: CondorAnalytics


def risk_neutral_cdf(q: SideQuotes) -> FloatArray:
    """Risk-neutral P(S_T < K) at each grid strike from the smile (Breeden-Litzenberger).

    Notes
    -----
    ``P(S_T < K) = e^{rT} dP/dK`` for OTM puts (K < F) and
    ``1 + e^{rT} dC/dK`` for OTM calls (K >= F), by central differences of
    mid prices on the listed grid (one-sided at the ends), clipped to [0, 1]
    and made non-decreasing. Includes the skew term a lognormal N(-d2) misses.

    References
    ----------
    Breeden, D. and Litzenberger, R. (1978). Prices of state-contingent claims
    implicit in option prices. J. Business 51, 621-651.
    """
    k = q.strikes
    growth = math.exp(q.rate * q.t_years)
    dp, dc = gradient_rows(np.stack((q.put_mid, q.call_mid)), k)
    cdf = np.clip(np.where(k < q.forward, growth * dp, 1.0 + growth * dc), 0.0, 1.0)
    cdf[np.isnan(cdf)] = 0.0  # ``clip(nan_to_num(x))``: infinities clip to the bounds
    return np.asarray(np.maximum.accumulate(cdf), dtype=np.float64)


def gradient_rows(f: FloatArray, x: FloatArray) -> FloatArray:
    """``np.gradient(f, x, axis=1)`` of a 2-D float array over 1-D float coordinates.

    NumPy's own formulas term for term (second order inside, first order at the
    edges, its uniform-spacing case where every step is equal), without its
    generic set-up; NumPy itself for fewer than two points (its error).
    """
    if x.shape[0] < 2 or f.ndim != 2 or x.dtype != np.float64 or f.dtype != np.float64:
        return np.asarray(np.gradient(f, x, axis=1), dtype=np.float64)
    dx = x[1:] - x[:-1]
    out = np.empty_like(f)
    if bool((dx == dx[0]).all()):
        step = dx[0]
        out[:, 1:-1] = (f[:, 2:] - f[:, :-2]) / (2.0 * step)
        first = last = step
    else:
        dx1, dx2 = dx[0:-1], dx[1:]
        a = -(dx2) / (dx1 * (dx1 + dx2))
        b = (dx2 - dx1) / (dx1 * dx2)
        c = dx1 / (dx2 * (dx1 + dx2))
        out[:, 1:-1] = a * f[:, :-2] + b * f[:, 1:-1] + c * f[:, 2:]
        first, last = dx[0], dx[-1]
    out[:, 0] = (f[:, 1] - f[:, 0]) / first
    out[:, -1] = (f[:, -1] - f[:, -2]) / last
    return out


def _integral(
    k: FloatArray, f: FloatArray, lo: float, hi: float, increasing: bool = False
) -> float:
    """Trapezoid integral of the piecewise-linear ``f(k)`` from ``lo`` to ``hi``.

    ``increasing``: ``k`` is known strictly increasing, so that with ``lo < hi`` the
    points ``lo``, the strikes between, ``hi`` are already sorted and distinct (what
    ``np.unique`` would return).
    """
    if increasing and lo < hi:  # the strikes strictly between: a slice of the sorted grid
        inner = k[int(k.searchsorted(lo, "right")) : int(k.searchsorted(hi, "left"))]
        pts = np.concatenate(([lo], inner, [hi]))
    else:
        pts = np.unique(np.concatenate(([lo], k[(k > lo) & (k < hi)], [hi])))
    vals = np.interp(pts, k, f)
    return float(np.sum(0.5 * (vals[1:] + vals[:-1]) * (pts[1:] - pts[:-1])))


@lru_cache(maxsize=64)
def _open_costs(costs: CostModel) -> float:
    """Commission and fees of opening one condor (four legs of one contract), dollars:
    `CostModel.charges` of the legs (a cost model is frozen: one sum per model)."""
    return float(sum(costs.charges([1.0, -1.0, -1.0, 1.0])))


def analyse_condor(
    q: SideQuotes,
    lp: float,
    sp: float,
    sc: float,
    lc: float,
    dte: int,
    costs: CostModel,
    expiry: str = "",
    k_put: float = math.nan,
    k_call: float = math.nan,
    contracts: int = 1,
    sd_vol: float = math.nan,
    credits: tuple[float, float] | None = None,
    at: tuple[int, int, int, int] | None = None,
) -> CondorAnalytics:
    """Analytics of the condor lp < sp < sc < lc on quotes ``q``.

    Notes
    -----
    - credit_mid = mid(sp) + mid(sc) - mid(lp) - mid(lc); credit_fill is the sum of
      the two verticals' credits at the modeled fill (`vertical_credits`, through
      `vixshield.markets.costs.CostModel`); open_costs are its commission and fees
      on the four legs. ``credits``: `vertical_credits`' (put, call) for these
      strikes when the caller has them already (computed here when None); ``at``
      their grid positions (`grid_index`), likewise.
    - max profit = credit_fill x 100; max loss per side = (width - credit_fill) x 100,
      max loss = the larger side; break-evens sp - credit_fill and sc + credit_fill.
    - pop = F(be_call) - F(be_put) with F the risk-neutral CDF (`risk_neutral_cdf`);
      touch probabilities by the reflection principle, ``min(1, 2 P(beyond strike))``
      (exact for a driftless Brownian motion, an approximation here).
    - expected value at expiry (undiscounted, net of opening costs):
      ``100 (credit_fill - int_lp^sp F(k) dk - int_sc^lc (1 - F(k)) dk) - open_costs``.
    - extrinsic: the net time value sold, ``100 sum(-ratio (mid - intrinsic))`` with
      intrinsic ``e^{-rT} max(w (F - K), 0)``; decay_per_day = extrinsic / dte (its
      average daily decay if held to expiry); theta_per_day the position theta today.
    - margin: Cboe Rule 10.3 (Margin Manual, "short iron condor"): the larger of the
      two short spreads' requirements, each strike width x 100, with no reduction
      for the credit received.
    - irr: held to expiry at max profit, paying ``margin - credit + open_costs`` now
      and receiving ``margin`` at expiry: ``(margin / (margin - 100 credit_fill +
      open_costs))^(365 / dte) - 1``.
    """
    k = q.strikes
    ilp, isp, isc, ilc = at if at is not None else grid_positions(k, lp, sp, sc, lc)
    if min(ilp, isp, isc, ilc) < 0:
        raise ValueError(f"condor strikes {lp:g}/{sp:g}/{sc:g}/{lc:g} are not all on the grid")
    mid = q.put_mid[isp] + q.call_mid[isc] - q.put_mid[ilp] - q.call_mid[ilc]
    if credits is None:
        credits = vertical_credits(q, lp, sp, sc, lc, costs, (ilp, isp, isc, ilc))
    put_credit, call_credit = credits
    credit = put_credit + call_credit
    pw, cw = sp - lp, lc - sc
    max_profit = credit * MULTIPLIER
    ml_put, ml_call = (pw - credit) * MULTIPLIER, (cw - credit) * MULTIPLIER
    max_loss = max(ml_put, ml_call)
    be_p, be_c = sp - credit, sc + credit
    cdf = risk_neutral_cdf(q)
    f_bp, f_bc = np.interp((be_p, be_c), k, cdf).tolist()  # point by point, as two calls
    p_below, p_above = float(cdf[isp]), float(1.0 - cdf[isc])
    increasing = bool(np.all(k[1:] > k[:-1]))
    e_put = _integral(k, cdf, lp, sp, increasing)
    e_call = _integral(k, 1.0 - cdf, sc, lc, increasing)
    open_costs = _open_costs(costs)
    ev = (credit - e_put - e_call) * MULTIPLIER - open_costs
    disc = math.exp(-q.rate * q.t_years)
    f = q.forward

    def ext_put(i: int) -> float:
        return float(q.put_mid[i] - disc * max(k[i] - f, 0.0))

    def ext_call(i: int) -> float:
        return float(q.call_mid[i] - disc * max(f - k[i], 0.0))

    extrinsic = (ext_put(isp) + ext_call(isc) - ext_put(ilp) - ext_call(ilc)) * MULTIPLIER

    pgs, cgs = q.put_greeks, q.call_greeks

    def greek(g: str) -> float:
        pg, cg = pgs[g], cgs[g]
        return float(-pg[isp] - cg[isc] + pg[ilp] + cg[ilc]) * MULTIPLIER

    g = {name: greek(name) for name in ("delta", "gamma", "vega", "theta")}
    margin = max(pw, cw) * MULTIPLIER
    outlay = margin - max_profit + open_costs
    irr = (margin / outlay) ** (365.0 / dte) - 1.0 if outlay > 0 and dte > 0 else math.nan
    return CondorAnalytics(
        expiry=expiry,
        dte=dte,
        t_years=q.t_years,
        forward=f,
        atm_iv=q.atm_iv(),
        sd_vol=sd_vol,
        k_put=k_put,
        k_call=k_call,
        long_put=lp,
        short_put=sp,
        short_call=sc,
        long_call=lc,
        put_width=pw,
        call_width=cw,
        credit_mid=float(mid),
        credit_fill=credit,
        put_credit=put_credit,
        call_credit=call_credit,
        max_profit=max_profit,
        max_loss_put=ml_put,
        max_loss_call=ml_call,
        max_loss=max_loss,
        breakeven_put=be_p,
        breakeven_call=be_c,
        return_on_risk=max_profit / max_loss if max_loss > 0 else math.nan,
        pop=max(f_bc - f_bp, 0.0),
        p_touch_put=min(1.0, 2.0 * p_below),
        p_touch_call=min(1.0, 2.0 * p_above),
        p_below_short_put=p_below,
        p_above_short_call=p_above,
        expected_value=ev,
        open_costs=open_costs,
        extrinsic=extrinsic,
        decay_per_day=extrinsic / dte if dte > 0 else math.nan,
        theta_per_day=g["theta"],
        delta=g["delta"] * contracts,
        gamma=g["gamma"] * contracts,
        vega=g["vega"] * contracts,
        theta=g["theta"] * contracts,
        margin=margin,
        irr=irr,
        contracts=contracts,
    )


def vertical_credits(
    q: SideQuotes,
    lp: float,
    sp: float,
    sc: float,
    lc: float,
    costs: CostModel,
    at: tuple[int, int, int, int] | None = None,
) -> tuple[float, float]:
    """(put spread, call spread) credit at the modeled fill, index points per unit.

    ``at``: the grid positions (`grid_index`) of lp, sp, sc, lc when the caller has
    them already (found here when None).

    Notes
    -----
    Each leg fills by `vixshield.markets.costs.CostModel.fills` (the short leg
    sells at ``max(mid - s (ask - bid), 0)``, the long leg buys at
    ``mid + s (ask - bid)``, ``s = spread_share``); a vertical's credit is the
    short's fill minus the long's. NaN where a strike is not on ``q``'s grid.
    """
    k = q.strikes

    def credit(mid: FloatArray, bid: FloatArray, ask: FloatArray, short: int, long: int) -> float:
        # `CostModel.fill_one`: `fills` leg by leg, bit for bit, without numpy's set-up
        sold = costs.fill_one(float(mid[short]), float(bid[short]), float(ask[short]), -1.0)
        bought = costs.fill_one(float(mid[long]), float(bid[long]), float(ask[long]), 1.0)
        return sold - bought

    ilp, isp, isc, ilc = at if at is not None else grid_positions(k, lp, sp, sc, lc)
    put = call = math.nan
    if min(ilp, isp) >= 0:
        put = credit(q.put_mid, q.put_bid, q.put_ask, isp, ilp)
    if min(isc, ilc) >= 0:
        call = credit(q.call_mid, q.call_bid, q.call_ask, isc, ilc)
    return put, call
