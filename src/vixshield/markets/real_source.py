"""Real option chains (imported quotes): chains, quotes and strike lists of the dates they cover.

The rows come from a `ChainSource` a month at a time (`MonthRows`: whole quote
dates), read when a request needs one of its dates, and the two months after it
read and indexed ahead on a worker thread meanwhile (`RealChains._from_month`); the
last months read are kept indexed (`DEFAULT_CACHE_MONTHS`) and the last days'
blocks (`DEFAULT_CACHE_DAYS`), so a backtest over years of chains holds a few
months, not the chain:

* `vixshield.data.chains.ChainDataset`, the store's Parquet dataset (the catalogue
  says which dates exist without reading a file; a month is one file);
* `FrameChains`, a long frame in memory (`data.market.CHAIN_FRAME_COLUMNS`).

A month is indexed once, in the rows' own order and without copying them
(`_month_index`): ``(expiry day, strike, right)`` packed in one int64 key per
row (`_pack`), which is sorted within each date where the rows come by (expiry,
strike, right), as the dataset stores them (else the distinct keys are sorted
once, with the first row of each). A day's `RealBlock` is slices of the month's
arrays and a quote a vectorised ``searchsorted``; only the dates whose chain is
asked for are put in chain order (`RealBlock.order`; their expiries too, where
the rows are not in key order: `_expiry_heads`). A request
the block covers only in part is answered row by row: `RealChains.quote` says
which rows it served, and `Markets` prices the rest from the model, with the
origin of every row in `QuoteBlock.row_origins` (never a silent switch of the
whole request). Greeks come from the quoted implied vol (BSM on the spot with
the day's rate and dividend yield; Black-76 on the VX future for VIX).
"""

from __future__ import annotations

import bisect
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vixshield._daynumber import NS_PER_DAY
from vixshield._typing import FloatArray, Settlement, Underlying
from vixshield.data.market import CHAIN_FRAME_COLUMNS
from vixshield.errors import DataError, UserError
from vixshield.markets._days import t_years_days
from vixshield.markets.frames import expiry_columns, to_frame
from vixshield.markets.inputs import DayInputs
from vixshield.markets.types import Expiry, QuoteBlock
from vixshield.pricing import black76_greeks, bsm_greeks

__all__ = [
    "DEFAULT_CACHE_DAYS",
    "DEFAULT_CACHE_MONTHS",
    "ChainSource",
    "FrameChains",
    "MonthRows",
    "RealBlock",
    "RealChains",
]

_GREEKS = ("delta", "gamma", "vega", "theta")
FuturesFn = Callable[[DayInputs, np.ndarray], FloatArray]
"""``(day, expiry day numbers) -> VX futures``: `vix_source.ModeledVix.futures`."""

DEFAULT_CACHE_DAYS = 8
"""(date, underlying) blocks kept in memory (a condor's legs are quoted on a few dates)."""

DEFAULT_CACHE_MONTHS = 2
"""Month indexes (`_MonthIndex`) kept in memory (a backtest walks forward)."""

_MONTHS_AHEAD = 2
"""Months read and indexed ahead (`RealChains._read_ahead`): a month's read may take
longer than the day loop takes over a month on a loaded machine, not over two."""

MonthRows = tuple[pa.Table, tuple[pd.Timestamp, ...], tuple[int, ...]]
"""Whole quote dates of a chain, one after the other: ``(table, days, rows)``.

``table`` has the columns root, expiry (date), settlement, strike, right, bid, ask, iv
(text columns plain or dictionary-encoded); ``days`` the quote dates (midnight) in
the order of their rows; ``rows`` the row count of each (`ChainDataset.month`, a
`vixshield.data.chains.dataset.ChainMonth`, is one)."""

