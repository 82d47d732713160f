"""The SPX iron condor builder: expiry, strikes, analytics, entry filters, sizing.

Conventions: prices in index points per unit, money in dollars per contract
(x100), time ACT/365, theta per calendar day, vega per vol point. A condor is
short put ``sp`` / long put ``lp`` < ``sp`` and short call ``sc`` / long call
``lc`` > ``sc``, one unit each.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from vixshield._typing import BoolArray, FloatArray
from vixshield.markets.types import Expiry, MarketView, OptionChain
from vixshield.strategy.policy import CondorPolicy, CostsPolicy, Policy
from vixshield.strategy.types import Leg, RuleFired

__all__ = [
    "MULTIPLIER",
    "CondorAnalytics",
    "CondorCandidate",
    "SideQuotes",
    "analyse_condor",
    "build_condor",
    "chain_mask",
    "condor_contracts",
    "credit_to_width_filter",
    "day_number",
    "entry_filters",
    "event_filter",
    "float_col",
    "k_for_iv_rank",
    "min_credit_filter",
    "nearest_strike",
    "risk_neutral_cdf",
    "select_expiry",
]

MULTIPLIER = 100.0  # SPX option contract multiplier, USD per index point


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
        fwd = float(np.nanmedian(num["forward"][ci])) if len(k) else math.nan
        t = float(np.nanmedian(num["t_years"][ci])) if len(k) else expiry.t_years
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
        qb = market.quote(date, "SPX", [expiry.date] * (2 * n), np.r_[k, k], ["P"] * n + ["C"] * n)
        pi, ci = slice(0, n), slice(n, 2 * n)
        fwd = float(np.nanmedian(qb.forward[ci])) if n else math.nan
        t = float(np.nanmedian(qb.t_years[ci])) if n else expiry.t_years
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
        """Mean of put and call implied vol at the strike nearest the forward."""
        i = int(np.argmin(np.abs(self.strikes - self.forward)))
        return float(np.nanmean([self.put_iv[i], self.call_iv[i]]))


@dataclass(frozen=True)
class CondorAnalytics:
    """Analytics of one iron condor candidate (see `analyse_condor` for formulas).

    Prices (strikes, credits, break-evens, widths) are in index points per condor.
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
        for k, v in asdict(self).items():
            out[k] = "nan" if isinstance(v, float) and math.isnan(v) else v
        return out


@dataclass(frozen=True)
class CondorCandidate:
    """Legs (one unit each) and analytics of a proposed condor."""

    legs: tuple[Leg, ...]
    analytics: CondorAnalytics


def select_expiry(date: pd.Timestamp, expiries: list[Expiry], cfg: CondorPolicy) -> Expiry | None:
    """The listed expiry with calendar DTE in [dte_min, dte_max] nearest ``dte_target``.

    Ties go to the earlier expiry, then to the PM-settled (SPXW) root. None if none fits.
    """
    best: tuple[int, int, int] | None = None
    pick: Expiry | None = None
    today = day_number(date)
    for e in expiries:
        dte = day_number(e.date) - today
        if cfg.dte_min <= dte <= cfg.dte_max:
            key = (abs(dte - cfg.dte_target), dte, 0 if e.settlement == "PM" else 1)
            if best is None or key < best:
                best, pick = key, e
    return pick


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
    dp = np.gradient(q.put_mid, k)
    dc = np.gradient(q.call_mid, k)
    cdf = np.where(k < q.forward, growth * dp, 1.0 + growth * dc)
    cdf = np.clip(np.nan_to_num(cdf, nan=0.0), 0.0, 1.0)
    return np.asarray(np.maximum.accumulate(cdf), dtype=np.float64)


def _integral(k: FloatArray, f: FloatArray, lo: float, hi: float) -> float:
    """Trapezoid integral of the piecewise-linear ``f(k)`` from ``lo`` to ``hi``."""
    pts = np.unique(np.r_[lo, k[(k > lo) & (k < hi)], hi])
    vals = np.interp(pts, k, f)
    return float(np.sum(0.5 * (vals[1:] + vals[:-1]) * np.diff(pts)))


