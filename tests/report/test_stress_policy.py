"""A policy's own stress windows (``[[report.stress_windows]]``, issue 13).

The run is the report tests' fake (`report_fakes.make_daily`: business days from
2018-01-02); each window's figures are sums of that frame's own columns over the
window's days, taken here with plain pandas slicing. Business days in the windows
are counted from the calendar: 2018-01-08..12 is Monday to Friday (5 days),
2018-02-01..09 is Thursday to the next Friday (7 days).
"""

from __future__ import annotations

import dataclasses
import io
import sys
from pathlib import Path

import pandas as pd
import pytest
from report_fakes import make_daily, make_result
from rich.console import Console
from typer.testing import CliRunner

from vixshield.backtest import summary_dict
from vixshield.backtest.result import BacktestResult
from vixshield.cli.app import main
from vixshield.errors import DataError, PolicyError
from vixshield.report.html import render_compare_html, render_report_html
from vixshield.report.stress import StressWindow, policy_windows, stress_table
from vixshield.report.summary import build_summary, compare_stress_rows
from vixshield.report.terminal import print_compare, print_summary
from vixshield.strategy.policy import Policy, load_policy, parse_policy

DRILL = """
[[report.stress_windows]]
name = "Desk drill"
start = 2018-01-08
end = "2018-01-12"
description = "our own fire drill"
"""

REPLACED = """
[[report.stress_windows]]
name = "February 2018"
start = 2018-02-01
end = 2018-02-09
description = "Volmageddon, our span"
replace = true
"""


def _policy(body: str) -> Policy:
    return parse_policy('name = "mine"\n' + body, "mine.toml")


def _run(start: str = "2018-01-02", n: int = 40) -> BacktestResult:
    daily = make_daily(n, start)
    return dataclasses.replace(
        make_result(), daily=daily, start=daily.index[0], end=daily.index[-1]
    )


def test_presets_add_no_window() -> None:
    assert load_policy("alvh-442").report.stress_windows == ()


def test_a_policy_window_is_in_the_summary_report_terminal_and_compare() -> None:
    result = _run()
    policy = _policy(DRILL)
    summary = build_summary(result, summary_dict(result), policy=policy)
    table = summary["stress_windows"]
    assert isinstance(table, dict)
    assert list(table) == ["February 2018", "Desk drill"]  # shipped first, then the policy's
    row = table["Desk drill"]
    inside = result.daily.loc["2018-01-08":"2018-01-12"]
    assert (row["start"], row["end"], row["days"], row["partial"]) == (
        "2018-01-08",
        "2018-01-12",
        5,
        False,
    )
    assert row["pnl"] == pytest.approx(float(inside["pnl"].sum()))
    assert row["pnl_condor"] == pytest.approx(float(inside["pnl_condor"].sum()))
    assert row["description"] == "our own fire drill"
    assert "<td>Desk drill</td>" in render_report_html(result, summary)
    console = Console(width=100, record=True, file=io.StringIO())
    print_summary(console, summary)
    assert "Desk drill" in console.export_text()
    plain = build_summary(result, summary_dict(result))
    summaries = {"mine": summary, "shipped": plain}
    rows = {r["window"]: r for r in compare_stress_rows(summaries)}
    assert rows["Desk drill"]["mine"] == pytest.approx(float(inside["pnl"].sum()))
    assert rows["Desk drill"]["shipped"] is None
    assert "<td>Desk drill</td>" in render_compare_html(
        {"mine": result, "shipped": result}, summaries
    )
    console = Console(width=120, record=True, file=io.StringIO())
    print_compare(console, summaries)
    assert "Desk drill" in console.export_text()


def test_replace_true_redefines_a_shipped_window_in_its_place() -> None:
    result = _run()
    table = stress_table(result.daily, extra=policy_windows(_policy(REPLACED)))
    assert list(table) == ["February 2018"]
    row = table["February 2018"]
    assert (row["start"], row["end"], row["days"]) == ("2018-02-01", "2018-02-09", 7)
    assert row["pnl"] == pytest.approx(
        float(result.daily.loc["2018-02-01":"2018-02-09", "pnl"].sum())
    )
    assert row["description"] == "Volmageddon, our span"


def _window(**fields: str) -> str:
    base = {"name": '"W"', "start": "2018-01-08", "end": "2018-01-12"}
    base.update(fields)
    return "[[report.stress_windows]]\n" + "".join(f"{k} = {v}\n" for k, v in base.items())


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_window(end="2018-01-05"), r"\[report.stress_windows.0\] need start <= end"),
        (_window(start="1899-12-29"), r"\[report.stress_windows.0\] start 1899-12-29 outside"),
        (_window(end="2101-01-03"), r"\[report.stress_windows.0\] end 2101-01-03 outside"),
        (_window(start='"2018-1-8"'), r"\[report.stress_windows.0.start\] expected an ISO date"),
        (_window(start="20180108"), r"\[report.stress_windows.0.start\] expected a date"),
        (
            _window(start="2018-01-08T10:00:00"),
            r"\[report.stress_windows.0.start\] expected a date",
        ),
        (_window() + _window(), r"\[report.stress_windows.1.name\] window 'W' is defined twice"),
        (
            _window(name='"Lehman 2008"'),
            r"\[report.stress_windows.0.name\] 'Lehman 2008' is a shipped stress window",
        ),
        (
            _window(replace="true"),
            r"\[report.stress_windows.0.name\] replace = true but no shipped window is named 'W'",
        ),
        (_window(colour='"red"'), r"\[report.stress_windows.0.colour\] Extra inputs"),
        (_window(name='""'), r"\[report.stress_windows.0.name\]"),
    ],
)
def test_bad_policy_windows_are_refused_naming_the_field(body: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        _policy(body)


def test_the_cli_refuses_a_bad_window_in_one_line_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\n' + _window(end="2018-01-05"), encoding="utf-8")
    runner = CliRunner()
    with runner.isolation() as (_out, err, _mixed):
        with pytest.raises(SystemExit) as exit_:
            main(["policy", "check", str(path)])
        sys.stderr.flush()
        text = err.getvalue().decode("utf-8")
    assert exit_.value.code == 2
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "mine.toml" in lines[0] and "[report.stress_windows.0] need start <= end" in lines[0]
    assert "Traceback" not in text


def test_policy_windows_keep_the_policy_order_and_dates() -> None:
    two = _policy(DRILL + _window(name='"Later"', start="2018-02-20", end="2018-02-22"))
    windows = policy_windows(two)
    assert [(w.name, w.start, w.end) for w in windows] == [
        ("Desk drill", pd.Timestamp("2018-01-08"), pd.Timestamp("2018-01-12")),
        ("Later", pd.Timestamp("2018-02-20"), pd.Timestamp("2018-02-22")),
    ]


def test_stress_table_refuses_a_replace_without_a_target_or_twice() -> None:
    daily = make_daily(40, "2018-01-02")
    day = pd.Timestamp("2018-02-01")
    ghost = StressWindow("Nowhere", day, day, replace=True)
    with pytest.raises(DataError, match="says replace, but no listed window"):
        stress_table(daily, extra=[ghost])
    twice = [StressWindow("February 2018", day, day, replace=True)] * 2
    with pytest.raises(DataError, match="already redefined"):
        stress_table(daily, extra=twice)
