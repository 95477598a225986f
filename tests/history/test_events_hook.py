"""Graph runs that no API route follows (the sweeper's delayed auto-replies and timeout checks)
reach the archive through the event hook: the real supervision graph, driven directly."""

from __future__ import annotations

from api.history.archive import ArchiveOnEvents, ConversationArchive
from core.db.repositories import ConversationRepository
from graphs.runtime import GraphRuntime


async def test_a_run_without_a_route_is_archived_once_its_events_settle(
    graph_runtime: GraphRuntime,
) -> None:
    supervision = graph_runtime.supervision
    archive = ConversationArchive(supervision, graph_runtime.sessions)
    hook = ArchiveOnEvents(supervision.bus, archive, settle_seconds=0.2)
    previous, supervision.bus = supervision.bus, hook
    try:
        name = await supervision.new_conversation({"nickname": "沒有路由"})
        for text in ("請問 5G 吃到飽方案？", "有 999 以下的嗎"):
            events = [e async for e in supervision.send_user_message(name, text)]
            assert any(e["type"] == "message" for e in events)
        await hook.drain()
        events = [e async for e in supervision.send_user_message(name, "iPhone 有貨嗎")]
        await hook.drain()  # a second write for the later run
    finally:
        supervision.bus = previous
    history = (await supervision.graph.aget_state(supervision.config(name))).values["history"]
    async with graph_runtime.sessions() as db:
        repo = ConversationRepository(db, "default")
        messages, row = await repo.messages(name), await repo.get(name)
    assert [(m.id, m.role, m.content) for m in messages] == [
        (h["id"], h["role"], h["content"]) for h in history
    ]
    assert row is not None and row.status == "bot_active" and row.customer == "沒有路由"
    assert row.message_count == len(history) == 6
