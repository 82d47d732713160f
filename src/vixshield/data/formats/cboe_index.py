"""Cboe index histories: ``<NAME>_History.csv``.

Header ``DATE,OPEN,HIGH,LOW,CLOSE`` (VIX, VIX9D, VIX3M, VIX6M) or
``DATE,VVIX`` / ``DATE,SKEW``; dates ``MM/DD/YYYY``. Older rows repeat the
close in OPEN/HIGH/LOW.
"""

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
from vixshield.errors import DataError

__all__ = ["KIND", "SERIES", "VVIX_FLOOR", "VVIX_FLOOR_UNTIL", "looks_like", "parse"]

KIND = "cboe_index"

SERIES: dict[str, str] = {
    "VIX": "vix",
    "VIX9D": "vix9d",
    "VIX3M": "vix3m",
    "VXV": "vix3m",  # VIX3M's name before 2017
    "VIX6M": "vix6m",
    "VXMT": "vix6m",  # VIX6M's name before 2017
    "VVIX": "vvix",
    "SKEW": "skew",
}
"""Cboe index name -> series key."""

VVIX_FLOOR = 40.0
"""VVIX prints below this (volatility points) before `VVIX_FLOOR_UNTIL` are
implausible early values of the reconstructed history (e.g. 15.71 on
2006-03-15); they are dropped with a warning."""
VVIX_FLOOR_UNTIL = pd.Timestamp("2007-01-01")

_NAME = re.compile(r"^([A-Za-z0-9]+?)_?History", re.IGNORECASE)


def looks_like(lines: list[str]) -> bool:
    """Header ``DATE,...`` with a ``MM/DD/YYYY`` first data row."""
    if len(lines) < 1:
        return False
    head = [f.strip().upper() for f in lines[0].split(",")]
    if not head or head[0] != "DATE" or len(head) < 2:
        return False
    if len(lines) > 1:
        first = lines[1].split(",")[0].strip()
        return bool(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", first))
    return head[1:] == ["OPEN", "HIGH", "LOW", "CLOSE"] or head[1] in SERIES


def _series_name(source: str, header: tuple[str, ...], hint: str | None) -> str:
    if hint:
        key = hint.upper()
        if key in SERIES:
            return key
        if hint.lower() in SERIES.values():
            return next(k for k, v in SERIES.items() if v == hint.lower())
        raise DataError(
            f"unknown Cboe index series hint {hint!r}; expected one of {sorted(SERIES)}"
        )
    if len(header) == 2 and header[1].upper() in SERIES:
        return header[1].upper()
    m = _NAME.match(display_name(source))
    if m and m.group(1).upper() in SERIES:
        return m.group(1).upper()
    raise DataError(
        "cannot tell which Cboe index this is from its name: name the file "
        "<NAME>_History.csv as Cboe does (or pass series= to parse_bytes), "
        f"NAME one of {sorted(SERIES)}",
        file=display_name(source),
    )


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse a Cboe index history into ``{key: frame}`` (and ``vix_open`` for VIX)."""
    file = display_name(source)
    table = read_table(
        text, file=file, is_header=lambda f: bool(f) and f[0].upper() == "DATE", max_preamble=3
    )
    name = _series_name(source, table.header, hints.series)
    key = SERIES[name]
    cols = {c.upper(): c for c in table.header}
    date_col = cols["DATE"]
    dates = parse_dates(
        table.arrow(date_col), table.lines, file=file, field=date_col, formats=("mdy", "iso")
    )
    check_increasing(dates, table.lines, file=file, field=date_col)
    warnings: list[str] = []
    frames: dict[str, pd.DataFrame] = {}
    if "CLOSE" in cols:
        value_col = cols["CLOSE"]
    elif name in cols:
        value_col = cols[name]
    elif len(table.header) == 2:
        value_col = table.header[1]
    else:
        raise DataError(
            f"expected a CLOSE or {name} column in {list(table.header)}",
            file=file,
            row=table.header_line,
        )
    plausible = plausible_for(key)
    value = parse_numbers(
        table.arrow(value_col),
        table.lines,
        file=file,
        field=value_col,
        positive=True,
        plausible=plausible,
    )
    keep = np.ones(len(value), dtype=bool)
    if key == "vvix":
        low = (value < VVIX_FLOOR) & np.asarray(dates < VVIX_FLOOR_UNTIL)
        for i in np.flatnonzero(low).tolist():
            warnings.append(
                f"{file}:{table.lines[i]}: VVIX {value[i]:g} on {dates[i].date()} is below "
                f"{VVIX_FLOOR:g} before {VVIX_FLOOR_UNTIL.year} (implausible early print): dropped"
            )
        keep &= ~low
    frames[key] = series_frame(dates[keep], value[keep])
    if {"OPEN", "HIGH", "LOW"} <= cols.keys():
        o, h, lo = (
            parse_numbers(
                table.arrow(cols[c]),
                table.lines,
                file=file,
                field=cols[c],
                positive=True,
                plausible=plausible,
            )
            for c in ("OPEN", "HIGH", "LOW")
        )
        warnings += check_high_low(h, lo, table.lines, file=file, field=cols["HIGH"], strict=False)
        if key == "vix":
            flat = (o == h) & (h == lo) & (lo == value)
            if flat.any():
                last = dates[int(np.flatnonzero(flat)[-1])].date()
                warnings.append(
                    f"{file}: {int(flat.sum())} close-only rows (OPEN=HIGH=LOW=CLOSE, last on "
                    f"{last}): vix_open left missing there"
                )
            frames["vix_open"] = series_frame(dates[~flat], o[~flat])
    return Parsed(KIND, frames, tuple(warnings))
