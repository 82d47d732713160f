"""`vixshield backtest`, `compare` and `signal` (vixshield.cli.run_cmd) with CliRunner.

The layers below are replaced by hand-made results (tests/report/report_fakes.py)
through the module's seams, so these tests check the CLI's own job: options,
errors, output files and what goes to stdout and stderr.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
import report_fakes as fakes
from typer.testing import CliRunner

from vixshield.cli import run_cmd
from vixshield.cli.app import app
from vixshield.errors import PolicyError
from vixshield.report.bundle import BACKTEST_FILES
from vixshield.report.positions_file import load_positions
from vixshield.report.signal_view import SIGNAL_SCHEMA
from vixshield.report.summary import validate_summary

runner = CliRunner()
DAILY = fakes.make_daily()
FIRST, LAST = DAILY.index[0], DAILY.index[-1]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Replace the layers below with fakes; record what the CLI passed them."""
    seen: dict[str, list[Any]] = {"run": [], "decide": [], "progress": [], "since": []}

    def load_policy(name: str) -> Any:
        if name not in ("alvh-442", "no-hedge", "static-442"):
            raise PolicyError(f"unknown policy {name!r}")
        return SimpleNamespace(name=name, account=SimpleNamespace(capital=fakes.CAPITAL))

    def run_backtest(
        policy: Any, data: Any, start: Any, end: Any, capital: Any, progress: Any
    ) -> Any:
        seen["run"].append((policy.name, start, end, capital))
        seen["progress"].append(progress)
        if progress is not None:
            progress(1, 2)
            progress(2, 2)
        return fakes.make_result(policy=policy.name)

    def decide(date: Any, data: Any, held: Any, policy: Any, capital: Any, since: Any) -> Any:
        seen["decide"].append((date, held, policy.name, capital))
        seen["since"].append(since)
        return fakes.make_decision(date), held or (), since if since is not None else date, {}

    real_load_market = run_cmd._load_market
    monkeypatch.setattr(  # the fake policy has no hedge layers to check positions against
        run_cmd, "_check_positions", lambda file, day, policy, market: load_positions(file)
    )

    def load_market(source: str) -> Any:
        if source in ("embedded", "store"):
            return SimpleNamespace(data=fakes.make_market(DAILY))  # a MarketView's .data
        return real_load_market(source)  # the real check of --data

    monkeypatch.setattr(run_cmd, "_load_market", load_market)
    monkeypatch.setattr(run_cmd, "_load_policy", load_policy)
    monkeypatch.setattr(run_cmd, "_run_backtest", run_backtest)
    monkeypatch.setattr(run_cmd, "_decide", decide)
    return seen


def _one_line_error(result: Any) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return str(lines[0])


def test_backtest_json_prints_only_the_summary(tmp_path: Path, calls: dict[str, list[Any]]) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["backtest", "--json", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)  # the whole of stdout is one JSON document
    assert validate_summary(doc) == []
    assert result.stdout == (out / "summary.json").read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == sorted(BACKTEST_FILES)
    assert calls["progress"] == [None]  # progress off with --json
    assert calls["run"] == [("alvh-442", None, None, None)]  # the documented defaults


