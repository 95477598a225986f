"""The AI's side of a customer turn: the tenant's chat model with the read-only MCP tools bound,
the customer-chat prompt (today, business hours, knowledge, recent history), streamed token by
token as `message` events, tool rounds up to `max_tool_rounds`. The supervision node (`answer`)
decides what happens around it: grounding, citations, fallbacks and AI-failure counting.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ToolCall,
    ToolMessage,
    message_chunk_to_message,
)
from langchain_core.runnables import Runnable

from core.errors import InvalidInput
from graphs.supervision import events as ev
from graphs.supervision.graph import AI_TOOLS, SupervisionDeps
from graphs.supervision.knowledge import Grounding
from graphs.supervision.shift import ShiftConfig
from graphs.supervision.state import SupervisionState, recent_history, to_model_messages
from prompts import load_prompt
from tools.llm.fallback import is_degraded


def business_hours(shift: ShiftConfig) -> str:
    """The shift in one line for the customer-chat prompt."""
    windows = shift.hours.get("mon") or ()
    span = "、".join(f"{w.start:%H:%M}–{w.end:%H:%M}" for w in windows) or "無"
    days = "週一至週五" if shift.weekends_disabled else "每日"
    return f"{days} {span}（{shift.timezone}）"


class AiTurn:
    """One answer of the AI; `model` and `shift` are the node's per-tenant lookups."""

    def __init__(
        self,
        deps: SupervisionDeps,
        model: Callable[[str, SupervisionState], Awaitable[BaseChatModel]],
        shift: Callable[[SupervisionState], Awaitable[ShiftConfig]],
    ) -> None:
        self.deps = deps
        self.model = model
        self.shift = shift
        self.tools = {t.name: t for t in deps.tools if t.name in AI_TOOLS}

    async def reply(self, state: SupervisionState, grounding: Grounding | None) -> tuple[str, bool]:
        """The answer's text and whether any model call of the turn was degraded."""
        base = await self.model("customer_chat", state)
        model: Runnable[LanguageModelInput, BaseMessage] = base
        if self.tools:
            try:
                model = base.bind_tools(list(self.tools.values()))
            except NotImplementedError:  # a model without tool calling still answers
                model = base
        shift = await self.shift(state)
        at = self.deps.clock()
        history = recent_history(state, self.deps.history_for_model)
        messages: list[BaseMessage] = load_prompt("customer_chat_system").format_messages(
            today=at.astimezone(shift.zone).date().isoformat(),
            business_hours=business_hours(shift),
            knowledge=grounding.messages() if grounding is not None else [],
            history=to_model_messages(history),
        )
        degraded = False
        for _ in range(self.deps.max_tool_rounds + 1):
            reply = await self._stream(model, messages)
            degraded = degraded or is_degraded(reply)
            if not reply.tool_calls:
                return reply.text, degraded
            results = [await self._call_tool(call) for call in reply.tool_calls]
            messages = [*messages, reply, *results]
        raise RuntimeError("the model kept calling tools")

    async def _stream(
        self, model: Runnable[LanguageModelInput, BaseMessage], messages: list[BaseMessage]
    ) -> AIMessage:
        gathered: AIMessageChunk | None = None
        async for chunk in model.astream(messages):
            if not isinstance(chunk, AIMessageChunk):
                continue
            if chunk.text:
                ev.emit(ev.message(chunk.text))
            gathered = chunk if gathered is None else gathered + chunk
        if gathered is None:
            raise ValueError("the model streamed nothing")
        result = message_chunk_to_message(gathered)
        assert isinstance(result, AIMessage)
        return result

    async def _call_tool(self, call: ToolCall) -> ToolMessage:
        """Read-only MCP tools; an error goes back to the model as an error ToolMessage."""
        tool = self.tools.get(call["name"])
        try:
            if tool is None:
                raise InvalidInput(f"tool {call['name']} is not available here")
            result = await tool.ainvoke(call)
            if isinstance(result, ToolMessage):
                return result
            return ToolMessage(str(result), tool_call_id=call["id"] or "", name=call["name"])
        except Exception as exc:
            return ToolMessage(f"error: {exc}", tool_call_id=call["id"] or "", name=call["name"],
                               status="error")  # fmt: skip
