"""The SPX iron condor builder: the day's candidate, its size and its entry filters.

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

The pieces live in sibling modules, re-exported here: the expiry's quotes and its sd
(`vixshield.strategy.condor_quotes`), the expiry and strike search
(`vixshield.strategy.condor_strikes`), the analytics (`vixshield.strategy.condor_analysis`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from vixshield.markets.types import Expiry, MarketView
from vixshield.strategy.condor_analysis import (
    MULTIPLIER,
    CondorAnalytics,
    CondorCandidate,
    analyse_condor,
    gradient_rows,
    risk_neutral_cdf,
    vertical_credits,
)
from vixshield.strategy.condor_quotes import (
    SdVol,
    SideQuotes,
    chain_mask,
    day_number,
    float_col,
    nan_median,
    sd_vol,
)
from vixshield.strategy.condor_strikes import (
    StrikeChoice,
    choose_strikes,
    grid_index,
    grid_positions,
    k_for_iv_rank,
    nearest_strike,
    select_expiry,
    spread_rule,
    strike_increment,
)
from vixshield.strategy.memo import MarketMemo, SpecKey, spec_key
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
    "grid_positions",
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
_CONDORS: MarketMemo[_Unsized] = MarketMemo(_CONDORS_LIMIT, "condors")
"""`_unsized_condor` per market, by `_condor_key`."""

_Number = tuple[str, str]  # a float as (type name, float.hex): NaN and -0.0 hit themselves


def _number_key(x: float) -> _Number:
    return (type(x).__name__, float(x).hex())


def _condor_key(
    date: pd.Timestamp, policy: Policy, iv_rank: float, k_multiplier: float
) -> tuple[int, SpecKey, int, SpecKey, _Number, _Number]:
    """Everything `_unsized_condor` reads besides the market: the date (ns), the condor
    section, the exit DTE (the expiry floor), the costs section (whose fields are the
    cost model's; the two sections as `vixshield.strategy.memo.spec_key`, worked out
    once per policy object), iv rank and k multiplier (as recorded in the audit: NaN,
    -0.0 and the number's type are told apart)."""
    return (
        pd.Timestamp(date).value,
        spec_key(policy.condor),
        policy.management.exit_dte,
        spec_key(policy.costs),
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
    at = grid_positions(q.strikes, ch.lp, ch.sp, ch.sc, ch.lc)
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
