"""Shared assembly and validation of the long option-chain frame.

Two forms: `build_chain` assembles the pandas frame of the whole-file parsers;
`ChainLayout`, `LONG_SCHEMA` and `check_long` are the streaming (Arrow, chunk by
chunk) form the bulk import (`vixshield.data.chains`) reads every vendor through.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vixshield._typing import FloatArray, IntArray
from vixshield.data.calendars import spx_monthly_expiry
from vixshield.data.market import CHAIN_FRAME_COLUMNS
from vixshield.data.validate import (
    DATE_MAX,
    DATE_MIN,
    Plausible,
    check_bid_ask,
    plausible_for,
    strike_grid_warnings,
)
from vixshield.errors import DataError

__all__ = [
    "CHAIN_FRAME_COLUMNS",
    "DATE",
    "DEFAULT_SETTLEMENT",
    "LONG_SCHEMA",
    "ChainLayout",
    "FieldName",
    "LongContext",
    "as_date",
    "build_chain",
    "check_long",
    "first_true",
    "infer_spx_root",
    "long_from_frame",
    "long_table",
    "mapped",
    "roots_for",
    "settlements",
]

DEFAULT_SETTLEMENT: dict[str, str] = {"SPX": "AM", "SPXW": "PM", "VIX": "AM", "VIXW": "AM"}
"""Settlement style by root: SPX monthlies and all VIX options settle on the
special opening quotation (AM); SPXW weeklies/dailies at the close (PM)."""

ObjArray = npt.NDArray[np.object_]


def infer_spx_root(expiry: pd.DatetimeIndex) -> ObjArray:
    """``"SPX"`` for standard monthly expiries (3rd Friday rule), else ``"SPXW"``.

    Files that do not name the root (OptionsDX) hold both; on a standard
    expiry date the AM monthly is assumed.
    """
    months = {(d.year, d.month) for d in expiry}
    monthly = {spx_monthly_expiry(y, m) for y, m in months}
    return np.array(["SPX" if d in monthly else "SPXW" for d in expiry], dtype=object)


def build_chain(
    *,
    file: str,
    lines: IntArray,
    quote_date: pd.DatetimeIndex,
    underlying: ObjArray,
    root: ObjArray,
    expiry: pd.DatetimeIndex,
    settlement: ObjArray,
    strike: FloatArray,
    right: ObjArray,
    bid: FloatArray,
    ask: FloatArray,
    iv: FloatArray,
    bid_field: str = "bid",
    expiry_field: str = "expiry",
) -> tuple[pd.DataFrame, list[str]]:
    """Validate and assemble the chain frame; return it with warnings."""
    check_bid_ask(bid, ask, lines, file=file, field=bid_field)
    late = np.asarray(quote_date > expiry)
    if late.any():
        i = int(np.argmax(late))
        raise DataError(
            f"expiry {expiry[i].date()} is before the quote date {quote_date[i].date()}",
            file=file,
            row=int(lines[i]),
            field=expiry_field,
        )
    warnings = strike_grid_warnings(strike, underlying, lines, file=file)
    frame = pd.DataFrame(
        {
            "quote_date": quote_date.astype("datetime64[ns]"),
            "underlying": pd.array(underlying, dtype="string"),
            "root": pd.array(root, dtype="string"),
            "expiry": expiry.astype("datetime64[ns]"),
            "settlement": pd.array(settlement, dtype="string"),
            "strike": strike,
            "right": pd.array(right, dtype="string"),
            "bid": bid,
            "ask": ask,
            "iv": iv,
        }
    )
    key = ["quote_date", "underlying", "root", "expiry", "strike", "right"]
    dup = frame.duplicated(key, keep="first").to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        raise DataError(
            "duplicate quote for the same date, root, expiry, strike and right",
            file=file,
            row=int(lines[i]),
            field="strike",
        )
    frame = frame.sort_values(["quote_date", "expiry", "right", "strike"], kind="stable")
    return frame.reset_index(drop=True), warnings


# ---------------------------------------------------------------- streaming (Arrow) form

LONG_SCHEMA = pa.schema(
    [
        ("line", pa.int64()),  # 1-based line of the source file (record number + 1 for Parquet)
        ("quote_date", pa.date32()),
        ("underlying", pa.string()),
        ("root", pa.string()),
        ("expiry", pa.date32()),
        ("settlement", pa.string()),
        ("strike", pa.float64()),  # index points
        ("right", pa.string()),  # "C" or "P"
        ("bid", pa.float64()),  # index points per unit; null where not quoted
        ("ask", pa.float64()),
        ("iv", pa.float64()),  # decimal (0.15 = 15 %); null where not given
    ]
)
"""The long chain form every streaming reader produces (one row per option quote)."""

DATE = pa.timestamp("s")
"""Arrow type dates are read as (ISO ``YYYY-MM-DD`` or ``MM/DD/YYYY``), then cast to date32."""

FieldName = str | tuple[str, str]
"""The file's column behind a long field: one name, or (call column, put column)."""