_STRIKE_SCALE = 1000.0  # strikes are keyed in thousandths of an index point
_DAY_SHIFT = 41  # key bits below the expiry day: 2 * strike * 1000 < 2**41 (strikes < 1.1e9)
_MAX_STRIKE = 2.0**40 / _STRIKE_SCALE  # index points: strikes the keys hold
_MAX_DAY = 2**22  # expiry days since 1970 the keys hold (|day| < 2**22: years -9513..13453)
_MAX_STAMPS = 65_536  # expiry Timestamps memoised (`RealChains._stamp`): cleared when full
_ROW_COLUMNS = ("root", "expiry", "settlement", "strike", "right", "bid", "ask", "iv")


class ChainSource(Protocol):
    """Where real chains come from: whole quote dates at a time (a month of the dataset).

    `month` may run on a worker thread (`RealChains` reads the next months ahead)
    while `has` and `next_month` are called: never two `month` calls at once.
    """

    def has(self, date: pd.Timestamp, underlying: str) -> bool:
        """Whether the source holds rows of ``date`` and ``underlying`` (cheap)."""
        ...

    def month(self, date: pd.Timestamp, underlying: str) -> MonthRows | None:
        """Rows of whole dates, ``date`` among them (its calendar month, or fewer dates).

        See `MonthRows`; None where the source has no rows of ``date``.
        """
        ...

    def next_month(self, date: pd.Timestamp, underlying: str) -> pd.Timestamp | None:
        """The first date of ``underlying`` after ``date``'s calendar month, None after the last.

        The month a backtest walking forward reads next (`RealChains` reads and
        indexes it and the one after ahead, on a worker thread).
        """
        ...


class FrameChains:
    """A `ChainSource` over a long chain frame in memory (`CHAIN_FRAME_COLUMNS`)."""

    def __init__(self, chains: pd.DataFrame) -> None:
        missing = [c for c in CHAIN_FRAME_COLUMNS if c not in chains.columns]
        if missing:
            raise UserError(f"real chain frame lacks columns: {', '.join(missing)}")
        c = chains.copy()
        c["quote_date"] = pd.to_datetime(c["quote_date"]).dt.normalize()
        c["expiry"] = pd.to_datetime(c["expiry"]).dt.normalize()
        c["right"] = c["right"].astype(str).str.upper().str[0]
        self._groups = {
            (pd.Timestamp(str(d)), str(u)): g
            for (d, u), g in c.groupby(["quote_date", "underlying"], sort=True)
        }
        self._months: dict[tuple[int, int, str], MonthRows] = {}
        self._dates: dict[str, list[pd.Timestamp]] = {}
        for d, u in self._groups:  # sorted by date
            self._dates.setdefault(u, []).append(d)

    def __len__(self) -> int:
        return sum(len(g) for g in self._groups.values())

    def has(self, date: pd.Timestamp, underlying: str) -> bool:
        return (date, underlying) in self._groups

    def month(self, date: pd.Timestamp, underlying: str) -> MonthRows | None:
        """The dates of ``date``'s calendar month (converted to Arrow once per month)."""
        if (date, underlying) not in self._groups:
            return None
        key = (date.year, date.month, underlying)
        m = self._months.get(key)
        if m is None:
            days = [(d, g) for (d, u), g in self._groups.items()
                    if u == underlying and (d.year, d.month) == key[:2]]  # fmt: skip
            frame = pd.concat([g[list(_ROW_COLUMNS)] for _, g in days])
            text = {"root": str, "settlement": str, "right": str}
            table = pa.Table.from_pandas(frame.astype(text), preserve_index=False)
            m = self._months[key] = (
                table,
                tuple(d for d, _ in days),
                tuple(len(g) for _, g in days),
            )
        return m

    def next_month(self, date: pd.Timestamp, underlying: str) -> pd.Timestamp | None:
        dates = self._dates.get(underlying, [])
        i = bisect.bisect_left(dates, (date + pd.offsets.MonthBegin(1)).normalize())
        return dates[i] if i < len(dates) else None


