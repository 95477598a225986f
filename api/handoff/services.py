"""The agent side over HTTP: who acts, then the supervision service (which owns every rule).

Agents act as themselves (`agent_id` = the login's numeric `agent.id` or their username; the
chat records the username and display name); an admin may act for another agent by naming
`agent_id` (a supervisor releasing or re-assigning a chat).
Customers reach the shared routes with their session token (their own session only).
Events need no handling here: the service publishes each one to the event hub.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth.services import Principal
from api.chat.access import Caller
from api.chat.services import Archive, ChatService
from api.handoff.streams import tail_id
from api.realtime.hub import EventHub, session_channel
from api.tags.services import sessions_tagged, tags_of_sessions
from core.db.models import DEFAULT_TENANT, UserRole
from core.db.repositories.accounts import UserRepository
from core.errors import Conflict, Forbidden, NotFound
from graphs.supervision.graph import SqlAuditTrail
from graphs.supervision.outbox import (
    MAIL_NOT_CONFIGURED,
    MailHandoff,
    RedisOutbox,
    mail_verdict,
)
from graphs.supervision.service import SupervisionService
from graphs.supervision.shift import is_on_duty
from graphs.supervision.shift_store import ShiftStore
from graphs.supervision.transitions import SessionStatus

AGENT_ROLES: Final = (UserRole.AGENT.value, UserRole.ADMIN.value)
STATUS_RANK: Final = {"pending_manual": 0, "manual_live": 1, "bot_active": 2, "closed": 3}
MAIL_TTL_SECONDS: Final = 35 * 86_400


class HandoffService:
    def __init__(
        self,
        supervision: SupervisionService,
        chat: ChatService,
        hub: EventHub,
        shift: ShiftStore,
        redis: Redis,
        sessions: async_sessionmaker[AsyncSession],
        prefix: str,
    ) -> None:
        self.supervision, self.chat, self.hub, self.shift = supervision, chat, hub, shift
        self.redis, self.sessions = redis, sessions
        self.outbox = RedisOutbox(redis, prefix)
        self.audit = SqlAuditTrail(sessions)
        self.archive: Archive | None = None  # set by api.history.dependencies.install_history

    async def _archived(self, session_name: str, session: dict[str, Any]) -> dict[str, Any]:
        """`session` after the step has been archived for history (never fails the step)."""
        if self.archive is not None:
            await self.archive.record(session_name)
        return session

    # --- who acts ---------------------------------------------------------------------------
    async def agent_of(
        self, principal: Principal, agent_id: str | int | None = None
    ) -> dict[str, str]:
        """`{"id", "name"}` of the acting agent: the caller, or (admins only) `agent_id`. An
        `agent_id` is the login's numeric `agent.id` (seed 003) or the username."""
        if agent_id is None or names_caller(principal, agent_id):
            async with self.sessions() as db:
                user = await UserRepository(db).get(principal.user_id)
            if user is None:
                raise NotFound("your account no longer exists", code="AGENT_NOT_FOUND")
            return {"id": user.username, "name": user.display_name}
        if principal.role != UserRole.ADMIN.value:
            raise Forbidden("agents act as themselves; agent_id must be yours or omitted")
        return await self.named_agent(agent_id)

    async def named_agent(self, agent_id: str | int) -> dict[str, str]:
        """An active agent/admin by numeric id or username (404 AGENT_NOT_FOUND otherwise)."""
        async with self.sessions() as db:
            users = UserRepository(db)
            user = None if isinstance(agent_id, int) else await users.get_by_login(agent_id)
            if user is None and str(agent_id).isdigit() and int(agent_id) < 2**31:
                user = await users.get(int(agent_id))
        if user is None or not user.is_active or user.role not in AGENT_ROLES:
            raise NotFound(f"agent {agent_id} not found", code="AGENT_NOT_FOUND")
        return {"id": user.username, "name": user.display_name}

    # --- shared with customers --------------------------------------------------------------
    async def session(self, caller: Caller, session_name: str) -> dict[str, Any]:
        """SessionState (last 50 messages) and audit trail; `last_event_id` is the session
        stream's position read *before* the state, for a gap-free `Last-Event-ID` resume."""
        caller.require_session(session_name)
        position = await tail_id(self.hub, session_channel(session_name, caller.tenant))
        found = await self.supervision.get_session(session_name)
        session = found["session"]
        tagged = await tags_of_sessions(self.sessions, caller.tenant, [session_name])
        session["tags"] = [tag["name"] for tag in tagged.get(session_name, [])]
        mail = await self._mail_record(session_name, caller.tenant)
        if mail and int(mail["sent_at"]) > int((session.get("mail") or {}).get("sent_at") or 0):
            session["mail"] = mail
        data = {"session": session, "audit_trail": found["audit_trail"], "last_event_id": position}
        if not caller.is_customer:
            data["inbox"] = found["inbox"]
        return data

    async def escalate(
        self, caller: Caller, session_name: str, reason: str, details: str | None
    ) -> dict[str, Any]:
        caller.require_session(session_name)
        outcome = await self.supervision.escalate(session_name, reason, details)
        return await self._archived(session_name, outcome.session)

    async def cancel(self, caller: Caller, session_name: str) -> dict[str, Any]:
        """pending_manual → bot_active: the customer stops waiting (an agent may do it for
        them); 409 INVALID_TRANSITION in any other status, SESSION_CLOSED once closed."""
        caller.require_session(session_name)
        operator = "user" if caller.is_customer else caller.require_agent().username
        outcome = await self.supervision.cancel_escalation(session_name, operator)
        return await self._archived(session_name, outcome.session)

    async def close(self, caller: Caller, session_name: str) -> dict[str, Any]:
        """Any status → closed. The customer always may; an agent only a chat they hold when
        it is live (403 NOT_ASSIGNED_AGENT), an admin any."""
        caller.require_session(session_name)
        if caller.is_customer:
            outcome = await self.supervision.close(session_name, "user")
        else:
            principal = caller.require_agent()
            agent = None if caller.is_admin else {"id": principal.username, "name": ""}
            outcome = await self.supervision.close(session_name, principal.username, agent=agent)
        return await self._archived(session_name, outcome.session)

    async def user_message(
        self, caller: Caller, session_name: str, content: str, ip: str
    ) -> dict[str, Any]:
        """Seed: role=user only while manual_live; stored and pushed as `manual_message`."""
        turn = await self.chat.begin(caller, session_name, content, ip, live_only=True)
        await self.chat.run(turn)
        history = (await self.chat.state(session_name)).get("history") or []
        item = next(
            (
                m
                for m in reversed(history)
                if m.get("role") == "user" and m.get("content") == turn.text
            ),
            None,
        )
        if item is None:  # pragma: no cover - the run stored it or raised
            raise Conflict("the message was not stored", code="MESSAGE_NOT_STORED")
        return {"message_id": item["id"], "timestamp": item["timestamp"]}

    async def email(self, caller: Caller, session_name: str, force: bool) -> dict[str, Any]:
        """Off-hours handoff by mail: refused while agents are on duty (unless an agent forces
        it) and when one was already sent in this off-duty stretch."""
        caller.require_session(session_name)
        if force and caller.is_customer:
            raise Forbidden("only agents may force a mail handoff")
        state = await self.chat.state(session_name)
        if state["status"] == SessionStatus.CLOSED.value:
            raise Conflict("the chat is closed", code="SESSION_CLOSED")
        tenant = str(state.get("tenant_id") or DEFAULT_TENANT)
        shift, at = await self.shift.current(tenant), datetime.now(UTC)
        if not force and is_on_duty(shift, at):
            raise Conflict("agents are on duty: wait in the queue instead", code="ON_DUTY")
        previous = await self._mail_record(session_name, tenant) or state.get("mail") or {}
        verdict = mail_verdict(previous, shift, at, force=force)
        if verdict == "not_configured":
            raise Conflict(
                "no handoff address configured (shift email_to)", code=MAIL_NOT_CONFIGURED
            )
        if verdict == "already_sent":
            raise Conflict(
                "a mail handoff was already sent for this off-duty period",
                code="MAIL_ALREADY_SENT",
                mail_id=previous.get("mail_id"),
            )
        now = int(at.timestamp())
        mail_id = await self.outbox.send(MailHandoff.for_session(state, shift.email_to, now))
        record = {
            "sent": True,
            "email_to": list(shift.email_to),
            "mail_id": mail_id,
            "sent_at": now,
        }
        key = self.outbox.mail_record_key(session_name, tenant)
        await self.redis.set(key, json.dumps(record), ex=MAIL_TTL_SECONDS)
        operator = "user" if caller.is_customer else caller.require_agent().username
        await self.audit.record(
            session_name,
            status_from=state["status"],
            status_to=state["status"],
            operator=operator,
            reason="after_hours_email",
            at=now,
            detail={"event": "email", "mail_id": mail_id, "forced": force},
        )
        return record

    async def _mail_record(self, session_name: str, tenant: str) -> dict[str, Any] | None:
        raw: Any = await self.redis.get(self.outbox.mail_record_key(session_name, tenant))
        return json.loads(raw) if raw else None

    # --- agents only ------------------------------------------------------------------------
    async def agent_message(
        self, principal: Principal, session_name: str, content: str, agent_id: str | int | None
    ) -> dict[str, Any]:
        agent = await self.agent_of(principal, agent_id)
        outcome = await self.supervision.agent_message(session_name, agent, content)
        await self._archived(session_name, outcome.session)
        message = outcome.message or {}
        return {"message_id": message.get("id"), "timestamp": message.get("timestamp")}

    async def takeover(
        self, principal: Principal, session_name: str, agent_id: str | int | None
    ) -> dict[str, Any]:
        agent = await self.agent_of(principal, agent_id)
        outcome = await self.supervision.takeover(session_name, agent)
        if outcome.changed:
            await self._archived(session_name, outcome.session)
        return {"session": outcome.session, "changed": outcome.changed}

    async def transfer(
        self,
        principal: Principal,
        session_name: str,
        to_agent_id: str | int,
        from_agent_id: str | int | None,
    ) -> dict[str, Any]:
        giver = await self.agent_of(principal, from_agent_id)
        taker = await self.named_agent(to_agent_id)
        outcome = await self.supervision.transfer(session_name, giver, taker)
        return await self._archived(session_name, outcome.session)

    async def release(
        self, principal: Principal, session_name: str, agent_id: str | int | None, reason: str
    ) -> dict[str, Any]:
        agent = await self.agent_of(principal, agent_id)
        outcome = await self.supervision.release(session_name, agent, reason)
        return await self._archived(session_name, outcome.session)

    async def queue(
        self,
        tenant: str,
        status: str | None,
        keyword: str | None,
        page: int,
        page_size: int,
        tags: Sequence[str] = (),
    ) -> dict[str, Any]:
        """The workbench queue: longest waiting first, then live, AI and closed chats; each
        item with its tags, and only chats carrying every tag of `tags` when given."""
        listed = await self.supervision.list_sessions(status, offset=0, limit=1_000_000)
        items = [s for s in listed["items"] if matches(s, keyword)]
        if tags:
            tagged = await sessions_tagged(self.sessions, tenant, tags)
            items = [s for s in items if s["session_name"] in tagged]
        # stable: within equal waits the index order (first come, first served) stays
        items.sort(key=lambda s: (-int(s.get("waiting_seconds") or 0), STATUS_RANK[s["status"]]))
        start = (page - 1) * page_size
        shown = items[start : start + page_size]
        tags_of = await tags_of_sessions(self.sessions, tenant, [s["session_name"] for s in shown])
        for item in shown:
            item["tags"] = tags_of.get(item["session_name"], [])
        return {
            "items": shown,
            "total": len(items),
            "page": page,
            "page_size": page_size,
        }


def names_caller(principal: Principal, agent_id: str | int) -> bool:
    """Whether `agent_id` (numeric id or username, as a client sent it) is the caller."""
    if isinstance(agent_id, int):
        return agent_id == principal.user_id
    return agent_id == principal.username or agent_id == str(principal.user_id)


def matches(summary: dict[str, Any], keyword: str | None) -> bool:
    """Case-insensitive match on name, last message, nickname and escalation text."""
    if not keyword:
        return True
    escalation = summary.get("escalation") or {}
    profile = summary.get("user_profile") or {}
    fields = (
        summary.get("session_name"),
        summary.get("last_message_preview"),
        profile.get("nickname"),
        escalation.get("reason"),
        escalation.get("details"),
        escalation.get("summary"),
    )
    needle = keyword.casefold()
    return any(needle in str(value).casefold() for value in fields if value)
