"""The SPX iron condor builder: expiry, strikes, analytics, entry filters, sizing.

Conventions: prices in index points per unit, money in dollars per contract
(x100), time ACT/365, theta per calendar day, vega per vol point. A condor is
short put ``sp`` / long put ``lp`` < ``sp`` and short call ``sc`` / long call
``lc`` > ``sc``, one unit each.

Scale convention: every distance is in standard deviations of the chosen
expiry's move, ``sd = F sigma sqrt(T)``, with ``sigma`` from that expiry's Cboe
variance (`sd_vol`); short strikes sit ``k`` sd from the forward, wings
``width_sd`` sd beyond them, both on the listed grid. The minimum credit is a
share of the wing width (`min_credit_filter`). Each vertical must sell for a
credit at the fill and its wing must be the policy's width to within the strike
increment (`spread_rule`), else the condor is refused with the side named.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from vixshield._typing import BoolArray, FloatArray
from vixshield.markets.costs import CONTRACT_MULTIPLIER, CostModel
from vixshield.markets.types import Expiry, MarketView, OptionChain
from vixshield.markets.vix_formula import expiry_moments
from vixshield.strategy.memo import MarketMemo
from vixshield.strategy.policy import CondorPolicy, Policy
from vixshield.strategy.types import Leg, RuleFired

__all__ = [
    "MULTIPLIER",
    "CondorAnalytics",
    "CondorCandidate",
    "SdVol",
    "SideQuotes",
    "StrikeChoice",
    "analyse_condor",
    "build_condor",
    "chain_mask",
    "choose_strikes",
    "condor_contracts",
    "day_number",
    "entry_filters",
    "event_filter",
    "float_col",
    "gradient_rows",
    "grid_index",
    "k_for_iv_rank",
    "min_credit_filter",
    "nan_median",
    "nearest_strike",
    "risk_neutral_cdf",
    "sd_vol",
    "select_expiry",
    "spread_rule",
    "strike_increment",
    "vertical_credits",
]

MULTIPLIER = CONTRACT_MULTIPLIER  # SPX option contract multiplier, USD per index point


_NS_PER_DAY = 86_400_000_000_000  # nanoseconds per calendar day


def day_number(ts: pd.Timestamp) -> int:
    """Calendar day number since 1970-01-01 of a tz-naive timestamp (time of day dropped).

    Differences of day numbers are calendar days (DTE) without building Timestamps.
    """
    value = ts.value if isinstance(ts, pd.Timestamp) else pd.Timestamp(ts).value
    return int(value // _NS_PER_DAY)


def float_col(frame: pd.DataFrame, name: str) -> FloatArray:
    """A column as float64 numpy (no copy when it already is)."""
    return np.asarray(frame[name].to_numpy(), dtype=np.float64)


def nan_median(x: FloatArray) -> float:
    """``np.nanmedian(x)``, without sorting when ``x`` is one finite value repeated.

    The forwards and times of one expiry are one value repeated; the median of a
    constant array is that value exactly (the mean of two equal middles is exact).
    """
    if x.size and np.isfinite(x[0]) and bool((x == x[0]).all()):
        return float(x[0])
    return float(np.nanmedian(x))


def chain_mask(frame: pd.DataFrame, expiry: pd.Timestamp, root: str) -> BoolArray:
    """Rows of a chain frame with this expiry date and root."""
    col = frame["expiry"].to_numpy()
    if col.dtype.kind == "M":
        day = np.datetime64(pd.Timestamp(expiry).normalize().to_datetime64()).astype(col.dtype)
        same = col == day
    else:
        same = np.asarray(pd.to_datetime(col) == pd.Timestamp(expiry).normalize(), dtype=bool)
    return np.asarray(same & (frame["root"].to_numpy() == root), dtype=bool)


@dataclass(frozen=True)
class SideQuotes:
    """One expiry's puts and calls on a common strike grid (ascending)."""

    strikes: FloatArray
    put_mid: FloatArray
    call_mid: FloatArray
    put_bid: FloatArray
    put_ask: FloatArray
    call_bid: FloatArray
    call_ask: FloatArray
    put_iv: FloatArray
    call_iv: FloatArray
    put_greeks: dict[str, FloatArray]
    call_greeks: dict[str, FloatArray]
    forward: float
    t_years: float
    rate: float

    @classmethod
    def from_chain(cls, chain: OptionChain, expiry: Expiry) -> SideQuotes:
        """Split one expiry (and root) of a chain into aligned put/call arrays.

        Strikes quoted on one side only are dropped.
        """
        q = chain.quotes
        sel = chain_mask(q, expiry.date, expiry.root)
        is_put = q["right"].to_numpy() == "P"
        k_all = float_col(q, "strike")
        pi = np.flatnonzero(sel & is_put)
        ci = np.flatnonzero(sel & ~is_put)
        pi = pi[np.argsort(k_all[pi], kind="stable")]
        ci = ci[np.argsort(k_all[ci], kind="stable")]
        k, pj, cj = np.intersect1d(k_all[pi], k_all[ci], return_indices=True)
        pi, ci = pi[pj], ci[cj]
        num = {
            c: q[c].to_numpy(dtype=np.float64)
            for c in (
                "bid",
                "ask",
                "mid",
                "iv",
                "delta",
                "gamma",
                "vega",
                "theta",
                "forward",
                "t_years",
            )
        }
        greeks = ("delta", "gamma", "vega", "theta")
        fwd = nan_median(num["forward"][ci]) if len(k) else math.nan
        t = nan_median(num["t_years"][ci]) if len(k) else expiry.t_years
        return cls(
            strikes=np.asarray(k, dtype=np.float64),
            put_mid=num["mid"][pi],
            call_mid=num["mid"][ci],
            put_bid=num["bid"][pi],
            put_ask=num["ask"][pi],
            call_bid=num["bid"][ci],
            call_ask=num["ask"][ci],
            put_iv=num["iv"][pi],
            call_iv=num["iv"][ci],
            put_greeks={g: num[g][pi] for g in greeks},
            call_greeks={g: num[g][ci] for g in greeks},
            forward=fwd,
            t_years=t,
            rate=float(chain.rate),
        )

    @classmethod
    def from_market(cls, market: MarketView, date: pd.Timestamp, expiry: Expiry) -> SideQuotes:
        """The same arrays from ``market.strikes`` plus one vectorised ``market.quote``
        of every listed put and call (no chain frame is built).

        The rate is not in a `QuoteBlock`; it is implied from put-call parity,
        ``C - P = D (F - K)``, by least squares over the strikes:
        ``D = sum((C - P)(F - K)) / sum((F - K)^2)``, ``rate = -ln(D) / T``
        (continuous, per year). Exact for a model's mids; averages out quote noise.
        """
        k = np.sort(np.asarray(market.strikes(date, "SPX", expiry.date), dtype=np.float64))
        n = len(k)
        qb = market.quote(
            date, "SPX", [expiry.date] * (2 * n), np.concatenate((k, k)), ["P"] * n + ["C"] * n
        )
        pi, ci = slice(0, n), slice(n, 2 * n)
        fwd = nan_median(qb.forward[ci]) if n else math.nan
        t = nan_median(qb.t_years[ci]) if n else expiry.t_years
        gap = fwd - k
        diff = qb.mid[ci] - qb.mid[pi]
        ok = np.isfinite(diff) & np.isfinite(gap)
        den = float(np.sum(gap[ok] ** 2))
        disc = float(np.sum(diff[ok] * gap[ok])) / den if den > 0 else math.nan
        rate = -math.log(disc) / t if disc > 0 and t > 0 else 0.0
        greeks = {"delta": qb.delta, "gamma": qb.gamma, "vega": qb.vega, "theta": qb.theta}
        return cls(
            strikes=k,
            put_mid=qb.mid[pi],
            call_mid=qb.mid[ci],
            put_bid=qb.bid[pi],
            put_ask=qb.ask[pi],
            call_bid=qb.bid[ci],
            call_ask=qb.ask[ci],
            put_iv=qb.iv[pi],
            call_iv=qb.iv[ci],
            put_greeks={g: v[pi] for g, v in greeks.items()},
            call_greeks={g: v[ci] for g, v in greeks.items()},
            forward=fwd,
            t_years=t,
            rate=rate,
        )

    def atm_iv(self) -> float:
        """Mean of put and call implied vol at the strike nearest the forward.

        ``np.nanmean`` of the two, term for term: its sum ``p + (0 + c)`` (a NaN
        counting 0) over the count of numbers; NumPy itself where both are NaN.
        """
        i = int(np.argmin(np.abs(self.strikes - self.forward)))
        p, c = float(self.put_iv[i]), float(self.call_iv[i])
        if p == p and c == c:
            return (p + (0.0 + c)) / 2.0
        if p == p:
            return p + (0.0 + 0.0)
        if c == c:
            return 0.0 + (0.0 + c)
        return float(np.nanmean([p, c]))  # NumPy's NaN, and its warning


