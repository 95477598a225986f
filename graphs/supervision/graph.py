"""The supervision graph's wiring and what it needs from outside (narrow protocols).

    START → receive ─┬→ policy → answer ─┬→ END
                     │           └───────┴→ escalate ─┬→ manual ⟲ (one interrupt per event) → END
                     ├→ escalate                      └→ END (off hours: auto-reply + mail)
                     ├→ manual (proactive takeover / close)
                     └→ END (new conversation)

Returned uncompiled: the service compiles it with the Redis checkpointer, Studio with its own.
Routing is done by the nodes' `Command(goto=...)`; `destinations` only draw the diagram.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from langgraph.graph import END, START, StateGraph
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models.accounts import UserRole
from core.db.repositories.accounts import UserRepository
from core.db.repositories.audit import AuditRepository
from core.errors import NotFound
from graphs.supervision.auto_reply import Rule
from graphs.supervision.availability import Availability
from graphs.supervision.due import DueQueue
from graphs.supervision.intent import IntentMatcher
from graphs.supervision.knowledge import KnowledgeSearch
from graphs.supervision.outbox import Outbox
from graphs.supervision.rules import PolicyRules
from graphs.supervision.sentiment import DEFAULT_SCORER, SentimentScorer
from graphs.supervision.shift import ShiftConfig
from graphs.supervision.state import SupervisionState

# What the customer-facing AI may call: reads only, nothing about a specific customer.
AI_TOOLS: Final[tuple[str, ...]] = ("search_promotions", "get_plan_details")


async def provide(provider: Callable[[], Any]) -> Any:
    """Call a sync or async provider (admins change shift hours and rules at run time)."""
    value = provider()
    return await value if inspect.isawaitable(value) else value


def _takes_argument(provider: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(provider).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
               for p in params)  # fmt: skip


async def provide_for(provider: Callable[..., Any], tenant_id: str) -> Any:
    """A per-tenant provider (ShiftStore.current) gets the session's tenant; one without a
    parameter (a fixed config in tests and Studio files) serves every tenant alike."""
    value = provider(tenant_id) if _takes_argument(provider) else provider()
    return await value if inspect.isawaitable(value) else value


class AuditWriter(Protocol):
    """Appends one `audit_trail` row for a chat session (entity_type "chat_session")."""

    async def record(
        self,
        session_name: str,
        *,
        status_from: str,
        status_to: str,
        operator: str,
        reason: str,
        detail: Mapping[str, Any] | None,
        at: int,
    ) -> None: ...


class NoAudit:
    """For Studio and graph-only tests: audit lines are kept in memory."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def record(self, session_name: str, **row: Any) -> None:
        self.rows.append({"session_name": session_name, **row})


class SqlAuditTrail:
    """`audit_trail` rows (entity_type "chat_session") in the service database: write and read."""

    ENTITY: Final = "chat_session"

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def record(
        self,
        session_name: str,
        *,
        status_from: str,
        status_to: str,
        operator: str,
        reason: str,
        detail: Mapping[str, Any] | None,
        at: int,
    ) -> None:
        async with self.sessions.begin() as db:
            await AuditRepository(db).append(
                self.ENTITY, session_name, operator=operator, status_from=status_from,
                status_to=status_to, reason=reason, detail=detail,
                now=datetime.fromtimestamp(at, UTC),
            )  # fmt: skip

    async def trail(self, session_name: str) -> list[dict[str, Any]]:
        """The seed's `audit_trail`, oldest first, timestamps in UTC seconds."""
        async with self.sessions() as db:
            rows = await AuditRepository(db).list_for(self.ENTITY, session_name)
        return [
            {"status_from": r.status_from, "status_to": r.status_to, "operator": r.operator,
             "reason": r.reason, "detail": r.detail, "timestamp": _seconds(r.created_at)}
            for r in rows
        ]  # fmt: skip


class AgentDirectory(Protocol):
    async def max_sessions(self, agent_id: str) -> int:
        """How many live chats the agent may hold; NotFound for an unknown agent."""
        ...


class SqlAgentDirectory:
    """Agents are `users` rows (role agent/admin); `max_sessions` is their capacity."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def max_sessions(self, agent_id: str) -> int:
        async with self.sessions() as db:
            user = await UserRepository(db).get_by_login(agent_id)
        if user is None or user.role not in (UserRole.AGENT.value, UserRole.ADMIN.value):
            raise NotFound(f"agent {agent_id} not found", code="AGENT_NOT_FOUND")
        return user.max_sessions


class AutoReplySource(Protocol):
    async def rules(self, tenant_id: str) -> Sequence[Rule]:
        """A tenant's auto-reply rules (cached; see tool_cache.SqlAutoReplies)."""
        ...


class AuditReader(Protocol):
    async def trail(self, session_name: str) -> list[dict[str, Any]]: ...


def _seconds(at: datetime) -> int:
    return int((at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp())


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SupervisionDeps:
    # (usage_type "customer_chat" | "escalation_summary", state) → chat model (or an awaitable
    # of one: the production factory looks up the session's tenant's model settings)
    chat_model: Callable[[str, Mapping[str, Any]], BaseChatModel | Awaitable[BaseChatModel]]
    audit: AuditWriter
    outbox: Outbox
    tools: Sequence[BaseTool] = ()  # filtered to AI_TOOLS
    # the shift hours; called with the session's tenant when it takes an argument (provide_for)
    shift: Callable[..., ShiftConfig | Awaitable[ShiftConfig]] = ShiftConfig
    rules: Callable[[], PolicyRules | Awaitable[PolicyRules]] = PolicyRules
    scorer: SentimentScorer = DEFAULT_SCORER
    # the semantic layer of the escalation policy (nearest examples); None: rules only
    matcher: IntentMatcher | None = None
    clock: Callable[[], datetime] = utc_now
    ai_timeout_seconds: float = 30.0  # a whole AI turn, tools included
    summary_timeout_seconds: float = 20.0
    max_tool_rounds: int = 3
    history_for_model: int = 20  # messages the AI sees
    # auto-reply rules (seed 003 v3.0); None: no rules (Studio without a database, unit tests)
    auto_replies: AutoReplySource | None = None
    availability: Availability | None = None  # busy / queue position for busy and queue rules
    due: DueQueue | None = None  # delayed replies and timeout checks; None: reply at once
    # the knowledge base the AI answers from (cited); None: no knowledge base (Studio, tests)
    knowledge: KnowledgeSearch | None = None
    knowledge_tenant: str = "default"  # KNOWLEDGE_TENANT: sessions without a tenant_id
    knowledge_top_k: int = 3  # hits the model sees when the question is answerable


def build_supervision_graph(deps: SupervisionDeps) -> StateGraph:
    from graphs.supervision.nodes import SupervisionNodes  # nodes import this module

    nodes = SupervisionNodes(deps)
    graph = StateGraph(SupervisionState)
    graph.add_node("receive", nodes.receive, destinations=("policy", "escalate", "manual", END))
    graph.add_node("policy", nodes.policy, destinations=("answer", "escalate"))
    graph.add_node("answer", nodes.answer, destinations=("escalate", END))
    graph.add_node("escalate", nodes.escalate, destinations=("manual", END))
    graph.add_node("manual", nodes.manual, destinations=("manual", END))
    graph.add_edge(START, "receive")
    return graph
