"""The shipped macro-event calendars (FOMC, CPI, PPI, GDP) and look-ups on them.

The calendars live in ``vixshield/data/resources/*.csv`` (sources and
confidence in each file's header and in ``resources/README.md``) and are read
with the ``events`` format parser, so they pass the same validation as user
files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from vixshield.data.calendars import trading_days
from vixshield.data.formats import parse_bytes
from vixshield.data.market import EVENT_KINDS

__all__ = [
    "EVENT_FILES",
    "fed_funds_target",
    "load_events",
    "next_event",
    "policy_rate_mid",
    "resource_path",
]

EVENT_FILES: dict[str, str] = {
    "FOMC": "fomc.csv",
    "CPI": "cpi.csv",
    "PPI": "ppi.csv",
    "GDP": "gdp.csv",
}
"""Event kind -> shipped resource file."""

DateLike = str | dt.date | pd.Timestamp


def resource_path(name: str) -> str:
    """Location of a shipped resource file (for provenance records)."""
    return str(resources.files("vixshield.data").joinpath("resources", name))


def _read_resource(name: str) -> bytes:
    return resources.files("vixshield.data").joinpath("resources", name).read_bytes()


@lru_cache(maxsize=1)
def _all_events() -> pd.DataFrame:
    frames = [
        parse_bytes(_read_resource(f), source=resource_path(f), kind="events").frames["events"]
        for f in EVENT_FILES.values()
    ]
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)


def load_events(start: DateLike | None = None, end: DateLike | None = None) -> pd.DataFrame:
    """The shipped event calendar between ``start`` and ``end`` (inclusive).

    Returns
    -------
    pandas.DataFrame
        Columns ``date`` (Timestamp), ``kind`` (one of `EVENT_KINDS`),
        ``label`` (e.g. ``"CPI 2016-05"``) and ``value`` (NaN: the shipped
        files carry dates only), sorted by date. A fresh copy each call.
    """
    ev = _all_events()
    mask = np.ones(len(ev), dtype=bool)
    if start is not None:
        mask &= (ev["date"] >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        mask &= (ev["date"] <= pd.Timestamp(end)).to_numpy()
    return ev.loc[mask].reset_index(drop=True).copy()


def next_event(
    date: DateLike, kinds: Iterable[str] = EVENT_KINDS, *, events: pd.DataFrame | None = None
) -> tuple[str, pd.Timestamp, int] | None:
    """The first event of ``kinds`` on or after ``date``.

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
        2020-03-15 FOMC cut) counts to the first session after it. None when
        no such event is in the calendar.
    """
    d = pd.Timestamp(date).normalize()
    wanted = set(kinds)
    unknown = wanted - set(EVENT_KINDS)
    if unknown:
        raise ValueError(f"unknown event kinds {sorted(unknown)}; expected {list(EVENT_KINDS)}")
    ev = _all_events() if events is None else events
    sel = ev[(ev["date"] >= d) & ev["kind"].isin(list(wanted))]
    if sel.empty:
        return None
    row = sel.sort_values("date", kind="stable").iloc[0]
    when = pd.Timestamp(row["date"])
    if when == d:
        return str(row["kind"]), when, 0
    # an event on a non-trading day (2020-03-15, a Sunday) reaches the market
    # at the next session, so count sessions up to that one
    upto = when + pd.Timedelta(days=7)
    sessions = trading_days(d + pd.Timedelta(days=1), upto)
    until = int(sessions.searchsorted(when, side="left")) + 1
    return str(row["kind"]), when, until


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
