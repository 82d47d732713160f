"""S&P 500 special opening quotation (SOQ, ticker SET): VixShield's own CSV.

Standard SPX options are AM-settled: they expire at the special opening
quotation of the S&P 500, computed by S&P from the opening prices of its
constituents on the expiration day (usually the third Friday of the month),
published by Cboe under the ticker ``SET``. It is not the index's open print,
and no free download carries its history, so VixShield reads it from a simple
file the user writes (from Cboe's published settlement values):

.. code-block:: text

    # optional comment lines (source, notes)
    date,spx_set
    2018-01-19,<settlement value>
    2018-02-16,<settlement value>

* header ``date,spx_set`` (lower case); further columns (e.g. ``note``) are ignored;
* ``date``: ISO ``YYYY-MM-DD``, the expiration (settlement) day, strictly increasing;
* ``spx_set``: the settlement value in index points, positive;
* lines starting with ``#`` before the header are comments.

A row on a day that is not a standard monthly SPX expiration
(`vixshield.data.calendars.spx_monthly_expiry`) is kept with a warning.
"""

from __future__ import annotations

import numpy as np

from vixshield.data.calendars import CALENDAR_END, CALENDAR_START, spx_monthly_expiry
from vixshield.data.formats._parsed import Hints, Parsed, series_frame
from vixshield.data.formats._table import display_name, read_table
from vixshield.data.validate import check_increasing, parse_dates, parse_numbers, plausible_for

__all__ = ["HEADER", "KIND", "looks_like", "parse"]

KIND = "spx_set"

HEADER: tuple[str, str] = ("date", "spx_set")
"""The first two header fields."""


def looks_like(lines: list[str]) -> bool:
    """Header ``date,spx_set[,...]``."""
    if not lines:
        return False
    head = [f.strip().lower() for f in lines[0].split(",")]
    return tuple(head[:2]) == HEADER


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse into ``spx_set`` (index points, one row per settlement day).

    Raises
    ------
    vixshield.errors.DataError
        A bad date, a non-positive or non-numeric value, or dates out of order
        (file, line and column named).
    """
    file = display_name(source)
    table = read_table(
        text, file=file, is_header=lambda f: tuple(x.lower() for x in f[:2]) == HEADER
    )
    date_col, value_col = table.header[:2]
    dates = parse_dates(
        table.arrow(date_col), table.lines, file=file, field=date_col, formats=("iso",)
    )
    check_increasing(dates, table.lines, file=file, field=date_col)
    values = parse_numbers(
        table.arrow(value_col),
        table.lines,
        file=file,
        field=value_col,
        positive=True,
        plausible=plausible_for("spx_set"),
    )
    warnings: list[str] = []
    for i, d in enumerate(dates):
        if not CALENDAR_START <= d <= CALENDAR_END:
            continue
        expiry = spx_monthly_expiry(d.year, d.month)
        if d != expiry:
            warnings.append(
                f"{file}:{table.lines[i]}: {d.date()} is not the standard SPX expiration of its "
                f"month ({expiry.date()}); kept"
            )
    return Parsed(KIND, {"spx_set": series_frame(dates, np.asarray(values))}, tuple(warnings))
