"""The journal: what the trader holds and did, in an SQLite database in the data home.

File: ``<data home>/journal.sqlite`` (`vixshield.data.store.data_home`: ``$VIXSHIELD_HOME``,
else the XDG data home). Standard-library `sqlite3`, WAL mode with ``synchronous=FULL``:
every write is one transaction (``BEGIN IMMEDIATE`` .. ``COMMIT``), so a crash at any
point (kill -9 included) loses nothing committed and leaves nothing half-written.
Writers of several processes serialise on SQLite's own lock; one that waits longer than
the lock timeout (``$VIXSHIELD_LOCK_TIMEOUT`` seconds, default 30: see
`vixshield.data.lock.lock_timeout`) fails with `vixshield.errors.StoreBusy` naming the
file, not with an ``OperationalError``. Readers never wait (WAL).

Tables and migrations: `vixshield.service.journal_schema`; records:
`vixshield.service.journal_records`.

Money: a contract is 100 dollars per index point (`CONTRACT_MULTIPLIER`). The account's
cash is its capital plus the sum of its cash flows; the journal books no interest (the
broker's statement does: ``journal reconcile`` shows the difference).
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from vixshield._typing import Origin, Underlying
from vixshield.data.lock import lock_timeout
from vixshield.errors import StoreBusy, UserError
from vixshield.markets.costs import CONTRACT_MULTIPLIER
from vixshield.service.journal_records import (
    Account,
    Fill,
    JournalOrder,
    Settled,
    day_text,
    leg_from,
    leg_json,
    now_text,
)
from vixshield.service.journal_schema import MIGRATIONS, SCHEMA_VERSION
from vixshield.strategy.types import Leg, Order, Position

__all__ = [
    "JOURNAL_FILE",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Account",
    "Fill",
    "Journal",
    "JournalOrder",
    "Settled",
    "journal_path",
]

JOURNAL_FILE = "journal.sqlite"


def journal_path(home: str | Path | None = None) -> Path:
    """``<data home>/journal.sqlite`` (`vixshield.data.store.data_home`)."""
    from vixshield.data.store import data_home

    return data_home(home) / JOURNAL_FILE


_SQLITE_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _is_busy(err: sqlite3.OperationalError) -> bool:
    """Whether ``err`` is SQLite's busy/locked error (primary code, extended bits masked)."""
    return err.sqlite_errorcode & 0xFF in _SQLITE_BUSY_CODES


def trade_sign(action: str) -> int:
    """+1 for an open (the trade buys the legs' ratios), -1 for a close (it reverses them)."""
    return 1 if action == "open" else -1