@dataclass(frozen=True)
class SdVol:
    """The volatility that sets one standard deviation of an expiry's move.

    ``vol`` is annualised (decimal), ``sd`` the move in index points,
    ``F vol sqrt(T)``; ``source`` names where ``vol`` came from (for the audit).
    """

    vol: float
    sd: float
    source: str


def sd_vol(q: SideQuotes, expiry: str) -> SdVol:
    """One standard deviation of the expiry's move from its Cboe variance.

    Reads the expiry's strikes, bids and asks, time and rate; decides nothing.

    Notes
    -----
    ``vol = sqrt(sigma^2)`` with ``sigma^2`` the VIX formula's variance of this
    one expiry (`vixshield.markets.vix_formula.expiry_moments`: out-of-the-money
    mids, two-zero-bid cut-off), and ``sd = F vol sqrt(T)``. On a chain whose
    formula reproduces VIX this is the VIX-consistent vol at the expiry's own
    tenor; it includes the smile's wings, so it sits above the ATM implied vol.
    NaN (with the source saying so) where the formula finds no variance.

    References
    ----------
    Cboe (2019). The CBOE Volatility Index - VIX. White paper, step 1.
    """
    m = expiry_moments(q.strikes, q.call_bid, q.call_ask, q.put_bid, q.put_ask, q.t_years, q.rate)
    if not (math.isfinite(m.variance) and m.variance > 0.0):
        return SdVol(math.nan, math.nan, f"cboe variance of {expiry} not finite")
    vol = math.sqrt(m.variance)
    return SdVol(vol, q.forward * vol * math.sqrt(q.t_years), f"cboe variance of {expiry}")


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


