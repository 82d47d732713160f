"""Published worked examples (Hull; Haug) for prices and greeks.

Each value is cited; every one was also cross-checked against QuantLib 1.44
(``ql.BlackCalculator``) before being written here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vixshield.pricing import black76_greeks, black76_price, bsm_greeks, bsm_price
from vixshield.pricing.reference import (
    black76_greeks_ref,
    black76_price_ref,
    bsm_greeks_ref,
    bsm_price_ref,
)

BSM_IMPLS = [bsm_price, bsm_price_ref]
B76_IMPLS = [black76_price, black76_price_ref]
BSM_GREEKS = [bsm_greeks, bsm_greeks_ref]
B76_GREEKS = [black76_greeks, black76_greeks_ref]


@pytest.mark.parametrize("price", BSM_IMPLS)
def test_hull_example_15_6_bsm_call_and_put(price: Callable[..., Any]) -> None:
    # Hull, Options, Futures, and Other Derivatives (8th ed.), Example 15.6:
    # S=42, K=40, r=10%, sigma=20%, T=0.5 -> c = 4.76, p = 0.81.
    assert price(42.0, 40.0, 0.5, 0.10, 0.0, 0.20, True) == pytest.approx(4.76, abs=5e-3)
    assert price(42.0, 40.0, 0.5, 0.10, 0.0, 0.20, False) == pytest.approx(0.81, abs=5e-3)


@pytest.mark.parametrize("price", BSM_IMPLS)
def test_haug_generalized_bsm_put(price: Callable[..., Any]) -> None:
    # Haug, The Complete Guide to Option Pricing Formulas (2nd ed.), 1.1.6 generalized BSM:
    # S=75, K=70, T=0.5, r=10%, b=5% (q=5%), sigma=35% -> put = 4.0870.
    assert price(75.0, 70.0, 0.5, 0.10, 0.05, 0.35, False) == pytest.approx(4.0870, abs=5e-5)


@pytest.mark.parametrize("price", B76_IMPLS)
def test_haug_black76_call_equals_put_atm(price: Callable[..., Any]) -> None:
    # Haug (2nd ed.), 1.1.3 Black-76: F=19, K=19, T=0.75, r=10%, sigma=28% -> call = put = 1.7011.
    assert price(19.0, 19.0, 0.75, 0.10, 0.28, True) == pytest.approx(1.7011, abs=5e-5)
    assert price(19.0, 19.0, 0.75, 0.10, 0.28, False) == pytest.approx(1.7011, abs=5e-5)


@pytest.mark.parametrize("greeks", BSM_GREEKS)
def test_hull_greeks_table(greeks: Callable[..., Any]) -> None:
    # Hull (8th ed.), Examples 18.1-18.7 (ch. 18 "The Greek Letters"): S=49, K=50, r=5%,
    # sigma=20%, T=20 weeks=0.3846: delta 0.522, gamma 0.066, theta -4.31 per year,
    # vega 12.1 per 1.0 of vol, rho 8.91 per 1.0 of rate.
    g = greeks(49.0, 50.0, 0.3846, 0.05, 0.0, 0.20, True)
    assert g["delta"] == pytest.approx(0.522, abs=5e-4)
    assert g["gamma"] == pytest.approx(0.066, abs=5e-4)
    assert g["theta"] * 365.0 == pytest.approx(-4.31, abs=5e-3)  # per calendar day in our units
    assert g["vega"] * 100.0 == pytest.approx(12.1, abs=5e-2)  # per vol point in our units
    assert g["rho"] * 100.0 == pytest.approx(8.91, abs=5e-3)  # per rate point in our units


@pytest.mark.parametrize("greeks", B76_GREEKS)
def test_haug_futures_option_delta(greeks: Callable[..., Any]) -> None:
    # Haug (2nd ed.), 2.1.1 delta example: F=105, K=100, T=0.5, r=10%, b=0, sigma=36%
    # -> call delta 0.5946, put delta -0.3566.
    assert greeks(105.0, 100.0, 0.5, 0.10, 0.36, True)["delta"] == pytest.approx(0.5946, abs=5e-5)
    assert greeks(105.0, 100.0, 0.5, 0.10, 0.36, False)["delta"] == pytest.approx(-0.3566, abs=5e-5)


@pytest.mark.parametrize("greeks", BSM_GREEKS)
def test_haug_gamma_theta_rho(greeks: Callable[..., Any]) -> None:
    # Haug (2nd ed.), ch. 2.1 examples:
    # gamma: S=55, K=60, T=0.75, r=10%, b=10% (q=0), sigma=30% -> 0.0278;
    # theta: S=430, K=405, T=0.0833, r=7%, b=2% (q=5%), sigma=20% -> put theta -31.1924 per year;
    # rho:   S=72, K=75, T=1, r=9%, b=9% (q=0), sigma=19% -> call rho 38.7325 per 1.0 of rate.
    g = greeks(55.0, 60.0, 0.75, 0.10, 0.0, 0.30, True)
    assert g["gamma"] == pytest.approx(0.0278, abs=5e-5)
    g = greeks(430.0, 405.0, 0.0833, 0.07, 0.05, 0.20, False)
    assert g["theta"] * 365.0 == pytest.approx(-31.1924, abs=5e-4)
    g = greeks(72.0, 75.0, 1.0, 0.09, 0.0, 0.19, True)
    assert g["rho"] * 100.0 == pytest.approx(38.7325, abs=5e-4)


def test_hand_computed_charm_sign_and_value() -> None:
    # Hand computation (Haug 2007, 2.3.5 "DdeltaDtime"/charm, b = r - q):
    # S=K=100, T=1, r=q=0, sigma=0.2: d1 = 0.1, d2 = -0.1, n(0.1) = 0.396952547.
    # d delta / dT = n(d1) (b/(sigma sqrt T) - d2/(2T)) = 0.396952547 * 0.05 = 0.01984763;
    # as time passes (T decreases) the ATM call delta falls: charm = -0.01984763 per year.
    for greeks in BSM_GREEKS:
        g = greeks(100.0, 100.0, 1.0, 0.0, 0.0, 0.2, True)
        assert g["charm"] * 365.0 == pytest.approx(-0.01984763, rel=1e-6)
        # vanna = -n(d1) d2 / sigma = 0.396952547 * 0.1 / 0.2 = 0.19847627 per 1.0 of vol
        assert g["vanna"] * 100.0 == pytest.approx(0.19847627, rel=1e-6)
        # volga = vega d1 d2 / sigma, vega = 100 * 0.396952547 = 39.6952547
        # -> 39.6952547 * 0.1 * (-0.1) / 0.2 = -1.98476274 per 1.0 of vol squared
        assert g["volga"] * 1e4 == pytest.approx(-1.98476274, rel=1e-6)
