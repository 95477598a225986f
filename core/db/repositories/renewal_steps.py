"""The renewal's writes on every step, at start and submit, as Core statements on a connection.

They run on every click (the progress UPDATE), open a session (the store check and the record's
INSERT), record the comparison's model call (the usage row) or close a sale (submit's rows), so
they skip the ORM session: `graphs.renewal.records` runs each inside a single greenlet hop on the
engine's sync face (issue 24, seventh pass: an ORM session for start's two rows cost ~1.8 ms of
CPU, for the usage row ~1.1). `RenewalRecordRepository` keeps the ORM paths that run once in a
while.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict, Unpack, cast

import sqlalchemy as sa

from core.db.models import (
    AiUsageLog,
    AuditEntry,
    CustomerServiceLog,
    RenewalRecord,
    RenewalStatus,
    Store,
)
from core.db.types import utc_now
from core.errors import Conflict

RENEWAL_ENTITY = "renewal"


@functools.cache
def _advance_statement(columns: tuple[str, ...]) -> sa.Update:
    """The progress UPDATE setting `columns`, built once (building and keying a statement cost
    more CPU than executing it); the values go in as parameters."""
    table = cast(sa.Table, RenewalRecord.__table__)
    return (
        sa.update(table)
        .where(
            table.c.session_id == sa.bindparam("p_session_id"),
            table.c.status == sa.bindparam("p_status"),
        )
        .values({c: sa.bindparam(f"p_{c}", type_=table.c[c].type) for c in columns})
    )


def advance_call(
    session_id: str,
    *,
    current_step: str,
    selections: Mapping[str, Any],
    phone_number: str | None = None,
    customer_ref: str | None = None,
    customer_id_masked: str | None = None,
    now: datetime | None = None,
) -> tuple[sa.Update, dict[str, Any]]:
    """The progress UPDATE and its parameters: for `RenewalRecordRepository.advance`, or
    a sync one inside a single greenlet hop (`graphs.renewal.records`)."""
    values: dict[str, Any] = {
        "current_step": current_step,
        "selections": dict(selections),
        "updated_at": now or utc_now(),
    }
    if phone_number is not None:
        values["phone_number"] = phone_number
    if customer_ref is not None:
        values["customer_ref"] = customer_ref
    if customer_id_masked is not None:
        values["customer_id_masked"] = customer_id_masked
    params = {f"p_{c}": v for c, v in values.items()}
    params.update(p_session_id=session_id, p_status=RenewalStatus.IN_PROGRESS.value)
    return _advance_statement(tuple(values)), params


@functools.cache
def _store_active_statement() -> sa.Select[tuple[bool]]:
    stores = cast(sa.Table, Store.__table__)
    return sa.select(stores.c.is_active).where(stores.c.store_id == sa.bindparam("p_store_id"))


@functools.cache
def _insert_statement(table_name: str) -> sa.Insert:
    """A plain INSERT into a table, built once; the columns come from each call's parameters."""
    tables = {t.name: t for t in (RenewalRecord.__table__, AiUsageLog.__table__)}  # type: ignore[attr-defined]
    return sa.insert(cast(sa.Table, tables[table_name]))


def open_renewal(
    connection: sa.Connection,
    session_id: str,
    *,
    staff_id: int,
    store_id: str,
    current_step: str | None,
    active_store: bool = False,
    now: datetime | None = None,
) -> bool:
    """A new session's record, in progress at `current_step`. With `active_store`, only when
    `store_id` names an active store (False, and nothing written, otherwise): what
    `RenewalService.start` checked with an ORM read before, now on the same connection."""
    if active_store:
        active = connection.execute(_store_active_statement(), {"p_store_id": store_id})
        if not active.scalar_one_or_none():
            return False
    now = now or utc_now()
    row = {
        "session_id": session_id, "staff_id": staff_id, "store_id": store_id,
        "status": RenewalStatus.IN_PROGRESS.value, "is_sale_confirmed": False,
        "current_step": current_step, "selections": {}, "started_at": now, "updated_at": now,
    }  # fmt: skip
    connection.execute(_insert_statement(RenewalRecord.__tablename__), row)
    return True


