"""The daily service end to end on the embedded data: init, daily each day, fills, notify.

Reference: the backtest itself. When every order is filled at the backtest's own fill
price (mid -/+ the policy's spread share, `CostModel.fills`) with the policy's
per-contract costs, the journal's book and cash before the last day's orders must equal
those of `vixshield.backtest.replay` (a `Backtest` from the account's start) on that
day. Cash yield is off in the policy: the journal books no interest (its docstring).
"""

from __future__ import annotations

import json
from http.server import HTTPServer
from pathlib import Path

import pytest
from service_walk import backtest_price, book_key, policy_file
from typer.testing import CliRunner

from vixshield.backtest import replay
from vixshield.cli._sources import open_markets
from vixshield.cli.app import app
from vixshield.data.calendars import trading_days
from vixshield.service.journal import Journal, journal_path
from vixshield.strategy.policy import load_policy

START, END = "2016-03-01", "2016-04-21"  # 36 sessions: a VIX expiry (04-20) settles


def test_daily_service_matches_the_backtest(service_env: Path, hook_server: HTTPServer) -> None:
    runner = CliRunner()
    url = f"http://127.0.0.1:{hook_server.server_address[1]}/hook"
    policy_path = policy_file(service_env)
    policy = load_policy(policy_path)
    out = runner.invoke(
        app,
        [
            "init",
            "--data",
            "embedded",
            "--policy",
            str(policy_path),
            "--account",
            "e2e",
            "--start",
            START,
            "--smtp-password",
            "s3cret-pw",
            "--webhook",
            url,
        ],
    )
    assert out.exit_code == 0, out.output
    assert "s3cret-pw" not in out.output
    days = trading_days(START, END)
    fills = 0
    closes = 0
    days_with_orders = 0
    for day in days[:-1]:
        args = ["daily", "--date", f"{day:%Y-%m-%d}", "--no-fetch", "--json", "--notify"]
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        assert doc["date"] == f"{day:%Y-%m-%d}"
        days_with_orders += bool(doc["tickets"])
        for oid, ticket in zip(doc["order_ids"], doc["tickets"], strict=True):
            assert ticket["prices"] == "modeled"  # the embedded data has no real chains
            price = backtest_price(ticket, policy.costs)
            f = runner.invoke(app, ["journal", "fill", oid, "--price", repr(price)])
            assert f.exit_code == 0, f.output
            fills += 1
            closes += ticket["action"] == "close"
    assert fills > 5  # condors and hedges were opened
    # one notification per day with orders, none on the quiet days; the subject says so
    assert len(hook_server.bodies) == days_with_orders < len(days) - 1
    assert all("order(s)" in body["subject"] for body in hook_server.bodies)
    # a stale day (after the embedded data's end) is refused with exit 3, nothing recorded
    with Journal(journal_path()) as journal:
        before = journal.counts()
    stale = runner.invoke(app, ["daily", "--date", "2019-03-04", "--no-fetch", "--notify"])
    assert stale.exit_code == 3
    assert "stale inputs" in stale.stderr
    assert "stale data" in hook_server.bodies[-1]["subject"]
    with Journal(journal_path()) as journal:
        assert journal.counts() == before
    # the last day: its signal is recorded, its orders not filled
    last = f"{days[-1]:%Y-%m-%d}"
    first_run = runner.invoke(app, ["daily", "--date", last, "--no-fetch", "--json"])
    assert first_run.exit_code == 0, first_run.output
    with Journal(journal_path()) as journal:
        counts = journal.counts()
        account = journal.account("e2e")
        book = journal.positions(account)
        cash = journal.cash(account)
    # idempotent: the same signal, nothing recorded twice
    again = runner.invoke(app, ["daily", "--date", last, "--no-fetch", "--json"])
    assert again.exit_code == 0
    assert json.loads(again.stdout) == json.loads(first_run.stdout)
    with Journal(journal_path()) as journal:
        assert journal.counts() == counts
    # the reference: the backtest from the account's start, at the last day's close
    rep = replay(policy, open_markets("embedded"), days[-1], since=START)
    with Journal(journal_path()) as journal:
        history = journal.history(journal.account("e2e"))
        recorded = journal.signal(journal.account("e2e"), days[0])
    assert recorded is not None
    assert {"spx_close", "vix"} <= set(recorded["data_versions"])
    assert len(recorded["policy_hash"]) == 64
    settled = [r for r in history if r["kind"] == "settlement"]
    assert settled  # the VIX 2016-04-20 expiry settled held hedges
    assert closes >= 1  # management closed (rolled or took profit on) positions
    assert len(book) >= 3
    assert sorted(map(book_key, book)) == sorted(map(book_key, rep.positions))
    by_key = {book_key(p): p for p in rep.positions}
    for p in book:
        assert p.entry_price == pytest.approx(by_key[book_key(p)].entry_price, abs=1e-9)
    assert cash == pytest.approx(rep.account.cash, abs=0.01)
    assert counts["signals"] == len(days)
    assert counts["fills"] == fills
