"""Macro event calendars (FOMC decisions, CPI/PPI/GDP releases).

Accepted layouts (``#`` comment lines allowed before the header):

* VixShield's own ``date,kind,label,value[,note]`` (the shipped resources);
* ``decision_date,meeting_start,type,source`` (FOMC decisions, type
  scheduled/unscheduled);
* ``date,fed_meeting_date_indicator,fed_non_scheduled_meeting_indicator,...``
  (Fed meeting flags; rows with a meeting flag become FOMC events);
* ``reference_month,release_date`` (CPI, or PPI/GDP when the file name says);
* a single ``date`` column, the kind taken from the file name (``fomc``...).

Every frame carries, besides ``date, kind, label, value``, the point-in-time
columns ``scheduled`` (bool) and ``known_from`` (Timestamp: the first day at
whose close the event's date was public). `known_from_rule` states the rule; a
VixShield file may override it row by row with a ``known_from`` column (a
release rescheduled by a shutdown, known only from the notice's date).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from vixshield.data.formats._parsed import Hints, Parsed
from vixshield.data.formats._table import Table, display_name, read_table
from vixshield.data.market import EVENT_KINDS
from vixshield.data.validate import check_increasing, parse_dates, parse_numbers, plausible_for
from vixshield.errors import DataError

__all__ = [
    "EVENT_COLUMNS",
    "FOMC_SCHEDULE_KNOWN_FROM",
    "KIND",
    "RELEASE_MAX_GAP_DAYS",
    "known_from_rule",
    "looks_like",
    "parse",
    "with_known_from",
]

KIND = "events"

EVENT_COLUMNS: tuple[str, ...] = ("date", "kind", "label", "value", "known_from", "scheduled")

FOMC_SCHEDULE_KNOWN_FROM: tuple[int, int] = (8, 1)
"""(month, day) of the year *before* a scheduled FOMC meeting from which its date is known.

The Board publishes the next year's tentative FOMC schedule in the summer
(federalreserve.gov/monetarypolicy/fomccalendars.htm lists each year's meetings;
the schedule for a year is released around June-August of the year before), so a
meeting of year Y counts as known from 1 August of Y-1 at the latest."""

RELEASE_MAX_GAP_DAYS: dict[str, int] = {"CPI": 62, "PPI": 62, "GDP": 100}
"""Calendar days: the longest step between consecutive releases of a kind that the
"named in the previous release" rule bridges (monthly BLS releases are 3-7 weeks
apart, BEA advance estimates about 13 weeks). A longer step means the calendar has a
gap (an unverified year left out, a shutdown); the next release is then known only
from its own day and the gap reads "calendar unknown"."""

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


def known_from_rule(
    dates: pd.DatetimeIndex, kinds: Sequence[str], scheduled: Sequence[bool]
) -> pd.DatetimeIndex:
    """The first day at whose close each event's date was public (point in time).

    Parameters
    ----------
    dates : DatetimeIndex
        Event (release or decision) days.
    kinds : sequence of str
        One of `EVENT_KINDS` per event.
    scheduled : sequence of bool
        False for an unscheduled FOMC action (intermeeting cut, emergency meeting).

    Returns
    -------
    DatetimeIndex
        Aligned with ``dates``, never after them.

    Notes
    -----
    * Scheduled FOMC meeting in year Y: 1 August of Y-1 (`FOMC_SCHEDULE_KNOWN_FROM`).
    * Unscheduled FOMC action: its own date (announced that day; never before).
    * CPI, PPI, GDP release: the previous release of the same kind in the calendar.
      Each BLS CPI/PPI news release names the next release's date, and BLS and BEA
      publish the year's schedule before the year starts, so by the previous release
      the date was public (a conservative bound). The first release of a calendar, or
      one more than `RELEASE_MAX_GAP_DAYS` after the previous, is known only from its
      own day: before it the calendar is unknown.
    """
    d = [pd.Timestamp(x).normalize() for x in pd.DatetimeIndex(dates)]
    kind_list = [str(k) for k in kinds]
    sched = [bool(x) for x in scheduled]
    out = list(d)
    month, day = FOMC_SCHEDULE_KNOWN_FROM
    for i, (when, kind, sch) in enumerate(zip(d, kind_list, sched, strict=True)):
        if kind == "FOMC" and sch:
            out[i] = pd.Timestamp(year=when.year - 1, month=month, day=day)
    for kind, gap in RELEASE_MAX_GAP_DAYS.items():
        rows = sorted(
            (i for i in range(len(d)) if kind_list[i] == kind and sched[i]), key=d.__getitem__
        )
        for prev, cur in itertools.pairwise(rows):
            if 0 < (d[cur] - d[prev]).days <= gap:
                out[cur] = d[prev]
    return pd.DatetimeIndex(out, dtype="datetime64[ns]")


def _default_scheduled(labels: Sequence[str]) -> list[bool]:
    """Scheduled unless the label is this parser's ``"FOMC unscheduled"`` (4-column frames)."""
    return [str(lab) != "FOMC unscheduled" for lab in labels]


