"""Stress windows defined in data (vixshield.report.stress and the shipped CSV).

Event dates are historical facts (the shock each window must contain): LTCM rescue
1998-09-23, NYSE reopening after Sept 11 2001-09-17, Lehman bankruptcy 2008-09-15,
flash crash 2010-05-06, first trading day after the US downgrade 2011-08-08, China
flash-crash open 2015-08-24, Volmageddon 2018-02-05, Christmas Eve low 2018-12-24,
COVID crash day 2020-03-16, 2022 CPI shock 2022-09-13, VIX spike 2024-08-05, tariff
sell-off 2025-04-04.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pandas as pd
import pytest
from report_fakes import make_daily, make_result
from rich.console import Console

from vixshield.backtest import summary_dict
from vixshield.errors import DataError
from vixshield.report.html import render_compare_html, render_report_html
from vixshield.report.stress import (
    StressWindow,
    default_stress_windows,
    read_stress_windows,
    stress_table,
)
from vixshield.report.summary import (
    PARTIAL_MARK,
    build_summary,
    compare_stress_rows,
    stress_rows,
)
from vixshield.report.terminal import fmt_value, print_compare

EVENTS = {
    "LTCM 1998": "1998-09-23",
    "September 2001": "2001-09-17",
    "Lehman 2008": "2008-09-15",
    "Flash crash 2010": "2010-05-06",
    "August 2011": "2011-08-08",
    "August 2015": "2015-08-24",
    "February 2018": "2018-02-05",
    "Q4 2018": "2018-12-24",
    "COVID 2020": "2020-03-16",
    "2022 bear market": "2022-09-13",
    "August 2024": "2024-08-05",
    "April 2025": "2025-04-04",
}


def _run(start: str, n: int) -> object:
    daily = make_daily(n, start)
    return dataclasses.replace(
        make_result(), daily=daily, start=daily.index[0], end=daily.index[-1]
    )


def test_shipped_list_covers_each_named_shock() -> None:
    windows = default_stress_windows()
    assert [w.name for w in windows] == list(EVENTS)
    for w in windows:
        assert w.start <= pd.Timestamp(EVENTS[w.name]) <= w.end, w.name
        assert w.description


def test_a_run_spanning_a_window_reports_it_with_its_sums() -> None:
    daily = make_daily(40, "2018-01-02")  # 2018-01-02 .. 2018-02-26
    table = stress_table(daily)
    assert list(table) == ["February 2018"]
    row = table["February 2018"]
    inside = daily.loc["2018-01-26":"2018-02-16"]
    assert (row["from"], row["to"], row["days"], row["partial"]) == (
        "2018-01-26",
        "2018-02-16",
        16,
        False,
    )
    assert row["pnl"] == pytest.approx(inside["pnl"].sum())
    assert row["pnl_hedge:core"] == pytest.approx(inside["pnl_hedge:core"].sum())
    assert row["vix_max"] == pytest.approx(inside["vix"].max())


def test_a_partly_covered_window_is_clipped_and_marked() -> None:
    daily = make_daily(20, "2018-02-05")  # starts inside February 2018
    row = stress_table(daily)["February 2018"]
    assert (row["start"], row["end"]) == ("2018-01-26", "2018-02-16")
    assert (row["from"], row["to"], row["days"], row["partial"]) == (
        "2018-02-05",
        "2018-02-16",
        10,
        True,
    )
    assert row["pnl"] == pytest.approx(daily.loc[:"2018-02-16", "pnl"].sum())
    rows = stress_rows({"stress_windows": stress_table(daily)})
    assert rows[0]["window"] == "February 2018" + PARTIAL_MARK


def test_windows_appear_in_the_report_only_for_runs_that_span_them() -> None:
    lehman = _run("2008-08-01", 90)
    calm = _run("2017-03-01", 60)
    for result, present, absent in (
        (lehman, "Lehman 2008", "February 2018"),
        (calm, None, "Lehman 2008"),
    ):
        summary = build_summary(result, summary_dict(result))  # type: ignore[arg-type]
        page = render_report_html(result, summary)  # type: ignore[arg-type]
        if present:
            assert list(summary["stress_windows"]) == [present]  # type: ignore[call-overload]
            assert f"<td>{present}</td>" in page
        else:
            assert summary["stress_windows"] == {}
        assert absent not in page


def test_extra_windows_are_added_and_names_stay_unique() -> None:
    daily = make_daily(40, "2018-01-02")
    own = StressWindow("Desk drill", pd.Timestamp("2018-01-08"), pd.Timestamp("2018-01-12"))
    table = stress_table(daily, extra=[own])
    assert list(table) == ["February 2018", "Desk drill"]
    assert table["Desk drill"]["days"] == 5
    result = make_result()
    assert "Desk drill" in build_summary(result, summary_dict(result), [own])["stress_windows"]  # type: ignore[operator]
    clash = StressWindow("February 2018", pd.Timestamp("2018-01-08"), pd.Timestamp("2018-01-09"))
    with pytest.raises(DataError, match="already defined"):
        stress_table(daily, extra=[clash])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("name,from,to,description\n", r"windows.csv:2: expected the header"),
        ("name,start,end,description\nX,2018-13-01,2018-12-02,d\n", r":3: column 'start'"),
        ("name,start,end,description\nX,2018-02-01,2018-01-02,d\n", r":3: column 'end'"),
        (
            "name,start,end,description\nX,2018-01-01,2018-01-02,d\nX,2018-02-01,2018-02-02,d\n",
            r":4: column 'name' window 'X' defined twice",
        ),
        ("name,start,end,description\nX,2018-01-01,2018-01-02\n", r":3: expected 4 fields"),
    ],
)
def test_bad_window_files_name_file_row_and_field(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "windows.csv"
    path.write_text("# my windows\n" + body, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        read_stress_windows(path)


def test_a_window_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text(
        'name,start,end,description\nDrill,2018-01-08,2018-01-12,"a, b"\n', encoding="utf-8"
    )
    assert read_stress_windows(path) == (
        StressWindow("Drill", pd.Timestamp("2018-01-08"), pd.Timestamp("2018-01-12"), "a, b"),
    )


def test_compare_shows_each_window_side_by_side() -> None:
    full, late = _run("2018-01-02", 40), _run("2018-02-05", 20)
    summaries = {
        "alvh-442": build_summary(full, summary_dict(full)),  # type: ignore[arg-type]
        "no-hedge": build_summary(late, summary_dict(late)),  # type: ignore[arg-type]
    }
    rows = compare_stress_rows(summaries)
    full_pnl = float(full.daily.loc["2018-01-26":"2018-02-16", "pnl"].sum())  # type: ignore[attr-defined]
    late_pnl = float(late.daily.loc["2018-02-05":"2018-02-16", "pnl"].sum())  # type: ignore[attr-defined]
    assert [r["window"] for r in rows] == ["February 2018" + PARTIAL_MARK]
    assert (rows[0]["from"], rows[0]["to"]) == ("2018-01-26", "2018-02-16")
    assert rows[0]["alvh-442"] == pytest.approx(full_pnl)
    assert rows[0]["no-hedge"] == pytest.approx(late_pnl)
    page = render_compare_html({"alvh-442": full, "no-hedge": late}, summaries)  # type: ignore[dict-item]
    assert f"<td>February 2018{PARTIAL_MARK}</td>" in page
    assert fmt_value(full_pnl, "usd") in page and fmt_value(late_pnl, "usd") in page
    console = Console(width=100, record=True, file=io.StringIO())
    print_compare(console, summaries)
    text = console.export_text()
    assert "Stress windows" in text and "February 2018" in text
    assert fmt_value(late_pnl, "usd") in text
