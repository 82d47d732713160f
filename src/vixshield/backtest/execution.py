"""Modeled fills and trading costs (pure maths, no I/O).

A leg bought fills above the mid and a leg sold below it, by a share of the
quoted spread; commissions and exchange fees are charged per contract per leg.
Settlement at expiry pays no spread (see `vixshield.backtest.engine`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vixshield._typing import ArrayLike, FloatArray

__all__ = ["CONTRACT_MULTIPLIER", "Costs", "fill_prices", "trade_costs"]

CONTRACT_MULTIPLIER = 100.0
"""Dollars per index point per contract for SPX, SPXW and VIX options (Cboe contract specs)."""


@dataclass(frozen=True)
class Costs:
    """Trading cost model.

    Attributes
    ----------
    commission_per_contract : float
        Broker commission, dollars per contract per leg.
    fees_per_contract : float
        Exchange and regulatory fees, dollars per contract per leg.
    spread_share : float
        Share of the bid-ask spread paid away from the mid on every fill, in [0, 1]
        (0: fill at mid; 0.5: fill at the bid or ask).
    """

    commission_per_contract: float = 0.0
    fees_per_contract: float = 0.0
    spread_share: float = 0.0


def fill_prices(
    mid: ArrayLike, bid: ArrayLike, ask: ArrayLike, signed_qty: ArrayLike, spread_share: float
) -> FloatArray:
    """Modeled fill price per unit for each leg, index points.

    Parameters
    ----------
    mid, bid, ask : array_like
        Quotes per unit, index points.
    signed_qty : array_like
        Quantity traded per leg, signed (> 0 buying, < 0 selling).
    spread_share : float
        Share of ``ask - bid`` paid away from the mid.

    Returns
    -------
    ndarray
        ``mid + s (ask - bid)`` where buying, ``mid - s (ask - bid)`` where selling,
        floored at 0 (an option price is never negative). Where the spread is
        unknown (NaN bid or ask) the fill is the mid.

    Notes
    -----
    The trade's cash flow in dollars is ``-sum(signed_qty * fill) * 100``.
    """
    m = np.asarray(mid, dtype=np.float64)
    spread = np.asarray(ask, dtype=np.float64) - np.asarray(bid, dtype=np.float64)
    spread = np.where(np.isfinite(spread), np.maximum(spread, 0.0), 0.0)
    side = np.sign(np.asarray(signed_qty, dtype=np.float64))
    return np.asarray(np.maximum(m + side * spread_share * spread, 0.0), dtype=np.float64)


def trade_costs(costs: Costs, signed_qty: ArrayLike) -> tuple[float, float]:
    """Commissions and fees of one trade, dollars (both >= 0).

    Parameters
    ----------
    costs : Costs
    signed_qty : array_like
        Contracts traded per leg (sign ignored).

    Returns
    -------
    (commission, fees) : tuple of float
        ``rate x sum(|qty|)`` for each rate.
    """
    n = float(np.abs(np.asarray(signed_qty, dtype=np.float64)).sum())
    return costs.commission_per_contract * n, costs.fees_per_contract * n
