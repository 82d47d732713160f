"""Marking open positions to the close, and the shock demand of the book.

All open legs are quoted in one `MarketView.quote` call per underlying (the quotes
stay cached for the day's closes). A leg with no quote keeps its previous mark, with a
warning.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray
from vixshield.backtest.shock import Shock, shocked_prices
from vixshield.backtest.state import RunState
from vixshield.markets.costs import CONTRACT_MULTIPLIER

__all__ = ["ShockDemands", "mark_all"]


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
    if all_finite:  # every mark a slice of the quotes: ShockDemands may use them whole
        run.marked = (book, q, led.version)


class _BookAtClose(NamedTuple):
    """What the shock loss reads of the open book at a day's close (one value per leg)."""

    is_vix: np.ndarray
    is_call: np.ndarray
    strike: FloatArray
    forward: FloatArray
    t_years: FloatArray
    iv: FloatArray
    mid: FloatArray
    f_mult: FloatArray  # `vixshield.backtest.shock.shock_multipliers`
    v_mult: FloatArray
    qty: FloatArray  # signed contracts


class ShockDemands:
    """Each day's shock demand: its closing margin plus the loss of the open book under
    ``shock`` (dollars, the loss >= 0), the losses priced a batch of days at a time.

    `add` takes the book at the day's close (its legs, quantities and last marks); the
    shocked prices of a batch of days (about `BATCH_LEGS` legs) come from one
    `shocked_prices` call instead of one per day. Each leg's shocked price depends on that
    leg alone, and each day's loss is the same dot product over the same legs in the same
    order as pricing the day on its own, so the losses are the same to the bit.
    """

    BATCH_LEGS = 2048
    """Legs priced per call: under `vixshield.pricing._python.SMALL_N`, so a process that
    has not loaded numba prices them in plain Python."""

    def __init__(self, shock: Shock) -> None:
        self._shock = shock
        self._losses: list[float] = []
        self._margins: list[float] = []
        self._pending: list[tuple[int, _BookAtClose]] = []  # (day index, book)
        self._legs = 0

    def add(self, run: RunState, margin: float) -> None:
        """Take the day's closing ``margin`` and open book (once per day, after its trades)."""
        day = len(self._losses)
        self._losses.append(0.0)
        self._margins.append(margin)
        got = _book_at_close(run, self._shock)
        if got is None:
            return
        self._pending.append((day, got))
        self._legs += len(got.mid)
        if self._legs >= self.BATCH_LEGS:
            self._flush()

    def losses(self) -> list[float]:
        """The shock loss of every day added, in order."""
        self._flush()
        return self._losses

    def demands(self) -> list[float]:
        """The shock demand (margin + loss) of every day added, in order."""
        return [m + x for m, x in zip(self._margins, self.losses(), strict=True)]

    def _flush(self) -> None:
        pending = self._pending
        if not pending:
            return
        books = [b for _, b in pending]
        cat = [np.concatenate(parts) for parts in zip(*books, strict=True)]
        b_all = _BookAtClose(*cat)
        shocked = shocked_prices(
            b_all.is_vix,
            b_all.is_call,
            b_all.strike,
            b_all.forward,
            b_all.t_years,
            b_all.iv,
            b_all.mid,
            self._shock,
            (b_all.f_mult, b_all.v_mult),
        )
        diff = b_all.mid - shocked
        at = 0
        for day, b in pending:
            end = at + len(b.mid)
            # a fresh array, as ``mid - shocked`` of the day alone (np.dot of a view at
            # another alignment may round differently)
            loss = float(np.dot(b.qty, diff[at:end].copy())) * CONTRACT_MULTIPLIER
            self._losses[day] = max(loss, 0.0)
            at = end
        self._pending = []
        self._legs = 0


def _book_at_close(run: RunState, shock: Shock) -> _BookAtClose | None:
    """The open book as `ShockDemands` reads it (None: no position open)."""
    ops = list(run.ledger.positions.values())
    if not ops:
        return None
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
    f_mult, v_mult = book.multipliers(shock)
    return _BookAtClose(
        book.is_vix, book.is_call, book.strikes, forward, t_years, iv, mid, f_mult, v_mult, qty
    )
