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
    assert list(ev.columns) == ["date", "kind", "label", "value", "known_from", "scheduled"]
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
    unsched = fomc[~fomc["scheduled"]]
    assert (unsched["label"] == "FOMC unscheduled").all()
    # intermeeting target changes (fed_funds_target.csv, README F1 F3 F4) and the 2020 cuts
    assert list(unsched["date"].dt.strftime("%Y-%m-%d")) == [
        "2001-01-03",
        "2001-04-18",
        "2001-09-17",
        "2008-01-22",
        "2008-10-08",
        "2020-03-03",
        "2020-03-15",
    ]
    # an unscheduled action is known from its own day; a scheduled meeting from 1 August before
    assert (unsched["known_from"] == unsched["date"]).all()
    sched = fomc[fomc["scheduled"]]
    expected = pd.to_datetime([f"{y - 1}-08-01" for y in sched["date"].dt.year])
    assert list(sched["known_from"]) == list(expected)
    fomc = fomc[fomc["date"].dt.year >= 2014]
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
    ours = load_events(start="2014-01-01")
    ours = ours[ours["kind"] == "FOMC"]
    assert list(ours["date"].dt.strftime("%Y-%m-%d")) == list(
        shared["date"].dt.strftime("%Y-%m-%d")
    )
    assert list(ours["label"]) == list(shared["label"])
    assert list(ours["scheduled"]) == list(shared["scheduled"])


@pytest.mark.shared_data
def test_fomc_1990_2013_equals_fed_meeting_flags(shared_data: Path) -> None:
    """Scheduled meetings 1990-2013 are the file's scheduled meeting flags (less 2003-09-15)."""
    raw = pd.read_csv(shared_data / "events" / "fed_meetings_1975_2023.csv", parse_dates=["date"])
    flags = raw[
        (raw["fed_meeting_date_indicator"] == 1)
        & (raw["fed_non_scheduled_meeting_indicator"] == 0)
        & raw["date"].dt.year.between(1990, 2013)
    ]
    expected = [d for d in flags["date"].dt.strftime("%Y-%m-%d") if d != "2003-09-15"]
    ours = load_events("1990-01-01", "2013-12-31")
    ours = ours[(ours["kind"] == "FOMC") & ours["scheduled"]]
    assert list(ours["date"].dt.strftime("%Y-%m-%d")) == expected
    # each unscheduled action matches a non-scheduled meeting flag on the day or the day before
    calls = set(raw.loc[raw["fed_non_scheduled_meeting_indicator"] == 1, "date"])
    for d in load_events("1990-01-01", "2013-12-31").query("kind == 'FOMC' and not scheduled")[
        "date"
    ]:
        assert d in calls or d - pd.Timedelta(days=1) in calls, d


def test_every_rate_change_since_1998_is_an_fomc_decision() -> None:
    target = fed_funds_target()
    fomc = set(_dates(load_events(), "FOMC"))
    assert {d.strftime("%Y-%m-%d") for d in target.index} <= fomc


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
    # The unscheduled Sunday 2020-03-15 cut was not known on Friday 03-13: the next known FOMC
    # then was the scheduled 2020-04-29 meeting (32 sessions); from Monday 03-16 it is today's news.
    assert next_event("2020-03-13", ["FOMC"]) == ("FOMC", pd.Timestamp("2020-04-29"), 32)
    assert next_event("2020-03-16", ["FOMC"]) == ("FOMC", pd.Timestamp("2020-03-15"), 0)
    assert next_event("2040-01-01") is None
    with pytest.raises(ValueError):
        next_event("2020-01-01", ["NFP"])


def test_load_events_window_and_copy() -> None:
    ev = load_events("2016-01-01", "2016-12-31")
    assert ev["date"].min() >= pd.Timestamp("2016-01-01")
    assert ev["date"].max() <= pd.Timestamp("2016-12-31")
    ev.loc[:, "value"] = 1.0
    assert load_events("2016-01-01", "2016-12-31")["value"].isna().all()


# --- dates verified against the agencies' published records (sources: resources/README.md) ---

# BLS CPI news-release archive, bls.gov/news.release/archives/cpi_MMDDYYYY.htm (file name =
# release day), as parsed in robybizkit77-blip/global-macro-fx-quant @ be44cc8,
# history/pit_v1/USD_CPI_HEADLINE_CORE_FIRST_RELEASE_2016_2026.csv
_CPI_BLS_ARCHIVE = {
    "CPI 2016-01": "2016-02-19",  # cpi_02192016
    "CPI 2016-05": "2016-06-16",  # cpi_06162016
    "CPI 2017-03": "2017-04-14",  # cpi_04142017 (Good Friday)
    "CPI 2018-12": "2019-01-11",  # cpi_01112019 (BLS funded during the 2019 shutdown)
    "CPI 2020-03": "2020-04-10",  # cpi_04102020
    "CPI 2021-04": "2021-05-12",  # cpi_05122021
    "CPI 2015-01": "2015-02-26",  # cpi_02262015 (AlphaMaster us_macro_events file, two routes)
}

