"""The journal's SQLite schema: its tables and the migrations that build them.

Tables (schema version in ``schema_version``; `MIGRATIONS` bring an older file up to
date when it is opened, a newer one is refused)::

    accounts    id, name, policy, capital (dollars), start_date, created_at
    positions   id, account_id, kind ("condor"/"hedge"), layer, contracts (open now),
                opened, entry_price (net per unit, index points, < 0 a credit),
                source ("fill"/"import"), closed (date, NULL while open), meta (JSON)
    legs        position_id, idx, underlying, root, expiry, settlement, strike, right,
                ratio (signed per unit), settled_value, settled_origin (NULL until settled)
    signals     id, account_id, date, created_at, doc (the signal JSON as printed),
                data_versions (JSON: series -> "series@vNNNN (provider, source, fetched
                time)"), policy_hash (sha256 of the validated policy), state (JSON
                summary of the strategy state after the decision); one per (account, date)
    orders      id ("YYYY-MM-DD#n"), account_id, signal_id, date, action ("open"/"close"),
                kind, layer, contracts, position_id (closes), legs (JSON, the position's
                sides), direction ("credit"/"debit": the trade's net side), limit_price,
                fees_per_unit (dollars per unit of the order: per-contract costs x legs),
                ticket (JSON), status ("open"/"partial"/"filled")
    fills       id, order_id, account_id, position_id, time, price (>= 0, in the order's
                direction), net (signed per unit: > 0 paid), contracts, fees, cash
    cash_flows  id, account_id, date, kind ("fill"/"settlement"/"import"), amount
                (dollars, > 0 received), position_id, note
"""

from __future__ import annotations

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        policy TEXT NOT NULL,
        capital REAL NOT NULL CHECK (capital > 0),
        start_date TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE positions (
        id TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        kind TEXT NOT NULL CHECK (kind IN ('condor', 'hedge')),
        layer TEXT,
        contracts INTEGER NOT NULL CHECK (contracts >= 0),
        opened TEXT NOT NULL,
        entry_price REAL NOT NULL,
        source TEXT NOT NULL,
        closed TEXT,
        meta TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE legs (
        position_id TEXT NOT NULL REFERENCES positions(id),
        idx INTEGER NOT NULL,
        underlying TEXT NOT NULL,
        root TEXT NOT NULL,
        expiry TEXT NOT NULL,
        settlement TEXT NOT NULL,
        strike REAL NOT NULL CHECK (strike > 0),
        right TEXT NOT NULL CHECK (right IN ('C', 'P')),
        ratio INTEGER NOT NULL CHECK (ratio != 0),
        settled_value REAL,
        settled_origin TEXT,
        PRIMARY KEY (position_id, idx)
    );
    CREATE TABLE signals (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        date TEXT NOT NULL,
        created_at TEXT NOT NULL,
        doc TEXT NOT NULL,
        data_versions TEXT NOT NULL,
        policy_hash TEXT NOT NULL,
        state TEXT,
        UNIQUE (account_id, date)
    );
    CREATE TABLE orders (
        id TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        signal_id INTEGER NOT NULL REFERENCES signals(id),
        date TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('open', 'close')),
        kind TEXT NOT NULL,
        layer TEXT,
        contracts INTEGER NOT NULL CHECK (contracts > 0),
        position_id TEXT,
        legs TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('credit', 'debit')),
        limit_price REAL,
        fees_per_unit REAL NOT NULL DEFAULT 0,
        ticket TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL DEFAULT 'open'
    );
    CREATE TABLE fills (
        id INTEGER PRIMARY KEY,
        order_id TEXT NOT NULL REFERENCES orders(id),
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        position_id TEXT NOT NULL,
        time TEXT NOT NULL,
        price REAL NOT NULL CHECK (price >= 0),
        net REAL NOT NULL,
        contracts INTEGER NOT NULL CHECK (contracts > 0),
        fees REAL NOT NULL CHECK (fees >= 0),
        cash REAL NOT NULL
    );
    CREATE TABLE cash_flows (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        date TEXT NOT NULL,
        kind TEXT NOT NULL,
        amount REAL NOT NULL,
        position_id TEXT,
        note TEXT NOT NULL DEFAULT ''
    );
    """,
    # 2: lookups by account and date (history, a day's orders)
    """
    CREATE INDEX orders_by_day ON orders (account_id, date);
    CREATE INDEX positions_by_account ON positions (account_id, closed);
    CREATE INDEX cash_by_account ON cash_flows (account_id, date);
    """,
)
"""SQL of each schema version, in order; version ``i + 1`` is ``MIGRATIONS[i]``."""

SCHEMA_VERSION = len(MIGRATIONS)