def with_known_from(events: pd.DataFrame) -> pd.DataFrame:
    """``events`` with ``scheduled`` and ``known_from`` filled by `known_from_rule`.

    For frames that lost the point-in-time columns (a store written before they
    existed, a hand-built frame): ``scheduled`` defaults to the label test of
    `_default_scheduled`, missing ``known_from`` values to the rule. Rows that
    carry a ``known_from`` keep it. Returns a new frame; the input is not modified.
    """
    out = events.copy()
    labels = [str(x) for x in out["label"]] if "label" in out.columns else [""] * len(out)
    if "scheduled" not in out.columns:
        out["scheduled"] = np.asarray(_default_scheduled(labels), dtype=bool)
    dates = pd.DatetimeIndex(pd.to_datetime(out["date"])).normalize()
    rule = known_from_rule(dates, [str(k) for k in out["kind"]], list(out["scheduled"]))
    if "known_from" in out.columns:
        given = pd.DatetimeIndex(pd.to_datetime(out["known_from"]))
        known = given.where(given.notna(), rule)
    else:
        known = rule
    out["known_from"] = np.asarray(known, dtype="datetime64[ns]")
    return out


def _frame(
    dates: pd.DatetimeIndex,
    kinds: list[str],
    labels: list[str],
    values: np.ndarray,
    scheduled: list[bool] | None = None,
    known_from: pd.DatetimeIndex | None = None,
) -> pd.DataFrame:
    sched = _default_scheduled(labels) if scheduled is None else scheduled
    frame = pd.DataFrame(
        {
            "date": dates.astype("datetime64[ns]"),
            "kind": pd.array(kinds, dtype="string"),
            "label": pd.array(labels, dtype="string"),
            "value": np.asarray(values, dtype=np.float64),
            "scheduled": np.asarray(sched, dtype=bool),
        }
    )
    if known_from is not None:
        frame["known_from"] = np.asarray(known_from, dtype="datetime64[ns]")
    frame = with_known_from(frame)
    frame = frame.loc[:, list(EVENT_COLUMNS)]
    return frame.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)


_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


def _own_scheduled(table: Table, file: str, labels: list[str]) -> list[bool]:
    if not table.has("scheduled"):
        return _default_scheduled(labels)
    out: list[bool] = []
    for i, (raw, lab) in enumerate(zip(table.col("scheduled"), labels, strict=True)):
        text = str(raw).strip().lower()
        if text in _TRUE:
            out.append(True)
        elif text in _FALSE:
            out.append(False)
        elif text in ("", "nan"):
            out.append(_default_scheduled([lab])[0])
        else:
            raise DataError(
                f"expected true/false, got {raw!r}",
                file=file,
                row=int(table.lines[i]),
                field="scheduled",
            )
    return out


def _own_known_from(table: Table, file: str, dates: pd.DatetimeIndex) -> pd.DatetimeIndex | None:
    if not table.has("known_from"):
        return None
    raw = np.asarray([str(x).strip() for x in table.col("known_from")], dtype=object)
    given = np.asarray([x not in ("", "nan") for x in raw], dtype=bool)
    out = np.full(len(dates), np.datetime64("NaT"), dtype="datetime64[ns]")
    if given.any():
        parsed = parse_dates(
            raw[given], table.lines[given], file=file, field="known_from", formats=("iso",)
        )
        out[given] = parsed.to_numpy(dtype="datetime64[ns]")
    late = np.flatnonzero(given & (out > dates.to_numpy(dtype="datetime64[ns]")))
    if len(late):
        i = int(late[0])
        raise DataError(
            f"known_from {pd.Timestamp(out[i]).date()} is after the event date {dates[i].date()}",
            file=file,
            row=int(table.lines[i]),
            field="known_from",
        )
    return pd.DatetimeIndex(out)


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
            table.arrow("value"),
            table.lines,
            file=file,
            field="value",
            allow_missing=True,
            plausible=plausible_for("events"),
        )
    else:
        values = np.full(len(dates), np.nan)
    labels = [str(x) for x in table.col("label")]
    return _frame(
        dates,
        kinds,
        labels,
        values,
        _own_scheduled(table, file, labels),
        _own_known_from(table, file, dates),
    )


def parse(text: str, *, source: str, hints: Hints) -> Parsed:
    """Parse an event calendar into ``{"events": frame}`` with the columns `EVENT_COLUMNS`."""
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
        sched = [t != "unscheduled" for t in types]
        n = len(dates)
        return Parsed(
            KIND, {"events": _frame(dates, ["FOMC"] * n, labels, np.full(n, np.nan), sched)}, ()
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
        n = len(dates)
        sched = [not u for u in unsched]
        return Parsed(
            KIND,
            {"events": _frame(dates, ["FOMC"] * n, labels, np.full(n, np.nan), sched)},
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
