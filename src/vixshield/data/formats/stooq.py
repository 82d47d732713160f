"""stooq daily CSV (``Date,Open,High,Low,Close,Volume``), e.g. for ^SPX."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from vixshield.data.formats._parsed import Hints, Parsed, series_frame
from vixshield.data.formats._table import display_name, read_table
from vixshield.data.validate import (
    check_high_low,
    check_increasing,
    parse_dates,
    parse_numbers,
    plausible_for,
)

__all__ = ["DAILY_FROM", "EARLIEST", "KIND", "looks_like", "parse"]

KIND = "stooq"

DAILY_FROM = pd.Timestamp("1950-01-01")
"""Rows before this date are skipped: stooq's ^SPX history is monthly before
about 1885 and has gaps and Saturday sessions before 1950; VixShield needs
only the modern daily history."""

EARLIEST = pd.Timestamp("1700-01-01")
"""Earliest date read (stooq's ^SPX history starts on 1789-05-01); rows before
`DAILY_FROM` are then skipped. Later than `vixshield.data.validate.DATE_MAX` is refused."""


def looks_like(lines: list[str]) -> bool:
    """Header ``Date,Open,High,Low,Close[,Volume]`` and ISO dates."""
    if not lines:
        return False
    head = [f.strip() for f in lines[0].split(",")]
    if head[:5] != ["Date", "Open", "High", "Low", "Close"]:
        return False
    return len(lines) < 2 or bool(re.match(r"\d{4}-\d{2}-\d{2}", lines[1].strip()))


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse into ``spx_open``, ``spx_high``, ``spx_low``, ``spx_close`` (index points)."""
    file = display_name(source)
    table = read_table(
        text, file=file, is_header=lambda f: [x.lower() for x in f[:2]] == ["date", "open"]
    )
    dates = parse_dates(
        table.arrow("Date"),
        table.lines,
        file=file,
        field="Date",
        formats=("iso",),
        earliest=EARLIEST,
    )
    check_increasing(dates, table.lines, file=file, field="Date")
    warnings: list[str] = []
    early = np.asarray(dates < DAILY_FROM)
    if early.any():
        warnings.append(
            f"{file}: {int(early.sum())} rows before {DAILY_FROM.date()} skipped (sparse/monthly "
            "early history)"
        )
        table = table.take(~early)
        dates = dates[~early]
    out = {}
    for col in ("Open", "High", "Low", "Close"):
        out[col] = parse_numbers(
            table.arrow(col),
            table.lines,
            file=file,
            field=col,
            positive=True,
            plausible=plausible_for(f"spx_{col.lower()}"),
        )
    check_high_low(out["High"], out["Low"], table.lines, file=file, field="High", strict=True)
    frames = {f"spx_{c.lower()}": series_frame(dates, v) for c, v in out.items()}
    return Parsed(KIND, frames, tuple(warnings))
