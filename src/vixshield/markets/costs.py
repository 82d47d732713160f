"""The one fill and trading-cost model, below both strategy and backtest.

The strategy estimates what a trade will cost (entry credits, the cost to close a
condor, hedge premium and sale proceeds) and the backtest books what it did cost;
both call `CostModel`, so the estimate is the booking (zipline's blotter owns its
commission and slippage models the same way: nothing else prices a fill).

Conventions: quotes and fills in index points per unit; money in dollars, per contract
where a name says so; a contract is `CONTRACT_MULTIPLIER` dollars per index point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vixshield._typing import ArrayLike, FloatArray

__all__ = ["CONTRACT_MULTIPLIER", "CostModel"]

CONTRACT_MULTIPLIER = 100.0
"""Dollars per index point per contract for SPX, SPXW and VIX options (Cboe contract specs)."""


@dataclass(frozen=True)
class CostModel:
    """Modeled fills at mid minus a share of the spread, plus per-contract costs.

    Attributes
    ----------
    commission_per_contract : float
        Broker commission, dollars per contract per leg (>= 0).
    fees_per_contract : float
        Exchange and regulatory fees, dollars per contract per leg (>= 0).
    spread_share : float
        Share ``s`` of the bid-ask spread paid away from the mid on every fill, in
        [0, 1] (0: fill at mid; 0.5: fill at the bid or ask).

    Notes
    -----
    A leg bought fills at ``mid + s (ask - bid)``, a leg sold at
    ``max(mid - s (ask - bid), 0)`` (an option never sells for less than nothing);
    an unknown spread (NaN bid or ask) fills at the mid. Every contract of every leg
    pays ``commission_per_contract + fees_per_contract`` dollars. A trade of signed
    quantities ``q_i`` (contracts, > 0 bought) at fills ``f_i`` moves cash by
    ``-100 sum(q_i f_i) - (commission + fees) sum(|q_i|)`` dollars.
    """

    commission_per_contract: float = 0.0
    fees_per_contract: float = 0.0
    spread_share: float = 0.0

    @property
    def per_contract(self) -> float:
        """Commission plus fees, dollars per contract per leg."""
        return self.commission_per_contract + self.fees_per_contract

    def fills(
        self, mid: ArrayLike, bid: ArrayLike, ask: ArrayLike, signed_qty: ArrayLike
    ) -> FloatArray:
        """Modeled fill price of each leg, index points per unit (see Notes of the class).

        Parameters
        ----------
        mid, bid, ask : array_like
            Quotes per unit, index points.
        signed_qty : array_like
            Quantity traded per leg, signed (> 0 buying, < 0 selling; only the sign is read).

        Returns
        -------
        ndarray
            ``mid + s (ask - bid)`` buying, ``mid - s (ask - bid)`` selling, floored at 0.
        """
        m = np.asarray(mid, dtype=np.float64)
        spread = np.asarray(ask, dtype=np.float64) - np.asarray(bid, dtype=np.float64)
        spread = np.where(np.isfinite(spread), np.maximum(spread, 0.0), 0.0)
        side = np.sign(np.asarray(signed_qty, dtype=np.float64))
        return np.asarray(np.maximum(m + side * self.spread_share * spread, 0.0), dtype=np.float64)

    def fill_one(self, mid: float, bid: float, ask: float, signed_qty: float) -> float:
        """`fills` of one leg on Python floats: the same float operations, in the same order.

        For callers pricing a handful of legs (a condor's four) many times a run, where
        numpy's per-call overhead dominates. ``tests/markets/test_cost_fill_one.py``
        checks it bit for bit against `fills`.
        """
        # np.maximum(x, 0.0) is ``x if x > 0 or x is NaN else +0.0`` (-0.0 gives +0.0)
        spread = ask - bid
        if not (spread > 0.0) or spread - spread != 0.0:  # NaN, <= 0 or +inf: +0.0
            spread = 0.0
        if signed_qty > 0:
            side = 1.0
        elif signed_qty < 0:
            side = -1.0
        else:
            side = 0.0 if signed_qty == 0 else math.nan  # np.sign: NaN stays NaN
        fill = mid + side * self.spread_share * spread
        return fill if fill > 0.0 or fill != fill else 0.0

    def charges(self, signed_qty: ArrayLike) -> tuple[float, float]:
        """(commission, fees) of one trade in dollars, both >= 0: each rate x ``sum(|qty|)``."""
        n = float(np.abs(np.asarray(signed_qty, dtype=np.float64)).sum())
        return self.commission_per_contract * n, self.fees_per_contract * n

    def premium(self, fills: ArrayLike, signed_qty: ArrayLike) -> float:
        """Cash of the fills alone, dollars: ``-100 sum(q_i f_i)`` (> 0: received)."""
        q = np.asarray(signed_qty, dtype=np.float64)
        return float(-np.dot(q, np.asarray(fills, dtype=np.float64)) * CONTRACT_MULTIPLIER)

    def cash(self, mid: ArrayLike, bid: ArrayLike, ask: ArrayLike, signed_qty: ArrayLike) -> float:
        """Net cash of a trade in dollars (> 0: received), costs included.

        ``premium(fills(mid, bid, ask, q), q) - (commission + fees) sum(|q|)``.
        """
        fill = self.fills(mid, bid, ask, signed_qty)
        commission, fees = self.charges(signed_qty)
        return self.premium(fill, signed_qty) - commission - fees
