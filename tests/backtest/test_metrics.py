"""Metrics against hand computations and textbook definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.backtest import metrics as mt


def test_xirr_one_year_ten_percent() -> None:
    # -1000 then +1100 exactly 365 days later: (1100/1000) - 1 = 10%
    r = mt.xirr([-1000.0, 1100.0], [pd.Timestamp("2017-01-01"), pd.Timestamp("2018-01-01")])
    assert r == pytest.approx(0.10, abs=1e-10)


def test_xirr_two_periods_hand_case() -> None:
    # -100 now, +10 after one year, +110 after two: a 10% par bond -> IRR 10%
    d = [pd.Timestamp("2015-01-01"), pd.Timestamp("2016-01-01"), pd.Timestamp("2016-12-31")]
    assert mt.xirr([-100.0, 10.0, 110.0], d) == pytest.approx(0.10, abs=1e-10)


def test_xirr_no_sign_change_is_nan() -> None:
    d = [pd.Timestamp("2015-01-01"), pd.Timestamp("2016-01-01")]
    assert np.isnan(mt.xirr([100.0, 100.0], d))


def test_max_drawdown_known_path() -> None:
    # 100 -> 120 -> 90 -> 100 -> 130: peak 120, trough 90 -> -25%;
    # below the 120 peak on days 2, 3 (then 130 regains it): duration 2 trading days
    depth, dur = mt.max_drawdown([100.0, 120.0, 90.0, 100.0, 130.0])
    assert depth == pytest.approx(-0.25)
    assert dur == 2
    # capital counted as the first peak: 100 -> 80 -> 85 ends under water: 2 days
    depth, dur = mt.max_drawdown([80.0, 85.0], capital=100.0)
    assert depth == pytest.approx(-0.20)
    assert dur == 2


def test_cagr_hand_case() -> None:
    # doubling over 2 x 365.25 days: sqrt(2) - 1
    s, e = pd.Timestamp("2016-01-01"), pd.Timestamp("2016-01-01") + pd.Timedelta(days=730.5)
    assert mt.cagr(200.0, 100.0, s, e.floor("D")) == pytest.approx(2 ** (365.25 / 730) - 1)


def test_sharpe_of_constructed_series() -> None:
    # alternating +2% / 0%: mean 1%, sample sd = 0.01 * sqrt(n/(n-1)) for n even
    n = 100
    r = np.tile([0.02, 0.0], n // 2)
    sd = 0.01 * np.sqrt(n / (n - 1))
    assert mt.sharpe(r) == pytest.approx(0.01 / sd * np.sqrt(252))
    # risk-free 2.52%/yr = 0.01%/day lowers the mean excess by 0.0001
    assert mt.sharpe(r, 0.0252) == pytest.approx(0.0099 / sd * np.sqrt(252))


def test_sortino_hand_case() -> None:
    # returns +3%, -1%, +3%, -1%: mean 1%; downside deviation sqrt((2 x 0.0001)/4) = 0.00707
    r = np.array([0.03, -0.01, 0.03, -0.01])
    assert mt.sortino(r) == pytest.approx(0.01 / np.sqrt(0.0002 / 4) * np.sqrt(252))


def test_annual_volatility() -> None:
    r = np.array([0.01, -0.01, 0.01, -0.01])
    # sample sd: sqrt(4 x 0.0001 / 3)
    assert mt.annual_volatility(r) == pytest.approx(np.sqrt(0.0004 / 3) * np.sqrt(252))


def test_beta_half_spx_plus_noise() -> None:
    rng = np.random.default_rng(42)
    m = rng.normal(0.0004, 0.01, 5000)
    r = 0.5 * m + rng.normal(0.0, 0.002, 5000)
    alpha, beta = mt.capm_alpha_beta(r, m)
    assert beta == pytest.approx(0.5, abs=0.02)
    assert alpha == pytest.approx(0.0, abs=0.02)
    # a constant daily 0.01% on top of the same relation is an annual alpha of 2.52%
    alpha2, beta2 = mt.capm_alpha_beta(r + 0.0001, m)
    assert alpha2 - alpha == pytest.approx(0.0252, abs=1e-9)
    assert beta2 == pytest.approx(beta, abs=1e-12)


def test_cvar_hand_case() -> None:
    # 100 returns -50%..+49% step 1%: the 5% quantile (linear) is -45.05%; the five days
    # below it (-50..-46%) average -48% -> CVaR 95 = -0.48 (a loss, the sign of worst_day)
    r = np.arange(-50, 50) / 100.0
    assert mt.cvar(r, 0.95) == pytest.approx(-0.48)
    # 99%: quantile -49.01% -> only -50% below it
    assert mt.cvar(r, 0.99) == pytest.approx(-0.50)


def test_profit_stats_hand_case() -> None:
    s = mt.profit_stats([100.0, -50.0, 300.0, -150.0])
    assert s["win_rate"] == 0.5
    assert s["avg_win"] == 200.0
    assert s["avg_loss"] == -100.0
    assert s["profit_factor"] == pytest.approx(400.0 / 200.0)


def test_worst_period_weeks_and_months() -> None:
    idx = pd.bdate_range("2018-01-01", "2018-02-28")
    eq = pd.Series(100.0, index=idx)
    eq.loc["2018-02-05":] = 90.0  # a 10% fall in the week ending Feb 9
    eq.loc["2018-02-12":] = 99.0
    assert mt.worst_period(eq, 100.0, "W-FRI") == pytest.approx(-0.10)
    assert mt.worst_period(eq, 100.0, "ME") == pytest.approx(-0.01)
    assert mt.worst_period(eq, 100.0, "D") == pytest.approx(-0.10)


def _frame(idx: pd.DatetimeIndex) -> pd.DataFrame:
    n = len(idx)
    return pd.DataFrame(
        {
            "equity": 1000.0 + np.arange(n),
            "pnl": np.ones(n),
            "pnl_condor": np.full(n, 2.0),
            "pnl_hedge:short": np.full(n, -1.0),
            "pnl_interest": np.zeros(n),
            "pnl_costs": np.zeros(n),
            "spx": np.full(n, 2000.0),
            "vix": np.arange(n, dtype=float),
        },
        index=idx,
    )


def test_stress_windows_sum_inside_window_only() -> None:
    idx = pd.bdate_range("2018-01-02", "2018-03-30")
    out = mt.stress_windows(_frame(idx))
    assert set(out) == {"February 2018"}
    w = out["February 2018"]
    n = len(pd.bdate_range("2018-01-26", "2018-02-16"))  # 16 weekdays
    assert w["days"] == n == 16
    assert w["pnl_condor"] == pytest.approx(2.0 * n)
    assert w["pnl_hedge"] == pytest.approx(-1.0 * n)
    assert w["partial"] is False


def test_event_study_offsets() -> None:
    idx = pd.bdate_range("2018-01-02", "2018-01-31")
    daily = _frame(idx)
    daily["pnl"] = np.arange(len(idx), dtype=float)
    # rows from Tue Jan 2 (0): Jan 2-5 are 0-3, Jan 8-12 are 4-8, Jan 15 is 9, Jan 16 is 10.
    # FOMC on Sat Jan 13 -> day 0 is Mon Jan 15 (9), -1 = Fri Jan 12 (8), +1 = Tue Jan 16 (10)
    ev = pd.DataFrame({"date": [pd.Timestamp("2018-01-13")], "kind": ["FOMC"]})
    out = mt.event_study(daily, ev)
    assert out["FOMC"]["count"] == 1
    assert out["FOMC"]["-1"]["pnl"] == 8.0  # type: ignore[index]
    assert out["FOMC"]["0"]["pnl"] == 9.0  # type: ignore[index]
    assert out["FOMC"]["+1"]["pnl"] == 10.0  # type: ignore[index]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-0.2, 0.2), min_size=2, max_size=60))
def test_drawdown_properties(rets: list[float]) -> None:
    eq = 100.0 * np.cumprod(1.0 + np.asarray(rets))
    depth, dur = mt.max_drawdown(eq, 100.0)
    assert -1.0 < depth <= 0.0
    assert 0 <= dur <= len(rets)
    # a path that only rises never draws down
    up = 100.0 * np.cumprod(1.0 + np.abs(rets)) + np.arange(len(rets))
    assert mt.max_drawdown(up, 100.0) == (0.0, 0)
