"""Repository behaviour on SQLite and PostgreSQL (each test runs on both, then rolls back)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import AiUsageLog, LoginEvent, RenewalStatus, Store, User, UserStatus
from core.db.repositories import (
    AiUsageRepository,
    AuditRepository,
    CustomerServiceLogRepository,
    LoginLogRepository,
    RenewalRecordRepository,
    StatsRepository,
    StoreRepository,
    UserRepository,
    usage_cost,
)
from core.errors import Conflict, InvalidInput, NotFound
from core.security.passwords import verify_password

NOW = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Taipei


async def user(session: AsyncSession, username: str) -> User:
    found = await UserRepository(session).get_by_login(username)
    assert found is not None
    return found


async def test_seeded_accounts_and_login_lookup(session: AsyncSession) -> None:
    users = UserRepository(session)
    sales = await user(session, "E1001")
    assert (sales.role, sales.store_id, sales.display_name) == ("sales", "S001", "王小明")
    assert verify_password("Demo1234", sales.password_hash)
    assert (await users.get_by_login(" E1001 ")) is not None
    assert await users.get_by_login("e9999") is None
    admin = await user(session, "admin")
    assert (admin.role, admin.store_id, admin.max_sessions) == ("admin", None, 10)
    assert [u.username for u in await users.list_by_store("S002")] == ["E2000", "E2001", "E2002"]
    assert [u.username for u in await users.list_by_store("S002", roles=["manager"])] == ["E2000"]
    assert [u.username for u in await users.list_agents(tenant_id="default")] == [
        "admin",
        "agent001",
        "agent002",
        "agent003",
    ]
    stores = await StoreRepository(session).list_active()
    assert [s.store_id for s in stores] == ["S001", "S002", "S003", "S004", "S005"]
    assert (await StoreRepository(session).get("S001")).name == "台北信義旗艦門市"  # type: ignore[union-attr]


async def test_failed_logins_lock_then_success_resets(session: AsyncSession) -> None:
    users = UserRepository(session)
    staff = await user(session, "E1002")
    for attempt in range(1, 5):
        staff = await users.record_failed_login(staff.id, now=NOW)
        assert staff.failed_login_count == attempt
        assert not staff.is_locked(NOW)
    staff = await users.record_failed_login(staff.id, now=NOW)
    assert staff.locked_until == NOW + timedelta(minutes=15)
    assert staff.failed_login_count == 0  # a fresh set of attempts after the lock
    assert staff.is_locked(NOW + timedelta(minutes=14))
    assert not staff.is_locked(NOW + timedelta(minutes=15))

    staff = await users.record_successful_login(staff.id, now=NOW + timedelta(minutes=20))
    assert staff.failed_login_count == 0 and staff.locked_until is None
    assert staff.last_login_at == NOW + timedelta(minutes=20)
    assert staff.status == UserStatus.ONLINE


async def test_token_revocation_and_password_change(session: AsyncSession) -> None:
    users = UserRepository(session)
    agent = await user(session, "agent002")
    start = agent.token_version
    assert await users.revoke_tokens(agent.id) == start + 1
    await users.set_password_hash(agent.id, "$2b$12$" + "y" * 53)
    await users.set_status(agent.id, UserStatus.BUSY)
    session.expire_all()
    agent = await user(session, "agent002")
    assert agent.token_version == start + 2
    assert agent.password_hash.endswith("y" * 53)
    assert agent.status == "busy"


async def test_login_log_newest_first(session: AsyncSession) -> None:
    logs = LoginLogRepository(session)
    staff = await user(session, "E3001")
    for minutes, event in ((0, LoginEvent.FAILED), (1, LoginEvent.LOGIN), (2, LoginEvent.LOGOUT)):
        await logs.add(
            event,
            success=event != LoginEvent.FAILED,
            user_id=staff.id,
            username="E3001",
            ip="203.0.113.7",
            user_agent="pytest/" + "x" * 500,
            now=NOW + timedelta(minutes=minutes),
        )
    await logs.add(LoginEvent.FAILED, success=False, username="nobody", now=NOW)
    recent = await logs.recent_for_user(staff.id, limit=2)
    assert [r.event for r in recent] == ["logout", "login"]
    assert recent[0].success is True and len(recent[0].user_agent or "") == 400


async def test_renewal_lifecycle_is_audited(session: AsyncSession) -> None:
    staff = await user(session, "E1001")
    renewals = RenewalRecordRepository(session)
    record = await renewals.create("rs-life", staff_id=staff.id, store_id="S001", now=NOW)
    assert record.status == "in_progress" and record.selections == {}
    await renewals.update_progress(
        "rs-life",
        current_step="select_device",
        customer_ref="C000123",
        customer_id_masked="A12****789",
        phone_number="0912345678",
        selections={"renewal_type": "smartphone", "device": {"id": "D001", "color": "星光色"}},
    )
    await renewals.update_progress("rs-life", selections={"plan_id": "P5G-1399"})
    record = await renewals.update_status(
        "rs-life",
        RenewalStatus.COMPLETED,
        operator="E1001",
        reason="submitted",
        sale_confirmed=True,
        now=NOW + timedelta(minutes=30),
    )
    assert record.status == "completed" and record.is_sale_confirmed is True
    assert record.completed_at == NOW + timedelta(minutes=30)

    session.expire_all()
    again = await renewals.get("rs-life")
    assert again is not None
    assert again.selections == {
        "renewal_type": "smartphone",
        "device": {"id": "D001", "color": "星光色"},
        "plan_id": "P5G-1399",
    }
    assert (again.customer_ref, again.current_step) == ("C000123", "select_device")
    trail = await AuditRepository(session).list_for("renewal", "rs-life")
    assert [(a.status_from, a.status_to, a.operator, a.reason) for a in trail] == [
        ("in_progress", "completed", "E1001", "submitted")
    ]
    assert trail[0].detail == {"sale_confirmed": True}

    with pytest.raises(Conflict):
        await renewals.update_status("rs-life", RenewalStatus.ABANDONED, operator="E1001")
    with pytest.raises(Conflict):
        await renewals.update_progress("rs-life", current_step="confirm")
    with pytest.raises(NotFound):
        await renewals.update_status("rs-missing", RenewalStatus.COMPLETED, operator="E1001")
    with pytest.raises(InvalidInput):
        await renewals.update_status("rs-life", "paused", operator="E1001")


async def test_advance_replaces_selections_of_running_renewals_only(session: AsyncSession) -> None:
    staff = await user(session, "E1001")
    renewals = RenewalRecordRepository(session)
    await renewals.create("rs-adv", staff_id=staff.id, store_id="S001", now=NOW)
    chosen = {"selected_phone": "0912345678", "device_type": "smartphone"}
    assert await renewals.advance(
        "rs-adv", current_step="select_device_os", selections=chosen, phone_number="0912345678"
    )
    # back to the device type: the device type chosen before is no longer a selection
    back = {"selected_phone": "0912345678"}
    assert await renewals.advance("rs-adv", current_step="select_device_type", selections=back)
    session.expire_all()
    record = await renewals.require("rs-adv")
    assert (record.current_step, record.selections) == ("select_device_type", back)
    assert record.phone_number == "0912345678"  # kept when not given

    assert not await renewals.advance("rs-missing", current_step="confirm", selections={})
    await renewals.update_status("rs-adv", RenewalStatus.ABANDONED, operator="E1001")
    assert not await renewals.advance("rs-adv", current_step="confirm", selections={})
    session.expire_all()
    assert (await renewals.require("rs-adv")).current_step == "select_device_type"


async def test_list_for_staff_pages_newest_first(session: AsyncSession) -> None:
    staff = await user(session, "E2001")
    renewals = RenewalRecordRepository(session)
    for n in range(3):
        await renewals.create(
            f"rs-page-{n}", staff_id=staff.id, store_id="S002", now=NOW + timedelta(hours=n)
        )
    await renewals.update_status("rs-page-0", RenewalStatus.ABANDONED, operator="E2001")
    page = await renewals.list_for_staff(staff.id, limit=2)
    assert [r.session_id for r in page] == ["rs-page-2", "rs-page-1"]
    rest = await renewals.list_for_staff(staff.id, limit=2, offset=2)
    assert [r.session_id for r in rest] == ["rs-page-0"]
    abandoned = await renewals.list_for_staff(staff.id, status="abandoned")
    assert [r.session_id for r in abandoned] == ["rs-page-0"]


async def test_service_log_ai_usage_and_audit(session: AsyncSession) -> None:
    staff = await user(session, "E1001")
    service = CustomerServiceLogRepository(session)
    await service.add("quote", staff_id=staff.id, store_id="S001", session_id="rs-log", now=NOW)
    await service.add("submit", staff_id=staff.id, session_id="rs-log", detail={"plan": "5G 1399"})
    assert [(log.action, log.detail) for log in await service.list_for_session("rs-log")] == [
        ("quote", None),
        ("submit", {"plan": "5G 1399"}),
    ]
    cost = usage_cost({"gpt-4o": (0.0025, 0.01)}, "gpt-4o", 1200, 345)
    assert cost == Decimal("0.006450")
    log = await AiUsageRepository(session).add(
        "comparison", "gpt-4o", staff_id=staff.id, session_id="rs-log", prompt_tokens=1200,
        completion_tokens=345, cost=cost, latency_ms=812, is_fallback=True,
    )  # fmt: skip
    log_id = log.id
    session.expire_all()
    stored = await session.get(AiUsageLog, log_id)
    assert stored is not None
    assert (stored.cost, stored.total_tokens, stored.is_fallback) == (
        Decimal("0.006450"),
        1545,
        True,
    )
    assert stored.created_at.tzinfo is not None and stored.created_at.utcoffset() == timedelta(0)

    await AuditRepository(session).append(
        "chat_session", "session_123", operator="agent001", status_from="pending_manual",
        status_to="manual_live", reason="agent_takeover", now=NOW,
    )  # fmt: skip
    await AuditRepository(session).append(
        "chat_session", "session_123", operator="agent001", status_from="manual_live",
        status_to="ai_active", reason="released", now=NOW + timedelta(seconds=1),
    )  # fmt: skip
    trail = await AuditRepository(session).list_for("chat_session", "session_123")
    assert [a.status_to for a in trail] == ["manual_live", "ai_active"]


async def test_timestamps_are_aware_and_naive_ones_refused(session: AsyncSession) -> None:
    staff_id = (await user(session, "E1001")).id
    taipei = datetime(2026, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    await RenewalRecordRepository(session).create(
        "rs-tz", staff_id=staff_id, store_id="S001", now=taipei
    )
    session.expire_all()
    record = await RenewalRecordRepository(session).get("rs-tz")
    assert record is not None
    assert record.started_at == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert record.started_at.utcoffset() == timedelta(0)
    with pytest.raises(StatementError, match="naive datetime"):
        await RenewalRecordRepository(session).create(
            "rs-naive", staff_id=staff_id, store_id="S001", now=datetime(2026, 3, 1)
        )


async def test_check_constraints_hold(session: AsyncSession) -> None:
    bad = [
        User(username="boss", display_name="x", role="boss", password_hash="x"),
        User(username="lost", display_name="x", role="sales", password_hash="x"),  # no store
        User(username="away", display_name="x", role="agent", password_hash="x", status="gone"),
    ]
    for row in bad:
        with pytest.raises(IntegrityError):
            async with session.begin_nested():
                session.add(row)
                await session.flush()
    async with session.begin_nested():
        session.add(Store(store_id="S999", name="測試門市", city="台北市", is_active=False))
        await session.flush()
    session.expire_all()
    assert (await session.get(Store, "S999")).is_active is False  # type: ignore[union-attr]


async def _stats_fixture(session: AsyncSession) -> dict[str, int]:
    """Renewals, AI calls and logins around Taipei midnight between 1 and 2 March 2026."""
    ids = {u: (await user(session, u)).id for u in ("E1001", "E1002", "E2001")}
    renewals, ai, logs = (
        RenewalRecordRepository(session),
        AiUsageRepository(session),
        LoginLogRepository(session),
    )
    late_1st = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)  # 23:30 on the 1st in Taipei
    early_2nd = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 00:30 on the 2nd in Taipei
    plan = [
        # session, staff, store, start, customer, outcome
        ("st-1", "E1001", "S001", late_1st, "C1", "sale"),
        ("st-2", "E1001", "S001", late_1st, "C1", RenewalStatus.ABANDONED),
        ("st-3", "E1001", "S001", late_1st, "C2", RenewalStatus.COMPLETED),
        ("st-4", "E1001", "S001", early_2nd, "C3", "sale"),
        ("st-5", "E1002", "S001", early_2nd, None, None),
        ("st-6", "E2001", "S002", late_1st, "C9", "sale"),
        ("st-7", "E1001", "S001", datetime(2026, 2, 28, 15, 59, tzinfo=UTC), "C0", "sale"),
    ]
    for session_id, who, store, start, customer, outcome in plan:
        await renewals.create(session_id, staff_id=ids[who], store_id=store, now=start)
        if customer:
            await renewals.update_progress(session_id, customer_ref=customer)
        if outcome == "sale":
            await renewals.update_status(
                session_id, RenewalStatus.COMPLETED, operator=who, sale_confirmed=True, now=start
            )
        elif outcome is not None:
            await renewals.update_status(session_id, outcome, operator=who, now=start)
    for who, at, prompt, completion, cost in (
        ("E1001", late_1st, 1000, 200, "0.004500"),
        ("E1001", late_1st, 500, 100, "0.002250"),
        ("E1001", early_2nd, 10, 5, "0.000075"),
        ("E2001", late_1st, 100, 100, "0.001250"),
    ):
        await ai.add("free_chat", "gpt-4o", staff_id=ids[who], prompt_tokens=prompt,
                     completion_tokens=completion, cost=Decimal(cost), now=at)  # fmt: skip
    await ai.add("report", "gpt-4o", staff_id=None, prompt_tokens=9, now=late_1st)  # no staff
    await logs.add(LoginEvent.LOGIN, success=True, user_id=ids["E1001"], now=late_1st)
    await logs.add(LoginEvent.LOGIN, success=True, user_id=ids["E1001"], now=late_1st)
    await logs.add(LoginEvent.FAILED, success=False, user_id=ids["E1001"], now=late_1st)
    await logs.add(LoginEvent.LOGIN, success=True, user_id=ids["E1002"], now=early_2nd)
    return ids


async def test_daily_staff_stats(session: AsyncSession) -> None:
    ids = await _stats_fixture(session)
    stats = StatsRepository(session)
    rows = await stats.daily_staff_stats(date(2026, 3, 1), date(2026, 3, 2))
    by_key = {(r.stat_day, r.staff_id): r for r in rows}
    assert [(r.stat_day, r.staff_id) for r in rows] == sorted(by_key)
    assert set(by_key) == {
        (date(2026, 3, 1), ids["E1001"]),
        (date(2026, 3, 1), ids["E2001"]),
        (date(2026, 3, 2), ids["E1001"]),
        (date(2026, 3, 2), ids["E1002"]),
    }
    first = by_key[(date(2026, 3, 1), ids["E1001"])]
    assert (
        first.sessions_started,
        first.sessions_completed,
        first.sessions_abandoned,
        first.sales_confirmed,
        first.customers_served,
    ) == (3, 2, 1, 1, 2)
    assert first.conversion_rate == 0.5
    assert (first.ai_calls, first.prompt_tokens, first.completion_tokens) == (2, 1500, 300)
    assert first.total_tokens == 1800 and first.ai_cost == Decimal("0.006750")
    assert first.logins == 2

    second = by_key[(date(2026, 3, 2), ids["E1001"])]
    assert (second.sessions_started, second.sales_confirmed, second.customers_served) == (1, 1, 1)
    assert (second.ai_calls, second.ai_cost, second.logins) == (1, Decimal("0.000075"), 0)
    idle = by_key[(date(2026, 3, 2), ids["E1002"])]
    assert (idle.sessions_started, idle.customers_served, idle.conversion_rate) == (1, 0, 0.0)
    assert (idle.logins, idle.ai_calls, idle.ai_cost) == (1, 0, Decimal("0"))

    store_rows = await stats.daily_staff_stats(date(2026, 3, 1), date(2026, 3, 2), store_id="S002")
    assert [(r.staff_id, r.sales_confirmed, r.ai_calls) for r in store_rows] == [
        (ids["E2001"], 1, 1)
    ]
    one = await stats.daily_staff_stats(date(2026, 3, 2), date(2026, 3, 2), staff_id=ids["E1001"])
    assert [(r.stat_day, r.sessions_started) for r in one] == [(date(2026, 3, 2), 1)]
    day_before = await stats.daily_staff_stats(date(2026, 2, 28), date(2026, 2, 28))
    assert [(r.staff_id, r.sales_confirmed) for r in day_before] == [(ids["E1001"], 1)]
    utc_days = await stats.daily_staff_stats(
        date(2026, 3, 1), date(2026, 3, 1), staff_id=ids["E1001"], utc_offset=timedelta(0)
    )
    assert [r.sessions_started for r in utc_days] == [4]  # all four fall on 1 March in UTC


async def test_stats_ignore_rows_outside_range(session: AsyncSession) -> None:
    await _stats_fixture(session)
    assert (
        await StatsRepository(session).daily_staff_stats(date(2026, 4, 1), date(2026, 4, 30)) == []
    )
    count = await session.scalar(sa.select(sa.func.count()).select_from(AiUsageLog))
    assert count and count >= 5
