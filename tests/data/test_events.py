"""Shipped event calendars: cross-checked against ../shared/data/events and invariants."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vixshield.data.calendars import is_trading_day
from vixshield.data.events import fed_funds_target, load_events, next_event
from vixshield.data.formats import parse_file
from vixshield.data.market import EVENT_KINDS


def _dates(ev: pd.DataFrame, kind: str) -> list[str]:
    return list(ev.loc[ev["kind"] == kind, "date"].dt.strftime("%Y-%m-%d"))


def test_shipped_calendar_shape_and_coverage() -> None:
    ev = load_events()
    assert list(ev.columns) == ["date", "kind", "label", "value"]
    assert ev["date"].is_monotonic_increasing
    assert set(ev["kind"]) == set(EVENT_KINDS)
    for kind in EVENT_KINDS:
        years = set(ev.loc[ev["kind"] == kind, "date"].dt.year)
        assert set(range(2014, 2027)) <= years, kind
        dates = ev.loc[ev["kind"] == kind, "date"]
        assert dates.is_unique and dates.is_monotonic_increasing


def test_releases_are_trading_days_and_after_their_period() -> None:
    ev = load_events()
    for kind in ("CPI", "PPI", "GDP"):
        sub = ev[ev["kind"] == kind]
        assert (sub["date"].dt.day_of_week < 5).all(), kind
        # BLS publishes on Good Friday (a federal workday, an NYSE holiday): CPI for 2017-03
        # came out on 2017-04-14 and for 2020-03 on 2020-04-10. Otherwise releases are sessions.
        off = [d.strftime("%Y-%m-%d") for d in sub["date"] if not is_trading_day(d)]
        assert off == (["2017-04-14", "2020-04-10"] if kind == "CPI" else []), kind
        for date, label in zip(sub["date"], sub["label"], strict=True):
            period = label.split()[1]
            end = pd.Period(period, freq="Q" if "Q" in period else "M").end_time
            assert date > end, label
            assert (date - end).days < 100, label
    cpi = ev[ev["kind"] == "CPI"]
    labels = list(cpi["label"])
    assert "CPI 2025-10" not in labels  # never published (2025 shutdown)


def test_fomc_within_calendar_is_known_cuts() -> None:
    ev = load_events()
    fomc = ev[ev["kind"] == "FOMC"]
    assert list(fomc.loc[fomc["label"] == "FOMC unscheduled", "date"].dt.strftime("%Y-%m-%d")) == [
        "2020-03-03",
        "2020-03-15",
    ]
    # Eight scheduled meetings a year 2014-2026 (Fed calendar), except 2020: the scheduled
    # March 17-18 meeting was replaced by the unscheduled Sunday 2020-03-15 decision.
    counts = fomc["date"].dt.year.value_counts()
    assert counts.drop(2020).eq(8).all() and counts[2020] == 9
    sched = fomc[fomc["label"] == "FOMC"]
    assert "2020-03-18" not in set(sched["date"].dt.strftime("%Y-%m-%d"))


def test_every_rate_change_since_2014_is_an_fomc_decision() -> None:
    target = fed_funds_target()
    fomc = set(_dates(load_events(), "FOMC"))
    changes = [d.strftime("%Y-%m-%d") for d in target.index if d.year >= 2014]
    assert changes and set(changes) <= fomc
    assert (target["lower"] <= target["upper"]).all()
    # Published ranges: 5.25-5.50% after 2023-07-26, 0-0.25% after 2020-03-15.
    assert tuple(target.loc["2023-07-26"]) == (0.0525, 0.055)
    assert tuple(target.loc["2020-03-15"]) == (0.0, 0.0025)


@pytest.mark.shared_data
def test_fomc_equals_shared_lists(shared_data: Path) -> None:
    d = shared_data / "events"
    shared = pd.concat(
        [
            parse_file(d / "fomc_decisions_2014.csv").frames["events"],
            parse_file(d / "fomc_decisions_2015_2026.csv").frames["events"],
        ]
    )
    ours = load_events()
    ours = ours[ours["kind"] == "FOMC"]
    assert list(ours["date"].dt.strftime("%Y-%m-%d")) == list(
        shared["date"].dt.strftime("%Y-%m-%d")
    )
    assert list(ours["label"]) == list(shared["label"])


@pytest.mark.shared_data
def test_cpi_equals_shared_list(shared_data: Path) -> None:
    shared = parse_file(shared_data / "events" / "cpi_releases_2021_2026.csv").frames["events"]
    ours = load_events(start="2021-07-01")
    ours = ours[ours["kind"] == "CPI"]
    assert list(ours["date"]) == list(shared["date"])
    assert list(ours["label"]) == list(shared["label"])


def test_next_event() -> None:
    # 2018-02-05 (Mon) -> CPI 2018-01 released Wed 2018-02-14: 7 sessions later.
    assert next_event("2018-02-05", ["CPI"]) == ("CPI", pd.Timestamp("2018-02-14"), 7)
    assert next_event("2018-02-14", ["CPI"]) == ("CPI", pd.Timestamp("2018-02-14"), 0)
    # Sunday 2020-03-15 cut, seen from Friday 03-13: reaches the market Monday, 1 session.
    assert next_event("2020-03-13", ["FOMC"]) == ("FOMC", pd.Timestamp("2020-03-15"), 1)
    assert next_event("2040-01-01") is None
    with pytest.raises(ValueError):
        next_event("2020-01-01", ["NFP"])


def test_load_events_window_and_copy() -> None:
    ev = load_events("2016-01-01", "2016-12-31")
    assert ev["date"].min() >= pd.Timestamp("2016-01-01")
    assert ev["date"].max() <= pd.Timestamp("2016-12-31")
    ev.loc[:, "value"] = 1.0
    assert load_events("2016-01-01", "2016-12-31")["value"].isna().all()