class UsageColumns(TypedDict, total=False):
    """An `ai_usage_logs` row's optional columns, as `usage_values` and `AiUsageRepository.add`
    take them (every one defaults as the column does)."""

    staff_id: int | None
    session_id: str | None
    prompt_tokens: int
    completion_tokens: int
    cost: Decimal | float | int
    latency_ms: int | None
    is_fallback: bool
    now: datetime | None


def usage_values(usage_type: str, model: str, **columns: Unpack[UsageColumns]) -> dict[str, Any]:
    """An `ai_usage_logs` row's columns, the cost rounded to the column's six decimals: one
    rule for `AiUsageRepository.add` (ORM) and `add_usage` (a Core INSERT)."""
    return {
        "usage_type": usage_type, "model": model,
        "staff_id": columns.get("staff_id"), "session_id": columns.get("session_id"),
        "prompt_tokens": columns.get("prompt_tokens", 0),
        "completion_tokens": columns.get("completion_tokens", 0),
        "cost": Decimal(str(columns.get("cost", 0))).quantize(_MICRO),
        "latency_ms": columns.get("latency_ms"), "is_fallback": columns.get("is_fallback", False),
        "created_at": columns.get("now") or utc_now(),
    }  # fmt: skip


_MICRO = Decimal("0.000001")


def add_usage(connection: sa.Connection, row: Mapping[str, Any]) -> None:
    """One `ai_usage_logs` row, as `usage_values` makes it."""
    connection.execute(_insert_statement(AiUsageLog.__tablename__), dict(row))


def complete_renewal(
    connection: sa.Connection,
    session_id: str,
    selections: Mapping[str, Any],
    *,
    operator: str | None = None,
    now: datetime | None = None,
) -> int:
    """Submit's rows in one transaction, as Core statements on a sync connection: the record
    completed (its selections merged, the sale confirmed), its audit entry and the service log.

    Returns the record's id, 0 for an untracked session (Studio, evals); a record already
    completed returns its id and writes nothing (a replayed submit cannot count a sale twice);
    an abandoned one raises Conflict. One SELECT, a compare-and-set UPDATE and two INSERTs
    (the ORM path re-read the row four times and flushed each object: issue 24, submit was the
    dearest click after compare)."""
    records = cast(sa.Table, RenewalRecord.__table__)
    now = now or utc_now()
    row = connection.execute(
        sa.select(records.c.id, records.c.status, records.c.staff_id, records.c.store_id,
                  records.c.customer_ref, records.c.selections)
        .where(records.c.session_id == session_id)
    ).one_or_none()  # fmt: skip
    if row is None:
        return 0
    if row.status == RenewalStatus.COMPLETED:
        return int(row.id)
    done = RenewalStatus.COMPLETED.value
    changed = connection.execute(
        sa.update(records)
        .where(records.c.id == row.id, records.c.status == RenewalStatus.IN_PROGRESS.value)
        .values(current_step="completed", selections={**(row.selections or {}), **selections},
                status=done, completed_at=now, is_sale_confirmed=True, updated_at=now)
    ).rowcount  # fmt: skip
    if changed != 1:
        raise Conflict(
            f"renewal session {session_id} cannot go from {row.status} to {done}",
            status=row.status,
        )
    connection.execute(
        sa.insert(cast(sa.Table, AuditEntry.__table__)).values(
            entity_type=RENEWAL_ENTITY, entity_id=session_id, status_from=row.status,
            status_to=done, operator=operator or str(row.staff_id), reason="submitted",
            detail={"sale_confirmed": True}, created_at=now,
        )
    )  # fmt: skip
    connection.execute(
        sa.insert(cast(sa.Table, CustomerServiceLog.__table__)).values(
            action="renewal_submitted", staff_id=row.staff_id, store_id=row.store_id,
            session_id=session_id, customer_ref=row.customer_ref, created_at=now,
            detail={k: selections.get(k) for k in ("plan", "device", "reservation")},
        )
    )  # fmt: skip
    return int(row.id)
