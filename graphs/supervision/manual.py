"""What a human-side event does to a chat under manual control: the customer's or the agent's
message, a takeover, a transfer, a release, a close or a cancelled escalation.

Each event is checked against the status table (transitions.py) and the one-agent-per-chat rule
(takeover.py), then becomes a state update, an audit line and the events the streams show. The
`manual` node (nodes.py) waits for the event and routes on the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langgraph.graph import END

from graphs.supervision import events as ev
from graphs.supervision.auto_reply_nodes import AutoReplies, say
from graphs.supervision.graph import SupervisionDeps
from graphs.supervision.language import SystemMessageKey, system_message
from graphs.supervision.state import (
    AgentInfo,
    AgentMessage,
    AutoReplyDue,
    CancelEscalation,
    Close,
    ResumeEvent,
    SupervisionState,
    Takeover,
    TimeoutCheck,
    Transfer,
    UserMessage,
    customer_language,
    new_message,
)
from graphs.supervision.takeover import require_holder
from graphs.supervision.transitions import STATUS_CHANGE_REASONS, SessionEvent, apply, transition

E = SessionEvent


class HumanSideEvents:
    def __init__(self, deps: SupervisionDeps) -> None:
        self.deps = deps
        self.auto = AutoReplies(deps)

    async def apply(
        self, state: SupervisionState, event: ResumeEvent
    ) -> tuple[dict[str, Any], str]:
        """One event's effect: (state update, next node)."""
        now = int(self.deps.clock().timestamp())
        status = state["status"]
        assigned = state.get("assigned_agent")
        if isinstance(event, UserMessage):
            transition(status, E.USER_MESSAGE)
            ev.emit(ev.manual_message("user", event.content, now))
            item = new_message("user", event.content, now)
            await self.auto.watch_wait(state, now)
            return {"history": [item], "updated_at": now}, "manual"
        if isinstance(event, AutoReplyDue):
            said = say(event.rule_type, event.content, now, "notice")
            return {"history": [said], "updated_at": now}, "manual"
        if isinstance(event, TimeoutCheck):
            items = (await self.auto.still_waiting(state, event.since, now)).items
            return ({"history": items, "updated_at": now} if items else {}), "manual"
        if isinstance(event, AgentMessage):
            transition(status, E.AGENT_MESSAGE)
            require_holder(assigned, event.agent.id)
            agent = event.agent.info()
            ev.emit(ev.manual_message("agent", event.content, now, agent))
            item = new_message("agent", event.content, now, agent)
            return {"history": [item], "updated_at": now}, "manual"
        if isinstance(event, Takeover):
            agent = event.agent.info()
            update = await self._move(state, E.TAKEOVER, agent["id"], "agent_joined", now, agent,
                                      agent_name=agent["name"])  # fmt: skip
            update["assigned_agent"] = agent
            if status == "bot_active":  # proactive: a new manual episode without an escalation
                update["escalation_epoch"] = state.get("escalation_epoch", 0) + 1
                update["escalation"] = {
                    "reason": "agent_takeover",
                    "severity": "low",
                    "details": f"{agent['name']} 主動接手",
                    "trigger_at": now,
                }
            return update, "manual"
        if isinstance(event, Transfer):
            giver = event.agent.id if event.agent else (assigned["id"] if assigned else "")
            transition(status, E.TRANSFER)
            require_holder(assigned, giver)
            to = event.to_agent.info()
            update = await self._move(state, E.TRANSFER, giver, "transferred", now, to,
                                      agent_name=to["name"])  # fmt: skip
            return {**update, "assigned_agent": to}, "manual"
        if isinstance(event, Close):
            update = await self._move(state, E.CLOSE, event.operator, "closed", now)
            return {**update, "assigned_agent": None}, END
        if isinstance(event, CancelEscalation):  # back to the AI with a clean slate, as release
            update = await self._move(state, E.CANCEL_ESCALATION, event.operator,
                                      "escalation_cancelled", now)  # fmt: skip
            return {**update, "assigned_agent": None, "ai_fail_count": 0}, END
        transition(status, E.RELEASE)
        require_holder(assigned, event.agent.id)
        update = await self._move(state, E.RELEASE, event.agent.id, "released", now,
                                  detail={"reason": event.reason})  # fmt: skip
        return {**update, "assigned_agent": None, "last_manual_end_at": now,
                "ai_fail_count": 0}, END  # fmt: skip

    async def _move(
        self,
        state: SupervisionState,
        event: SessionEvent,
        operator: str,
        notice_key: SystemMessageKey,
        now: int,
        agent: AgentInfo | None = None,
        detail: Mapping[str, Any] | None = None,
        **values: str,
    ) -> dict[str, Any]:
        """A status move: the table's verdict, an audit line, status_change + system notice."""
        status = apply(state["status"], event, operator=operator, at=now)[0].value
        reason = STATUS_CHANGE_REASONS[event]
        row = {"event": event.value, "epoch": state.get("escalation_epoch", 0), **(detail or {})}
        if agent is not None:
            row["agent"] = dict(agent)
        await self.deps.audit.record(
            state["session_name"], status_from=state["status"], status_to=status,
            operator=operator, reason=reason, detail=row, at=now,
        )  # fmt: skip
        notice = system_message(notice_key, customer_language(state), **values)
        ev.emit(ev.status_change(status, reason, now, agent))
        ev.emit(ev.manual_message("system", notice, now))
        return {"status": status, "history": [new_message("system", notice, now)],
                "updated_at": now}  # fmt: skip
