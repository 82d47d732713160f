"""The compiled calibration kernels against the plain-numpy reference they replace.

Reference: `spx_model.expiry_quotes` (SSVI + BSM + the spread model) followed by
`vix_formula.expiry_moments` (the Cboe VIX and SKEW white-paper formulas). The
kernels must agree to rounding (1e-12); the calibration to 1e-9.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield._typing import Settlement
from vixshield.markets import _kernels
from vixshield.markets.listing import _t_years_cached
from vixshield.markets.smile import SmileParams, atm_total_variance
from vixshield.markets.spx_model import (
    DIVIDEND_YIELD,
    LISTED_SD,
    _params,
    calibrate_spx,
    expiry_quotes,
    strike_grid,
)
from vixshield.markets.vix_formula import expiry_moments
from vixshield.pricing import t_years_to_settlement

_TENORS = (9, 30, 93, 182)
_SETTLEMENTS: tuple[Settlement, ...] = ("AM", "PM")
_FAST = settings(max_examples=60, deadline=None)


def _surface(levels: list[float], u: float) -> SmileParams:
    lv = np.sort(np.asarray(levels))  # rising term structure keeps theta increasing
    theta = (lv / 100.0) ** 2 * np.array(_TENORS) / 365.0
    return _params([t / 365.0 for t in _TENORS], theta, u)


def _nodes(p: SmileParams) -> tuple[np.ndarray, np.ndarray]:
    return np.array(p.node_t), np.array(p.node_theta)


surfaces = st.builds(
    _surface,
    st.lists(st.floats(9.0, 80.0), min_size=4, max_size=4),
    st.floats(0.0, 2.6),
)
spots = st.floats(600.0, 6000.0)
rates = st.floats(0.0, 0.06)
times = st.one_of(st.floats(1.0 / 365.0, 0.1), st.floats(0.1, 2.5))
vixes = st.floats(9.0, 80.0)


@_FAST
@given(p=surfaces, spot=spots, rate=rates, t=times, vix=vixes)
def test_model_quotes_equal_reference(
    p: SmileParams, spot: float, rate: float, t: float, vix: float
) -> None:
    ref = expiry_quotes(p, spot, rate, DIVIDEND_YIELD, t, vix)
    k = strike_grid(spot)
    lo, hi, fwd, out, cb, ca, pb, pa = _kernels.model_expiry_quotes(
        k, spot, rate, DIVIDEND_YIELD, t, vix, *_nodes(p), p.shape.as_array(), LISTED_SD
    )
    np.testing.assert_array_equal(k[lo:hi], ref.strike)  # same truncation
    assert fwd == pytest.approx(ref.forward, rel=1e-14)
    np.testing.assert_allclose(out[0, lo:hi], ref.iv, rtol=1e-12)
    # prices: 1e-12 of spot (put = call - e^{-rT}(F - K) cancels digits in the far wing)
    for got, want in ((out[1, lo:hi], ref.call_mid), (out[2, lo:hi], ref.put_mid)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * spot)
    for got, want in ((cb, ref.call_bid), (ca, ref.call_ask), (pb, ref.put_bid), (pa, ref.put_ask)):
        np.testing.assert_array_equal(got, want)  # on the tick grid, so exact


_Quotes = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@st.composite
def quote_sets(draw: st.DrawFn) -> _Quotes:
    """Arbitrary strike-sorted quotes with zero and missing bids (Cboe cut-off paths)."""
    n = draw(st.integers(1, 40))
    steps = draw(st.lists(st.sampled_from([1.0, 5.0, 25.0]), min_size=n, max_size=n))
    k = 1000.0 + np.cumsum(steps)
    bids = []
    for _ in range(4):
        vals = draw(
            st.lists(
                st.one_of(st.just(0.0), st.just(float("nan")), st.floats(0.05, 300.0)),
                min_size=n,
                max_size=n,
            )
        )
        bids.append(np.asarray(vals))
    cb, pb = bids[0], bids[1]
    ca = cb + np.abs(np.nan_to_num(bids[2], nan=0.1)) * 0.1 + 0.05
    pa = pb + np.abs(np.nan_to_num(bids[3], nan=0.1)) * 0.1 + 0.05
    return k, cb, ca, pb, pa


@_FAST
@given(q=quote_sets(), t=times, rate=rates)
def test_cboe_moments_equal_reference(q: _Quotes, t: float, rate: float) -> None:
    ref = expiry_moments(*q, t, rate)
    var, skew, fwd, k0, n = _kernels.cboe_moments(*q, t, rate)
    assert n == ref.n_strikes
    for got, want in ((var, ref.variance), (skew, ref.skewness), (fwd, ref.forward), (k0, ref.k0)):
        if np.isnan(want):
            assert np.isnan(got)
        else:
            assert got == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_cboe_moments_hand_example() -> None:
    # Hand computation (Cboe white paper steps). Call mids 10, 5, 2 and put mids 2, 5, 10
    # at K = 90, 100, 110: |C - P| is smallest (0) at 100, so F = 100 + e^0 (5 - 5) = 100,
    # K0 = 100. dK = 10, 10, 10; Q = 2 (put 90), (5 + 5) / 2 = 5 (K0), 2 (call 110); R = 0,
    # T = 0.1: sigma^2 = 2/T (10/90^2 2 + 10/100^2 5 + 10/110^2 2) - (F/K0 - 1)^2 / T.
    k = np.array([90.0, 100.0, 110.0])
    cb, ca = np.array([9.0, 4.0, 1.0]), np.array([11.0, 6.0, 3.0])
    pb, pa = cb[::-1].copy(), ca[::-1].copy()
    var, _, fwd, k0, n = _kernels.cboe_moments(k, cb, ca, pb, pa, 0.1, 0.0)
    want = 2.0 / 0.1 * (10.0 / 8100.0 * 2.0 + 10.0 / 10000.0 * 5.0 + 10.0 / 12100.0 * 2.0)
    assert (fwd, k0, n) == (100.0, 100.0, 3)
    assert var == pytest.approx(want, rel=1e-14)


@_FAST
@given(p=surfaces, spot=spots, rate=rates, vix=vixes)
def test_model_moments_many_equal_reference(
    p: SmileParams, spot: float, rate: float, vix: float
) -> None:
    t = np.array([2.0, 9.0, 30.0, 44.0, 95.0, 400.0]) / 365.0
    var, skew = _kernels.model_moments_many(
        strike_grid(spot),
        spot,
        rate,
        DIVIDEND_YIELD,
        t,
        vix,
        *_nodes(p),
        p.shape.as_array(),
        LISTED_SD,
    )
    for i, ti in enumerate(t):
        eq = expiry_quotes(p, spot, rate, DIVIDEND_YIELD, float(ti), vix)
        ref = expiry_moments(
            eq.strike, eq.call_bid, eq.call_ask, eq.put_bid, eq.put_ask, float(ti), rate
        )
        assert var[i] == pytest.approx(ref.variance, rel=1e-12)
        assert skew[i] == pytest.approx(ref.skewness, rel=1e-12)


@pytest.mark.parametrize(
    ("spot", "rate", "targets", "skew"),
    [
        (1848.36, 0.0004, {9: 12.1, 30: 14.23, 93: 15.9, 182: 17.2}, 115.0),  # early 2014
        (2673.61, 0.0171, {9: 37.3, 30: 33.46, 93: 27.0, 182: 25.4}, 141.2),  # Feb 2018 spike
        (2500.0, 0.02, {30: 18.0}, 125.0),  # VIX only
    ],
)
def test_calibration_numba_equals_numpy(
    spot: float, rate: float, targets: dict[int, float], skew: float
) -> None:
    et = np.array([2, 7, 9, 14, 16, 23, 30, 37, 44, 72, 107, 163, 198, 289, 380]) / 365.0
    a = calibrate_spx(spot, rate, targets, skew, et, engine="numpy")
    b = calibrate_spx(spot, rate, targets, skew, et, engine="numba")
    assert a.iterations == b.iterations
    np.testing.assert_allclose(
        b.params.shape.as_array(), a.params.shape.as_array(), rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(b.params.node_theta, a.params.node_theta, rtol=1e-9)
    assert b.skew_fitted == pytest.approx(a.skew_fitted, rel=1e-9)
    for tenor, v in a.fitted.items():
        assert b.fitted[tenor] == pytest.approx(v, rel=1e-9)


def test_listing_time_to_settlement_equals_pricing() -> None:
    # Integer-minute shortcut against the pricing layer, across DST changes and year ends.
    start = dt.date(2013, 12, 20)
    for off in range(0, 900, 3):
        as_of = start + dt.timedelta(days=off)
        for gap in (0, 1, 2, 5, 30, 66, 400):
            e = as_of + dt.timedelta(days=gap)
            for s in _SETTLEMENTS:
                assert _t_years_cached(as_of, e, s) == t_years_to_settlement(as_of, e, s)


def _assert_quotes(o: np.ndarray, want: dict[str, np.ndarray], scale: float) -> None:
    for row, name in enumerate(_kernels.QUOTE_ROWS):
        if name in ("bid", "ask"):
            np.testing.assert_array_equal(o[row], want[name])  # on the tick grid, so exact
        else:  # prices: 1e-12 of the underlying's level; vols and greeks: 1e-12 relative
            atol = 1e-12 * scale if name in ("forward", "mid", "theta") else 1e-15
            np.testing.assert_allclose(o[row], want[name], rtol=1e-12, atol=atol, err_msg=name)


@_FAST
@given(
    p=surfaces,
    spot=spots,
    rate=rates,
    vix=vixes,
    m=st.lists(st.floats(0.5, 1.6), min_size=1, max_size=12),
    t=st.lists(times, min_size=12, max_size=12),
    c=st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_spx_quotes_equal_reference(
    p: SmileParams,
    spot: float,
    rate: float,
    vix: float,
    m: list[float],
    t: list[float],
    c: list[bool],
) -> None:
    from vixshield.markets.spx_model import spx_bid_ask
    from vixshield.pricing import bsm_greeks, bsm_price

    n = len(m)
    k = np.round(np.asarray(m) * spot / 5.0) * 5.0
    tt, call = np.asarray(t[:n]), np.asarray(c[:n])
    q = DIVIDEND_YIELD
    fwd = spot * np.exp((rate - q) * tt)
    iv = p.implied_vol(np.log(k / fwd), tt)
    mid = bsm_price(spot, k, tt, rate, q, iv, call)
    bid, ask = spx_bid_ask(mid, tt, vix)
    g = bsm_greeks(spot, k, tt, rate, q, iv, call)
    want = {"forward": fwd, "iv": iv, "mid": mid, "bid": bid, "ask": ask}
    want |= {name: np.asarray(g[name]) for name in ("delta", "gamma", "vega", "theta")}
    o = _kernels.spx_quotes(spot, rate, q, vix, k, tt, call, *_nodes(p), p.shape.as_array())
    _assert_quotes(o, want, spot)


@_FAST
@given(
    rate=rates,
    vvix=st.floats(50.0, 200.0),
    f=st.lists(st.floats(10.0, 60.0), min_size=1, max_size=10),
    m=st.lists(st.floats(0.4, 3.0), min_size=10, max_size=10),
    t=st.lists(st.floats(1e-4, 0.7), min_size=10, max_size=10),
    c=st.lists(st.booleans(), min_size=10, max_size=10),
)
def test_vix_quotes_equal_reference(
    rate: float, vvix: float, f: list[float], m: list[float], t: list[float], c: list[bool]
) -> None:
    from vixshield.markets.vix_model import vix_option_bid_ask, vix_option_vol
    from vixshield.pricing import black76_greeks, black76_price

    n = len(f)
    ff = np.asarray(f)
    k = np.round(ff * np.asarray(m[:n]) * 2.0) / 2.0
    tt, call = np.asarray(t[:n]), np.asarray(c[:n])
    iv = vix_option_vol(k, ff, tt, vvix)
    mid = black76_price(ff, k, tt, rate, iv, call)
    bid, ask = vix_option_bid_ask(mid, vvix)
    g = black76_greeks(ff, k, tt, rate, iv, call)
    want = {"forward": ff, "iv": iv, "mid": mid, "bid": bid, "ask": ask}
    want |= {name: np.asarray(g[name]) for name in ("delta", "gamma", "vega", "theta")}
    _assert_quotes(_kernels.vix_quotes(rate, vvix, ff, k, tt, call), want, 100.0)


@_FAST
@given(
    p=surfaces,
    spot=spots,
    rate=rates,
    vix=vixes,
    t=st.lists(times, min_size=1, max_size=6, unique=True),
)
def test_spx_chain_equals_reference(
    p: SmileParams, spot: float, rate: float, vix: float, t: list[float]
) -> None:
    # Reference: per expiry `expiry_quotes` (smile + BSM + spreads + grid truncation) and
    # `bsm_greeks` at the model vol, rows calls then puts by strike, expiries in order.
    from vixshield.pricing import bsm_greeks

    q = DIVIDEND_YIELD
    tt = np.asarray(t)
    k = strike_grid(spot)
    fwd = spot * np.exp((rate - q) * tt)
    iv = p.implied_vol(np.log(k / fwd[:, None]), tt[:, None])
    listed = LISTED_SD * np.sqrt(atm_total_variance(tt, p.node_t, p.node_theta))
    n_strikes, out = _kernels.spx_chain(
        k, spot, rate, q, vix, tt, fwd, np.exp(-rate * tt), iv, listed
    )
    assert out.shape == (len(_kernels.CHAIN_ROWS), 2 * int(n_strikes.sum()))
    want: dict[str, list[np.ndarray]] = {name: [] for name in _kernels.CHAIN_ROWS}
    for i, ti in enumerate(t):
        eq = expiry_quotes(p, spot, rate, q, ti, vix)
        assert n_strikes[i] == eq.strike.size
        kk = np.concatenate([eq.strike, eq.strike])
        vol = np.concatenate([eq.iv, eq.iv])
        call = np.repeat([True, False], eq.strike.size)
        g = bsm_greeks(spot, kk, ti, rate, q, vol, call)
        cols = {
            "strike": kk,
            "bid": np.concatenate([eq.call_bid, eq.put_bid]),
            "ask": np.concatenate([eq.call_ask, eq.put_ask]),
            "mid": np.concatenate([eq.call_mid, eq.put_mid]),
            "iv": vol,
            "t_years": np.full(kk.size, ti),
            "forward": np.full(kk.size, eq.forward),
        } | {name: np.asarray(g[name]) for name in ("delta", "gamma", "vega", "theta")}
        for name, col in cols.items():
            want[name].append(col)
    for j, name in enumerate(_kernels.CHAIN_ROWS):
        ref = np.concatenate(want[name])
        if name in ("strike", "bid", "ask", "t_years"):
            np.testing.assert_array_equal(out[j], ref)  # grid, ticks and inputs: exact
        else:
            np.testing.assert_allclose(out[j], ref, rtol=1e-12, atol=0.0, err_msg=name)


@_FAST
@given(
    rate=rates,
    vvix=st.floats(50.0, 200.0),
    f=st.floats(10.0, 60.0),
    m=st.lists(st.floats(0.4, 3.0), min_size=1, max_size=10),
    t=st.floats(1e-4, 0.7),
)
def test_vix_quotes_at_model_vol_equal_vix_quotes(
    rate: float, vvix: float, f: float, m: list[float], t: float
) -> None:
    # `vix_quotes_at` given the numpy model vol (`vix_option_vol`) prices as `vix_quotes`.
    from vixshield.markets.vix_model import vix_option_vol

    k = np.round(f * np.asarray(m) * 2.0) / 2.0
    n = k.size
    ff, tt, call = np.full(n, f), np.full(n, t), np.arange(n) % 2 == 0
    iv = vix_option_vol(k, f, t, vvix)
    got = _kernels.vix_quotes_at(rate, vvix, ff, k, tt, call, iv)
    want = _kernels.vix_quotes(rate, vvix, ff, k, tt, call)
    np.testing.assert_array_equal(got[1], iv)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
