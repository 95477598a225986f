"""Asking the side chat: opens at step 5 and reads the renewal's selections as its context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph

from core.errors import Conflict
from graphs.renewal.flow import RenewalFlow


class SideChatClosed(Conflict):
    code = "SIDE_CHAT_NOT_OPEN"


def thread_of(session_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": f"{session_id}/side-chat"}}


class SideChat:
    def __init__(self, graph: CompiledStateGraph, renewal: RenewalFlow) -> None:
        self.graph = graph
        self.renewal = renewal

    async def _context(self, session_id: str) -> dict[str, Any]:
        from graphs.runtime import workflow_context

        snapshot = await self.renewal.graph.aget_state(self.renewal.config(session_id))
        state = snapshot.values
        if not state:
            raise SideChatClosed(f"renewal session {session_id} not found")
        if not (state.get("eligibility") or {}).get("is_eligible"):
            raise SideChatClosed("AI 助理於選定可續約門號後（第 5 步起）開放 / opens at step 5")
        return {
            **workflow_context(state),
            "staff_id": state.get("staff_id"),
            "session_id": session_id,
        }

    async def stream(self, session_id: str, question: str) -> AsyncIterator[tuple[str, Any]]:
        """Yields ("tool", {name, args}), ("tool_result", {name, status}), ("token", text) and
        finally ("answer", {content, tool_calls})."""
        context = await self._context(session_id)
        turn = {
            "messages": [HumanMessage(question)],
            "context": context,
            "session_id": session_id,
            "staff_id": str(context.get("staff_id") or ""),
        }
        called: list[str] = []
        final = ""
        async for mode, chunk in self.graph.astream(
            turn, thread_of(session_id), stream_mode=["messages", "updates"]
        ):
            if mode == "messages":
                message = chunk[0]
                if isinstance(message, AIMessageChunk) and message.content:
                    yield "token", message.content
                continue
            updates: dict[str, Any] = chunk if isinstance(chunk, dict) else {}
            for update in updates.values():
                for message in (update or {}).get("messages", []):
                    if isinstance(message, AIMessage) and message.tool_calls:
                        for call in message.tool_calls:
                            called.append(call["name"])
                            yield "tool", {"name": call["name"], "args": call["args"]}
                    elif isinstance(message, ToolMessage):
                        yield "tool_result", {"name": message.name, "status": message.status}
                    elif isinstance(message, AIMessage):
                        final = str(message.content)
        yield "answer", {"content": final, "tool_calls": called}

    async def history(self, session_id: str) -> list[dict[str, Any]]:
        snapshot = await self.graph.aget_state(thread_of(session_id))
        return [{"role": m.type, "content": m.content} for m in snapshot.values.get("messages", [])]
