"""Degraded mode: when the real model is slow or down, the offline model answers instead.

`FallbackChatModel` is itself a chat model (tool binding, streaming, agents all work) wrapping a
*primary* (Azure OpenAI / OpenAI-compatible) and a *fallback* (`OfflineChatModel`).

The deadline (`LLM_FALLBACK_AFTER_SECONDS`, 3 s) is **time to the first streamed chunk**, not
time to the whole answer: the primary is always called in streaming mode, so a long but healthy
answer (a report takes 5-10 s) is never cut off, while a model that has not started answering
within 3 s (or fails: 5xx after retries, connection error, 429, ...) is abandoned for the offline
answer. Each fallback is logged (`llm_fallback` with its reason), counted in
`switchboard_llm_fallbacks_total{reason}` and marked in the answer's
`response_metadata["switchboard"]` (`is_fallback`, `fallback_reason`, `model`; written by
`fallback_meta` only), which the usage handler turns into `is_fallback=True` and callers read with
`is_degraded(message)`: a degraded answer is an answer, but not the configured model's (the
supervision graph counts it as an AI failure).

After the first chunk:
* `ainvoke` (nothing has reached the caller yet) buffers the primary's answer; a failure while
  buffering still falls back to the offline answer.
* `astream` has already handed tokens to the caller and cannot take them back, so a failure
  after the first chunk is logged (`llm_stream_interrupted`) and raised to the caller.

A small circuit breaker per endpoint skips the primary for a cool-down after repeated failures,
so staff do not wait 3 s on every message while Azure is down.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import httpx
from langchain_core.callbacks import (
    AsyncCallbackManager,
    AsyncCallbackManagerForLLMRun,
    CallbackManager,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool

from core.logging import get_logger
from core.metrics import LLM_FALLBACKS
from tools.llm.offline import OFFLINE_MODEL
from tools.llm.usage import META_KEY

log = get_logger(__name__)

FALLBACKS = LLM_FALLBACKS  # switchboard_llm_fallbacks_total{reason}, defined in core.metrics
NOSTREAM = "nostream"  # LangGraph's tag: keep inner runs out of stream_mode="messages"


def classify(error: BaseException) -> str:
    """A short, bounded label for metrics (never the message: unbounded cardinality).

    The OpenAI SDK is looked up, not imported: it loads only with a real provider (0.8 s of
    every process start otherwise), and without it no error can be one of its types."""
    openai: Any = sys.modules.get("openai")
    timeouts: tuple[type[BaseException], ...] = (TimeoutError, httpx.TimeoutException)
    connections: tuple[type[BaseException], ...] = (httpx.TransportError, ConnectionError)
    if openai is not None:
        timeouts += (openai.APITimeoutError,)
        connections += (openai.APIConnectionError,)
    if isinstance(error, timeouts):
        return "timeout"
    if isinstance(error, connections):
        return "connection"
    if openai is not None and isinstance(error, openai.RateLimitError):
        return "rate_limited"
    if openai is not None and isinstance(error, openai.APIStatusError):
        return "server_error" if error.status_code >= 500 else "client_error"
    return "error"


class CircuitBreaker:
    """Open after `threshold` consecutive failures; after `cooldown_seconds` one trial call is
    let through (a failure re-opens at once, a success closes)."""

    def __init__(
        self,
        threshold: int = 3,
        cooldown_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.cooldown_seconds = cooldown_seconds
        self._clock = clock
        self.failures = 0
        self.open_until = 0.0

    def allow(self) -> bool:
        return self._clock() >= self.open_until

    def success(self) -> None:
        self.failures = 0
        self.open_until = 0.0

    def failure(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.open_until = self._clock() + self.cooldown_seconds


_BREAKERS: dict[str, CircuitBreaker] = {}


def breaker_for(key: str) -> CircuitBreaker:
    """The process-wide breaker of one endpoint (models are built per request, state is not)."""
    return _BREAKERS.setdefault(key, CircuitBreaker())


def reset_breakers() -> None:
    _BREAKERS.clear()


def _as_chunk(message: BaseMessage) -> ChatGenerationChunk:
    """An inner chunk re-emitted by the wrapper; its `chunk_position` is dropped because the
    wrapper ends the stream with its own metadata chunk."""
    if isinstance(message, AIMessageChunk):
        chunk = message.model_copy(update={"chunk_position": None})
    else:
        chunk = AIMessageChunk(content=message.content, id=message.id)
    return ChatGenerationChunk(message=chunk)


def fallback_meta(model: str, *, is_fallback: bool, reason: str | None = None) -> dict[str, Any]:
    """The one place an answer is marked: who answered and whether it was the fallback."""
    return {META_KEY: {"model": model, "is_fallback": is_fallback, "fallback_reason": reason}}


def is_degraded(message: BaseMessage) -> bool:
    """Whether `message` came from the offline fallback instead of the configured model."""
    found = message.response_metadata.get(META_KEY)
    return isinstance(found, dict) and bool(found.get("is_fallback"))


def _final(model: str, *, is_fallback: bool, reason: str | None = None) -> ChatGenerationChunk:
    meta = fallback_meta(model, is_fallback=is_fallback, reason=reason)
    return ChatGenerationChunk(
        message=AIMessageChunk(content="", response_metadata=meta, chunk_position="last")
    )


class FallbackChatModel(BaseChatModel):
    """Primary model with a first-chunk deadline and an offline fallback (see module doc)."""

    primary: Runnable[LanguageModelInput, BaseMessage]
    fallback: Runnable[LanguageModelInput, BaseMessage]
    fallback_after_seconds: float = 3.0
    primary_model: str = "gpt-4o"  # the name usage records and prices use
    fallback_model: str = OFFLINE_MODEL
    breaker: CircuitBreaker | None = None
    # why the primary cannot be called at all (a tenant's key variable unset: "key_missing"):
    # every call is a fallback with this reason
    unavailable: str | None = None

    @property
    def _llm_type(self) -> str:
        return "switchboard-fallback"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"primary_model": self.primary_model, "fallback_model": self.fallback_model}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind the tools to both models, each in its own format."""
        inner = []
        for model in (self.primary, self.fallback):
            if not isinstance(model, BaseChatModel):
                raise TypeError("tools are already bound to this model")
            inner.append(model.bind_tools(tools, tool_choice=tool_choice, **kwargs))
        return self.model_copy(update={"primary": inner[0], "fallback": inner[1]})

    def _falling_back(self, reason: str, error: BaseException | None, started: float) -> None:
        """Breaker, metric and log line of one fallback."""
        if self.breaker is not None and reason not in ("circuit_open", self.unavailable):
            self.breaker.failure()
        FALLBACKS.labels(reason=reason).inc()
        log.warning(
            "llm_fallback",
            reason=reason,
            error=repr(error) if error else None,
            model=self.primary_model,
            elapsed_ms=round((time.monotonic() - started) * 1000),
        )

    @staticmethod
    def _child_config(run_manager: AsyncCallbackManagerForLLMRun | None) -> RunnableConfig:
        # Inner runs are children in traces but hidden from LangGraph's token stream: the
        # wrapper already re-emits every chunk, so the UI must not see them twice.
        if run_manager is None:
            return {"callbacks": []}
        child = AsyncCallbackManager(handlers=[], parent_run_id=run_manager.run_id)
        child.set_handlers(run_manager.inheritable_handlers)
        child.add_tags(run_manager.inheritable_tags)
        child.add_metadata(run_manager.inheritable_metadata)
        child.add_tags([NOSTREAM], inherit=False)
        return {"callbacks": child}

    async def _chunks(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        run_manager: AsyncCallbackManagerForLLMRun | None,
        *,
        buffered: bool,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        started = time.monotonic()
        reason: str | None = None
        error: BaseException | None = None
        if self.unavailable is not None:
            reason = self.unavailable
        elif self.breaker is not None and not self.breaker.allow():
            reason = "circuit_open"
        else:
            stream = self.primary.astream(
                messages, config=self._child_config(run_manager), stop=stop, **kwargs
            )
            try:
                first: BaseMessage | None = None
                rest: list[BaseMessage] = []
                try:
                    async with asyncio.timeout(self.fallback_after_seconds):
                        first = await anext(stream, None)
                    if first is None:
                        reason = "empty_response"
                    elif buffered:
                        rest = [chunk async for chunk in stream]
                except Exception as exc:
                    reason, error = classify(exc), exc
                if reason is None and first is not None:
                    if self.breaker is not None:
                        self.breaker.success()
                    for message in (first, *rest):
                        yield _as_chunk(message)
                    if not buffered:
                        try:
                            async for message in stream:
                                yield _as_chunk(message)
                        except Exception as exc:
                            log.error(
                                "llm_stream_interrupted", error=repr(exc), model=self.primary_model
                            )
                            raise
                    yield _final(self.primary_model, is_fallback=False)
                    return
            finally:
                aclose = getattr(stream, "aclose", None)
                if aclose is not None:
                    await aclose()
        self._falling_back(reason or "error", error, started)
        async for message in self.fallback.astream(
            messages, config=self._child_config(run_manager), stop=stop, **kwargs
        ):
            yield _as_chunk(message)
        yield _final(self.fallback_model, is_fallback=True, reason=reason)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        async for chunk in self._chunks(messages, stop, run_manager, buffered=False, **kwargs):
            yield chunk

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        chunks = [
            chunk
            async for chunk in self._chunks(messages, stop, run_manager, buffered=True, **kwargs)
        ]
        return generate_from_stream(iter(chunks))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        """Sync callers (scripts, notebooks): falls back on errors only; the first-chunk
        deadline needs the async API (a sync call cannot be abandoned mid-request)."""
        started = time.monotonic()
        config: RunnableConfig = {"callbacks": _sync_child(run_manager)}
        reason: str | None = self.unavailable
        if reason is None and self.breaker is not None and not self.breaker.allow():
            reason = "circuit_open"
        error: BaseException | None = None
        if reason is None:
            try:
                message = self.primary.invoke(messages, config=config, stop=stop, **kwargs)
            except Exception as exc:
                reason, error = classify(exc), exc
            else:
                if self.breaker is not None:
                    self.breaker.success()
                return _result(message, self.primary_model, is_fallback=False)
        self._falling_back(reason, error, started)
        message = self.fallback.invoke(messages, config=config, stop=stop, **kwargs)
        return _result(message, self.fallback_model, is_fallback=True, reason=reason)


def _sync_child(run_manager: CallbackManagerForLLMRun | None) -> CallbackManager | list[Any]:
    if run_manager is None:
        return []
    child = CallbackManager(handlers=[], parent_run_id=run_manager.run_id)
    child.set_handlers(run_manager.inheritable_handlers)
    child.add_tags(run_manager.inheritable_tags)
    child.add_metadata(run_manager.inheritable_metadata)
    child.add_tags([NOSTREAM], inherit=False)
    return child


def _result(
    message: BaseMessage, model: str, *, is_fallback: bool, reason: str | None = None
) -> ChatResult:
    meta = fallback_meta(model, is_fallback=is_fallback, reason=reason)
    tagged = message.model_copy(update={"response_metadata": {**message.response_metadata, **meta}})
    return ChatResult(generations=[ChatGeneration(message=tagged)])
