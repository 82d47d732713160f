"""The Cboe VIX/SKEW formulas against the 2009 white paper and hand computations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vixshield.markets.types import CHAIN_COLUMNS, OptionChain
from vixshield.markets.vix_formula import (
    cboe_skew,
    expiry_moments,
    interpolate_variance,
    select_terms,
    vix_index,
)
from vixshield.pricing import bsm_price


def _whitepaper(shared_data: Path) -> dict[int, pd.DataFrame]:
    d = pd.read_csv(shared_data / "vix_whitepaper_2009" / "options.csv")
    return {int(days): g.sort_values("Strike") for days, g in d.groupby("Days")}


@pytest.mark.shared_data
def test_whitepaper_2009_term_variances(shared_data: Path) -> None:
    # Cboe VIX white paper (2009), Appendix 1: sigma1^2 = 0.4727679, sigma2^2 = 0.3668180,
    # F1 = 920.50 (strike 920: C 21.65, P 21.15), K0 = 920, R = 0.38 %, T = days / 365
    # (8:30 a.m. settlement, calculation at the same clock time).
    rate = float(pd.read_csv(shared_data / "vix_whitepaper_2009" / "yields.csv")["Rate"][0]) / 100
    expected = {9: 0.4727679, 37: 0.3668180}
    for days, g in _whitepaper(shared_data).items():
        m = expiry_moments(
            g["Strike"], g["Call Bid"], g["Call Ask"], g["Put Bid"], g["Put Ask"], days / 365, rate
        )
        assert m.k0 == 920.0
        assert m.variance == pytest.approx(expected[days], abs=2e-6)
    near = expiry_moments(*_cols(_whitepaper(shared_data)[9]), 9 / 365, rate)
    assert near.forward == pytest.approx(920.0 + np.exp(rate * 9 / 365) * (21.65 - 21.15), abs=1e-9)


def _cols(g: pd.DataFrame) -> tuple[pd.Series, ...]:
    return (g["Strike"], g["Call Bid"], g["Call Ask"], g["Put Bid"], g["Put Ask"])


def test_whitepaper_interpolation_gives_61_2() -> None:
    # White paper step 2 with its variances:
    # 100 sqrt{[T1 s1 (N2-30)/(N2-N1) + T2 s2 (30-N1)/(N2-N1)] * 365/30}
    # with N1 = 9, N2 = 37 days = 61.2 (rounded in the paper).
    var = interpolate_variance(9 / 365, 0.4727679, 37 / 365, 0.3668180, 30 / 365)
    hand = (9 / 365 * 0.4727679 * 7 / 28 + 37 / 365 * 0.3668180 * 21 / 28) * 365 / 30
    assert var == pytest.approx(hand, rel=1e-12)
    assert 100 * np.sqrt(var) == pytest.approx(61.2, abs=0.05)


def test_hand_computed_three_strike_chain() -> None:
    # Strikes 90, 100, 110; r = 0, T = 0.1. Mids: C(90)=11, P(90)=1, C(100)=4, P(100)=4,
    # C(110)=1, P(110)=11. F = 100 + (4 - 4) = 100, K0 = 100.
    # Q = [P(90)=1, (4+4)/2=4, C(110)=1], dK = [10, 10, 10].
    # sigma^2 = 2/0.1 * (10/8100*1 + 10/10000*4 + 10/12100*1) - 0 = 20 * 0.0060611 ...
    k = [90.0, 100.0, 110.0]
    cb, ca = [10.9, 3.9, 0.9], [11.1, 4.1, 1.1]
    pb, pa = [0.9, 3.9, 10.9], [1.1, 4.1, 11.1]
    m = expiry_moments(k, cb, ca, pb, pa, 0.1, 0.0)
    hand = 20 * (10 / 8100 + 40 / 10000 + 10 / 12100)
    assert m.forward == pytest.approx(100.0)
    assert m.variance == pytest.approx(hand, rel=1e-12)


def test_two_zero_bids_stop_and_single_zero_bid_is_skipped() -> None:
    # Puts below K0 = 100: bids at 95: 0 (skipped), 90: 0.5 (kept), 85: 0, 80: 0 (stop),
    # 75: 0.5 (never reached). Kept strikes: 90, 100 (+ calls 105).
    k = np.array([75.0, 80, 85, 90, 95, 100, 105])
    pb = np.array([0.5, 0, 0, 0.5, 0, 3.0, 6.0])
    pa = pb + 0.2
    cb = np.array([25.0, 20, 15, 10, 5, 3.0, 0.5])
    ca = cb + 0.2
    m = expiry_moments(k, cb, ca, pb, pa, 0.1, 0.0)
    assert m.n_strikes == 3
    # hand: strikes 90, 100, 105: dK = [10, 7.5, 5]; Q = [0.6, 3.1, 0.6]; F = 100, K0 = 100
    hand = 20 * (10 / 90**2 * 0.6 + 7.5 / 100**2 * 3.1 + 5 / 105**2 * 0.6)
    assert m.variance == pytest.approx(hand, rel=1e-12)


def _flat_chain(sigma: float, spot: float = 4000.0, r: float = 0.02) -> OptionChain:
    rows = []
    for days in (23, 37):
        t = days / 365
        k = np.arange(1000.0, 9000.0, 5.0)
        for call in (True, False):
            p = bsm_price(spot, k, t, r, 0.0, sigma, call)
            rows.append(
                pd.DataFrame(
                    {
                        "expiry": pd.Timestamp("2020-01-01") + pd.Timedelta(days=days),
                        "root": "SPX",
                        "settlement": "PM",
                        "strike": k,
                        "right": "C" if call else "P",
                        "bid": np.where(p > 1e-4, p, 0.0),
                        "ask": p,
                        "mid": p,
                        "iv": sigma,
                        "delta": np.nan,
                        "gamma": np.nan,
                        "vega": np.nan,
                        "theta": np.nan,
                        "t_years": t,
                        "forward": spot * np.exp(r * t),
                        "origin": "modeled",
                    }
                )
            )
    quotes = pd.concat(rows, ignore_index=True)[list(CHAIN_COLUMNS)]
    return OptionChain("SPX", pd.Timestamp("2020-01-01"), spot, r, quotes, "modeled")


@pytest.mark.parametrize("sigma", [0.12, 0.2, 0.45])
def test_flat_volatility_chain_gives_its_volatility(sigma: float) -> None:
    # Under Black-Scholes the fair variance equals sigma^2; the discrete formula on a dense
    # 5-point grid recovers it to a few hundredths of a vol point.
    chain = _flat_chain(sigma)
    assert vix_index(chain) == pytest.approx(100 * sigma, abs=0.05)
    assert vix_index(chain, tenor_days=25) == pytest.approx(100 * sigma, abs=0.05)


def test_flat_volatility_chain_has_skew_100() -> None:
    # Log-returns are normal under flat vol: skewness 0, SKEW = 100 - 10*0 = 100.
    assert cboe_skew(_flat_chain(0.2)) == pytest.approx(100.0, abs=0.5)


def test_select_terms_brackets_and_extrapolates() -> None:
    t = np.array([2, 9, 16, 30, 44]) / 365
    assert select_terms(t, 30 / 365) == (3, 4)
    assert select_terms(t, 20 / 365) == (2, 3)
    assert select_terms(t, 100 / 365) == (3, 4)
    assert select_terms(np.array([0.5, 10, 20]) / 365, 5 / 365) == (1, 2)
