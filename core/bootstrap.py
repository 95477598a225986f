"""`python -m core.bootstrap`: everything `make run` does before serving.

1. migrate the service database and create the demo accounts (idempotent);
2. load today's demo back-office data for the MCP servers (reloaded when the day changed,
   because contract windows are relative to the day);
3. build or load the promotion search index, so the first search is not the slow one.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date

from core.db.migrate import seed
from core.logging import configure_logging, get_logger
from core.settings import Settings, load_settings
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.store import BackOfficeStore, load

log = get_logger("bootstrap")


def load_backoffice(settings: Settings, today: date | None = None) -> str:
    today = today or date.today()
    store = BackOfficeStore(settings.backoffice_db_path)
    meta = store.meta()
    stale = meta.get("today") != today.isoformat() or meta.get("seed") != str(settings.demo_seed)
    result = load(generate(settings.demo_seed, today), settings.backoffice_db_path, replace=stale)
    counts = ", ".join(f"{n} {k}" for k, n in result.counts.items())
    return f"back office {'loaded' if result.loaded else 'up to date'}: {counts}"


async def build_search_index(settings: Settings) -> str:
    from mcp_servers.promotion.search import open_retriever

    started = time.perf_counter()
    plans = BackOfficeStore(settings.backoffice_db_path).plans()
    retriever = await open_retriever(settings, plans)
    await retriever.aclose()
    return f"search index ready for {len(plans)} plans in {time.perf_counter() - started:.1f}s"


async def bootstrap(settings: Settings) -> None:
    log.info("bootstrap", step=await seed(settings.database_url))
    log.info("bootstrap", step=load_backoffice(settings))
    log.info("bootstrap", step=await build_search_index(settings))


def main() -> None:
    settings = load_settings()
    configure_logging(settings)
    asyncio.run(bootstrap(settings))


if __name__ == "__main__":
    main()
