"""Cboe DataShop "Option EOD Summary" files (SPX, SPXW, VIX, VIXW option roots).

One CSV per trade date (``UnderlyingOptionsEODCalcs_2024-01-02.csv``), one row
per option, comma-separated, header::

    underlying_symbol,quote_date,root,expiration,strike,option_type,open,high,low,
    close,trade_volume,bid_size_1545,bid_1545,ask_size_1545,ask_1545,
    underlying_bid_1545,underlying_ask_1545,implied_underlying_price_1545,
    active_underlying_price_1545,implied_volatility_1545,delta_1545,gamma_1545,
    theta_1545,vega_1545,rho_1545,bid_size_eod,bid_eod,ask_size_eod,ask_eod,
    underlying_bid_eod,underlying_ask_eod,vwap,open_interest,delivery_code

Two snapshots per row: 15:45 ET (``*_1545``, with Cboe's implied volatility and
greeks) and the 16:00 close (``*_eod``, quotes only; the files without the
"Calcs" columns lack ``implied_volatility_1545``). Read: ``underlying_symbol``
(``^SPX`` / ``^VIX``; the caret is dropped), ``quote_date`` and ``expiration``
(ISO dates), ``root`` (SPX, SPXW, VIX, VIXW; other roots are an error),
``strike`` (index points), ``option_type`` (``C``/``P``), ``bid_eod`` and
``ask_eod`` as the quote (the close, like the other vendors'), and
``implied_volatility_1545`` as ``iv`` (decimal) where present: the close has no
implied volatility of its own, so the 15:45 one stands in (documented here, it is
the snapshot 15 minutes earlier). Settlement comes from the root (SPX and VIX AM,
SPXW PM). ``bid_1545``/``ask_1545`` are not used.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from vixshield.data.formats._chain import (
    DATE,
    DEFAULT_SETTLEMENT,
    ChainLayout,
    LongContext,
    as_date,
    long_table,
    mapped,
    settlements,
)

__all__ = ["KIND", "LAYOUT", "looks_like"]

KIND = "datashop"

_RIGHTS = {"C": "C", "P": "P", "CALL": "C", "PUT": "P"}
_UNDERLYINGS = {"^SPX": "SPX", "SPX": "SPX", "^VIX": "VIX", "VIX": "VIX"}


def looks_like(lines: list[str]) -> bool:
    """A header holding ``underlying_symbol``, ``quote_date`` and ``bid_eod``."""
    if not lines:
        return False
    head = {f.strip().lower() for f in lines[0].split(",")}
    return {"underlying_symbol", "quote_date", "bid_eod"} <= head


def _to_long(batch: pa.Table, ctx: LongContext) -> pa.Table:
    lines = batch.column("line")
    file = ctx.file
    und = mapped(
        batch.column("underlying_symbol"), _UNDERLYINGS, lines, file=file, field="underlying_symbol"
    )
    root = mapped(
        batch.column("root"), {r: r for r in DEFAULT_SETTLEMENT}, lines, file=file, field="root"
    )
    return long_table(
        batch.num_rows,
        line=lines,
        quote_date=as_date(batch.column("quote_date")),
        underlying=und,
        root=root,
        expiry=as_date(batch.column("expiration")),
        settlement=settlements(root),
        strike=batch.column("strike"),
        right=mapped(batch.column("option_type"), _RIGHTS, lines, file=file, field="option_type"),
        bid=batch.column("bid_eod"),
        ask=batch.column("ask_eod"),
        iv=pc.cast(batch.column("implied_volatility_1545"), pa.float64()),
    )


_F64 = pa.float64()
_STR = pa.string()

LAYOUT = ChainLayout(
    kind=KIND,
    is_header=lambda f: "underlying_symbol" in f and "bid_eod" in f,
    normalise=lambda f: f.strip().lower(),
    types={
        "underlying_symbol": _STR,
        "quote_date": DATE,
        "root": _STR,
        "expiration": DATE,
        "strike": _F64,
        "option_type": _STR,
        "bid_eod": _F64,
        "ask_eod": _F64,
        "implied_volatility_1545": _F64,
    },
    optional=frozenset({"implied_volatility_1545"}),
    to_long=_to_long,
    fields={
        "underlying": "underlying_symbol",
        "expiry": "expiration",
        "right": "option_type",
        "bid": "bid_eod",
        "ask": "ask_eod",
        "iv": "implied_volatility_1545",
    },
)
"""Streaming layout for the bulk import."""
