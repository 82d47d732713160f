"""Indicators: hand-computed values, an outside reference (arch) and causality."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from strategy_fakes import synthetic_data

from vixshield.data.market import MarketData
from vixshield.strategy import Policy, compute_indicators, load_policy
from vixshield.strategy.indicators import (
    custom_signal,
    garch_forecast,
    macd,
    rsi_wilder,
    trading_days_to_events,
)
from vixshield.strategy.policy import CustomIndicator


def test_rsi_wilder_by_hand() -> None:
    # changes +1 +1 -1 +2 -1, n = 3:
    # first averages gain (1+1+0)/3 = 2/3, loss 1/3 -> RS 2 -> RSI 66.667
    # then gain (2/3*2+2)/3 = 10/9, loss (1/3*2)/3 = 2/9 -> RS 5 -> 83.333
    # then gain (10/9*2)/3 = 20/27, loss (2/9*2+1)/3 = 13/27 -> RS 20/13 -> 60.606
    x = pd.Series([10.0, 11.0, 12.0, 11.0, 13.0, 12.0])
    r = rsi_wilder(x, 3).to_numpy()
    assert np.isnan(r[:3]).all()
    np.testing.assert_allclose(r[3:], [200 / 3, 250 / 3, 100 - 1300 / 33], rtol=1e-12)


def test_rsi_bounds_and_nan_skipping() -> None:
    x = pd.Series([1.0, 2.0, np.nan, 3.0, 4.0, 5.0])
    r = rsi_wilder(x, 2)
    assert np.isnan(r.iloc[2])
    assert r.iloc[-1] == 100.0  # only gains


def test_macd_matches_hand_ema_recursion() -> None:
    x = pd.Series(np.sin(np.arange(60) / 5.0) + np.arange(60) / 30.0)

    def ema(v: np.ndarray, n: int) -> np.ndarray:
        a = 2.0 / (n + 1.0)
        out = np.empty_like(v)
        out[0] = v[0]
        for i in range(1, len(v)):
            out[i] = a * v[i] + (1 - a) * out[i - 1]
        return out

    line = ema(x.to_numpy(), 12) - ema(x.to_numpy(), 26)
    sig = ema(line, 9)
    m, s, h = macd(x)
    np.testing.assert_allclose(m, line, rtol=1e-12)
    np.testing.assert_allclose(s, sig, rtol=1e-12)
    np.testing.assert_allclose(h, line - sig, rtol=1e-12, atol=1e-15)


def test_days_to_events_count_nyse_sessions() -> None:
    # Thanksgiving 2024-11-28 is an NYSE holiday.
    dates = pd.DatetimeIndex(["2024-11-22", "2024-11-26", "2024-11-27", "2024-12-03"])
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-11-27", "2024-12-02"]),
            "kind": ["FOMC", "CPI"],
            "label": ["a", "b"],
            "value": [np.nan, np.nan],
            "known_from": pd.to_datetime(["2024-01-01", "2024-11-01"]),
            "scheduled": [True, True],
        }
    )
    out = trading_days_to_events(dates, events)
    # Fri 22 -> Mon 25, Tue 26, Wed 27 = 3 sessions; Tue 26 -> Wed 27 = 1; on the day = 0.
    np.testing.assert_array_equal(out["days_to_fomc"].to_numpy()[:3], [3.0, 1.0, 0.0])
    assert math.isnan(out["days_to_fomc"].iloc[3])
    # Tue 26 -> Wed 27, (Thu 28 closed), Fri 29, Mon Dec 2 = 3 sessions.
    np.testing.assert_array_equal(out["days_to_cpi"].to_numpy()[:3], [5.0, 3.0, 2.0])
    assert out["days_to_ppi"].isna().all()
    assert list(out["days_to_fomc_status"]) == ["known"] * 3 + ["calendar unknown"]
    assert set(out["days_to_ppi_status"]) == {"calendar unknown"}


def test_iv_rank_and_percentile_by_hand() -> None:
    data = synthetic_data(80)
    vix = np.r_[10.0 + np.arange(70.0), np.linspace(70.0, 15.0, 10)]
    daily = data.daily.copy()
    daily["vix"] = vix
    ind = compute_indicators(replace(data, daily=daily), load_policy("alvh-442"))
    assert ind["iv_rank"].iloc[:59].isna().all()  # fewer than 60 observations
    # last day: window is all 80 values, min 10, max 79, VIX 15
    assert ind["iv_rank"].iloc[-1] == pytest.approx((15 - 10) / (79 - 10))
    # values <= 15: 10..15 (6 values) and the last day itself: 7 of 80
    assert ind["vix_pct"].iloc[-1] == pytest.approx(7 / 80)


def test_term_structure_sources() -> None:
    data = synthetic_data(40)
    daily = data.daily.copy()
    daily.loc[daily.index[20:], "vix3m"] = np.nan
    d0 = daily.index[25]
    vx = pd.DataFrame(
        {
            "date": [d0, d0, d0],
            "expiry": [
                d0 - pd.Timedelta(days=1),
                d0 + pd.Timedelta(days=20),
                d0 + pd.Timedelta(days=50),
            ],
            "settle": [30.0, 20.0, 18.0],
        }
    )
    ind = compute_indicators(replace(data, daily=daily, vx=vx), load_policy("alvh-442"))
    assert ind["ts_source"].iloc[5] == "vix3m"
    assert ind["ts_slope"].iloc[5] == pytest.approx(0.08)  # synthetic VIX3M = 1.08 VIX
    # VX1 = 20 (the expired contract is skipped), VX2 = 18: 18/20 - 1 = -0.1, backwardation
    assert ind.loc[d0, "ts_source"] == "vx"
    assert ind.loc[d0, "ts_slope"] == pytest.approx(-0.1)
    assert ind.loc[d0, "ts_state"] == "backwardation"
    assert ind["ts_state"].iloc[30] == "missing"


def test_advance_decline_divergence_by_hand() -> None:
    data = synthetic_data(45)
    daily = data.daily.copy()
    daily["spx_close"] = 4000.0 + np.arange(45.0)  # rising
    daily["advances"] = 1000.0
    daily["declines"] = 1100.0  # A-D line falls 100 a day
    ind = compute_indicators(replace(data, daily=daily), load_policy("alvh-442"))
    assert ind["ad_divergence"].iloc[:20].isna().all()
    assert (ind["ad_divergence"].iloc[20:] == 1.0).all()
    assert ind["ad_line"].iloc[-1] == -100.0 * 45


def test_missing_breadth_and_vvix_are_nan() -> None:
    data = synthetic_data(60, with_breadth=False, with_vvix=False)
    ind = compute_indicators(data, load_policy("alvh-442"))
    assert ind["ad_line"].isna().all() and ind["ad_divergence"].isna().all()
    assert ind["vvix_rsi"].isna().all()


def test_garch_forecast_matches_arch_at_refit_date() -> None:
    from arch import arch_model

    data = synthetic_data(300)
    close = data.daily["spx_close"]
    out = garch_forecast(close, min_obs=252)
    r = 100 * np.log(close / close.shift(1)).dropna()
    refit = out.dropna().index[0]
    prev = close.index[close.index.get_loc(refit) - 1]
    assert prev.month != refit.month  # refits on the first trading day of a month
    train = r.loc[:refit].to_numpy()
    res = arch_model(train, mean="Constant", vol="GARCH", p=1, q=1).fit(disp="off")
    f = res.forecast(horizon=21, reindex=False).variance.to_numpy()[-1]
    expected = math.sqrt(252 * f.mean())
    assert out.loc[refit] == pytest.approx(expected, rel=2e-3)
    assert out.loc[:refit].iloc[:-1].isna().all()


def test_custom_zscore_rule_by_hand() -> None:
    data = synthetic_data(30)
    daily = data.daily.copy()
    daily["skew"] = [100.0] * 20 + [
        100.0,
        102.0,
        98.0,
        100.0,
        100.0,
        100.0,
        100.0,
        100.0,
        100.0,
        130.0,
    ]
    spec = CustomIndicator(
        name="sk", series="skew", rule="zscore_above", threshold=2.0, window=10, effect="block"
    )
    value, on = custom_signal(replace(data, daily=daily), spec)
    last10 = np.array([100.0, 102, 98, 100, 100, 100, 100, 100, 100, 130])
    z = (130 - last10.mean()) / last10.std(ddof=1)
    assert value.iloc[-1] == pytest.approx(z)
    assert z > 2.0 and bool(on.iloc[-1])
    assert not on.iloc[-2]
    missing = CustomIndicator(name="m", series="nope", rule="above", threshold=0.0)
    v2, on2 = custom_signal(data, missing)
    assert v2.isna().all() and not on2.any()


def _alter_after(data: MarketData, t: pd.Timestamp) -> MarketData:
    daily = data.daily.copy()
    after = daily.index > t
    daily.loc[after, "spx_close"] *= 1.7
    daily.loc[after, "vix"] += 25.0
    daily.loc[after, "vvix"] = 160.0
    daily.loc[after, "advances"] = 0.0
    return replace(data, daily=daily)


@pytest.mark.parametrize("pos", [100, 270, 300])
def test_indicators_are_causal(data: MarketData, alvh: Policy, pos: int) -> None:
    t = data.daily.index[pos]
    full = compute_indicators(data, alvh)
    altered = compute_indicators(_alter_after(data, t), alvh)
    cut = compute_indicators(data.until(t), alvh)
    pd.testing.assert_frame_equal(full.loc[:t], altered.loc[:t])
    pd.testing.assert_frame_equal(full.loc[:t], cut)
    assert full.loc[:t, "garch_vol"].notna().any() == (pos >= 270)


def test_garch_filter_matches_plain_recursion() -> None:
    from vixshield.strategy.indicators import _garch_variance_path, _garch_variance_path_loop

    r = np.random.default_rng(3).standard_normal(2000)
    fast = _garch_variance_path(r, 0.04, 0.02, 0.09, 0.89, 1.3)
    ref = _garch_variance_path_loop(r, 0.04, 0.02, 0.09, 0.89, 1.3)
    np.testing.assert_allclose(fast, ref, rtol=1e-12)
    # by hand: v1 = 0.02 + 0.09 (r0 - 0.04)^2 + 0.89 x 1.3
    assert fast[0] == pytest.approx(0.02 + 0.09 * (r[0] - 0.04) ** 2 + 0.89 * 1.3, rel=1e-14)


def test_garch_between_refits_filters_with_fixed_parameters() -> None:
    # 320 business days from 2021-01-04: the first fit is at the first month start with
    # 252 returns (2022-01-03); with yearly refits no other fit follows, so every later
    # day is arch's fit at that date filtered forward with the same parameters.
    from arch import arch_model

    data = synthetic_data(320)
    close = data.daily["spx_close"]
    out = garch_forecast(close, min_obs=252, refit_months=12)
    r = (100 * np.log(close / close.shift(1))).dropna()
    refit = out.dropna().index[0]
    i = r.index.get_loc(refit)
    res = arch_model(r.iloc[: i + 1].to_numpy(), mean="Constant", vol="GARCH", p=1, q=1).fit(
        disp="off"
    )
    mu, om, al, be = (float(res.params[k]) for k in ("mu", "omega", "alpha[1]", "beta[1]"))
    v = float(np.var(r.iloc[: i + 1].to_numpy()))
    for x in r.to_numpy():
        v = om + al * (x - mu) ** 2 + be * v
    vbar = om / (1 - al - be)
    expected = math.sqrt(252 * (vbar + np.mean((al + be) ** np.arange(21)) * (v - vbar)))
    assert out.iloc[-1] == pytest.approx(expected, rel=5e-3)
    monthly = garch_forecast(close, min_obs=252, refit_months=1)
    assert monthly.loc[refit] == out.loc[refit]  # same first fit whatever the frequency
    with pytest.raises(ValueError, match="refit_months"):
        garch_forecast(close, refit_months=0)


def test_garch_from_date_skips_early_fits_only() -> None:
    """Fits whose segment ends before ``from_date`` are skipped; later forecasts keep their
    values (up to the optimiser's tolerance: the first kept fit starts cold, not warm)."""
    data = synthetic_data(900)
    close = data.daily["spx_close"]
    full = garch_forecast(close, min_obs=252)
    from_date = close.index[700]
    part = garch_forecast(close, min_obs=252, from_date=from_date)
    after = part.loc[from_date:]
    assert after.notna().all()
    assert np.allclose(after, full.loc[from_date:], rtol=2e-3)
    # the first kept fit is the last refit at or before from_date: NaN before its segment
    first = part.first_valid_index()
    assert first is not None and first <= from_date
    assert part.loc[: full.first_valid_index()].iloc[:-1].isna().all()
    assert part.notna().sum() < full.notna().sum()