def analyse_condor(
    q: SideQuotes,
    lp: float,
    sp: float,
    sc: float,
    lc: float,
    dte: int,
    costs: CostsPolicy,
    expiry: str = "",
    k_put: float = math.nan,
    k_call: float = math.nan,
    contracts: int = 1,
) -> CondorAnalytics:
    """Analytics of the condor lp < sp < sc < lc on quotes ``q``.

    Notes
    -----
    - credit_mid = mid(sp) + mid(sc) - mid(lp) - mid(lc); credit_fill sells at
      ``mid - s (ask - bid)`` and buys at ``mid + s (ask - bid)``, s = spread_share.
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
    idx = {s: int(np.flatnonzero(np.isclose(k, s))[0]) for s in (lp, sp, sc, lc)}
    ilp, isp, isc, ilc = idx[lp], idx[sp], idx[sc], idx[lc]
    s = costs.spread_share
    mid = q.put_mid[isp] + q.call_mid[isc] - q.put_mid[ilp] - q.call_mid[ilc]
    spr_p = q.put_ask - q.put_bid
    spr_c = q.call_ask - q.call_bid
    slip = s * (spr_p[isp] + spr_c[isc] + spr_p[ilp] + spr_c[ilc])
    credit = float(mid - slip)
    pw, cw = sp - lp, lc - sc
    max_profit = credit * MULTIPLIER
    ml_put, ml_call = (pw - credit) * MULTIPLIER, (cw - credit) * MULTIPLIER
    max_loss = max(ml_put, ml_call)
    be_p, be_c = sp - credit, sc + credit
    cdf = risk_neutral_cdf(q)
    f_bp, f_bc = float(np.interp(be_p, k, cdf)), float(np.interp(be_c, k, cdf))
    p_below, p_above = float(cdf[isp]), float(1.0 - cdf[isc])
    e_put = _integral(k, cdf, lp, sp)
    e_call = _integral(k, 1.0 - cdf, sc, lc)
    open_costs = 4.0 * (costs.commission_per_contract + costs.fees_per_contract)
    ev = (credit - e_put - e_call) * MULTIPLIER - open_costs
    disc = math.exp(-q.rate * q.t_years)
    f = q.forward

    def ext_put(i: int) -> float:
        return float(q.put_mid[i] - disc * max(k[i] - f, 0.0))

    def ext_call(i: int) -> float:
        return float(q.call_mid[i] - disc * max(f - k[i], 0.0))

    extrinsic = (ext_put(isp) + ext_call(isc) - ext_put(ilp) - ext_call(ilc)) * MULTIPLIER

    def greek(g: str) -> float:
        pg, cg = q.put_greeks[g], q.call_greeks[g]
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


def choose_strikes(
    q: SideQuotes, cfg: CondorPolicy, k: float
) -> tuple[float, float, float, float, float, float]:
    """(lp, sp, sc, lc, k_put, k_call) by the policy's strike and wing rules.

    "sd": short put nearest ``F - k_put sd``, short call nearest ``F + k_call sd``,
    ``sd = F sigma_atm sqrt(T)``; "delta": |delta| nearest ``short_delta``.
    """
    f, strikes = q.forward, q.strikes
    sd = f * q.atm_iv() * math.sqrt(q.t_years)
    kp, kc = k * cfg.put_k_scale, k * cfg.call_k_scale
    if cfg.strike_rule == "sd":
        sp = (
            nearest_strike(strikes[strikes < f], f - kp * sd, True)
            if np.any(strikes < f)
            else math.nan
        )
        sc = (
            nearest_strike(strikes[strikes > f], f + kc * sd, False)
            if np.any(strikes > f)
            else math.nan
        )
    else:
        sp = _by_delta(strikes, q.put_greeks["delta"], cfg.short_delta, strikes < f)
        sc = _by_delta(strikes, q.call_greeks["delta"], cfg.short_delta, strikes > f)
        kp = (f - sp) / sd if sd > 0 else math.nan
        kc = (sc - f) / sd if sd > 0 else math.nan
    if math.isnan(sp) or math.isnan(sc):
        return math.nan, sp, sc, math.nan, kp, kc
    if cfg.wing_rule == "width":
        lp = _wing_by_width(strikes, sp, cfg.put_width, True)
        lc = _wing_by_width(strikes, sc, cfg.call_width, False)
    else:
        lp = _by_delta(strikes, q.put_greeks["delta"], cfg.wing_delta, strikes < sp)
        lc = _by_delta(strikes, q.call_greeks["delta"], cfg.wing_delta, strikes > sc)
    return lp, sp, sc, lc, kp, kc


def condor_contracts(max_loss: float, equity: float, risk_share: float, min_one: bool) -> int:
    """floor(risk_share x equity / max_loss), at least 1 when ``min_one`` (else 0)."""
    if not max_loss > 0 or not equity > 0:
        return 0
    n = math.floor(risk_share * equity / max_loss)
    return max(n, 1) if min_one else n


def build_condor(
    date: pd.Timestamp,
    market: MarketView,
    policy: Policy,
    iv_rank: float,
    k_multiplier: float,
    equity: float,
) -> tuple[CondorCandidate | None, list[RuleFired]]:
    """Build the day's condor candidate (no filters applied); None with the reason."""
    cfg = policy.condor
    exp = select_expiry(date, market.expiries(date, "SPX"), cfg)
    if exp is None:
        return None, [
            RuleFired(
                "condor_expiry",
                {"dte_min": cfg.dte_min, "dte_max": cfg.dte_max},
                "fail: no listed expiry in window",
            )
        ]
    dte = int((pd.Timestamp(exp.date).normalize() - date.normalize()).days)
    if getattr(market, "strikes", None) is not None:
        q = SideQuotes.from_market(market, date, exp)
    else:  # a MarketView from before `strikes` existed
        q = SideQuotes.from_chain(market.chain(date, "SPX", exp.date), exp)
    k = k_for_iv_rank(iv_rank, cfg) * k_multiplier
    fired = [
        RuleFired(
            "condor_expiry",
            {"expiry": str(exp.date.date()), "root": exp.root, "dte": dte},
            "selected",
        ),
        RuleFired(
            "condor_k",
            {
                "iv_rank": "missing" if math.isnan(iv_rank) else iv_rank,
                "k_multiplier": k_multiplier,
            },
            f"k={k:.4f}",
        ),
    ]
    lp, sp, sc, lc, kp, kc = choose_strikes(q, cfg, k)
    if any(math.isnan(x) for x in (lp, sp, sc, lc)):
        fired.append(
            RuleFired("condor_strikes", {"forward": q.forward}, "fail: strikes not listed")
        )
        return None, fired
    a = analyse_condor(q, lp, sp, sc, lc, dte, policy.costs, str(exp.date.date()), kp, kc)
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
            f"contracts={n}",
        )
    )

    def leg(strike: float, right: str, ratio: int) -> Leg:
        return Leg(
            "SPX", exp.root, exp.date, exp.settlement, strike, "P" if right == "P" else "C", ratio
        )

    legs = (leg(lp, "P", 1), leg(sp, "P", -1), leg(sc, "C", -1), leg(lc, "C", 1))
    return CondorCandidate(legs, a), fired


