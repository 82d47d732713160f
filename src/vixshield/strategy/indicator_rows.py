"""The indicator frame's rows as Python values, read once per frame content.

`decide` (`vixshield.strategy.engine`) looks each close's row up here: the columns as
Python values (`_Columns.rows`, `_Row`), and the regime inputs and event distances of
every row through their per-value rules (`_Columns.derived`, `_Columns.mapping`). The
rows of a frame are kept for the frame object and for its content (`_columns`). The
names are private to the engine.
"""

from __future__ import annotations

import math
import pickle
import weakref
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any, NamedTuple, cast

import numpy as np
import pandas as pd

from vixshield._typing import IntArray
from vixshield.strategy.regime import ABSENT, regime_input

__all__: list[str] = []  # read by `vixshield.strategy.engine.decide`

_PLAIN = frozenset({str, int, bool, type(None)})  # returned as they are


def _cell(v: object) -> object:
    """A row value as `decide` hands it out: numpy floats and bools as Python ones."""
    if isinstance(v, np.floating):
        return float(v)
    return bool(v) if isinstance(v, np.bool_) else v


class _Columns:
    """The rows of an indicator frame, read once, for O(1) row reads in `decide`.

    Made from a frame's `_Reading` (`_columns`: once per frame content). `derived`
    keeps a column read through a per-value rule (the regime inputs, the event
    distances), all rows at once, so a close looks its values up instead of
    converting them.
    """

    def __init__(self, reading: _Reading) -> None:
        self.reading = reading
        self.index = reading.dates
        self.names = reading.names
        cols: list[list[object]] = []
        floats: dict[str, bool] = {}  # name -> its column holds Python floats only
        for name, a in zip(self.names, reading.arrays, strict=True):
            kind = a.dtype.kind
            floats[name] = kind == "f"
            if kind in "fb":  # ``tolist``: the Python floats / bools `_cell` makes
                cols.append(a.tolist())
            elif kind == "O":  # objects as they are, numpy floats / bools among them converted
                cols.append(
                    [v if type(v) in _PLAIN or type(v) is float else _cell(v) for v in a.tolist()]
                )
            else:  # ints, dates: the numpy scalars ``a[i]`` gives (`_cell` keeps them)
                cols.append(list(a))
        self.rows = list(zip(*cols, strict=True)) if cols else [()] * reading.length
        self.by_name = dict(zip(self.names, cols, strict=True))  # a repeated name: the last
        self.keys = tuple(self.by_name)
        self.floats = frozenset(k for k, f in floats.items() if f)
        self._derived: dict[tuple[str, str], list[object]] = {}
        self._tables: dict[_Spec, tuple[tuple[str, list[object]], ...]] = {}
        self._rows: dict[_Spec, tuple[tuple[str, ...], list[tuple[object, ...]]]] = {}
        self._at: dict[int, int] | None = None

    def position(self, ns: int) -> int:
        """Row of the last date on or before ``ns`` (nanoseconds since the epoch); -1: none.

        A date of the frame is looked up (a dict of the dates, made on first use);
        any other is placed by bisection.
        """
        at = self._at
        if at is None:
            at = self._at = dict(zip(self.index.tolist(), range(len(self.index)), strict=True))
        i = at.get(ns)
        if i is None:
            i = int(self.index.searchsorted(ns, side="right")) - 1
        return i

    def mapping(self, spec: _Spec, i: int) -> dict[str, object]:
        """``{key: derived(column, kind)[i]}`` of ``spec`` (`table`), a new dict each call."""
        got = self._rows.get(spec)
        if got is None:
            if len(self._rows) >= _MAX_TABLES:  # the bound of `table`
                self._rows.clear()
            table = self.table(spec)
            keys = tuple(key for key, _ in table)
            cols = [col for _, col in table]
            got = (keys, list(zip(*cols, strict=True)) if cols else [()] * len(self.rows))
            self._rows[spec] = got
        return dict(zip(got[0], got[1][i], strict=True))

    def row(self, i: int) -> dict[str, object]:
        """Row ``i`` as a dict in column order."""
        return dict(zip(self.names, self.rows[i], strict=True))

    def derived(self, name: str, kind: str) -> list[object]:
        """Column ``name`` through `_RULES` ``[kind]``, one value per row (absent: `ABSENT`'s)."""
        got = self._derived.get((name, kind))
        if got is None:
            col = self.by_name.get(name)
            if col is None:
                got = [_RULES[kind](ABSENT)] * len(self.rows)
            elif name in self.floats and kind in _ON_FLOATS:  # the rule inlined on floats
                got = _ON_FLOATS[kind](cast(list[float], col))
            else:
                rule = _RULES[kind]
                got = [rule(v) for v in col]
            self._derived[(name, kind)] = got
        return got

    def table(self, spec: _Spec) -> tuple[tuple[str, list[object]], ...]:
        """``(key, derived(column, kind))`` of each ``(key, column, kind)`` of ``spec``."""
        got = self._tables.get(spec)
        if got is None:
            if len(self._tables) >= _MAX_TABLES:  # a bound: a sweep's specs come and go
                self._tables.clear()
            got = tuple((key, self.derived(name, kind)) for key, name, kind in spec)
            self._tables[spec] = got
        return got


