"""Saved runs, sweeps and the data status, against the files the fixtures wrote and the
NYSE calendar (references outside the web code: conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from vixshield.service.daily import decision_session
from vixshield.web import WebSettings, create_app
from vixshield.web.runs import find_runs

from .conftest import Auth, Book, authed


def test_runs_lists_the_backtest_folder_of_the_data_home(client: TestClient, auth: Auth) -> None:
    body = client.get("/api/v1/runs").json()
    assert body["roots"] == [str(auth.home / "runs"), str(auth.extra_runs)]
    [run] = body["runs"]
    written = json.loads((auth.backtest / "summary.json").read_text())
    assert run["id"] == "bt-march"
    assert run["folder"] == str(auth.backtest)
    assert (run["policy"], run["start"], run["end"]) == (
        written["policy"],
        written["start"],
        written["end"],
    )
    assert run["total_return"] == written["total_return"]
    assert run["final_equity"] == written["final_equity"]
    assert set(run["files"]) >= {"summary.json", "report.html", "trades.csv", "cycles.csv"}
    assert run["report"] == "/runs/bt-march/report"


def test_a_runs_summary_is_its_summary_json(client: TestClient, auth: Auth) -> None:
    body = client.get("/api/v1/runs/bt-march/summary").json()
    assert body["summary"] == json.loads((auth.backtest / "summary.json").read_text())
    report = client.get("/runs/bt-march/report")
    assert report.status_code == 200
    assert report.text == (auth.backtest / "report.html").read_text()


def test_sweeps_list_the_variants_of_the_extra_root(client: TestClient, auth: Auth) -> None:
    body = client.get("/api/v1/sweeps").json()
    [sweep] = body["sweeps"]
    table = pd.read_parquet(auth.sweep / "sweep.parquet")
    assert sweep["id"] == "sw-k_low"  # the folder "sw k_low", made URL-safe
    assert sweep["variants"] == len(table) == 2
    assert sweep["labels"] == list(table["label"])
    assert client.get(sweep["report"]).text == (auth.sweep / "sweep.html").read_text()


@pytest.mark.parametrize(
    "path",
    ["/api/v1/runs/nothing/summary", "/runs/nothing/report", "/sweeps/bt-march/report"],
)
def test_unknown_runs_are_404_naming_where_it_looked(
    client: TestClient, auth: Auth, path: str
) -> None:
    res = client.get(path)
    assert res.status_code == 404
    assert str(auth.home / "runs") in res.json()["detail"]


def test_a_root_that_is_a_run_and_clashing_names(tmp_path: Path) -> None:
    for folder in (tmp_path / "a" / "x", tmp_path / "b" / "x", tmp_path / "c"):
        folder.mkdir(parents=True)
        (folder / "summary.json").write_text("{}")
    (tmp_path / "a" / "not-a-run").mkdir()
    runs = find_runs([tmp_path / "a", tmp_path / "b", tmp_path / "c", tmp_path / "missing"])
    assert [(r.id, r.path) for r in runs] == [
        ("x", tmp_path / "a" / "x"),
        ("x-2", tmp_path / "b" / "x"),
        ("c", tmp_path / "c"),
    ]


def test_a_broken_run_is_named_not_hidden(book: Book, auth: Auth, tmp_path: Path) -> None:
    (tmp_path / "home" / "runs" / "bad").mkdir(parents=True)
    (tmp_path / "home" / "runs" / "bad" / "summary.json").write_text("{not json")
    (tmp_path / "home" / "runs" / "sw").mkdir()
    (tmp_path / "home" / "runs" / "sw" / "sweep.parquet").write_text("not parquet")
    settings = WebSettings(journal=book.path, home=tmp_path / "home", runs=(auth.backtest,))
    with authed(create_app(settings, data=book.data)) as c:
        res = c.get("/api/v1/runs/bad/summary")
        assert res.status_code == 422
        assert "bad/summary.json" in res.json()["detail"]
        listed = c.get("/api/v1/runs").json()
        assert [r["id"] for r in listed["runs"]] == ["bt-march"]  # the --runs DIR that is a run
        [problem] = listed["problems"]
        assert problem.startswith("bad: ") and "summary.json" in problem
        sweeps = c.get("/api/v1/sweeps").json()
        assert sweeps["sweeps"] == [] and "sweep.parquet" in sweeps["problems"][0]


def test_data_status_names_each_series_staleness(client: TestClient, auth: Auth) -> None:
    body = client.get("/api/v1/data/status").json()
    assert body["home"] == str(auth.home)
    assert body["store_exists"] is True
    assert body["last_session"] == f"{decision_session(None):%Y-%m-%d}"
    rows = {r["series"]: r for r in body["series"]}
    assert set(rows) == {"spx_close", "vix"}
    # conftest: spx_close ends on the last session, vix one session before it
    assert (rows["spx_close"]["sessions_behind"], rows["spx_close"]["stale"]) == (0, False)
    assert (rows["vix"]["sessions_behind"], rows["vix"]["stale"]) == (1, True)
    assert body["stale"] is True
    assert rows["vix"]["first"] == "2018-02-01"
    assert {r["origin"] for r in rows.values()} == {"real"}


def test_data_status_of_an_empty_home(book: Book, tmp_path: Path) -> None:
    settings = WebSettings(journal=book.path, home=tmp_path)
    with authed(create_app(settings, data=book.data)) as c:
        body = c.get("/api/v1/data/status").json()
    assert body["store_exists"] is False
    assert body["series"] == []
    assert body["stale"] is True
