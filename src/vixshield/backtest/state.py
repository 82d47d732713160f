"""Mutable state of one backtest run, the day's quote cache and the audit-trail rows.

`RunState` is engine-internal: created by `vixshield.backtest.loop.run`, passed to the
settlement, marking and order modules, and discarded when the result is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from vixshield._typing import ArrayLike, FloatArray
from vixshield.backtest.book import (
    BookCache,
    BookLegs,
    QuoteKey,
    QuoteRequest,
    leg_key,
    quote_requests,
)
from vixshield.backtest.portfolio import Ledger, OpenPosition
from vixshield.backtest.quote_memo import LegQuoteMemo, stored_rows
from vixshield.backtest.shock import Shock
from vixshield.markets.costs import CONTRACT_MULTIPLIER, CostModel
from vixshield.markets.types import MarketView, QuoteBlock
from vixshield.strategy.types import Leg, Position

__all__ = ["LegQuotes", "RunState", "leg_key", "stored_quotes"]

_QUOTE_FIELDS = ("bid", "ask", "mid", "iv", "t_years", "forward", "delta", "vega", "theta")
"""The `QuoteBlock` fields a `LegQuotes` keeps, in its row order."""


def _quote_rows(qb: QuoteBlock) -> tuple[ArrayLike, ...]:
    """The `_QUOTE_FIELDS` of a quote block, in that order."""
    return (qb.bid, qb.ask, qb.mid, qb.iv, qb.t_years, qb.forward, qb.delta, qb.vega, qb.theta)


def _block(qb: QuoteBlock, n: int) -> FloatArray:
    """The `_QUOTE_FIELDS` rows of a quote block of ``n`` options, as one (9, n) array."""
    return np.array(
        [np.asarray(a, dtype=np.float64) for a in _quote_rows(qb)],
        dtype=np.float64,
    ).reshape(len(_QUOTE_FIELDS), n)


def stored_quotes(
    market: MarketView, t: pd.Timestamp, legs: Sequence[Leg]
) -> tuple[dict[str, FloatArray], list[str]] | None:
    """The quotes a run over ``market`` stored for ``legs`` at ``t`` (its `LegQuoteMemo`).

    Returns the `_QUOTE_FIELDS` arrays by name (one value per leg, the bytes
    `MarketView.quote` returned) and each leg's row origin; None when any leg is not
    stored. Makes no memo table (`vixshield.backtest.quote_memo.stored_rows`).
    """
    got = stored_rows(market, t.value, [leg_key(lg) for lg in legs], len(_QUOTE_FIELDS))
    if got is None:
        return None
    block, origins = got
    return dict(zip(_QUOTE_FIELDS, block, strict=True)), origins


@dataclass(frozen=True)
class LegQuotes:
    """Quotes of a list of legs at one close (index points; NaN where unquoted).

    Attributes
    ----------
    bid, ask, mid : ndarray
        Per unit, index points.
    iv : ndarray
        Implied vol, decimal.
    t_years : ndarray
        ACT/365 years to settlement.
    forward : ndarray
        Forward, index points.
    delta, vega, theta : ndarray
        Per unit: delta per index point, vega per vol point, theta per calendar day.
    origin : list of str
        ``"real"`` or ``"modeled"`` per leg.
    """

    bid: FloatArray
    ask: FloatArray
    mid: FloatArray
    iv: FloatArray
    t_years: FloatArray
    forward: FloatArray
    delta: FloatArray
    vega: FloatArray
    theta: FloatArray
    origin: list[str]


@dataclass
class RunState:
    """Everything one run changes as it goes (engine-internal, mutable).

    Quotes are cached for the current day (`start_day` clears the cache): the marks
    fetch every open leg in one `MarketView.quote` call per underlying, and closes on
    the same day reuse them. The book's legs as arrays (`BookLegs`) are kept across
    days while the set of open legs is unchanged.
    """

    market: MarketView
    costs: CostModel
    shock: Shock
    ledger: Ledger
    trades: list[dict[str, object]] = field(default_factory=list)
    cycles: list[dict[str, object]] = field(default_factory=list)
    warnings: dict[str, tuple[int, pd.Timestamp]] = field(default_factory=dict)
    origins: dict[str, set[str]] = field(default_factory=dict)
    next_id: int = 0
    pending_hedge_cost: float = 0.0
    finished_today: list[tuple[dict[str, object], float]] = field(default_factory=list)
    today_credit: float = 0.0
    today_hedge: float = 0.0
    spot: dict[str, float] = field(default_factory=lambda: {"SPX": 0.0, "VIX": 0.0})
    # the day's quotes: leg key -> column of ``_table`` (rows `_QUOTE_FIELDS`) and its origin
    _quotes: dict[QuoteKey, int] = field(default_factory=dict)
    _table: FloatArray = field(default_factory=lambda: np.empty((len(_QUOTE_FIELDS), 0)))
    _table_origin: list[str] = field(default_factory=list)
    _books: BookCache = field(default_factory=BookCache)
    # the day's quotes of one book: the book and its `LegQuotes`
    _book_quotes: tuple[BookLegs, LegQuotes] | None = None
    # the book of the ledger's open positions and the `Ledger.changes` it was found at
    _book_at: tuple[int, BookLegs] | None = None
    marked: tuple[BookLegs, LegQuotes, tuple[int, int]] | None = None
    """The day's marks (`vixshield.backtest.marking.mark_all`) when every position was
    marked at the slices of the book's quotes: the book, its quotes, and the
    `Ledger.version` they were marked at (while it holds, the marks are those slices)."""
    _memo: LegQuoteMemo | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._memo = LegQuoteMemo(self.market)

    def start_day(self, spx: float, vix: float) -> None:
        """Reset the day's counters and quote cache; set the day's spot levels."""
        self.ledger.start_day()
        self.today_credit = self.today_hedge = 0.0
        self.finished_today = []
        self.spot = {"SPX": spx, "VIX": vix}
        self._quotes = {}
        self._table = np.empty((len(_QUOTE_FIELDS), 0))
        self._table_origin = []
        self._book_quotes = None
        self.marked = None

    def book(self, ops: Sequence[OpenPosition] | None = None) -> BookLegs:
        """The `BookLegs` of ``ops`` (default: the ledger's open positions, in order)."""
        if ops is not None:
            return self._books.book(ops)
        changes = self.ledger.changes
        at = self._book_at
        if at is None or at[0] != changes:
            at = self._book_at = (changes, self._books.book(list(self.ledger.positions.values())))
        return at[1]

    def quote_book(self, t: pd.Timestamp, book: BookLegs) -> LegQuotes:
        """`quote` of ``book.legs``: the same rows, without rebuilding the requests from the legs.

        On the day's first quote the book's own requests (one per underlying) fill the
        table in the order `quote` would; later, the legs are looked up in the table.
        The result is reused for the rest of the day (a fetched quote never changes).
        """
        memo = self._book_quotes
        if memo is not None and memo[0] is book:
            return memo[1]
        cache = self._quotes
        if not cache:  # the day's first quote: the book's requests, sent as they are
            self._fetch(t, book.requests)
            q = self._gather(book.column_list)
        elif all(k in cache for k in book.keys):
            q = self._gather([cache[k] for k in book.keys])
        else:  # some legs quoted earlier today, some not: the general path
            q = self.quote(t, book.legs)
        self._book_quotes = (book, q)
        return q

    def _gather(self, cols: list[int]) -> LegQuotes:
        """The `LegQuotes` of table columns ``cols``."""
        # (9, n) C-contiguous, as the rows of one block: np.dot on strided views can round
        # differently, and marks must not depend on how the quotes were fetched (a gather from
        # the table is a fresh C-contiguous copy, `take` gives one)
        arr = self._table.take(cols, axis=1)
        bid, ask, mid, iv, t_years, forward, delta, vega, theta = arr
        origin = self._table_origin
        return LegQuotes(
            bid, ask, mid, iv, t_years, forward, delta, vega, theta, [origin[c] for c in cols]
        )

    def warn(self, message: str, date: pd.Timestamp) -> None:
        """Count a warning (reported once with its count and first date)."""
        count, first = self.warnings.get(message, (0, date))
        self.warnings[message] = (count + 1, first)

    def quote(self, t: pd.Timestamp, legs: Sequence[Leg]) -> LegQuotes:
        """Quotes of ``legs`` at ``t``'s close: cached ones, the rest in one call per underlying."""
        cache = self._quotes
        keys = [leg_key(lg) for lg in legs]
        self._fetch(t, quote_requests(keys, legs, cache))
        return self._gather([cache[k] for k in keys])

    def _fetch(self, t: pd.Timestamp, requests: Sequence[QuoteRequest]) -> None:
        """Quote ``requests`` at ``t`` (one `MarketView.quote` each) into the day's table.

        A request whose every option the market's `LegQuoteMemo` holds for ``t`` (an
        earlier run over the same `Markets` quoted them) is read back from it instead.
        """
        cache = self._quotes
        memo = self._memo
        day = t.value
        blocks = [self._table]
        for rq in requests:
            n = len(rq.keys)
            got = memo.read(day, rq.keys, len(_QUOTE_FIELDS)) if memo is not None else None
            if got is not None:
                block, origin = got
            else:
                qb = self.market.quote(
                    t,
                    rq.underlying,  # type: ignore[arg-type]
                    rq.expiry,
                    rq.strike,
                    rq.right,
                )
                block, origin = _block(qb, n), qb.origin
                if memo is not None:
                    memo.write(day, rq.keys, block, qb.origins())
            blocks.append(block)
            self.origins.setdefault(rq.underlying, set()).add(origin)
            at = len(cache)  # one table column per cached key
            cache.update(zip(rq.keys, range(at, at + n), strict=True))
            self._table_origin.extend([origin] * n)
        if len(blocks) > 1:
            self._table = np.concatenate(blocks, axis=1)

    def trade_rows(
        self,
        t: pd.Timestamp,
        pos: Position,
        action: str,
        contracts: int,
        mid: FloatArray,
        fill: FloatArray,
        origin: Sequence[str],
        commission: float,
        fees: float,
        reason: str,
        sign: float,
    ) -> None:
        """One trade row per leg; ``sign`` +1 for opening, -1 for closing/settling."""
        n = len(pos.legs)
        for i, lg in enumerate(pos.legs):
            qty = sign * lg.ratio * contracts
            self.trades.append(
                {
                    "date": t,
                    "position_id": pos.id,
                    "kind": pos.label,
                    "action": action,
                    "contracts": int(qty),
                    "root": lg.root,
                    "expiry": lg.expiry,
                    "strike": float(lg.strike),
                    "right": lg.right,
                    "ratio": int(lg.ratio),
                    "mid": float(mid[i]),
                    "fill": float(fill[i]),
                    "cash_flow": float(-qty * fill[i] * CONTRACT_MULTIPLIER),
                    "commission": commission / n,
                    "fees": fees / n,
                    "origin": origin[i],
                    "reason": reason,
                }
            )

    def finish(self, op: OpenPosition, t: pd.Timestamp, reason: str) -> None:
        """Record a condor cycle when its position is fully closed."""
        if op.position.kind != "condor":
            return
        row: dict[str, object] = {
            "position_id": op.position.id,
            "opened": op.position.opened,
            "closed": t,
            "contracts": int(op.position.meta.get("_contracts0", 0) or 0),
            "credit": op.credit,
            "hedge_cost": op.hedge_cost,
            "costs": op.costs,
            "pnl": op.cash_flows - op.costs,
            "exit_reason": reason,
        }
        self.cycles.append(row)
        self.finished_today.append((row, op.credit))
