"""Per-market memo of the backtest's leg quotes, shared by the runs over one market object.

A sweep runs many policy variants over one `vixshield.markets.Markets` object
(`vixshield.sweep.runner`); variants that hold the same legs on the same day mark them
with the same numbers. `LegQuoteMemo` keeps each quoted option's row of the day's quote
table (the `vixshield.backtest.state` fields, float64 bytes) and its row origin, keyed by
the day (nanoseconds) and the leg's `QuoteKey` (underlying, expiry ns, strike, right), in
one bounded table per market object (held weakly: the table goes with its market). A
market's first run leaves the table empty (a lone backtest pays nothing); the second run
fills it, the later ones read it.

A request is read back only when *every* one of its options is stored: the rows are the
bytes the market returned, and the block's origin is rebuilt by the market's own rule
(``"real"`` only where every row is real, `vixshield.markets.types.QuoteBlock.origin`),
so a read-back request gives what quoting it again would give (a row of
`MarketView.quote` does not depend on the rows quoted with it). A request with any
option not stored is quoted whole, as without the memo.

Only `Markets` objects have a memo: their quotes of a date never change over their life.
Any other `MarketView` (a test's fake, a user's own view) is quoted every time.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import cast

import numpy as np

from vixshield._typing import FloatArray
from vixshield.backtest.portfolio import QuoteKey
from vixshield.markets.types import MarketView
from vixshield.markets.view import Markets
from vixshield.strategy.memo import book_of

__all__ = ["LEG_QUOTES_LIMIT", "LegQuoteMemo", "stored_rows"]

LEG_QUOTES_LIMIT = 200_000
"""Legs kept per market (about 250 bytes each: 50 MB at most). A 5-year run stores about
18,000 (day, leg) quotes; past the limit the oldest days are dropped first."""

_Row = tuple[bytes, str]
"""One option's quote-table column as float64 bytes, and its row origin."""


class _Table:
    """One market's stored quotes: day (ns) -> leg key -> row, oldest day first.

    ``days`` is the market's ``"leg-quotes"`` table of its `MemoBook` (so it is kept with
    the other memos, `vixshield.backtest.memo_cache`).
    """

    def __init__(self, days: dict[int, dict[QuoteKey, _Row]]) -> None:
        self.days = days
        self.size = sum(map(len, days.values()))  # legs stored, over all days
        self.lock = threading.Lock()  # writers only: a read is one dict lookup per leg


_NAME = "leg-quotes"
_TABLES: weakref.WeakKeyDictionary[Markets, _Table] = weakref.WeakKeyDictionary()
_TABLES_LOCK = threading.Lock()


def _table(market: Markets) -> tuple[_Table, bool]:
    """The table of ``market`` (created on first use, dropped with the market), and
    whether this call created it where no earlier run's quotes are kept (the market's
    `MemoBook` is not `MemoBook.persistent`)."""
    with _TABLES_LOCK:
        table = _TABLES.get(market)
        if table is not None:
            return table, False
        book = book_of(market)
        assert book is not None  # a Markets object is weakly referable and hashable
        days = book.tables().setdefault(_NAME, {})
        table = _TABLES[market] = _Table(cast("dict[int, dict[QuoteKey, _Row]]", days))
        return table, not book.persistent


def _rows(
    days: dict[int, dict[QuoteKey, _Row]], day: int, keys: Sequence[QuoteKey], fields: int
) -> tuple[FloatArray, list[str]] | None:
    """The ``(fields, len(keys))`` block and row origins stored at ``day``; None when any
    key is missing."""
    stored = days.get(day)
    if stored is None:
        return None
    get = stored.get
    rows: list[bytes] = []
    origins: list[str] = []
    for key in keys:
        got = get(key)
        if got is None:
            return None
        rows.append(got[0])
        origins.append(got[1])
    flat = np.frombuffer(b"".join(rows), dtype=np.float64)
    return flat.reshape(len(keys), fields).T, origins


def stored_rows(
    market: MarketView, day: int, keys: Sequence[QuoteKey], fields: int
) -> tuple[FloatArray, list[str]] | None:
    """What a run over ``market`` stored for ``keys`` at ``day`` (nanoseconds): the
    ``(fields, len(keys))`` block and each key's row origin; None when any key is missing.

    A look-up only: no table is made (a report reading the run's last quotes changes
    nothing a later run over the market does).
    """
    if not isinstance(market, Markets):
        return None
    with _TABLES_LOCK:
        table = _TABLES.get(market)
    if table is not None:
        days = table.days
    else:
        book = book_of(market, create=False)
        found = book.tables().get(_NAME) if book is not None else None
        if found is None:
            return None
        days = cast("dict[int, dict[QuoteKey, _Row]]", found)
    return _rows(days, day, keys, fields)


class LegQuoteMemo:
    """The leg quotes of one market, read from and written to its shared table.

    Parameters
    ----------
    market : MarketView
        The market the run quotes; only a `Markets` object has a table.
    limit : int
        Legs kept per market (`LEG_QUOTES_LIMIT`): past it, whole days are dropped,
        oldest stored first.
    first : bool
        Store from the first memo made on ``market`` on. By default the first one (a
        market's first run) neither reads nor stores, so a lone backtest pays nothing,
        and the table serves the runs after the second; except where the market's
        memos are kept beyond the process (`MemoBook.persistent`): then the first run
        stores, for the next process.
    """

    def __init__(
        self, market: MarketView, limit: int = LEG_QUOTES_LIMIT, *, first: bool = False
    ) -> None:
        if limit < 1:
            raise ValueError(f"a memo keeps at least one leg, got limit={limit}")
        self._table: _Table | None = None
        if isinstance(market, Markets):
            table, created = _table(market)
            self._table = table if first or not created else None
        self._limit = limit

    def read(
        self, day: int, keys: Sequence[QuoteKey], fields: int
    ) -> tuple[FloatArray, str] | None:
        """The ``(fields, len(keys))`` block and origin of a request, when every key is stored.

        ``day`` is the quote date in nanoseconds; None when any key is missing (or the
        market has no table).
        """
        table = self._table
        if table is None:
            return None
        got = _rows(table.days, day, keys, fields)
        if got is None:
            return None
        block, origins = got
        return block, "real" if all(o == "real" for o in origins) else "modeled"

    def write(
        self, day: int, keys: Sequence[QuoteKey], block: FloatArray, origins: Sequence[str]
    ) -> None:
        """Store the columns of ``block`` (one per key) and their row ``origins`` at ``day``."""
        table = self._table
        if table is None:
            return
        raw = np.ascontiguousarray(block.T).tobytes()  # row j: bytes [j step, (j + 1) step)
        step = block.shape[0] * block.itemsize
        rows = zip([raw[at : at + step] for at in range(0, len(raw), step)], origins, strict=True)
        with table.lock:
            days = table.days
            stored = days.get(day)
            if stored is None:
                stored = days[day] = {}
            before = len(stored)
            stored.update(zip(keys, rows, strict=True))
            table.size += len(stored) - before
            while table.size > self._limit and len(days) > 1:
                oldest = next(iter(days))
                if oldest == day:  # the day being written stays
                    days[oldest] = days.pop(oldest)
                    continue
                table.size -= len(days.pop(oldest))
