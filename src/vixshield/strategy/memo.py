"""Per-market memos of the strategy's market-only decisions (issue 11, item 3).

Some of a day's decisions read the market and a slice of the policy only, never the
book or the strategy state: a hedge layer's option (`vixshield.strategy.hedge_choice.choose_hedge`:
date, the layer's spec, the cost model) and the condor builder's candidate before
sizing (`vixshield.strategy.condor.build_condor`: date, the condor section, the exit
DTE, the costs, iv rank and k multiplier). A sweep runs many policy variants over one
market object (`vixshield.sweep.runner`), so a variant whose slice equals an earlier
one's reads the decision back instead of quoting the market again.

A `MarketMemo` keeps one bounded table per market object, held weakly (the table goes
with its market) and keyed by *everything* the decision reads besides the market: the
date as nanoseconds, the frozen policy models and the frozen `CostModel` (equality of
every field), so a changed spec or cost model is a miss, never a stale hit. A market's
quotes of a date do not change over its life (`vixshield.markets.Markets` memoises them
itself). A market object that cannot be weakly referenced or hashed has no table: its
decisions are made afresh every call (same results, no memo).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Hashable, Iterable, Sequence
from typing import Generic, TypeVar

__all__ = ["MarketMemo"]

V = TypeVar("V")


class MarketMemo(Generic[V]):
    """A bounded ``key -> value`` table per market object (weakly held).

    Parameters
    ----------
    limit : int
        Most entries kept per market; past it the oldest entry is dropped first
        (insertion order), so a long sweep's memory stays bounded.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"a memo keeps at least one entry, got limit={limit}")
        self._limit = limit
        self._tables: weakref.WeakKeyDictionary[object, dict[Hashable, V]]
        self._tables = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _table(self, market: object, create: bool) -> dict[Hashable, V] | None:
        try:
            table = self._tables.get(market)
            if table is None and create:
                table = self._tables[market] = {}
        except TypeError:  # not weakly referable, or unhashable: no memo for it
            return None
        return table

    def get(self, market: object, key: Hashable) -> V | None:
        """The value stored for ``key`` on ``market`` (None: not stored)."""
        with self._lock:
            table = self._table(market, create=False)
            return table.get(key) if table is not None else None

    def get_many(self, market: object, keys: Sequence[Hashable]) -> list[V | None]:
        """`get` of every key of ``keys``, in order (one lock, one table lookup)."""
        with self._lock:
            table = self._table(market, create=False)
            if table is None:
                return [None] * len(keys)
            return [table.get(key) for key in keys]

    def put(self, market: object, key: Hashable, value: V) -> None:
        """Store ``value`` for ``key`` on ``market`` (dropping the oldest past the limit)."""
        with self._lock:
            table = self._table(market, create=True)
            if table is None:
                return
            table[key] = value
            while len(table) > self._limit:
                del table[next(iter(table))]

    def put_many(self, market: object, items: Iterable[tuple[Hashable, V]]) -> None:
        """`put` of every ``(key, value)`` of ``items``, in order (one lock, one table lookup)."""
        with self._lock:
            table = self._table(market, create=True)
            if table is None:
                return
            table.update(items)
            while len(table) > self._limit:
                del table[next(iter(table))]

    def size(self, market: object) -> int:
        """Entries stored on ``market`` (0: none, or a market with no table)."""
        with self._lock:
            table = self._table(market, create=False)
            return len(table) if table is not None else 0
