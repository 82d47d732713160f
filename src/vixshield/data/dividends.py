"""The S&P 500 dividend yield: a shipped annual table, stepped onto trading days.

``resources/dividend_yield.csv`` holds the trailing 12-month dividend yield of
the S&P 500 at the end of each calendar year 1989 .. 2026 (dividends per share
paid in the year over the year-end close). The values were entered from the
public record (S&P Dow Jones Indices; Robert Shiller's online data; multpl.com)
without a download and are approximate (about +-0.1 percentage point); 2025 and
2026 are estimates. The daily series built from it is therefore *modeled*.

No look-ahead: a year's trailing yield is only known at its end, so every day
of year ``Y`` takes the value of year ``Y - 1`` (1990 uses 1989's year-end
value, which is why the table starts in 1989). Days in a year whose previous
year is not in the table are NaN.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from vixshield.errors import DataError

__all__ = [
    "DIV_YIELD_NOTE",
    "DIV_YIELD_RESOURCE",
    "annual_dividend_yield",
    "dividend_yield",
    "dividend_yield_source",
]

DIV_YIELD_RESOURCE = "dividend_yield.csv"
"""Shipped table in ``vixshield/data/resources`` (columns ``year,div_yield,dividends,close,
source,note`` after ``#`` comment lines)."""

DIV_YIELD_NOTE = (
    "modeled: S&P 500 trailing 12-month dividend yield at each calendar year's end "
    "(dividends per share / year-end close), entered from the public record (S&P Dow Jones "
    "Indices, Shiller, multpl.com) without a download, approximate +-0.1 percentage point; "
    "2025 and 2026 estimated. Stepped: every day of year Y uses year Y-1's value (known "
    "only at its end; no look-ahead). Simple annual yield, decimal per year."
)
"""Provenance note of the ``div_yield`` column."""

_MAX_YIELD = 0.10  # decimal per year: an S&P 500 yield above 10 % is a typo (peak ~13.8 % in 1932)


def dividend_yield_source() -> str:
    """Location of the shipped table (for provenance records)."""
    return str(resources.files("vixshield.data").joinpath("resources", DIV_YIELD_RESOURCE))


@lru_cache(maxsize=1)
def annual_dividend_yield() -> pd.Series:
    """The shipped year-end trailing dividend yields.

    Returns
    -------
    pandas.Series
        Index: calendar year (int, consecutive, increasing), name ``year``;
        values: decimal per year (0.0185 = 1.85 %), float64, name ``div_yield``.

    Raises
    ------
    vixshield.errors.DataError
        The shipped file is malformed (names its line and column).
    """
    file = DIV_YIELD_RESOURCE
    raw = (
        resources.files("vixshield.data")
        .joinpath("resources", DIV_YIELD_RESOURCE)
        .read_text(encoding="utf-8")
    )
    rows = [
        (n, line)
        for n, line in enumerate(raw.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not rows or rows[0][1].split(",")[:2] != ["year", "div_yield"]:
        raise DataError("expected a header starting 'year,div_yield'", file=file, row=1)
    years: list[int] = []
    values: list[float] = []
    for (n, line), fields in zip(
        rows[1:], csv.reader(io.StringIO("\n".join(r[1] for r in rows[1:]))), strict=True
    ):
        try:
            year = int(fields[0])
        except (ValueError, IndexError):
            raise DataError(
                f"expected a year, got {line[:20]!r}", file=file, row=n, field="year"
            ) from None
        try:
            value = float(fields[1])
        except (ValueError, IndexError):
            raise DataError("expected a number", file=file, row=n, field="div_yield") from None
        if not 0.0 < value < _MAX_YIELD:
            raise DataError(
                f"expected a decimal yield in (0, {_MAX_YIELD}), got {value}",
                file=file,
                row=n,
                field="div_yield",
            )
        if years and year != years[-1] + 1:
            raise DataError(
                f"expected year {years[-1] + 1} after {years[-1]}, got {year}",
                file=file,
                row=n,
                field="year",
            )
        years.append(year)
        values.append(value)
    index = pd.Index(years, dtype=np.int64, name="year")
    return pd.Series(values, index=index, dtype=np.float64, name="div_yield")


def dividend_yield(days: pd.DatetimeIndex) -> pd.Series:
    """The dividend yield in force on each of ``days`` (previous year's year-end value).

    Parameters
    ----------
    days : pandas.DatetimeIndex
        Dates (tz-naive), typically trading days.

    Returns
    -------
    pandas.Series
        Indexed by ``days``; decimal per year; NaN where year ``Y - 1`` of a day in
        year ``Y`` is not in the table.

    Notes
    -----
    ``q(t) = y(year(t) - 1)`` with ``y`` the table `annual_dividend_yield`: a step
    on 1 January, never a value before the end of the year it describes.
    """
    table = annual_dividend_yield()
    idx = pd.DatetimeIndex(days)
    prior = pd.Index(np.asarray(idx.year, dtype=np.int64) - 1)
    values = table.reindex(prior).to_numpy(dtype=np.float64)
    return pd.Series(values, index=idx, name="div_yield", dtype=np.float64)
