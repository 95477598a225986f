"""Demo accounts: shape, agreement with the back-office stores, idempotency."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.engine import create_engine
from core.db.migrate import upgrade_async
from core.db.models import Store, User
from core.db.seed import DEMO_STORES, DEMO_USERS, seed_demo_accounts
from core.security.passwords import verify_password
from tests.db.conftest import demo_settings, sqlite_url


def test_demo_users_shape() -> None:
    roles = [(u.role.value, u.tenant_id) for u in DEMO_USERS]
    assert roles.count(("manager", "default")) == 5 and roles.count(("sales", "default")) == 10
    assert roles.count(("agent", "default")) == 3 and roles.count(("admin", "default")) == 1
    # the second demo tenant has its own admin and agent; the platform admin belongs to none
    assert roles.count(("agent", "harbor")) == 1 and roles.count(("admin", "harbor")) == 1
    assert roles.count(("platform_admin", None)) == 1
    assert len({u.username for u in DEMO_USERS}) == len(DEMO_USERS)
    for u in DEMO_USERS:
        if u.role in ("sales", "manager"):
            assert re.fullmatch(r"E[1-5]\d{3}", u.username)
            assert u.store_id == f"S00{u.username[1]}"
        else:
            assert u.store_id is None
    assert [s.store_id for s in DEMO_STORES] == ["S001", "S002", "S003", "S004", "S005"]


def test_stores_match_back_office_catalog() -> None:
    catalog = pytest.importorskip("mcp_servers.backoffice.catalog_people")
    expected = [(s.name, s.city, s.address, s.phone) for s in catalog.STORES[: len(DEMO_STORES)]]
    assert [(s.name, s.city, s.address, s.phone) for s in DEMO_STORES] == expected


async def test_seed_is_idempotent_and_keeps_changes(tmp_path: Path) -> None:
    engine = create_engine(url=sqlite_url(tmp_path / "seed.db"))
    try:
        await upgrade_async(engine)
        async with AsyncSession(engine, expire_on_commit=False) as session:
            first = await seed_demo_accounts(session, demo_settings())
            await session.commit()
            assert (first.stores_created, first.users_created) == (5, len(DEMO_USERS))
            agent = (
                await session.scalars(sa.select(User).where(User.username == "agent001"))
            ).one()
            assert verify_password("Demo1234", agent.password_hash)
            agent.display_name = "改過的名字"
            await session.commit()

            again = await seed_demo_accounts(session, demo_settings())
            await session.commit()
            assert (again.stores_created, again.users_created) == (0, 0)
            assert await session.scalar(sa.select(sa.func.count()).select_from(User)) == len(
                DEMO_USERS
            )
            assert await session.scalar(sa.select(sa.func.count()).select_from(Store)) == 5
            name = await session.scalar(
                sa.select(User.display_name).where(User.username == "agent001")
            )
            assert name == "改過的名字"
    finally:
        await engine.dispose()
