"""Black-76 and Black-Scholes-Merton prices and greeks (compiled, broadcasting).

One core: BSM with dividend yield ``q`` is Black-76 on the forward
``F = S exp((r - q) T)`` times the discount factor ``exp(-r T)``. The plain
numpy reference these wrappers are tested against is
:mod:`vixshield.pricing.reference`.

Units: ``T`` in years ACT/365; ``r`` and ``q`` continuously compounded decimals
per year; ``sigma`` a decimal per sqrt(year) (0.20 = 20 vol points). Prices are
in the underlying's points per unit (multiply by the contract multiplier,
100 for SPX and VIX options, for dollars per contract). ``call`` is a bool or a
bool array (True = call, False = put).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import overload

import numpy as np

from vixshield._compiled import numba_loaded
from vixshield._typing import ArrayLike, FloatArray
from vixshield.pricing import _python
from vixshield.pricing._broadcast import (
    PARALLEL_THRESHOLD,
    flatten_args,
    kernels,
    shape_result,
)

__all__ = [
    "GREEK_NAMES",
    "Greeks",
    "black76_greeks",
    "black76_price",
    "bsm_greeks",
    "bsm_price",
]

GREEK_NAMES = ("delta", "gamma", "vega", "theta", "rho", "vanna", "volga", "charm")

# Raw kernel greeks (per 1.0 vol, per year, per 1.0 rate) -> reported units.
_VOL_POINT = 100.0  # 1 vol point = 0.01 of sigma
_RATE_POINT = 100.0  # 1 rate point = 0.01 of r
_DAYS_PER_YEAR = 365.0  # calendar days per ACT/365 year
_SCALE = np.array(
    [1.0, 1.0, _VOL_POINT, _DAYS_PER_YEAR, _RATE_POINT, _VOL_POINT, _VOL_POINT**2, _DAYS_PER_YEAR]
)


@dataclass(frozen=True, slots=True, eq=False)
class Greeks(Mapping[str, "float | FloatArray"]):
    """Option sensitivities, with dict-style access (``g["delta"]``) kept.

    Attributes
    ----------
    delta : float or ndarray
        dV/dS (BSM) or dV/dF (Black-76), per 1 point of the underlying.
    gamma : float or ndarray
        d2V/dS2 (or d2V/dF2), per point per point.
    vega : float or ndarray
        dV/dsigma per 1 vol point (sigma + 0.01).
    theta : float or ndarray
        dV/dt per calendar day as time passes (-dV/dT / 365); usually negative.
    rho : float or ndarray
        dV/dr per 1 rate point (r + 0.01). BSM holds ``S`` and ``q`` fixed;
        Black-76 holds ``F`` fixed, so its rho is ``-T V / 100``.
    vanna : float or ndarray
        d delta / d sigma per 1 vol point (= d vega / dS per 1 vol point).
    volga : float or ndarray
        d vega / d sigma, vega per vol point per vol point.
    charm : float or ndarray
        d delta / dt per calendar day as time passes (-d delta / dT / 365).
    """

    delta: float | FloatArray
    gamma: float | FloatArray
    vega: float | FloatArray
    theta: float | FloatArray
    rho: float | FloatArray
    vanna: float | FloatArray
    volga: float | FloatArray
    charm: float | FloatArray

    def __getitem__(self, key: str) -> float | FloatArray:
        if key not in GREEK_NAMES:
            raise KeyError(key)
        value: float | FloatArray = getattr(self, key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(GREEK_NAMES)

    def __len__(self) -> int:
        return len(GREEK_NAMES)


def _price(
    S: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike | None,
    sigma: ArrayLike,
    call: ArrayLike,
) -> float | FloatArray:
    floats = (S, K, T, r, r if q is None else q, sigma)
    (s_, k_, t_, r_, q_, v_), c_, shape, n = flatten_args(floats, call)
    if n <= _python.SMALL_N and not numba_loaded():  # the same prices bit for bit
        out = _python.price_small(s_, k_, t_, r_, q_, v_, c_, n)
        if out is not None:
            return shape_result(out, shape)
    k = kernels()
    fn = k.price_parallel if n >= PARALLEL_THRESHOLD else k.price_serial
    return shape_result(fn(s_, k_, t_, r_, q_, v_, c_, n), shape)


def _greeks(
    S: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike | None,
    sigma: ArrayLike,
    call: ArrayLike,
) -> Greeks:
    k = kernels()
    floats = (S, K, T, r, r if q is None else q, sigma)
    (s_, k_, t_, r_, q_, v_), c_, shape, n = flatten_args(floats, call)
    fn = k.greeks_parallel if n >= PARALLEL_THRESHOLD else k.greeks_serial
    raw = fn(s_, k_, t_, r_, q_, v_, c_, n, q is None)
    raw /= _SCALE[:, None]
    return Greeks(*(shape_result(raw[j], shape) for j in range(len(GREEK_NAMES))))


@overload
def bsm_price(
    S: float, K: float, T: float, r: float, q: float, sigma: float, call: bool
) -> float: ...
@overload
def bsm_price(
    S: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    sigma: ArrayLike,
    call: ArrayLike,
) -> FloatArray: ...
def bsm_price(
    S: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    sigma: ArrayLike,
    call: ArrayLike,
) -> float | FloatArray:
    """Black-Scholes-Merton price of a European option with dividend yield.

    Parameters
    ----------
    S : float or array_like
        Spot price of the underlying (index points).
    K : float or array_like
        Strike (index points).
    T : float or array_like
        Time to expiry in years (ACT/365). ``T = 0`` gives the intrinsic value.
    r, q : float or array_like
        Risk-free rate and dividend yield, continuously compounded, per year.
    sigma : float or array_like
        Volatility, decimal per sqrt(year). ``sigma = 0`` gives the discounted
        intrinsic value of the forward.
    call : bool or array_like of bool
        True for a call, False for a put.

    Returns
    -------
    float or ndarray
        Price in index points per unit; a float when every input is a scalar.
        NaN where ``T`` or ``sigma`` is negative or any input is NaN.

    Notes
    -----
    ``V = e^{-rT} w [F N(w d1) - K N(w d2)]``, ``F = S e^{(r-q)T}``,
    ``d1,2 = (ln(F/K) +- sigma^2 T / 2) / (sigma sqrt(T))``, ``w = +1`` (call), ``-1`` (put).

    References
    ----------
    Merton, R. C. (1973). Theory of rational option pricing. Bell J. Econ. 4, 141-183.
    Hull, J. C. Options, Futures, and Other Derivatives, ch. "The Black-Scholes-Merton model".
    """
    return _price(S, K, T, r, q, sigma, call)


@overload
def black76_price(F: float, K: float, T: float, r: float, sigma: float, call: bool) -> float: ...
@overload
def black76_price(
    F: ArrayLike, K: ArrayLike, T: ArrayLike, r: ArrayLike, sigma: ArrayLike, call: ArrayLike
) -> FloatArray: ...
def black76_price(
    F: ArrayLike, K: ArrayLike, T: ArrayLike, r: ArrayLike, sigma: ArrayLike, call: ArrayLike
) -> float | FloatArray:
    """Black-76 price of a European option on a forward or future ``F``.

    Parameters are as :func:`bsm_price` with the forward ``F`` in place of the
    spot and no dividend yield (VIX options on VIX futures).

    Notes
    -----
    ``V = e^{-rT} w [F N(w d1) - K N(w d2)]``,
    ``d1,2 = (ln(F/K) +- sigma^2 T / 2) / (sigma sqrt(T))``.

    References
    ----------
    Black, F. (1976). The pricing of commodity contracts. J. Financial Economics 3, 167-179.
    """
    return _price(F, K, T, r, None, sigma, call)


def bsm_greeks(
    S: ArrayLike,
    K: ArrayLike,
    T: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    sigma: ArrayLike,
    call: ArrayLike,
) -> Greeks:
    """Closed-form BSM greeks (units in :class:`Greeks`).

    Parameters are as :func:`bsm_price`. Where ``sigma sqrt(T) = 0`` the greeks
    are those of the payoff limit: ``N(w d)`` becomes 1 in the money, 0 out of
    it and 1/2 at the money, and every density term (gamma, vega, vanna, volga)
    is 0. NaN where ``T`` or ``sigma`` is negative.

    Notes
    -----
    With ``b = r - q``: delta ``w e^{-qT} N(w d1)``; gamma ``e^{-qT} n(d1) / (S sigma sqrt T)``;
    vega ``S e^{-qT} n(d1) sqrt T``; theta (per year)
    ``-S e^{-qT} n(d1) sigma / (2 sqrt T) + w q S e^{-qT} N(w d1) - w r K e^{-rT} N(w d2)``;
    rho ``w K T e^{-rT} N(w d2)``; vanna ``-e^{-qT} n(d1) d2 / sigma``;
    volga ``vega d1 d2 / sigma``; charm (per year, time passing)
    ``w q e^{-qT} N(w d1) - e^{-qT} n(d1) (b / (sigma sqrt T) - d2 / (2T))``.

    References
    ----------
    Haug, E. G. (2007). The Complete Guide to Option Pricing Formulas, 2nd ed., ch. 2.
    """
    return _greeks(S, K, T, r, q, sigma, call)


def black76_greeks(
    F: ArrayLike, K: ArrayLike, T: ArrayLike, r: ArrayLike, sigma: ArrayLike, call: ArrayLike
) -> Greeks:
    """Closed-form Black-76 greeks with respect to the forward ``F`` (units in :class:`Greeks`).

    Black-76 is the generalised BSM with cost of carry ``b = 0`` (``q = r``,
    ``S = F``), except rho, which holds ``F`` fixed: ``rho = -T V``.

    References
    ----------
    Haug, E. G. (2007). The Complete Guide to Option Pricing Formulas, 2nd ed., ch. 2.
    """
    return _greeks(F, K, T, r, None, sigma, call)
