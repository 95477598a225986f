"""Demo accounts: five stores, their staff, three agents and an admin of tenant `default`, a
second tenant (`harbor`) with its own admin and agent, and a platform admin who manages tenants.

The demo tenants' site keys are fixed (`DEMO_SITE_KEYS`: public by nature, like the key in any
embed snippet) so the demo page and the tests can embed them; outside production the seed puts
them back on every run (a key rotated in a demo database returns on the next bootstrap).

Store ids and names mirror the back-office demo data (S001.. in
`mcp_servers/backoffice/catalog_people.py`; a test keeps the two in step). Employee codes
encode the store: store n has manager `E{n}000` and sales `E{n}001`, `E{n}002`.
Every demo account gets `settings.demo_password`.

Idempotent: existing stores and users are left exactly as they are (a changed password stays
changed). bcrypt at cost 12 takes ~0.25 s, so the password is hashed once per run, in a thread,
and only when an account is missing; all demo accounts share that one hash.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import DEFAULT_TENANT, Store, Tenant, TenantStatus, User, UserRole, UserStatus
from core.security.passwords import hash_password_async
from core.settings import Settings


@dataclass(frozen=True)
class DemoStore:
    store_id: str
    name: str
    city: str
    address: str
    phone: str


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: UserRole
    store_id: str | None = None
    max_sessions: int = 5
    tenant_id: str | None = DEFAULT_TENANT


SECOND_TENANT = "harbor"
DEMO_TENANTS: dict[str, str] = {DEFAULT_TENANT: "Default", SECOND_TENANT: "海港電信 Harbor Telecom"}
DEMO_SITE_KEYS: dict[str, str] = {
    DEFAULT_TENANT: "sk_demo_default_site_key",
    SECOND_TENANT: "sk_demo_harbor_site_key",
}


DEMO_STORES: tuple[DemoStore, ...] = (
    DemoStore("S001", "台北信義旗艦門市", "台北市", "台北市信義區松高路19號1樓", "02-2722-0800"),
    DemoStore("S002", "台北西門門市", "台北市", "台北市萬華區漢中街52號", "02-2388-1500"),
    DemoStore("S003", "新北板橋門市", "新北市", "新北市板橋區文化路一段188號", "02-2968-3300"),
    DemoStore("S004", "新北三重門市", "新北市", "新北市三重區重新路三段95號", "02-2986-7200"),
    DemoStore("S005", "桃園中壢門市", "桃園市", "桃園市中壢區中正路210號", "03-425-6600"),
)

_MANAGERS = ("林志明", "陳淑芬", "黃建國", "張雅婷", "吳俊傑")
_SALES = (
    ("王小明", "李佳穎"),
    ("劉家豪", "蔡宜君"),
    ("楊宗翰", "許雅雯"),
    ("鄭凱文", "謝佩珊"),
    ("郭志偉", "洪詩涵"),
)


def _demo_users() -> tuple[DemoUser, ...]:
    users: list[DemoUser] = []
    for n, store in enumerate(DEMO_STORES, start=1):
        users.append(DemoUser(f"E{n}000", _MANAGERS[n - 1], UserRole.MANAGER, store.store_id))
        for k, name in enumerate(_SALES[n - 1], start=1):
            users.append(DemoUser(f"E{n}{k:03d}", name, UserRole.SALES, store.store_id))
    users += [
        DemoUser("agent001", "客服小狐", UserRole.AGENT),
        DemoUser("agent002", "客服小熊", UserRole.AGENT),
        DemoUser("agent003", "客服小兔", UserRole.AGENT),
        DemoUser("admin", "系統管理員", UserRole.ADMIN, max_sessions=10),
        DemoUser("harbor-admin", "海港管理員", UserRole.ADMIN, max_sessions=10,
                 tenant_id=SECOND_TENANT),
        DemoUser("harbor-agent", "海港客服小海", UserRole.AGENT, tenant_id=SECOND_TENANT),
        DemoUser("platform", "平台管理員", UserRole.PLATFORM_ADMIN, tenant_id=None),
    ]  # fmt: skip
    return tuple(users)


DEMO_USERS: tuple[DemoUser, ...] = _demo_users()


@dataclass(frozen=True)
class SeedResult:
    stores_created: int
    users_created: int
    tenants_created: int = 0


async def seed_demo_accounts(session: AsyncSession, settings: Settings) -> SeedResult:
    """Create the missing demo tenants, stores and accounts; flushes, the caller commits."""
    tenants_created = await _seed_tenants(session, settings)
    have_stores = set(
        (
            await session.scalars(
                sa.select(Store.store_id).where(
                    Store.store_id.in_([s.store_id for s in DEMO_STORES])
                )
            )
        ).all()
    )
    new_stores = [s for s in DEMO_STORES if s.store_id not in have_stores]
    session.add_all(
        Store(
            store_id=s.store_id,
            name=s.name,
            city=s.city,
            address=s.address,
            phone=s.phone,
            is_active=True,
        )
        for s in new_stores
    )
    await session.flush()  # stores before the users that reference them

    have_users = set(
        (
            await session.scalars(
                sa.select(User.username).where(User.username.in_([u.username for u in DEMO_USERS]))
            )
        ).all()
    )
    new_users = [u for u in DEMO_USERS if u.username not in have_users]
    if new_users:
        password_hash = await hash_password_async(settings.demo_password)
        session.add_all(
            User(
                username=u.username,
                display_name=u.display_name,
                role=u.role.value,
                store_id=u.store_id,
                tenant_id=u.tenant_id if u.tenant_id else sa.null(),
                max_sessions=u.max_sessions,
                password_hash=password_hash,
                status=UserStatus.OFFLINE.value,
                failed_login_count=0,
                token_version=0,
                is_active=True,
            )
            for u in new_users
        )
        await session.flush()
    return SeedResult(stores_created=len(new_stores), users_created=len(new_users),
                      tenants_created=tenants_created)  # fmt: skip


async def _seed_tenants(session: AsyncSession, settings: Settings) -> int:
    """The demo tenants with their fixed site keys (`default` exists since migration 0006)."""
    have = {t.id: t for t in (await session.scalars(sa.select(Tenant))).all()}
    created = 0
    for tenant_id, name in DEMO_TENANTS.items():
        tenant = have.get(tenant_id)
        if tenant is None:
            session.add(Tenant(id=tenant_id, name=name, status=TenantStatus.ACTIVE.value,
                               site_key=DEMO_SITE_KEYS[tenant_id]))  # fmt: skip
            created += 1
        elif settings.app_env != "production":
            tenant.site_key = DEMO_SITE_KEYS[tenant_id]
    await session.flush()
    return created