def _rule(name: str, inputs: dict[str, float | str], ok: bool, why: str = "") -> RuleFired:
    return RuleFired(name, inputs, "pass" if ok else f"fail{': ' + why if why else ''}")


def min_credit_filter(a: CondorAnalytics, cfg: CondorPolicy) -> RuleFired:
    """Credit at the modeled fill (points) must be at least ``min_credit``."""
    ok = a.credit_fill >= cfg.min_credit
    return _rule(
        "min_credit", {"credit_fill": a.credit_fill, "min": cfg.min_credit}, ok, "credit too small"
    )


def credit_to_width_filter(a: CondorAnalytics, cfg: CondorPolicy) -> RuleFired:
    """Credit / wider width must be at least ``min_credit_to_width``."""
    ratio = a.credit_fill / max(a.put_width, a.call_width)
    ok = ratio >= cfg.min_credit_to_width
    return _rule("min_credit_to_width", {"ratio": ratio, "min": cfg.min_credit_to_width}, ok)


def event_filter(days_to_event: float, min_days: int) -> RuleFired:
    """No entry when the next listed event is fewer than ``min_days`` trading days away."""
    if min_days <= 0:
        return RuleFired("event_distance", {"min_days": min_days}, "pass: off")
    ok = math.isnan(days_to_event) or days_to_event >= min_days
    shown: float | str = "none" if math.isnan(days_to_event) else days_to_event
    return _rule(
        "event_distance", {"days_to_event": shown, "min_days": min_days}, ok, "event too close"
    )


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
        credit_to_width_filter(a, policy.condor),
        _rule("regime_entry", {"regime": regime}, regime_ok, "regime blocks entries"),
        event_rule,
        _rule("contracts", {"contracts": a.contracts}, a.contracts > 0, "size rounds to zero"),
    ]
    if credit_to_hedge is not None:
        out.append(credit_to_hedge)
    return out
