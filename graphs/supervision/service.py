"""`SupervisionService`: what the API calls. It owns the order of operations the graph cannot:

1. validate against the status table before touching the thread (typed 4xx errors, no run);
2. claim exactly-once takeovers in Redis *before* resuming (losers never reach the graph);
3. serialise runs per session with a Redis lock (two resumes never race on one thread);
4. run the graph (a new run when `bot_active`, `Command(resume=...)` while waiting), forward its
   custom-stream events (and hand them to the `Publisher`), then refresh the queue index.

Every method returns the seed's `SessionState` view plus the events the run emitted; the
customer's chat turn streams its events instead, ending with `done`.

A session's Redis keys (claim, lock, the queue index, the due items its runs schedule) are its
tenant's (`P:t:<tenant>:sup:...`, takeover.py). The thread id stays the session name: why that
is as safe as a tenant-qualified thread id: docs/tenants.md, "Supervision keys and thread ids".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

from langgraph.types import Command

from core.db.models.tenants import DEFAULT_TENANT
from core.errors import InvalidInput, ManualInProgress, NotFound
from core.logging import get_logger
from core.metrics import takeover_claimed
from graphs.supervision import events as ev
from graphs.supervision.runner import (
    CALLER_TENANT,
    DEFAULT_MAX_SESSIONS,
    WAITING,
    Outcome,
    SessionRunner,
    visible,
)
from graphs.supervision.state import Agent, AgentLike, agent_ref, message_text, public_view
from graphs.supervision.takeover import complete, require_holder
from graphs.supervision.transitions import SessionEvent, SessionStatus, transition

__all__ = ["CALLER_TENANT", "DEFAULT_MAX_SESSIONS", "Outcome", "SupervisionService", "visible"]

log = get_logger(__name__)
E, S = SessionEvent, SessionStatus
REASON_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")


class SupervisionService(SessionRunner):
    """What the API calls: one method per seed action, each checked against the status table
    under the session's lock before the graph runs (runner.py runs it)."""

    # --- customer side ----------------------------------------------------------------------

    async def new_conversation(
        self,
        user_profile: Mapping[str, Any] | None = None,
        *,
        session_name: str | None = None,
        tenant_id: str | None = None,
    ) -> str:
        """Start a session (one LangGraph thread) of `tenant_id` (the graph's default tenant
        when None); an existing `session_name` is returned as is."""
        name = session_name or f"session_{uuid.uuid4().hex[:16]}"
        tenant = await self._tenant(name, tenant_id)
        async with self.locks.hold(name, tenant):
            snapshot = await self.graph.aget_state(self.config(name))
            if snapshot.values.get("status"):
                return name
            profile = dict(user_profile or {})
            start: dict[str, Any] = {"type": "start", "session_name": name,
                                     "user_profile": profile}  # fmt: skip
            if tenant_id is not None:
                start["tenant_id"] = tenant_id
            await self._collect(name, {"incoming": start})
        if self.on_new_conversation is not None:
            self.on_new_conversation()
        return name

    async def send_user_message(
        self, session_name: str, text: str, *, done: bool = True
    ) -> AsyncIterator[ev.Event]:
        """The customer's turn: AI answer (or escalation) while bot_active, stored for the agent
        while pending/live. Streams events and ends with `done` (`done=False` when the SSE
        layer closes streams itself). Errors (not found, closed, busy) raise before the first
        event."""
        text = message_text(text)
        async with self.locks.hold(session_name, await self._tenant(session_name)):
            state = await self._state(session_name)
            transition(state["status"], E.USER_MESSAGE)
            payload = self._payload(state, {"type": "user_message", "content": text})
            if isinstance(payload, Command):  # stored for the agent: must not be cut off
                for item in await complete(self._events(session_name, payload)):
                    yield item
            else:  # the AI's turn streams token by token; a cut-off turn is simply lost
                async for item in self._run(session_name, payload):
                    yield item
        if done:
            yield ev.done()

    async def escalate(
        self, session_name: str, reason: str = "user_request", details: str | None = None
    ) -> Outcome:
        """The customer (or an integration) asks for a human: 409 MANUAL_IN_PROGRESS if one is
        already pending or live. `reason` is a code (user_request, manual_request ...)."""
        if not REASON_CODE.fullmatch(reason):
            raise InvalidInput(f"bad escalation reason {reason!r}", field="reason")
        async with self.locks.hold(session_name, await self._tenant(session_name)):
            state = await self._state(session_name)
            transition(state["status"], E.ESCALATE)
            event = {"type": "escalate", "reason": reason, "details": details}
            return await self._collect(session_name, {"incoming": event})

    async def cancel_escalation(self, session_name: str, operator: str = "user") -> Outcome:
        """The customer stops waiting: pending_manual → bot_active. Any takeover claim of the
        episode is dropped, so no agent can still take over the cancelled escalation (a claim
        in flight fails its epoch check under the lock)."""
        tenant = await self._tenant(session_name)
        async with self.locks.hold(session_name, tenant):
            state = await self._state(session_name)
            transition(state["status"], E.CANCEL_ESCALATION)
            event = {"type": "cancel_escalation", "operator": operator}

            async def drop(_: Outcome) -> None:
                await self.claims.release(session_name, tenant=tenant)

            return await self._collect(session_name, Command(resume=event), drop)

    # --- agent side -------------------------------------------------------------------------

    async def takeover(self, session_name: str, agent: AgentLike) -> Outcome:
        """Exactly one agent wins: Redis claim of (session, epoch) first, then the resume."""
        ref, max_sessions = await self._agent(agent)
        state = await self._state(session_name)
        tenant = await self._tenant(session_name, str(state.get("tenant_id") or DEFAULT_TENANT))
        if self._holds(state, ref):
            return Outcome(session=public_view(state), changed=False)
        transition(state["status"], E.TAKEOVER)
        epoch = self._episode(state)
        fresh = await self.claims.claim(session_name, ref.id, epoch, max_sessions, tenant=tenant)
        try:
            async with self.locks.hold(session_name, tenant):
                state = await self._state(session_name)
                if self._holds(state, ref):
                    return Outcome(session=public_view(state), changed=False)
                transition(state["status"], E.TAKEOVER)
                if self._episode(state) != epoch:
                    raise ManualInProgress("the session changed while claiming; reload the queue")
                event = {"type": "takeover", "agent": ref.model_dump()}

                async def confirm(outcome: Outcome) -> None:
                    if outcome.session["status"] != S.MANUAL_LIVE.value:
                        raise ManualInProgress("the takeover was not accepted")
                    takeover_claimed(state, self.clock().timestamp())
                    if not await self.claims.confirm(session_name, ref.id, epoch, tenant=tenant):
                        log.warning("supervision_claim_repaired", session=session_name,
                                    agent=ref.id)  # fmt: skip

                return await self._collect(session_name, self._payload(state, event), confirm)
        except BaseException:
            if fresh and not self._holds(await self._state(session_name), ref):
                await self.claims.release(session_name, ref.id, tenant=tenant)
            raise

    @staticmethod
    def _holds(state: Mapping[str, Any], agent: Agent) -> bool:
        assigned = state.get("assigned_agent") or {}
        return state.get("status") == S.MANUAL_LIVE.value and assigned.get("id") == agent.id

    @staticmethod
    def _episode(state: Mapping[str, Any]) -> int:
        """The epoch a takeover claims: the pending one, or the next for a proactive takeover."""
        epoch = int(state.get("escalation_epoch", 0))
        return epoch + 1 if state.get("status") == S.BOT_ACTIVE.value else epoch

    async def agent_message(self, session_name: str, agent: AgentLike, text: str) -> Outcome:
        """Only the assigned agent, only while manual_live."""
        ref, text = agent_ref(agent), message_text(text)
        async with self.locks.hold(session_name, await self._tenant(session_name)):
            state = await self._state(session_name)
            transition(state["status"], E.AGENT_MESSAGE)
            require_holder(state.get("assigned_agent"), ref.id)
            event = {"type": "agent_message", "agent": ref.model_dump(), "content": text}
            outcome = await self._collect(session_name, Command(resume=event))
        outcome.message = outcome.session["history"][-1] if outcome.session["history"] else None
        return outcome

    async def transfer(
        self, session_name: str, from_agent: AgentLike, to_agent: AgentLike
    ) -> Outcome:
        """Hand a live chat to another agent; the claim moves with it (capacity checked)."""
        giver = agent_ref(from_agent)
        taker, max_sessions = await self._agent(to_agent)
        if giver.id == taker.id:
            raise InvalidInput("cannot transfer a chat to the agent who holds it")
        tenant = await self._tenant(session_name)
        async with self.locks.hold(session_name, tenant):
            state = await self._state(session_name)
            transition(state["status"], E.TRANSFER)
            require_holder(state.get("assigned_agent"), giver.id)
            await self.claims.transfer(session_name, giver.id, taker.id, max_sessions,
                                       tenant=tenant)  # fmt: skip
            event = {"type": "transfer", "agent": giver.model_dump(),
                     "to_agent": taker.model_dump()}  # fmt: skip
            try:
                return await self._collect(session_name, Command(resume=event))
            except BaseException:
                if not self._holds(await self._state(session_name), taker):
                    await self.claims.transfer(session_name, taker.id, giver.id, 10**6,
                                               tenant=tenant)  # fmt: skip
                raise

    async def release(
        self, session_name: str, agent: AgentLike, reason: str = "resolved"
    ) -> Outcome:
        """Back to the AI with the released notice; the claim and capacity slot are freed."""
        ref = agent_ref(agent)
        tenant = await self._tenant(session_name)
        async with self.locks.hold(session_name, tenant):
            state = await self._state(session_name)
            transition(state["status"], E.RELEASE)
            require_holder(state.get("assigned_agent"), ref.id)
            event = {"type": "release", "agent": ref.model_dump(), "reason": reason}

            async def free(_: Outcome) -> None:
                await self.claims.release(session_name, ref.id, tenant=tenant)

            return await self._collect(session_name, Command(resume=event), free)

    async def close(
        self, session_name: str, operator: str = "system", *, agent: AgentLike | None = None
    ) -> Outcome:
        """Any status → closed (terminal); the claim and the agent's capacity slot are freed.
        `agent`: an agent closing a live chat must hold it (customers and admins pass None)."""
        tenant = await self._tenant(session_name)
        async with self.locks.hold(session_name, tenant):
            state = await self._state(session_name)
            transition(state["status"], E.CLOSE)
            if agent is not None and state["status"] == S.MANUAL_LIVE.value:
                require_holder(state.get("assigned_agent"), agent_ref(agent).id)
            event = {"type": "close", "operator": operator}

            async def free(_: Outcome) -> None:
                await self.claims.release(session_name, tenant=tenant)

            return await self._collect(session_name, self._payload(state, event), free)

    # --- reads ------------------------------------------------------------------------------

    async def get_session(self, session_name: str) -> dict[str, Any]:
        """`{"session": SessionState (last 50 messages), "audit_trail": [...], "inbox": ...}`;
        `inbox` is the pending Agent Inbox request (None when the AI has the chat)."""
        snapshot = await self.graph.aget_state(self.config(session_name))
        values = snapshot.values
        if not values or not values.get("status") or not visible(values):
            raise NotFound(f"chat session {session_name} not found", code="SESSION_NOT_FOUND")
        inbox = next((i.value for task in snapshot.tasks for i in task.interrupts), None)
        return {
            "session": public_view(snapshot.values),
            "audit_trail": await self.audit.trail(session_name),
            "inbox": inbox,
        }

    async def list_sessions(
        self, status: str | None = None, *, offset: int = 0, limit: int = 50
    ) -> dict[str, Any]:
        """The agents' queue: `{items: [SessionSummary], total}`; pending oldest first."""
        if status is not None:
            status = SessionStatus(status).value
        return await self.index.list(status, now=self._now(), offset=offset, limit=limit,
                                     tenant=CALLER_TENANT.get())  # fmt: skip

    async def apply_due(self, item: Mapping[str, Any]) -> None:
        """A due item (due.py): a delayed auto-reply, or a timeout check while a human is
        involved; nothing happens to a closed chat or a check the chat has moved past."""
        name = str(item["session_name"])
        if item.get("kind") == "deliver":
            event = {"type": "auto_reply", "rule_type": item["rule_type"],
                     "content": item["content"]}  # fmt: skip
        else:
            event = {"type": "timeout_check", "since": int(item["since"])}
        # The sweeper serves every tenant from one task: no caller while the session's own
        # tenant is looked up, that tenant as the caller for the run (its events reach that
        # tenant's workbench), and the sweeper's context as it was afterwards, so the next
        # item, maybe another tenant's, is not taken for a stranger's (404, dropped).
        before = CALLER_TENANT.set(None)
        try:
            tenant = await self._tenant(name)
            async with self.locks.hold(name, tenant):
                state = await self._state(name)
                CALLER_TENANT.set(tenant)
                status = state["status"]
                moot = event["type"] != "auto_reply" and status not in WAITING
                if status == S.CLOSED.value or moot:
                    return
                await self._collect(name, self._payload(state, event))
        finally:
            CALLER_TENANT.reset(before)

    async def sessions_of(self, agent_id: str, tenant: str | None = None) -> set[str]:
        """Sessions an agent of `tenant` (None: the caller's) holds (their capacity use)."""
        tenant = tenant or CALLER_TENANT.get() or DEFAULT_TENANT
        return await self.claims.sessions_of(agent_id, tenant=tenant)
