"""Event calendar formats."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vixshield.data.formats import parse_bytes, parse_file
from vixshield.errors import DataError

FIX = Path(__file__).resolve().parent / "fixtures"


def _events_ok(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == ["date", "kind", "label", "value", "known_from", "scheduled"]
    assert frame["date"].is_monotonic_increasing


def test_date_only_fomc() -> None:
    ev = parse_file(FIX / "fomc_decisions_2014.csv").frames["events"]
    _events_ok(ev)
    assert list(ev["kind"]) == ["FOMC", "FOMC"]
    assert ev["value"].isna().all()


def test_decision_dates_with_unscheduled() -> None:
    ev = parse_file(FIX / "fomc_decisions.csv").frames["events"]
    assert list(ev["label"]) == ["FOMC", "FOMC unscheduled", "FOMC unscheduled"]


def test_fed_meeting_flags() -> None:
    p = parse_file(FIX / "fed_meetings.csv")
    ev = p.frames["events"]
    # minutes rows (even duplicated ones) skipped; meetings kept
    assert list(ev["date"].dt.strftime("%Y-%m-%d")) == ["2013-10-16", "2013-10-30", "2013-12-18"]
    assert ev["label"].iloc[0] == "FOMC unscheduled"


def test_cpi_reference_months() -> None:
    ev = parse_file(FIX / "cpi_releases.csv").frames["events"]
    assert list(ev["label"]) == ["CPI 2025-08", "CPI 2025-09", "CPI 2025-11"]
    assert ev["date"].iloc[1] == pd.Timestamp("2025-10-24")  # shutdown-delayed release


def test_own_format_with_comments_and_values() -> None:
    ev = parse_file(FIX / "events_own.csv").frames["events"]
    assert list(ev["kind"]) == ["FOMC", "CPI", "GDP"]
    assert ev["value"].iloc[1] == 247.1


def test_event_errors_located() -> None:
    bad = "reference_month,release_date\n2025-08,2025-09-11\n2025-09,2025-09-01\n"
    with pytest.raises(DataError) as err:
        parse_bytes(bad.encode(), source="cpi.csv")
    assert (err.value.row, err.value.field) == (3, "release_date")
    bad_kind = "date,kind,label,value\n2020-01-01,NFP,NFP,\n"
    with pytest.raises(DataError) as err:
        parse_bytes(bad_kind.encode(), source="mine.csv")
    assert (err.value.row, err.value.field) == (2, "kind")
    with pytest.raises(DataError, match="file name"):
        parse_bytes(b"date\n2020-01-01\n", source="mystery.csv", kind="events")


@pytest.mark.shared_data
def test_real_event_files_parse(shared_data: Path) -> None:
    d = shared_data / "events"
    assert len(parse_file(d / "fomc_decisions_2015_2026.csv").frames["events"]) == 97
    assert len(parse_file(d / "fomc_decisions_2014.csv").frames["events"]) == 8
    assert len(parse_file(d / "cpi_releases_2021_2026.csv").frames["events"]) == 65
    meetings = parse_file(d / "fed_meetings_1975_2023.csv").frames["events"]
    assert (meetings["kind"] == "FOMC").all() and meetings["date"].is_unique


def test_own_format_known_from_and_scheduled_columns() -> None:
    text = (
        "date,kind,label,value,scheduled,known_from,note\n"
        "2020-01-29,FOMC,FOMC,,true,,\n"
        "2020-03-15,FOMC,FOMC unscheduled,,false,,\n"
        "2025-09-11,CPI,CPI 2025-08,,,,\n"
        "2025-10-24,CPI,CPI 2025-09,,,2025-10-10,rescheduled\n"
    )
    ev = parse_bytes(text.encode(), source="mine.csv").frames["events"]
    assert list(ev["scheduled"]) == [True, False, True, True]
    assert list(ev["known_from"].dt.strftime("%Y-%m-%d")) == [
        "2019-08-01",  # scheduled meeting: 1 August of the year before
        "2020-03-15",  # unscheduled: its own day
        "2025-09-11",  # first release of the calendar: its own day
        "2025-10-10",  # given in the file
    ]
    late = "date,kind,label,value,known_from\n2025-10-24,CPI,CPI 2025-09,,2025-10-25\n"
    with pytest.raises(DataError) as err:
        parse_bytes(late.encode(), source="mine.csv")
    assert (err.value.row, err.value.field) == (2, "known_from")
    bad = "date,kind,label,value,scheduled\n2020-01-29,FOMC,FOMC,,maybe\n"
    with pytest.raises(DataError) as err:
        parse_bytes(bad.encode(), source="mine.csv")
    assert err.value.field == "scheduled"


def test_fed_meeting_flags_unscheduled_known_only_that_day() -> None:
    ev = parse_file(FIX / "fed_meetings.csv").frames["events"]
    first = ev.iloc[0]
    assert not first["scheduled"] and first["known_from"] == first["date"]
    assert ev["scheduled"].iloc[1:].all()
    assert (ev["known_from"].iloc[1:] == pd.Timestamp("2012-08-01")).all()
