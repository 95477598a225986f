"""A renewal signed in a store, written to the line: the CRM's one write.

The line moves to the new plan and a new contract term starting today, and a `line_renewals` row
keeps when and what it was before, so the next eligibility check sees the renewal (a line renewed
today is not due again: RECENTLY_RENEWED / CONTRACT_NOT_DUE). Runs inside `BEGIN IMMEDIATE` like
the POS reservation, and a repeated call with the same idempotency key (a replayed submit)
returns the first renewal instead of renewing twice.
"""

from __future__ import annotations

import secrets
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel

from core.errors import AlreadyRenewed, Conflict, NotFound
from mcp_servers.backoffice.database import write_transaction
from mcp_servers.backoffice.datemath import add_months
from mcp_servers.backoffice.records import Plan
from mcp_servers.crm.eligibility import RENEWAL_WINDOW_DAYS


class LineRenewal(BaseModel):
    renewal_id: str
    phone_number: str
    plan_id: str
    renewed_on: date
    previous_plan_id: str
    previous_contract_end: date
    contract_end: date
    staff_id: str
    store_id: str
    idempotency_key: str


def new_contract_end(plan: Plan, renewed_on: date) -> date:
    """Today + the plan's contract months; a no-contract plan runs month to month (1 month)."""
    return add_months(renewed_on, plan.contract_months or 1)


def _row(row: sqlite3.Row) -> LineRenewal:
    return LineRenewal.model_validate(dict(row))


def record_renewal(
    path: Path,
    *,
    phone_number: str,
    plan: Plan,
    staff_id: str,
    store_id: str,
    idempotency_key: str,
    today: date,
) -> LineRenewal:
    """Renew `phone_number` onto `plan` from `today`; raises Conflict when the key was used for
    another line or plan, AlreadyRenewed when another key renewed it within the window."""
    with write_transaction(path) as conn:
        previous = conn.execute(
            "SELECT * FROM line_renewals WHERE idempotency_key = ?", (idempotency_key,)
        ).fetchone()
        if previous is not None:
            found = _row(previous)
            if (found.phone_number, found.plan_id) != (phone_number, plan.plan_id):
                raise Conflict("idempotency key already used for another renewal")
            return found
        line = conn.execute(
            "SELECT plan_id, contract_end FROM phone_lines WHERE phone_number = ?",
            (phone_number,),
        ).fetchone()
        if line is None:
            raise NotFound(f"查無門號 {phone_number} / phone number not found")
        last = conn.execute(
            "SELECT max(renewed_on) AS day FROM line_renewals WHERE phone_number = ?",
            (phone_number,),
        ).fetchone()["day"]
        if last is not None and (today - date.fromisoformat(last)).days < RENEWAL_WINDOW_DAYS:
            raise AlreadyRenewed(
                f"此門號已於 {last} 完成續約 / the line was renewed on {last}",
                renewed_on=last,
            )
        renewal = LineRenewal(
            renewal_id=f"RNW{today:%Y%m%d}{secrets.token_hex(4).upper()}",
            phone_number=phone_number,
            plan_id=plan.plan_id,
            renewed_on=today,
            previous_plan_id=line["plan_id"],
            previous_contract_end=date.fromisoformat(line["contract_end"]),
            contract_end=new_contract_end(plan, today),
            staff_id=staff_id,
            store_id=store_id,
            idempotency_key=idempotency_key,
        )
        conn.execute(
            "UPDATE phone_lines SET plan_id = ?, plan_name = ?, plan_type = ?, monthly_fee = ?,"
            " data_limit_gb = ?, voice_limit_min = ?, contract_start = ?, contract_end = ?"
            " WHERE phone_number = ?",
            (
                plan.plan_id, plan.name, plan.plan_type, plan.monthly_fee, plan.data_gb,
                plan.voice_minutes, today.isoformat(), renewal.contract_end.isoformat(),
                phone_number,
            ),
        )  # fmt: skip
        conn.execute(
            "INSERT INTO line_renewals (renewal_id, phone_number, plan_id, renewed_on,"
            " previous_plan_id, previous_contract_end, contract_end, staff_id, store_id,"
            " idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                renewal.renewal_id, phone_number, plan.plan_id, today.isoformat(),
                line["plan_id"], line["contract_end"], renewal.contract_end.isoformat(),
                staff_id, store_id, idempotency_key,
                datetime.now(UTC).isoformat(timespec="milliseconds"),
            ),
        )  # fmt: skip
        return renewal