@dataclass(frozen=True)
class LongContext:
    """What a streaming reader knows beyond the rows: the file and the caller's hints."""

    file: str
    underlying: str | None = None
    dropped: dict[str, int] = dc_field(default_factory=dict)
    """Rows a reader left out on purpose, by reason (reported as a note)."""


@dataclass(frozen=True)
class ChainLayout:
    """How a chain format is streamed into `LONG_SCHEMA` rows.

    Attributes
    ----------
    kind : str
        Format kind.
    is_header : callable
        Accepts the normalised fields of the header line.
    normalise : callable
        Applied to each header field (brackets, spaces, case).
    types : mapping
        Normalised column -> Arrow type of every column read.
    optional : frozenset of str
        Columns of ``types`` a file may lack (read as all-null).
    to_long : callable
        ``(batch, ctx) -> pa.Table`` in `LONG_SCHEMA`; the batch holds ``types``'
        columns plus ``line``. It raises `DataError` for values it must interpret
        (an unknown right or root), located by the ``line`` column.
    fields : mapping
        Long field -> the file's column, for error messages.
    delimiter : str
        Field separator.
    """

    kind: str
    is_header: Callable[[list[str]], bool]
    normalise: Callable[[str], str]
    types: Mapping[str, pa.DataType]
    optional: frozenset[str]
    to_long: Callable[[pa.Table, LongContext], pa.Table]
    fields: Mapping[str, FieldName]
    delimiter: str = ","