def select_expiry(
    date: pd.Timestamp, expiries: list[Expiry], cfg: CondorPolicy, floor_dte: int = 0
) -> Expiry | None:
    """The listed expiry with calendar DTE in [dte_min, dte_max] nearest ``dte_target``.

    Where none lies in the window: the one nearest ``dte_target`` among those
    with DTE in [dte_min - dte_tolerance, dte_max + dte_tolerance] and above
    ``floor_dte`` (the management's exit DTE, so that the condor is not closed
    the day it opens). Ties go to the earlier expiry, then to the PM-settled
    (SPXW) root. None if none fits.
    """
    today = day_number(date)
    lo_all = min(cfg.dte_min, cfg.dte_min - cfg.dte_tolerance)
    hi_all = max(cfg.dte_max, cfg.dte_max + cfg.dte_tolerance)
    dated: list[tuple[int, Expiry]] = []  # those either window may pick, in listing order
    for e in expiries:  # `day_number`, inlined for Timestamps: it runs for every listed expiry
        d = e.date
        dte = (d.value // _NS_PER_DAY if type(d) is pd.Timestamp else day_number(d)) - today
        if lo_all <= dte <= hi_all and dte > floor_dte:
            dated.append((dte, e))

    def nearest(lo: int, hi: int) -> Expiry | None:
        fits = [
            ((abs(dte - cfg.dte_target), dte, 0 if e.settlement == "PM" else 1), i)
            for i, (dte, e) in enumerate(dated)
            if lo <= dte <= hi and dte > floor_dte
        ]
        return dated[min(fits)[1]][1] if fits else None

    inside = nearest(cfg.dte_min, cfg.dte_max)
    if inside is not None:
        return inside
    return nearest(cfg.dte_min - cfg.dte_tolerance, cfg.dte_max + cfg.dte_tolerance)


def k_for_iv_rank(iv_rank: float, cfg: CondorPolicy) -> float:
    """k = k_low + (k_high - k_low) x IV rank (rank clipped to [0, 1]; NaN -> 0.5).

    IV rank is VIX's ``(VIX - min) / (max - min)`` over the last 252 trading days
    (column ``iv_rank`` of `compute_indicators`); default k runs 1.5 to 2.0.
    """
    r = 0.5 if math.isnan(iv_rank) else min(max(iv_rank, 0.0), 1.0)
    return cfg.k_low + (cfg.k_high - cfg.k_low) * r


def nearest_strike(strikes: FloatArray, target: float, away_below: bool) -> float:
    """The listed strike nearest ``target``; ties go away from the money
    (lower when ``away_below``, else higher)."""
    d = np.abs(strikes - target)
    best = np.flatnonzero(d <= d.min() + 1e-9)
    return float(strikes[best[0]] if away_below else strikes[best[-1]])


def strike_increment(strikes: FloatArray, at: float) -> float:
    """The listed grid's increment at ``at`` (index points): the gap between the
    listed strikes bracketing it, or the end gap where ``at`` lies beyond the list.

    NaN with fewer than two strikes.
    """
    if len(strikes) < 2:
        return math.nan
    i = min(max(int(np.searchsorted(strikes, at)), 1), len(strikes) - 1)  # np.clip's bounds
    return float(strikes[i] - strikes[i - 1])


def _grid_at(
    k: FloatArray, lp: float, sp: float, sc: float, lc: float
) -> tuple[int, int, int, int]:
    """`grid_index` of the four strikes of a condor, in one pass over the grid.

    `grid_index`'s test row by row (the same float operations: ``|k - s|`` against
    ``1e-8 + 1e-5 |s|``), the first hit by ``argmax`` of each row; -1 for a row with
    no hit or a strike that is not finite.
    """
    s = np.array((lp, sp, sc, lc), dtype=np.float64)
    if k.ndim != 1 or k.shape[0] == 0 or k.dtype != np.float64:  # (other dtypes: their rounding)
        return grid_index(k, lp), grid_index(k, sp), grid_index(k, sc), grid_index(k, lc)
    hit = np.abs(k - s[:, None]) <= (1e-8 + 1e-5 * np.abs(s))[:, None]
    first = hit.argmax(axis=1)
    found = hit[np.arange(4), first] & np.isfinite(s)
    i = np.where(found, first, -1).tolist()
    return i[0], i[1], i[2], i[3]


def grid_index(strikes: FloatArray, strike: float) -> int:
    """Position of the first listed strike equal to ``strike`` (``np.isclose``'s
    default tolerance, ``|k - strike| <= 1e-8 + 1e-5 |strike|``); -1 when none is, or
    when ``strike`` is not finite."""
    if not math.isfinite(strike):
        return -1
    hit = np.flatnonzero(np.abs(strikes - strike) <= 1e-8 + 1e-5 * abs(strike))
    return int(hit[0]) if len(hit) else -1


def _wing_by_width(strikes: FloatArray, short: float, width: float, below: bool) -> float:
    """Nearest listed strike to ``short -/+ width`` strictly beyond the short strike."""
    beyond = strikes[strikes < short] if below else strikes[strikes > short]
    if len(beyond) == 0:
        return math.nan
    return nearest_strike(beyond, short - width if below else short + width, below)


def _by_delta(strikes: FloatArray, delta: FloatArray, target: float, mask: BoolArray) -> float:
    cand = np.flatnonzero(mask.astype(bool) & ~np.isnan(delta))
    if len(cand) == 0:
        return math.nan
    i = cand[int(np.argmin(np.abs(np.abs(delta[cand]) - target)))]
    return float(strikes[i])


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
    ilp, isp, isc, ilc = at if at is not None else _grid_at(k, lp, sp, sc, lc)
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


@dataclass(frozen=True)
class StrikeChoice:
    """Strikes of a condor candidate (index points) and what placed them.

    ``k_put``/``k_call``: the short strikes' distance in standard deviations
    ``sd`` (points); ``put_width``/``call_width``: the policy's wing widths in
    points (``width_sd x sd``; NaN under the delta wing rule). A NaN strike means
    no listed strike fits.
    """

    lp: float
    sp: float
    sc: float
    lc: float
    k_put: float
    k_call: float
    sd: float
    put_width: float
    call_width: float


def choose_strikes(q: SideQuotes, cfg: CondorPolicy, k: float, sd: float) -> StrikeChoice:
    """The policy's strike and wing rules on one expiry's listed strikes.

    ``sd`` is one standard deviation of the move to expiry in points (`sd_vol`).
    "sd": short put nearest ``F - k_put sd`` below the forward, short call nearest
    ``F + k_call sd`` above it; "delta": |delta| nearest ``short_delta``. Wings
    "width": the listed strike nearest ``short -/+ width_sd x sd`` beyond the
    short strike (whether it is near enough is `spread_rule`'s call);
    "delta": |delta| nearest ``wing_delta``.
    """
    f, strikes = q.forward, q.strikes
    kp, kc = k * cfg.put_k_scale, k * cfg.call_k_scale
    if cfg.strike_rule == "sd":
        below, above = strikes[strikes < f], strikes[strikes > f]
        sp = nearest_strike(below, f - kp * sd, True) if below.size else math.nan
        sc = nearest_strike(above, f + kc * sd, False) if above.size else math.nan
    else:
        sp = _by_delta(strikes, q.put_greeks["delta"], cfg.short_delta, strikes < f)
        sc = _by_delta(strikes, q.call_greeks["delta"], cfg.short_delta, strikes > f)
        kp = (f - sp) / sd if sd > 0 else math.nan
        kc = (sc - f) / sd if sd > 0 else math.nan
    pw = cfg.put_width_sd * sd if cfg.wing_rule == "width" else math.nan
    cw = cfg.call_width_sd * sd if cfg.wing_rule == "width" else math.nan
    lp = lc = math.nan
    if not math.isnan(sp) and not math.isnan(sc):
        if cfg.wing_rule == "width":
            lp = _wing_by_width(strikes, sp, pw, True)
            lc = _wing_by_width(strikes, sc, cw, False)
        else:
            lp = _by_delta(strikes, q.put_greeks["delta"], cfg.wing_delta, strikes < sp)
            lc = _by_delta(strikes, q.call_greeks["delta"], cfg.wing_delta, strikes > sc)
    return StrikeChoice(lp, sp, sc, lc, kp, kc, sd, pw, cw)


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

    ilp, isp, isc, ilc = at if at is not None else _grid_at(k, lp, sp, sc, lc)
    put = call = math.nan
    if min(ilp, isp) >= 0:
        put = credit(q.put_mid, q.put_bid, q.put_ask, isp, ilp)
    if min(isc, ilc) >= 0:
        call = credit(q.call_mid, q.call_bid, q.call_ask, isc, ilc)
    return put, call


def spread_rule(
    side: str,
    strikes: FloatArray,
    short: float,
    wing: float,
    policy_width: float,
    credit: float,
) -> RuleFired:
    """One vertical of the condor: its wing and its credit.

    Reads the listed strikes, the chosen short and wing strikes, the policy's
    width in points (NaN: the delta wing rule, no width to meet) and the
    vertical's credit at the fill (`vertical_credits`). Passes when a wing is
    listed beyond the short strike, its width is within one strike increment
    (`strike_increment` at the policy's wing) of the policy's width, and the
    vertical sells for a credit (> 0). The rule is ``condor_<side>_spread``;
    the fail reason names the side, the widths or the debit.
    """
    width = abs(short - wing) if math.isfinite(wing) else math.nan
    target = short - policy_width if side == "put" else short + policy_width
    step = strike_increment(strikes, target) if math.isfinite(policy_width) else math.nan
    inputs: dict[str, float | str] = {
        "short": short,
        "wing": wing if math.isfinite(wing) else "none",
        "width": width if math.isfinite(width) else "none",
        "policy_width": policy_width if math.isfinite(policy_width) else "delta rule",
        "increment": step if math.isfinite(step) else "none",
        "credit": credit,
    }
    name = f"condor_{side}_spread"
    beyond = "below" if side == "put" else "above"
    if not math.isfinite(wing):
        return RuleFired(name, inputs, "fail", f"{side} wing: no listed strike {beyond} {short:g}")
    if math.isfinite(policy_width) and not abs(width - policy_width) <= step + 1e-9:
        return RuleFired(
            name,
            inputs,
            "fail",
            f"{side} wing {width:g} points wide, policy {policy_width:.1f}"
            f" +- {step:g} (strike increment)",
        )
    if not credit > 0.0:
        return RuleFired(
            name, inputs, "fail", f"{side} spread {short:g}/{wing:g} is a debit ({credit:.2f})"
        )
    return RuleFired(name, inputs, "pass")


def condor_contracts(max_loss: float, equity: float, risk_share: float, min_one: bool) -> int:
    """floor(risk_share x equity / max_loss), at least 1 when ``min_one`` (else 0)."""
    if not max_loss > 0 or not equity > 0:
        return 0
    n = math.floor(risk_share * equity / max_loss)
    return max(n, 1) if min_one else n


def _expiry_rule(
    date: pd.Timestamp, market: MarketView, cfg: CondorPolicy, floor_dte: int
) -> tuple[Expiry | None, int, RuleFired]:
    """`select_expiry` on the day's listing, with its audit entry (DTE -1 when none)."""
    exp = select_expiry(date, market.expiries(date, "SPX"), cfg, floor_dte)
    window = f"window {cfg.dte_min}-{cfg.dte_max}"
    if exp is None:
        inputs: dict[str, float | str] = {
            "dte_min": cfg.dte_min,
            "dte_max": cfg.dte_max,
            "dte_tolerance": cfg.dte_tolerance,
        }
        why = f"no listed expiry in {window} nor within {cfg.dte_tolerance} days of it"
        return None, -1, RuleFired("condor_expiry", inputs, "fail", why)
    end = pd.Timestamp(exp.date)
    if end.tz is None and date.tz is None:  # midnight to midnight: day numbers' difference
        dte = day_number(end) - day_number(date)
    else:
        dte = int((end.normalize() - date.normalize()).days)
    inputs = {"expiry": str(exp.date.date()), "root": exp.root, "dte": dte}
    if cfg.dte_min <= dte <= cfg.dte_max:
        return exp, dte, RuleFired("condor_expiry", inputs, "pass", "selected")
    why = (
        f"selected: nearest to {cfg.dte_target} within {cfg.dte_tolerance} days"
        f" of the {window} (window missed)"
    )
    inputs = {**inputs, "dte_tolerance": cfg.dte_tolerance}
    return exp, dte, RuleFired("condor_expiry", inputs, "warn", why)


@dataclass(frozen=True)
class _Unsized:
    """The condor builder's outcome before sizing: the legs and analytics for one
    contract (None: refused) and the audit entries of the rules up to the size."""

    legs: tuple[Leg, ...] | None
    analytics: CondorAnalytics | None
    fired: tuple[RuleFired, ...]


_CONDORS_LIMIT = 20_000  # unsized candidates kept per market: ~4 condor specs x 20 years
_CONDORS: MarketMemo[_Unsized] = MarketMemo(_CONDORS_LIMIT)
"""`_unsized_condor` per market, by `_condor_key`."""

_Number = tuple[str, str]  # a float as (type name, float.hex): NaN and -0.0 hit themselves


def _number_key(x: float) -> _Number:
    return (type(x).__name__, float(x).hex())


def _condor_key(
    date: pd.Timestamp, policy: Policy, iv_rank: float, k_multiplier: float
) -> tuple[int, CondorPolicy, int, CostModel, _Number, _Number]:
    """Everything `_unsized_condor` reads besides the market: the date (ns), the condor
    section, the exit DTE (the expiry floor), the cost model, iv rank and k multiplier
    (as recorded in the audit: NaN, -0.0 and the number's type are told apart)."""
    return (
        pd.Timestamp(date).value,
        policy.condor,
        policy.management.exit_dte,
        policy.costs.model(),
        _number_key(iv_rank),
        _number_key(k_multiplier),
    )


def build_condor(
    date: pd.Timestamp,
    market: MarketView,
    policy: Policy,
    iv_rank: float,
    k_multiplier: float,
    equity: float,
) -> tuple[CondorCandidate | None, list[RuleFired]]:
    """Build the day's condor candidate (entry filters not applied); None with the reason.

    The rules, in order, each with its audit entry: the expiry (`select_expiry`),
    the standard deviation (`sd_vol`), k (`k_for_iv_rank` x the regime's
    multiplier), the strikes (`choose_strikes`), each vertical (`spread_rule`:
    the wing at the policy's width, a credit at the fill), the size. A failing
    rule refuses the condor (outcome ``"fail"``, the reason in its note).

    Everything before the size reads only the market and `_condor_key` (not the
    equity nor the sizing section), so it is memoised per market on that key
    (`vixshield.strategy.memo.MarketMemo`): a sweep's variants that differ in sizing
    or in the hedge quote the day's chain once.
    """
    key = _condor_key(date, policy, iv_rank, k_multiplier)
    got = _CONDORS.get(market, key)
    if got is None:
        got = _unsized_condor(date, market, policy, iv_rank, k_multiplier)
        _CONDORS.put(market, key, got)
    fired = list(got.fired)
    if got.legs is None or got.analytics is None:
        return None, fired
    a = got.analytics
    n = condor_contracts(a.max_loss, equity, policy.sizing.risk_per_condor, policy.sizing.min_one)
    a = replace(
        a, contracts=n, delta=a.delta * n, gamma=a.gamma * n, vega=a.vega * n, theta=a.theta * n
    )
    fired.append(
        RuleFired(
            "condor_sizing",
            {
                "equity": equity,
                "risk_per_condor": policy.sizing.risk_per_condor,
                "max_loss": a.max_loss,
            },
            "info",
            f"contracts={n}",
        )
    )
    return CondorCandidate(got.legs, a), fired


def _unsized_condor(
    date: pd.Timestamp,
    market: MarketView,
    policy: Policy,
    iv_rank: float,
    k_multiplier: float,
) -> _Unsized:
    """`build_condor`'s rules up to the size (reads `_condor_key` and the market)."""
    cfg = policy.condor
    exp, dte, expiry_rule = _expiry_rule(date, market, cfg, policy.management.exit_dte)
    fired = [expiry_rule]
    if exp is None:
        return _Unsized(None, None, tuple(fired))
    if getattr(market, "strikes", None) is not None:
        q = SideQuotes.from_market(market, date, exp)
    else:  # a MarketView from before `strikes` existed
        q = SideQuotes.from_chain(market.chain(date, "SPX", exp.date), exp)
    expiry = str(exp.date.date())
    vol = sd_vol(q, expiry)
    sd_inputs: dict[str, float | str] = {
        "sd_vol": vol.vol,
        "source": vol.source,
        "sd_points": vol.sd,
        "forward": q.forward,
        "t_years": q.t_years,
    }
    if not math.isfinite(vol.sd):
        fired.append(RuleFired("condor_sd", sd_inputs, "fail", vol.source))
        return _Unsized(None, None, tuple(fired))
    fired.append(RuleFired("condor_sd", sd_inputs, "info", f"sd_vol={vol.vol:.3f} ({vol.source})"))
    k = k_for_iv_rank(iv_rank, cfg) * k_multiplier
    fired.append(
        RuleFired(
            "condor_k",
            {
                "iv_rank": "missing" if math.isnan(iv_rank) else iv_rank,
                "k_multiplier": k_multiplier,
            },
            "info",
            f"k={k:.4f}",
        )
    )
    ch = choose_strikes(q, cfg, k, vol.sd)
    if math.isnan(ch.sp) or math.isnan(ch.sc):
        fired.append(
            RuleFired(
                "condor_strikes",
                {"forward": q.forward, "short_put": ch.sp, "short_call": ch.sc},
                "fail",
                "no listed short strike",
            )
        )
        return _Unsized(None, None, tuple(fired))
    costs = policy.costs.model()
    at = _grid_at(q.strikes, ch.lp, ch.sp, ch.sc, ch.lc)
    put_credit, call_credit = vertical_credits(q, ch.lp, ch.sp, ch.sc, ch.lc, costs, at)
    sides = [
        spread_rule("put", q.strikes, ch.sp, ch.lp, ch.put_width, put_credit),
        spread_rule("call", q.strikes, ch.sc, ch.lc, ch.call_width, call_credit),
    ]
    fired += sides
    if any(r.failed for r in sides):
        return _Unsized(None, None, tuple(fired))
    a = analyse_condor(
        q, ch.lp, ch.sp, ch.sc, ch.lc, dte, costs, expiry, ch.k_put, ch.k_call,
        sd_vol=vol.vol, credits=(put_credit, call_credit), at=at,
    )  # fmt: skip

    def leg(strike: float, right: str, ratio: int) -> Leg:
        return Leg(
            "SPX", exp.root, exp.date, exp.settlement, strike, "P" if right == "P" else "C", ratio
        )

    legs = (leg(ch.lp, "P", 1), leg(ch.sp, "P", -1), leg(ch.sc, "C", -1), leg(ch.lc, "C", 1))
    return _Unsized(legs, a, tuple(fired))


def _rule(name: str, inputs: dict[str, float | str], ok: bool, why: str = "") -> RuleFired:
    return RuleFired(name, inputs, "pass") if ok else RuleFired(name, inputs, "fail", why)


def min_credit_filter(a: CondorAnalytics, cfg: CondorPolicy) -> RuleFired:
    """The minimum credit, as a share of width: credit at the modeled fill over the
    wider wing's width (points per point) must be at least ``min_credit_to_width``."""
    width = max(a.put_width, a.call_width)
    ratio = a.credit_fill / width if width > 0 else math.nan
    ok = ratio >= cfg.min_credit_to_width
    inputs: dict[str, float | str] = {
        "credit_fill": a.credit_fill,
        "width": width,
        "ratio": ratio,
        "min_credit_to_width": cfg.min_credit_to_width,
    }
    return _rule("min_credit", inputs, ok, "credit too small for the width")


def event_filter(days_to_event: float, min_days: int, unknown: Sequence[str] = ()) -> RuleFired:
    """No entry when the next known event is fewer than ``min_days`` trading days away.

    ``unknown`` names the event kinds whose calendar is not known at the date (before the
    first release the calendars hold): the rule cannot see them, and says so.
    """
    if min_days <= 0:
        return RuleFired("event_distance", {"min_days": min_days}, "pass", "off")
    ok = math.isnan(days_to_event) or days_to_event >= min_days
    shown: float | str = "none" if math.isnan(days_to_event) else days_to_event
    inputs: dict[str, float | str] = {"days_to_event": shown, "min_days": min_days}
    if unknown:
        inputs["calendar_unknown"] = ",".join(unknown)
    rule = _rule("event_distance", inputs, ok, "event too close")
    if ok and unknown:
        return RuleFired(
            rule.rule, rule.inputs, "warn", f"calendar unknown for {', '.join(unknown)}"
        )
    return rule


def entry_filters(
    a: CondorAnalytics,
    policy: Policy,
    regime_ok: bool,
    regime: str,
    event_rule: RuleFired,
    credit_to_hedge: RuleFired | None = None,
) -> list[RuleFired]:
    """All entry filters for a candidate; the entry goes ahead when none fails.

    ``event_rule`` is `event_filter`'s record; ``credit_to_hedge`` the
    credit-to-hedge record when its action is "skip" (None otherwise).
    """
    out = [
        min_credit_filter(a, policy.condor),
        _rule("regime_entry", {"regime": regime}, regime_ok, "regime blocks entries"),
        event_rule,
        _rule("contracts", {"contracts": a.contracts}, a.contracts > 0, "size rounds to zero"),
    ]
    if credit_to_hedge is not None:
        out.append(credit_to_hedge)
    return out
