"""The condor's scaled rules, by hand: widths in standard deviations of the expiry's
Cboe variance, each vertical sold for a credit with its wing at the policy's width,
the DTE fallback, and the policy schema that carries them.

The fake market (`strategy_fakes`) prices BSM at a flat vol on a 5-point grid from
0.5F to 1.5F with a fixed quoted spread; the Cboe variance of a flat smile is the
vol squared (Cboe VIX white paper: the formula prices the log contract, whose
fair variance under a flat BSM smile is sigma^2), up to the grid's discretisation.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from strategy_fakes import FakeMarket, ListedMarket, synthetic_data

from vixshield.data.market import MarketData
from vixshield.errors import PolicyError
from vixshield.markets.types import Expiry
from vixshield.pricing import bsm_price
from vixshield.strategy import load_policy, parse_policy
from vixshield.strategy.condor import (
    SideQuotes,
    build_condor,
    entry_filters,
    sd_vol,
    select_expiry,
    spread_rule,
    strike_increment,
    vertical_credits,
)
from vixshield.strategy.policy import CondorPolicy, CostsPolicy, list_presets, preset_text
from vixshield.strategy.types import RuleFired

DATA = synthetic_data(120)
DAY = DATA.daily.index[100]
ALVH = load_policy("alvh-442")


def _scaled(level: float) -> MarketData:
    """The synthetic history with SPX rescaled so that its close on DAY is ``level``."""
    daily = DATA.daily.copy()
    f = level / float(daily.loc[DAY, "spx_close"])
    for c in ("spx_open", "spx_high", "spx_low", "spx_close"):
        daily[c] = daily[c] * f
    return MarketData(daily=daily, vx=DATA.vx, events=DATA.events)


def _rule(fired: list[RuleFired], name: str) -> RuleFired:
    return next(r for r in fired if r.rule == name)


# ---------------------------------------------------------------- standard deviations
def test_sd_vol_of_a_flat_smile_is_its_vol() -> None:
    m = ListedMarket(DATA, vol=0.2)
    exp = select_expiry(DAY, m.expiries(DAY, "SPX"), ALVH.condor)
    assert exp is not None
    q = SideQuotes.from_market(m, DAY, exp)
    v = sd_vol(q, "x")
    assert v.vol == pytest.approx(0.2, abs=1e-3)
    assert v.sd == pytest.approx(q.forward * v.vol * math.sqrt(q.t_years), rel=1e-12)
    assert v.source == "cboe variance of x"


def test_sd_vol_includes_the_skew_and_sits_above_atm() -> None:
    # sigma(K) = 0.15 - 0.3 ln(K/F): the variance swap rate exceeds the ATM vol
    # (Demeterfi, Derman, Kamal, Zou 1999: a negative skew adds to the fair variance)
    m = ListedMarket(DATA, vol=0.15, skew=-0.3)
    exp = select_expiry(DAY, m.expiries(DAY, "SPX"), ALVH.condor)
    assert exp is not None
    q = SideQuotes.from_market(m, DAY, exp)
    assert sd_vol(q, "x").vol > q.atm_iv() + 0.002


def test_audit_names_the_sd_vol_and_its_source() -> None:
    cand, fired = build_condor(DAY, ListedMarket(DATA, vol=0.2), ALVH, 0.5, 1.0, 1e6)
    assert cand is not None
    a, r = cand.analytics, _rule(fired, "condor_sd")
    assert r.inputs["source"] == f"cboe variance of {a.expiry}"
    assert r.outcome == "info" and r.note == f"sd_vol={a.sd_vol:.3f} (cboe variance of {a.expiry})"
    sd = float(r.inputs["sd_points"])
    assert sd == pytest.approx(a.forward * a.sd_vol * math.sqrt(a.t_years))
    # k = 1.75 at IV rank 0.5: the short strikes are the listed ones nearest F - 1.75 sd
    # (puts) and F + 1.75 call_k_scale sd (calls)
    kc = 1.75 * ALVH.condor.call_k_scale
    assert a.short_put == 5 * round((a.forward - 1.75 * sd) / 5)
    assert a.short_call == 5 * round((a.forward + kc * sd) / 5)


# ------------------------------------------------------------- widths scale with SPX
@pytest.mark.parametrize("level", [330.0, 1200.0, 6000.0])
def test_wings_are_a_share_of_sd_at_any_index_level(level: float) -> None:
    # 1990 (SPX 330), 2005 (1200), 2025 (6000) at the same vol: the same condor in sd
    cand, fired = build_condor(DAY, ListedMarket(_scaled(level), vol=0.2), ALVH, 0.5, 1.0, 1e6)
    assert cand is not None, [r.text for r in fired]
    a = cand.analytics
    sd = float(_rule(fired, "condor_sd").inputs["sd_points"])
    w = 0.2 * sd  # policy width in points
    # the listed strike nearest short -/+ w, on the 5-point grid: w rounded to 5 points
    assert a.put_width == max(5.0, 5 * round(w / 5)) == a.call_width
    assert abs(a.put_width - w) <= 2.5
    assert a.put_credit > 0 and a.call_credit > 0
    assert a.short_put / a.forward == pytest.approx(1 - 1.75 * sd / a.forward, abs=5 / a.forward)


def test_min_credit_is_a_share_of_the_width() -> None:
    cand, _ = build_condor(DAY, ListedMarket(_scaled(6000.0), vol=0.2), ALVH, 0.5, 1.0, 1e6)
    assert cand is not None
    a = cand.analytics
    ratio = a.credit_fill / max(a.put_width, a.call_width)
    for share, outcome in ((ratio - 0.001, "pass"), (ratio + 0.001, "fail")):
        cfg = ALVH.condor.model_copy(update={"min_credit_to_width": share})
        policy = ALVH.model_copy(update={"condor": cfg})
        event = RuleFired("event_distance", {}, "pass")
        rules = entry_filters(a, policy, True, "normal", event)
        assert next(r for r in rules if r.rule == "min_credit").text.startswith(outcome)


# ------------------------------------------------------------------- the verticals
def test_strike_increment() -> None:
    k = np.array([3500.0, 3525.0, 3550.0, 3600.0, 3605.0, 3610.0])
    assert strike_increment(k, 3580.0) == 50.0  # between 3550 and 3600
    assert strike_increment(k, 3607.0) == 5.0
    assert strike_increment(k, 3400.0) == 25.0  # beyond the list: the end gap
    assert strike_increment(k, 3700.0) == 5.0
    assert math.isnan(strike_increment(k[:1], 3500.0))


def test_spread_rule_by_hand() -> None:
    k = np.arange(3600.0, 3705.0, 5.0)
    # policy 60.2 points: target 3589.8 lies below the list (end increment 5); the
    # nearest listed wing is 3600, 50 wide: 9.8 points short of the policy > 5
    r = spread_rule("put", k, 3650.0, 3600.0, 60.2, 1.0)
    assert r.rule == "condor_put_spread"
    assert r.text == "fail: put wing 50 points wide, policy 60.2 +- 5 (strike increment)"
    assert (r.inputs["width"], r.inputs["policy_width"], r.inputs["increment"]) == (
        50.0,
        60.2,
        5.0,
    )
    # policy 52: 50 is within one increment: accepted
    assert spread_rule("put", k, 3650.0, 3600.0, 52.0, 1.0).text == "pass"
    # a coarse grid is honoured: 3500/3550/3650, policy 80 -> 3550, 100 wide, increment 100
    coarse = np.array([3500.0, 3550.0, 3650.0, 3700.0])
    assert spread_rule("put", coarse, 3650.0, 3550.0, 80.0, 0.5).text == "pass"
    # a debit at the fill is refused, whatever the width
    r = spread_rule("call", k, 3650.0, 3700.0, 50.0, -0.02)
    assert r.text == "fail: call spread 3650/3700 is a debit (-0.02)"
    assert spread_rule("call", k, 3650.0, 3700.0, 50.0, 0.0).text.startswith("fail")
    # no strike beyond the short one
    r = spread_rule("call", k, 3700.0, math.nan, 50.0, math.nan)
    assert r.text == "fail: call wing: no listed strike above 3700"
    # delta wing rule: no width to meet, the credit still counts
    assert spread_rule("put", k, 3650.0, 3600.0, math.nan, 0.3).text == "pass"


def test_vertical_credits_at_the_fill_by_hand() -> None:
    # flat 20 % vol, spread 0.10: each leg loses a quarter of 0.10 at the fill
    m = ListedMarket(DATA, vol=0.2)
    exp = select_expiry(DAY, m.expiries(DAY, "SPX"), ALVH.condor)
    assert exp is not None
    q = SideQuotes.from_market(m, DAY, exp)
    s, r, t = float(DATA.daily.loc[DAY, "spx_close"]), 0.04, (exp.date - DAY).days / 365
    f = q.forward
    lp, sp, sc, lc = (5 * round(f * x / 5) for x in (0.85, 0.90, 1.07, 1.12))

    def px(k: float, call: bool) -> float:
        return float(bsm_price(s, k, t, r, 0.0, 0.2, call))

    put, call = vertical_credits(q, lp, sp, sc, lc, CostsPolicy().model())
    assert put == pytest.approx(px(sp, False) - px(lp, False) - 0.05, rel=1e-9)
    assert call == pytest.approx(px(sc, True) - px(lc, True) - 0.05, rel=1e-9)


def test_a_vertical_sold_for_a_debit_refuses_the_condor() -> None:
    # calls at k = 1.75 x 2.8 x call_k_scale 0.75 = 3.7 sd out: the far call vertical is
    # worth less at mid than the
    # quarter-spreads its two legs lose at the fill (quoted spread 0.10, bid floored at 0)
    m = ListedMarket(DATA, vol=0.2)
    cand, fired = build_condor(DAY, m, ALVH, 0.5, 2.8, 1e6)
    assert cand is None
    call = _rule(fired, "condor_call_spread")
    sc, lc = float(call.inputs["short"]), float(call.inputs["wing"])
    exp = pd.Timestamp(str(_rule(fired, "condor_expiry").inputs["expiry"]))
    s, t = float(DATA.daily.loc[DAY, "spx_close"]), (exp - DAY).days / 365

    def fill(k: float, sell: bool) -> float:
        mid = float(bsm_price(s, k, t, 0.04, 0.0, 0.2, True))
        spread = (mid + 0.05) - max(mid - 0.05, 0.0)
        return mid - 0.25 * spread if sell else mid + 0.25 * spread

    credit = fill(sc, True) - fill(lc, False)
    assert credit < 0
    assert call.inputs["credit"] == pytest.approx(credit, abs=1e-9)
    assert call.text == f"fail: call spread {sc:g}/{lc:g} is a debit ({credit:.2f})"
    assert "condor_sizing" not in [r.rule for r in fired]


class _Truncated(ListedMarket):
    """Strikes listed only from ``floor`` up (a list that ends before the wing)."""

    floor = 0.0

    def strikes(self, date: pd.Timestamp, underlying: str, expiry: pd.Timestamp) -> np.ndarray:
        k = ListedMarket.strikes(self, date, underlying, expiry)
        return k[k >= self.floor]


def test_a_wing_beyond_the_listed_strikes_refuses_the_condor() -> None:
    full, _ = build_condor(DAY, ListedMarket(DATA, vol=0.2), ALVH, 0.5, 1.0, 1e6)
    assert full is not None
    m = _Truncated(DATA, vol=0.2)
    m.floor = full.analytics.short_put - 10.0  # two strikes below the short put
    cand, fired = build_condor(DAY, m, ALVH, 0.5, 1.0, 1e6)
    assert cand is None
    put = _rule(fired, "condor_put_spread")
    width, policy_w = float(put.inputs["width"]), float(put.inputs["policy_width"])
    assert width == float(put.inputs["short"]) - m.floor  # the last listed strike
    assert policy_w - width > 5.0 and put.inputs["increment"] == 5.0
    assert put.text == (
        f"fail: put wing {width:g} points wide, policy {policy_w:.1f} +- 5 (strike increment)"
    )
    assert _rule(fired, "condor_call_spread").text == "pass"


# ---------------------------------------------------------------------- DTE fallback
def test_select_expiry_fallback_by_hand() -> None:
    d = pd.Timestamp("2024-03-01")

    def e(n: int, root: str = "SPX") -> Expiry:
        return Expiry(d + pd.Timedelta(days=n), root, "AM" if root == "SPX" else "PM", n / 365)

    cfg = CondorPolicy()  # window 45-60, target 52, tolerance 10
    a, b = e(38), e(70)
    assert select_expiry(d, [a, b], cfg) is a  # |38-52| = 14 < |70-52| = 18
    assert select_expiry(d, [e(34), e(71)], cfg) is None  # 11 days outside on both sides
    assert select_expiry(d, [a, b], CondorPolicy(dte_tolerance=6)) is None  # 38 is 7 short
    # never at or below the exit DTE: 38 is refused with floor 40, 70 taken
    assert select_expiry(d, [a, b], cfg, floor_dte=40) is b
    # an expiry in the window always wins over a nearer-to-target one outside
    assert select_expiry(d, [e(51), e(60)], cfg).date == d + pd.Timedelta(days=51)  # type: ignore[union-attr]


def test_build_condor_says_when_the_window_is_missed() -> None:
    # monthlies only: on Friday 2021-03-05 the third Fridays are 42 (Apr 16) and
    # 77 (May 21) days out; 42 is 3 days short of the window, the nearer to 52
    m = ListedMarket(DATA, vol=0.2)
    day = pd.Timestamp("2021-03-05")
    cand, fired = build_condor(day, m, ALVH, 0.5, 1.0, 1e6)
    r = _rule(fired, "condor_expiry")
    assert r.inputs["expiry"] == "2021-04-16" and r.inputs["dte"] == 42
    assert r.text == (
        "warn: selected: nearest to 52 within 10 days of the window 45-60 (window missed)"
    )
    assert cand is not None and cand.analytics.dte == 42
    strict = ALVH.model_copy(update={"condor": ALVH.condor.model_copy(update={"dte_tolerance": 2})})
    cand, fired = build_condor(day, m, strict, 0.5, 1.0, 1e6)
    assert cand is None
    assert fired[-1].text == ("fail: no listed expiry in window 45-60 nor within 2 days of it")


# -------------------------------------------------------------------------- schema
def test_point_fields_are_refused_with_their_replacement() -> None:
    text = preset_text("alvh-442").replace(
        "put_width_sd = 0.2", "put_width = 50.0\nmin_credit = 0.5"
    )
    with pytest.raises(PolicyError) as err:
        parse_policy(text)
    msg = str(err.value)
    assert "put_width (index points) is replaced by put_width_sd" in msg
    assert "min_credit (index points) is replaced by min_credit_to_width" in msg


def test_dte_tolerance_must_leave_a_window() -> None:
    with pytest.raises(ValueError, match="need dte_tolerance < dte_min"):
        CondorPolicy(dte_min=10, dte_target=12, dte_max=15, dte_tolerance=10)
    assert CondorPolicy(dte_tolerance=0).dte_tolerance == 0


@pytest.mark.parametrize("name", list_presets())
def test_presets_use_the_scaled_fields(name: str) -> None:
    c = load_policy(name).condor
    assert c.put_width_sd == c.call_width_sd == 0.2
    assert c.dte_tolerance == 10 and 0 < c.min_credit_to_width < 1
    assert "put_width =" not in preset_text(name) and "min_credit =" not in preset_text(name)


def test_fake_market_without_strikes_still_builds() -> None:
    cand, _ = build_condor(DAY, FakeMarket(DATA, vol=0.2), ALVH, 0.5, 1.0, 1e6)
    assert cand is not None


def test_event_filter_says_which_calendars_are_unknown() -> None:
    # CPI and PPI calendars start in 2014 (shipped resources): before that the rule cannot
    # see them and must say so instead of passing silently.
    from vixshield.strategy.condor import event_filter

    r = event_filter(float("nan"), 2, ["CPI", "PPI"])
    assert r.text == "warn: calendar unknown for CPI, PPI"
    assert r.inputs["calendar_unknown"] == "CPI,PPI"
    assert event_filter(1.0, 2, ["CPI"]).text.startswith("fail")
    assert event_filter(5.0, 2).text == "pass"
