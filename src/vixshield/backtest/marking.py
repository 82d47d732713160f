"""Marking open positions to the close, and the shock loss of the book.

All open legs are quoted in one `MarketView.quote` call per underlying (the quotes
stay cached for the day's closes). A leg with no quote keeps its previous mark, with a
warning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vixshield.backtest.shock import shocked_prices
from vixshield.backtest.state import RunState
from vixshield.markets.costs import CONTRACT_MULTIPLIER

__all__ = ["mark_all", "shock_loss"]


def mark_all(run: RunState, t: pd.Timestamp) -> None:
    """Re-mark every open leg at ``t``'s close mid (index points)."""
    ops = list(run.ledger.positions.values())
    if not ops:
        return
    legs = [lg for op in ops for lg in op.position.legs]
    q = run.quote(t, legs)
    finite = np.isfinite(q.mid)
    all_finite = bool(finite.all())  # the usual day: no leg to check one by one
    at = 0
    for op in ops:
        n = len(op.position.legs)
        m = q.mid[at : at + n]
        if not all_finite and not finite[at : at + n].all():
            run.warn("missing quote for an open leg: kept its previous mark", t)
            m = np.where(np.isfinite(m), m, op.mid)
        op.iv, op.t_years, op.forward = (
            q.iv[at : at + n],
            q.t_years[at : at + n],
            q.forward[at : at + n],
        )
        run.ledger.mark(op.position.id, m)
        at += n


def shock_loss(run: RunState) -> float:
    """Loss of the open book under ``run.shock``, dollars (>= 0)."""
    ops = list(run.ledger.positions.values())
    if not ops:
        return 0.0
    legs = [lg for op in ops for lg in op.position.legs]
    qty = np.concatenate([op.ratios * op.position.contracts for op in ops])
    mid = np.concatenate([op.mid for op in ops])
    shocked = shocked_prices(
        np.array([lg.underlying == "VIX" for lg in legs]),
        np.concatenate([op.is_call for op in ops]),
        np.concatenate([op.strikes for op in ops]),
        np.concatenate([op.forward for op in ops]),
        np.concatenate([op.t_years for op in ops]),
        np.concatenate([op.iv for op in ops]),
        mid,
        run.shock,
    )
    return max(float(np.dot(qty, mid - shocked)) * CONTRACT_MULTIPLIER, 0.0)
