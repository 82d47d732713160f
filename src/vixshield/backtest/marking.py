"""Marking open positions to the close, and the shock loss of the book.

All open legs are quoted in one `MarketView.quote` call per underlying (the quotes
stay cached for the day's closes). A leg with no quote keeps its previous mark, with a
warning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vixshield.backtest.book import BookLegs
from vixshield.backtest.portfolio import OpenPosition
from vixshield.backtest.shock import shocked_prices
from vixshield.backtest.state import LegQuotes, RunState
from vixshield.markets.costs import CONTRACT_MULTIPLIER

__all__ = ["mark_all", "shock_loss"]


def mark_all(run: RunState, t: pd.Timestamp) -> None:
    """Re-mark every open leg at ``t``'s close mid (index points)."""
    ops = list(run.ledger.positions.values())
    if not ops:
        return
    book = run.book(ops)
    q = run.quote_book(t, book)
    finite = np.isfinite(q.mid)
    all_finite = bool(finite.all())  # the usual day: no leg to check one by one
    mark = run.ledger.mark_op
    for op, (at, end) in zip(ops, book.bounds, strict=True):
        m = q.mid[at:end]
        if not all_finite and not finite[at:end].all():
            run.warn("missing quote for an open leg: kept its previous mark", t)
            m = np.where(np.isfinite(m), m, op.mid)
        op.iv, op.t_years, op.forward = q.iv[at:end], q.t_years[at:end], q.forward[at:end]
        mark(op, m)
    if all_finite:  # every mark a slice of the quotes: shock_loss may use them whole
        run.marked = (book, q, [(op.mid, op.iv, op.t_years, op.forward) for op in ops])


def _marked_whole(run: RunState, book: BookLegs, ops: list[OpenPosition]) -> LegQuotes | None:
    """The day's quotes of ``book`` when ``ops`` still hold the arrays `mark_all` gave them."""
    marked = run.marked
    if marked is None or marked[0] is not book:
        return None
    for op, (m, iv, ty, fw) in zip(ops, marked[2], strict=True):
        if op.mid is not m or op.iv is not iv or op.t_years is not ty or op.forward is not fw:
            return None
    return marked[1]


def shock_loss(run: RunState) -> float:
    """Loss of the open book under ``run.shock``, dollars (>= 0)."""
    ops = list(run.ledger.positions.values())
    if not ops:
        return 0.0
    book = run.book(ops)
    qty = book.quantities(tuple([op.position.contracts for op in ops]))
    q = _marked_whole(run, book, ops)
    if q is not None:  # the book as marked: its quotes are the concatenated marks
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
