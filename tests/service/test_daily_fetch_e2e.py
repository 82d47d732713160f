"""The daily service end to end WITH the fetch: provider files served from 127.0.0.1.

Each session the local server (tests/service/fixtures/service_provider_fixtures.py)
"publishes" that day's close in every provider's own format, built from the embedded
data; ``vixshield daily --date D --json --notify`` fetches it (no ``--no-fetch``), decides
on the journal's book and notifies the local webhook. Orders are filled at the
backtest's own fill price, as in ``test_daily_e2e.py``.

Reference: the backtest on the EMBEDDED data (`vixshield.backtest.replay`), which never
goes through the fetch, the parsers or the store: the values served are the embedded
ones, so the journal's book and cash must equal the replay's at the last session.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import socket
from http.server import HTTPServer
from pathlib import Path

import pandas as pd
import pytest
from service_provider_fixtures import ProviderServer
from service_walk import backtest_price, book_key, policy_file
from typer.testing import CliRunner

from vixshield.backtest import replay
from vixshield.cli._sources import open_markets
from vixshield.cli.app import app
from vixshield.data.calendars import trading_days
from vixshield.data.embedded import load_embedded
from vixshield.data.loader import load_store
from vixshield.data.store import Store
from vixshield.service.journal import Journal, journal_path
from vixshield.strategy.policy import load_policy

START, END = "2016-03-01", "2016-04-21"  # 36 sessions: a VIX expiry (04-20) settles
FRED_DOWN = pd.Timestamp("2016-03-15")  # FRED answers 503 on this day only
STOOQ_KEY = "k3y-of-the-test"


def _seed_store(runner: CliRunner, server: ProviderServer) -> None:
    """The store before the walk: one full ``data fetch`` of what was published by then."""
    res = runner.invoke(app, ["data", "fetch"])
    assert res.exit_code == 0, res.output  # partial: CFE has no VX contract to serve
    assert "cfe" in res.output
    daily = load_store().daily
    embedded = load_embedded().daily
    for col in ("spx_open", "spx_high", "spx_low", "spx_close", "vix", "rate"):
        want = embedded[col].loc["2014-01-02" : server.files.through].dropna()
        assert daily[col].reindex(want.index).to_numpy() == pytest.approx(
            want.to_numpy(), abs=1e-12
        )


def test_daily_with_fetch_matches_the_backtest(
    service_env: Path, hook_server: HTTPServer, provider_server: ProviderServer
) -> None:
    runner = CliRunner()
    server = provider_server
    hook = f"http://127.0.0.1:{hook_server.server_address[1]}/hook"
    policy_path = policy_file(service_env)
    policy = load_policy(policy_path)
    days = trading_days(START, END)
    server.files.through = pd.Timestamp("2016-02-29")
    _seed_store(runner, server)
    out = runner.invoke(
        app,
        [
            "init",
            "--data",
            "store",
            "--policy",
            str(policy_path),
            "--account",
            "fetch-e2e",
            "--start",
            START,
            "--stooq-key",
            STOOQ_KEY,
            "--webhook",
            hook,
            "--no-ask",
        ],
    )
    assert out.exit_code == 0, out.output
    assert STOOQ_KEY not in out.output

    last_stored = last_rate = pd.Timestamp("2016-02-29")
    expected_hooks: list[tuple[str, int, set[str]]] = []
    fills = closes = 0
    for day in days[:-1]:
        iso = f"{day:%Y-%m-%d}"
        server.files.through = day  # the providers publish the day's close
        server.failing = {"fred"} if day == FRED_DOWN else set()
        asked = len(server.requests)
        res = runner.invoke(app, ["daily", "--date", iso, "--json", "--notify"])
        assert res.exit_code == 0, res.output
        # the fetch asked only for what is new: from the last stored day on
        assert any(f"d1={last_stored:%Y%m%d}" in p for p in server.asked("stooq", asked))
        # FRED too; after its outage it resumes from the last day it delivered
        assert any(f"cosd={last_rate:%Y-%m-%d}" in p for p in server.asked("fred", asked))
        last_stored = day
        last_rate = last_rate if day == FRED_DOWN else day
        assert all(STOOQ_KEY in p for p in server.asked("stooq", asked))  # the key is sent
        assert STOOQ_KEY not in res.output
        if day == FRED_DOWN:
            assert "fred failed (rate)" in res.stderr and "503" in res.stderr
        else:
            assert "fred failed" not in res.stderr
        doc = json.loads(res.stdout)
        assert doc["date"] == iso
        if doc["tickets"]:
            symbols = {leg["symbol"] for t in doc["tickets"] for leg in t["legs"]}
            expected_hooks.append((iso, len(doc["tickets"]), symbols))
        for oid, ticket in zip(doc["order_ids"], doc["tickets"], strict=True):
            assert ticket["prices"] == "modeled"  # no real chains are served
            price = backtest_price(ticket, policy.costs)
            f = runner.invoke(app, ["journal", "fill", oid, "--price", repr(price)])
            assert f.exit_code == 0, f.output
            fills += 1
            closes += ticket["action"] == "close"
    assert fills > 5

    # notifications: one per day with orders, each naming the day, its orders and legs
    bodies = list(hook_server.bodies)
    assert 0 < len(bodies) == len(expected_hooks) < len(days) - 1
    for body, (iso, n, symbols) in zip(bodies, expected_hooks, strict=True):
        assert body["subject"] == f"VixShield {iso}: {n} order(s)"
        assert body["signal"]["date"] == iso
        assert all(s.strip() in body["text"] for s in symbols)

    # the providers stop publishing: the last session is refused, nothing recorded
    last = days[-1]
    with Journal(journal_path()) as journal:
        before_counts = journal.counts()
    stale = runner.invoke(app, ["daily", "--date", f"{last:%Y-%m-%d}", "--notify"])
    assert stale.exit_code == 3, stale.output
    assert "stale inputs" in stale.stderr
    assert f"SPX last close {days[-2]:%Y-%m-%d}" in stale.stderr
    assert f"VIX last close {days[-2]:%Y-%m-%d}" in stale.stderr
    assert "not published by the providers" in stale.stderr
    assert hook_server.bodies[-1]["subject"] == f"VixShield {last:%Y-%m-%d}: no signal (stale data)"
    with Journal(journal_path()) as journal:
        assert journal.counts() == before_counts

    # publishing again: the last session is decided (its orders not filled)
    server.files.through = last
    first_run = runner.invoke(app, ["daily", "--date", f"{last:%Y-%m-%d}", "--json"])
    assert first_run.exit_code == 0, first_run.output
    again = runner.invoke(app, ["daily", "--date", f"{last:%Y-%m-%d}", "--json"])
    assert again.exit_code == 0
    assert json.loads(again.stdout) == json.loads(first_run.stdout)

    with Journal(journal_path()) as journal:
        account = journal.account("fetch-e2e")
        book = journal.positions(account)
        cash = journal.cash(account)
        history = journal.history(account)
        counts = journal.counts()
        recorded = journal.signal(account, days[0])
    assert counts["signals"] == len(days)
    assert counts["fills"] == fills
    assert [r for r in history if r["kind"] == "settlement"]  # 2016-04-20 VIX expiry
    assert closes >= 1  # a take-profit or a roll closed a position

    # the signal names the fetched versions, not the embedded data
    assert recorded is not None
    versions = recorded["data_versions"]
    assert versions["spx_close"].startswith("spx_close@v") and "(stooq, " in versions["spx_close"]
    assert versions["vix"].startswith("vix@v") and "(cboe, " in versions["vix"]
    assert versions["rate"].startswith("rate@v") and "(fred, " in versions["rate"]
    assert not any(("(arch, " in v or "(model, " in v) for v in versions.values())
    sources = {k: Store().provenance(k).source for k in ("spx_close", "vix", "rate")}
    assert all(s.startswith(server.base) for s in sources.values()), sources
    assert all(STOOQ_KEY not in s for s in sources.values())

    # the reference: the backtest on the embedded data, from the account's start
    rep = replay(policy, open_markets("embedded"), last, since=START)
    assert len(book) >= 3
    assert sorted(map(book_key, book)) == sorted(map(book_key, rep.positions))
    by_key = {book_key(p): p for p in rep.positions}
    for p in book:
        assert p.entry_price == pytest.approx(by_key[book_key(p)].entry_price, abs=1e-9)
    assert cash == pytest.approx(rep.account.cash, abs=0.01)


# -- the README's daily routine in a fresh environment ------------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"
README_NOW = dt.datetime(2016, 3, 1, 22, 30, tzinfo=dt.UTC)  # the cron line's 22:30 UTC


def _readme_commands() -> tuple[list[str], list[str]]:
    """The ``vixshield ...`` lines of the README's daily-service bash block and cron line."""
    section = README.read_text(encoding="utf-8").split("## Daily service", 1)[1]
    bash = section.split("```bash", 1)[1].split("```", 1)[0]
    cron = section.split("```cron", 1)[1].split("```", 1)[0]
    joined = bash.replace("\\\n", " ")
    lines = [ln.split("  #", 1)[0].strip() for ln in joined.splitlines()]
    commands = [ln for ln in lines if ln.startswith("vixshield ")]
    cron_cmd = cron.split("/bin/vixshield ", 1)[1].split(">>", 1)[0].split()
    return commands, cron_cmd


