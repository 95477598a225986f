"""Worker processes for the cross-process tests: each builds its own service (own Redis client,
checkpointer and DB engine, as another API instance would), waits for the starting gun, runs one
action and reports `{"pid", "ok", "status" | "code"}`.

Started from a forkserver that has imported this module once, so twenty workers start in well
under a second instead of paying the LangChain import twenty times.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from core.db.engine import create_engine, session_factory
from core.errors import SwitchboardError
from core.settings import Settings
from graphs.supervision.service import SupervisionService
from tests.supervision.helpers import chat, open_service
from tools.llm import ListUsageSink, build_chat_model


async def _act(service: SupervisionService, job: Mapping[str, Any]) -> dict[str, Any]:
    session, action = job["session"], job["action"]
    if action == "takeover":
        return (await service.takeover(session, job["agent"])).session
    if action == "escalate":
        return (await service.escalate(session)).session
    if action == "release":
        return (await service.release(session, job["agent"])).session
    if action == "say":
        await chat(service, session, job["text"])
        return (await service.get_session(session))["session"]
    raise ValueError(action)


async def _work(job: Mapping[str, Any], ready: Queue[int], go: Event, results: Queue[Any]) -> None:
    settings = Settings(_env_file=None, database_url=job["database_url"])  # type: ignore[call-arg]
    engine = create_engine(settings)
    sink = ListUsageSink()

    def models(usage_type: str, state: Mapping[str, Any]) -> BaseChatModel:
        return build_chat_model(settings, usage_type=usage_type, sink=sink)

    try:
        async with open_service(
            job["prefix"], session_factory(engine), models, outbox_path=Path(job["outbox"])
        ) as service:
            ready.put(os.getpid())
            await asyncio.to_thread(go.wait, 60)
            try:
                session = await _act(service, job)
                result = {"ok": True, "status": session["status"]}
            except SwitchboardError as exc:
                lost_at = "claim" if "agent_id" in exc.details else "status check"
                result = {"ok": False, "code": exc.code, "lost_at": lost_at}
            results.put({"pid": os.getpid(), "agent": (job.get("agent") or {}).get("id"),
                         **result})  # fmt: skip
    finally:
        await engine.dispose()


def run(job: Mapping[str, Any], ready: Queue[int], go: Event, results: Queue[Any]) -> None:
    asyncio.run(_work(job, ready, go, results))
