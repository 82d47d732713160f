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

The tables of one market object, of every memo (each has a `MarketMemo.name`), are one
`MemoBook`. A book can start from tables an earlier process kept
(`vixshield.backtest.memo_cache`, which keys them by the data, the chains and the code),
loaded on the first use of any memo on that market, never before; `MemoBook.persistent`
tells memos whose first run would otherwise store nothing that what they store is kept.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

__all__ = ["MarketMemo", "MemoBook", "MemoTables", "SpecKey", "attach_book", "book_of", "spec_key"]

V = TypeVar("V")

MemoTables = dict[str, dict[Hashable, Any]]
"""The tables of one market: memo name -> (key -> value)."""

_BOOKS: weakref.WeakKeyDictionary[object, MemoBook] = weakref.WeakKeyDictionary()
_BOOKS_LOCK = threading.Lock()
_NAMES: set[str] = set()


class MemoBook:
    """Every memo table of one market object.

    Parameters
    ----------
    load : callable, optional
        Returns the tables to start from (an earlier process's); called once, at the
        first use of any memo on the market. None: start empty.
    persistent : bool
        Whether what the memos store is kept beyond this process.
    """

    def __init__(
        self, load: Callable[[], MemoTables] | None = None, *, persistent: bool = False
    ) -> None:
        self._load = load
        self._tables: MemoTables | None = None
        self._lock = threading.Lock()
        self.persistent = persistent

    def tables(self) -> MemoTables:
        """The tables (loaded on the first call)."""
        tables = self._tables
        if tables is None:
            with self._lock:
                if self._tables is None:
                    load, self._load = self._load, None
                    self._tables = load() if load is not None else {}
                tables = self._tables
        return tables

    def used(self) -> MemoTables | None:
        """The tables where any memo used them, else None (nothing loaded, nothing new)."""
        return self._tables


def book_of(market: object, create: bool = True) -> MemoBook | None:
    """The `MemoBook` of ``market`` (made empty where ``create``); None where it has none
    or cannot have one (not weakly referable, or unhashable)."""
    try:
        book = _BOOKS.get(market)
        if book is None and create:
            with _BOOKS_LOCK:
                book = _BOOKS.get(market)
                if book is None:
                    book = _BOOKS[market] = MemoBook()
    except TypeError:
        return None
    return book


def attach_book(market: object, book: MemoBook) -> bool:
    """Make ``book`` the memo book of ``market``; False (nothing attached) where the
    market already has one or cannot have one."""
    try:
        with _BOOKS_LOCK:
            if market in _BOOKS:
                return False
            _BOOKS[market] = book
    except TypeError:
        return False
    return True


class SpecKey:
    """A frozen spec (a pydantic model or a frozen dataclass) as a memo key part: its class
    and every field's value, floats as ``(type, float.hex)`` (NaN and -0.0 hit themselves),
    nested specs and sequences likewise. Equal parts are equal keys; the hash is worked out
    once (and again in a process that unpickles it: string hashes differ by process).
    """

    __slots__ = ("_hash", "parts")

    def __init__(self, parts: tuple[Hashable, ...]) -> None:
        self.parts = parts
        self._hash = hash(parts)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(other) is not SpecKey:
            return NotImplemented
        return self._hash == other._hash and self.parts == other.parts

    def __reduce__(self) -> tuple[type[SpecKey], tuple[tuple[Hashable, ...]]]:
        return SpecKey, (self.parts,)

    def __repr__(self) -> str:
        return f"SpecKey{self.parts!r}"


_SPEC_KEYS: dict[int, tuple[object, SpecKey]] = {}  # id -> (the spec, kept alive; its key)
_SPEC_KEYS_LIMIT = 4096


def _part(value: object) -> Hashable:
    if type(value) is float:
        return ("float", value.hex())
    if isinstance(value, BaseModel) or dataclasses.is_dataclass(value):
        return spec_key(value)
    if isinstance(value, tuple | list | frozenset):
        return (type(value).__name__, tuple(_part(v) for v in value))
    if isinstance(value, Hashable):
        return (type(value).__name__, value)
    raise TypeError(f"a spec field of type {type(value).__name__} cannot key a memo")


def spec_key(spec: object) -> SpecKey:
    """The `SpecKey` of ``spec`` (worked out once per object: specs are frozen)."""
    got = _SPEC_KEYS.get(id(spec))
    if got is not None and got[0] is spec:
        return got[1]
    if isinstance(spec, BaseModel):
        items = [(name, getattr(spec, name)) for name in type(spec).model_fields]
    elif dataclasses.is_dataclass(spec) and not isinstance(spec, type):
        items = [(f.name, getattr(spec, f.name)) for f in dataclasses.fields(spec)]
    else:
        raise TypeError(f"{type(spec).__name__} is not a spec (pydantic model or dataclass)")
    cls = type(spec)
    key = SpecKey((f"{cls.__module__}.{cls.__qualname__}", *((n, _part(v)) for n, v in items)))
    if len(_SPEC_KEYS) >= _SPEC_KEYS_LIMIT:
        _SPEC_KEYS.pop(next(iter(_SPEC_KEYS)))
    _SPEC_KEYS[id(spec)] = (spec, key)
    return key


class MarketMemo(Generic[V]):
    """A bounded ``key -> value`` table per market object (weakly held).

    Parameters
    ----------
    limit : int
        Most entries kept per market; past it the oldest entry is dropped first
        (insertion order), so a long sweep's memory stays bounded.
    name : str
        The table's name in each market's `MemoBook` (unique per memo).
    """

    def __init__(self, limit: int, name: str) -> None:
        if limit < 1:
            raise ValueError(f"a memo keeps at least one entry, got limit={limit}")
        if name in _NAMES:
            raise ValueError(f"a memo named {name!r} exists already")
        _NAMES.add(name)
        self._limit = limit
        self.name = name
        self._tables: weakref.WeakKeyDictionary[object, dict[Hashable, V]]
        self._tables = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _table(self, market: object, create: bool) -> dict[Hashable, V] | None:
        try:
            table = self._tables.get(market)
            if table is None:
                book = book_of(market, create)
                if book is None:
                    return None
                tables = book.tables()
                table = tables.get(self.name)
                if table is None and create:
                    table = tables[self.name] = {}
                if table is not None:
                    self._tables[market] = table
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
