"""Per-call usage records (seed 000 §3.4: AI 使用次數、Token、成本、類型) and where they go.

Every chat-model call ends in one `UsageRecord` delivered to a `UsageSink`. The recording is a
LangChain callback handler attached to the model itself (a *local* handler), so it fires once per
model call wherever the model runs (graph node, agent loop, API handler) and never for the inner
models of the fallback wrapper. Who is calling (staff, session, usage type) is fixed when the model
is built and may be overridden per call through the run config's metadata, e.g.
`model.ainvoke(msgs, config={"metadata": {"session_id": "..."}})`.

A sink failure is logged, never raised: losing one usage row must not lose the staff's answer.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from uuid import UUID

from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from core.logging import get_logger
from core.metrics import llm_call

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = get_logger(__name__)

USAGE_TYPES = (
    "free_chat",
    "comparison",
    "recommendation",
    "report",
    "escalation_summary",
    "customer_chat",
)
# Key under AIMessage.response_metadata where the fallback wrapper says who really answered.
META_KEY = "switchboard"
_MICRO = Decimal("0.000001")


@dataclass(frozen=True)
class UsageRecord:
    """One model call, shaped like the `ai_usage_logs` row (cost in USD)."""

    usage_type: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost: Decimal
    latency_ms: int
    is_fallback: bool = False
    staff_id: int | None = None
    session_id: str | None = None
    fallback_reason: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@runtime_checkable
class UsageSink(Protocol):
    """Where usage records go; the service wires the database, tests use a list."""

    async def record(self, record: UsageRecord) -> None: ...


class ListUsageSink:
    """Keeps records in memory (tests, evals, offline demos)."""

    def __init__(self) -> None:
        self.records: list[UsageRecord] = []

    async def record(self, record: UsageRecord) -> None:
        self.records.append(record)


class LogUsageSink:
    """Writes each record as an `llm_usage` log line; the default when no sink is wired."""

    async def record(self, record: UsageRecord) -> None:
        log.info(
            "llm_usage",
            usage_type=record.usage_type,
            model=record.model,
            prompt_tokens=record.prompt_tokens,
            completion_tokens=record.completion_tokens,
            cost=str(record.cost),
            latency_ms=record.latency_ms,
            is_fallback=record.is_fallback,
            session_id=record.session_id,
        )


class SqlUsageSink:
    """Writes `ai_usage_logs` rows: one Core INSERT in autocommit, its checkout, statement and
    checkin in one greenlet hop on the engine's sync face (`core.db.engine.sync_faces`); an ORM
    session of `AiUsageRepository` cost ~1.1 ms of CPU a row, on every comparison (issue 24,
    seventh pass). Without an async engine, through `AiUsageRepository` in a transaction.

    Imported lazily so `tools.llm` stays importable where the service database is not (MCP
    children, evals).
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        from core.db.engine import sync_faces

        self._sessions = sessions
        faces = sync_faces(sessions)
        self._autocommit = faces[1] if faces else None

    async def record(self, record: UsageRecord) -> None:
        from core.db.repositories.renewal import AiUsageRepository

        if self._autocommit is not None:
            from sqlalchemy.util import greenlet_spawn

            await greenlet_spawn(_insert_usage, self._autocommit, usage_arguments(record))
            return
        async with self._sessions() as session, session.begin():
            await AiUsageRepository(session).add(**usage_arguments(record))


def usage_arguments(record: UsageRecord) -> dict[str, Any]:
    """A record as `AiUsageRepository.add` and `usage_values` take it."""
    return {
        "usage_type": record.usage_type, "model": record.model, "staff_id": record.staff_id,
        "session_id": record.session_id, "prompt_tokens": record.prompt_tokens,
        "completion_tokens": record.completion_tokens, "cost": record.cost,
        "latency_ms": record.latency_ms, "is_fallback": record.is_fallback,
        "now": record.created_at,
    }  # fmt: skip


def _insert_usage(engine: Engine, arguments: dict[str, Any]) -> None:
    from core.db.repositories.renewal_steps import add_usage, usage_values

    with engine.begin() as connection:  # autocommit: the INSERT alone, no BEGIN and COMMIT
        add_usage(connection, usage_values(**arguments))