_Spec = tuple[tuple[str, str, str], ...]  # (key, column, `_RULES` kind) of a table
_MAX_TABLES = 64  # tables kept per frame


class _Row(Mapping[str, object]):
    """Row ``i`` of `_Columns` as a read-only mapping, each value looked up when read."""

    __slots__ = ("_cols", "_i")

    def __init__(self, cols: _Columns, i: int) -> None:
        self._cols, self._i = cols, i

    def __getitem__(self, key: str) -> object:
        return self._cols.by_name[key][self._i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cols.keys)

    def __len__(self) -> int:
        return len(self._cols.keys)


_CACHE: dict[int, tuple[weakref.ref[pd.DataFrame], _Columns]] = {}
"""id(frame) -> (the frame, its rows): a read cache, checked by weakref (the indicator
frame of a run is never changed after `compute_indicators` returns it)."""
_KEPT: list[_Columns] = []  # the rows of the last frames read, by content (newest last)
_MAX_KEPT = 4  # a sweep's variants share a few indicator frames (each run its own copy)


def _columns(frame: pd.DataFrame) -> _Columns:
    """The rows of ``frame``: those of the same frame object, else of a frame read before
    with the same content (`_same`: every value the rows are made of, bit for bit), else
    read now. A backtest hands each run its own copy of the market's indicator frame, so
    a sweep's variants read the frame's rows once, not once a run."""
    got = _CACHE.get(id(frame))
    if got is not None and got[0]() is frame:
        return got[1]
    for key in [k for k, (ref, _) in _CACHE.items() if ref() is None]:
        del _CACHE[key]
    reading = _read(frame)
    cols = next((c for c in reversed(_KEPT) if _same(c.reading, reading)), None)
    if cols is None:
        cols = _Columns(_kept(reading))
        _KEPT.append(cols)
        del _KEPT[:-_MAX_KEPT]
    _CACHE[id(frame)] = (weakref.ref(frame), cols)
    return cols


class _Reading(NamedTuple):
    """What `_Columns` reads of a frame: the dates (ns since the epoch), the column names
    as strings, each column's ``to_numpy()`` in column order, the number of rows."""

    dates: IntArray
    names: tuple[str, ...]
    arrays: tuple[np.ndarray[Any, Any], ...]
    length: int


def _read(frame: pd.DataFrame) -> _Reading:
    """The `_Reading` of ``frame`` (its arrays may be views of the frame's own)."""
    return _Reading(
        pd.DatetimeIndex(frame.index).to_numpy(dtype="datetime64[ns]").view(np.int64),
        tuple(str(c) for c in frame.columns),
        tuple(frame[c].to_numpy() for c in frame.columns),
        len(frame),
    )


def _kept(reading: _Reading) -> _Reading:
    """``reading`` with arrays of its own (a later change to the frame does not reach it)."""
    return reading._replace(
        dates=reading.dates.copy(), arrays=tuple(a.copy() for a in reading.arrays)
    )


def _same(a: _Reading, b: _Reading) -> bool:
    """Whether two readings hold the same values bit for bit: numeric columns by their
    bytes, object columns by their pickles (the type and exact value of every item: 1 is
    not 1.0 nor True, -0.0 is not 0.0; items shared differently pickle differently, so
    such columns read as different, never the reverse)."""
    if a.length != b.length or a.names != b.names or a.dates.tobytes() != b.dates.tobytes():
        return False
    for x, y in zip(a.arrays, b.arrays, strict=True):
        if x.dtype != y.dtype or x.shape != y.shape:
            return False
        if x.dtype.kind != "O":
            if x.tobytes() != y.tobytes():
                return False
        elif pickle.dumps(x.tolist(), _PROTOCOL) != pickle.dumps(y.tolist(), _PROTOCOL):
            return False
    return True


_PROTOCOL = 5  # pickle protocol of `_same` (floats as their 8 bytes)


def _float(v: object) -> float:
    """A float from a row value; NaN for None, strings and other non-numbers."""
    return float(v) if isinstance(v, int | float | np.number) else math.nan


def _regime_name(v: object) -> str:
    """The regime of a row value (``"normal"`` without a regime column)."""
    return "normal" if v is ABSENT else str(v)


_RULES: dict[str, Callable[[object], object]] = {
    "rounded": partial(regime_input, kind="rounded"),
    "text": partial(regime_input, kind="text"),
    "raw": partial(regime_input, kind="raw"),
    "event": _float,  # an absent column is NaN too (`ABSENT` is no number)
    "regime": _regime_name,
}
"""The per-value rules `_Columns.derived` applies: `regime_input`'s kinds, the event
distance, the regime name."""


def _rounded_floats(col: list[float]) -> list[object]:
    """`regime_input` ``"rounded"`` of Python floats: NaN is "missing", else 6 places."""
    return ["missing" if v != v else round(v, 6) for v in col]


def _same_floats(col: list[float]) -> list[object]:
    """`regime_input` ``"raw"`` and `_float` of Python floats: the floats themselves."""
    return list(col)


_ON_FLOATS: dict[str, Callable[[list[float]], list[object]]] = {
    "rounded": _rounded_floats,
    "raw": _same_floats,
    "event": _same_floats,
}
"""`_RULES` on a column of Python floats, without a call per value (same values)."""
