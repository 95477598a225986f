"""The back-office SQLite file: its schema, connections and write transactions.

Stdlib sqlite3 on purpose: the MCP servers only do short indexed reads and a few atomic writes
(reservations, line renewals); WAL lets the three server processes read while one writes, and
the busy timeout makes concurrent writers queue instead of failing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_MS = 5000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stores (
    store_id TEXT PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL, address TEXT NOT NULL,
    phone TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS customers (
    customer_id TEXT PRIMARY KEY, id_number TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    phone_contact TEXT NOT NULL, email TEXT NOT NULL, is_company INTEGER NOT NULL,
    identities TEXT NOT NULL, birth_date TEXT NOT NULL, registered_at TEXT NOT NULL,
    address TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plans (
    plan_id TEXT PRIMARY KEY, name TEXT NOT NULL, plan_type TEXT NOT NULL,
    monthly_fee INTEGER NOT NULL, data_gb REAL, speed_limit_after_mbps REAL,
    voice_minutes INTEGER, on_net_free INTEGER NOT NULL, sms INTEGER NOT NULL,
    contract_months INTEGER NOT NULL, early_termination_fee INTEGER NOT NULL,
    gifts TEXT NOT NULL, target_customers TEXT NOT NULL, description TEXT NOT NULL,
    tags TEXT NOT NULL, with_device INTEGER NOT NULL, device_discount INTEGER NOT NULL,
    valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, rules TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS phone_lines (
    phone_number TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    plan_id TEXT NOT NULL REFERENCES plans (plan_id),
    plan_name TEXT NOT NULL, plan_type TEXT NOT NULL, monthly_fee INTEGER NOT NULL,
    contract_start TEXT NOT NULL, contract_end TEXT NOT NULL,
    data_used_gb REAL NOT NULL, data_limit_gb REAL, voice_used_min INTEGER NOT NULL,
    voice_limit_min INTEGER, outstanding_balance INTEGER NOT NULL,
    last_bill_amount INTEGER NOT NULL, is_blacklisted INTEGER NOT NULL,
    credit_grade TEXT NOT NULL, tenure_months INTEGER NOT NULL, status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_phone_lines_customer ON phone_lines (customer_id);
CREATE TABLE IF NOT EXISTS devices (
    device_id TEXT PRIMARY KEY, device_type TEXT NOT NULL, os_type TEXT NOT NULL,
    brand TEXT NOT NULL, model TEXT NOT NULL, colors TEXT NOT NULL, storage_gb INTEGER NOT NULL,
    specs TEXT NOT NULL, retail_price INTEGER NOT NULL, contract_prices TEXT NOT NULL,
    release_year INTEGER NOT NULL, is_recommended INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_devices_type_os ON devices (device_type, os_type);
-- quantity = units in the store (the seed's stock_quantity); reserved units are the active
-- rows in reservations, available = quantity - reserved.
CREATE TABLE IF NOT EXISTS device_stock (
    store_id TEXT NOT NULL REFERENCES stores (store_id),
    device_id TEXT NOT NULL REFERENCES devices (device_id),
    color TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (store_id, device_id, color)
);
CREATE INDEX IF NOT EXISTS ix_device_stock_device ON device_stock (device_id, color);
CREATE TABLE IF NOT EXISTS reservations (
    reservation_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices (device_id),
    store_id TEXT NOT NULL REFERENCES stores (store_id),
    color TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    staff_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    reserved_until TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('reserved', 'confirmed', 'released', 'expired')),
    created_at TEXT NOT NULL,
    FOREIGN KEY (store_id, device_id, color) REFERENCES device_stock (store_id, device_id, color)
);
CREATE INDEX IF NOT EXISTS ix_reservations_item
    ON reservations (store_id, device_id, color, status);
-- Renewals signed in a store: the CRM's one write. The line's contract columns move to the new
-- plan and term in the same transaction; this row keeps when, and what the contract was before.
CREATE TABLE IF NOT EXISTS line_renewals (
    renewal_id TEXT PRIMARY KEY,
    phone_number TEXT NOT NULL REFERENCES phone_lines (phone_number),
    plan_id TEXT NOT NULL REFERENCES plans (plan_id),
    renewed_on TEXT NOT NULL,
    previous_plan_id TEXT NOT NULL,
    previous_contract_end TEXT NOT NULL,
    contract_end TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    store_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_line_renewals_line ON line_renewals (phone_number, renewed_on);
"""


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, busy timeout, FKs on."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@contextmanager
def write_transaction(path: Path | str) -> Iterator[sqlite3.Connection]:
    """A new connection inside `BEGIN IMMEDIATE`: SQLite's write lock, so writers in several
    server processes take turns (two racing for the last unit: one gets it). Committed when the
    block ends (also by an early return after a read), rolled back on any error, then closed."""
    conn = connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create missing tables and indexes (idempotent)."""
    conn.executescript(SCHEMA)
