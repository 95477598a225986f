"""The back-office systems' own storage: one SQLite file for the CRM, POS and Promotion servers.

The file's schema, connections and write transactions are in `database.py`.

Scalar fields are real columns; list/dict fields (identities, colours, specs, rules ...) are JSON
text. Rows come back in insertion order, so `read_all()` returns exactly what `load()` wrote.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from core.errors import Conflict, NotFound
from core.national_id import normalise
from mcp_servers.backoffice.database import connect, ensure_schema
from mcp_servers.backoffice.records import (
    BackOffice,
    Customer,
    Device,
    PhoneLine,
    Plan,
    StockItem,
    Store,
)

SCHEMA_VERSION = "1"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class _Table:
    name: str
    model: type[BaseModel]
    json_fields: frozenset[str] = frozenset()

    @property
    def columns(self) -> list[str]:
        return list(self.model.model_fields)


# Parents before children: inserted in this order, deleted in reverse.
_TABLES: dict[str, _Table] = {
    "stores": _Table("stores", Store),
    "customers": _Table("customers", Customer, frozenset({"identities"})),
    "plans": _Table("plans", Plan, frozenset({"gifts", "tags", "rules"})),
    "lines": _Table("phone_lines", PhoneLine),
    "devices": _Table("devices", Device, frozenset({"colors", "specs", "contract_prices"})),
    "stock": _Table("device_stock", StockItem),
}


class BackOfficeDataConflict(Conflict):
    """The file holds other demo data; loading over it needs an explicit replace."""

    code = "BACKOFFICE_DATA_CONFLICT"


@dataclass(frozen=True)
class LoadResult:
    loaded: bool  # False: the same data was already there, nothing was written
    data_hash: str
    counts: dict[str, int]


def data_hash(backoffice: BackOffice) -> str:
    """SHA-256 of the canonical JSON; equal data (seed, today, every record) gives equal hashes."""
    return hashlib.sha256(backoffice.model_dump_json().encode()).hexdigest()


def _to_row(table: _Table, record: BaseModel) -> tuple[Any, ...]:
    data = record.model_dump(mode="json")
    return tuple(
        json.dumps(data[c], ensure_ascii=False) if c in table.json_fields else data[c]
        for c in table.columns
    )


def _from_row(table: _Table, model: type[M], row: sqlite3.Row) -> M:
    data = {c: json.loads(row[c]) if c in table.json_fields else row[c] for c in table.columns}
    return model.model_validate(data)


def _read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    return {row["key"]: row["value"] for row in conn.execute("SELECT key, value FROM meta")}


def load(backoffice: BackOffice, path: Path | str, replace: bool = False) -> LoadResult:
    """Write all records in one transaction; the same data again is a no-op.

    Different data already in the file raises BackOfficeDataConflict unless `replace`, which wipes
    every table (reservations and renewals included) and loads afresh, even when the data is the
    same.
    """
    digest = data_hash(backoffice)
    counts = {key: len(getattr(backoffice, key)) for key in _TABLES}
    conn = connect(path)
    try:
        ensure_schema(conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            meta = _read_meta(conn)
            if not replace and meta.get("data_hash") == digest:
                conn.execute("ROLLBACK")
                return LoadResult(False, digest, counts)
            has_data = conn.execute("SELECT 1 FROM customers LIMIT 1").fetchone() is not None
            if not replace and (meta or has_data):
                raise BackOfficeDataConflict(
                    f"{path} already holds back-office data (seed {meta.get('seed')}, today "
                    f"{meta.get('today')}); load with replace=True (CLI: --replace) to "
                    "overwrite it",
                    path=str(path),
                )
            conn.execute("DELETE FROM reservations")
            conn.execute("DELETE FROM line_renewals")
            for table in reversed(_TABLES.values()):
                conn.execute(f"DELETE FROM {table.name}")
            conn.execute("DELETE FROM meta")
            for key, table in _TABLES.items():
                columns = table.columns
                conn.executemany(
                    f"INSERT INTO {table.name} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})",
                    [_to_row(table, record) for record in getattr(backoffice, key)],
                )
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [
                    ("schema_version", SCHEMA_VERSION),
                    ("seed", str(backoffice.seed)),
                    ("today", backoffice.today.isoformat()),
                    ("data_hash", digest),
                    ("loaded_at", datetime.now(UTC).isoformat(timespec="seconds")),
                ],
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return LoadResult(True, digest, counts)
    finally:
        conn.close()


class BackOfficeStore:
    """Read helpers over the SQLite file, returning the pydantic records.

    One connection per thread, kept open: opening one (with its PRAGMAs) for every read was 45%
    of a tool call's server CPU. Reads are autocommit statements, so each sees the latest data
    (a reload rewrites the rows in place; reservations write through their own connections).

    Catalogue lists (devices, plans, stores) are kept as parsed records until SQLite's
    `data_version` says another connection committed: building 54 device records from JSON
    columns was most of a stock query's CPU.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()  # conn, catalogue, catalogue_version: per thread

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            ensure_schema(conn)  # an empty file reads as "no rows", not as an error
            self._local.conn = conn
        yield conn

    def rows(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        """A read of the caller's own (stock levels joined with live holds) on this thread's
        kept connection."""
        with self._conn() as conn:
            return conn.execute(sql, args).fetchall()

    def _one(self, key: str, model: type[M], where: str, *args: Any) -> M | None:
        table = _TABLES[key]
        with self._conn() as conn:
            row = conn.execute(f"SELECT * FROM {table.name} WHERE {where}", args).fetchone()
        return None if row is None else _from_row(table, model, row)

    def _catalogue_list(self, key: str, model: type[M], where: str = "1", *args: Any) -> list[M]:
        """`_many` for data that changes only when the back office is reloaded."""
        with self._conn() as conn:  # data_version is per connection, so the cache is too
            version = conn.execute("PRAGMA data_version").fetchone()[0]
        if version != getattr(self._local, "catalogue_version", None):
            self._local.catalogue = {}
            self._local.catalogue_version = version
        catalogue: dict[tuple[Any, ...], list[Any]] = self._local.catalogue
        cache_key = (key, where, *args)
        if cache_key not in catalogue:
            catalogue[cache_key] = self._many(key, model, where, *args)
        return list(catalogue[cache_key])

    def _many(self, key: str, model: type[M], where: str = "1", *args: Any) -> list[M]:
        table = _TABLES[key]
        sql = f"SELECT * FROM {table.name} WHERE {where} ORDER BY rowid"
        with self._conn() as conn:
            return [_from_row(table, model, row) for row in conn.execute(sql, args)]

    # --- meta -------------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        """seed, today, data_hash, loaded_at, schema_version; empty before the first load."""
        with self._conn() as conn:
            return _read_meta(conn)

    # --- CRM --------------------------------------------------------------------------------
    def customer_by_national_id(self, national_id: str) -> Customer | None:
        return self._one("customers", Customer, "id_number = ?", normalise(national_id))

    def customer(self, customer_id: str) -> Customer | None:
        return self._one("customers", Customer, "customer_id = ?", customer_id)

    def lines_by_customer(self, customer_id: str) -> list[PhoneLine]:
        return self._many("lines", PhoneLine, "customer_id = ?", customer_id)

    def line(self, phone_number: str) -> PhoneLine | None:
        return self._one("lines", PhoneLine, "phone_number = ?", phone_number.strip())

    def last_renewed(self, phone_number: str) -> date | None:
        """The day the line was last renewed in a store (None: never, since the data load)."""
        with self._conn() as conn:
            row = conn.execute(
                "SELECT max(renewed_on) AS day FROM line_renewals WHERE phone_number = ?",
                (phone_number.strip(),),
            ).fetchone()
        return None if row is None or row["day"] is None else date.fromisoformat(row["day"])

    # --- Promotion --------------------------------------------------------------------------
    def plan(self, plan_id: str) -> Plan | None:
        return self._one("plans", Plan, "plan_id = ?", plan_id)

    def plans(self) -> list[Plan]:
        return self._catalogue_list("plans", Plan)

    # --- POS --------------------------------------------------------------------------------
    def stores(self) -> list[Store]:
        return self._catalogue_list("stores", Store)

    def store(self, store_id: str) -> Store | None:
        return self._one("stores", Store, "store_id = ?", store_id)

    def device(self, device_id: str) -> Device | None:
        return self._one("devices", Device, "device_id = ?", device_id)

    def devices(
        self, device_type: str | None = None, os_type: str | None = None, brand: str | None = None
    ) -> list[Device]:
        """Devices matching every given filter (brand is case-insensitive)."""
        clauses, args = self._filters(
            ("device_type = ?", device_type),
            ("os_type = ?", os_type.lower() if os_type else None),
            ("lower(brand) = lower(?)", brand),
        )
        return self._catalogue_list("devices", Device, clauses, *args)

    def stock(
        self, store_id: str | None = None, device_id: str | None = None, color: str | None = None
    ) -> list[StockItem]:
        """Stock rows (store, device, colour, quantity) matching every given filter."""
        clauses, args = self._filters(
            ("store_id = ?", store_id), ("device_id = ?", device_id), ("color = ?", color)
        )
        return self._many("stock", StockItem, clauses, *args)

    @staticmethod
    def _filters(*pairs: tuple[str, str | None]) -> tuple[str, list[str]]:
        used = [(clause, value) for clause, value in pairs if value is not None]
        return " AND ".join(c for c, _ in used) or "1", [v for _, v in used]

    # --- everything -------------------------------------------------------------------------
    def read_all(self) -> BackOffice:
        """The loaded data as one BackOffice (equal to what was loaded)."""
        meta = self.meta()
        if "seed" not in meta:
            raise NotFound(f"{self.path} holds no back-office data; run the loader first")
        return BackOffice(
            seed=int(meta["seed"]),
            today=date.fromisoformat(meta["today"]),
            stores=self.stores(),
            customers=self._many("customers", Customer),
            lines=self._many("lines", PhoneLine),
            devices=self._many("devices", Device),
            stock=self.stock(),
            plans=self.plans(),
        )
