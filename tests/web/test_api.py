"""The JSON API against the journal the daily service wrote (conftest.py).

References: the journal itself (`Journal` positions, cash, orders), what the test
reported as fills (``book.entered``), the signal documents `run_daily` returned, and
the data's own provenance. Each route is checked, with its error cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vixshield.service import Journal
from vixshield.web import WebSettings, create_app

from .conftest import ACCOUNT, Book, authed


def _journal(book: Book) -> Journal:
    return Journal(book.path)


def test_health_names_the_latest_signal_and_staleness(client: TestClient, book: Book) -> None:
    body = client.get("/api/v1/status").json()
    assert body["status"] == "ok"
    assert body["journal_exists"] is True
    assert body["account"] == ACCOUNT
    assert body["latest_signal"] == book.days[-1]
    # the journal ends in 2016: older than the last completed session of today's clock
    assert body["last_session"] > book.days[-1]
    assert body["stale"] is True
    assert book.days[-1] in body["stale_reason"]


def test_latest_signal_has_the_last_days_tickets_and_orders(client: TestClient, book: Book) -> None:
    body = client.get("/api/v1/signal").json()
    assert body["source"] == "journal"
    assert body["date"] == book.days[-1]
    want = book.last_doc
    assert [t["order_id"] for t in body["tickets"]] == want["order_ids"]
    assert [t["limit"] for t in body["tickets"]] == [t["limit"] for t in want["tickets"]]
    assert all(t["status"] == "open" and t["filled"] == 0 for t in body["tickets"])
    assert body["account"]["equity"] == pytest.approx(want["account"]["equity"])
    assert body["id"] == want["signal_id"]


def _condor(doc: dict) -> str:
    acts = {(t["action"], t["kind"]) for t in doc["tickets"]}
    if ("open", "condor") in acts:
        return "open"
    if ("close", "condor") in acts:
        return "close"
    return "hold" if any(p["kind"] == "condor" for p in doc["positions"]) else "none"


def test_signals_list_one_per_session_with_the_decision(client: TestClient, book: Book) -> None:
    body = client.get("/api/v1/signals").json()
    rows = body["signals"]
    assert [r["date"] for r in rows] == book.days
    assert [r["orders"] for r in rows] == [len(book.docs[d]["tickets"]) for d in book.days]
    assert [r["condor"] for r in rows] == [_condor(book.docs[d]) for d in book.days]
    assert {"open", "close"} <= {r["condor"] for r in rows}  # a condor opened and closed
    first = client.get(f"/api/v1/signals/{rows[0]['id']}").json()
    assert first["date"] == book.days[0]
    assert first["decision"]["condor"] == "open"
    assert first["tickets"][0]["legs"][0]["symbol"].startswith("SPX")
    assert all(t["status"] == "filled" for t in first["tickets"])


def test_signal_of_a_recorded_date_comes_from_the_journal(client: TestClient, book: Book) -> None:
    body = client.get("/api/v1/signal", params={"date": book.days[1]}).json()
    assert body["source"] == "journal"
    assert body["date"] == book.days[1]


def test_signal_computed_for_an_unrecorded_date(client: TestClient, book: Book) -> None:
    body = client.get("/api/v1/signal", params={"date": "2017-06-01"}).json()
    assert body["source"] == "computed"
    assert body["id"] is None
    assert body["date"] == "2017-06-01"
    assert any("not recorded" in w for w in body["warnings"])
    assert len(body["tickets"]) == len(body["document"]["orders"])


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"date": "2016-03-05"}, "2016-03-05"),  # a Saturday
        ({"date": "2030-01-02"}, "2030-01-02"),  # after the data
        ({"date": "2016-13-01"}, "2016-13-01"),  # no such month
        ({"date": "March 1"}, "pattern"),
    ],
)
def test_signal_date_errors_are_422_naming_the_problem(
    client: TestClient, query: dict, words: str
) -> None:
    res = client.get("/api/v1/signal", params=query)
    assert res.status_code == 422
    assert words in str(res.json()["detail"])


def test_signal_ids_not_found_and_not_integers(client: TestClient) -> None:
    res = client.get("/api/v1/signals/999999")
    assert res.status_code == 404
    assert "999999" in res.json()["detail"]
    assert client.get("/api/v1/signals/abc").status_code == 422


def test_positions_are_the_journals_marked_at_the_last_signal(
    client: TestClient, book: Book
) -> None:
    body = client.get("/api/v1/positions").json()
    with _journal(book) as journal:
        account = journal.account(ACCOUNT)
        held = {p.id: p for p in journal.positions(account)}
        cash = journal.cash(account)
    assert body["as_of"] == book.days[-1]
    assert [p["id"] for p in body["positions"]] == list(held)
    assert body["cash"] == pytest.approx(cash)
    # the daily service valued the same book at the same close: equity = cash + value
    assert body["cash"] + body["value"] == pytest.approx(book.last_doc["account"]["equity"])
    assert body["problems"] == []
    for p in body["positions"]:
        ref = held[p["id"]]
        assert p["contracts"] == ref.contracts
        assert p["entry_price"] == pytest.approx(ref.entry_price)
        assert p["pnl"] == pytest.approx(p["value"] - 100 * ref.contracts * ref.entry_price)
        assert [leg["ratio"] for leg in p["legs"]] == [lg.ratio for lg in ref.legs]
        assert {leg["origin"] for leg in p["legs"]} == {"modeled"}  # embedded: no chains
    kinds = {p["kind"] for p in body["positions"]}
    assert kinds == {"condor", "hedge"}
    if not book.last_doc["tickets"]:  # then the service's book greeks are the positions'
        for u, g in book.last_doc["book_greeks"].items():
            assert body["greeks"][u]["delta"] == pytest.approx(g["delta"])
            assert body["greeks"][u]["vega"] == pytest.approx(g["vega"])


def test_positions_marked_at_a_bad_date_is_422(client: TestClient) -> None:
    res = client.get("/api/v1/positions", params={"date": "2016-03-06"})
    assert res.status_code == 422
    assert "2016-03-06" in res.json()["detail"]


def test_history_shows_every_fill_as_reported_and_the_closed_positions(
    client: TestClient, book: Book
) -> None:
    body = client.get("/api/v1/history").json()
    assert {f["order_id"]: f["price"] for f in body["fills"]} == book.entered
    assert all(f["time"] == f"{f['date']}T20:30:00Z" for f in body["fills"])
    with _journal(book) as journal:
        account = journal.account(ACCOUNT)
        every = {p.id for p in journal.positions(account, include_closed=True)}
        still = {p.id for p in journal.positions(account)}
        flows = journal.history(account)
    closed = {c["id"]: c for c in body["closed"]}
    assert set(closed) == every - still
    assert closed  # the first condor was closed
    for pid, c in closed.items():
        cash = sum(r["amount"] for r in flows if r["position_id"] == pid)
        assert c["pnl"] == pytest.approx(cash)
    assert len(body["events"]) == len(flows)


def test_equity_is_the_account_at_each_signal(client: TestClient, book: Book) -> None:
    body = client.get("/api/v1/equity").json()
    assert body["capital"] == 1_000_000.0
    assert [p["date"] for p in body["points"]] == book.days
    want = [book.docs[d]["account"]["equity"] for d in book.days]
    assert [p["equity"] for p in body["points"]] == pytest.approx(want)
    assert body["points"][0]["equity"] == 1_000_000.0  # nothing held before the first fill


def test_provenance_names_real_and_modeled_inputs(client: TestClient, book: Book) -> None:
    body = client.get("/api/v1/provenance").json()
    assert body["date"] == book.days[-1]
    assert body["data_source"] == "embedded"
    want = {k: p.origin for k, p in book.data.data.provenance.items()}
    at_close = book.last_doc["provenance"]["inputs"]  # the close's own record wins
    want |= {k: v["origin"] for k, v in at_close.items()}
    assert {s["series"]: s["origin"] for s in body["series"]} == want
    # the embedded data has no VIX3M: that close's surface stood in for it, and says so
    assert "vix3m" not in book.data.data.provenance and want["vix3m"] == "modeled"
    assert want["vix"] == "real" and want["options:SPX"] == "modeled"
    assert {s["series"] for s in body["series"] if s["version"]} >= {"spx_close", "vix"}
    assert all(t["prices"] == "modeled" for t in body["tickets"])
    assert body["overall"] == "mixed"  # real index closes, modeled rate and option prices
    assert "rate" in body["summary"]


def test_dashboard_static_files_and_schema(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    for key in ('id="decision"', 'id="positions"', 'id="stale-banner"', 'id="origin-banner"'):
        assert key in page.text
    assert "cdn" not in page.text.lower()
    bundle = client.get("/vendor/plotly.min.js")
    assert bundle.status_code == 200
    assert "plotly.js" in bundle.text[:200]
    assert client.get("/static/dashboard.js").status_code == 200
    assert client.get("/static/nothing.js").status_code == 404
    assert client.get("/docs").status_code == 404  # Swagger UI needs a CDN: off
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    assert paths == {
        "/api/v1/health",
        "/api/v1/status",
        "/api/v1/signal/latest",
        "/api/v1/signal",
        "/api/v1/signals",
        "/api/v1/signals/{signal_id}",
        "/api/v1/positions",
        "/api/v1/history",
        "/api/v1/equity",
        "/api/v1/provenance",
        "/api/v1/fills",
        "/api/v1/runs",
        "/api/v1/runs/{run_id}/summary",
        "/api/v1/sweeps",
        "/api/v1/data/status",
    }


def test_no_journal_is_404_saying_what_to_run_and_creates_nothing(
    tmp_path: Path, book: Book
) -> None:
    missing = tmp_path / "journal.sqlite"
    app = create_app(WebSettings(journal=missing, account="main"), data=book.data)
    with authed(app) as c:
        health = c.get("/api/v1/status").json()
        assert health["journal_exists"] is False
        assert health["stale"] is True
        for route in ("/api/v1/signal", "/api/v1/positions", "/api/v1/history", "/api/v1/equity"):
            res = c.get(route)
            assert res.status_code == 404
            assert "vixshield init" in res.json()["detail"]
    assert not missing.exists()


def test_unknown_account_is_404_naming_the_known_ones(book: Book) -> None:
    app = create_app(WebSettings(journal=book.path, account="nobody"), data=book.data)
    with authed(app) as c:
        res = c.get("/api/v1/signals")
    assert res.status_code == 404
    assert "'nobody'" in res.json()["detail"]
    assert ACCOUNT in res.json()["detail"]


def test_unopenable_data_is_503_and_provenance_says_so(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIXSHIELD_HOME", str(tmp_path / "empty"))  # a store with nothing
    app = create_app(WebSettings(journal=book.path, account=ACCOUNT, data="store"))
    with authed(app) as c:
        marks = c.get("/api/v1/positions")
        computed = c.get("/api/v1/signal", params={"date": "2017-06-01"})
        prov = c.get("/api/v1/provenance")
    assert marks.status_code == 503
    assert "store market data cannot be opened" in marks.json()["detail"]
    assert computed.status_code == 503
    assert prov.status_code == 200
    assert "could not be opened" in prov.json()["summary"]
    recorded = book.last_doc["provenance"]["inputs"]  # the signal's record of its close
    got = {s["series"]: s["origin"] for s in prov.json()["series"]}
    assert {k: got[k] for k in recorded} == {k: v["origin"] for k, v in recorded.items()}
    assert {v for k, v in got.items() if k not in recorded} == {"unknown"}
