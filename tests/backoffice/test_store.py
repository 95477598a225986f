"""The SQLite store: round trip, idempotent load, replace, read helpers, reservation schema."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from mcp_servers.backoffice.__main__ import main
from mcp_servers.backoffice.database import connect
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.golden import GOLDEN
from mcp_servers.backoffice.records import BackOffice
from mcp_servers.backoffice.store import (
    BackOfficeDataConflict,
    BackOfficeStore,
    data_hash,
    load,
)
from tests.backoffice.conftest import SEED, TODAY


@pytest.fixture()
def loaded(tmp_path: Path, backoffice: BackOffice) -> BackOfficeStore:
    path = tmp_path / "var" / "backoffice.db"  # parent dir does not exist yet
    assert load(backoffice, path).loaded
    return BackOfficeStore(path)


def test_round_trip_returns_equal_records(loaded: BackOfficeStore, backoffice: BackOffice) -> None:
    again = loaded.read_all()
    assert again == backoffice
    assert data_hash(again) == data_hash(backoffice)
    meta = loaded.meta()
    assert meta["seed"] == str(SEED) and meta["today"] == TODAY.isoformat()
    assert meta["data_hash"] == data_hash(backoffice)


def test_second_load_of_same_data_is_a_noop(
    loaded: BackOfficeStore, backoffice: BackOffice
) -> None:
    before = loaded.meta()["loaded_at"]
    result = load(backoffice, loaded.path)
    assert not result.loaded and result.counts["lines"] == len(backoffice.lines)
    assert loaded.meta()["loaded_at"] == before


def test_other_data_needs_replace(loaded: BackOfficeStore, backoffice: BackOffice) -> None:
    other = generate(SEED + 1, TODAY)
    with pytest.raises(BackOfficeDataConflict):
        load(other, loaded.path)
    assert loaded.read_all() == backoffice  # untouched
    assert load(other, loaded.path, replace=True).loaded
    assert loaded.read_all() == other
    assert load(other, loaded.path, replace=True).loaded  # replace always rewrites


def test_replace_clears_reservations(loaded: BackOfficeStore, backoffice: BackOffice) -> None:
    conn = connect(loaded.path)
    conn.execute(
        "INSERT INTO reservations VALUES ('RES1', ?, ?, ?, 1, 'STAFF001', 'k1', "
        "'2026-11-21T18:00:00', 'reserved', '2026-11-21T12:00:00')",
        (GOLDEN.device.device_id, GOLDEN.store_id, GOLDEN.device.color),
    )
    conn.close()
    load(backoffice, loaded.path, replace=True)
    conn = connect(loaded.path)
    assert conn.execute("SELECT count(*) FROM reservations").fetchone()[0] == 0
    conn.close()


def test_read_helpers(loaded: BackOfficeStore, backoffice: BackOffice) -> None:
    eligible = loaded.customer_by_national_id(GOLDEN.eligible.national_id.lower())
    assert eligible is not None and eligible.customer_id == GOLDEN.eligible.customer_id
    assert loaded.customer(GOLDEN.eligible.customer_id) == eligible
    assert loaded.customer_by_national_id(GOLDEN.not_customer) is None
    lines = loaded.lines_by_customer(eligible.customer_id)
    assert {line.phone_number for line in lines} == {
        GOLDEN.eligible.phone,
        GOLDEN.eligible_second_phone,
    }
    line = loaded.line(GOLDEN.eligible.phone)
    assert line is not None and line.plan_id == GOLDEN.eligible.plan_id
    assert loaded.line("0900000000") is None
    plan = loaded.plan(GOLDEN.student_plan_id)
    assert plan is not None and plan.rules.required_identity == "student"
    assert loaded.plans() == backoffice.plans
    assert loaded.plan("P999") is None
    assert loaded.store(GOLDEN.store_id) == backoffice.stores[0]
    assert len(loaded.stores()) == len(backoffice.stores)


def test_device_and_stock_filters(loaded: BackOfficeStore, backoffice: BackOffice) -> None:
    device = loaded.device(GOLDEN.device.device_id)
    assert device is not None and device.contract_prices[24] > 0
    ios_phones = loaded.devices(device_type="smartphone", os_type="iOS")
    assert ios_phones and all(d.brand == "Apple" for d in ios_phones)
    samsung = loaded.devices(brand="samsung")
    assert {d.device_type for d in samsung} == {"smartphone", "tablet", "wearable"}
    assert loaded.devices() == backoffice.devices
    rows = loaded.stock(GOLDEN.store_id, GOLDEN.device.device_id, GOLDEN.device.color)
    assert [r.quantity for r in rows] == [GOLDEN.device.quantity]
    per_device = loaded.stock(device_id=GOLDEN.device.device_id)
    assert len(per_device) == len(backoffice.stores) * len(device.colors)
    assert loaded.stock(store_id="S999") == []


def test_schema_is_ready_for_reservations(loaded: BackOfficeStore) -> None:
    conn = connect(loaded.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    indexes = {row[1] for row in conn.execute("SELECT * FROM sqlite_master WHERE type='index'")}
    assert {"ix_phone_lines_customer", "ix_device_stock_device"} <= indexes
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM customers WHERE id_number = ?", ("A123456789",)
    ).fetchall()
    assert "USING INDEX" in str([tuple(r) for r in plan])
    insert = (
        "INSERT INTO reservations (reservation_id, device_id, store_id, color, quantity, staff_id,"
        " idempotency_key, reserved_until, status, created_at) VALUES (?, ?, ?, ?, ?, 'STAFF001',"
        " ?, '2026-11-21T18:00:00', ?, '2026-11-21T12:00:00')"
    )
    item = GOLDEN.last_unit
    conn.execute(
        insert, ("RES1", item.device_id, item.store_id, item.color, 1, "key-1", "reserved")
    )
    with pytest.raises(sqlite3.IntegrityError):  # same idempotency key
        conn.execute(
            insert, ("RES2", item.device_id, item.store_id, item.color, 1, "key-1", "reserved")
        )
    with pytest.raises(sqlite3.IntegrityError):  # unknown status
        conn.execute(
            insert, ("RES3", item.device_id, item.store_id, item.color, 1, "key-3", "held")
        )
    with pytest.raises(sqlite3.IntegrityError):  # no such stock row
        conn.execute(
            insert, ("RES4", item.device_id, item.store_id, "彩虹色", 1, "key-4", "reserved")
        )
    with pytest.raises(sqlite3.IntegrityError):  # stock never negative
        conn.execute(
            "UPDATE device_stock SET quantity = quantity - 2 "
            "WHERE store_id = ? AND device_id = ? AND color = ?",
            (item.store_id, item.device_id, item.color),
        )
    conn.close()


def test_empty_file_reads_as_no_data(tmp_path: Path) -> None:
    store = BackOfficeStore(tmp_path / "empty.db")
    assert store.meta() == {}
    assert store.customer_by_national_id(GOLDEN.eligible.national_id) is None


def test_generate_and_load_are_fast(tmp_path: Path) -> None:
    started = time.perf_counter()
    load(generate(SEED + 5, TODAY), tmp_path / "fast.db")
    assert time.perf_counter() - started < 2.0


def test_cli_loads_and_is_idempotent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.db"
    args = ["load", "--seed", "3", "--today", "2026-11-21", "--path", str(path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "loaded" in out and "customers" in out
    assert main(args) == 0
    assert "no change" in capsys.readouterr().out
    assert main(["load", "--seed", "4", "--path", str(path)]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["load", "--seed", "4", "--path", str(path), "--replace"]) == 0
    assert BackOfficeStore(path).meta()["seed"] == "4"
