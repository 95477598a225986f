"""History search on a filled archive: how long each filter takes on PostgreSQL (or SQLite).

Run: .venv/bin/python -m tests.history.bench_search [--conversations 10000] [--messages 10]
     [--db pg|sqlite] [--runs 20]

Fills a fresh archive (a private PostgreSQL schema, or a SQLite file) with synthetic
conversations over 90 days, `--messages` messages each (zh-TW sentences drawn from a small
vocabulary, one agent in three chats), then times `ConversationRepository.search` (count + first
page of 20) per filter, then the daily, weekly and monthly report of 2026-11-18 (one chat in
three escalated, taken over and released). Seed 001's target for search: < 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.history.services import HistoryService
from core.db.engine import create_engine, session_factory
from core.db.migrate import upgrade_async
from core.db.models import AuditEntry, ConversationMessage, ConversationRecord
from core.db.repositories import ConversationRepository, HistoryFilter
from tests.history.conftest import private_role_schema

WORDS = ("帳單", "方案", "吃到飽", "手機", "退款", "門市", "續約", "網路", "訊號", "優惠", "客服",
         "合約", "費用", "iPhone", "5G", "漫遊", "停話", "繳費", "發票", "升級")  # fmt: skip
NAMES = ("王小明", "陳美麗", "林先生", "張小姐", "李大華", "黃太太")
STATUSES = ("bot_active", "closed", "closed", "closed", "pending_manual", "manual_live")


@asynccontextmanager
async def engine_for(kind: str) -> AsyncIterator[AsyncEngine]:
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="bench-history-")) / "archive.db"
        engine = create_engine(url=f"sqlite+aiosqlite:///{path}")
        try:
            yield engine
        finally:
            await engine.dispose()
        return
    async with private_role_schema() as url:
        engine = create_engine(url=url)
        try:
            yield engine
        finally:
            await engine.dispose()


async def fill(engine: AsyncEngine, conversations: int, messages: int) -> None:
    rng = random.Random(20261203)
    end = datetime(2026, 12, 3, tzinfo=UTC)
    chats, items, moves = [], [], []
    for n in range(conversations):
        name = f"session_{n:016x}"
        started = end - timedelta(seconds=rng.randrange(90 * 86_400))
        agent = f"agent00{rng.randrange(1, 4)}" if n % 3 == 0 else None
        chats.append({"session_name": name, "customer": rng.choice(NAMES) + str(n % 500),
                      "vip": False, "status": rng.choice(STATUSES), "agent_id": agent,
                      "escalations": 1 if agent else 0, "episodes": 1 if agent else 0,
                      "message_count": messages, "started_at": started,
                      "last_activity_at": started, "archived_at": end})  # fmt: skip
        if agent:  # escalated at the 3rd message, taken over a minute later, released after 5
            for src, dst, reason, after in (("bot_active", "pending_manual", "keyword", 41),
                                             ("pending_manual", "manual_live", "agent_takeover",
                                              101), ("manual_live", "bot_active", "released",
                                                     401)):  # fmt: skip
                moves.append({"entity_type": "chat_session", "entity_id": name,
                              "status_from": src, "status_to": dst, "operator": agent,
                              "reason": reason, "detail": {"agent": {"id": agent}},
                              "created_at": started + timedelta(seconds=after)})  # fmt: skip
        for seq in range(messages):
            role = ("user", "assistant", "agent" if agent else "assistant")[seq % 3]
            text = "，".join(rng.choice(WORDS) for _ in range(rng.randrange(4, 12)))
            items.append({"id": f"msg_{n:010x}{seq:06x}", "session_name": name, "seq": seq,
                          "role": role, "content": text,
                          "agent_id": agent if role == "agent" else None,
                          "created_at": started + timedelta(seconds=seq * 20)})  # fmt: skip
    async with engine.begin() as conn:
        for start in range(0, len(chats), 2000):
            await conn.execute(sa.insert(ConversationRecord), chats[start : start + 2000])
        for start in range(0, len(items), 5000):
            await conn.execute(sa.insert(ConversationMessage), items[start : start + 5000])
        for start in range(0, len(moves), 5000):
            await conn.execute(sa.insert(AuditEntry), moves[start : start + 5000])
        if engine.dialect.name == "postgresql":
            await conn.execute(sa.text("ANALYZE"))


CASES: dict[str, HistoryFilter] = {
    "no filter (newest 20)": HistoryFilter(),
    "status=closed": HistoryFilter(status="closed"),
    "agent=agent002": HistoryFilter(agent="agent002"),
    "customer=王小明1": HistoryFilter(customer="王小明1"),
    "one week": HistoryFilter(started_from=datetime(2026, 11, 20, tzinfo=UTC),
                              started_before=datetime(2026, 11, 27, tzinfo=UTC)),
    "q=退款": HistoryFilter(words=("退款",)),
    "q=退款 漫遊 發票": HistoryFilter(words=("退款", "漫遊", "發票")),
    "q=no-such-word": HistoryFilter(words=("不存在的詞",)),
    "q=退款 + one week": HistoryFilter(words=("退款",),
                                       started_from=datetime(2026, 11, 20, tzinfo=UTC),
                                       started_before=datetime(2026, 11, 27, tzinfo=UTC)),
    "q=退款 + agent": HistoryFilter(words=("退款",), agent="agent002"),
}  # fmt: skip


async def run(conversations: int, messages: int, kind: str, runs: int) -> None:
    async with engine_for(kind) as engine:
        await upgrade_async(engine)
        started = time.perf_counter()
        await fill(engine, conversations, messages)
        print(f"\n{conversations} conversations, {conversations * messages} messages ({kind}), "
              f"filled in {time.perf_counter() - started:.1f} s\n")  # fmt: skip
        print("| filter | matches | p50 ms | p95 ms |")
        print("|---|---|---|---|")
        for label, f in CASES.items():
            times, total = [], 0
            for _ in range(runs):
                t = time.perf_counter()
                async with AsyncSession(engine) as db:
                    _, total = await ConversationRepository(db, "default").search(
                        f, offset=0, limit=20
                    )
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            p95 = times[max(0, round(0.95 * len(times)) - 1)]
            print(f"| {label} | {total} | {statistics.median(times):.1f} | {p95:.1f} |")
        service = HistoryService(session_factory(engine))
        print("\n| report (2026-11-18) | conversations | ms (best of 3) |\n|---|---|---|")
        for period in ("daily", "weekly", "monthly"):
            best, report = float("inf"), {}
            for _ in range(3):
                t = time.perf_counter()
                report = await service.report(period, date(2026, 11, 18))  # type: ignore[arg-type]
                best = min(best, (time.perf_counter() - t) * 1000)
            print(f"| {period} | {report['conversations']['active']} | {best:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--db", choices=["pg", "sqlite"], default="pg")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.conversations, args.messages, args.db, args.runs))


if __name__ == "__main__":
    main()
