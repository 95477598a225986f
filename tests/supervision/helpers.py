"""Shared by the supervision tests and their worker processes (no pytest imports here)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.realtime.hub import EventHub, SessionEvents
from graphs.checkpoint import AsyncRedisSaver
from graphs.supervision.graph import (
    SqlAgentDirectory,
    SqlAuditTrail,
    SupervisionDeps,
    build_supervision_graph,
)
from graphs.supervision.outbox import JsonlOutbox
from graphs.supervision.service import SupervisionService
from graphs.supervision.shift import WEEKDAYS, ShiftConfig, ShiftWindow

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
ChatFactory = Callable[[str, Mapping[str, Any]], BaseChatModel]

ALWAYS_ON = ShiftConfig(
    hours={day: (ShiftWindow(start=time(0), end=time(0)),) for day in WEEKDAYS},
    weekends_disabled=False,
    email_to=("cs-team@example.com",),
)
ALICE = {"id": "agent001", "name": "客服小狐"}
BOB = {"id": "agent002", "name": "客服小熊"}
CAROL = {"id": "agent003", "name": "客服小兔"}


def off_duty_now() -> ShiftConfig:
    """Office hours, but yesterday, today and tomorrow (Taipei) are holidays."""
    today = datetime.now(UTC).astimezone(ALWAYS_ON.zone).date()
    holidays = tuple(today + timedelta(days=d) for d in (-1, 0, 1))
    return ShiftConfig(holidays=holidays, email_to=("night-desk@example.com",))


@asynccontextmanager
async def open_service(
    prefix: str,
    sessions: async_sessionmaker[AsyncSession],
    chat_model: ChatFactory,
    *,
    outbox_path: Path,
    tools: list[BaseTool] | None = None,
    shift: ShiftConfig = ALWAYS_ON,
    **deps: Any,
) -> AsyncIterator[SupervisionService]:
    """A service as an API instance builds it: own Redis client, Redis checkpointer, SQL audit."""
    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        async with AsyncRedisSaver.from_url(REDIS_URL, key_prefix=prefix) as saver:
            given = {"chat_model": chat_model, "audit": SqlAuditTrail(sessions),
                     "outbox": JsonlOutbox(outbox_path), "tools": tools or [],
                     "shift": lambda: shift}  # fmt: skip
            graph_deps = SupervisionDeps(**{**given, **deps})
            graph = build_supervision_graph(graph_deps).compile(checkpointer=saver)
            yield SupervisionService(
                graph, redis, key_prefix=prefix, audit=SqlAuditTrail(sessions),
                agents=SqlAgentDirectory(sessions), bus=SessionEvents(EventHub(redis, prefix)),
            )  # fmt: skip
    finally:
        await redis.aclose()


async def chat(service: SupervisionService, session: str, text: str) -> list[dict[str, Any]]:
    """One customer turn, every event it streamed (the last one is always `done`)."""
    return [event async for event in service.send_user_message(session, text)]


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def ai_text(events: list[dict[str, Any]]) -> str:
    return "".join(e["content"] for e in events if e["type"] == "message")
