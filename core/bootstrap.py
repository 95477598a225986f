"""`python -m core.bootstrap`: everything `make run` does before serving, each phase on stderr.

1. redis: reachable (the same check as `python -m core.preflight redis`);
2. database: migrate the service database and create missing demo tenants and accounts, and the
   second demo tenant's FAQs (idempotent; `harbor` gets its own knowledge base, so the two
   tenants' answers visibly differ);
3. back office: load today's demo data for the MCP servers (reloaded when the day changed,
   because contract windows are relative to the day; else left as it is);
4. promotion index: load the index stored for exactly these plans and this model (keyed by
   their content under SEARCH_INDEX_DIR), or build it, saying how many passages are embedded.

A second run reuses everything: nothing is migrated, written or embedded.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import date

from core.db.migrate import seed
from core.logging import configure_logging, get_logger
from core.preflight import check
from core.progress import Phase, Progress
from core.settings import Settings, load_settings
from mcp_servers.backoffice.generator import generate
from mcp_servers.backoffice.store import BackOfficeStore, load

log = get_logger("bootstrap")
PHASES = 4


# the second demo tenant's knowledge base (tenant `default` starts empty: its agents add FAQs)
DEMO_FAQS: tuple[tuple[str, str, str], ...] = (
    (
        "海港電信的客服時間？",
        "海港電信客服每天 08:00–22:00 服務，夜間請留言，隔日回覆。",
        "service",
    ),
    (
        "如何申請海港電信的漫遊？",
        "在海港電信 App「漫遊」頁選擇國家與天數即可開通，出國前一天完成最保險。",
        "roaming",
    ),
)


async def seed_demo_faqs(settings: Settings) -> int:
    """The demo FAQs of tenant `harbor`, once (none are added when it has any FAQ)."""
    from core.db.engine import create_engine
    from core.db.seed import SECOND_TENANT
    from core.embeddings import build_embedder
    from mcp_servers.knowledge.faqs import faq_passage
    from mcp_servers.knowledge.store import KnowledgeStore

    engine = create_engine(settings)
    try:
        store = KnowledgeStore(engine)
        if (await store.list_faqs(SECOND_TENANT, limit=1))[1]:
            return 0
        embedder = build_embedder(settings)
        passages = [faq_passage(q, a) for q, a, _ in DEMO_FAQS]
        vectors = await asyncio.to_thread(embedder.embed_passages, passages)
        for (question, answer, category), vector in zip(DEMO_FAQS, vectors, strict=True):
            fields = {"question": question, "answer": answer, "category": category, "tags": [],
                      "language": "zh-TW", "published": True}  # fmt: skip
            await store.save_faq(SECOND_TENANT, fields, vector, edited_by="bootstrap")
        return len(DEMO_FAQS)
    finally:
        await engine.dispose()


class BootstrapError(Exception):
    """A phase that cannot go on (e.g. Redis unreachable): its message says what to do."""


def load_backoffice(settings: Settings, today: date | None = None) -> str:
    today = today or date.today()
    store = BackOfficeStore(settings.backoffice_db_path)
    meta = store.meta()
    stale = meta.get("today") != today.isoformat() or meta.get("seed") != str(settings.demo_seed)
    result = load(generate(settings.demo_seed, today), settings.backoffice_db_path, replace=stale)
    counts = ", ".join(f"{n} {k}" for k, n in result.counts.items())
    return f"{'loaded' if result.loaded else 'up to date'}: {counts}"


async def build_search_index(settings: Settings, phase: Phase | None = None) -> str:
    """Load or build the index the promotion server will load; `phase` hears each batch."""
    from core.embeddings import ReportingEmbedder, build_embedder
    from mcp_servers.promotion.search import build_retriever

    plans = BackOfficeStore(settings.backoffice_db_path).plans()
    embedder = build_embedder(settings, bulk=True)
    if phase is not None:
        embedder = ReportingEmbedder(
            embedder, lambda done, total: phase.update("embedding passages", done, total)
        )
    retriever = await asyncio.to_thread(build_retriever, settings, None, embedder=embedder)
    try:
        report = await retriever.ensure_index(plans)
    finally:
        await retriever.aclose()
    key = report.content_hash[:12]
    if report.embedded == 0 and report.action in ("loaded", "unchanged"):
        return f"reused index {key} for {report.documents} plans, nothing embedded"
    return f"{report.action} index {key} for {report.documents} plans, {report.embedded} embedded"


async def bootstrap(settings: Settings, progress: Progress | None = None) -> None:
    progress = progress or Progress("bootstrap", PHASES, as_log=settings.log_json)
    with progress.phase("redis", "checking that Redis answers") as phase:
        problems = check(["redis"])
        if problems:
            phase.done("not reachable")
            raise BootstrapError(problems[0])
        phase.done("reachable")
    with progress.phase("database", "migrating, creating missing demo accounts") as phase:
        seeded = await seed(settings.database_url, settings)
        phase.done(f"{seeded}, {await seed_demo_faqs(settings)} demo FAQs")
    with progress.phase("back office", "generating today's demo data") as phase:
        phase.done(await asyncio.to_thread(load_backoffice, settings))
    with progress.phase("promotion index", "looking for an index of these plans") as phase:
        phase.done(await build_search_index(settings, phase))


def main() -> None:
    settings = load_settings()
    configure_logging(settings)
    # "Context impl SQLiteImpl" on every start says nothing; the database phase says the rest
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    try:
        asyncio.run(bootstrap(settings))
    except BootstrapError as error:
        print(f"bootstrap: {error}", file=sys.stderr)
        sys.exit(1)
    log.debug("bootstrap_done")


if __name__ == "__main__":
    main()
