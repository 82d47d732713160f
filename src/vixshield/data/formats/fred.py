"""FRED ``fredgraph.csv`` downloads.

Header ``observation_date,<ID>[,<ID>...]`` (older downloads: ``DATE,<ID>``),
ISO dates; a missing value is ``.`` or an empty field. Missing values are
dropped, never zero-filled or carried forward.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from vixshield.data.formats._parsed import Hints, Parsed, series_frame
from vixshield.data.formats._table import display_name, read_table
from vixshield.data.validate import (
    check_increasing,
    check_plausible,
    parse_dates,
    parse_numbers,
    plausible_for,
)
from vixshield.errors import DataError

__all__ = ["KIND", "PERCENT_SERIES", "SERIES", "looks_like", "parse"]

KIND = "fred"

SERIES: dict[str, str] = {
    "VIXCLS": "vix",
    "DTB3": "rate",
    "TB3MS": "rate",
    "SP500": "spx_close",
    "CPIAUCSL": "cpi",
    "CPILFESL": "core_cpi",
    "PPIFIS": "ppi",
    "PPIACO": "ppi",
}
"""FRED series id -> series key (others: the id lowercased)."""

_SERIES_ID = re.compile(r"[A-Za-z0-9_]{1,40}")

PERCENT_SERIES = frozenset({"DTB3", "TB3MS"})
"""Series FRED publishes in percent; divided by 100 to a decimal per year."""


def looks_like(lines: list[str]) -> bool:
    """``observation_date,...`` or ``DATE,...`` followed by an ISO date."""
    if not lines:
        return False
    head = lines[0].strip().split(",")
    if head[0].strip().lower() == "observation_date":
        return True
    if head[0].strip().upper() == "DATE" and len(lines) > 1:
        return bool(re.match(r"\d{4}-\d{2}-\d{2}", lines[1].strip()))
    return False


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse a fredgraph.csv into one frame per series column."""
    file = display_name(source)
    table = read_table(
        text,
        file=file,
        is_header=lambda f: bool(f) and f[0].lower() in ("observation_date", "date"),
        max_preamble=3,
    )
    date_col = table.header[0]
    if len(table.header) < 2:
        raise DataError(
            f"expected a series column (e.g. VIXCLS) after {date_col!r}, got {list(table.header)}",
            file=file,
            row=table.header_line,
        )
    dates = parse_dates(
        table.arrow(date_col), table.lines, file=file, field=date_col, formats=("iso",)
    )
    check_increasing(dates, table.lines, file=file, field=date_col)
    for col in table.header[1:]:
        if not _SERIES_ID.fullmatch(col.strip()):
            raise DataError(
                f"expected a FRED series id (letters, digits, _) as column name, got {col!r}",
                file=file,
                row=table.header_line,
            )
    frames: dict[str, pd.DataFrame] = {}
    warnings: list[str] = []
    for col in table.header[1:]:
        sid = col.strip().upper()
        key = SERIES.get(sid, sid.lower())
        rate = sid in PERCENT_SERIES
        values = parse_numbers(
            table.arrow(col),
            table.lines,
            file=file,
            field=col,
            positive=not rate,
            allow_missing=True,
            plausible=None if rate else plausible_for(key),
        )
        if rate:
            neg = values < 0
            if neg.any():
                warnings.append(
                    f"{file}: {int(neg.sum())} negative {sid} values kept (first on line "
                    f"{table.lines[np.argmax(neg)]})"
                )
            values = values / 100.0
            check_plausible(values, table.lines, file=file, field=col, plausible=plausible_for(key))
        present = np.isfinite(values)
        if not present.any():
            raise DataError(
                "no values in the column (every row is '.' or empty)", file=file, field=col
            )
        if (~present).any():
            warnings.append(
                f"{file}: {int((~present).sum())} missing {sid} values ('.' or empty) dropped"
            )
        frames[key] = series_frame(dates[present], values[present])
    return Parsed(KIND, frames, tuple(warnings))
