"""No-arbitrage invariants and finite-difference identities (Hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.pricing import black76_greeks, black76_price, bsm_greeks, bsm_price

spots = st.floats(10.0, 6000.0)
moneyness = st.floats(-0.6, 0.6)
times = st.floats(1.0 / 365.0, 3.0)
rates = st.floats(-0.01, 0.1)
yields = st.floats(0.0, 0.05)
vols = st.floats(0.02, 2.0)


@settings(max_examples=200, deadline=None)
@given(S=spots, m=moneyness, T=times, r=rates, q=yields, sigma=vols)
def test_put_call_parity(S: float, m: float, T: float, r: float, q: float, sigma: float) -> None:
    # C - P = S e^{-qT} - K e^{-rT} (Hull, "Put-call parity")
    K = S * math.exp(m)
    c = bsm_price(S, K, T, r, q, sigma, True)
    p = bsm_price(S, K, T, r, q, sigma, False)
    assert c - p == pytest.approx(S * math.exp(-q * T) - K * math.exp(-r * T), abs=1e-11 * S)
    gc, gp = bsm_greeks(S, K, T, r, q, sigma, True), bsm_greeks(S, K, T, r, q, sigma, False)
    assert gc["delta"] - gp["delta"] == pytest.approx(math.exp(-q * T), abs=1e-12)
    assert gc["gamma"] == pytest.approx(gp["gamma"], rel=1e-12)
    assert gc["vega"] == pytest.approx(gp["vega"], rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(S=spots, T=times, r=rates, q=yields, sigma=vols)
def test_monotone_in_strike_vol_and_time(
    S: float, T: float, r: float, q: float, sigma: float
) -> None:
    K = S * np.linspace(0.6, 1.6, 41)  # evenly spaced, so second differences test convexity
    calls = bsm_price(S, K, T, r, q, sigma, True)
    puts = bsm_price(S, K, T, r, q, sigma, False)
    tol = 1e-12 * S
    assert np.all(np.diff(calls) <= tol)  # calls fall with strike
    assert np.all(np.diff(puts) >= -tol)  # puts rise with strike
    assert np.all(np.diff(calls, 2) >= -10 * tol)  # convex in strike (butterflies >= 0)
    vol_grid = sigma * np.linspace(0.5, 1.5, 11)
    assert np.all(np.diff(bsm_price(S, S, T, r, q, vol_grid, True)) >= -tol)
    # With r = q = 0 the option value rises with time to expiry.
    t_grid = T * np.linspace(0.5, 1.5, 11)
    assert np.all(np.diff(black76_price(S, S * 1.05, t_grid, 0.0, sigma, False)) >= -tol)


@settings(max_examples=100, deadline=None)
@given(
    F=st.floats(9.0, 80.0),
    m=moneyness,
    T=times,
    r=rates,
    sigma=st.floats(0.2, 2.5),
    call=st.booleans(),
)
def test_black76_greeks_are_derivatives_of_the_price(
    F: float, m: float, T: float, r: float, sigma: float, call: bool
) -> None:
    # Central differences of the price itself; units: vega per vol point, theta per calendar day.
    K = F * math.exp(m)
    g = black76_greeks(F, K, T, r, sigma, call)
    sd = sigma * math.sqrt(T)
    hF, hs, hT = 1e-4 * F * sd, 1e-4 * sigma, 1e-4 * T  # steps scaled to the curvature
    delta = (
        black76_price(F + hF, K, T, r, sigma, call) - black76_price(F - hF, K, T, r, sigma, call)
    ) / (2 * hF)
    vega = (
        (black76_price(F, K, T, r, sigma + hs, call) - black76_price(F, K, T, r, sigma - hs, call))
        / (2 * hs)
        / 100
    )
    theta = (
        -(black76_price(F, K, T + hT, r, sigma, call) - black76_price(F, K, T - hT, r, sigma, call))
        / (2 * hT)
        / 365
    )
    assert g["delta"] == pytest.approx(delta, rel=1e-6, abs=1e-9)
    assert g["vega"] == pytest.approx(vega, rel=1e-6, abs=1e-9)
    assert g["theta"] == pytest.approx(theta, rel=1e-5, abs=1e-9)
