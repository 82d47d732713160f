"""days_to_next against its definition, counted row by row over the NYSE sessions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from vixshield.data.calendars import trading_days
from vixshield.data.events import CALENDAR_UNKNOWN, days_to_next

SESSIONS = trading_days("2014-01-02", "2017-01-31")


def _reference(dates: pd.DatetimeIndex, ev: pd.DataFrame) -> tuple[list[float], list[str]]:
    """For each date: the sessions after it up to the session of an event known at its close
    (``known_from <= date``; an event off the calendar reaches the next session), nearest
    event first; NaN and "calendar unknown" where none is known. Counted by listing the
    NYSE sessions between the two days."""
    days: list[float] = []
    status: list[str] = []
    for d in dates:
        best = None
        for when, known in zip(ev["date"], ev["known_from"], strict=True):
            if pd.isna(known) or known > d:
                continue
            around = trading_days(when - pd.Timedelta(days=7), when + pd.Timedelta(days=7))
            session = around[around >= when][0]  # the event's session (weekend: the next)
            if session < d:
                continue
            n = int(np.count_nonzero((d < SESSIONS) & (session >= SESSIONS)))
            best = n if best is None else min(best, n)
        days.append(float("nan") if best is None else float(best))
        status.append(CALENDAR_UNKNOWN if best is None else "known")
    return days, status


@st.composite
def calendars(draw: st.DrawFn) -> tuple[pd.DatetimeIndex, pd.DataFrame]:
    n_dates = draw(st.integers(1, 25))
    last = int(SESSIONS.searchsorted(pd.Timestamp("2016-12-30")))
    picks = draw(st.lists(st.integers(0, last), min_size=n_dates, max_size=n_dates))
    dates = pd.DatetimeIndex(sorted(set(SESSIONS[picks])))
    n_events = draw(st.integers(1, 12))
    start = SESSIONS[0]
    offsets = draw(st.lists(st.integers(0, 1090), min_size=n_events, max_size=n_events))
    leads = draw(st.lists(st.integers(-20, 400), min_size=n_events, max_size=n_events))
    unknown = draw(st.lists(st.booleans(), min_size=n_events, max_size=n_events))
    when = [start + pd.Timedelta(days=o) for o in offsets]  # weekends and holidays too
    known = [
        pd.NaT if u else w - pd.Timedelta(days=lead)
        for w, lead, u in zip(when, leads, unknown, strict=True)
    ]
    ev = pd.DataFrame(
        {
            "date": pd.DatetimeIndex(when),
            "kind": "CPI",
            "label": "CPI",
            "value": np.nan,
            "known_from": pd.DatetimeIndex(known),
            "scheduled": True,
        }
    )
    return dates, ev


@settings(max_examples=60, deadline=None)
@given(calendars())
def test_days_to_next_matches_its_definition(case: tuple[pd.DatetimeIndex, pd.DataFrame]) -> None:
    dates, ev = case
    days, status = days_to_next(dates, ev, "CPI")
    want_days, want_status = _reference(dates, ev)
    np.testing.assert_array_equal(days, np.asarray(want_days))
    assert status == want_status


def test_a_weekend_event_counts_on_the_next_session() -> None:
    # FOMC cut on Sunday 2020-03-15, known from its own day: 0 sessions from Monday 03-16,
    # unknown on Friday 03-13 (Federal Reserve press release of 2020-03-15).
    ev = pd.DataFrame(
        {
            "date": pd.to_datetime(["2020-03-15"]),
            "kind": ["FOMC"],
            "label": ["FOMC"],
            "value": [np.nan],
            "known_from": pd.to_datetime(["2020-03-15"]),
            "scheduled": [False],
        }
    )
    days, status = days_to_next(pd.DatetimeIndex(["2020-03-13", "2020-03-16"]), ev, "FOMC")
    assert np.isnan(days[0]) and status[0] == CALENDAR_UNKNOWN
    assert days[1] == 0.0 and status[1] == "known"