# BLS PPI news-release archive ppi_MMDDYYYY.htm, and the BLS 2023 PPI release schedule; the
# 2015-2025 PPI dates also from claudeacc5156-hash/AlphaMaster @ 697a6f8,
# propkit/data/news_calendar/us_macro_events_2015-01-01_2025-09-27.csv (BLS archive + ALFRED)
_PPI_BLS = {
    "PPI 2016-07": "2016-08-12",  # was 2016-08-09
    "PPI 2019-01": "2019-02-14",  # was 2019-02-26 (BLS was funded in the 2018-19 shutdown)
    "PPI 2013-12": "2014-01-15",  # embargo line "Wednesday, January 15, 2014"
    "PPI 2016-06": "2016-07-14",  # ppi_07142016
    "PPI 2016-12": "2017-01-13",  # ppi_01132017 "Friday, January 13, 2017" (was 2017-01-18)
    "PPI 2023-01": "2023-02-16",  # BLS 2023 PPI schedule
    "PPI 2025-06": "2025-07-16",  # ppi_07162025
    "PPI 2025-09": "2025-11-25",  # ppi_11252025, delayed by the 2025 shutdown
    "PPI 2025-11": "2026-01-14",  # ppi_01142026
    "PPI 2025-12": "2026-01-30",  # ppi_01302026
    "PPI 2026-01": "2026-02-27",  # ppi_02272026
    "PPI 2026-08": "2026-09-10",  # ppi_09102026
}

# BEA: gdp4q25-adv.pdf ("8:30 a.m. EST, Friday, February 20, 2026"), the 2025Q3 "initial estimate"
# news release of 2025-12-23, gdp1q25-adv.pdf, and BEA's full-2026 schedule
# and BEA's news archive + ALFRED as compiled in claudeacc5156-hash/AlphaMaster @ 26f7ffe
# (us_restricted_events_fundingpips_2015-01-01_2025-09-27.csv)
_GDP_BEA = {
    "GDP 2016Q1 advance": "2016-04-28",
    "GDP 2018Q4 advance": "2019-02-28",  # "initial" estimate; the 2019-01-30 advance was cancelled
    "GDP 2025Q1 advance": "2025-04-30",
    "GDP 2025Q3 advance": "2025-12-23",
    "GDP 2025Q4 advance": "2026-02-20",
    "GDP 2026Q1 advance": "2026-04-30",
    # README G6: BEA news releases and technical notes as stored (embargo lines / dates)
    "GDP 2007Q1 advance": "2007-04-27",  # bea.gov/news/2007/...-1st-quarter-2007-advance
    "GDP 2008Q3 advance": "2008-10-30",  # "Thursday, October 30, 2008"
    "GDP 2008Q4 advance": "2009-01-30",  # tech408a.htm "January 30, 2009"
    "GDP 2009Q1 advance": "2009-04-29",  # BEA 09-17 "Wednesday, April 29, 2009"
    "GDP 2010Q4 advance": "2011-01-28",  # tech4q10_adv.htm "January 28, 2011"
    "GDP 2013Q3 advance": "2013-11-07",  # delayed by the 2013 shutdown (FRASER 20131107)
    "GDP 2013Q4 advance": "2014-01-30",  # tech4q13_adv.htm "January 30, 2014"
}


@pytest.mark.parametrize(
    "label,date", [*_CPI_BLS_ARCHIVE.items(), *_PPI_BLS.items(), *_GDP_BEA.items()]
)
def test_release_dates_match_agency_records(label: str, date: str) -> None:
    ev = load_events()
    got = list(ev.loc[ev["label"] == label, "date"].dt.strftime("%Y-%m-%d"))
    assert got == [date]


def test_shutdown_cancelled_releases_absent() -> None:
    # BLS cancelled the October 2025 CPI and PPI releases (2025 lapse in appropriations)
    labels = set(load_events()["label"])
    assert "CPI 2025-10" not in labels
    assert "PPI 2025-10" not in labels


def test_every_row_states_its_verification() -> None:
    # each note opens with its status; the sources are listed in resources/README.md
    from vixshield.data.events import resource_path

    for name in ("cpi.csv", "ppi.csv", "gdp.csv", "fed_funds_target.csv"):
        text = Path(resource_path(name)).read_text(encoding="utf-8")
        rows = [r for r in text.splitlines() if r[:1].isdigit()]
        assert rows, name
        status = ("verified:", "unverified:", "scheduled:")
        for row in rows:
            assert any(s in row for s in status), (name, row)


