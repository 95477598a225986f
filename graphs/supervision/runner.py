"""`SessionRunner`: how the supervision service runs a session's graph. The service's methods
(service.py) decide *what* happens to a session; this base holds *how* a run happens: whose
tenant it runs as, reading the state a caller may see, resuming or starting, forwarding the
run's events to the publisher and the queue index, and finishing a run even when the caller is
cancelled.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from redis.asyncio import Redis

from core.db.models.tenants import DEFAULT_TENANT
from core.errors import NotFound
from core.metrics import session_event
from graphs.supervision import events as ev
from graphs.supervision.due import SESSION_TENANT
from graphs.supervision.graph import AgentDirectory, AuditReader, utc_now
from graphs.supervision.state import Agent, AgentLike, HistoryItem, agent_ref, public_view
from graphs.supervision.takeover import ClaimStore, SessionIndex, SessionLocks, complete
from graphs.supervision.transitions import SessionStatus

S = SessionStatus
# The tenant of the request being served, set by the API's auth layer from the token: a session
# of another tenant reads as not found (404, never 403). Unset (the due sweeper, Studio, tests
# that drive the service directly): no check.
CALLER_TENANT: ContextVar[str | None] = ContextVar("caller_tenant", default=None)


def visible(values: Mapping[str, Any]) -> bool:
    """Does the calling tenant own this session's state (older sessions: tenant `default`)?"""
    tenant = CALLER_TENANT.get()
    return tenant is None or str(values.get("tenant_id") or DEFAULT_TENANT) == tenant


WAITING = (S.PENDING_MANUAL.value, S.MANUAL_LIVE.value)
DEFAULT_MAX_SESSIONS = 5


@dataclass
class Outcome:
    """A service call's result: the session after it and what the run emitted (to fan out)."""

    session: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    message: HistoryItem | None = None  # the history item written, for message endpoints
    changed: bool = True  # False for an idempotent retry (same agent takes over again)


class SessionRunner:
    """The plumbing every `SupervisionService` call goes through (one graph, one Redis)."""

    def __init__(
        self,
        graph: CompiledStateGraph,
        redis: Redis,
        *,
        key_prefix: str,
        audit: AuditReader,
        agents: AgentDirectory | None = None,
        bus: ev.Publisher | None = None,
        clock: Callable[[], datetime] = utc_now,
        lock_wait_seconds: float = 30.0,
        on_new_conversation: Callable[[], None] | None = None,
    ) -> None:
        self.graph = graph
        # called when a conversation starts, without waiting: the knowledge server's warm-up
        self.on_new_conversation = on_new_conversation
        self.redis = redis
        self.audit = audit
        self.agents = agents
        self.bus = bus
        self.clock = clock
        self.claims = ClaimStore(redis, key_prefix)
        self.locks = SessionLocks(redis, key_prefix, wait_seconds=lock_wait_seconds)
        self.index = SessionIndex(redis, key_prefix)

    # --- plumbing ---------------------------------------------------------------------------

    @staticmethod
    def config(session_name: str) -> RunnableConfig:
        return {"configurable": {"thread_id": session_name}}

    def _now(self) -> int:
        return int(self.clock().timestamp())

    async def _tenant(self, session_name: str, tenant: str | None = None) -> str:
        """Whose keys this call uses, also for what its runs schedule (`SESSION_TENANT`): the
        given tenant, else the caller's (a session of another tenant is 404 under the lock, so
        the caller never touches the owner's keys), else the session's own (the due sweeper,
        Studio and tests run as no tenant; one checkpoint read, outside the lock)."""
        tenant = tenant or CALLER_TENANT.get()
        if not tenant:
            snapshot = await self.graph.aget_state(self.config(session_name))
            tenant = str(snapshot.values.get("tenant_id") or DEFAULT_TENANT)
        SESSION_TENANT.set(tenant)
        return tenant

    async def _state(self, session_name: str) -> dict[str, Any]:
        snapshot = await self.graph.aget_state(self.config(session_name))
        values = snapshot.values
        if not values or not values.get("status") or not visible(values):
            raise NotFound(f"chat session {session_name} not found", code="SESSION_NOT_FOUND")
        return dict(values)

    @staticmethod
    def _payload(state: Mapping[str, Any], event: dict[str, Any]) -> Any:
        """A resume while the graph waits for humans, else a new run."""
        if state["status"] in WAITING:
            return Command(resume=event)
        return {"incoming": event}

    async def _run(self, session_name: str, payload: Any) -> AsyncIterator[ev.Event]:
        """Run the graph (caller holds the session lock), forwarding its events as they come."""
        async for event in self.graph.astream(
            payload, self.config(session_name), stream_mode="custom"
        ):
            if self.bus is not None:
                await self.bus.publish(session_name, event)
            session_event(event)
            yield event
        await self.index.sync(await self._state(session_name))

    async def _events(self, session_name: str, payload: Any) -> list[ev.Event]:
        return [event async for event in self._run(session_name, payload)]

    async def _collect(
        self,
        session_name: str,
        payload: Any,
        then: Callable[[Outcome], Awaitable[None]] | None = None,
    ) -> Outcome:
        """Run to the next pause, then `then` (claim bookkeeping), all to the end even if the
        caller is cancelled: a resume cut off inside `manual` would be replayed by LangGraph on
        the next resume, and a claim must follow the state. An `error` event (the graph refused
        the event and kept waiting) is raised as its typed error."""

        async def work() -> Outcome:
            events = await self._events(session_name, payload)
            failed = next((e for e in events if e["type"] == "error"), None)
            if failed is not None:
                raise ev.as_error(failed)
            outcome = Outcome(session=public_view(await self._state(session_name)), events=events)
            if then is not None:
                await then(outcome)
            return outcome

        return await complete(work())

    async def _agent(self, agent: AgentLike) -> tuple[Agent, int]:
        """The agent and their capacity (given, else the directory, else the default)."""
        ref = agent_ref(agent)
        given = agent.get("max_sessions") if isinstance(agent, Mapping) else None
        if given is not None:
            return ref, int(given)
        if self.agents is not None:
            return ref, await self.agents.max_sessions(ref.id)
        return ref, DEFAULT_MAX_SESSIONS
