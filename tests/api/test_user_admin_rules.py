"""The removal rules by table, and the last-admin guard of `AccountAdminService` under
concurrency on SQLite and PostgreSQL (over HTTP the race mostly ends in the loser's token being
dead already, so the 409 LAST_ADMIN path is proven here, on the service itself)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.accounts.rules import Standing, check_removal, is_removal
from api.accounts.services import AGENT_ACCOUNTS, AccountAdminService, NewAccount
from api.auth.services import Principal
from api.auth.stamps import AccountStamps
from api.auth.tokens import Claims
from core.db.engine import create_engine, session_factory
from core.db.migrate import upgrade_async
from core.db.models import User
from core.db.seed import seed_demo_accounts
from core.errors import Conflict
from core.settings import Settings
from tests.db.conftest import demo_settings, pg_schema_engine, sqlite_url

ADMIN, AGENT = Standing("admin", True), Standing("agent", True)
OFF_ADMIN, OFF_AGENT = Standing("admin", False), Standing("agent", False)


@pytest.mark.parametrize(
    ("before", "after", "removal"),
    [
        (ADMIN, ADMIN, False),
        (ADMIN, AGENT, True),  # demotion
        (ADMIN, OFF_ADMIN, True),  # deactivation
        (AGENT, OFF_AGENT, True),
        (AGENT, ADMIN, False),  # promotion
        (OFF_ADMIN, ADMIN, False),  # reactivation
        (OFF_ADMIN, OFF_AGENT, False),  # an inactive admin is not an admin any more
    ],
)
def test_what_counts_as_a_removal(before: Standing, after: Standing, removal: bool) -> None:
    assert is_removal(before, after) is removal


@pytest.mark.parametrize(
    ("actor", "target", "before", "after", "admins", "code"),
    [
        (1, 1, ADMIN, OFF_ADMIN, [1, 2], "SELF_CHANGE_REFUSED"),
        (1, 1, ADMIN, AGENT, [1, 2], "SELF_CHANGE_REFUSED"),
        (1, 1, ADMIN, ADMIN, [1], None),  # editing one's own name
        (1, 2, ADMIN, OFF_ADMIN, [1, 2], None),
        (1, 2, ADMIN, AGENT, [2], "LAST_ADMIN"),  # the actor's own row is gone already
        (1, 2, ADMIN, OFF_ADMIN, [], "LAST_ADMIN"),
        (1, 3, AGENT, OFF_AGENT, [], None),  # agents are not counted
    ],
)
def test_removal_refusals(
    actor: int, target: int, before: Standing, after: Standing, admins: list[int], code: str | None
) -> None:
    if code is None:
        check_removal(actor, target, before, after, admins)
    else:
        with pytest.raises(Conflict) as refused:
            check_removal(actor, target, before, after, admins)
        assert refused.value.code == code


# --- the service on both databases ------------------------------------------------------------
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def sessions(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A fresh demo database whose demo admin is inactive: only the test's admins count."""

    async def prepare(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        await upgrade_async(engine)
        factory = session_factory(engine)
        async with factory.begin() as db:
            await seed_demo_accounts(db, demo_settings())
        async with factory.begin() as db:
            await db.execute(sa.update(User).where(User.role == "admin").values(is_active=False))
        return factory

    if request.param == "sqlite":
        engine = create_engine(url=sqlite_url(tmp_path / "admin.db"))
        try:
            yield await prepare(engine)
        finally:
            await engine.dispose()
    else:
        async with pg_schema_engine() as engine:
            yield await prepare(engine)


@pytest.fixture
async def stamps(test_settings: Settings, tmp_path: Path) -> AsyncIterator[AccountStamps]:
    redis = Redis.from_url(test_settings.redis_url)
    yield AccountStamps(redis, test_settings.redis_key_prefix, f"admin-rules:{tmp_path}")
    await redis.aclose()


def principal(user: User) -> Principal:
    claims = Claims(user.id, user.role, None, "default", 0, "access", "j", "s", 0, 0)
    return Principal(user.id, user.username, user.role, None, claims, "default")


async def two_admins(service: AccountAdminService, *names: str) -> list[User]:
    claims = Claims(0, "admin", None, "default", 0, "access", "", "", 0, 0)
    root = Principal(0, "root", "admin", None, claims, "default")
    new = [NewAccount(name, "Welcome2026", name, "admin") for name in names]
    return [await service.create(root, account) for account in new]


async def active(sessions: async_sessionmaker[AsyncSession], *names: str) -> list[bool]:
    async with sessions() as db:
        rows = await db.execute(
            sa.select(User.username, User.is_active).where(User.username.in_(names))
        )
        found = dict(rows.tuples().all())
    return [bool(found[name]) for name in names]


async def test_the_last_active_admin_is_never_removed(
    sessions: async_sessionmaker[AsyncSession], stamps: AccountStamps
) -> None:
    service = AccountAdminService(sessions, AGENT_ACCOUNTS, stamps)
    one, two = await two_admins(service, "admin301", "admin302")
    await service.delete(principal(one), "admin302")
    # admin302's request was authenticated before its account went: the service still refuses
    for attempt in (
        service.delete(principal(two), "admin301"),
        service.update(principal(two), "admin301", {"role": "agent", "name": "x"}),
        service.update(principal(two), "admin301", {"is_active": False}),
    ):
        with pytest.raises(Conflict) as refused:
            await attempt
        assert refused.value.code == "LAST_ADMIN"
    assert await active(sessions, "admin301", "admin302") == [True, False]
    async with sessions() as db:
        name = await db.scalar(sa.select(User.display_name).where(User.username == "admin301"))
    assert name == "admin301"  # the refused update changed nothing


async def test_admins_removing_each_other_at_once_leave_exactly_one(
    sessions: async_sessionmaker[AsyncSession], stamps: AccountStamps
) -> None:
    """Without the row locks both deletes would pass on PostgreSQL and leave no admin."""
    service = AccountAdminService(sessions, AGENT_ACCOUNTS, stamps)
    for round_ in range(3):
        names = (f"admin4{round_}1", f"admin4{round_}2")
        one, two = await two_admins(service, *names)
        results = await asyncio.gather(
            service.delete(principal(one), names[1]),
            service.delete(principal(two), names[0]),
            return_exceptions=True,
        )
        refused = [r for r in results if isinstance(r, BaseException)]
        assert len(refused) == 1, results
        assert isinstance(refused[0], Conflict) and refused[0].code == "LAST_ADMIN"
        assert sorted(await active(sessions, *names)) == [False, True]
        # set the survivor aside (as the demo admin was) so the next pair is alone again
        survivor = names[0] if (await active(sessions, *names))[0] else names[1]
        async with sessions.begin() as db:
            await db.execute(
                sa.update(User).where(User.username == survivor).values(is_active=False)
            )
