"""Schema migrations and demo seeding: `python -m core.db.migrate <command>`.

    python -m core.db.migrate upgrade [REV]     # default: head
    python -m core.db.migrate downgrade REV     # e.g. -1 or base
    python -m core.db.migrate current | history
    python -m core.db.migrate sql [REV] --url oracle+oracledb://u:p@h/svc   # SQL for a DBA
    python -m core.db.migrate seed              # upgrade to head, then demo accounts
Every command takes `--url` (default: DATABASE_URL from core.settings).

Adding tables in a later issue:
1. declare the model in `core/db/models/<domain>.py` (typed `Mapped[...]`; portable types from
   `core.db.types`: `Flag` for booleans, `JsonDoc` for JSON, `UtcDateTime` for timestamps;
   `String(n)` always with a length; `enum_check(...)` for value lists), export it from
   `core/db/models/__init__.py` and give its table a short name in `TABLE_ABBREVIATIONS`;
2. `alembic revision --autogenerate -m "add xyz"` from the repo root (against an up-to-date
   database, e.g. `-x url=sqlite:///var/alembic-scratch.db` after `upgrade head` there);
3. read the script, then `pytest tests/db`: round trips on SQLite and PostgreSQL, "models ==
   migrations" and the Oracle checks (30-char names, reserved words, 19c types) run on it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.engine import create_engine, session_factory
from core.settings import ROOT, Settings, get_settings

ALEMBIC_INI = ROOT / "alembic.ini"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None, *, stdout: Any = None) -> Config:
    """Alembic config independent of the working directory; the URL travels as an attribute
    (not an ini option, where '%' in a password would break interpolation)."""
    cfg = Config(str(ALEMBIC_INI), stdout=stdout or sys.stdout)
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["configure_logger"] = False
    if url is not None:
        cfg.attributes["url"] = url
    return cfg


def _ensure_sqlite_dir(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _resolve(url: str | None) -> str:
    resolved = url or get_settings().database_url
    _ensure_sqlite_dir(resolved)
    return resolved


def upgrade_to_head(url: str | None = None) -> None:
    """Upgrade the database at `url` (default: settings). Sync; not from a running event loop
    (use `upgrade_async` there)."""
    command.upgrade(alembic_config(_resolve(url)), "head")


def downgrade(revision: str, url: str | None = None) -> None:
    command.downgrade(alembic_config(_resolve(url)), revision)


def offline_sql(url: str, revision: str = "head", *, downgrade_from: str | None = None) -> str:
    """The migration as SQL text for `url`'s dialect, without connecting (`alembic --sql`)."""
    buffer = StringIO()
    cfg = alembic_config(url, stdout=buffer)
    cfg.output_buffer = buffer
    if downgrade_from is not None:
        command.downgrade(cfg, f"{downgrade_from}:{revision}", sql=True)
    else:
        command.upgrade(cfg, revision, sql=True)
    return buffer.getvalue()


def _with_connection(action: Callable[[Config, str], None], revision: str) -> Any:
    def run(connection: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        action(cfg, revision)

    return run


async def upgrade_async(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade on `engine` inside one transaction (for app start-up and tests)."""
    async with engine.begin() as conn:
        await conn.run_sync(_with_connection(command.upgrade, revision))


async def downgrade_async(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_with_connection(command.downgrade, revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at (None when never migrated)."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(read)


async def seed(url: str | None = None, settings: Settings | None = None) -> str:
    """Upgrade to head, then create missing demo accounts; returns a one-line summary."""
    from core.db.seed import seed_demo_accounts

    settings = settings or get_settings()
    resolved = _resolve(url or settings.database_url)
    await asyncio.to_thread(upgrade_to_head, resolved)  # alembic's own engine (SQLite FKs off)
    engine = create_engine(settings, url=resolved)
    try:
        async with session_factory(engine)() as session:
            result = await seed_demo_accounts(session, settings)
            await session.commit()
    finally:
        await engine.dispose()
    return (
        f"seeded: {result.tenants_created} tenants, {result.stores_created} stores,"
        f" {result.users_created} users created"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m core.db.migrate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--url", help="database URL (default: DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("upgrade").add_argument("revision", nargs="?", default="head")
    sub.add_parser("downgrade").add_argument("revision")
    sub.add_parser("current")
    sub.add_parser("history")
    sub.add_parser("sql").add_argument("revision", nargs="?", default="head")
    sub.add_parser("seed")
    args = parser.parse_args(argv)

    url = _resolve(args.url)
    cfg = alembic_config(url)
    cfg.attributes["configure_logger"] = True  # a terminal user wants "Running upgrade ..."
    if args.command == "upgrade":
        command.upgrade(cfg, args.revision)
    elif args.command == "downgrade":
        command.downgrade(cfg, args.revision)
    elif args.command == "current":
        command.current(cfg, verbose=False)
    elif args.command == "history":
        command.history(cfg)
    elif args.command == "sql":
        command.upgrade(cfg, args.revision, sql=True)
    elif args.command == "seed":
        print(asyncio.run(seed(url)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
