"""Risk graph maths (vixshield.report.risk_graph) against hand values and QuantLib."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql
from hypothesis import given, settings
from hypothesis import strategies as st
from report_fakes import condor_legs, vix_call_leg

from vixshield.report.risk_graph import (
    DIVIDEND_YIELD,
    VIX_FLOOR,
    position_value,
    risk_graph,
    vix_for_spx,
)
from vixshield.strategy.types import Position

OPENED = pd.Timestamp("2018-02-01")
EXPIRY = pd.Timestamp("2018-03-16")


def condor(contracts: int = 1, credit: float = 4.0) -> Position:
    """Long 2550P / short 2600P / short 2700C / long 2750C for a net credit (index points)."""
    return Position("IC", "condor", condor_legs(EXPIRY), contracts, OPENED, -credit)


def test_condor_pnl_at_expiry_matches_hand_values() -> None:
    # Hand computation, 1 contract, credit 4.00, x100 multiplier:
    #   between the short strikes (2600..2700): keep the credit, +400
    #   below 2550 / above 2750: lose the 50-point width less the credit, -(50-4)*100 = -4600
    #   break-evens: 2600 - 4 = 2596 and 2700 + 4 = 2704
    g = risk_graph(
        [condor()], as_of=OPENED, spot=2650.0, vix0=15.0, rate=0.0, width=0.1, points=531
    )
    pnl = g.pnl_expiry["total"]
    at = lambda s: float(np.interp(s, g.spx, pnl))  # noqa: E731
    assert at(2650.0) == pytest.approx(400.0, abs=1e-6)
    assert at(2500.0) == pytest.approx(-4600.0, abs=1e-6)
    assert at(2800.0) == pytest.approx(-4600.0, abs=1e-6)
    assert at(2596.0) == pytest.approx(0.0, abs=1e-6)
    assert at(2704.0) == pytest.approx(0.0, abs=1e-6)
    assert g.expiry == EXPIRY


def test_vix_scenario_follows_the_documented_beta_and_floor() -> None:
    # -1 vol point per +1 % SPX: SPX 2000 -> 1960 (-2 %) lifts VIX 15 -> 17;
    # +10 % would give 5, below the floor.
    out = vix_for_spx(np.array([1960.0, 2000.0, 2200.0]), spot=2000.0, vix0=15.0)
    np.testing.assert_allclose(out, [17.0, 15.0, VIX_FLOOR])


def _ql_bsm(spot: float, strike: float, t_days: int, rate: float, vol: float, call: bool) -> float:
    today = ql.Date(1, 2, 2018)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual365Fixed()
    process = ql.BlackScholesMertonProcess(
        ql.QuoteHandle(ql.SimpleQuote(spot)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, DIVIDEND_YIELD, dc, ql.Continuous)),
        ql.YieldTermStructureHandle(ql.FlatForward(today, rate, dc, ql.Continuous)),
        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), vol, dc)),
    )
    option = ql.EuropeanOption(
        ql.PlainVanillaPayoff(ql.Option.Call if call else ql.Option.Put, strike),
        ql.EuropeanExercise(today + t_days),
    )
    option.setPricingEngine(ql.AnalyticEuropeanEngine(process))
    return float(option.NPV())


def test_condor_value_today_matches_quantlib() -> None:
    # 43 calendar days to 2018-03-16; SPX options at a flat vol of VIX/100 = 0.15.
    pos = condor(contracts=3)
    spot, rate, vix = 2650.0, 0.015, 15.0
    ours = position_value(pos, np.array([spot]), np.array([vix]), OPENED, rate)[0]
    ref = sum(
        leg.ratio * _ql_bsm(spot, leg.strike, 43, rate, vix / 100.0, leg.right == "C")
        for leg in pos.legs
    )
    assert ours == pytest.approx(ref * 3 * 100.0, rel=1e-9)


def test_vix_hedge_value_matches_quantlib_black76() -> None:
    # Black-76 on the VX forward = VIX scenario, vol of vol 0.9, 76 days to 2018-04-18.
    hedge = Position("H", "hedge:core", (vix_call_leg(20.0),), 10, OPENED, 1.2)
    ours = position_value(hedge, np.array([2650.0]), np.array([18.0]), OPENED, 0.015)[0]
    t = 76 / 365.0
    df = np.exp(-0.015 * t)
    ref = ql.BlackCalculator(
        ql.PlainVanillaPayoff(ql.Option.Call, 20.0), 18.0, 0.9 * np.sqrt(t), df
    ).value()
    assert ours == pytest.approx(ref * 10 * 100.0, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    credit=st.floats(0.5, 20.0),
    contracts=st.integers(1, 20),
    spot=st.floats(2300.0, 3000.0),
    vix=st.floats(10.0, 60.0),
)
def test_condor_pnl_is_bounded_by_credit_and_width(
    credit: float, contracts: int, spot: float, vix: float
) -> None:
    # At expiry and before it, a 50-wide condor's P&L lies in
    # [-(50 - credit), credit] x 100 x contracts.
    g = risk_graph([condor(contracts, credit)], as_of=OPENED, spot=spot, vix0=vix, rate=0.01)
    lo, hi = -(50.0 - credit) * 100.0 * contracts, credit * 100.0 * contracts
    for curve in (g.pnl_expiry["total"], g.pnl_today["total"]):
        assert np.all(curve >= lo - 1e-6) and np.all(curve <= hi + 1e-6)


def test_hedge_gains_when_spx_falls_and_totals_add_up() -> None:
    hedge = Position("H", "hedge:core", (vix_call_leg(20.0),), 10, OPENED, 1.2)
    g = risk_graph([condor(), hedge], as_of=OPENED, spot=2650.0, vix0=15.0, rate=0.01)
    h = g.pnl_today["hedge:core"]
    assert np.all(np.diff(h) <= 1e-9)  # VIX calls gain as SPX falls (VIX rises)
    np.testing.assert_allclose(g.pnl_today["total"], g.pnl_today["condor"] + h)
    np.testing.assert_allclose(
        g.pnl_expiry["total"], g.pnl_expiry["condor"] + g.pnl_expiry["hedge:core"]
    )


def test_empty_positions_rejected() -> None:
    with pytest.raises(ValueError, match="at least one position"):
        risk_graph([], as_of=OPENED, spot=2650.0, vix0=15.0, rate=0.0)
