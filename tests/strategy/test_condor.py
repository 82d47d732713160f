"""Iron condor builder: selection rules, analytics by hand, smile digitals, properties."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from strategy_fakes import FakeMarket, synthetic_data

from vixshield.markets.types import Expiry
from vixshield.pricing import bsm_price
from vixshield.strategy import load_policy
from vixshield.strategy.condor import (
    SideQuotes,
    analyse_condor,
    build_condor,
    choose_strikes,
    condor_contracts,
    event_filter,
    k_for_iv_rank,
    min_credit_filter,
    nearest_strike,
    risk_neutral_cdf,
    select_expiry,
)
from vixshield.strategy.policy import CondorPolicy, CostsPolicy

DATA = synthetic_data(120)
DAY = DATA.daily.index[100]
POLICY = load_policy("alvh-442")


def _quotes(vol: float = 0.2, skew: float = 0.0, dte_pick: int = 52) -> tuple[SideQuotes, Expiry]:
    m = FakeMarket(DATA, vol=vol, skew=skew, weeklies=True)
    exps = m.expiries(DAY, "SPX")
    e = min(exps, key=lambda x: abs((x.date - DAY).days - dte_pick))
    return SideQuotes.from_chain(m.chain(DAY, "SPX", e.date), e), e


def test_select_expiry_nearest_target_in_window() -> None:
    d = pd.Timestamp("2024-03-01")
    mk = [Expiry(d + pd.Timedelta(days=n), "SPXW", "PM", n / 365) for n in (30, 44, 47, 58, 61)]
    cfg = CondorPolicy()
    assert select_expiry(d, mk, cfg) is mk[2]  # 47 and 58 in [45, 60]: |47-52| = 5 < 6
    # window missed: the nearest to 52 within 10 days of 45-60 (30 is 15 days short)
    assert select_expiry(d, [mk[0], mk[4]], cfg) is mk[4]
    assert select_expiry(d, [mk[0], mk[4]], CondorPolicy(dte_tolerance=0)) is None
    tie = [
        Expiry(d + pd.Timedelta(days=57), "SPXW", "PM", 0.1),
        Expiry(d + pd.Timedelta(days=47), "SPX", "AM", 0.1),
    ]
    assert select_expiry(d, tie, cfg) is tie[1]  # equal distance: the earlier


def test_k_from_iv_rank() -> None:
    cfg = CondorPolicy()
    assert k_for_iv_rank(0.0, cfg) == 1.5
    assert k_for_iv_rank(1.0, cfg) == 2.0
    assert k_for_iv_rank(0.4, cfg) == pytest.approx(1.7)
    assert k_for_iv_rank(math.nan, cfg) == 1.75
    assert k_for_iv_rank(3.0, cfg) == 2.0


def test_nearest_strike_ties_go_away_from_money() -> None:
    k = np.arange(4000.0, 4100.0, 5.0)
    assert nearest_strike(k, 4012.5, away_below=True) == 4010.0
    assert nearest_strike(k, 4012.5, away_below=False) == 4015.0
    assert nearest_strike(k, 4013.0, away_below=True) == 4015.0


def test_sd_strikes_by_hand() -> None:
    q, _ = _quotes(vol=0.2)
    f, t = q.forward, q.t_years
    sd = f * 0.2 * math.sqrt(t)
    ch = choose_strikes(q, CondorPolicy(), 1.5, sd)
    assert ch.sp == 5 * round((f - 1.5 * sd) / 5) and ch.sc == 5 * round((f + 1.5 * sd) / 5)
    # wings 0.2 sd wide, on the 5-point grid
    w = 0.2 * sd
    assert ch.put_width == ch.call_width == pytest.approx(w)
    assert ch.sp - ch.lp == 5 * round(w / 5) and ch.lc - ch.sc == 5 * round(w / 5)
    assert ch.k_put == ch.k_call == 1.5


def test_delta_rule_picks_nearest_delta() -> None:
    q, _ = _quotes(vol=0.2)
    cfg = CondorPolicy(strike_rule="delta", short_delta=0.16, wing_rule="delta", wing_delta=0.05)
    ch = choose_strikes(q, cfg, 1.5, q.forward * 0.2 * math.sqrt(q.t_years))
    lp, sp, sc, lc = ch.lp, ch.sp, ch.sc, ch.lc
    pd_ = np.abs(q.put_greeks["delta"])
    cd_ = q.call_greeks["delta"]
    below = q.strikes < q.forward
    assert sp == q.strikes[below][np.argmin(np.abs(pd_[below] - 0.16))]
    assert sc == q.strikes[~below][np.argmin(np.abs(cd_[~below] - 0.16))]
    assert lp < sp < sc < lc
    assert abs(abs(pd_[q.strikes == lp][0]) - 0.05) < 0.01


def test_risk_neutral_cdf_flat_vol_is_lognormal() -> None:
    q, _ = _quotes(vol=0.2)
    cdf = risk_neutral_cdf(q)
    d2 = (np.log(q.forward / q.strikes) - 0.5 * 0.04 * q.t_years) / (0.2 * math.sqrt(q.t_years))
    np.testing.assert_allclose(cdf, norm.cdf(-d2), atol=2e-3)


def test_risk_neutral_cdf_includes_the_skew_term() -> None:
    # sigma(K) = 0.2 - 0.3 ln(K/F): P(S_T < K) = N(-d2) + e^{rT} vega_raw(K) sigma'(K),
    # sigma'(K) = -0.3 / K (Breeden-Litzenberger; Gatheral, The Volatility Surface, ch. 1).
    q, _ = _quotes(vol=0.2, skew=-0.3)
    f, t, r = q.forward, q.t_years, q.rate
    k = q.strikes
    sig = np.maximum(0.2 - 0.3 * np.log(k / f), 0.05)
    d1 = (np.log(f / k) + 0.5 * sig**2 * t) / (sig * math.sqrt(t))
    d2 = d1 - sig * math.sqrt(t)
    vega_raw = math.exp(-r * t) * f * norm.pdf(d1) * math.sqrt(t)
    expected = norm.cdf(-d2) + math.exp(r * t) * vega_raw * (-0.3 / k)
    near = (k > 0.8 * f) & (k < 1.2 * f)
    cdf = risk_neutral_cdf(q)
    np.testing.assert_allclose(cdf[near], expected[near], atol=3e-3)
    lognormal = norm.cdf(-d2)
    assert np.all(cdf[near & (k < 0.95 * f)] < lognormal[near & (k < 0.95 * f)])


def test_analytics_by_hand() -> None:
    q, _ = _quotes(vol=0.2)
    f, t, r = q.forward, q.t_years, q.rate
    s = f * math.exp(-r * t)
    lp, sp, sc, lc = (5 * round(f * x / 5) for x in (0.85, 0.90, 1.07, 1.12))
    costs = CostsPolicy().model()
    a = analyse_condor(q, lp, sp, sc, lc, 50, costs, contracts=3)

    def px(k: float, call: bool) -> float:
        return float(bsm_price(s, k, t, r, 0.0, 0.2, call))

    mid = px(sp, False) + px(sc, True) - px(lp, False) - px(lc, True)
    assert a.credit_mid == pytest.approx(mid, rel=1e-9)
    # four legs, spread 0.10 each, a quarter of it lost per leg: 0.10 in total
    assert a.credit_fill == pytest.approx(mid - 0.10, rel=1e-9)
    w_p, w_c = sp - lp, lc - sc
    assert a.max_profit == pytest.approx(100 * a.credit_fill)
    assert a.max_loss_put == pytest.approx(100 * (w_p - a.credit_fill))
    assert a.max_loss == pytest.approx(100 * (max(w_p, w_c) - a.credit_fill))
    assert a.breakeven_put == pytest.approx(sp - a.credit_fill)
    assert a.breakeven_call == pytest.approx(sc + a.credit_fill)
    assert a.margin == 100 * max(w_p, w_c)  # Cboe: wider side, no credit offset
    assert a.open_costs == pytest.approx(4 * (0.65 + 0.60))
    outlay = a.margin - a.max_profit + a.open_costs
    assert a.irr == pytest.approx((a.margin / outlay) ** (365 / 50) - 1)
    assert a.return_on_risk == pytest.approx(a.max_profit / a.max_loss)
    # the position is short both short strikes: greeks x100 x contracts
    from vixshield.pricing import bsm_greeks

    def g(k: float, call: bool, name: str) -> float:
        return float(bsm_greeks(s, k, t, r, 0.0, 0.2, call)[name])

    vega = -g(sp, False, "vega") - g(sc, True, "vega") + g(lp, False, "vega") + g(lc, True, "vega")
    assert a.vega == pytest.approx(vega * 100 * 3, rel=1e-6)
    assert a.theta_per_day > 0 and a.vega < 0
    # OTM legs: all the credit is time value
    assert a.extrinsic == pytest.approx(100 * mid, rel=1e-9)
    assert a.decay_per_day == pytest.approx(100 * mid / 50)
    # touch = 2 x terminal beyond the strike (reflection), POP from the break-evens
    assert a.p_touch_put == pytest.approx(2 * a.p_below_short_put)
    sd = 0.2 * math.sqrt(t)

    def cdf(x: float) -> float:
        return float(norm.cdf((math.log(x / f) + 0.5 * sd * sd) / sd))

    assert a.pop == pytest.approx(cdf(a.breakeven_call) - cdf(a.breakeven_put), abs=3e-3)
    e_put = sum(cdf(k) * 0.5 for k in np.arange(lp, sp, 0.5))
    e_call = sum((1 - cdf(k)) * 0.5 for k in np.arange(sc, lc, 0.5))
    ev = 100 * (a.credit_fill - e_put - e_call) - a.open_costs
    assert a.expected_value == pytest.approx(ev, abs=2.0)
    json.dumps(a.to_dict(), allow_nan=False)


def test_sizing() -> None:
    assert condor_contracts(4500.0, 1_000_000.0, 0.02, True) == 4  # floor(20000 / 4500)
    assert condor_contracts(45000.0, 1_000_000.0, 0.02, True) == 1
    assert condor_contracts(45000.0, 1_000_000.0, 0.02, False) == 0
    assert condor_contracts(0.0, 1_000_000.0, 0.02, True) == 0


def test_filters() -> None:
    q, _ = _quotes(vol=0.2)
    f = q.forward
    lp, sp, sc, lc = (5 * round(f * x / 5) for x in (0.85, 0.90, 1.07, 1.12))
    a = analyse_condor(q, lp, sp, sc, lc, 50, CostsPolicy().model())
    ratio = a.credit_fill / max(sp - lp, lc - sc)
    ok = min_credit_filter(a, CondorPolicy(min_credit_to_width=ratio - 0.001))
    assert ok.text == "pass" and ok.rule == "min_credit"
    assert ok.inputs["ratio"] == pytest.approx(ratio)
    assert min_credit_filter(a, CondorPolicy(min_credit_to_width=ratio + 0.001)).text == (
        "fail: credit too small for the width"
    )
    assert event_filter(1.0, 2).text.startswith("fail")
    assert event_filter(2.0, 2).text == "pass"
    assert event_filter(math.nan, 2).text == "pass"
    assert event_filter(0.0, 0).text == "pass: off"


def test_build_condor_on_fake_market() -> None:
    m = FakeMarket(DATA, vol=0.18, weeklies=True)
    cand, fired = build_condor(DAY, m, POLICY, 0.0, 1.0, 1_000_000.0)
    assert cand is not None
    legs = cand.legs
    assert [(x.right, x.ratio) for x in legs] == [("P", 1), ("P", -1), ("C", -1), ("C", 1)]
    a = cand.analytics
    assert 45 <= a.dte <= 60 and a.k_put == 1.5
    assert all(x.strike % 5 == 0 for x in legs)
    # alvh-442 risks 1 % of equity per condor (its max loss, dollars)
    assert a.contracts == math.floor(0.01 * 1_000_000 / a.max_loss)
    assert [f.rule for f in fired] == [
        "condor_expiry",
        "condor_sd",
        "condor_k",
        "condor_put_spread",
        "condor_call_spread",
        "condor_sizing",
    ]
    assert a.put_credit > 0 and a.call_credit > 0
    assert a.put_credit + a.call_credit == pytest.approx(a.credit_fill)


VOLS = st.floats(min_value=0.08, max_value=0.5)


@settings(max_examples=30, deadline=None)
@given(vol=VOLS, k=st.floats(min_value=0.8, max_value=2.5), w=st.sampled_from([0.1, 0.2, 0.4]))
def test_property_breakevens_and_max_loss(vol: float, k: float, w: float) -> None:
    q, _ = _quotes(vol=vol)
    cfg = CondorPolicy(put_width_sd=w, call_width_sd=w)
    ch = choose_strikes(q, cfg, k, q.forward * vol * math.sqrt(q.t_years))
    lp, sp, sc, lc = ch.lp, ch.sp, ch.sc, ch.lc
    assume(not any(math.isnan(x) for x in (lp, sp, sc, lc)))
    a = analyse_condor(q, lp, sp, sc, lc, 50, CostsPolicy().model())
    assert a.max_loss == pytest.approx(100 * (max(sp - lp, lc - sc) - a.credit_fill))
    if 0.0 <= a.credit_fill <= min(sp - lp, lc - sc):
        assert lp <= a.breakeven_put <= sp
        assert sc <= a.breakeven_call <= lc
    assert 0.0 <= a.pop <= 1.0


@settings(max_examples=30, deadline=None)
@given(
    vol=VOLS,
    skew=st.floats(min_value=-0.4, max_value=0.0),
    k1=st.floats(min_value=0.5, max_value=2.5),
    dk=st.floats(min_value=0.0, max_value=1.0),
)
def test_property_wider_k_never_raises_credit(
    vol: float, skew: float, k1: float, dk: float
) -> None:
    q, _ = _quotes(vol=vol, skew=skew)
    cfg = CondorPolicy()
    c = []
    for k in (k1, k1 + dk):
        ch = choose_strikes(q, cfg, k, q.forward * vol * math.sqrt(q.t_years))
        lp, sp, sc, lc = ch.lp, ch.sp, ch.sc, ch.lc
        assume(not any(math.isnan(x) for x in (lp, sp, sc, lc)))
        c.append(analyse_condor(q, lp, sp, sc, lc, 50, CostsPolicy().model()).credit_mid)
    assert c[1] <= c[0] + 1e-9
