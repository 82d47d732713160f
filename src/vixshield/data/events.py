"""The shipped macro-event calendars (FOMC, CPI, PPI, GDP) and look-ups on them.

The calendars live in ``vixshield/data/resources/*.csv`` (sources and
confidence in each file's header and in ``resources/README.md``) and are read
with the ``events`` format parser, so they pass the same validation as user
files. Every event carries ``known_from``, the first day at whose close its date
was public (`vixshield.data.formats.events_csv.known_from_rule`): look-ups take an
as-of day and see only the events known then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd

from vixshield._typing import FloatArray, IntArray
from vixshield.data.cache_files import (
    cached_pickle,
    data_code_files,
    library_versions,
    source_digest,
)
from vixshield.data.calendars import trading_days
from vixshield.data.formats import parse_bytes
from vixshield.data.formats.events_csv import known_from_rule, with_known_from
from vixshield.data.market import EVENT_KINDS

__all__ = [
    "CALENDAR_UNKNOWN",
    "EVENT_FILES",
    "EventStatus",
    "days_to_next",
    "events_cache_key",
    "fed_funds_target",
    "known_at",
    "known_from_rule",
    "load_events",
    "next_event",
    "policy_rate_mid",
    "resource_path",
    "with_known_from",
]

EVENT_FILES: dict[str, str] = {
    "FOMC": "fomc.csv",
    "CPI": "cpi.csv",
    "PPI": "ppi.csv",
    "GDP": "gdp.csv",
}
"""Event kind -> shipped resource file."""

DateLike = str | dt.date | pd.Timestamp

EventStatus = Literal["known", "calendar unknown"]
"""Whether a day's distance to the next event of a kind is known (`days_to_next`)."""

CALENDAR_UNKNOWN: EventStatus = "calendar unknown"


def resource_path(name: str) -> str:
    """Location of a shipped resource file (for provenance records)."""
    return str(resources.files("vixshield.data").joinpath("resources", name))


def _read_resource(name: str) -> bytes:
    return resources.files("vixshield.data").joinpath("resources", name).read_bytes()


def _parse_events() -> pd.DataFrame:
    """The shipped calendars parsed (`parse_bytes`, kind ``events``), sorted by date and kind."""
    frames = [
        parse_bytes(_read_resource(f), source=resource_path(f), kind="events").frames["events"]
        for f in EVENT_FILES.values()
    ]
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)


def events_cache_key() -> str:
    """The on-disk key of the parsed shipped calendars (`vixshield.data.cache_files`).

    SHA-256 of the calendar files, of the data layer's code (`data_code_files`: the
    parser, its validation, the ``known_from`` rule and its calendar) and of the library
    versions: any change to what the parsed frame depends on gives a new key.
    """
    shipped = [hashlib.sha256(_read_resource(f)).hexdigest() for f in EVENT_FILES.values()]
    return source_digest(data_code_files(), *shipped, *library_versions())


@lru_cache(maxsize=1)
def _all_events() -> pd.DataFrame:
    """`_parse_events`, parsed once per data and code (kept in the cache folder)."""
    return cached_pickle("events", events_cache_key(), pd.DataFrame, _parse_events)


