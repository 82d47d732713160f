"""Macro event calendars (FOMC decisions, CPI/PPI/GDP releases).

Accepted layouts (``#`` comment lines allowed before the header):

* VixShield's own ``date,kind,label,value[,note]`` (the shipped resources);
* ``decision_date,meeting_start,type,source`` (FOMC decisions, type
  scheduled/unscheduled);
* ``date,fed_meeting_date_indicator,fed_non_scheduled_meeting_indicator,...``
  (Fed meeting flags; rows with a meeting flag become FOMC events);
* ``reference_month,release_date`` (CPI, or PPI/GDP when the file name says);
* a single ``date`` column, the kind taken from the file name (``fomc``...).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vixshield.data.formats._parsed import Hints, Parsed
from vixshield.data.formats._table import Table, display_name, read_table
from vixshield.data.market import EVENT_KINDS
from vixshield.data.validate import check_increasing, parse_dates, parse_numbers
from vixshield.errors import DataError

__all__ = ["EVENT_COLUMNS", "KIND", "looks_like", "parse"]

KIND = "events"

EVENT_COLUMNS: tuple[str, ...] = ("date", "kind", "label", "value")

_HEADS = (
    ("date", "kind", "label"),
    ("decision_date",),
    ("date", "fed_meeting_date_indicator"),
    ("reference_month", "release_date"),
)


def _is_header(fields: list[str]) -> bool:
    low = tuple(f.lower() for f in fields)
    return low == ("date",) or any(low[: len(h)] == h for h in _HEADS)


def looks_like(lines: list[str]) -> bool:
    """One of the event headers, after optional ``#`` comment lines."""
    for line in lines[:20]:
        if line.startswith("#") or not line.strip():
            continue
        return _is_header([f.strip() for f in line.split(",")])
    return False


def _kind_from_name(file: str) -> str | None:
    low = file.lower()
    for kind in EVENT_KINDS:
        if kind.lower() in low:
            return kind
    if "fed" in low:
        return "FOMC"
    return None


def _frame(
    dates: pd.DatetimeIndex, kinds: list[str], labels: list[str], values: np.ndarray
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "date": dates.astype("datetime64[ns]"),
            "kind": pd.array(kinds, dtype="string"),
            "label": pd.array(labels, dtype="string"),
            "value": np.asarray(values, dtype=np.float64),
        }
    )
    return frame.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)


def _own(table: Table, file: str) -> pd.DataFrame:
    dates = parse_dates(table.col("date"), table.lines, file=file, field="date", formats=("iso",))
    kinds = [str(k) for k in table.col("kind")]
    for i, k in enumerate(kinds):
        if k not in EVENT_KINDS:
            raise DataError(
                f"expected an event kind in {list(EVENT_KINDS)}, got {k!r}",
                file=file,
                row=int(table.lines[i]),
                field="kind",
            )
    check_increasing(
        dates, table.lines, file=file, field="date", group=np.array(kinds, dtype=object)
    )
    if table.has("value"):
        values = parse_numbers(
            table.col("value"), table.lines, file=file, field="value", allow_missing=True
        )
    else:
        values = np.full(len(dates), np.nan)
    return _frame(dates, kinds, [str(x) for x in table.col("label")], values)


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse an event calendar into ``{"events": frame}`` (date, kind, label, value)."""
    file = display_name(source)
    table = read_table(text, file=file, is_header=_is_header, max_preamble=40)
    head = tuple(h.lower() for h in table.header)
    table = Table(
        table.file,
        head,
        table.header_line,
        {k.lower(): v for k, v in table.cells.items()},
        table.lines,
    )
    warnings: list[str] = []
    if head[:3] == ("date", "kind", "label"):
        return Parsed(KIND, {"events": _own(table, file)}, ())
    if head[0] == "decision_date":
        dates = parse_dates(
            table.col("decision_date"), table.lines, file=file, field="decision_date"
        )
        check_increasing(dates, table.lines, file=file, field="decision_date")
        types = (
            [str(t).lower() for t in table.col("type")]
            if table.has("type")
            else ["scheduled"] * len(dates)
        )
        labels = ["FOMC unscheduled" if t == "unscheduled" else "FOMC" for t in types]
        return Parsed(
            KIND,
            {"events": _frame(dates, ["FOMC"] * len(dates), labels, np.full(len(dates), np.nan))},
            (),
        )
    if head[:2] == ("date", "fed_meeting_date_indicator"):
        meet = np.array([str(x) == "1" for x in table.col("fed_meeting_date_indicator")])
        sub = table.take(meet)
        dates = parse_dates(sub.col("date"), sub.lines, file=file, field="date")
        check_increasing(dates, sub.lines, file=file, field="date")
        unsched = (
            [str(x) == "1" for x in sub.col("fed_non_scheduled_meeting_indicator")]
            if sub.has("fed_non_scheduled_meeting_indicator")
            else [False] * len(dates)
        )
        labels = ["FOMC unscheduled" if u else "FOMC" for u in unsched]
        warnings.append(
            f"{file}: {int((~meet).sum())} rows without a meeting flag (minutes etc.) skipped"
        )
        return Parsed(
            KIND,
            {"events": _frame(dates, ["FOMC"] * len(dates), labels, np.full(len(dates), np.nan))},
            tuple(warnings),
        )
    if head[:2] == ("reference_month", "release_date"):
        kind = _kind_from_name(file) or "CPI"
        if kind == "FOMC":
            kind = "CPI"
        ref = parse_dates(
            table.col("reference_month"),
            table.lines,
            file=file,
            field="reference_month",
            formats=("ym", "iso"),
        )
        dates = parse_dates(table.col("release_date"), table.lines, file=file, field="release_date")
        check_increasing(ref, table.lines, file=file, field="reference_month")
        check_increasing(dates, table.lines, file=file, field="release_date")
        early = np.asarray(dates <= ref)
        if early.any():
            i = int(np.argmax(early))
            raise DataError(
                f"release date {dates[i].date()} is not after its reference month {ref[i]:%Y-%m}",
                file=file,
                row=int(table.lines[i]),
                field="release_date",
            )
        labels = [f"{kind} {r:%Y-%m}" for r in ref]
        return Parsed(
            KIND,
            {"events": _frame(dates, [kind] * len(dates), labels, np.full(len(dates), np.nan))},
            (),
        )
    # single date column: kind from the file name
    kind_or_none = _kind_from_name(file)
    if kind_or_none is None:
        raise DataError(
            "a date-only event file must name its kind in the file name (e.g. fomc_2014.csv)",
            file=file,
            row=table.header_line,
        )
    dates = parse_dates(table.col("date"), table.lines, file=file, field="date")
    check_increasing(dates, table.lines, file=file, field="date")
    n = len(dates)
    return Parsed(
        KIND,
        {"events": _frame(dates, [kind_or_none] * n, [kind_or_none] * n, np.full(n, np.nan))},
        (),
    )
