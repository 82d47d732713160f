"""Yahoo Finance daily CSV (``Date,Open,High,Low,Close,Adj Close,Volume``), e.g. for ^GSPC.

ISO dates, prices in index points; the header's case varies between downloads
(``Date`` or ``DATE``). Yahoo writes a row of literal ``null`` fields for a day
it has no prices for; such rows are skipped with a warning. A row with only
some fields ``null`` is an error. ``Adj Close`` (equal to ``Close`` for an
index) and ``Volume`` are not read.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow.compute as pc

from vixshield.data.formats._parsed import Hints, Parsed, series_frame
from vixshield.data.formats._table import display_name, read_table
from vixshield.data.validate import (
    check_high_low,
    check_increasing,
    parse_dates,
    parse_numbers,
    plausible_for,
)

__all__ = ["HEADER", "KIND", "NULL", "looks_like", "parse"]

KIND = "yahoo"

HEADER: tuple[str, ...] = ("date", "open", "high", "low", "close", "adj close", "volume")
"""The header, lower-cased."""

NULL = "null"
"""Yahoo's token for a missing field."""

_PRICES = ("open", "high", "low", "close")


def looks_like(lines: list[str]) -> bool:
    """Header ``Date,Open,High,Low,Close,Adj Close[,Volume]`` and ISO dates."""
    if not lines:
        return False
    head = [f.strip().lower() for f in lines[0].split(",")]
    if head[:6] != list(HEADER[:6]):
        return False
    return len(lines) < 2 or bool(re.match(r"\d{4}-\d{2}-\d{2}", lines[1].strip()))


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse into ``spx_open``, ``spx_high``, ``spx_low``, ``spx_close`` (index points).

    Raises
    ------
    vixshield.errors.DataError
        A bad date, a non-positive or non-numeric price (a lone ``null`` too),
        HIGH below LOW, or dates out of order (file, line and column named).
    """
    file = display_name(source)
    table = read_table(
        text, file=file, is_header=lambda f: [x.lower() for x in f[:2]] == ["date", "open"]
    )
    cols = {c.lower(): c for c in table.header}
    date_col = cols.get("date", "Date")
    dates = parse_dates(
        table.arrow(date_col), table.lines, file=file, field=date_col, formats=("iso",)
    )
    check_increasing(dates, table.lines, file=file, field=date_col)
    fields = [c for c in table.header if c != date_col]
    null = np.ones(len(table), dtype=bool)
    for c in fields:
        lowered = pc.utf8_lower(table.arrow(c))
        null &= np.asarray(pc.equal(lowered, NULL).to_numpy(zero_copy_only=False), dtype=bool)
    warnings: list[str] = []
    if null.any():
        first = int(np.flatnonzero(null)[0])
        warnings.append(
            f"{file}:{table.lines[first]}: {int(null.sum())} row(s) of '{NULL}' fields (no prices "
            f"that day; first {dates[first].date()}) skipped"
        )
        table = table.take(~null)
        dates = dates[~null]
    out = {}
    for key in _PRICES:
        col = cols.get(key, key.capitalize())
        out[key] = parse_numbers(
            table.arrow(col),
            table.lines,
            file=file,
            field=col,
            positive=True,
            plausible=plausible_for(f"spx_{key}"),
        )
    high_col = cols.get("high", "High")
    check_high_low(out["high"], out["low"], table.lines, file=file, field=high_col, strict=True)
    frames = {f"spx_{k}": series_frame(dates, v) for k, v in out.items()}
    return Parsed(KIND, frames, tuple(warnings))
