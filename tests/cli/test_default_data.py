"""The default ``--data`` of every command: the config's, else the store once it holds
SPX and VIX closes, else the embedded sample; a note on stderr says which and why.

The layers below are replaced through the commands' seams (`run_cmd._load_market`,
`validate_cmd._load_data`, `_sources.load_data`): what is checked is which source each
command asked for, and what it printed where. The store and the config are real files
under ``tmp_path`` (``$VIXSHIELD_HOME``, ``$VIXSHIELD_CONFIG``).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
import report_fakes as fakes
from typer.testing import CliRunner

from vixshield.cli import _sources, run_cmd, validate_cmd
from vixshield.cli.app import app
from vixshield.data.market import Provenance
from vixshield.data.store import Store

runner = CliRunner()
DAILY = fakes.make_daily()
EMBEDDED_NOTE = "note: data: embedded (the store holds no SPX and VIX closes yet)"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data home and no config file."""
    monkeypatch.setenv("VIXSHIELD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("VIXSHIELD_CONFIG", str(tmp_path / "config.toml"))
    return tmp_path / "home"


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources the run commands asked their market seam for (the market is a fake)."""
    seen: list[str] = []

    def load_market(source: str) -> Any:
        seen.append(source)
        if source not in _sources.DATA_SOURCES:
            raise run_cmd.UserError(f"--data: expected one of embedded, store, got {source!r}")
        return SimpleNamespace(data=fakes.make_market(DAILY))

    def run_backtest(policy: Any, *args: Any) -> Any:
        return fakes.make_result(policy=policy.name)

    def decide(date: Any, market: Any, held: Any, policy: Any, *args: Any) -> Any:
        return fakes.make_decision(date), held or (), date, {}

    def load_policy(name: str) -> Any:
        return SimpleNamespace(name=name, account=SimpleNamespace(capital=fakes.CAPITAL))

    monkeypatch.setattr(run_cmd, "_load_market", load_market)
    monkeypatch.setattr(run_cmd, "_load_policy", load_policy)
    monkeypatch.setattr(run_cmd, "_run_backtest", run_backtest)
    monkeypatch.setattr(run_cmd, "_decide", decide)
    return seen


def _store_closes(home: Path, series: tuple[str, ...] = ("spx_close", "vix")) -> None:
    days = pd.DatetimeIndex(["2018-02-01", "2018-02-02"], name="date")
    frames = {s: pd.DataFrame({"value": [2821.98, 2762.13]}, index=days) for s in series}
    Store(home).write(frames, Provenance("", "file", "test", "2026-12-01T00:00:00Z", "real"))


def _backtest(tmp_path: Path, *extra: str) -> Any:
    return runner.invoke(app, ["backtest", "--json", "--out", str(tmp_path / "out"), *extra])


def test_empty_store_and_no_config_is_embedded_with_a_note(
    home: Path, asked: list[str], tmp_path: Path
) -> None:
    result = _backtest(tmp_path)
    assert result.exit_code == 0, result.stderr
    assert asked == ["embedded"]
    assert result.stderr.strip().splitlines()[-1] == EMBEDDED_NOTE
    assert json.loads(result.stdout)["policy"] == "alvh-442"  # stdout: the document only


def test_store_with_spx_and_vix_closes_is_the_default(
    home: Path, asked: list[str], tmp_path: Path
) -> None:
    _store_closes(home)
    result = _backtest(tmp_path)
    assert result.exit_code == 0, result.stderr
    assert asked == ["store"]
    note = result.stderr.strip().splitlines()[-1]
    assert note == f"note: data: store (it holds SPX and VIX closes: {home / 'store'})"
    json.loads(result.stdout)


def test_store_with_only_one_of_the_two_is_not_enough(
    home: Path, asked: list[str], tmp_path: Path
) -> None:
    _store_closes(home, ("vix",))
    assert _backtest(tmp_path).exit_code == 0
    assert asked == ["embedded"]


def test_the_config_wins_over_the_store_and_the_flag_over_both(
    home: Path, asked: list[str], tmp_path: Path
) -> None:
    _store_closes(home)
    config = tmp_path / "config.toml"
    config.write_text('data = "embedded"\n')
    result = _backtest(tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"note: data: embedded (config {config})"
    explicit = _backtest(tmp_path, "--data", "store")
    assert explicit.exit_code == 0, explicit.stderr
    assert asked == ["embedded", "store"]
    assert "note:" not in explicit.stderr  # the user chose it: nothing to explain


def test_a_failing_command_prints_only_its_error(home: Path, asked: list[str]) -> None:
    result = runner.invoke(app, ["backtest", "--end", "2030-01-02"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: --end 2030-01-02 is outside the data: the data covers "
        f"{DAILY.index[0]:%Y-%m-%d} to {DAILY.index[-1]:%Y-%m-%d}"
    ]
    assert asked == ["embedded"]


def test_a_bad_config_file_is_one_located_error(
    home: Path, asked: list[str], tmp_path: Path
) -> None:
    (tmp_path / "config.toml").write_text('data = "ftp"\n')
    result = _backtest(tmp_path)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {tmp_path / 'config.toml'}:")
    assert "'data'" in line and "'ftp'" in line
    assert asked == []


def test_signal_and_compare_take_the_same_default(
    home: Path, asked: list[str], tmp_path: Path
) -> None:
    _store_closes(home)
    store_note = f"note: data: store (it holds SPX and VIX closes: {home / 'store'})"
    signal = runner.invoke(app, ["signal", "--json"])
    assert signal.exit_code == 0, signal.stderr
    assert json.loads(signal.stdout)["date"] == f"{DAILY.index[-1]:%Y-%m-%d}"
    assert signal.stderr.strip().splitlines()[-1] == store_note
    out = str(tmp_path / "cmp")
    compared = runner.invoke(app, ["compare", "alvh-442", "no-hedge", "--json", "--out", out])
    assert compared.exit_code == 0, compared.stderr
    assert compared.stderr.strip().splitlines()[-1] == store_note
    twice = runner.invoke(app, ["compare", "alvh-442", "alvh-442", "--json", "--out", out])
    assert twice.exit_code == 2 and "note:" not in twice.stderr  # an error: its line only
    assert asked == ["store", "store", "store"]


def test_validate_default_follows_the_store(
    home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[str] = []

    def load_data(source: str) -> Any:
        seen.append(source)
        return SimpleNamespace(benchmarks=pd.DataFrame())  # no indices: a located error

    monkeypatch.setattr(validate_cmd, "_load_data", load_data)
    result = runner.invoke(app, ["validate", "--json"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: {validate_cmd.NO_INDICES}"]
    _store_closes(home)
    runner.invoke(app, ["validate", "--json"])
    runner.invoke(app, ["validate", "--json", "--data", "embedded"])
    assert seen == ["embedded", "store", "embedded"]


def test_markets_commands_take_the_default_and_note_it(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    class Markets:
        def __init__(self, source: str) -> None:
            seen.append(source)
            self.data = SimpleNamespace(daily=DAILY)

        def vx_curve(self, day: pd.Timestamp) -> pd.DataFrame:
            return pd.DataFrame(
                {"expiry": [day + pd.Timedelta(days=30)], "value": [20.0], "dte": [30]}
            ).assign(origin="modeled")

    monkeypatch.setattr("vixshield.cli.markets_cmd.open_markets", Markets)
    day = f"{DAILY.index[3]:%Y-%m-%d}"
    result = runner.invoke(app, ["futures", "--date", day, "--csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "date,expiry,value,dte,origin"
    assert result.stderr.strip().splitlines() == [EMBEDDED_NOTE]
    _store_closes(home)
    assert runner.invoke(app, ["futures", "--date", day, "--csv"]).exit_code == 0
    assert runner.invoke(app, ["futures", "--date", day, "--data", "embedded"]).exit_code == 0
    assert seen == ["embedded", "store", "embedded"]