def as_date(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """A timestamp (or date) column as date32."""
    return pc.cast(col, pa.date32())


def long_table(n: int, **cols: pa.ChunkedArray | pa.Array | str) -> pa.Table:
    """`LONG_SCHEMA` table from columns; a str value fills the column with that constant."""
    arrays = []
    for f in LONG_SCHEMA:
        v = cols[f.name]
        arrays.append(pa.array([v] * n, f.type) if isinstance(v, str) else pc.cast(v, f.type))
    return pa.Table.from_arrays(arrays, schema=LONG_SCHEMA)


def mapped(
    col: pa.ChunkedArray | pa.Array,
    allowed: Mapping[str, str],
    lines: pa.ChunkedArray,
    *,
    file: str,
    field: str,
) -> pa.ChunkedArray | pa.Array:
    """Trimmed upper-case ``col`` mapped through ``allowed``; `DataError` at another value."""
    key = pc.utf8_upper(pc.utf8_trim_whitespace(pc.fill_null(col, "")))
    keys = pa.array(list(allowed), pa.string())
    idx = pc.index_in(key, value_set=keys)
    bad = pc.is_null(idx)
    if pc.any(bad).as_py():
        i = first_true(bad)
        raise DataError(
            f"expected one of {sorted(set(allowed.values()))}, got {key[i].as_py()!r}",
            file=file,
            row=int(lines[i].as_py()),
            field=field,
        )
    return pc.take(pa.array(list(allowed.values()), pa.string()), idx)


def first_true(mask: pa.ChunkedArray | pa.Array) -> int:
    """Index of the first true value of a boolean array (nulls count as false)."""
    arr = pc.fill_null(mask, False)
    return int(np.flatnonzero(np.asarray(arr.to_numpy(zero_copy_only=False)))[0])


def roots_for(underlying: str, expiry: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Root per row where a file names none: ``infer_spx_root`` for SPX, else ``"VIX"``."""
    if underlying != "SPX":
        return pa.array(["VIX"] * len(expiry), pa.string())
    days = np.asarray(pc.cast(expiry, pa.int32()).to_numpy(zero_copy_only=False), dtype=np.int64)
    uniq, inverse = np.unique(days, return_inverse=True)
    names = infer_spx_root(pd.DatetimeIndex(uniq.astype("datetime64[D]")))
    return pa.array(names[inverse].tolist(), pa.string())


def settlements(root: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Settlement style from the root (`DEFAULT_SETTLEMENT`)."""
    keys = pa.array(list(DEFAULT_SETTLEMENT), pa.string())
    return pc.take(
        pa.array(list(DEFAULT_SETTLEMENT.values()), pa.string()), pc.index_in(root, keys)
    )


def _field(fields: Mapping[str, FieldName], name: str, right: str | None) -> str:
    f = fields.get(name, name)
    if isinstance(f, tuple):
        return f[0] if right == "C" else f[1]
    return f


def check_long(table: pa.Table, *, file: str, fields: Mapping[str, FieldName]) -> None:
    """Validate `LONG_SCHEMA` rows; `DataError` at the first bad row (file, line, column).

    Checks: dates, underlying, root, strike and right present; underlying SPX or
    VIX and the root one of its roots; settlement AM or PM; strike > 0; bid, ask
    and iv >= 0 where given; strike, bid, ask and iv finite and inside their
    plausibility ranges (``chain_strike``, ``chain_price``, ``chain_iv`` of
    `vixshield.data.validate.PLAUSIBLE`); bid <= ask; expiry on or after the quote
    date; both dates from `DATE_MIN` to `DATE_MAX`.
    """
    if not table.num_rows:
        return
    lines = table.column("line")
    right = table.column("right")

    def fail(mask: pa.ChunkedArray | pa.Array, name: str, message: str) -> None:
        if pc.any(pc.fill_null(mask, False)).as_py():
            i = first_true(mask)
            r = right[i].as_py()
            raise DataError(
                message.format(**{k: _shown(table.column(k)[i]) for k in table.column_names}),
                file=file,
                row=int(lines[i].as_py()),
                field=_field(fields, name, r),
            )

    for name in ("quote_date", "expiry", "strike", "underlying", "root", "right"):
        fail(pc.is_null(table.column(name)), name, f"missing {name}")
    und = table.column("underlying")
    fail(
        pc.invert(pc.is_in(und, pa.array(["SPX", "VIX"]))),
        "underlying",
        "underlying must be SPX or VIX, got {underlying!r}",
    )
    root = table.column("root")
    fail(
        pc.invert(pc.is_in(root, pa.array(list(DEFAULT_SETTLEMENT)))),
        "root",
        "root must be one of SPX, SPXW, VIX, VIXW, got {root!r}",
    )
    fail(
        pc.not_equal(pc.utf8_slice_codeunits(root, 0, 3), und),
        "root",
        "root {root!r} does not belong to underlying {underlying!r}",
    )
    fail(
        pc.invert(pc.is_in(table.column("settlement"), pa.array(["AM", "PM"]))),
        "settlement",
        "expected 'AM' or 'PM', got {settlement!r}",
    )
    fail(
        pc.invert(pc.is_in(right, pa.array(["C", "P"]))),
        "right",
        "expected 'C' or 'P', got {right!r}",
    )
    strike = table.column("strike")
    fail(pc.invert(pc.greater(strike, 0.0)), "strike", "expected a positive number, got {strike}")
    for name in ("strike", "bid", "ask", "iv"):
        col = table.column(name)
        fail(pc.invert(pc.is_finite(col)), name, f"expected a finite number, got {{{name}}}")
        if name != "strike":
            fail(pc.less(col, 0.0), name, f"expected a non-negative number, got {{{name}}}")
        fail(_outside(col, _RANGES[name]), name, _outside_message(name))
    fail(
        pc.greater(table.column("bid"), table.column("ask")),
        "bid",
        "bid {bid} is above the ask {ask}",
    )
    fail(
        pc.less(table.column("expiry"), table.column("quote_date")),
        "expiry",
        "expiry {expiry} is before the quote date {quote_date}",
    )
    for name in ("quote_date", "expiry"):
        col = table.column(name)
        fail(
            pc.or_(pc.less(col, _DATE_LOW), pc.greater(col, _DATE_HIGH)),
            name,
            f"expected a date from {_DATE_LOW} to {_DATE_HIGH}, got {{{name}}}",
        )


_RANGES: dict[str, Plausible] = {
    "strike": plausible_for("chain_strike"),
    "bid": plausible_for("chain_price"),
    "ask": plausible_for("chain_price"),
    "iv": plausible_for("chain_iv"),
}
"""Plausibility range of each numeric long field (`vixshield.data.validate.PLAUSIBLE`)."""

_DATE_LOW = DATE_MIN.date()
_DATE_HIGH = DATE_MAX.date()


def _shown(value: pa.Scalar) -> object:
    """A cell as a message shows it (a date Python cannot hold, such as year 0, as text)."""
    try:
        return value.as_py()
    except (ValueError, OverflowError):
        return str(value)


def _outside(col: pa.ChunkedArray | pa.Array, rng: Plausible) -> pa.ChunkedArray | pa.Array:
    """Present values outside ``rng`` (null where the value is missing)."""
    low = pc.less_equal(col, rng.low) if rng.low_open else pc.less(col, rng.low)
    high = pc.greater_equal(col, rng.high) if rng.high_open else pc.greater(col, rng.high)
    return pc.or_(low, high)


def _outside_message(name: str) -> str:
    rng = _RANGES[name]
    return f"expected a plausible {rng.series} in {rng.describe()}, got {{{name}:.6g}}"


def long_from_frame(frame: pd.DataFrame) -> pa.Table:
    """`LONG_SCHEMA` rows of a parsed chain frame (`CHAIN_FRAME_COLUMNS`); row k is line k + 2."""
    n = len(frame)
    cols: dict[str, pa.Array | str] = {"line": pa.array(np.arange(2, n + 2), pa.int64())}
    for f in LONG_SCHEMA:
        if f.name == "line":
            continue
        v = frame[f.name]
        if f.type == pa.date32():
            cols[f.name] = pa.array(pd.DatetimeIndex(v).to_numpy("datetime64[D]"), pa.date32())
        elif f.type == pa.string():
            cols[f.name] = pa.array(v.astype(str).tolist(), pa.string())
        else:
            cols[f.name] = pa.array(v.to_numpy(dtype=np.float64), pa.float64(), from_pandas=True)
    return long_table(n, **cols)
