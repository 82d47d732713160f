"""VixShield's generic option-chain file (CSV or Parquet).

Documented format, one row per option quote::

    quote_date,underlying,root,expiry,settlement,strike,right,bid,ask[,iv,...]
    2026-08-21,SPX,SPXW,2026-08-28,PM,6790,P,12.3,12.6,0.151

* ``quote_date``, ``expiry``: ISO dates (``MM/DD/YYYY`` also accepted);
* ``underlying``: ``SPX`` or ``VIX``; ``root``: ``SPX``, ``SPXW``, ``VIX``, ``VIXW``;
* ``settlement``: ``AM``/``PM``; may be empty, then taken from the root;
* ``strike``, ``bid``, ``ask``: index points per unit (bid/ask may be empty);
* ``right``: ``C``/``P`` (``call``/``put`` accepted);
* ``iv``: optional implied volatility as a decimal (0.15 = 15%).

Extra columns (delta, gamma, ...) are ignored. Parquet files carry the same
columns; their error "line" is the record number + 1 (as if a header line
preceded the first record). Header names are case-insensitive; up to 20
preamble lines (a disclaimer) may precede the header. The bulk import
(`vixshield.data.chains`) streams these files through `LAYOUT`; blank lines
inside the data shift its line numbers (they are not counted).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vixshield.data.formats._chain import (
    DATE,
    DEFAULT_SETTLEMENT,
    ChainLayout,
    LongContext,
    as_date,
    build_chain,
    long_table,
    mapped,
    settlements,
)
from vixshield.data.formats._parsed import Hints, Parsed
from vixshield.data.formats._table import Table, display_name, read_table, table_from_frame
from vixshield.data.market import CHAIN_REQUIRED
from vixshield.data.validate import parse_dates, parse_numbers, plausible_for
from vixshield.errors import DataError

__all__ = ["KIND", "LAYOUT", "REQUIRED", "looks_like", "parse", "parse_parquet"]

KIND = "chain_csv"

REQUIRED: tuple[str, ...] = CHAIN_REQUIRED

_RIGHTS = {"C": "C", "P": "P", "CALL": "C", "PUT": "P"}
_UNDERLYINGS = ("SPX", "VIX")
_STRIKE = plausible_for("chain_strike")
_PRICE = plausible_for("chain_price")
_IV = plausible_for("chain_iv")


def looks_like(lines: list[str]) -> bool:
    """A header holding ``quote_date``, ``strike`` and ``right``."""
    if not lines:
        return False
    head = {f.strip().lower() for f in lines[0].split(",")}
    return {"quote_date", "strike", "right"} <= head


def _text_col(table: Table, name: str, allowed: dict[str, str], *, file: str) -> np.ndarray:
    raw = table.col(name)
    out = np.empty(len(raw), dtype=object)
    for i, v in enumerate(raw):
        key = str(v).strip().upper()
        if key not in allowed:
            raise DataError(
                f"expected one of {sorted(set(allowed.values()))}, got {str(v)!r}",
                file=file,
                row=int(table.lines[i]),
                field=name,
            )
        out[i] = allowed[key]
    return out


def _from_table(table: Table, file: str) -> Parsed:
    table = Table(
        table.file,
        tuple(h.lower() for h in table.header),
        table.header_line,
        {k.lower(): v for k, v in table.cells.items()},
        table.lines,
        table.skipped,
    )
    for col in REQUIRED:
        table.col(col)  # raises with the header line if absent
    lines = table.lines
    qd = parse_dates(table.col("quote_date"), lines, file=file, field="quote_date")
    ex = parse_dates(table.col("expiry"), lines, file=file, field="expiry")
    underlying = _text_col(table, "underlying", {u: u for u in _UNDERLYINGS}, file=file)
    root = _text_col(table, "root", {r: r for r in DEFAULT_SETTLEMENT}, file=file)
    ok_root = np.array([r.startswith(u) for r, u in zip(root, underlying, strict=True)])
    if not ok_root.all():
        i = int(np.argmin(ok_root))
        raise DataError(
            f"root {root[i]!r} does not belong to underlying {underlying[i]!r}",
            file=file,
            row=int(lines[i]),
            field="root",
        )
    settlement = np.array(
        [
            DEFAULT_SETTLEMENT[r] if str(s).strip() == "" else str(s).strip().upper()
            for s, r in zip(table.col("settlement"), root, strict=True)
        ],
        dtype=object,
    )
    bad = ~np.isin(settlement, np.array(["AM", "PM"], dtype=object))
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(
            f"expected 'AM' or 'PM', got {settlement[i]!r}",
            file=file,
            row=int(lines[i]),
            field="settlement",
        )
    right = _text_col(table, "right", _RIGHTS, file=file)
    strike = parse_numbers(
        table.col("strike"), lines, file=file, field="strike", positive=True, plausible=_STRIKE
    )
    bid = parse_numbers(
        table.col("bid"),
        lines,
        file=file,
        field="bid",
        nonnegative=True,
        allow_missing=True,
        plausible=_PRICE,
    )
    ask = parse_numbers(
        table.col("ask"),
        lines,
        file=file,
        field="ask",
        nonnegative=True,
        allow_missing=True,
        plausible=_PRICE,
    )
    iv = (
        parse_numbers(
            table.col("iv"),
            lines,
            file=file,
            field="iv",
            nonnegative=True,
            allow_missing=True,
            plausible=_IV,
        )
        if table.has("iv")
        else np.full(len(lines), np.nan)
    )
    frame, warnings = build_chain(
        file=file,
        lines=lines,
        quote_date=qd,
        underlying=underlying,
        root=root,
        expiry=ex,
        settlement=settlement,
        strike=strike,
        right=right,
        bid=bid,
        ask=ask,
        iv=iv,
    )
    return Parsed(KIND, {"chain": frame}, tuple(warnings))


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse a chain CSV into ``{"chain": frame}``."""
    file = display_name(source)
    table = read_table(
        text, file=file, is_header=lambda f: "quote_date" in [x.lower() for x in f], max_preamble=20
    )
    return _from_table(table, file)


