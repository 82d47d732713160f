"""Reprice open positions under a market shock (pure maths, no I/O).

Used for the liquidity (quick) ratio: how much cash a sudden 10% SPX drop with
the VIX doubling would demand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vixshield._typing import BoolArray, FloatArray
from vixshield.pricing.black import black76_price

__all__ = ["Shock", "shock_multipliers", "shocked_prices"]


@dataclass(frozen=True)
class Shock:
    """A joint SPX / VIX shock.

    Attributes
    ----------
    spx_move : float
        Relative SPX move (``-0.10``: a 10% drop).
    vix_factor : float
        Multiplier of the VIX (2.0: it doubles).
    vx_beta : float
        Share of the VIX's relative rise passed to VIX futures (the forwards of VIX
        options). 0.5: front VX futures have historically risen about half as much
        as spot VIX in spikes (term-structure damping); an approximation.
    """

    spx_move: float = -0.10
    vix_factor: float = 2.0
    vx_beta: float = 0.5


def shock_multipliers(is_vix: BoolArray, shock: Shock) -> tuple[FloatArray, FloatArray]:
    """Per leg, the factors of the forward and of the implied vol under ``shock``.

    ``1 + vx_beta (vix_factor - 1)`` and 1 for VIX legs, ``1 + spx_move`` and
    ``vix_factor`` for SPX legs (see `shocked_prices`).
    """
    f_mult = np.where(is_vix, 1.0 + shock.vx_beta * (shock.vix_factor - 1.0), 1.0 + shock.spx_move)
    v_mult = np.where(is_vix, 1.0, shock.vix_factor)
    return f_mult, v_mult


def shocked_prices(
    is_vix: BoolArray,
    is_call: BoolArray,
    strike: FloatArray,
    forward: FloatArray,
    t_years: FloatArray,
    iv: FloatArray,
    mid: FloatArray,
    shock: Shock,
    multipliers: tuple[FloatArray, FloatArray] | None = None,
) -> FloatArray:
    """Prices per unit (index points) of option legs after ``shock``.

    Parameters
    ----------
    is_vix, is_call : bool arrays
        Underlying is VIX; option is a call.
    strike, forward : arrays
        Index points.
    t_years : array
        ACT/365 years to settlement (unchanged by the shock: it is instantaneous).
    iv : array
        Implied vol at the last mark, decimal.
    mid : array
        Last mark per unit; returned where ``iv``/``forward``/``t_years`` are unknown.
    multipliers : (array, array), optional
        `shock_multipliers` of ``is_vix`` and ``shock``, when the caller keeps them.

    Returns
    -------
    ndarray
        Black-76 prices with zero discounting (a same-day shock on short-dated
        options), where SPX legs have ``F' = F (1 + spx_move)`` and ``iv' = iv x
        vix_factor`` (implied vols scale with the VIX), and VIX legs have ``F' = F (1 +
        vx_beta (vix_factor - 1))`` and unchanged ``iv``.
    """
    forward = np.asarray(forward, dtype=np.float64)
    t_years = np.asarray(t_years, dtype=np.float64)
    iv = np.asarray(iv, dtype=np.float64)
    f_mult, v_mult = shock_multipliers(is_vix, shock) if multipliers is None else multipliers
    if len(forward) and np.isfinite(iv + forward + t_years).all() and forward.min() > 0:
        # every leg known (the usual day): the same prices without the masks
        t = np.maximum(t_years, 0.0)
        return black76_price(forward * f_mult, strike, t, 0.0, iv * v_mult, is_call)
    known = np.isfinite(iv) & np.isfinite(forward) & np.isfinite(t_years) & (forward > 0)
    f = np.where(known, forward, 1.0) * f_mult
    sig = np.where(known, iv, 0.0) * v_mult
    t = np.where(known, np.maximum(t_years, 0.0), 0.0)
    price = black76_price(f, strike, t, 0.0, sig, is_call)
    return np.asarray(np.where(known, price, mid), dtype=np.float64)
