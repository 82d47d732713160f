"""Fixtures of the web tests: a journal the daily service wrote, and the app over it.

The journal is built once per session by the service's own API (`run_daily` each
session of 2016-03-01 .. 2016-03-28 on the embedded data, as
tests/service/test_daily_e2e.py walks it): every order is filled at its ticket's limit
price, except the last session's, which stay open. ``entered`` records the prices the
"trader" reported: the reference the API's fills must show.

The app's data home (``auth``) holds an active token and a revoked one, and saved runs:
``<home>/runs/bt-march`` written by ``vixshield backtest --out`` itself (in-process,
on the embedded data), and under a second root (as ``serve --runs``) a sweep folder
(``sweep.parquet`` + ``sweep.html``) written here with the file names and columns
``vixshield sweep --out`` writes, as a real sweep costs too long for a fixture.
"""

from __future__ import annotations

import json
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from vixshield import api
from vixshield.data.calendars import previous_trading_day, trading_days
from vixshield.data.market import Provenance
from vixshield.data.store import Store
from vixshield.service import Journal, run_daily
from vixshield.service.daily import decision_session
from vixshield.strategy.policy import load_policy
from vixshield.web import WebSettings, create_app
from vixshield.web.auth import TokenStore

START, END = "2016-03-01", "2016-03-28"  # the first condor is closed on 03-24
ACCOUNT = "web"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Book:
    """The journal built for the web tests and what was done to it."""

    path: Path
    data: api.Data
    days: list[str]
    entered: dict[str, float] = field(default_factory=dict)  # order id -> price reported
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)  # run_daily's, by day

    @property
    def last_doc(self) -> dict[str, Any]:
        """The last session's signal as `run_daily` returned it."""
        return self.docs[self.days[-1]]


@pytest.fixture(scope="session")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    """The journal (module docstring)."""
    path = tmp_path_factory.mktemp("web_journal") / "journal.sqlite"
    data = api.load_data("embedded")
    policy = load_policy("alvh-442")
    days = [f"{d:%Y-%m-%d}" for d in trading_days(START, END)]
    out = Book(path, data, days)
    with Journal(path) as journal:
        account = journal.create_account(ACCOUNT, "alvh-442", 1_000_000.0, START)
        for i, day in enumerate(days):
            result = run_daily(journal, account, policy, data.markets, day)
            out.docs[day] = dict(result.doc)
            if i == len(days) - 1:
                break
            for oid, ticket in zip(result.doc["order_ids"], result.doc["tickets"], strict=True):
                journal.fill(oid, ticket["limit"], time=f"{day}T20:30:00Z")
                out.entered[oid] = ticket["limit"]
    return out


def authed(app: FastAPI) -> TestClient:
    """A TestClient over ``app`` sending a fresh token of the app's data home."""
    token = app.state.source.tokens.create(f"t{secrets.token_hex(4)}")
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


@dataclass(frozen=True)
class Auth:
    """The served data home, its tokens, and where its saved runs are."""

    home: Path
    token: str
    revoked: str
    extra_runs: Path
    backtest: Path
    sweep: Path


@pytest.fixture(scope="session")
def auth(tmp_path_factory: pytest.TempPathFactory) -> Auth:
    """The data home (module docstring)."""
    from vixshield.cli.app import main

    home = tmp_path_factory.mktemp("web_home")
    store = TokenStore(home)
    token = store.create("ci")
    revoked = store.create("old")
    store.revoke("old")
    backtest = home / "runs" / "bt-march"
    args = ["backtest", "--data", "embedded", "--start", "2016-03-01", "--end", "2016-03-31"]
    with pytest.raises(SystemExit) as done:
        main([*args, "--out", str(backtest), "--json"])
    assert done.value.code == 0
    extra = tmp_path_factory.mktemp("web_more_runs")
    sweep = extra / "sw k_low"
    sweep.mkdir()
    summary = json.loads((backtest / "summary.json").read_text())
    rows = [
        {"variant_key": f"k{i}", "variant": i, "label": f"condor.k_low={k}", **summary}
        for i, k in enumerate((1.0, 1.5))
    ]
    frame = pd.DataFrame(rows).drop(columns=["event_study", "provenance", "settings"])
    frame.astype({c: str for c in frame.columns if frame[c].dtype == object}).to_parquet(
        sweep / "sweep.parquet"
    )
    (sweep / "sweep.html").write_text("<!doctype html><title>sweep</title><h1>Sweep</h1>")
    # a store: spx_close ends on the last completed session, vix one session before it
    last = decision_session(None)
    days = {"spx_close": [pd.Timestamp("2018-02-01"), last]}
    days["vix"] = [pd.Timestamp("2018-02-01"), previous_trading_day(last)]
    frames = {
        k: pd.DataFrame({"value": [1.0, 2.0]}, index=pd.DatetimeIndex(v, name="date"))
        for k, v in days.items()
    }
    Store(home).write(frames, Provenance("", "file", "test", "2026-12-01T00:00:00Z", "real"))
    return Auth(home, token, revoked, extra, backtest, sweep)


def settings(book: Book, auth: Auth, **more: Any) -> WebSettings:
    """The settings serving ``book`` and ``auth``'s data home."""
    return WebSettings(
        journal=book.path, account=ACCOUNT, home=auth.home, runs=(auth.extra_runs,), **more
    )


@pytest.fixture(scope="session")
def app(book: Book, auth: Auth) -> FastAPI:
    """The app serving ``book`` and ``auth``."""
    return create_app(settings(book, auth), data=book.data)


@pytest.fixture(scope="session")
def client(app: FastAPI, auth: Auth) -> Iterator[TestClient]:
    """A TestClient over ``app`` sending the active token."""
    with TestClient(app, headers={"Authorization": f"Bearer {auth.token}"}) as c:
        yield c


@pytest.fixture(scope="session")
def anon(app: FastAPI) -> Iterator[TestClient]:
    """A TestClient over ``app`` sending no credentials."""
    with TestClient(app) as c:
        yield c
