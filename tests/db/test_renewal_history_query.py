"""The renewal history query on SQLite and PostgreSQL: scope, window, outcome, paging, names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import RenewalStatus
from core.db.repositories import RenewalRecordRepository, UserRepository
from core.db.repositories.renewal import RenewalHistoryFilter, renewal_history_page

NOW = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
WINDOW = (NOW - timedelta(hours=1), NOW + timedelta(days=1))


async def test_history_page_by_scope_outcome_and_window(session: AsyncSession) -> None:
    users = UserRepository(session)
    e4001, e4002 = await users.get_by_login("E4001"), await users.get_by_login("E4002")
    assert e4001 is not None and e4002 is not None
    renewals = RenewalRecordRepository(session)
    rows = [
        ("hq-1", e4001.id, NOW),
        ("hq-2", e4001.id, NOW + timedelta(hours=1)),
        ("hq-3", e4002.id, NOW + timedelta(hours=2)),
        ("hq-late", e4001.id, NOW + timedelta(days=2)),  # outside the window
    ]
    for session_id, staff_id, when in rows:
        await renewals.create(session_id, staff_id=staff_id, store_id="S004", now=when)
    await renewals.update_status("hq-1", RenewalStatus.COMPLETED, operator="E4001")

    def where(
        staff_id: int | None = None, store_id: str | None = None, status: str | None = None
    ) -> RenewalHistoryFilter:
        return RenewalHistoryFilter(*WINDOW, staff_id=staff_id, store_id=store_id, status=status)

    store, total = await renewal_history_page(session, where(store_id="S004"), limit=2, offset=0)
    assert total == 3
    assert [(r.session_id, name) for r, name in store] == [("hq-3", "謝佩珊"), ("hq-2", "鄭凱文")]
    rest, _ = await renewal_history_page(session, where(store_id="S004"), limit=2, offset=2)
    assert [r.session_id for r, _ in rest] == ["hq-1"]
    own, total = await renewal_history_page(session, where(staff_id=e4001.id), limit=10, offset=0)
    assert ([r.session_id for r, _ in own], total) == (["hq-2", "hq-1"], 2)
    done, total = await renewal_history_page(
        session, where(staff_id=e4001.id, status="completed"), limit=10, offset=0
    )
    assert ([r.session_id for r, _ in done], total) == (["hq-1"], 1)
    other, total = await renewal_history_page(session, where(store_id="S003"), limit=10, offset=0)
    assert (other, total) == ([], 0)
