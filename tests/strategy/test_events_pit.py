"""Event distances are point in time: a day's value uses only the events known at its close.

The look-ahead test alters the calendar after ``t`` in every way not known at ``t`` (adds an
unscheduled action, removes and moves meetings of a schedule not yet published, adds releases
not yet announced) and checks that nothing `compute_indicators` reports for the days up to
``t`` changes. Hand-checked dates name their source.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from strategy_fakes import synthetic_data

from vixshield.data.events import load_events, with_known_from
from vixshield.data.market import MarketData
from vixshield.strategy import Policy, compute_indicators, load_policy
from vixshield.strategy.indicators import (
    EVENT_COLUMNS,
    EVENT_STATUS_COLUMNS,
    event_inputs,
    trading_days_to_events,
)

EVENT_COLS = [*EVENT_COLUMNS.values(), *EVENT_STATUS_COLUMNS.values()]


@pytest.fixture(scope="module")
def gfc() -> MarketData:
    """Synthetic prices on business days 2007-06 .. 2010-06 with the shipped calendar."""
    base = synthetic_data(800, start="2007-06-01")
    return replace(base, events=load_events())


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy("alvh-442")


def _unknown_at(events: pd.DataFrame, t: pd.Timestamp) -> pd.DataFrame:
    """The calendar altered after ``t`` only where it was not known at ``t``."""
    ev = events.copy()
    hidden = ev["known_from"] > t
    # remove a third of the events not yet known at t, move another third by 9 days
    idx = np.flatnonzero(hidden.to_numpy())
    drop, move = idx[::3], idx[1::3]
    ev.loc[ev.index[move], "date"] = ev.loc[ev.index[move], "date"] + pd.Timedelta(days=9)
    ev = ev.drop(index=ev.index[drop])
    day = pd.Timedelta(days=1)
    extra = pd.DataFrame(
        {
            # an emergency cut the next day, a release announced only after t,
            # and a meeting of a schedule published after t
            "date": [t + day, t + 3 * day, t + 400 * day],
            "kind": ["FOMC", "CPI", "FOMC"],
            "label": ["FOMC unscheduled", "CPI extra", "FOMC"],
            "value": [np.nan] * 3,
            "known_from": [t + day, t + 2 * day, t + 200 * day],
            "scheduled": [False, True, True],
        }
    )
    out = pd.concat([ev, extra], ignore_index=True)
    return out.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("pos", [5, 150, 330, 420, 610])
def test_altering_unknown_events_after_t_changes_nothing_up_to_t(
    gfc: MarketData, policy: Policy, pos: int
) -> None:
    t = gfc.daily.index[pos]
    altered = replace(gfc, events=_unknown_at(gfc.events, t))
    full = compute_indicators(gfc, policy)
    alt = compute_indicators(altered, policy)
    pd.testing.assert_frame_equal(full.loc[:t, EVENT_COLS], alt.loc[:t, EVENT_COLS])
    # the cut view gives the same rows: `until` drops what was not known at t
    cut = gfc.until(t)
    assert (cut.events["known_from"] <= t).all()
    assert len(cut.events) < len(gfc.events)
    pd.testing.assert_frame_equal(
        full.loc[:t, EVENT_COLS], trading_days_to_events(cut.daily.index, cut.events)
    )
    # the altered calendar does change the days after t (the test can fail)
    assert not full.loc[t:, EVENT_COLS].iloc[1:].equals(alt.loc[t:, EVENT_COLS].iloc[1:])


def test_event_columns_equal_day_by_day_cut(gfc: MarketData) -> None:
    """Every day of the window equals the computation on `MarketData.until` of that day."""
    days = gfc.daily.index[::7]
    whole = trading_days_to_events(gfc.daily.index, gfc.events)
    for t in days:
        cut = gfc.until(t)
        row = trading_days_to_events(pd.DatetimeIndex([t], name="date"), cut.events)
        pd.testing.assert_frame_equal(whole.loc[[t]], row, check_freq=False)


def _days(events: pd.DataFrame, day: str, kind: str = "FOMC") -> tuple[float, str]:
    out = trading_days_to_events(pd.DatetimeIndex([day]), events)
    return float(out[EVENT_COLUMNS[kind]].iloc[0]), str(out[EVENT_STATUS_COLUMNS[kind]].iloc[0])


def test_unscheduled_2020_03_15_not_visible_the_day_before() -> None:
    # Federal Reserve Board press release 2020-03-15 (Sunday, emergency cut to 0-0.25 %):
    # on Friday 03-13 the next known FOMC was the scheduled 2020-04-29 meeting (32 sessions;
    # the March 17-18 meeting it replaced is not in the calendar, see resources/README.md).
    ev = load_events()
    assert _days(ev, "2020-03-13") == (32.0, "known")
    assert _days(ev, "2020-03-16") == (0.0, "known")  # a Sunday action counts on Monday
    # 2020-03-03 intermeeting cut: unknown on 03-02 (next known 03-18 was dropped: 04-29)
    assert _days(ev, "2020-03-02")[0] > 5
    assert _days(ev, "2020-03-03") == (0.0, "known")


def test_unscheduled_2008_01_22_not_visible_the_day_before() -> None:
    # 75 bp intermeeting cut announced before the open on Tuesday 2008-01-22
    # (fed_funds_target.csv, README F1; conference call of Monday 01-21, an NYSE holiday,
    # in ../shared/data/events/fed_meetings_1975_2023.csv). On Friday 01-18 the next known
    # FOMC was the scheduled 2008-01-30 meeting: 01-22, 23, 24, 25, 28, 29, 30 = 7 sessions.
    ev = load_events()
    assert _days(ev, "2008-01-18") == (7.0, "known")
    assert _days(ev, "2008-01-22") == (0.0, "known")
    assert _days(ev, "2008-01-23") == (5.0, "known")
    # the coordinated cut of 2008-10-08: unknown on 10-07 (next known: 2008-10-29, 16 sessions)
    assert _days(ev, "2008-10-07") == (16.0, "known")
    assert _days(ev, "2008-10-08") == (0.0, "known")


def test_scheduled_meeting_known_from_previous_august() -> None:
    # A scheduled meeting of year Y is known from 1 August of Y-1 (events_csv.known_from_rule).
    ev = load_events("2008-01-01", "2008-12-31")
    sched = ev[(ev["kind"] == "FOMC") & ev["scheduled"]]
    assert (sched["known_from"] == pd.Timestamp("2007-08-01")).all()
    # So on 2007-07-31 the first 2008 meeting (01-30) is not known yet ...
    one = load_events("2007-12-12", "2008-12-31")  # without the 2007-12-11 meeting
    v, status = _days(one, "2007-07-31")
    assert math.isnan(v) and status == "calendar unknown"
    # ... and on 2007-08-01 it is.
    assert _days(one, "2007-08-01")[1] == "known"


def test_calendar_unknown_before_first_release() -> None:
    ev = load_events()
    for kind in ("CPI", "PPI", "GDP"):
        first = ev.loc[ev["kind"] == kind, "date"].min()
        before = pd.Timestamp(first) - pd.offsets.BDay(3)
        v, status = _days(ev, str(before.date()), kind)
        assert math.isnan(v) and status == "calendar unknown", kind
        assert _days(ev, str(first.date()), kind) == (0.0, "known"), kind


def test_calendar_gap_reads_unknown_not_far_distance() -> None:
    ev = load_events()
    cpi = ev[ev["kind"] == "CPI"].reset_index(drop=True)
    # cut a year out of the CPI calendar: the first release after the gap is known only on its day
    hole = cpi[(cpi["date"] >= "2017-01-01") & (cpi["date"] < "2018-01-01")]
    kept = ev[~ev["label"].isin(hole["label"])].drop(columns=["known_from"])
    gapped = with_known_from(kept)
    v, status = _days(gapped, "2017-06-15", "CPI")
    assert math.isnan(v) and status == "calendar unknown"
    assert _days(gapped, "2018-06-01", "CPI")[1] == "known"


def test_event_inputs_reason_for_audit() -> None:
    ev = load_events()
    row = trading_days_to_events(pd.DatetimeIndex(["2010-06-01"]), ev).iloc[0].to_dict()
    shown = event_inputs(row)
    assert isinstance(shown["FOMC"], float)
    cpi_first = ev.loc[ev["kind"] == "CPI", "date"].min()
    if cpi_first > pd.Timestamp("2010-06-01"):
        assert shown["CPI"] == "calendar unknown"


def test_shutdown_rescheduled_release_known_from_notice() -> None:
    # BLS notice "September 2025 CPI Release Rescheduled" (last modified 2025-10-10,
    # bls.gov/bls/092025-cpi-reschedule-notice.htm): CPI on Friday 2025-10-24; not known before.
    ev = load_events("2025-08-01", "2026-03-31")
    row = ev[ev["label"] == "CPI 2025-09"].iloc[0]
    assert row["date"] == pd.Timestamp("2025-10-24")
    assert row["known_from"] == pd.Timestamp("2025-10-10")
    # BEA moved the 2025Q4 advance estimate to 2026-02-20 (blog 2026-01-15, README G1).
    gdp = ev[ev["label"] == "GDP 2025Q4 advance"].iloc[0]
    assert gdp["known_from"] == pd.Timestamp("2026-01-15")
