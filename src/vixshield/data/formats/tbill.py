"""13-week T-bill yield as a decimal (``Date,Value``, newest first)."""

from __future__ import annotations

import numpy as np

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

__all__ = ["KIND", "looks_like", "parse"]

KIND = "tbill_decimal"

_MAX_DECIMAL = 0.25
"""A decimal yield above 25% per year means the file is in percent."""


def looks_like(lines: list[str]) -> bool:
    """Header ``Date,Value``."""
    return bool(lines) and [f.strip().lower() for f in lines[0].split(",")] == ["date", "value"]


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse into ``{"rate": frame}`` (decimal per year), sorted oldest first.

    The file may run newest first or oldest first, but must be monotone.
    """
    file = display_name(source)
    table = read_table(
        text, file=file, is_header=lambda f: [x.lower() for x in f] == ["date", "value"]
    )
    dates = parse_dates(
        table.arrow("Date"), table.lines, file=file, field="Date", formats=("iso", "mdy")
    )
    values = parse_numbers(
        table.arrow("Value"), table.lines, file=file, field="Value", allow_missing=True
    )
    order = np.arange(len(dates))
    if len(dates) > 1 and dates[0] > dates[-1]:
        order = order[::-1]
    dates, values, lines = dates[order], values[order], table.lines[order]
    check_increasing(dates, lines, file=file, field="Date")
    big = np.isfinite(values) & (np.abs(values) > _MAX_DECIMAL)
    if big.any():
        i = int(np.argmax(big))
        raise DataError(
            f"expected a decimal yield (0.05 = 5%), got {values[i]:g}",
            file=file,
            row=int(lines[i]),
            field="Value",
        )
    check_plausible(values, lines, file=file, field="Value", plausible=plausible_for("rate"))
    warnings: list[str] = []
    present = np.isfinite(values)
    if (~present).any():
        warnings.append(f"{file}: {int((~present).sum())} missing values dropped")
    return Parsed(KIND, {"rate": series_frame(dates[present], values[present])}, tuple(warnings))