@dataclass(frozen=True)
class RealBlock:
    """One (date, underlying) of the real chain as arrays, in the source's row order.

    ``keys`` are the rows' packed (expiry day, strike, right) keys (`_pack`),
    sorted, and ``rows`` the row of each (the first of a duplicated quote, first
    in chain order). Root and settlement are kept as codes into their few
    distinct values (`root`, `settlement` give them per row). The arrays are
    views of the month's (`_MonthIndex`); `order` puts the rows in chain order.
    ``keyed``: the rows come in key order (`_month_keys`, as the dataset stores
    them), so each expiry's rows are one run, its calls by strike (`_expiry_heads`).
    """

    expiry: np.ndarray  # datetime64[D]
    roots: np.ndarray  # object (str): distinct roots
    root_code: np.ndarray  # integers: row -> roots
    settlements: np.ndarray  # object (str): distinct settlement codes
    settlement_code: np.ndarray  # integers: row -> settlements
    strike: FloatArray
    call: np.ndarray  # bool
    bid: FloatArray
    ask: FloatArray
    iv: FloatArray
    keys: np.ndarray  # int64, sorted
    rows: np.ndarray  # int64
    pm: np.ndarray  # bool: settles PM (`_settlement`: anything but "AM"), else AM
    keyed: bool = False

    @cached_property
    def order(self) -> np.ndarray:
        """The rows in chain order: by expiry, calls first, strike (stable; int64 positions)."""
        ex = self.expiry.astype(np.int64)
        return _row_order(np.zeros(ex.size, np.int64), ex, ~self.call, self.strike)

    @cached_property
    def root(self) -> np.ndarray:
        """Root of each row (object array of str)."""
        out: np.ndarray = self.roots[self.root_code]
        return out

    @cached_property
    def settlement(self) -> np.ndarray:
        """Settlement code of each row (object array of str, ``"AM"``/``"PM"``)."""
        out: np.ndarray = self.settlements[self.settlement_code]
        return out

    @cached_property
    def listed(self) -> dict[pd.Timestamp, tuple[Expiry, ...]]:
        """Memo of `RealChains.expiries` by as-of date."""
        return {}

    def __len__(self) -> int:
        return int(self.strike.size)


def _pack(days: np.ndarray, strike: FloatArray, call: np.ndarray) -> np.ndarray:
    """One int64 key per option, ordered as (expiry day, strike, calls before puts)."""
    k = np.rint(np.asarray(strike, dtype=np.float64) * _STRIKE_SCALE).astype(np.int64)
    put = np.asarray(call, dtype=np.int64) ^ 1
    return (np.asarray(days, dtype=np.int64) << _DAY_SHIFT) | (k << 1) | put


