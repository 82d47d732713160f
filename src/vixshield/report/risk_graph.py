"""Risk graph: P&L of a condor and its hedges across SPX levels, at expiry and today.

SPX options are priced with Black-Scholes-Merton, VIX options with Black-76
(`vixshield.pricing`). The hedges are VIX options, whose value depends on VIX,
not on SPX, so each SPX scenario carries a VIX scenario from a documented
approximation (`vix_for_spx`).

Notes
-----
VIX response to SPX (the approximation)::

    VIX(s) = max(VIX_0 + beta * 100 * (s / S_0 - 1), VIX_FLOOR)

with ``beta = VIX_BETA_PTS_PER_PCT`` vol points per 1 % SPX move (negative:
VIX rises when SPX falls). SPX options in a scenario use a flat volatility of
``VIX(s) / 100``; VIX options use Black-76 with the forward equal to ``VIX(s)``
(the VX future is assumed to move point for point with spot VIX, which
overstates the move of longer futures) and a flat vol-of-vol ``VOL_OF_VOL``.
Dividend yield is ``DIVIDEND_YIELD``. "At expiry" means at the condor's expiry:
condor legs are worth their intrinsic value, hedge legs with later expiries
keep their remaining time value.

References
----------
Whaley, R. E. (2009). Understanding the VIX. Journal of Portfolio Management
35(3), 98-105 (VIX moves several points against a 1 % SPX move, asymmetric).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray
from vixshield.pricing import black76_price, bsm_price
from vixshield.strategy.types import Leg, Position

__all__ = [
    "CONTRACT_MULTIPLIER",
    "DIVIDEND_YIELD",
    "VIX_BETA_PTS_PER_PCT",
    "VIX_FLOOR",
    "VOL_OF_VOL",
    "RiskGraph",
    "position_value",
    "risk_graph",
    "vix_for_spx",
]

CONTRACT_MULTIPLIER = 100.0  # dollars per index point, SPX and VIX options (Cboe specs)
VIX_BETA_PTS_PER_PCT = -1.0  # VIX vol points per +1 % SPX move; rule of thumb (Whaley 2009)
VIX_FLOOR = 9.0  # vol points; VIX has never closed below 9 (low 9.14, Nov 2017)
VOL_OF_VOL = 0.9  # decimal per sqrt(year); VVIX ~ 90 on average 2012-2018 (Cboe VVIX)
DIVIDEND_YIELD = 0.018  # decimal per year, S&P 500 dividend yield ~1.8 % (2014-2018)


@dataclass(frozen=True)
class RiskGraph:
    """P&L curves of a set of positions against SPX (dollars, whole positions).

    Attributes
    ----------
    spx : FloatArray
        SPX scenario levels, index points.
    vix : FloatArray
        VIX in each scenario, vol points (`vix_for_spx`).
    pnl_expiry, pnl_today : dict[str, FloatArray]
        P&L per position kind (``"condor"``, ``"hedge:<layer>"``) and ``"total"``,
        at the condor expiry and at the as-of date.
    as_of, expiry : Timestamp
    spot, vix0 : float
    """

    spx: FloatArray
    vix: FloatArray
    pnl_expiry: dict[str, FloatArray]
    pnl_today: dict[str, FloatArray]
    as_of: pd.Timestamp
    expiry: pd.Timestamp
    spot: float
    vix0: float


def vix_for_spx(
    spx: FloatArray, spot: float, vix0: float, beta: float = VIX_BETA_PTS_PER_PCT
) -> FloatArray:
    """VIX scenario for SPX levels: ``max(vix0 + beta * 100 * (spx/spot - 1), VIX_FLOOR)``."""
    moved = vix0 + beta * 100.0 * (np.asarray(spx, dtype=np.float64) / spot - 1.0)
    return np.asarray(np.maximum(moved, VIX_FLOOR), dtype=np.float64)


def _years(start: pd.Timestamp, end: pd.Timestamp) -> float:
    return max((pd.Timestamp(end) - pd.Timestamp(start)).days, 0) / 365.0


def _leg_value(
    leg: Leg, spx: FloatArray, vix: FloatArray, at: pd.Timestamp, rate: float
) -> FloatArray:
    """Value per unit (index points) of one leg in each scenario at date ``at``."""
    t = _years(at, leg.expiry)
    call = leg.right == "C"
    if leg.underlying == "SPX":
        return bsm_price(spx, leg.strike, t, rate, DIVIDEND_YIELD, vix / 100.0, call)
    return black76_price(vix, leg.strike, t, rate, VOL_OF_VOL, call)


def position_value(
    position: Position, spx: FloatArray, vix: FloatArray, at: pd.Timestamp, rate: float
) -> FloatArray:
    """Marked value of a whole position in dollars (signed: short legs negative).

    ``sum(ratio * leg value) * contracts * CONTRACT_MULTIPLIER``.
    """
    total = np.zeros_like(np.asarray(spx, dtype=np.float64))
    for leg in position.legs:
        total = total + leg.ratio * _leg_value(leg, spx, vix, at, rate)
    return np.asarray(total * position.contracts * CONTRACT_MULTIPLIER, dtype=np.float64)


def _pnl(
    position: Position, spx: FloatArray, vix: FloatArray, at: pd.Timestamp, rate: float
) -> FloatArray:
    cost = position.entry_price * position.contracts * CONTRACT_MULTIPLIER
    return position_value(position, spx, vix, at, rate) - cost


def risk_graph(
    positions: Sequence[Position],
    *,
    as_of: pd.Timestamp,
    spot: float,
    vix0: float,
    rate: float,
    width: float = 0.15,
    points: int = 121,
) -> RiskGraph:
    """P&L of ``positions`` across SPX levels ``spot * (1 +/- width)``.

    Parameters
    ----------
    positions : sequence of Position
        The condor and its hedges (``entry_price`` index points per unit,
        negative for a credit).
    as_of : Timestamp
        The date the "today" curve is priced at.
    spot : float
        SPX close at ``as_of``, index points.
    vix0 : float
        VIX close at ``as_of``, vol points.
    rate : float
        Risk-free rate, continuously compounded decimal per year.
    width : float
        Half-width of the SPX grid as a fraction of ``spot``.
    points : int
        Grid size.

    Returns
    -------
    RiskGraph
        The "expiry" curve is at the earliest condor expiry (or the earliest
        leg expiry without a condor).
    """
    if not positions:
        raise ValueError("risk_graph needs at least one position")
    spx = np.linspace(spot * (1.0 - width), spot * (1.0 + width), points)
    vix = vix_for_spx(spx, spot, vix0)
    condor_legs = [leg for p in positions if p.kind == "condor" for leg in p.legs]
    legs = condor_legs or [leg for p in positions for leg in p.legs]
    expiry = min(pd.Timestamp(leg.expiry) for leg in legs)
    at_expiry: dict[str, FloatArray] = {}
    today: dict[str, FloatArray] = {}
    for p in positions:
        at_expiry[p.label] = at_expiry.get(p.label, np.zeros(points)) + _pnl(
            p, spx, vix, expiry, rate
        )
        today[p.label] = today.get(p.label, np.zeros(points)) + _pnl(p, spx, vix, as_of, rate)
    at_expiry["total"] = np.sum(list(at_expiry.values()), axis=0)
    today["total"] = np.sum(list(today.values()), axis=0)
    return RiskGraph(spx, vix, at_expiry, today, pd.Timestamp(as_of), expiry, spot, vix0)
