from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.db.engine import create_engine
from core.db.migrate import upgrade_async
from tests.db.conftest import PG_URL, require_postgres

from .documents import CJK_FONT


@pytest.fixture(scope="session")
def cjk_font() -> Path:
    if not CJK_FONT.exists():
        pytest.skip(f"CJK PDF cases need {CJK_FONT} (Debian package fonts-noto-cjk)")
    return CJK_FONT


@pytest.fixture(scope="module")
async def database_url() -> AsyncIterator[str]:
    """A fresh migrated database, so the server process needs nothing but DATABASE_URL."""
    require_postgres()
    name = f"sb_kb_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url=PG_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url=url)
    try:
        await upgrade_async(engine)
        yield url
    finally:
        await engine.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        await admin.dispose()