def _codes(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A text column as (distinct values, object array; code of each row, integers).

    The chunks' dictionaries (the dataset reads these columns so; plain text is
    dictionary-encoded first) are unified in Arrow (``combine_chunks``): a month
    holds a few distinct values (SPX/SPXW, AM/PM, C/P), each decoded to Python once.
    """
    if isinstance(column, pa.ChunkedArray):
        if not column.num_chunks:
            return np.zeros(0, dtype=object), np.zeros(0, np.int32)
        column = column.combine_chunks()
    enc = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
    values = np.asarray(enc.dictionary.to_pylist(), dtype=object)
    return values, np.asarray(enc.indices.to_numpy(zero_copy_only=False))


def _rows_where(hit: np.ndarray, code: np.ndarray) -> np.ndarray:
    """``hit[code]``: a bool per row from a bool per distinct value (`_codes`).

    One comparison per value that hits (or that misses, where fewer miss) instead
    of a gather: a month has a few distinct values in many rows.
    """
    hits, misses = np.flatnonzero(hit).tolist(), np.flatnonzero(~hit).tolist()
    if len(hits) <= len(misses):
        out = np.zeros(code.size, dtype=bool)
        for j in hits:
            out |= code == j
        return out
    out = np.ones(code.size, dtype=bool)
    for j in misses:
        out &= code != j
    return out


def _row_order(
    day: np.ndarray, expiry: np.ndarray, put: np.ndarray, strike: FloatArray
) -> np.ndarray:
    """Stable order of the rows by (day, expiry, calls first, strike).

    ``np.lexsort((strike, expiry * 2 + put, day))``. Where the rows already come by
    (day, expiry), as the dataset stores them, that is one stable argsort of each row's
    (day, expiry) rank and right, kept where the strikes then come in increasing order
    within each (day, expiry, right) (else the lexsort itself: the same order).
    """
    put = np.asarray(put, dtype=np.int64)
    if day.size > 1 and not np.isnan(strike).any():
        group = (day << 32) + expiry  # exact: |expiry| < `_MAX_DAY` < 2**31 (`_month_index`)
        if (group[1:] >= group[:-1]).all():
            rank = np.zeros(day.size, dtype=np.int64)
            np.cumsum(group[1:] != group[:-1], out=rank[1:])
            key = (rank << 1) | put
            order = np.argsort(key, kind="stable")
            k, s = key[order], strike[order]
            if not ((k[1:] == k[:-1]) & (s[1:] < s[:-1])).any():
                return order
    return np.lexsort((strike, expiry * 2 + put, day))


@dataclass(frozen=True)
class _MonthIndex:
    """A `MonthRows` as arrays in its row order, with each date's sorted keys and their rows."""

    days: tuple[pd.Timestamp, ...]  # the quote dates, in row order
    at: dict[int, int]  # day number (days since 1970) -> day index
    start: np.ndarray  # int64: rows of day i are start[i]:start[i + 1]
    key_start: np.ndarray  # int64: keys of day i
    expiry: np.ndarray
    roots: np.ndarray
    root_code: np.ndarray
    settlements: np.ndarray
    settlement_code: np.ndarray
    strike: FloatArray
    call: np.ndarray
    bid: FloatArray
    ask: FloatArray
    iv: FloatArray
    keys: np.ndarray
    first: np.ndarray  # int64: row of each key within the month
    pm: np.ndarray
    keyed: bool  # rows in key order (`_month_keys`)

    def block(self, i: int) -> RealBlock | None:
        """Day ``i``'s block (views of the month's arrays), None where it has no row."""
        lo, hi = int(self.start[i]), int(self.start[i + 1])
        if hi == lo:
            return None
        klo, khi = int(self.key_start[i]), int(self.key_start[i + 1])
        return RealBlock(
            self.expiry[lo:hi], self.roots, self.root_code[lo:hi], self.settlements,
            self.settlement_code[lo:hi], self.strike[lo:hi], self.call[lo:hi], self.bid[lo:hi],
            self.ask[lo:hi], self.iv[lo:hi], self.keys[klo:khi], self.first[klo:khi] - lo,
            self.pm[lo:hi], self.keyed,
        )  # fmt: skip


