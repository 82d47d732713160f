"""``POST /api/v1/fills``: off by default, and when on it books exactly what
``vixshield journal fill`` books (`Journal.fill`, the reference, on a twin journal).

Each test works on copies of the session's journal, advanced by two more sessions of
`run_daily` so that it holds unfilled orders.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vixshield.service import Journal, run_daily
from vixshield.strategy.policy import load_policy
from vixshield.web import WebSettings, create_app

from .conftest import ACCOUNT, Book, authed

MORE = ("2016-03-29", "2016-03-30")  # the second session has orders (condor, hedges)


@pytest.fixture(scope="module")
def advanced(book: Book, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A copy of the journal with two more sessions run; its unfilled order ids."""
    path = tmp_path_factory.mktemp("web_fills") / "journal.sqlite"
    shutil.copy(book.path, path)
    policy = load_policy("alvh-442")
    with Journal(path) as journal:
        account = journal.account(ACCOUNT)
        ids: list[str] = []
        for day in MORE:
            ids = list(run_daily(journal, account, policy, book.data.markets, day).doc["order_ids"])
    assert ids, f"no orders on {MORE[-1]}: pick another session"
    return path, ids


def _copy(src: Path, folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(src, folder / "journal.sqlite")
    return folder / "journal.sqlite"


def _client(path: Path, book: Book, allow: bool) -> TestClient:
    settings = WebSettings(journal=path, account=ACCOUNT, allow_fills=allow)
    return authed(create_app(settings, data=book.data))


def test_fills_are_refused_unless_allowed(
    advanced: tuple[Path, list[str]], book: Book, tmp_path: Path
) -> None:
    path = _copy(advanced[0], tmp_path / "a")
    with Journal(path) as journal:
        before = journal.counts()
    with _client(path, book, allow=False) as c:
        res = c.post("/api/v1/fills", json={"order_id": advanced[1][0], "price": 1.0})
    assert res.status_code == 403
    assert "--allow-fills" in res.json()["detail"]
    with Journal(path) as journal:
        assert journal.counts() == before


def test_a_fill_books_what_journal_fill_books(
    advanced: tuple[Path, list[str]], book: Book, tmp_path: Path
) -> None:
    via_api = _copy(advanced[0], tmp_path / "api")
    direct = _copy(advanced[0], tmp_path / "direct")
    oid = advanced[1][0]
    with _client(via_api, book, allow=True) as c:
        res = c.post(
            "/api/v1/fills", json={"order_id": oid, "price": 1.25, "time": "2016-03-30T20:31:00Z"}
        )
        assert res.status_code == 200, res.text
        body = res.json()
        history = c.get("/api/v1/history").json()
        ticket = c.get("/api/v1/signal").json()["tickets"][0]
        again = c.post("/api/v1/fills", json={"order_id": oid, "price": 1.25})
    with Journal(direct) as journal:
        ref = journal.fill(oid, 1.25, None, "2016-03-30T20:31:00+00:00")
    assert body == {
        "order_id": ref.order_id,
        "position_id": ref.position_id,
        "time": ref.time,
        "price": ref.price,
        "contracts": ref.contracts,
        "fees": ref.fees,
        "cash": ref.cash,
    }
    with Journal(via_api) as a, Journal(direct) as b:
        assert a.cash(a.account(ACCOUNT)) == b.cash(b.account(ACCOUNT))
        assert a.positions(a.account(ACCOUNT)) == b.positions(b.account(ACCOUNT))
    assert history["fills"][-1]["order_id"] == oid
    assert history["fills"][-1]["price"] == 1.25
    assert ticket["status"] == "filled"
    assert again.status_code == 422
    assert "already filled" in again.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        ({"order_id": "2016-01-04#9", "price": 1.0}, 404, "2016-01-04#9"),
        ({"order_id": "latest", "price": 1.0}, 422, "order_id"),
        ({"order_id": "{oid}", "price": -0.5}, 422, "price"),
        ({"order_id": "{oid}", "price": 1.0, "contracts": 0}, 422, "contracts"),
        ({"order_id": "{oid}", "price": 1.0, "contracts": 10_000}, 422, "--contracts"),
        ({"order_id": "{oid}", "price": 1.0, "fees": -1}, 422, "fees"),
        ({"order_id": "{oid}", "price": 1.0, "time": "yesterday"}, 422, "time"),
        ({"order_id": "{oid}", "price": 1.0, "side": "buy"}, 422, "side"),
    ],
)
def test_bad_fills_are_refused_naming_the_field(
    advanced: tuple[Path, list[str]],
    book: Book,
    tmp_path: Path,
    payload: dict,
    status: int,
    words: str,
) -> None:
    path = _copy(advanced[0], tmp_path / "j")
    body = {
        k: v.format(oid=advanced[1][0]) if isinstance(v, str) else v for k, v in payload.items()
    }
    with Journal(path) as journal:
        before = journal.counts()
    with _client(path, book, allow=True) as c:
        res = c.post("/api/v1/fills", json=body)
    assert res.status_code == status, res.text
    assert words in str(res.json()["detail"])
    with Journal(path) as journal:
        assert journal.counts() == before


def test_a_cross_site_page_cannot_book_a_fill(
    advanced: tuple[Path, list[str]], book: Book, tmp_path: Path
) -> None:
    path = _copy(advanced[0], tmp_path / "j")
    with _client(path, book, allow=True) as c:
        res = c.post(
            "/api/v1/fills",
            json={"order_id": advanced[1][0], "price": 1.0},
            headers={"Origin": "http://evil.example"},
        )
        form = c.post(
            "/api/v1/fills",
            content=f"order_id={advanced[1][0]}&price=1",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert res.status_code == 403
    assert "evil.example" in res.json()["detail"]
    assert form.status_code == 422  # a form post (no preflight) is not a JSON body
    with Journal(path) as journal:
        assert journal.counts()["fills"] == len(book.entered)
