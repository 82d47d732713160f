"""Two writers of one journal: they serialise, and one that waits too long gets `StoreBusy`
(exit 75 from the CLI), not an ``sqlite3.OperationalError`` traceback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from vixshield.data.lock import LOCK_TIMEOUT_ENV
from vixshield.errors import EXIT_TEMPFAIL, StoreBusy
from vixshield.service.journal import Journal

_WRITER = """
import sys
from vixshield.service.journal import Journal
path, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Journal(path) as j:
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    for i in range(n):
        j.create_account(f"{tag}{i}", "alvh-442", 100_000.0, "2016-03-01")
"""


def test_a_writer_blocked_past_the_timeout_gets_store_busy(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    holder = Journal(path)
    other = Journal(path, timeout_s=0.1)
    with holder.transaction() as db:  # holds SQLite's write lock
        db.execute("SELECT 1")
        with pytest.raises(StoreBusy) as info:
            other.create_account("b", "alvh-442", 100_000.0, "2016-03-01")
    assert str(info.value) == f"store is busy: {path}"
    assert info.value.exit_code == EXIT_TEMPFAIL
    # nothing half-done: the busy writer's transaction never began; it works once free
    assert other.accounts() == ()
    other.create_account("b", "alvh-442", 100_000.0, "2016-03-01")
    assert [a.name for a in holder.accounts()] == ["b"]
    holder.close()
    other.close()


def _hold_new_file(path: Path) -> sqlite3.Connection:
    """An empty journal file whose write lock another connection holds: opening it must
    create the schema (a write) and so wait."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("BEGIN IMMEDIATE")
    return db


def test_opening_a_journal_that_must_migrate_while_held_is_busy_not_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.sqlite"
    holder = _hold_new_file(path)
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.1")  # the default wait of Journal()
    with pytest.raises(StoreBusy, match="store is busy"):
        Journal(path)
    holder.execute("ROLLBACK")
    holder.close()
    with Journal(path) as j:  # free again: it migrates
        assert j.schema_version() >= 1


def test_cli_on_a_busy_journal_exits_75_with_one_line(
    service_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from vixshield.cli.app import main

    path = service_env / "home" / "journal.sqlite"
    path.parent.mkdir(parents=True)
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.1")
    holder = _hold_new_file(path)
    try:
        with pytest.raises(SystemExit) as info:
            main(["journal", "history"])
    finally:
        holder.close()
    err = capsys.readouterr().err
    assert info.value.code == EXIT_TEMPFAIL, err
    assert err == f"error: store is busy: {path}\n"


def test_two_writer_processes_both_land_every_row(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    Journal(path).close()
    n = 40
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), tag, str(n)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b")
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with Journal(path) as j:
        names = {a.name for a in j.accounts()}
    assert names == {f"{t}{i}" for t in ("a", "b") for i in range(n)}
