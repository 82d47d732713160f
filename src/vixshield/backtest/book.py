"""The open book's legs as arrays, built once per set of open legs (not once per day).

A position's legs do not change while it is open (a settlement or a close replaces its
legs tuple), so everything the daily loop derives from the legs alone (the quote
requests by underlying, the table column of each leg, strikes, call flags, ratios, the
first expiry of each position) is built when the set of open legs changes and reused on
the days it does not. `BookCache` keeps the few books of the current days.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray
from vixshield.backtest.portfolio import OpenPosition, QuoteKey, leg_key
from vixshield.backtest.shock import Shock, shock_multipliers
from vixshield.strategy.types import Leg

__all__ = ["BookCache", "BookLegs", "QuoteKey", "QuoteRequest", "leg_key", "quote_requests"]


@dataclass(frozen=True)
class QuoteRequest:
    """One `MarketView.quote` call: the distinct options of one underlying, in first-seen order.

    Attributes
    ----------
    underlying : str
    keys : list of QuoteKey
        `leg_key` of each requested option, in request order.
    expiry : list of Timestamp
    strike : ndarray
        Index points (float64).
    right : list of str
    """

    underlying: str
    keys: list[QuoteKey]
    expiry: list[pd.Timestamp]
    strike: FloatArray
    right: list[str]


def quote_requests(
    keys: Sequence[QuoteKey], legs: Sequence[Leg], known: Container[QuoteKey] = ()
) -> tuple[QuoteRequest, ...]:
    """The `QuoteRequest` per underlying (first-seen order) that fetch each distinct option
    of ``legs`` (``keys``: their `leg_key`) once, leaving out the keys in ``known``."""
    todo: dict[str, dict[QuoteKey, Leg]] = {}
    for key, lg in zip(keys, legs, strict=True):
        if key not in known:  # key[0]: the leg's underlying
            todo.setdefault(key[0], {}).setdefault(key, lg)
    return tuple([_request(und, want) for und, want in todo.items()])


def _request(underlying: str, want: dict[QuoteKey, Leg]) -> QuoteRequest:
    """The `QuoteRequest` of the options ``want`` (`leg_key` -> a leg), in its order."""
    keys = list(want)
    return QuoteRequest(
        underlying,
        keys,
        [lg.expiry for lg in want.values()],
        np.array([k[2] for k in keys], dtype=np.float64),  # float(strike)
        [k[3] for k in keys],  # the right
    )


@dataclass(frozen=True, eq=False)
class BookLegs:
    """The legs of a list of open positions, concatenated in position then leg order.

    Attributes
    ----------
    legs_of : tuple of tuple of Leg
        Each position's legs tuple (the identity of the book).
    legs : list of Leg
        All legs, flat.
    keys : list of QuoteKey
        `leg_key` of each leg.
    bounds : list of (int, int)
        Each position's slice ``[start, stop)`` of the flat legs.
    lengths : ndarray
        Each position's number of legs (intp).
    requests : tuple of QuoteRequest
        The quote calls that fetch every leg once, by underlying in first-seen order;
        concatenated, their rows are the day's quote table when the book is quoted first.
    column_list : list of int
        Table column of each leg in the concatenated `requests`.
    is_vix, is_call : ndarray
        Per leg (bool).
    strikes, ratios : ndarray
        Per leg, index points and signed ratio (float64).
    first_expiry_days : list of int
        Each position's earliest expiry, whole days since 1970-01-01 (0 without legs).
    """

    legs_of: tuple[tuple[Leg, ...], ...]
    legs: list[Leg]
    keys: list[QuoteKey]
    bounds: list[tuple[int, int]]
    lengths: np.ndarray
    requests: tuple[QuoteRequest, ...]
    column_list: list[int]
    is_vix: np.ndarray
    is_call: np.ndarray
    strikes: FloatArray
    ratios: FloatArray
    first_expiry_days: list[int]
    _multipliers: dict[Shock, tuple[FloatArray, FloatArray]] = field(
        default_factory=dict, repr=False
    )
    _quantities: dict[tuple[int, ...], FloatArray] = field(default_factory=dict, repr=False)

    def quantities(self, contracts: tuple[int, ...]) -> FloatArray:
        """Signed contracts of each leg: its ratio x its position's ``contracts`` (float64).

        The last one asked is kept (the contracts change only when a position is cut).
        """
        got = self._quantities.get(contracts)
        if got is None:
            n = np.array(contracts, dtype=np.float64)
            got = self.ratios * np.repeat(n, self.lengths)
            self._quantities.clear()
            self._quantities[contracts] = got
        return got

    def multipliers(self, shock: Shock) -> tuple[FloatArray, FloatArray]:
        """`vixshield.backtest.shock.shock_multipliers` of the legs (kept per shock)."""
        got = self._multipliers.get(shock)
        if got is None:
            got = self._multipliers[shock] = shock_multipliers(self.is_vix, shock)
        return got

    @classmethod
    def build(cls, ops: Sequence[OpenPosition]) -> BookLegs:
        """The book of ``ops`` (their current legs, in this order), from their per-leg arrays."""
        legs_of = tuple([op.position.legs for op in ops])
        legs = [lg for pl in legs_of for lg in pl]
        keys = [k for op in ops for k in op.quote_keys]
        lengths = [len(pl) for pl in legs_of]
        ends = list(accumulate(lengths))
        requests = quote_requests(keys, legs)
        column = {k: i for i, k in enumerate([k for rq in requests for k in rq.keys])}
        arrays = [op.leg_arrays for op in ops]  # ratio, expiry day, strike, call, AM, VIX
        firsts = [op.first_expiry_day for op in ops]
        return cls(
            legs_of=legs_of,
            legs=legs,
            keys=keys,
            bounds=list(zip([0, *ends][:-1], ends, strict=True)),
            lengths=np.array(lengths, dtype=np.intp),
            requests=requests,
            column_list=[column[k] for k in keys],
            is_vix=_cat([a[5] for a in arrays], bool),
            is_call=_cat([a[3] for a in arrays], bool),
            strikes=_cat([a[2] for a in arrays], np.float64),
            ratios=_cat([a[0] for a in arrays], np.float64),
            first_expiry_days=[0 if d is None else d for d in firsts],
        )


def _cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    """The concatenation of per-position arrays (empty of ``dtype`` without positions)."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


class BookCache:
    """The `BookLegs` of the last few distinct sets of open legs (bounded, newest first).

    A book is found by the identity of its positions' legs tuples; the cached book holds
    those tuples, so an identity cannot be reused by another tuple while it is cached.
    A set of legs equal to a cached one but made of other tuples gets its own book (the
    same arrays).
    """

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._books: list[tuple[tuple[int, ...], BookLegs]] = []

    def book(self, ops: Sequence[OpenPosition]) -> BookLegs:
        """The book of ``ops`` (their current legs, in this order)."""
        ids = tuple([id(op.position.legs) for op in ops])
        books = self._books
        for i, (key, bk) in enumerate(books):
            if key == ids:
                if i:
                    books.insert(0, books.pop(i))
                return bk
        bk = BookLegs.build(ops)
        books.insert(0, (ids, bk))
        del books[self._size :]
        return bk
