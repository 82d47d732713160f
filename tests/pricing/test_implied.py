"""Implied volatility: round trips, bounds and reason codes, QuantLib, reference solver."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.pricing import (
    IVStatus,
    black76_greeks,
    black76_price,
    bsm_greeks,
    bsm_price,
    implied_vol,
    implied_vol_status,
)
from vixshield.pricing.reference import implied_vol_ref

ONE_MINUTE = 1.0 / 525_600.0  # years, ACT/365
VOL_ATOL = 1e-8


def _grid(seed: int, n: int) -> dict[str, np.ndarray]:
    """Random options over the whole required domain: T from one minute to 5y, vol 1%-500%."""
    rng = np.random.default_rng(seed)
    T = np.exp(rng.uniform(np.log(ONE_MINUTE), np.log(5.0), n))
    sig = np.exp(rng.uniform(np.log(0.01), np.log(5.0), n))
    z = np.clip(rng.normal(0.0, 2.0, n), -8.0, 8.0)  # moneyness in standard deviations
    S = rng.uniform(5.0, 6000.0, n)
    K = S * np.exp(z * sig * np.sqrt(T))
    return {
        "S": S,
        "K": K,
        "T": T,
        "r": rng.uniform(-0.005, 0.08, n),
        "q": rng.uniform(0.0, 0.03, n),
        "sig": sig,
        "call": rng.random(n) < 0.5,
    }


def test_round_trip_whole_domain_where_vega_is_meaningful() -> None:
    g = _grid(1, 200_000)
    S, K, T, r, q, sig, call = (g[k] for k in ("S", "K", "T", "r", "q", "sig", "call"))
    price = bsm_price(S, K, T, r, q, sig, call)
    vol, status = implied_vol_status(price, S, K, T, r, q, call)
    F = S * np.exp((r - q) * T)
    D = np.exp(-r * T)
    # vega per 1.0 of vol, per unit of the price scale D*max(F, K): below 1e-6 the price's
    # own rounding (1 ulp of a price of size D*max(F, K)) moves the vol by more than 1e-8.
    vega = bsm_greeks(S, K, T, r, q, sig, call)["vega"] * 100.0
    meaningful = vega / (D * np.maximum(F, K)) > 1e-6
    assert meaningful.mean() > 0.9
    assert np.all(status[meaningful] == IVStatus.OK)
    np.testing.assert_allclose(vol[meaningful], sig[meaningful], rtol=0.0, atol=VOL_ATOL)
    # Everywhere a status is OK, the solved vol reprices the option to rounding.
    ok = status == IVStatus.OK
    repriced = bsm_price(S[ok], K[ok], T[ok], r[ok], q[ok], vol[ok], call[ok])
    assert np.all(np.abs(repriced - price[ok]) <= 1e-9 * price[ok] + 1e-12 * S[ok])
    # Nothing silently fails: whatever is not OK is NaN with a reason that is a bound.
    assert np.all(np.isnan(vol[~ok]))
    assert set(np.unique(status[~ok])) <= {IVStatus.BELOW_INTRINSIC, IVStatus.ABOVE_UPPER_BOUND}


@settings(max_examples=200, deadline=None)
@given(
    F=st.floats(8.0, 90.0),
    z=st.floats(-5.0, 5.0),
    T=st.floats(ONE_MINUTE, 2.0),
    r=st.floats(0.0, 0.08),
    sigma=st.floats(0.01, 5.0),
    call=st.booleans(),
)
def test_black76_round_trip(
    F: float, z: float, T: float, r: float, sigma: float, call: bool
) -> None:
    K = F * math.exp(z * sigma * math.sqrt(T))
    price = black76_price(F, K, T, r, sigma, call)
    vol = implied_vol(price, F, K, T, r, 0.0, call, model="black76")
    vega = (
        F
        * math.exp(-r * T)
        * math.sqrt(T)
        * math.exp(-0.5 * ((math.log(F / K) + 0.5 * sigma**2 * T) / (sigma * math.sqrt(T))) ** 2)
        / math.sqrt(2 * math.pi)
    )
    if vega / (math.exp(-r * T) * max(F, K)) > 1e-6:
        assert vol == pytest.approx(sigma, abs=VOL_ATOL)
    else:  # vol may be poorly determined, but it must reprice the option
        assert math.isnan(vol) or black76_price(F, K, T, r, vol, call) == pytest.approx(
            price, rel=1e-9, abs=1e-12 * F
        )


def test_one_minute_to_expiry_and_extreme_vols() -> None:
    S, r, q = 5000.0, 0.05, 0.013
    for T in (ONE_MINUTE, 10 * ONE_MINUTE, 1.0 / 365.0):
        for sigma in (0.01, 0.1, 1.0, 5.0):
            for z in (-3.0, -1.0, 0.0, 1.0, 3.0):
                K = S * math.exp(z * sigma * math.sqrt(T))
                for call in (True, False):
                    price = bsm_price(S, K, T, r, q, sigma, call)
                    assert implied_vol(price, S, K, T, r, q, call) == pytest.approx(
                        sigma, abs=VOL_ATOL
                    )


def test_deep_itm_and_otm() -> None:
    S, T, r, q, sigma = 100.0, 0.5, 0.03, 0.01, 0.25
    K = np.array([50.0, 70.0, 130.0, 160.0, 200.0])  # |d1| up to ~4.2: vega stays meaningful
    for call in (True, False):
        price = bsm_price(S, K, T, r, q, sigma, call)
        vol = implied_vol(price, S, K, T, r, q, call)
        np.testing.assert_allclose(vol, sigma, atol=VOL_ATOL)


def test_out_of_bounds_give_nan_and_reason() -> None:
    S, K, T, r, q = 100.0, 90.0, 0.25, 0.05, 0.0
    D = math.exp(-r * T)
    F = S * math.exp((r - q) * T)
    intrinsic_call = D * (F - K)
    cases = [
        (intrinsic_call - 1e-6, S, K, T, True, IVStatus.BELOW_INTRINSIC),
        (-0.5, S, 110.0, T, True, IVStatus.BELOW_INTRINSIC),
        (D * F, S, K, T, True, IVStatus.ABOVE_UPPER_BOUND),  # a call is worth less than D F
        (D * K + 1e-9, S, K, T, False, IVStatus.ABOVE_UPPER_BOUND),  # a put is worth less than D K
        (5.0, 0.0, K, T, True, IVStatus.NON_POSITIVE_INPUT),
        (5.0, S, -1.0, T, True, IVStatus.NON_POSITIVE_INPUT),
        (5.0, S, K, 0.0, True, IVStatus.NON_POSITIVE_INPUT),
        (math.nan, S, K, T, True, IVStatus.NON_POSITIVE_INPUT),
    ]
    price, spot, strike, t, call, expected = (np.array(c) for c in zip(*cases, strict=True))
    vol, status = implied_vol_status(price, spot, strike, t, r, q, call.astype(bool))
    assert np.all(np.isnan(vol))
    np.testing.assert_array_equal(status, expected.astype(np.int64))
    # the scalar API gives NaN too, never a sentinel
    assert math.isnan(implied_vol(-0.5, S, 110.0, T, r, q, True))


def test_price_exactly_at_intrinsic_is_zero_vol() -> None:
    # sigma -> 0 limit: an option worth exactly its (discounted forward) intrinsic value.
    S, K, T, r, q = 100.0, 90.0, 0.25, 0.05, 0.0
    price = bsm_price(S, K, T, r, q, 0.0, True)
    vol, status = implied_vol_status(price, S, K, T, r, q, True)
    assert float(vol) == 0.0
    assert int(status) == IVStatus.OK


@pytest.mark.parametrize("model", ["bsm", "black76"])
def test_unknown_model_is_rejected(model: str) -> None:
    with pytest.raises(ValueError, match="model"):
        implied_vol(1.0, 100.0, 100.0, 1.0, 0.0, 0.0, True, model=model + "x")  # type: ignore[arg-type]


def test_matches_quantlib_implied_volatility_moderate_cases() -> None:
    ql = pytest.importorskip("QuantLib")
    rng = np.random.default_rng(3)
    today = ql.Date(15, 1, 2025)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual365Fixed()
    for _ in range(40):
        S = float(rng.uniform(3000, 6000))
        K = float(S * np.exp(rng.uniform(-0.3, 0.3)))
        days = int(rng.integers(7, 700))
        T = days / 365.0
        r, q, sigma = (
            float(rng.uniform(0, 0.06)),
            float(rng.uniform(0, 0.03)),
            float(rng.uniform(0.08, 0.8)),
        )
        call = bool(rng.random() < 0.5)
        kind = ql.Option.Call if call else ql.Option.Put
        option = ql.EuropeanOption(
            ql.PlainVanillaPayoff(kind, K), ql.EuropeanExercise(today + days)
        )
        process = ql.BlackScholesMertonProcess(
            ql.QuoteHandle(ql.SimpleQuote(S)),
            ql.YieldTermStructureHandle(ql.FlatForward(today, q, dc)),
            ql.YieldTermStructureHandle(ql.FlatForward(today, r, dc)),
            ql.BlackVolTermStructureHandle(
                ql.BlackConstantVol(today, ql.NullCalendar(), sigma, dc)
            ),
        )
        option.setPricingEngine(ql.AnalyticEuropeanEngine(process))
        price = option.NPV()
        ql_vol = option.impliedVolatility(price, process, 1e-12, 500, 1e-4, 4.0)
        ours = implied_vol(price, S, K, T, r, q, call)
        assert ours == pytest.approx(ql_vol, abs=1e-9)
        assert ours == pytest.approx(sigma, abs=1e-9)


def test_kernel_agrees_with_reference_solver() -> None:
    g = _grid(5, 20_000)
    S, K, T, r, q, sig, call = (g[k] for k in ("S", "K", "T", "r", "q", "sig", "call"))
    price = bsm_price(S, K, T, r, q, sig, call)
    vol, status = implied_vol_status(price, S, K, T, r, q, call)
    vol_ref, status_ref = implied_vol_ref(price, S, K, T, r, q, call)
    np.testing.assert_array_equal(status, status_ref)
    F = S * np.exp((r - q) * T)
    D = np.exp(-r * T)
    vega = bsm_greeks(S, K, T, r, q, sig, call)["vega"] * 100.0
    meaningful = (vega / (D * np.maximum(F, K)) > 1e-6) & (status == IVStatus.OK)
    np.testing.assert_allclose(vol[meaningful], vol_ref[meaningful], rtol=0.0, atol=2 * VOL_ATOL)


def test_broadcasting_and_scalar_types() -> None:
    K = np.array([[90.0, 100.0, 110.0]])
    T = np.array([[0.1], [0.5]])
    price = bsm_price(100.0, K, T, 0.02, 0.0, 0.3, True)
    assert price.shape == (2, 3)
    vol = implied_vol(price, 100.0, K, T, 0.02, 0.0, True)
    assert vol.shape == (2, 3)
    np.testing.assert_allclose(vol, 0.3, atol=VOL_ATOL)
    scalar = implied_vol(float(price[0, 0]), 100.0, 90.0, 0.1, 0.02, 0.0, True)
    assert isinstance(scalar, float)


def test_adversarial_prices_between_the_bounds() -> None:
    # Prices drawn directly between intrinsic and the upper bound (not from a vol), down to
    # 1e-300 of the range and up to 1 - 1e-16 of it, strikes up to e^20 away from the money.
    rng = np.random.default_rng(9)
    n = 100_000
    F = 100.0
    K = F * np.exp(rng.uniform(-20, 20, n) * rng.random(n) ** 3)
    T = np.exp(rng.uniform(np.log(ONE_MINUTE), np.log(10.0), n))
    call = rng.random(n) < 0.5
    intrinsic = np.maximum(np.where(call, F - K, K - F), 0.0)
    upper = np.where(call, F, K)
    frac = np.exp(rng.uniform(np.log(1e-300), 0.0, n))
    frac = np.where(rng.random(n) < 0.5, frac, 1.0 - frac)
    price = intrinsic + frac * (upper - intrinsic)
    vol, status = implied_vol_status(price, F, K, T, 0.0, 0.0, call, model="black76")
    ok = status == IVStatus.OK
    assert np.all(np.isfinite(vol[ok]) & (vol[ok] >= 0.0))
    assert np.all(np.isnan(vol[~ok]))
    # only a price that rounds onto the upper bound is refused here
    assert set(np.unique(status[~ok])) <= {IVStatus.ABOVE_UPPER_BOUND, IVStatus.NO_CONVERGENCE}
    assert np.mean(status == IVStatus.NO_CONVERGENCE) < 1e-4
    # where the vol is well determined it reprices the option
    vega = black76_greeks(F, K, T, 0.0, np.where(ok, vol, 0.2), call)["vega"] * 100.0
    sharp = ok & (vega / np.maximum(F, K) > 1e-6)
    assert sharp.sum() > 1000
    repriced = black76_price(F, K[sharp], T[sharp], 0.0, vol[sharp], call[sharp])
    assert np.all(np.abs(repriced - price[sharp]) <= 1e-9 * price[sharp] + 1e-12 * F)


def test_exactly_at_the_money_with_a_vanishing_price() -> None:
    # x = 0 and a time value near the smallest doubles: s = sigma sqrt(T) ~ beta sqrt(2 pi).
    vol, status = implied_vol_status(
        2.7e-269, 100.0, 100.0, 7.8e-6, 0.0, 0.0, True, model="black76"
    )
    assert int(status) == IVStatus.OK
    expected = 2.7e-271 * math.sqrt(2 * math.pi) / math.sqrt(7.8e-6)
    assert float(vol) == pytest.approx(expected, rel=1e-12)


def test_serial_and_parallel_solvers_agree() -> None:
    from vixshield.pricing._broadcast import PARALLEL_THRESHOLD, kernels

    k = kernels()
    g = _grid(8, PARALLEL_THRESHOLD + 5)
    S, K, T, r, q, sig, call = (g[k_] for k_ in ("S", "K", "T", "r", "q", "sig", "call"))
    price = bsm_price(S, K, T, r, q, sig, call)
    n = len(S)
    a = k.iv_serial(price, S, K, T, r, q, call, n)
    b = k.iv_parallel(price, S, K, T, r, q, call, n)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_status_enum_mirrors_kernel_codes() -> None:
    from vixshield.pricing import _kernels as k

    assert IVStatus.OK == k.IV_OK
    assert IVStatus.BELOW_INTRINSIC == k.IV_BELOW_INTRINSIC
    assert IVStatus.ABOVE_UPPER_BOUND == k.IV_ABOVE_UPPER_BOUND
    assert IVStatus.NON_POSITIVE_INPUT == k.IV_NON_POSITIVE_INPUT
    assert IVStatus.NO_CONVERGENCE == k.IV_NO_CONVERGENCE
