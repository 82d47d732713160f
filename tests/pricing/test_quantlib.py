"""QuantLib as oracle for prices and greeks (Hypothesis-randomised inputs).

Unit conversions to QuantLib's ``BlackCalculator``: its theta is per year,
vega per 1.0 of vol, rho per 1.0 of rate, vanna per 1.0 of vol. QuantLib's
``BlackCalculator.volga`` is not d vega / d sigma (it differs by a factor
``1/sqrt(T)``), so volga is checked against a central difference of
QuantLib's own vega, and charm against a central difference of its delta.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.pricing import black76_greeks, black76_price, bsm_greeks, bsm_price

ql = pytest.importorskip("QuantLib")

PRICE_RTOL = 1e-9
PRICE_ATOL = 1e-10


def _calc(S: float, K: float, T: float, r: float, q: float, sigma: float, call: bool) -> object:
    F = S * math.exp((r - q) * T)
    kind = ql.Option.Call if call else ql.Option.Put
    return ql.BlackCalculator(
        ql.PlainVanillaPayoff(kind, K), F, sigma * math.sqrt(T), math.exp(-r * T)
    )


def _ql_greeks(
    S: float, K: float, T: float, r: float, q: float, sigma: float, call: bool
) -> dict[str, float]:
    c = _calc(S, K, T, r, q, sigma, call)
    h_vol, h_t = 1e-4 * sigma, 1e-4 * T  # central differences: truncation ~1e-8 relative

    def vega_at(s: float) -> float:
        return float(_calc(S, K, T, r, q, s, call).vega(T))  # type: ignore[attr-defined]

    def delta_at(t: float) -> float:
        return float(_calc(S, K, t, r, q, sigma, call).delta(S))  # type: ignore[attr-defined]

    return {
        "value": c.value(),  # type: ignore[attr-defined]
        "delta": c.delta(S),  # type: ignore[attr-defined]
        "gamma": c.gamma(S),  # type: ignore[attr-defined]
        "vega": c.vega(T) / 100.0,  # type: ignore[attr-defined]
        "theta": c.theta(S, T) / 365.0,  # type: ignore[attr-defined]
        "rho": c.rho(T) / 100.0,  # type: ignore[attr-defined]
        "vanna": c.vanna(S, T) / 100.0,  # type: ignore[attr-defined]
        "volga": (vega_at(sigma + h_vol) - vega_at(sigma - h_vol)) / (2 * h_vol) / 1e4,
        "charm": -(delta_at(T + h_t) - delta_at(T - h_t)) / (2 * h_t) / 365.0,
    }


spots = st.floats(10.0, 6000.0)
log_moneyness = st.floats(-0.8, 0.8)
times = st.floats(2.0 / 365.0, 3.0)
rates = st.floats(-0.01, 0.10)
yields = st.floats(0.0, 0.05)
vols = st.floats(0.05, 1.5)
calls = st.booleans()


@settings(max_examples=150, deadline=None)
@given(S=spots, m=log_moneyness, T=times, r=rates, q=yields, sigma=vols, call=calls)
def test_bsm_price_matches_quantlib(
    S: float, m: float, T: float, r: float, q: float, sigma: float, call: bool
) -> None:
    K = S * math.exp(m)
    expected = _calc(S, K, T, r, q, sigma, call).value()  # type: ignore[attr-defined]
    got = bsm_price(S, K, T, r, q, sigma, call)
    assert got == pytest.approx(expected, rel=PRICE_RTOL, abs=PRICE_ATOL)


@settings(max_examples=150, deadline=None)
@given(
    F=st.floats(9.0, 80.0), m=log_moneyness, T=times, r=rates, sigma=st.floats(0.2, 2.5), call=calls
)
def test_black76_price_matches_quantlib(
    F: float, m: float, T: float, r: float, sigma: float, call: bool
) -> None:
    K = F * math.exp(m)
    expected = _calc(F, K, T, r, r, sigma, call).value()  # type: ignore[attr-defined]
    assert black76_price(F, K, T, r, sigma, call) == pytest.approx(
        expected, rel=PRICE_RTOL, abs=PRICE_ATOL
    )


@settings(max_examples=100, deadline=None)
@given(S=spots, m=log_moneyness, T=times, r=rates, q=yields, sigma=vols, call=calls)
def test_bsm_greeks_match_quantlib(
    S: float, m: float, T: float, r: float, q: float, sigma: float, call: bool
) -> None:
    K = S * math.exp(m)
    ref = _ql_greeks(S, K, T, r, q, sigma, call)
    got = bsm_greeks(S, K, T, r, q, sigma, call)
    scale = S * 1e-12  # absolute floor for values that are zero up to rounding
    for name in ("delta", "gamma", "vega", "theta", "rho", "vanna"):
        assert got[name] == pytest.approx(ref[name], rel=1e-9, abs=1e-10 + scale * 1e-3), name
    # finite-difference oracles: accurate to ~1e-7 relative
    assert got["volga"] == pytest.approx(ref["volga"], rel=1e-5, abs=1e-9 * S), "volga"
    assert got["charm"] == pytest.approx(ref["charm"], rel=1e-5, abs=1e-9), "charm"


@settings(max_examples=100, deadline=None)
@given(
    F=st.floats(9.0, 80.0), m=log_moneyness, T=times, r=rates, sigma=st.floats(0.2, 2.5), call=calls
)
def test_black76_greeks_match_quantlib(
    F: float, m: float, T: float, r: float, sigma: float, call: bool
) -> None:
    K = F * math.exp(m)
    ref = _ql_greeks(F, K, T, r, r, sigma, call)  # b = 0: spot = forward, q = r
    got = black76_greeks(F, K, T, r, sigma, call)
    for name in ("delta", "gamma", "vega", "theta", "vanna"):
        assert got[name] == pytest.approx(ref[name], rel=1e-9, abs=1e-10), name
    # Black-76 rho holds F fixed: dV/dr = -T V (QuantLib's rho holds the spot fixed instead).
    assert got["rho"] == pytest.approx(-T * ref["value"] / 100.0, rel=1e-9, abs=1e-12)
    assert got["volga"] == pytest.approx(ref["volga"], rel=1e-5, abs=1e-9 * F), "volga"
    assert got["charm"] == pytest.approx(ref["charm"], rel=1e-5, abs=1e-9), "charm"


def test_black76_rho_finite_difference_in_rate() -> None:
    # Independent check of the F-fixed convention: bump r by +-1bp, F unchanged.
    F, K, T, r, sigma = 20.0, 22.0, 0.25, 0.04, 0.9
    up = _calc(F, K, T, r + 1e-4, r + 1e-4, sigma, True).value()  # type: ignore[attr-defined]
    dn = _calc(F, K, T, r - 1e-4, r - 1e-4, sigma, True).value()  # type: ignore[attr-defined]
    fd_per_rate_point = (up - dn) / 2e-4 / 100.0
    assert black76_greeks(F, K, T, r, sigma, True)["rho"] == pytest.approx(
        fd_per_rate_point, rel=1e-7
    )


def test_vectorised_matches_quantlib_elementwise() -> None:
    rng = np.random.default_rng(7)
    n = 200
    S = rng.uniform(1000, 6000, n)
    K = S * np.exp(rng.uniform(-0.5, 0.5, n))
    T = rng.uniform(0.01, 2.0, n)
    r = rng.uniform(0.0, 0.06, n)
    q = rng.uniform(0.0, 0.03, n)
    sig = rng.uniform(0.08, 0.9, n)
    call = rng.random(n) < 0.5
    got = bsm_price(S, K, T, r, q, sig, call)
    expected = np.array(
        [_calc(*args).value() for args in zip(S, K, T, r, q, sig, call, strict=True)]  # type: ignore[attr-defined]
    )
    np.testing.assert_allclose(got, expected, rtol=PRICE_RTOL, atol=PRICE_ATOL)
