"""Where a condor sits: its expiry, its k, its strikes on the listed grid, its verticals.

Every distance is in standard deviations of the chosen expiry's move (``sd``, index
points; `vixshield.strategy.condor_quotes.sd_vol`): short strikes ``k`` sd from the
forward, wings ``width_sd`` sd beyond them, both on the listed grid. Each vertical must
sell for a credit at the fill and its wing must be the policy's width to within the
strike increment (`spread_rule`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vixshield._typing import BoolArray, FloatArray
from vixshield.markets.types import Expiry
from vixshield.strategy.condor_quotes import NS_PER_DAY, SideQuotes, day_number
from vixshield.strategy.policy import CondorPolicy
from vixshield.strategy.types import RuleFired

__all__ = [
    "StrikeChoice",
    "choose_strikes",
    "grid_index",
    "grid_positions",
    "k_for_iv_rank",
    "nearest_strike",
    "select_expiry",
    "spread_rule",
    "strike_increment",
]


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
        dte = (d.value // NS_PER_DAY if type(d) is pd.Timestamp else day_number(d)) - today
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


def grid_positions(
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
