"""ORATS strikes files (the ``/datav2/strikes`` API and the SMV Strikes data files).

One row per ticker, trade date, expiry and strike holding both the call and the
put. Two spellings of the header exist and both are read (names are
case-insensitive):

=================  ==================  ======================================
API (``strikes``)  data file           meaning
=================  ==================  ======================================
``ticker``         ``ticker``          ``SPX`` or ``VIX``
``tradeDate``      ``trade_date``      quote date (ISO or ``MM/DD/YYYY``)
``expirDate``      ``expirDate``       expiry (ISO or ``MM/DD/YYYY``)
``strike``         ``strike``          index points
``callBidPrice``   ``cBidPx``          call bid (likewise ask, put)
``callMidIv``      ``cMidIv``          call mid implied vol, decimal (optional)
=================  ==================  ======================================

Quirks: a file may hold other tickers (ORATS' full-market daily files); their
rows are left out and counted in a note. ORATS names no root: SPX rows are SPX
on a third-Friday expiry, else SPXW (`infer_spx_root`); VIX rows are VIX. The
quotes are ORATS' near-close snapshot (14 minutes before the close).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from vixshield.data.formats._chain import (
    DATE,
    ChainLayout,
    LongContext,
    as_date,
    long_table,
    roots_for,
    settlements,
)

__all__ = ["ALIASES", "KIND", "LAYOUT", "looks_like"]

KIND = "orats"

ALIASES: dict[str, str] = {
    "ticker": "ticker",
    "tradedate": "trade_date",
    "trade_date": "trade_date",
    "expirdate": "expiry",
    "strike": "strike",
    "callbidprice": "c_bid",
    "cbidpx": "c_bid",
    "callaskprice": "c_ask",
    "caskpx": "c_ask",
    "putbidprice": "p_bid",
    "pbidpx": "p_bid",
    "putaskprice": "p_ask",
    "paskpx": "p_ask",
    "callmidiv": "c_iv",
    "cmidiv": "c_iv",
    "putmidiv": "p_iv",
    "pmidiv": "p_iv",
}
"""Header name (lower case) -> the name the reader uses."""


def _norm(field: str) -> str:
    f = field.strip().lower()
    return ALIASES.get(f, f)


def looks_like(lines: list[str]) -> bool:
    """A header holding ``ticker``, a trade date, ``expirDate`` and ``strike``."""
    if not lines:
        return False
    head = {_norm(f) for f in lines[0].split(",")}
    return {"ticker", "trade_date", "expiry", "strike"} <= head


def _to_long(batch: pa.Table, ctx: LongContext) -> pa.Table:
    ticker = pc.utf8_upper(pc.utf8_trim_whitespace(batch.column("ticker")))
    parts = []
    for u in ("SPX", "VIX"):
        rows = batch.filter(pc.equal(ticker, u))
        if not rows.num_rows:
            continue
        expiry = as_date(rows.column("expiry"))
        root = roots_for(u, expiry)
        for r, side in (("C", "c"), ("P", "p")):
            parts.append(
                long_table(
                    rows.num_rows,
                    line=rows.column("line"),
                    quote_date=as_date(rows.column("trade_date")),
                    underlying=u,
                    root=root,
                    expiry=expiry,
                    settlement=settlements(root),
                    strike=rows.column("strike"),
                    right=r,
                    bid=rows.column(f"{side}_bid"),
                    ask=rows.column(f"{side}_ask"),
                    iv=rows.column(f"{side}_iv"),
                )
            )
    kept = sum(p.num_rows for p in parts) // 2
    if kept < batch.num_rows:
        ctx.dropped["rows of other tickers"] = (
            ctx.dropped.get("rows of other tickers", 0) + batch.num_rows - kept
        )
    if not parts:
        return long_table(0, **{f: pa.array([], t) for f, t in _EMPTY.items()})
    return pa.concat_tables(parts)


_F64 = pa.float64()
_EMPTY = {
    "line": pa.int64(),
    "quote_date": pa.date32(),
    "underlying": pa.string(),
    "root": pa.string(),
    "expiry": pa.date32(),
    "settlement": pa.string(),
    "strike": _F64,
    "right": pa.string(),
    "bid": _F64,
    "ask": _F64,
    "iv": _F64,
}

LAYOUT = ChainLayout(
    kind=KIND,
    is_header=lambda f: "ticker" in f and "strike" in f and "expiry" in f,
    normalise=_norm,
    types={
        "ticker": pa.string(),
        "trade_date": DATE,
        "expiry": DATE,
        "strike": _F64,
        "c_bid": _F64,
        "c_ask": _F64,
        "p_bid": _F64,
        "p_ask": _F64,
        "c_iv": _F64,
        "p_iv": _F64,
    },
    optional=frozenset({"c_iv", "p_iv"}),
    to_long=_to_long,
    fields={
        "quote_date": "trade_date",
        "expiry": "expirDate",
        "bid": ("c_bid", "p_bid"),
        "ask": ("c_ask", "p_ask"),
        "iv": ("c_iv", "p_iv"),
    },
)
"""Streaming layout for the bulk import."""