def price_for(prices: Mapping[str, tuple[float, float]], model: str) -> tuple[float, float]:
    """USD per 1k (prompt, completion) tokens: exact name, else the longest prefix
    (`gpt-4o-2024-08-06` prices as `gpt-4o`), else free (and say so once)."""
    if model in prices:
        return prices[model]
    matches = [name for name in prices if model.startswith(name)]
    if matches:
        return prices[max(matches, key=len)]
    if model not in _UNPRICED:
        _UNPRICED.add(model)
        log.warning("llm_price_unknown", model=model)
    return (0.0, 0.0)


_UNPRICED: set[str] = set()


def cost_usd(
    prices: Mapping[str, tuple[float, float]],
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
) -> Decimal:
    """Cost of one call in USD, rounded to the column's 6 decimals."""
    per_prompt, per_completion = price_for(prices, model)
    raw = (
        Decimal(str(per_prompt)) * prompt_tokens + Decimal(str(per_completion)) * completion_tokens
    ) / 1000
    return raw.quantize(_MICRO, rounding=ROUND_HALF_UP)


def _as_staff_id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


@dataclass
class _Call:
    started: float
    usage_type: str
    staff_id: int | None
    session_id: str | None


class UsageCallbackHandler(AsyncCallbackHandler):
    """Turns each chat-model run into a `UsageRecord` (tokens from `usage_metadata`).

    `run_inline`: LangChain awaits an inline handler's event in place; any other async handler
    gets an `asyncio.gather`, so a task, for every event, and a streamed reply sends one
    event per token (issue 24: a comparison narrative's 88 tokens cost 8.5-9.8 ms of CPU that
    way and 4.0-4.4 ms inline). Nothing here needs its own task: the sink write at the end was
    awaited by the model run either way."""

    run_inline = True

    def __init__(
        self,
        sink: UsageSink,
        *,
        prices: Mapping[str, tuple[float, float]],
        model: str,
        usage_type: str,
        staff_id: int | None = None,
        session_id: str | None = None,
    ) -> None:
        self.sink = sink
        self.prices = dict(prices)
        self.model = model
        self.usage_type = usage_type
        self.staff_id = staff_id
        self.session_id = session_id
        self._calls: dict[UUID, _Call] = {}

    async def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        meta = metadata or {}
        staff = _as_staff_id(meta.get("staff_id"))
        self._calls[run_id] = _Call(
            started=time.monotonic(),
            usage_type=str(meta.get("usage_type") or self.usage_type),
            staff_id=staff if staff is not None else self.staff_id,
            session_id=str(meta.get("session_id") or "") or self.session_id,
        )

    async def on_llm_end(
        self,
        response: LLMResult,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        call = self._calls.pop(run_id, None)
        if call is None:
            return
        record = self.build_record(response, call)
        llm_call(record)
        try:
            await self.sink.record(record)
        except Exception as exc:  # a lost usage row must not fail the answer
            log.error("llm_usage_record_failed", error=repr(exc), usage_type=record.usage_type)

    async def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._calls.pop(run_id, None)

    def build_record(self, response: LLMResult, call: _Call) -> UsageRecord:
        prompt_tokens, completion_tokens, meta = _usage_of(response)
        found = meta.get(META_KEY)
        ours: dict[str, Any] = found if isinstance(found, dict) else {}
        model = str(ours.get("model") or self.model)
        return UsageRecord(
            usage_type=call.usage_type,
            model=model,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost=cost_usd(self.prices, model, prompt_tokens, completion_tokens),
            latency_ms=round((time.monotonic() - call.started) * 1000),
            is_fallback=bool(ours.get("is_fallback", False)),
            staff_id=call.staff_id,
            session_id=call.session_id,
            fallback_reason=ours.get("fallback_reason"),
        )


def _usage_of(response: LLMResult) -> tuple[int, int, dict[str, Any]]:
    """(prompt, completion, response_metadata) of the first generation; `llm_output` as a
    fallback for providers that report usage only there."""
    generation = response.generations[0][0] if response.generations else None
    if isinstance(generation, ChatGeneration):
        message = generation.message
        meta = dict(message.response_metadata or {})
        usage = getattr(message, "usage_metadata", None)
        if usage:
            return usage["input_tokens"], usage["output_tokens"], meta
    else:
        meta = {}
    token_usage = (response.llm_output or {}).get("token_usage") or {}
    return (
        int(token_usage.get("prompt_tokens", 0)),
        int(token_usage.get("completion_tokens", 0)),
        meta,
    )