def _month_index(month: MonthRows) -> _MonthIndex:
    """Key a month's rows once, in their order (`RealBlock` of every day: slices).

    Where a date's rows are not by (expiry, strike, right), its distinct keys are
    sorted, each with the row that comes first in chain order (`_row_order`).
    """
    table, dates, rows = month
    counts = np.asarray(rows, dtype=np.int64)
    if counts.size != len(dates) or int(counts.sum()) != table.num_rows:
        raise ValueError("a chain month's rows must count every row of its table, day by day")

    def f64(c: str) -> FloatArray:
        return np.asarray(table.column(c).to_numpy(), dtype=np.float64)

    expiry = np.asarray(table.column("expiry").to_numpy(), dtype="datetime64[D]")
    ex = expiry.view(np.int64)
    strike = f64("strike")
    rights, right = _codes(table.column("right"))
    put = _rows_where(rights != "C", right)
    start = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    keys, keyed = _month_keys(ex, strike, put, start)
    if keyed:  # each row is its key's first in chain order
        first, key_start = np.arange(keys.size, dtype=np.int64), start
    else:
        day = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
        chain = _row_order(day, ex, put, strike)
        order = chain[np.lexsort((keys[chain], day[chain]))]  # by (day, key), chain order
        kd, kk = day[order], keys[order]
        new = np.ones(kk.size, dtype=bool)
        new[1:] = (kk[1:] != kk[:-1]) | (kd[1:] != kd[:-1])
        keys, first = kk[new], order[new].astype(np.int64)
        key_start = np.searchsorted(kd[new], np.arange(start.size)).astype(np.int64)
    roots, root = _codes(table.column("root"))
    settlements, settlement = _codes(table.column("settlement"))
    pm = _rows_where(settlements != "AM", settlement)
    at = {int(d.value // NS_PER_DAY): i for i, d in enumerate(dates)}
    return _MonthIndex(tuple(dates), at, start, key_start, expiry, roots, root,
                       settlements, settlement, strike, ~put, f64("bid"), f64("ask"), f64("iv"),
                       keys, first, pm, keyed)  # fmt: skip


def _month_keys(
    ex: np.ndarray, strike: FloatArray, put: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, bool]:
    """`_pack` of a month's rows (``ex`` int64 expiry days, ``put`` bool), and whether
    every date's rows come by (expiry, strike, calls first), as the dataset stores
    them, with strikes the keys hold: their keys are then sorted, and each key's
    first row in chain order is its first row (`_real_kernels.month_keys`: one pass,
    without the GIL). A `DataError` where an expiry is NaT or beyond the keys' days.
    """
    from vixshield.markets import _real_kernels as kernels

    keys, outcome = kernels.month_keys(
        np.ascontiguousarray(ex, dtype=np.int64),
        np.ascontiguousarray(strike, dtype=np.float64),
        np.ascontiguousarray(put, dtype=np.bool_),
        start,
        _MAX_DAY,
        _MAX_STRIKE,
        _STRIKE_SCALE,
        _DAY_SHIFT,
    )
    if outcome == kernels.BAD_DAYS:
        raise DataError("chain expiries must be dates (NaT or beyond the year 9999 are not)")
    return keys, outcome == kernels.KEYED


def _expiry_heads(block: RealBlock) -> np.ndarray:
    """Each expiry's first row in chain order (`RealBlock.order`), by expiry: int64 rows.

    In key order (`RealBlock.keyed`) without sorting: an expiry's rows are one run
    with its calls by strike (ties in row order), so its first call row, or its first
    row where it has no call. Else from `RealBlock.order`.
    """
    if not block.keyed:
        o = block.order
        _, first = np.unique(block.expiry[o], return_index=True)
        out: np.ndarray = o[first]
        return out
    ex = block.expiry.view(np.int64)
    heads = np.flatnonzero(np.concatenate(([True], ex[1:] != ex[:-1])))
    calls = np.flatnonzero(block.call)
    run = np.searchsorted(heads, calls, side="right") - 1  # sorted: calls come by expiry
    at = np.flatnonzero(np.concatenate(([True], run[1:] != run[:-1]))) if run.size else run
    heads[run[at]] = calls[at]
    return heads


def _t_years(date: pd.Timestamp, block: RealBlock, pos: np.ndarray) -> FloatArray:
    """`listing.t_years_to_settlement` of the block's rows ``pos`` at ``date``
    (`_days.t_years_days`: the arithmetic of `listing.t_years_in_days`, the same floats)."""
    return t_years_days(date.value // NS_PER_DAY, block.expiry[pos].view(np.int64), ~block.pm[pos])


def _greeks(g: Mapping[str, float | FloatArray]) -> dict[str, FloatArray]:
    """The four chain greeks as float arrays."""
    return {k: np.atleast_1d(np.asarray(g[k], dtype=np.float64)) for k in _GREEKS}


def _settlement(s: object) -> Settlement:
    return "AM" if str(s) == "AM" else "PM"


class RealChains:
    """Real chains answered per (date, underlying), read lazily from a `ChainSource`.

    Parameters
    ----------
    source : ChainSource or DataFrame
        The chains (a frame is wrapped in `FrameChains`).
    futures : callable
        VX futures per (day, expiry day numbers), for VIX greeks.
    cache_days : int
        Blocks kept (least recently used dropped first).
    cache_months : int
        Month indexes kept (least recently used dropped first).
    """

    def __init__(
        self,
        source: ChainSource | pd.DataFrame,
        futures: FuturesFn,
        cache_days: int = DEFAULT_CACHE_DAYS,
        cache_months: int = DEFAULT_CACHE_MONTHS,
    ) -> None:
        self._source: ChainSource = (
            FrameChains(source) if isinstance(source, pd.DataFrame) else source
        )
        self._blocks: OrderedDict[tuple[pd.Timestamp, str], RealBlock] = OrderedDict()
        self._months: OrderedDict[tuple[int, str], _MonthIndex] = OrderedDict()
        self._cache_days = max(1, cache_days)
        self._cache_months = max(1, cache_months)
        self._futures = futures
        self._stamps: dict[int, pd.Timestamp] = {}
        self._ahead: deque[Future[_MonthIndex | None]] = deque()  # months indexed ahead, in order
        self._ahead_of: Underlying = "SPX"  # their underlying
        self._ahead_last = pd.Timestamp(0)  # a date of the last month asked for ahead
        self._worker: ThreadPoolExecutor | None = None  # started at the first read ahead

    def __getstate__(self) -> dict[str, object]:
        """Pickled without its worker thread and the months read ahead (waited for first)."""
        self._take_ahead(None, self._ahead_of)
        state = self.__dict__.copy()
        state["_worker"] = None
        return state

    def block(self, date: pd.Timestamp, underlying: Underlying) -> RealBlock | None:
        """The real rows of ``date`` and ``underlying``, None where the chain has none."""
        key = (date, underlying)
        b = self._blocks.get(key)
        if b is not None:
            self._blocks.move_to_end(key)
            return b
        if not self._source.has(date, underlying):
            return None
        b = self._from_month(date, underlying)
        if b is None:
            return None
        self._blocks[key] = b
        if len(self._blocks) > self._cache_days:
            self._blocks.popitem(last=False)
        return b

    def _from_month(self, date: pd.Timestamp, underlying: Underlying) -> RealBlock | None:
        """``date``'s block from its month's index (indexed once a month, last few kept).

        The two months after the one indexed last (`ChainSource.next_month`) are read
        and indexed ahead on a worker thread while the days of this one are served
        (Arrow's read and most NumPy passes release the GIL, so on two cores it costs
        the day loop little wall time), then used once a request asks for one of their
        dates (`_read_ahead`). The source is read by one thread at a time (a request
        waits for the months pending), and a month whose read ahead failed is read
        again here (the month after it is not read ahead), so that its error is raised
        where it was without the thread.
        """
        dn = date.value // NS_PER_DAY
        for key, kept in self._months.items():
            i = kept.at.get(dn) if key[1] == underlying else None
            if i is not None:
                self._months.move_to_end(key)
                return kept.block(i)
        m = self._take_ahead(dn, underlying)
        if m is None:
            month = self._source.month(date, underlying)
            if month is None or not month[1]:
                return None
            m = _month_index(month)
            if dn not in m.at:
                raise DataError(f"the {underlying} chain of {date.date()} lacks that date's rows")
        self._months[(m.days[0].value, underlying)] = m
        if len(self._months) > self._cache_months:
            self._months.popitem(last=False)
        self._read_ahead(m.days[-1], underlying)
        return m.block(m.at[dn])

    def _read_ahead(self, last: pd.Timestamp, underlying: Underlying) -> None:
        """Have the `_MONTHS_AHEAD` months after ``last``'s (``underlying``) read and
        indexed on the worker, after those pending (`_take_ahead` leaves only the months
        after the one it hands out pending, else none)."""
        date = self._ahead_last if self._ahead else last
        while len(self._ahead) < _MONTHS_AHEAD:
            following = self._source.next_month(date, underlying)
            if following is None:
                return
            if self._worker is None:
                self._worker = ThreadPoolExecutor(1, thread_name_prefix="vixshield-chain")
            after = self._ahead[-1] if self._ahead else None
            self._ahead.append(self._worker.submit(self._index, following, underlying, after))
            self._ahead_of, self._ahead_last = underlying, following
            date = following

    def _take_ahead(self, dn: int | None, underlying: Underlying) -> _MonthIndex | None:
        """The month indexed ahead that holds day number ``dn`` of ``underlying``, once it
        is done (those before it dropped, as is a failed read: read again on request);
        None, with every month pending dropped once done, where none holds it."""
        while self._ahead:
            ahead = self._ahead.popleft()
            try:
                m = ahead.result()
            except Exception:  # read again where it is asked for: its error raised in its place
                continue
            if m is not None and self._ahead_of == underlying and dn in m.at:
                return m
        return None

    def _index(
        self, date: pd.Timestamp, underlying: Underlying, after: Future[_MonthIndex | None] | None
    ) -> _MonthIndex | None:
        """`_month_index` of ``date``'s month (the work done ahead), None where it has none
        or where the read of the month before it (``after``, done: the worker runs one
        task at a time) failed: only the month that failed is read again, on request."""
        if after is not None and after.exception() is not None:
            return None
        month = self._source.month(date, underlying)
        return None if month is None or not month[1] else _month_index(month)

    def _stamp(self, day: int) -> pd.Timestamp:
        """``pd.Timestamp`` of an expiry's ``datetime64[D]`` (day number since 1970), memoised."""
        ts = self._stamps.get(day)
        if ts is None:
            if len(self._stamps) >= _MAX_STAMPS:
                self._stamps.clear()
            ts = self._stamps[day] = pd.Timestamp(np.datetime64(day, "D"))
        return ts

    def _expiries_of(
        self, day: DayInputs, block: RealBlock, rows: np.ndarray
    ) -> tuple[Expiry, ...]:
        """The expiries of the block's ``rows`` (`_days.t_years_days`: the floats of
        `listing.t_years_to_settlement`)."""
        ex = block.expiry[rows].view(np.int64)
        t = t_years_days(day.date.value // NS_PER_DAY, ex, ~block.pm[rows])
        fields = [
            (self._stamp(d), str(r), _settlement(s))
            for d, r, s in zip(
                ex.tolist(),
                block.roots[block.root_code[rows]].tolist(),
                block.settlements[block.settlement_code[rows]].tolist(),
                strict=True,
            )
        ]
        return Expiry.many_at(fields, t.tolist())

    def _expiry(self, day: DayInputs, block: RealBlock, i: int) -> Expiry:
        """Row ``i``'s expiry (`_expiries_of`)."""
        return self._expiries_of(day, block, np.array([i], dtype=np.int64))[0]

    def expiries(self, day: DayInputs, block: RealBlock) -> list[Expiry]:
        """The block's expirations with their times to settlement (root and settlement of
        each expiry's first row in chain order; built once per date)."""
        listed = block.listed.get(day.date)
        if listed is None:
            listed = self._expiries_of(day, block, _expiry_heads(block))
            block.listed[day.date] = listed
        return list(listed)

    def strikes(self, block: RealBlock, expiry: pd.Timestamp, day: DayInputs) -> FloatArray:
        """Strikes of one expiry of the block; a `UserError` where it has none."""
        sel = block.expiry == np.datetime64(expiry.date(), "D")
        if not sel.any():
            raise UserError(f"expiry {expiry.date()} is not in the real chain on {day.date.date()}")
        return np.unique(block.strike[sel])

    def chain(
        self, day: DayInputs, underlying: Underlying, block: RealBlock, expiry: pd.Timestamp | None
    ) -> pd.DataFrame:
        """The block as a chain table (all expiries, or only ``expiry``), in chain order."""
        o = block.order
        want = np.ones(len(block), dtype=bool)
        if expiry is not None:
            want = block.expiry[o] == np.datetime64(expiry.date(), "D")
        if not want.any():
            raise UserError(
                f"{underlying} expiry {expiry} is not in the real chain on {day.date.date()}"
            )
        groups = pd.DataFrame({"e": block.expiry[o], "r": block.root[o],
                               "s": block.settlement[o]})[want]  # fmt: skip
        frames = []
        for _, g in groups.groupby(["e", "r", "s"], sort=True):
            idx = o[g.index.to_numpy()]
            ex = self._expiry(day, block, int(idx[0]))
            k, is_call, iv = block.strike[idx], block.call[idx], block.iv[idx]
            t = max(ex.t_years, 1e-6)
            if underlying == "SPX":
                fwd = day.spot * float(np.exp((day.rate - day.q) * t))
                gr = _greeks(bsm_greeks(day.spot, k, t, day.rate, day.q, iv, is_call))
            else:
                fwd = float(
                    self._futures(day, np.array([int(block.expiry[idx[0]].astype(np.int64))]))[0]
                )
                gr = _greeks(black76_greeks(fwd, k, t, day.rate, iv, is_call))
            bid, ask = block.bid[idx], block.ask[idx]
            frames.append(
                expiry_columns(ex, k, is_call, bid, ask, 0.5 * (bid + ask), iv, gr, fwd, "real")
            )
        return to_frame(frames)

    def quote(
        self,
        day: DayInputs,
        underlying: Underlying,
        block: RealBlock,
        ed: np.ndarray,
        k: FloatArray,
        call: np.ndarray,
    ) -> tuple[QuoteBlock, np.ndarray]:
        """Quotes of the requested options the block holds, and the mask of those rows.

        Rows the block does not hold are NaN in the returned block (``mask`` False).
        """
        n = k.size
        want = _pack(ed, k, call)
        keys = block.keys
        if keys.size:
            at = np.searchsorted(keys, want)
            np.minimum(at, keys.size - 1, out=at)
            mask = keys[at] == want
        else:
            at, mask = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
        if n and mask.all():  # the usual request: every row real, no NaN filling
            pos = block.rows[at]
            t = _t_years(day.date, block, pos)
            bid, ask, iv, fwd, g = self._priced(day, underlying, block, pos, t, ed, k, call)
            qb = QuoteBlock(bid, ask, 0.5 * (bid + ask), iv, g["delta"], g["gamma"], g["vega"],
                            g["theta"], fwd, t, "real")  # fmt: skip
            return qb, mask
        out = {f: np.full(n, np.nan) for f in ("bid", "ask", "iv", "t", "fwd", *_GREEKS)}
        if mask.any():
            pos = block.rows[at[mask]]
            t = _t_years(day.date, block, pos)
            bid, ask, iv, fwd, g = self._priced(
                day, underlying, block, pos, t, ed[mask], k[mask], call[mask]
            )
            for name, values in (("bid", bid), ("ask", ask), ("iv", iv), ("t", t), ("fwd", fwd)):
                out[name][mask] = values
            for name in _GREEKS:
                out[name][mask] = g[name]
        qb = QuoteBlock(
            out["bid"], out["ask"], 0.5 * (out["bid"] + out["ask"]), out["iv"],
            out["delta"], out["gamma"], out["vega"], out["theta"], out["fwd"], out["t"], "real",
        )  # fmt: skip
        return qb, mask

    def _priced(
        self,
        day: DayInputs,
        underlying: Underlying,
        block: RealBlock,
        pos: np.ndarray,
        t: FloatArray,
        ed: np.ndarray,
        k: FloatArray,
        call: np.ndarray,
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, dict[str, FloatArray]]:
        """Bid, ask, iv, forward and greeks of the block's rows ``pos`` (the options
        ``ed, k, call``; ``t`` years to settlement)."""
        tl = np.maximum(t, 1e-6)
        iv = block.iv[pos]
        if underlying == "SPX":
            fwd = day.spot * np.exp((day.rate - day.q) * tl)
            g = _greeks(bsm_greeks(day.spot, k, tl, day.rate, day.q, iv, call))
        else:
            fwd = self._futures(day, ed)
            g = _greeks(black76_greeks(fwd, k, tl, day.rate, iv, call))
        return block.bid[pos], block.ask[pos], iv, fwd, g
