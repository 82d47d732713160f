"""``vixshield daily``: the session decided, stale refusals (exit 3), notifications, view."""

from __future__ import annotations

import datetime as dt
from http.server import HTTPServer
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from vixshield.cli.app import app
from vixshield.service.daily import decision_session


def test_decision_session_follows_the_nyse_calendar() -> None:
    # 2016-03-26 is a Saturday, 2016-03-25 Good Friday (NYSE closed): Thursday 2016-03-24
    assert decision_session(pd.Timestamp("2016-03-26")) == pd.Timestamp("2016-03-24")
    assert decision_session(pd.Timestamp("2016-03-24")) == pd.Timestamp("2016-03-24")
    # 2026-12-01 (a Tuesday): 15:00 ET is before the close -> Monday; 17:00 ET -> Tuesday
    before = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)  # 15:00 EST
    after = dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC)  # 17:00 EST
    assert decision_session(None, before) == pd.Timestamp("2026-11-30")
    assert decision_session(None, after) == pd.Timestamp("2026-12-01")


def _init(runner: CliRunner, hook_server: HTTPServer, start: str) -> None:
    url = f"http://127.0.0.1:{hook_server.server_address[1]}/h"
    res = runner.invoke(app, ["init", "--data", "embedded", "--start", start, "--webhook", url])
    assert res.exit_code == 0, res.output


def test_stale_inputs_exit_3_and_notify_the_refusal(
    service_env: Path, hook_server: HTTPServer
) -> None:
    runner = CliRunner()
    _init(runner, hook_server, "2018-12-03")
    # the embedded data ends in 2018: a 2019 session has no SPX or VIX close
    res = runner.invoke(app, ["daily", "--date", "2019-06-04", "--no-fetch", "--notify"])
    assert res.exit_code == 3
    assert "stale inputs" in res.stderr
    assert "2019-06-04" in res.stderr
    assert "Traceback" not in res.output
    (body,) = hook_server.bodies
    assert "no signal (stale data)" in body["subject"]
    assert "stale inputs" in body["text"]


def test_daily_notifies_orders_once_and_fits_80_columns(
    service_env: Path, hook_server: HTTPServer
) -> None:
    runner = CliRunner()
    _init(runner, hook_server, "2016-03-02")
    res = runner.invoke(app, ["daily", "--date", "2016-03-02", "--no-fetch", "--notify"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "ORDER 2016-03-02#1" in out
    assert "STO" in out and "SPXW  16" in out
    assert "modeled" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    (body,) = hook_server.bodies
    assert "order(s)" in body["subject"]
    assert body["signal"]["tickets"]
    # the same date again: the same view, no second notification, nothing recorded
    again = runner.invoke(app, ["daily", "--date", "2016-03-02", "--no-fetch", "--notify"])
    assert again.exit_code == 0
    assert again.stdout == out
    assert "already recorded" in again.stderr
    assert len(hook_server.bodies) == 1
    verbose = runner.invoke(app, ["daily", "--date", "2016-03-02", "--no-fetch", "--verbose"])
    assert "Audit trail" in verbose.stdout
    assert max(len(line) for line in verbose.stdout.splitlines()) <= 80


def test_daily_before_the_account_start_is_refused(
    service_env: Path, hook_server: HTTPServer
) -> None:
    runner = CliRunner()
    _init(runner, hook_server, "2016-03-02")
    res = runner.invoke(app, ["daily", "--date", "2016-02-01", "--no-fetch"])
    assert res.exit_code == 2
    assert "before the account's start" in res.stderr


def test_fill_of_an_unknown_order_is_a_located_error(
    service_env: Path, hook_server: HTTPServer
) -> None:
    runner = CliRunner()
    _init(runner, hook_server, "2016-03-02")
    res = runner.invoke(app, ["journal", "fill", "2016-03-02#9", "--price", "1.0"])
    assert res.exit_code == 2
    assert "no order '2016-03-02#9'" in res.stderr


def test_a_failed_fetch_is_reported_and_the_run_goes_on(
    service_env: Path, hook_server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    _init(runner, hook_server, "2016-03-02")
    monkeypatch.setenv("VIXSHIELD_PROVIDER_BASE_URL", "http://127.0.0.1:9")  # nothing listens
    res = runner.invoke(app, ["daily", "--date", "2016-03-02"])
    assert res.exit_code == 0, res.output
    # one warning per provider, naming its series; FRED's SP500 tried for the SPX close
    assert "warning: fetch stooq failed (spx_open, spx_high, spx_low, spx_close)" in res.stderr
    assert "warning: fetch cboe failed (vix," in res.stderr
    assert "warning: fetch the fallback for stooq failed (spx_close)" in res.stderr
    assert "ORDER 2016-03-02#1" in res.stdout
