"""OptionsDX end-of-day chains.

One row per quote time, expiry and strike holding both the call and the put;
delimiter ``", "``; bracketed header ``[QUOTE_UNIXTIME], [QUOTE_READTIME],
[QUOTE_DATE], ..., [C_IV], ..., [C_BID], [C_ASK], [STRIKE], [P_BID], [P_ASK],
..., [P_IV], [P_VOLUME]``. Empty cells are missing values.

OptionsDX ships monthly files (``spx_eod_202201.txt``), plain or packed in a
``.zip`` or ``.7z`` archive; the bulk import (`vixshield.data.chains`) streams
them through `LAYOUT`. Quirks: every field but the first has a leading space;
``[C_SIZE]`` reads ``10 x 10``; the file does not name the underlying (taken from
the ``underlying`` hint, else ``VIX`` when the file name says so, else ``SPX``)
nor the root (SPX on a third-Friday expiry, else SPXW: `infer_spx_root`); the
quote time ``[QUOTE_READTIME]`` is the 16:00 close. Columns read: ``QUOTE_DATE``,
``EXPIRE_DATE``, ``STRIKE``, ``C_BID``, ``C_ASK``, ``P_BID``, ``P_ASK`` and, where
present, ``C_IV``, ``P_IV`` (decimal); the rest are ignored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from vixshield.data.formats._chain import (
    DATE,
    DEFAULT_SETTLEMENT,
    ChainLayout,
    LongContext,
    as_date,
    build_chain,
    infer_spx_root,
    long_table,
    roots_for,
    settlements,
)
from vixshield.data.formats._parsed import Hints, Parsed
from vixshield.data.formats._table import display_name, read_table
from vixshield.data.validate import parse_dates, parse_numbers, plausible_for
from vixshield.errors import DataError

__all__ = ["KIND", "LAYOUT", "looks_like", "parse"]

KIND = "optionsdx"


def _norm(field: str) -> str:
    return field.strip().strip("[]").strip().upper()


def looks_like(lines: list[str]) -> bool:
    """A header starting ``[QUOTE_UNIXTIME]``."""
    return bool(lines) and lines[0].lstrip().upper().startswith("[QUOTE_UNIXTIME]")


def _underlying(file: str, hints: Hints) -> str:
    if hints.underlying:
        u = hints.underlying.upper()
    elif "vix" in file.lower():
        u = "VIX"
    else:
        u = "SPX"
    if u not in ("SPX", "VIX"):
        raise DataError(f"underlying must be SPX or VIX, got {u!r}", file=file)
    return u


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse into ``{"chain": frame}`` (two rows per file row: call and put)."""
    file = display_name(source)
    table = read_table(
        text,
        file=file,
        is_header=lambda f: bool(f) and f[0] == "QUOTE_UNIXTIME",
        normalise=_norm,
    )
    lines = table.lines
    qd = parse_dates(table.col("QUOTE_DATE"), lines, file=file, field="QUOTE_DATE")
    ex = parse_dates(table.col("EXPIRE_DATE"), lines, file=file, field="EXPIRE_DATE")
    strike = parse_numbers(
        table.col("STRIKE"),
        lines,
        file=file,
        field="STRIKE",
        positive=True,
        plausible=plausible_for("chain_strike"),
    )
    num = {
        c: parse_numbers(
            table.col(c),
            lines,
            file=file,
            field=c,
            nonnegative=True,
            allow_missing=True,
            plausible=plausible_for("chain_price"),
        )
        for c in ("C_BID", "C_ASK", "P_BID", "P_ASK")
    }
    ivs = {
        c: parse_numbers(
            table.col(c),
            lines,
            file=file,
            field=c,
            allow_missing=True,
            plausible=plausible_for("chain_iv"),
        )
        if table.has(c)
        else np.full(len(lines), np.nan)
        for c in ("C_IV", "P_IV")
    }
    u = _underlying(file, hints)
    n = len(lines)
    root = infer_spx_root(ex) if u == "SPX" else np.array(["VIX"] * n, dtype=object)
    settlement = np.array([DEFAULT_SETTLEMENT[r] for r in root], dtype=object)
    frames = []
    warnings: list[str] = []
    for right in ("C", "P"):
        f, w = build_chain(
            file=file,
            lines=lines,
            quote_date=qd,
            underlying=np.array([u] * n, dtype=object),
            root=root,
            expiry=ex,
            settlement=settlement,
            strike=strike,
            right=np.array([right] * n, dtype=object),
            bid=num[f"{right}_BID"],
            ask=num[f"{right}_ASK"],
            iv=ivs[f"{right}_IV"],
            bid_field=f"{right}_BID",
            expiry_field="EXPIRE_DATE",
        )
        frames.append(f)
        warnings += w if right == "C" else []
    chain = pd.concat(frames, ignore_index=True)
    chain = chain.sort_values(["quote_date", "expiry", "right", "strike"], kind="stable")
    if u == "SPX":
        warnings.append(
            f"{file}: root inferred from the expiry date (3rd-Friday rule: SPX AM, else SPXW PM)"
        )
    return Parsed(KIND, {"chain": chain.reset_index(drop=True)}, tuple(warnings))


def _to_long(batch: pa.Table, ctx: LongContext) -> pa.Table:
    """Two long rows per file row: the call, then the put."""
    u = _underlying(ctx.file, Hints(underlying=ctx.underlying))
    n = batch.num_rows
    expiry = as_date(batch.column("EXPIRE_DATE"))
    root = roots_for(u, expiry)
    common = {
        "line": batch.column("line"),
        "quote_date": as_date(batch.column("QUOTE_DATE")),
        "underlying": u,
        "root": root,
        "expiry": expiry,
        "settlement": settlements(root),
        "strike": batch.column("STRIKE"),
    }
    parts = [
        long_table(
            n,
            **common,
            right=r,
            bid=batch.column(f"{r}_BID"),
            ask=batch.column(f"{r}_ASK"),
            iv=batch.column(f"{r}_IV"),
        )
        for r in ("C", "P")
    ]
    both = pa.concat_tables(parts)
    inter = np.empty(2 * n, dtype=np.int64)  # call and put of a line next to each other
    inter[0::2], inter[1::2] = np.arange(n), np.arange(n, 2 * n)
    return both.take(pa.array(inter))


_F64 = pa.float64()

LAYOUT = ChainLayout(
    kind=KIND,
    is_header=lambda f: bool(f) and f[0] == "QUOTE_UNIXTIME",
    normalise=_norm,
    types={
        "QUOTE_DATE": DATE,
        "EXPIRE_DATE": DATE,
        "STRIKE": _F64,
        "C_BID": _F64,
        "C_ASK": _F64,
        "P_BID": _F64,
        "P_ASK": _F64,
        "C_IV": _F64,
        "P_IV": _F64,
    },
    optional=frozenset({"C_IV", "P_IV"}),
    to_long=_to_long,
    fields={
        "quote_date": "QUOTE_DATE",
        "expiry": "EXPIRE_DATE",
        "strike": "STRIKE",
        "bid": ("C_BID", "P_BID"),
        "ask": ("C_ASK", "P_ASK"),
        "iv": ("C_IV", "P_IV"),
    },
)
"""Streaming layout for the bulk import."""