def load_events(start: DateLike | None = None, end: DateLike | None = None) -> pd.DataFrame:
    """The shipped event calendar between ``start`` and ``end`` (inclusive).

    Returns
    -------
    pandas.DataFrame
        Columns ``date`` (Timestamp), ``kind`` (one of `EVENT_KINDS`),
        ``label`` (e.g. ``"CPI 2016-05"``), ``value`` (NaN: the shipped
        files carry dates only), ``known_from`` (Timestamp, the first day the
        date was public) and ``scheduled`` (bool), sorted by date. A fresh copy
        each call.
    """
    ev = _all_events()
    mask = np.ones(len(ev), dtype=bool)
    if start is not None:
        mask &= (ev["date"] >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        mask &= (ev["date"] <= pd.Timestamp(end)).to_numpy()
    return ev.loc[mask].reset_index(drop=True).copy()


def known_at(events: pd.DataFrame, date: DateLike) -> pd.DataFrame:
    """The rows of ``events`` whose date was public at ``date``'s close (``known_from <= date``).

    A frame without ``known_from`` gets it from `with_known_from` first. Returns a new frame.
    """
    ev = with_known_from(events) if "known_from" not in events.columns else events
    d = pd.Timestamp(date).normalize()
    return ev.loc[(ev["known_from"] <= d).to_numpy()].reset_index(drop=True).copy()


def next_event(
    date: DateLike, kinds: Iterable[str] = EVENT_KINDS, *, events: pd.DataFrame | None = None
) -> tuple[str, pd.Timestamp, int] | None:
    """The first event of ``kinds`` on or after ``date`` that was known at ``date``'s close.

    Parameters
    ----------
    date : date-like
        The as-of day.
    kinds : iterable of str
        Event kinds to consider (default all of `EVENT_KINDS`).
    events : pandas.DataFrame, optional
        Calendar to search (default the shipped one, `load_events`).

    Returns
    -------
    (kind, event_date, trading_days_until) or None
        ``trading_days_until`` counts NYSE sessions after ``date`` up to and
        including the event day: 0 when the event is on ``date``, 1 when it is
        on the next session; an event on a non-trading day (the Sunday
        2020-03-15 FOMC cut) counts to the first session after it (0 seen from
        Monday 2020-03-16). None when
        no such event is known at ``date`` (an unscheduled action is known only
        from its own day: seen from Friday 2020-03-13 the next FOMC is the
        scheduled 2020-04-29 meeting).
    """
    d = pd.Timestamp(date).normalize()
    wanted = set(kinds)
    unknown = wanted - set(EVENT_KINDS)
    if unknown:
        raise ValueError(f"unknown event kinds {sorted(unknown)}; expected {list(EVENT_KINDS)}")
    ev = known_at(_all_events() if events is None else events, d)
    # an event after the previous session reaches the market on or after ``date``
    before = trading_days(d - pd.Timedelta(days=14), d - pd.Timedelta(days=1))
    after = before[-1] if len(before) else d - pd.Timedelta(days=1)
    sel = ev[(ev["date"] > after) & ev["kind"].isin(list(wanted))]
    if sel.empty:
        return None
    row = sel.sort_values("date", kind="stable").iloc[0]
    when = pd.Timestamp(row["date"])
    days, _ = days_to_next(pd.DatetimeIndex([d]), sel.iloc[:1], str(row["kind"]))
    return str(row["kind"]), when, int(days[0])


def days_to_next(
    dates: pd.DatetimeIndex, events: pd.DataFrame, kind: str
) -> tuple[FloatArray, list[EventStatus]]:
    """NYSE sessions from each date to the next ``kind`` event known at that date's close.

    Parameters
    ----------
    dates : DatetimeIndex
        As-of days (trading days).
    events : DataFrame
        An event calendar (`load_events`, `MarketData.events`); one without
        ``known_from`` gets it from `with_known_from`.
    kind : str
        One of `EVENT_KINDS`.

    Returns
    -------
    days : ndarray of float
        Sessions after the date up to and including the event's session (0 on the
        day; an event on a non-trading day, the Sunday 2020-03-15 cut, counts on the
        first session after it). NaN where the status is ``"calendar unknown"``.
    status : list of EventStatus
        ``"known"``, or ``"calendar unknown"`` where no event of ``kind`` on or after
        the date was known at its close: before the calendar's first release, in a gap
        of it, after its end, or while the next action was not yet announced.

    Notes
    -----
    Row ``i`` reads only events with ``known_from <= dates[i]``, so altering the
    calendar after ``dates[i]`` in ways not known at ``dates[i]`` leaves it unchanged.
    With the events in session order, the answer is the first event from the row's
    session on (`numpy.searchsorted`) that is known at its date (`_first_known`).
    """
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}; expected {list(EVENT_KINDS)}")
    n = len(dates)
    days = np.full(n, np.nan)
    status: list[EventStatus] = [CALENDAR_UNKNOWN] * n
    ev = with_known_from(events) if "known_from" not in events.columns else events
    of_kind = (ev["kind"] == kind).to_numpy(dtype=bool, na_value=False)
    if n == 0 or not of_kind.any():
        return days, status
    d = pd.DatetimeIndex(dates).normalize()
    when = pd.DatetimeIndex(pd.to_datetime(ev["date"]))[of_kind].normalize()
    known = pd.DatetimeIndex(pd.to_datetime(ev["known_from"]))[of_kind].normalize()
    first = min(d.min(), when.min())
    sessions = trading_days(first, max(d.max(), when.max()) + pd.Timedelta(days=7))
    pos_d = sessions.searchsorted(d, side="left")
    pos_e = sessions.searchsorted(when, side="left")
    order = np.argsort(pos_e, kind="stable")
    pos_e = pos_e[order]
    known_ns = known.to_numpy(dtype="datetime64[ns]").view(np.int64)[order]
    known_ns = np.where(np.asarray(known.isna())[order], np.iinfo(np.int64).max, known_ns)
    d_ns = d.to_numpy(dtype="datetime64[ns]").view(np.int64)
    nxt = _first_known(known_ns, np.searchsorted(pos_e, pos_d, side="left"), d_ns)
    has = nxt < len(pos_e)
    days[has] = pos_e[nxt[has]] - pos_d[has]
    status = ["known" if h else CALENDAR_UNKNOWN for h in has.tolist()]
    return days, status