class Journal:
    """The journal database at ``path`` (module docstring), migrated on open.

    Use as a context manager or call `close`. Every public write is one transaction.
    """

    def __init__(self, path: str | Path, *, timeout_s: float | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        wait = lock_timeout() if timeout_s is None else timeout_s
        try:
            with self._busy_is_store_busy():
                self._db = sqlite3.connect(self.path, isolation_level=None, timeout=wait)
                self._db.row_factory = sqlite3.Row
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.execute("PRAGMA foreign_keys=ON")
                self._migrate()
        except sqlite3.DatabaseError as err:
            raise UserError(f"{self.path}: not a readable journal database ({err})") from None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (nothing uncommitted exists between public calls)."""
        self._db.close()

    @contextmanager
    def _busy_is_store_busy(self) -> Iterator[None]:
        """Turn SQLite's "database is locked" (after the timeout) into `StoreBusy`."""
        try:
            yield
        except sqlite3.OperationalError as err:
            if _is_busy(err):
                raise StoreBusy(str(self.path), None) from None
            raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on normal exit, rolled back on any exception.

        Raises
        ------
        vixshield.errors.StoreBusy
            When another process's write transaction holds the file past the timeout.
        """
        with self._busy_is_store_busy():
            self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        try:
            with self._busy_is_store_busy():
                self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    # -- schema ------------------------------------------------------------------------

    def schema_version(self) -> int:
        """The schema version of the open file."""
        row = self._db.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def _migrate(self) -> None:
        self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise UserError(
                f"{self.path}: journal schema version {version} is newer than this "
                f"vixshield knows ({SCHEMA_VERSION}); upgrade vixshield"
            )
        for v in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction() as db:
                for statement in MIGRATIONS[v - 1].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (v,))

    # -- accounts ----------------------------------------------------------------------

    def create_account(
        self, name: str, policy: str, capital: float, start: pd.Timestamp | str
    ) -> Account:
        """A new account (`UserError` if ``name`` exists or ``capital`` is not positive)."""
        if not (math.isfinite(capital) and capital > 0):
            raise UserError(f"account capital: expected a positive amount, got {capital}")
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
                raise UserError(f"account {name!r} already exists in {self.path}")
            db.execute(
                "INSERT INTO accounts (name, policy, capital, start_date, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, policy, float(capital), day_text(start), now_text()),
            )
        return self.account(name)

    def account(self, name: str) -> Account:
        """The account ``name``; a `UserError` saying how to create it when absent."""
        row = self._db.execute("SELECT * FROM accounts WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise UserError(f"no account {name!r} in {self.path}; run `vixshield init` first")
        return Account(
            row["id"], row["name"], row["policy"], row["capital"], pd.Timestamp(row["start_date"])
        )

    def accounts(self) -> tuple[Account, ...]:
        """Every account, by id."""
        rows = self._db.execute("SELECT name FROM accounts ORDER BY id").fetchall()
        return tuple(self.account(r["name"]) for r in rows)

    def cash(self, account: Account) -> float:
        """Capital plus every cash flow, dollars."""
        row = self._db.execute(
            "SELECT coalesce(sum(amount), 0) FROM cash_flows WHERE account_id = ?", (account.id,)
        ).fetchone()
        return account.capital + float(row[0])

    # -- positions ---------------------------------------------------------------------

    def _legs(self, position_id: str, *, open_only: bool) -> tuple[Leg, ...]:
        sql = "SELECT * FROM legs WHERE position_id = ?"
        if open_only:
            sql += " AND settled_value IS NULL"
        rows = self._db.execute(sql + " ORDER BY idx", (position_id,)).fetchall()
        return tuple(leg_from(r) for r in rows)

    def _position(self, row: sqlite3.Row) -> Position:
        return Position(
            id=row["id"],
            kind=row["kind"],
            layer=row["layer"],
            legs=self._legs(row["id"], open_only=True),
            contracts=int(row["contracts"]),
            opened=pd.Timestamp(row["opened"]),
            entry_price=float(row["entry_price"]),
            meta=json.loads(row["meta"]),
        )

    def positions(self, account: Account, *, include_closed: bool = False) -> tuple[Position, ...]:
        """The open positions (their unsettled legs), oldest first; with closed ones too."""
        sql = "SELECT * FROM positions WHERE account_id = ?"
        if not include_closed:
            sql += " AND closed IS NULL"
        rows = self._db.execute(sql + " ORDER BY opened, rowid", (account.id,)).fetchall()
        return tuple(self._position(r) for r in rows)

    def _insert_position(
        self, db: sqlite3.Connection, account: Account, p: Position, source: str
    ) -> None:
        if db.execute("SELECT 1 FROM positions WHERE id = ?", (p.id,)).fetchone():
            raise UserError(f"position {p.id!r} already exists in the journal")
        db.execute(
            "INSERT INTO positions (id, account_id, kind, layer, contracts, opened, entry_price, "
            "source, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                p.id,
                account.id,
                p.kind,
                p.layer,
                p.contracts,
                day_text(p.opened),
                p.entry_price,
                source,
                json.dumps(dict(p.meta), sort_keys=True),
            ),
        )
        for i, leg in enumerate(p.legs):
            db.execute(
                "INSERT INTO legs (position_id, idx, underlying, root, expiry, settlement, "
                "strike, right, ratio) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    p.id,
                    i,
                    leg.underlying,
                    leg.root,
                    day_text(leg.expiry),
                    leg.settlement,
                    leg.strike,
                    leg.right,
                    leg.ratio,
                ),
            )

    def import_positions(
        self, account: Account, positions: Sequence[Position], date: pd.Timestamp | str
    ) -> int:
        """Add positions held at a broker, all in one transaction; returns how many.

        Each books its entry premium as a cash flow (``-100 x entry_price x contracts``)
        so that equity stays capital plus P&L. Validate them first
        (`vixshield.service.checks.check_positions`).
        """
        with self.transaction() as db:
            for p in positions:
                self._insert_position(db, account, p, "import")
                cash = -CONTRACT_MULTIPLIER * p.entry_price * p.contracts
                db.execute(
                    "INSERT INTO cash_flows (account_id, date, kind, amount, position_id, note) "
                    "VALUES (?, ?, 'import', ?, ?, 'entry premium of an imported position')",
                    (account.id, day_text(date), cash, p.id),
                )
        return len(positions)

    # -- signals and orders ------------------------------------------------------------

    def signal(self, account: Account, date: pd.Timestamp | str) -> dict[str, Any] | None:
        """The signal recorded for ``date`` (its row, ``doc`` parsed), None when none is."""
        row = self._db.execute(
            "SELECT * FROM signals WHERE account_id = ? AND date = ?", (account.id, day_text(date))
        ).fetchone()
        if row is None:
            return None
        out = dict(row)
        out["doc"] = json.loads(row["doc"])
        out["data_versions"] = json.loads(row["data_versions"])
        return out

    def record_signal(
        self,
        account: Account,
        date: pd.Timestamp,
        doc: Mapping[str, object],
        orders: Sequence[tuple[Order, Mapping[str, object]]],
        *,
        data_versions: Mapping[str, str],
        policy_hash: str,
        state: Mapping[str, object] | None = None,
        fees_per_contract: float = 0.0,
    ) -> tuple[int, tuple[str, ...]]:
        """Record the signal of ``date`` and its orders (each with its ticket), once.

        Returns (signal id, order ids). A signal already recorded for the date is not
        recorded again: its id and orders are returned unchanged (idempotent runs).
        ``fees_per_contract`` (dollars per contract per leg) sets each order's default fees.
        """
        day = day_text(date)
        with self.transaction() as db:
            row = db.execute(
                "SELECT id FROM signals WHERE account_id = ? AND date = ?", (account.id, day)
            ).fetchone()
            if row is not None:
                ids = db.execute(
                    "SELECT id FROM orders WHERE signal_id = ? ORDER BY rowid", (row["id"],)
                ).fetchall()
                return int(row["id"]), tuple(r["id"] for r in ids)
            cur = db.execute(
                "INSERT INTO signals (account_id, date, created_at, doc, data_versions, "
                "policy_hash, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    account.id,
                    day,
                    now_text(),
                    json.dumps(doc, sort_keys=True),
                    json.dumps(dict(data_versions), sort_keys=True),
                    policy_hash,
                    None if state is None else json.dumps(state, sort_keys=True, default=str),
                ),
            )
            signal_id = int(cur.lastrowid or 0)
            out: list[str] = []
            for n, (order, ticket) in enumerate(orders, start=1):
                oid = f"{day}#{n}"
                direction = ticket.get("direction")
                limit = ticket.get("limit")
                units = sum(abs(leg.ratio) for leg in order.legs)
                db.execute(
                    "INSERT INTO orders (id, account_id, signal_id, date, action, kind, layer, "
                    "contracts, position_id, legs, direction, limit_price, fees_per_unit, "
                    "ticket) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        oid,
                        account.id,
                        signal_id,
                        day,
                        order.action,
                        order.kind,
                        order.layer,
                        order.contracts,
                        order.position_id,
                        json.dumps([leg_json(leg) for leg in order.legs]),
                        direction if direction in ("credit", "debit") else "debit",
                        float(limit) if isinstance(limit, int | float) else None,
                        fees_per_contract * units,
                        json.dumps(ticket, sort_keys=True, default=str),
                    ),
                )
                out.append(oid)
        return signal_id, tuple(out)

    def _order(self, row: sqlite3.Row) -> JournalOrder:
        filled = self._db.execute(
            "SELECT coalesce(sum(contracts), 0) FROM fills WHERE order_id = ?", (row["id"],)
        ).fetchone()[0]
        return JournalOrder(
            id=row["id"],
            date=pd.Timestamp(row["date"]),
            action=row["action"],
            kind=row["kind"],
            layer=row["layer"],
            contracts=int(row["contracts"]),
            position_id=row["position_id"],
            legs=tuple(leg_from(x) for x in json.loads(row["legs"])),
            direction=row["direction"],
            limit_price=row["limit_price"],
            fees_per_unit=float(row["fees_per_unit"]),
            status=row["status"],
            filled=int(filled),
        )

    def order(self, order_id: str) -> JournalOrder:
        """The order ``order_id`` (`UserError` naming the known ones when absent)."""
        row = self._db.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        if row is None:
            recent = self._db.execute(
                "SELECT id FROM orders WHERE status != 'filled' ORDER BY rowid DESC LIMIT 5"
            ).fetchall()
            known = ", ".join(r["id"] for r in recent) or "none"
            raise UserError(f"no order {order_id!r} in the journal (unfilled orders: {known})")
        return self._order(row)

    def orders(
        self, account: Account, date: pd.Timestamp | str | None = None
    ) -> tuple[JournalOrder, ...]:
        """The account's orders (of ``date`` only, where given), in issue order."""
        sql = "SELECT * FROM orders WHERE account_id = ?"
        args: list[object] = [account.id]
        if date is not None:
            sql += " AND date = ?"
            args.append(day_text(date))
        rows = self._db.execute(sql + " ORDER BY rowid", args).fetchall()
        return tuple(self._order(r) for r in rows)

    # -- fills -------------------------------------------------------------------------

    def fill(
        self,
        order_id: str,
        price: float,
        contracts: int | None = None,
        time: str | None = None,
        fees: float | None = None,
    ) -> Fill:
        """Book an execution of ``order_id``: ``contracts`` (default: all unfilled) at ``price``.

        ``price`` is per unit of the order, index points, >= 0, in the order's direction
        (a credit received or a debit paid, as its ticket says). An open creates (or, on
        a later partial fill, adds to) position ``order_id`` at the averaged net price; a
        close reduces its position and closes it at zero contracts. ``fees`` in dollars
        (default: the order's per-contract costs). Cash moves by
        ``-100 x net x contracts - fees`` (``net`` > 0 paid).
        """
        if not math.isfinite(price) or price < 0:
            raise UserError(f"--price: expected a price >= 0 in index points, got {price}")
        if fees is not None and not (math.isfinite(fees) and fees >= 0):
            raise UserError(f"--fees: expected dollars >= 0, got {fees}")
        when = time or now_text()
        with self.transaction() as db:
            order = self.order(order_id)
            left = order.contracts - order.filled
            n = left if contracts is None else contracts
            if left <= 0:
                raise UserError(f"order {order_id} is already filled ({order.contracts} contracts)")
            if not 0 < n <= left:
                raise UserError(
                    f"--contracts: order {order_id} has {left} unfilled contract(s), got {n}"
                )
            net = price if order.direction == "debit" else -price
            charged = order.fees_per_unit * n if fees is None else float(fees)
            cash = -CONTRACT_MULTIPLIER * net * n - charged
            account = db.execute(
                "SELECT name FROM accounts WHERE id = (SELECT account_id FROM orders WHERE id=?)",
                (order_id,),
            ).fetchone()["name"]
            acct = self.account(account)
            if order.action == "open":
                pid = order.id
                row = db.execute("SELECT * FROM positions WHERE id = ?", (pid,)).fetchone()
                if row is None:
                    self._insert_position(
                        db,
                        acct,
                        Position(
                            id=pid,
                            kind=order.kind,  # type: ignore[arg-type]
                            layer=order.layer,
                            legs=order.legs,
                            contracts=n,
                            opened=order.date,
                            entry_price=net,
                        ),
                        "fill",
                    )
                else:
                    held = int(row["contracts"])
                    avg = (row["entry_price"] * held + net * n) / (held + n)
                    db.execute(
                        "UPDATE positions SET contracts = ?, entry_price = ? WHERE id = ?",
                        (held + n, avg, pid),
                    )
            else:
                pid = str(order.position_id)
                row = db.execute(
                    "SELECT contracts, closed FROM positions WHERE id = ?", (pid,)
                ).fetchone()
                if row is None or row["closed"] is not None:
                    raise UserError(f"order {order_id} closes position {pid}, which is not open")
                if n > row["contracts"]:
                    raise UserError(
                        f"--contracts: position {pid} holds {row['contracts']}, got {n}"
                    )
                rest = int(row["contracts"]) - n
                db.execute(
                    "UPDATE positions SET contracts = ?, closed = ? WHERE id = ?",
                    (rest, day_text(order.date) if rest == 0 else None, pid),
                )
            db.execute(
                "INSERT INTO fills (order_id, account_id, position_id, time, price, net, "
                "contracts, fees, cash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (order_id, acct.id, pid, when, price, net, n, charged, cash),
            )
            db.execute(
                "INSERT INTO cash_flows (account_id, date, kind, amount, position_id, note) "
                "VALUES (?, ?, 'fill', ?, ?, ?)",
                (acct.id, day_text(order.date), cash, pid, f"order {order_id}"),
            )
            status = "filled" if n == left else "partial"
            db.execute("UPDATE orders SET status = ? WHERE id = ?", (status, order_id))
        return Fill(order_id, pid, when, price, n, charged, cash)

    # -- settlement --------------------------------------------------------------------

    def settle_expired(
        self,
        account: Account,
        date: pd.Timestamp,
        settlement: Callable[[Underlying, pd.Timestamp, str], tuple[float, Origin]],
    ) -> tuple[Settled, ...]:
        """Settle every open leg expiring on or before ``date`` at its settlement value.

        ``settlement(underlying, expiry, root)`` gives (value, origin) (the markets'
        `MarketView.settlement`). A leg pays ``100 x ratio x contracts x intrinsic``;
        a position whose legs are all settled is closed. A leg expired before ``date``
        with no settlement value refuses the whole settlement (`UserError`); one expiring
        on ``date`` itself without a value yet waits for the next run. One transaction.
        """
        day = pd.Timestamp(date).normalize()
        out: list[Settled] = []
        with self.transaction() as db:
            rows = db.execute(
                "SELECT l.*, p.contracts FROM legs l JOIN positions p ON p.id = l.position_id "
                "WHERE p.account_id = ? AND p.closed IS NULL AND l.settled_value IS NULL "
                "AND l.expiry <= ? ORDER BY l.position_id, l.idx",
                (account.id, day_text(day)),
            ).fetchall()
            for r in rows:
                leg = leg_from(r)
                value, origin = settlement(leg.underlying, leg.expiry, leg.root)
                if not math.isfinite(value):
                    if leg.expiry < day:
                        raise UserError(
                            f"position {r['position_id']}: no settlement value for the "
                            f"{leg.root} {day_text(leg.expiry)} expiry in the data"
                        )
                    continue
                w = 1.0 if leg.right == "C" else -1.0
                intrinsic = max(w * (value - leg.strike), 0.0)
                cash = CONTRACT_MULTIPLIER * leg.ratio * int(r["contracts"]) * intrinsic
                db.execute(
                    "UPDATE legs SET settled_value = ?, settled_origin = ? "
                    "WHERE position_id = ? AND idx = ?",
                    (value, origin, r["position_id"], r["idx"]),
                )
                db.execute(
                    "INSERT INTO cash_flows (account_id, date, kind, amount, position_id, note) "
                    "VALUES (?, ?, 'settlement', ?, ?, ?)",
                    (
                        account.id,
                        day_text(leg.expiry),
                        cash,
                        r["position_id"],
                        f"{leg.root} {day_text(leg.expiry)} {leg.strike:g}{leg.right} at "
                        f"{value:g} ({origin})",
                    ),
                )
                out.append(Settled(r["position_id"], leg, value, origin, cash))
            db.execute(
                "UPDATE positions SET closed = ? WHERE account_id = ? AND closed IS NULL AND "
                "NOT EXISTS (SELECT 1 FROM legs WHERE legs.position_id = positions.id "
                "AND legs.settled_value IS NULL)",
                (day_text(day), account.id),
            )
        return tuple(out)

    # -- history -----------------------------------------------------------------------

    def history(self, account: Account) -> tuple[dict[str, Any], ...]:
        """Every cash flow and signal of the account, by date: plain rows for display."""
        flows = self._db.execute(
            "SELECT date, kind, amount, position_id, note FROM cash_flows WHERE account_id = ? "
            "ORDER BY date, id",
            (account.id,),
        ).fetchall()
        signals = self._db.execute(
            "SELECT date, policy_hash, (SELECT count(*) FROM orders o WHERE o.signal_id = s.id) "
            "AS orders FROM signals s WHERE account_id = ? ORDER BY date",
            (account.id,),
        ).fetchall()
        rows = [dict(r) for r in flows] + [
            {
                "date": r["date"],
                "kind": "signal",
                "amount": None,
                "position_id": None,
                "note": f"{r['orders']} order(s), policy {r['policy_hash'][:12]}",
            }
            for r in signals
        ]
        return tuple(sorted(rows, key=lambda r: (r["date"], r["kind"] != "signal")))

    def counts(self) -> dict[str, int]:
        """Rows per table (for checks and status)."""
        tables = ("accounts", "positions", "legs", "signals", "orders", "fills", "cash_flows")
        return {t: int(self._db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}