class _FrozenDatetime(dt.datetime):
    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _FrozenDatetime:  # type: ignore[override]
        return cls.fromtimestamp(README_NOW.timestamp(), tz)


def test_readme_daily_routine_in_a_fresh_environment(
    service_env: Path,
    hook_server: HTTPServer,
    provider_server: ProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """README "Daily service": init as shown, the cron line's ``daily --notify`` on an empty
    store (the first fetch downloads the whole history from the local server), fills,
    positions and history; the clock is 2016-03-01 22:30 UTC (the cron time)."""
    import vixshield.service.daily as daily_module

    monkeypatch.setattr(
        daily_module, "dt", type("dt", (), {"datetime": _FrozenDatetime, "UTC": dt.UTC})
    )
    commands, cron_cmd = _readme_commands()
    init = next(c for c in commands if c.startswith("vixshield init"))
    args = shlex.split(init)[1:]
    hook = f"http://127.0.0.1:{hook_server.server_address[1]}/hook"
    args[args.index("--webhook") + 1] = hook  # the Slack URL -> the local webhook server
    args[args.index("--smtp-host") + 1] = "127.0.0.1"  # nothing listens: e-mail fails
    args += ["--smtp-port", str(_closed_port()), "--no-ask"]
    monkeypatch.setenv("VIXSHIELD_SMTP_PASSWORD", "pw-from-the-env")
    assert not Store().series()  # a fresh environment: nothing stored
    runner = CliRunner()
    server = provider_server
    server.files.through = pd.Timestamp("2016-03-01")
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    assert Path(service_env / "config.toml").is_file()

    assert cron_cmd == ["daily", "--notify"]
    res = runner.invoke(app, cron_cmd)
    assert res.exit_code == 0, res.output
    assert "pw-from-the-env" not in res.output
    assert "2016-03-01" in res.stdout
    # the whole history was fetched: stooq asked without a first date
    assert any("d1=" not in p for p in server.asked("stooq"))
    assert Store().latest("spx_close").last is not None
    # the Slack-format notification, and the e-mail failure reported without failing the run
    (body,) = hook_server.bodies
    assert set(body) == {"text"}
    assert body["text"].startswith("*VixShield 2016-03-01: ")
    assert re.search(r"notify email smtp://127.0.0.1:\d+: FAILED", res.stderr), res.stderr
    ids = re.findall(r"2016-03-01#\d+", res.stdout)
    assert ids, res.stdout  # the README's fill lines use ids of this form

    fill = next(c for c in commands if "journal fill" in c and "--contracts" not in c)
    fill_args = shlex.split(fill)[1:]
    fill_args[2] = ids[0]
    done = runner.invoke(app, fill_args)
    assert done.exit_code == 0, done.output
    for cmd in ("journal positions", "journal history"):
        listed = runner.invoke(app, cmd.split())
        assert listed.exit_code == 0, listed.output
        assert "2016-03-01" in listed.stdout
    # the next cron run the same evening: the recorded signal, nothing sent again
    again = runner.invoke(app, cron_cmd)
    assert again.exit_code == 0
    assert "already recorded" in again.stderr
    assert len(hook_server.bodies) == 1


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port