# Federal Reserve FOMC statements
# (federalreserve.gov/newsevents/pressreleases/monetaryYYYYMMDDa.htm):
# target range for the federal funds rate after each change, in percent
_FED_CHANGES = {
    "2015-12-16": (0.25, 0.50),
    "2016-12-14": (0.50, 0.75),
    "2017-03-15": (0.75, 1.00),
    "2017-06-14": (1.00, 1.25),
    "2017-12-13": (1.25, 1.50),
    "2018-03-21": (1.50, 1.75),
    "2018-06-13": (1.75, 2.00),
    "2018-09-26": (2.00, 2.25),
    "2018-12-19": (2.25, 2.50),
    "2019-07-31": (2.00, 2.25),
    "2019-09-18": (1.75, 2.00),
    "2019-10-30": (1.50, 1.75),
    "2022-03-16": (0.25, 0.50),
    "2022-05-04": (0.75, 1.00),
    "2022-06-15": (1.50, 1.75),
    "2022-07-27": (2.25, 2.50),
    "2022-09-21": (3.00, 3.25),
    "2022-11-02": (3.75, 4.00),
    "2022-12-14": (4.25, 4.50),
    "2023-02-01": (4.50, 4.75),
    "2023-03-22": (4.75, 5.00),
    "2023-05-03": (5.00, 5.25),
    "2023-07-26": (5.25, 5.50),
    "2024-09-18": (4.75, 5.00),
    "2024-11-07": (4.50, 4.75),
    "2024-12-18": (4.25, 4.50),
}

# Federal Reserve Board "intended federal funds rate" table (fomc/fundsrate.htm, archived
# 2009-01-17)
# and the FOMC statement of 2026-09-16 ("raise the target range ... to 3-3/4 to 4 percent")
_FED_OTHER = {
    "2006-06-29": (5.25, 5.25),
    "2007-09-18": (4.75, 4.75),
    "2008-12-16": (0.00, 0.25),
    "2026-09-16": (3.75, 4.00),
}


def test_fed_funds_changes_match_fomc_statements() -> None:
    target = fed_funds_target()
    for years in ((2015, 2019), (2022, 2024)):
        yr = pd.DatetimeIndex(target.index).year
        sel = target[(yr >= years[0]) & (yr <= years[1])]
        got = {
            d.strftime("%Y-%m-%d"): (round(lo * 100, 2), round(hi * 100, 2))
            for d, lo, hi in zip(sel.index, sel["lower"], sel["upper"], strict=True)
        }
        want = {d: v for d, v in _FED_CHANGES.items() if years[0] <= int(d[:4]) <= years[1]}
        assert got == want
    for day, (lo, hi) in _FED_OTHER.items():
        row = target.loc[pd.Timestamp(day)]
        assert (round(row["lower"] * 100, 2), round(row["upper"] * 100, 2)) == (lo, hi), day


def test_gdp_back_to_2007_with_its_unverified_quarters_left_out() -> None:
    # README G6: every GDP advance estimate 2007Q1 .. 2013Q3 verified, except 2007Q4 and 2011Q1,
    # which stay out (the calendar is then unknown around them, not a far-future distance).
    ev = load_events(end="2014-12-31")
    labels = set(ev.loc[ev["kind"] == "GDP", "label"])
    quarters = [f"GDP {y}Q{q} advance" for y in range(2007, 2014) for q in range(1, 5)]
    missing = [q for q in quarters if q not in labels]
    assert missing == ["GDP 2007Q4 advance", "GDP 2011Q1 advance"]
    assert min(ev.loc[ev["kind"] == "GDP", "date"]) == pd.Timestamp("2007-04-27")
    gdp = ev[ev["kind"] == "GDP"].set_index("label")
    # after a gap the next release is known only on its own day
    assert gdp.loc["GDP 2008Q1 advance", "known_from"] == pd.Timestamp("2008-04-30")
    assert gdp.loc["GDP 2011Q2 advance", "known_from"] == pd.Timestamp("2011-07-29")
    # the shutdown-delayed 2013Q3 release is not treated as known from the previous one
    assert gdp.loc["GDP 2013Q3 advance", "known_from"] == pd.Timestamp("2013-11-07")


def test_release_known_from_previous_release() -> None:
    ev = load_events("2016-01-01", "2016-12-31")
    cpi = ev[ev["kind"] == "CPI"].reset_index(drop=True)
    assert (cpi["known_from"].iloc[1:].to_numpy() == cpi["date"].iloc[:-1].to_numpy()).all()
    assert (ev["known_from"] <= ev["date"]).all()
