"""The journal: schema and migrations, transactions, fills, settlement, crash safety."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from vixshield.errors import UserError
from vixshield.service.journal import MIGRATIONS, SCHEMA_VERSION, Journal
from vixshield.strategy.types import Leg, Order

EXP = pd.Timestamp("2016-04-15")


def _condor_legs() -> tuple[Leg, ...]:
    def leg(k: float, right: str, ratio: int) -> Leg:
        return Leg("SPX", "SPXW", EXP, "PM", k, right, ratio)  # type: ignore[arg-type]

    return (leg(1800, "P", 1), leg(1850, "P", -1), leg(2100, "C", -1), leg(2150, "C", 1))


def _open(journal: Journal, day: str = "2016-03-01", contracts: int = 2) -> str:
    account = journal.account("a")
    order = Order("open", "condor", _condor_legs(), contracts, "entry")
    _, ids = journal.record_signal(
        account,
        pd.Timestamp(day),
        {"date": day},
        [(order, {"direction": "credit", "limit": 1.5})],
        data_versions={"spx_close": "arch@x"},
        policy_hash="h",
        fees_per_contract=1.25,
    )
    return ids[0]


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    j = Journal(tmp_path / "j.sqlite")
    j.create_account("a", "alvh-442", 100_000.0, "2016-03-01")
    return j


def test_schema_is_at_the_latest_version(journal: Journal) -> None:
    assert journal.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)


def test_an_old_file_is_migrated_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE schema_version (version INTEGER NOT NULL);"
        + MIGRATIONS[0]
        + "INSERT INTO schema_version VALUES (1);"
        "INSERT INTO accounts (name, policy, capital, start_date, created_at) "
        "VALUES ('old', 'steward', 5000, '2015-01-02', 'then');"
    )
    db.close()
    with Journal(path) as j:
        assert j.schema_version() == 2
        assert j.account("old").capital == 5000
    index = (
        sqlite3.connect(path)
        .execute("SELECT name FROM sqlite_master WHERE type='index' AND name='orders_by_day'")
        .fetchone()
    )
    assert index is not None


def test_a_newer_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE schema_version (version INTEGER); INSERT INTO schema_version VALUES (99);"
    )
    db.close()
    with pytest.raises(UserError, match="newer"):
        Journal(path)


def test_a_failed_transaction_leaves_nothing(journal: Journal) -> None:
    before = journal.counts()
    with pytest.raises(RuntimeError), journal.transaction() as db:
        db.execute(
            "INSERT INTO accounts (name, policy, capital, start_date, created_at) "
            "VALUES ('b', 'p', 1, '2016-01-04', 'now')"
        )
        raise RuntimeError("crash inside the transaction")
    assert journal.counts() == before


def test_fills_open_and_close_positions_with_cash_by_hand(journal: Journal) -> None:
    oid = _open(journal)
    # by hand: 2 contracts at a 1.50 credit: +100 x 1.50 x 2 = +300, fees 1.25 x 4 legs x 2 = 10
    f = journal.fill(oid, 1.50, time="2016-03-01T15:59:00")
    assert f.cash == pytest.approx(290.0)
    account = journal.account("a")
    (p,) = journal.positions(account)
    assert (p.id, p.contracts, p.entry_price, p.kind) == (oid, 2, -1.5, "condor")
    assert journal.cash(account) == pytest.approx(100_290.0)
    with pytest.raises(UserError, match="already filled"):
        journal.fill(oid, 1.5)
    close = Order("close", "condor", p.legs, 1, "take profit", position_id=oid)
    _, (cid,) = journal.record_signal(
        account,
        pd.Timestamp("2016-03-08"),
        {},
        [(close, {"direction": "debit", "limit": 0.75})],
        data_versions={},
        policy_hash="h",
        fees_per_contract=1.25,
    )
    with pytest.raises(UserError, match="1 unfilled"):
        journal.fill(cid, 0.75, contracts=2)
    g = journal.fill(cid, 0.75, fees=0.0)
    assert g.cash == pytest.approx(-75.0)  # a 0.75 debit on one contract, no fees
    (p,) = journal.positions(account)
    assert p.contracts == 1
    assert journal.cash(account) == pytest.approx(100_215.0)


def test_partial_fills_average_the_entry(journal: Journal) -> None:
    oid = _open(journal, contracts=3)
    journal.fill(oid, 1.0, contracts=1, fees=0)
    journal.fill(oid, 2.0, contracts=2, fees=0)
    (p,) = journal.positions(journal.account("a"))
    assert p.contracts == 3
    assert p.entry_price == pytest.approx(-(1.0 + 2 * 2.0) / 3)


def test_expired_legs_settle_at_the_settlement_value(journal: Journal) -> None:
    oid = _open(journal, contracts=1)
    journal.fill(oid, 1.5, fees=0)
    account = journal.account("a")
    # SPX settles at 1830 on the expiry: the 1850/1800 put spread pays -(1850-1830) = -20 points
    settled = journal.settle_expired(account, EXP, lambda u, e, r: (1830.0, "real"))
    assert sum(s.cash for s in settled) == pytest.approx(-2000.0)
    assert journal.positions(account) == ()
    assert journal.cash(account) == pytest.approx(100_000 + 150 - 2000)
    assert journal.settle_expired(account, EXP, lambda u, e, r: (1830.0, "real")) == ()


def test_an_expiry_without_a_settlement_value_is_refused_after_the_day(journal: Journal) -> None:
    oid = _open(journal, contracts=1)
    journal.fill(oid, 1.5, fees=0)
    account = journal.account("a")
    nan = float("nan")
    assert journal.settle_expired(account, EXP, lambda u, e, r: (nan, "modeled")) == ()
    with pytest.raises(UserError, match="no settlement value"):
        journal.settle_expired(account, EXP + pd.Timedelta(days=3), lambda u, e, r: (nan, "real"))


def test_recording_a_signal_twice_records_it_once(journal: Journal) -> None:
    a = _open(journal)
    b = _open(journal)
    assert a == b
    assert journal.counts()["signals"] == 1
    assert journal.counts()["orders"] == 1


_WRITER = r"""
import sys, pandas as pd
from vixshield.service.journal import Journal
from vixshield.strategy.types import Leg, Position
j = Journal(sys.argv[1])
acct = j.account("a")
exp = pd.Timestamp("2016-04-15")
legs = tuple(Leg("SPX", "SPXW", exp, "PM", k, r, q)
             for k, r, q in ((1800, "P", 1), (1850, "P", -1), (2100, "C", -1), (2150, "C", 1)))
i = 0
while True:
    i += 1
    p = Position(f"P{i}", "condor", legs, 1, pd.Timestamp("2016-03-01"), -1.0)
    j.import_positions(acct, [p], "2016-03-01")
    print(i, flush=True)
"""


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_9_loses_nothing_committed(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "j.sqlite"
    Journal(path).create_account("a", "alvh-442", 1e6, "2016-03-01")
    rng = random.Random(seed)
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    stop_after = rng.randint(5, 60)  # committed transactions reported before the kill
    last = 0
    for line in proc.stdout:
        last = int(line)
        if last >= stop_after:
            break
    time.sleep(rng.random() * 0.05)  # land the kill at a random point of later writes
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Journal(path) as j:
        counts = j.counts()
        # the child prints after each commit; later commits may land before the kill
        assert counts["positions"] >= last  # nothing reported committed is lost
        assert counts["legs"] == 4 * counts["positions"]
        assert counts["cash_flows"] == counts["positions"]
        held = j.positions(j.account("a"))
        assert all(len(p.legs) == 4 for p in held)
        assert j.cash(j.account("a")) == pytest.approx(1e6 + 100.0 * counts["positions"])