def test_backtest_outputs_are_byte_identical_across_runs(
    tmp_path: Path, calls: dict[str, list[Any]]
) -> None:
    for name in ("a", "b"):
        result = runner.invoke(app, ["backtest", "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.stderr
    for file in BACKTEST_FILES:
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file


def test_backtest_terminal_summary_and_options(tmp_path: Path, calls: dict[str, list[Any]]) -> None:
    result = runner.invoke(
        app,
        [
            "backtest",
            "--policy",
            "static-442",
            "--start",
            "2018-01-03",
            "--end",
            "2018-02-20",
            "--capital",
            "250000",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.stderr
    for needle in (
        "Key metrics",
        "CAGR",
        "P&L by component",
        "Stress windows",
        "Provenance",
        "report.html",
    ):
        assert needle in result.stdout, needle
    assert calls["run"] == [
        ("static-442", pd.Timestamp("2018-01-03"), pd.Timestamp("2018-02-20"), 250000.0)
    ]
    assert calls["progress"][0] is not None  # a progress bar (on stderr) without --json


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2018-13-01"], "--start: not a valid date"),
        (["--start", "yesterday"], "--start: expected a date YYYY-MM-DD"),
        (["--end", "2019-06-03"], "--end 2019-06-03 is outside the data"),
        (["--start", "2018-02-01", "--end", "2018-01-15"], "is after --end"),
        (["--capital", "-5"], "--capital: expected a positive amount"),
        (["--data", "ftp"], "--data: expected one of embedded, store"),
        (["--policy", "no-such-policy"], "unknown policy 'no-such-policy'"),
    ],
)
def test_backtest_bad_input_is_one_line_exit_2(
    tmp_path: Path, calls: dict[str, list[Any]], args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["backtest", "--out", str(tmp_path / "out"), *args])
    assert message in _one_line_error(result)
    assert not (tmp_path / "out").exists()


def test_unknown_policy_through_the_real_loader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        run_cmd, "_load_market", lambda source: SimpleNamespace(data=fakes.make_market(DAILY))
    )
    result = runner.invoke(app, ["backtest", "--policy", "no-such-policy", "--out", str(tmp_path)])
    assert "no-such-policy" in _one_line_error(result)


def test_nothing_half_written_when_the_run_fails(
    tmp_path: Path, calls: dict[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("previous\n")

    def boom(*_: Any) -> Any:
        raise RuntimeError("engine bug")

    monkeypatch.setattr(run_cmd, "_run_backtest", boom)
    result = runner.invoke(app, ["backtest", "--out", str(out)])
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert [p.name for p in out.iterdir()] == ["summary.json"]
    assert (out / "summary.json").read_text() == "previous\n"


def test_unwritable_output_folder_is_a_user_error(
    tmp_path: Path, calls: dict[str, list[Any]]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert "cannot write to" in _one_line_error(
        runner.invoke(app, ["backtest", "--out", str(blocker)])
    )


def test_compare_json_and_files(tmp_path: Path, calls: dict[str, list[Any]]) -> None:
    result = runner.invoke(
        app,
        [
            "compare",
            "no-hedge",
            "alvh-442",
            "--json",
            "--end",
            "2018-02-20",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["policies"] == ["no-hedge", "alvh-442"]
    assert all(validate_summary(s) == [] for s in doc["summaries"].values())
    assert result.stdout == (tmp_path / "compare.json").read_text(encoding="utf-8")
    assert (tmp_path / "compare.html").is_file()
    # the same period for each policy
    assert [c[1:] for c in calls["run"]] == [(None, pd.Timestamp("2018-02-20"), None)] * 2


def test_compare_table(tmp_path: Path, calls: dict[str, list[Any]]) -> None:
    result = runner.invoke(app, ["compare", "alvh-442", "static-442", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert "Policy comparison" in result.stdout and "static-442" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [(["alvh-442"], "at least two policies"), (["alvh-442", "alvh-442"], "given twice")],
)
def test_compare_bad_input(
    tmp_path: Path, calls: dict[str, list[Any]], args: list[str], message: str
) -> None:
    assert message in _one_line_error(
        runner.invoke(app, ["compare", *args, "--out", str(tmp_path)])
    )


POSITIONS = {
    "positions": [
        {
            "id": "IC-1",
            "kind": "condor",
            "contracts": 2,
            "opened": "2018-02-01",
            "entry_price": -4.0,
            "legs": [
                {"root": "SPX", "expiry": "2018-03-16", "strike": 2600, "right": "P", "ratio": -1},
                {"root": "SPX", "expiry": "2018-03-16", "strike": 2550, "right": "P", "ratio": 1},
            ],
        }
    ]
}


def test_signal_json_for_the_latest_close(tmp_path: Path, calls: dict[str, list[Any]]) -> None:
    pos = tmp_path / "positions.json"
    pos.write_text(json.dumps(POSITIONS, indent=2))
    result = runner.invoke(app, ["signal", "--json", "--positions", str(pos)])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == SIGNAL_SCHEMA and doc["date"] == f"{LAST:%Y-%m-%d}"
    assert list(doc) == sorted(doc)  # sort_keys
    ((date, held, policy, capital),) = calls["decide"]
    assert date == LAST and policy == "alvh-442" and capital is None
    assert [p.id for p in held] == ["IC-1"] and held[0].legs[0].strike == 2600.0
    assert doc["positions"][0]["id"] == "IC-1"


def test_signal_terminal_view(calls: dict[str, list[Any]]) -> None:
    result = runner.invoke(app, ["signal", "--date", f"{FIRST:%Y-%m-%d}"])
    assert result.exit_code == 0, result.stderr
    assert "Regime: normal" in result.stdout and "Audit trail" in result.stdout
    assert calls["decide"][0][0] == FIRST


def test_signal_bad_positions_file_names_file_line_and_field(
    tmp_path: Path, calls: dict[str, list[Any]]
) -> None:
    doc = json.loads(json.dumps(POSITIONS))
    doc["positions"][0]["legs"][1]["strike"] = "wide"
    pos = tmp_path / "positions.json"
    text = json.dumps(doc, indent=2)
    pos.write_text(text)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if '"wide"' in ln)
    message = _one_line_error(runner.invoke(app, ["signal", "--positions", str(pos)]))
    assert f"{pos}:{line}: column 'positions[0].legs[1].strike'" in message
    assert calls["decide"] == []


def test_signal_date_must_be_a_trading_day_in_the_data(calls: dict[str, list[Any]]) -> None:
    saturday = FIRST + pd.offsets.Week(weekday=5)
    message = _one_line_error(runner.invoke(app, ["signal", "--date", f"{saturday:%Y-%m-%d}"]))
    assert "is not a trading day" in message and "previous trading day is" in message
    message = _one_line_error(runner.invoke(app, ["signal", "--date", "2030-01-02"]))
    assert "outside the data" in message


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys, vixshield.cli.app; "
        "print(sorted(m for m in ('pandas', 'plotly', 'numba', 'duckdb') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_signal_defaults_to_the_last_close_with_spx_and_vix(
    monkeypatch: pytest.MonkeyPatch, calls: dict[str, list[Any]]
) -> None:
    data = fakes.make_market(DAILY)
    daily = data.daily.copy()
    daily.loc[LAST, "spx_close"] = float("nan")  # like arch's VIX running past its SPX
    market = SimpleNamespace(data=replace(data, daily=daily))
    monkeypatch.setattr(run_cmd, "_load_market", lambda source: market)
    result = runner.invoke(app, ["signal", "--json"])
    assert result.exit_code == 0, result.stderr
    previous = DAILY.index[-2]
    assert calls["decide"][0][0] == previous
    assert json.loads(result.stdout)["date"] == f"{previous:%Y-%m-%d}"


def test_signal_date_outside_the_data_names_the_date_flag(calls: dict[str, list[Any]]) -> None:
    result = runner.invoke(app, ["signal", "--date", "1998-01-05"])
    assert "--date 1998-01-05 is outside the data" in _one_line_error(result)