def _first_known(known: IntArray, start: IntArray, asof: IntArray) -> IntArray:
    """Per row ``i``, the first ``j >= start[i]`` with ``known[j] <= asof[i]``, else ``len(known)``.

    Binary lifting over range minima: ``low[k][j] = min(known[j : j + 2**k])``; each row
    skips, from the largest block down, every block of events all still unknown at its
    date, so the answer takes ``log2(len(known))`` vectorised steps.
    """
    m = len(known)
    pos = np.asarray(start, dtype=np.int64).copy()
    low = [np.asarray(known, dtype=np.int64)]
    while (1 << len(low)) <= m:
        prev, half = low[-1], 1 << (len(low) - 1)
        low.append(np.minimum(prev[: len(prev) - half], prev[half:]))
    for k in range(len(low) - 1, -1, -1):
        table = low[k]  # table[j] covers known[j : j + 2**k], defined for j < len(table)
        fits = pos < len(table)
        idx = np.minimum(pos, len(table) - 1)
        skip = fits & (table[idx] > asof)
        pos = np.where(skip, pos + (1 << k), pos)
    return pos


@lru_cache(maxsize=1)
def _fed_funds() -> pd.DataFrame:
    from vixshield.data.formats._table import read_table
    from vixshield.data.validate import check_increasing, parse_dates, parse_numbers

    name = "fed_funds_target.csv"
    text = _read_resource(name).decode("utf-8")
    t = read_table(text, file=name, is_header=lambda f: f[:3] == ["date", "lower", "upper"])
    dates = parse_dates(t.col("date"), t.lines, file=name, field="date", formats=("iso",))
    check_increasing(dates, t.lines, file=name, field="date")
    lower = parse_numbers(t.col("lower"), t.lines, file=name, field="lower", nonnegative=True)
    upper = parse_numbers(t.col("upper"), t.lines, file=name, field="upper", nonnegative=True)
    return pd.DataFrame(
        {"lower": lower / 100.0, "upper": upper / 100.0},
        index=pd.DatetimeIndex(dates, name="date"),
    )


def policy_rate_mid(days: pd.DatetimeIndex) -> pd.Series:
    """Modeled short rate on ``days``: the Fed funds target mid-point, decimal per year.

    Stepped on decision dates (the target in force at each day's close). This is the
    documented substitute for the 3-month T-bill where no real rate is loaded; callers tag
    it ``origin="modeled"``.
    """
    target = fed_funds_target()
    mid = ((target["lower"] + target["upper"]) / 2.0).sort_index()
    return pd.Series(
        mid.reindex(days, method="ffill").to_numpy(dtype=np.float64), index=days, name="rate"
    )


def fed_funds_target() -> pd.DataFrame:
    """Fed funds target (range) after each change, shipped table.

    Returns
    -------
    pandas.DataFrame
        Indexed by decision date, columns ``lower`` and ``upper`` as decimals
        per year (0.0525 = 5.25%); equal before 2008-12-16 (single target).
    """
    return _fed_funds().copy()
