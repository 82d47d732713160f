"""``vixshield serve`` and ``vixshield token``: flags checked, warnings (off loopback, no
token), the app over ``--home``, tokens created, listed and revoked."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from vixshield.cli.app import app
from vixshield.cli.serve_cmd import is_loopback
from vixshield.web.auth import TokenStore

from .conftest import ACCOUNT, Book


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--port", "0"], "--port"), (["--port", "70000"], "--port"), (["--data", "web"], "--data")],
)
def test_bad_flags_exit_2_with_one_line(args: list[str], words: str) -> None:
    res = CliRunner().invoke(app, ["serve", *args])
    assert res.exit_code == 2
    assert res.stderr.startswith("error: ") and words in res.stderr
    assert "Traceback" not in res.output


def test_binding_off_loopback_warns(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VIXSHIELD_HOME", str(tmp_path))  # restored after --home sets it
    served: list[tuple[str, int]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: served.append((host, port)))
    res = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--home", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert served == [("0.0.0.0", 8765)]
    assert "not a loopback address" in res.stderr
    assert "no journal at" in res.stderr
    assert "no active API token" in res.stderr


def test_the_command_serves_the_journal_of_home(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app ``vixshield serve --home H`` hands to uvicorn serves ``H/journal.sqlite``
    (uvicorn itself serves the browser tests)."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(book.path, home / "journal.sqlite")
    token = TokenStore(home).create("cli")
    monkeypatch.setenv("VIXSHIELD_HOME", str(tmp_path / "elsewhere"))  # restored after
    apps: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: apps.append(app))
    res = CliRunner().invoke(app, ["serve", "--home", str(home), "--account", ACCOUNT])
    assert res.exit_code == 0, res.output
    assert "warning" not in res.stderr
    with TestClient(apps[0], headers={"Authorization": f"Bearer {token}"}) as c:  # type: ignore[arg-type]
        body = c.get("/api/v1/status").json()
        fills = c.post("/api/v1/fills", json={"order_id": "2016-03-01#1", "price": 1.0})
    assert body["journal"] == str(home / "journal.sqlite")
    assert body["latest_signal"] == book.days[-1]
    assert fills.status_code == 403  # no --allow-fills


def test_the_cli_does_not_import_the_web_stack_at_start() -> None:
    code = (
        "import sys, vixshield.cli.app; "
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_token_create_list_revoke(tmp_path: Path) -> None:
    runner = CliRunner()
    home = ["--home", str(tmp_path)]
    made = runner.invoke(app, ["token", "create", "laptop", *home])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("vst_") and "\n" not in token
    assert "not shown again" in made.stderr and token not in made.stderr
    assert TokenStore(tmp_path).verify(token) == "laptop"
    listed = runner.invoke(app, ["token", "list", *home])
    assert listed.stdout.startswith("laptop  created ") and "active" in listed.stdout
    assert token not in listed.stdout
    again = runner.invoke(app, ["token", "create", "laptop", *home])
    assert again.exit_code == 2 and "revoke it first" in again.stderr
    gone = runner.invoke(app, ["token", "revoke", "laptop", *home])
    assert gone.exit_code == 0 and "revoked token 'laptop'" in gone.stdout
    assert TokenStore(tmp_path).verify(token) is None
    assert "revoked 20" in runner.invoke(app, ["token", "list", *home]).stdout
    unknown = runner.invoke(app, ["token", "revoke", "desk", *home])
    assert unknown.exit_code == 2 and unknown.stderr == "error: no token 'desk' (tokens: laptop)\n"
    bad = runner.invoke(app, ["token", "create", "a b", *home])
    assert bad.exit_code == 2 and bad.stderr.startswith("error: token name")


def test_serve_runs_must_be_a_folder(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["serve", "--runs", str(tmp_path / "nope")])
    assert res.exit_code == 2
    assert res.stderr == f"error: --runs {tmp_path / 'nope'}: not a folder\n"
