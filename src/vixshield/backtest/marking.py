"""Marking open positions to the close, and the shock loss of the book.

All open legs are quoted in one `MarketView.quote` call per underlying (the quotes
stay cached for the day's closes). A leg with no quote keeps its previous mark, with a
warning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray
from vixshield.backtest.shock import shocked_prices
from vixshield.backtest.state import RunState
from vixshield.markets.costs import CONTRACT_MULTIPLIER

__all__ = ["mark_all", "shock_loss"]


def mark_all(run: RunState, t: pd.Timestamp) -> None:
    """Re-mark every open leg at ``t``'s close mid (index points)."""
    led = run.ledger
    ops = list(led.positions.values())
    if not ops:
        return
    book = run.book()
    q = run.quote_book(t, book)
    mid, iv, t_years, forward = q.mid, q.iv, q.t_years, q.forward
    all_finite = bool(np.isfinite(mid).all())  # the usual day: no leg to check one by one
    mids: list[FloatArray] = []
    for op, (at, end) in zip(ops, book.bounds, strict=True):
        m = mid[at:end]
        if not all_finite and not np.isfinite(m).all():
            run.warn("missing quote for an open leg: kept its previous mark", t)
            m = np.where(np.isfinite(m), m, op.mid)
        op.iv, op.t_years, op.forward = iv[at:end], t_years[at:end], forward[at:end]
        mids.append(m)
    led.mark_ops(ops, mids)
    if all_finite:  # every mark a slice of the quotes: shock_loss may use them whole
        run.marked = (book, q, led.version)


def shock_loss(run: RunState) -> float:
    """Loss of the open book under ``run.shock``, dollars (>= 0)."""
    ops = list(run.ledger.positions.values())
    if not ops:
        return 0.0
    book = run.book()
    qty = book.quantities(tuple([op.position.contracts for op in ops]))
    marked = run.marked
    if marked is not None and marked[0] is book and marked[2] == run.ledger.version:
        # the book as marked: its quotes are the concatenated marks
        q = marked[1]
        mid, forward, t_years, iv = q.mid, q.forward, q.t_years, q.iv
    else:
        mid = np.concatenate([op.mid for op in ops])
        forward = np.concatenate([op.forward for op in ops])
        t_years = np.concatenate([op.t_years for op in ops])
        iv = np.concatenate([op.iv for op in ops])
    shocked = shocked_prices(
        book.is_vix,
        book.is_call,
        book.strikes,
        forward,
        t_years,
        iv,
        mid,
        run.shock,
        book.multipliers(run.shock),
    )
    return max(float(np.dot(qty, mid - shocked)) * CONTRACT_MULTIPLIER, 0.0)