def parse_parquet(data: bytes, *, source: str, hints: Hints) -> Parsed:
    """Parse a chain Parquet file (same columns as the CSV)."""
    file = display_name(source)
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise DataError(f"not a readable Parquet file ({exc})", file=file) from exc
    return _from_table(table_from_frame(frame, file=file), file)


def _canonical(col: pa.ChunkedArray, values: pa.Array) -> bool:
    """Whether every cell of ``col`` is already one of ``values`` as written (no null)."""
    return bool(pc.all(pc.is_in(col, value_set=values)).as_py())


def _mapped(
    col: pa.ChunkedArray,
    allowed: dict[str, str],
    canonical: pa.Array,
    lines: pa.ChunkedArray,
    *,
    file: str,
    field: str,
) -> pa.ChunkedArray | pa.Array:
    """`mapped`, skipped where every cell is already a canonical value (what it returns)."""
    if _canonical(col, canonical):
        return col
    return mapped(col, allowed, lines, file=file, field=field)


def _to_long(batch: pa.Table, ctx: LongContext) -> pa.Table:
    lines = batch.column("line")
    file = ctx.file
    und = _mapped(
        batch.column("underlying"),
        {u: u for u in _UNDERLYINGS},
        _CANONICAL_UNDERLYINGS,
        lines,
        file=file,
        field="underlying",
    )
    root = _mapped(
        batch.column("root"),
        {r: r for r in DEFAULT_SETTLEMENT},
        _CANONICAL_ROOTS,
        lines,
        file=file,
        field="root",
    )
    settlement = batch.column("settlement")
    if not _canonical(settlement, _CANONICAL_SETTLEMENTS):  # blank: from the root
        given = pc.utf8_upper(pc.utf8_trim_whitespace(pc.fill_null(settlement, "")))
        settlement = pc.if_else(pc.equal(given, ""), settlements(root), given)
    right = _mapped(
        batch.column("right"), _RIGHTS, _CANONICAL_RIGHTS, lines, file=file, field="right"
    )
    return long_table(
        batch.num_rows,
        line=lines,
        quote_date=as_date(batch.column("quote_date")),
        underlying=und,
        root=root,
        expiry=as_date(batch.column("expiry")),
        settlement=settlement,
        strike=batch.column("strike"),
        right=right,
        bid=batch.column("bid"),
        ask=batch.column("ask"),
        iv=batch.column("iv"),
    )


_CANONICAL_UNDERLYINGS = pa.array(_UNDERLYINGS, pa.string())
_CANONICAL_ROOTS = pa.array(list(DEFAULT_SETTLEMENT), pa.string())
_CANONICAL_SETTLEMENTS = pa.array(["AM", "PM"], pa.string())
_CANONICAL_RIGHTS = pa.array(sorted(set(_RIGHTS.values())), pa.string())
"""Values the streamed columns usually hold as written: mapping them changes nothing."""


_F64 = pa.float64()
_STR = pa.string()

LAYOUT = ChainLayout(
    kind=KIND,
    is_header=lambda f: "quote_date" in f,
    normalise=lambda f: f.strip().lower(),
    types={
        "quote_date": DATE,
        "underlying": _STR,
        "root": _STR,
        "expiry": DATE,
        "settlement": _STR,
        "strike": _F64,
        "right": _STR,
        "bid": _F64,
        "ask": _F64,
        "iv": _F64,
    },
    optional=frozenset({"iv"}),
    to_long=_to_long,
    fields={},
)
"""Streaming layout for the bulk import (CSV; Parquet files are read with the same types)."""
